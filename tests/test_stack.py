"""One stack: constraints.txt pins it, colab_setup.sh and `make setup` both install from it,
requirements.txt's lower bounds hold for every pin, and every file makes the same Python claim.

These read the repository's own files (and run colab_setup.sh's dry run); nothing is installed.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from helpers.check_env import SUPPORTED_PYTHON

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("stack", "held on Colab", "tests")


def _constraints() -> dict[str, dict[str, str]]:
    """constraints.txt as {section: {canonical name: pinned version}}."""
    sections: dict[str, dict[str, str]] = {name: {} for name in SECTIONS}
    current = None
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#\s*\[([^\]]+)\]", line)
        if heading:
            current = heading.group(1)
            assert current in SECTIONS, f"unknown section [{current}] in constraints.txt"
            continue
        pin = line.split("#", 1)[0].strip()
        if not pin:
            continue
        assert current, f"a pin before any section: {pin}"
        requirement = Requirement(pin)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"constraints.txt pins exactly: {pin}"
        sections[current][canonicalize_name(requirement.name)] = spec.version
    return sections


def _requirements() -> list[Requirement]:
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    stripped = (line.split("#", 1)[0].strip() for line in lines)
    return [Requirement(line) for line in stripped if line]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _all_pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for section in _constraints().values():
        assert not set(section) & set(pins), "a package is pinned twice"
        pins.update(section)
    return pins


def test_every_requirement_is_pinned_within_its_lower_bound():
    pins = _all_pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        if name == "torch":  # Colab keeps its own CUDA build; the Makefile installs the CPU one
            assert name not in pins
            continue
        assert name in pins, f"{requirement.name} is in requirements.txt but not pinned"
        assert requirement.specifier.contains(pins[name]), (
            f"constraints.txt pins {requirement.name}=={pins[name]}, outside requirements.txt's "
            f"{requirement}: raise the bound or move the pin"
        )


def test_the_test_extra_is_pinned_in_the_tests_section():
    extra = [Requirement(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]]
    tests = _constraints()["tests"]
    assert {canonicalize_name(r.name) for r in extra} == set(tests)
    for requirement in extra:
        assert requirement.specifier.contains(tests[canonicalize_name(requirement.name)])


def test_the_stack_pins_the_packages_the_issue_names():
    stack = _constraints()["stack"]
    for name in ("transformers", "tokenizers", "datasets", "huggingface-hub", "trl", "peft"):
        assert name in stack
    for name in ("accelerate", "bitsandbytes", "openai", "python-dotenv", "gensim"):
        assert name in stack
    held = _constraints()["held on Colab"]
    assert held["ipywidgets"].startswith("7.7.")  # what Colab's front end renders
    assert {"numpy", "pandas", "scikit-learn", "matplotlib"} <= set(held)


def _dry_run() -> tuple[dict[str, str], str]:
    result = subprocess.run(
        ["bash", str(REPO / "colab_setup.sh"), "--dry-run"],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        check=True,
    )
    *pins, command = result.stdout.strip().splitlines()
    parsed = {}
    for pin in pins:
        requirement = Requirement(pin)
        (spec,) = requirement.specifier
        assert spec.operator == "=="
        parsed[canonicalize_name(requirement.name)] = spec.version
    return parsed, command


def test_colab_setup_installs_the_pins_of_constraints_txt():
    """The pins colab_setup.sh installs with are constraints.txt's, except that torch and the
    [held on Colab] packages stay at the versions installed (here: this environment's)."""
    constraints = _constraints()
    installed, command = _dry_run()
    for name, version in constraints["stack"].items():
        assert installed.pop(name) == version, f"{name}: colab_setup.sh drifted from the pin"
    for name in constraints["held on Colab"]:
        assert installed.pop(name) == metadata.version(name), f"{name} is not held as installed"
    assert installed.pop("torch") == metadata.version("torch")
    assert installed == {}, f"colab_setup.sh pins more than constraints.txt: {installed}"
    assert command.startswith(f"would run: {sys.executable} -m pip install -q -c ")
    assert command.endswith(f"-r {REPO / 'requirements.txt'}")


def test_colab_setup_repeats_no_version():
    script = (REPO / "colab_setup.sh").read_text(encoding="utf-8")
    pinned = re.findall(r"[A-Za-z][\w.-]*\s*(?:==|>=|~=)\s*\d[\w.]*", script)
    assert pinned == [], f"colab_setup.sh names versions; they belong in constraints.txt: {pinned}"
    assert '"$REPO_DIR/constraints.txt"' in script


def test_make_setup_installs_from_the_constraints_file():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^\$\(VENV\)/\.installed:(.*?)\n\n", makefile, re.S | re.M)
    assert rule, "the Makefile's setup rule"
    prerequisites, _, recipe = rule.group(1).partition("\n")
    assert "constraints.txt" in prerequisites.split()  # a new pin re-runs the install
    assert '-m pip install -q -c constraints.txt -e ".[test]"' in recipe


# ---- one Python claim ------------------------------------------------------------------------

CLAIMS_3_10 = re.compile(
    r"python\s*3\.10|py310|requires-python\s*=\s*\"?>=\s*3\.10|3\.10\s*(?:-|–|to)\s*3\.1\d"
    r"|python_version\s*[<>=]+\s*['\"]3\.10",
    re.IGNORECASE,
)


def _tracked_text_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    files = []
    for name in listed:
        path = REPO / name
        if path.is_file() and path.suffix in {".py", ".md", ".toml", ".txt", ".sh", ".ipynb", ""}:
            files.append(path)
    return files


def test_nothing_claims_python_3_10():
    found = []
    for path in _tracked_text_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CLAIMS_3_10.search(line) and path.name != Path(__file__).name:
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == [], "Python 3.10 is not supported (transformers 5, trl 1.x):\n" + "\n".join(
        found
    )


def test_every_file_makes_the_same_python_claim():
    (major, minor), _newest = SUPPORTED_PYTHON
    oldest = f"{major}.{minor}"
    project = _pyproject()
    assert project["project"]["requires-python"] == f">={oldest}"
    assert project["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    assert f"Python {oldest} or newer" in (REPO / "README.md").read_text(encoding="utf-8")
    script = (REPO / "colab_setup.sh").read_text(encoding="utf-8")
    assert f"Python {oldest} or newer" in script
    assert f"sys.version_info < ({major}, {minor})" in script
