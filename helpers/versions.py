"""Which versions of the course's packages are installed, and whether they are recent enough.

Reads package metadata only, so it is instant and imports none of the packages it reports on.
Every notebook's versions cell calls `print_versions`; `helpers.check_env` compares each
installed package with its lower bound in requirements.txt.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import platform
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .paths import repo_root

DIST_NAME = "pricer-helpers"
VERSION_PACKAGES: tuple[tuple[str, str], ...] = (
    ("torch", "torch"),
    ("transformers", "transformers"),
    ("huggingface_hub", "huggingface_hub"),
    ("datasets", "datasets"),
    ("trl", "trl"),
    ("peft", "peft"),
    ("accelerate", "accelerate"),
    ("bitsandbytes", "bitsandbytes"),
    ("openai", "openai"),
    ("scikit-learn", "scikit-learn"),
)


@dataclass(frozen=True)
class Requirement:
    """One line of requirements.txt: a distribution name and its version specifier.

    Used by `helpers.check_env`.
    """

    name: str
    specifier: str  # e.g. ">=2.4", or "" for any version
    line: str


_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


def _parse_requirement(text: str) -> Requirement | None:
    """A requirement line without its comment, or None when its environment marker excludes us."""
    text = text.split("#", 1)[0].strip()
    if not text or text.startswith("-"):
        return None
    try:
        from packaging.requirements import Requirement as Parsed
    except ImportError:  # packaging comes with transformers; a plain parse still works without it
        body, _, _marker = text.partition(";")
        match = _NAME_RE.match(body)
        if not match:
            return None
        return Requirement(match.group(1), match.group(3).replace(" ", ""), text)
    parsed = Parsed(text)
    if parsed.marker is not None and not parsed.marker.evaluate({"extra": ""}):
        return None
    return Requirement(parsed.name, str(parsed.specifier), text)


def read_requirements(path: str | os.PathLike | None = None) -> list[Requirement]:
    """The course's requirements: ``path``, else the checkout's requirements.txt, else the
    installed package's metadata (on Colab the helpers are installed, not checked out).
    Used by `helpers.check_env`.
    """
    candidates = (
        [Path(path)]
        if path
        else [repo_root() / "requirements.txt", Path.cwd() / "requirements.txt"]
    )
    for candidate in candidates:
        if candidate.is_file():
            lines = candidate.read_text(encoding="utf-8").splitlines()
            break
    else:
        if path:
            raise FileNotFoundError(f"No requirements file at {path}")
        try:
            lines = metadata.requires(DIST_NAME) or []
        except metadata.PackageNotFoundError:
            lines = []
    return [r for r in map(_parse_requirement, lines) if r is not None]


def _version_key(version: str) -> tuple[int, ...]:
    """'2.13.0+cpu' -> (2, 13, 0): enough to compare lower bounds without `packaging`."""
    numbers = re.findall(r"\d+", version.split("+")[0])
    return tuple(int(n) for n in numbers[:4])


def satisfies(version: str, specifier: str) -> bool:
    """Whether an installed version meets a specifier such as ``>=2.4`` (local tags ignored).

    Used by `helpers.check_env`.
    """
    if not specifier:
        return True
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:
        for part in specifier.split(","):
            match = re.match(r"\s*(>=|==|>|<=|<|!=)\s*(\S+)", part)
            if not match:
                continue
            op, bound = match.groups()
            have, want = _version_key(version), _version_key(bound)
            ok = {
                ">=": have >= want,
                ">": have > want,
                "==": have == want,
                "<=": have <= want,
                "<": have < want,
                "!=": have != want,
            }[op]
            if not ok:
                return False
        return True
    return SpecifierSet(specifier).contains(version, prereleases=True)


def installed_version(distribution: str) -> str:
    """The installed version of a distribution, or "not installed".

    Used within `helpers.versions`.
    """
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def installed_versions(packages: Iterable[tuple[str, str]] = VERSION_PACKAGES) -> dict[str, str]:
    """Python, the main libraries and the helpers' versions, read from package metadata only.

    Used within `helpers.versions`.
    """
    from . import __version__

    versions = {"Python": f"{platform.python_version()} ({sys.platform})"}
    for label, distribution in packages:
        versions[label] = installed_version(distribution)
    versions["helpers"] = __version__
    return versions


def print_versions(packages: Iterable[tuple[str, str]] = VERSION_PACKAGES) -> None:
    """Print Python, the main libraries and the helpers' versions, once (every notebook's
    versions cell). Returns None, so a notebook cell ending with it shows nothing twice; use
    `installed_versions` for the dict. Instant: it reads package metadata only.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    versions = installed_versions(packages)
    width = max(len(label) for label in versions)
    for label, version in versions.items():
        print(f"{label:<{width}}  {version}")
