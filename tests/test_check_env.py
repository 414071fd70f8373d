"""The environment check: real packages and variables, secrets reported as set/not set only,
and a report that prints the OK checks on one line and every problem in full."""

from __future__ import annotations

import importlib.metadata as metadata
import subprocess
import sys

import pytest

from helpers import check_env, versions
from helpers.check_env import FAIL, OK, WARN, Check

SECRET = "sk-secret-value-123"


@pytest.fixture
def requirements(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text(
        "# The course's Python dependencies\n"
        "\n"
        "numpy>=1.0            # everywhere\n"
        "notarealpackage-xyz>=1.0   # does not exist\n"
        "packaging>=999        # installed, far too old\n"
        "numpy>=1; python_version < '3'   # excluded by its marker\n"
    )
    return path


@pytest.fixture
def no_keys(monkeypatch, tmp_path):
    for name in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_TOKEN_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_requirements_are_checked_against_their_lower_bounds(requirements):
    numpy, missing, old = check_env.check_requirements(requirements)
    assert numpy == Check("numpy", OK, metadata.version("numpy"))
    assert missing.status == FAIL and missing.name == "notarealpackage-xyz"
    assert missing.detail == "not installed (need >=1.0)"
    assert missing.fix.startswith('pip install "notarealpackage-xyz>=1.0"')
    assert (
        old.status == FAIL
        and old.detail == f"{metadata.version('packaging')} installed, need >=999"
    )
    assert old.fix.startswith('pip install --upgrade "packaging>=999"')
    assert "fix: pip install" in str(missing)


def test_the_course_requirements_are_read_from_the_checkout():
    names = [r.name for r in versions.read_requirements()]
    assert names[:2] == ["torch", "transformers"] and "bitsandbytes" in names
    assert all(r.specifier.startswith(">=") for r in versions.read_requirements())


@pytest.mark.parametrize(
    "version, specifier, expected",
    [
        ("2.13.0+cpu", ">=2.4", True),
        ("0.46.1", ">=0.47", False),
        ("1.0.0rc1", ">=0.9", True),
        ("5.23.0", "", True),
    ],
)
def test_satisfies(version, specifier, expected):
    assert versions.satisfies(version, specifier) is expected


@pytest.mark.parametrize(
    "version, status",
    [((3, 10, 12), FAIL), ((3, 11, 0), OK), ((3, 13, 2), OK), ((3, 14, 0), WARN)],
)
def test_python_versions(version, status):
    check = check_env.check_python(version)
    assert check.status == status
    assert check.detail.startswith(".".join(map(str, version)))
    if status == FAIL:
        assert "3.13" in check.fix and "supported: 3.11-3.13" in check.detail


def test_the_python_claim_matches_pyproject():
    import tomllib

    from helpers.paths import repo_root

    project = tomllib.loads((repo_root() / "pyproject.toml").read_text())["project"]
    (major, minor), _newest = check_env.SUPPORTED_PYTHON
    assert project["requires-python"] == f">={major}.{minor}"


def test_api_keys_are_reported_without_their_values(no_keys, requirements, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    checks = check_env.run_checks(requirements, gpu=False, show=True)
    out = capsys.readouterr().out
    assert SECRET not in out and SECRET not in repr(checks) and SECRET[3:] not in out
    by_name = {c.name: c for c in checks}
    assert by_name["OPENAI_API_KEY"] == Check("OPENAI_API_KEY", OK, "set (environment)")
    anthropic = by_name["ANTHROPIC_API_KEY"]
    assert anthropic.status == WARN and anthropic.detail.startswith("not set")
    assert "secret named ANTHROPIC_API_KEY" in anthropic.fix
    assert out.rstrip().endswith("Fix the [FAIL] lines first (3 OK, 2 WARN, 2 FAIL).")


def test_the_report_puts_every_ok_check_on_one_line_and_problems_in_full(
    no_keys, requirements, monkeypatch, capsys
):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    checks = check_env.run_checks(requirements, gpu=False, show=True)
    lines = capsys.readouterr().out.splitlines()
    python = ".".join(map(str, sys.version_info[:3]))
    # Python, numpy, the numpy line whose marker excludes it is not a check, OPENAI_API_KEY
    assert [c.name for c in checks if c.status == OK] == ["Python", "numpy", "OPENAI_API_KEY"]
    assert lines[0] == f"[OK]    3 checks: Python {python}, numpy, OPENAI_API_KEY"
    assert sum(line.startswith("[OK]") for line in lines) == 1
    problems = [line for line in lines if line.startswith(("[WARN]", "[FAIL]"))]
    assert problems[:2] == [
        "[FAIL]  notarealpackage-xyz: not installed (need >=1.0)",
        f"[FAIL]  packaging: {metadata.version('packaging')} installed, need >=999",
    ]
    assert [line[:26] for line in problems[2:]] == [
        "[WARN]  HF token: not set.",
        "[WARN]  ANTHROPIC_API_KEY:",
    ]
    assert sum("fix:" in line for line in lines) == 4  # each problem says what to do


def test_a_clean_report_is_two_lines():
    checks = [
        Check("Python", OK, "3.12.1", short="Python 3.12.1"),
        Check("transformers", OK, "5.24.0"),
        Check("precision", OK, "fp32", short="fp32 (CPU)"),
    ]
    assert check_env.report(checks) == (
        "[OK]    3 checks: Python 3.12.1, transformers, fp32 (CPU)\nReady (3 OK, 0 WARN, 0 FAIL)."
    )


def test_a_key_in_a_dotenv_file_counts_and_is_not_printed(no_keys, capsys):
    (no_keys / ".env").write_text(f"OPENAI_API_KEY={SECRET}\nANTHROPIC_API_KEY=\n# HF_TOKEN=x\n")
    openai, anthropic = check_env.check_api_keys()
    assert openai == Check("OPENAI_API_KEY", OK, "set (.env file)")
    assert anthropic.status == WARN  # an empty value is not a key
    assert check_env.check_hf_token().status == WARN  # a commented line is not a token
    print(openai, anthropic)
    assert SECRET not in capsys.readouterr().out


def test_hf_token_from_environment_dotenv_or_login_never_printed(no_keys, monkeypatch, capsys):
    missing = check_env.check_hf_token()
    assert missing.status == WARN and "from notebook 01" in missing.detail
    assert "huggingface.co/settings/tokens" in missing.fix and "HF_TOKEN" in missing.fix
    assert "https://huggingface.co/meta-llama/Llama-3.1-8B," in missing.fix  # the current repo

    (no_keys / "hf-home").mkdir()
    (no_keys / "hf-home" / "token").write_text("hf_savedbyloginsavedbyloginsavedbylogin\n")
    assert check_env.check_hf_token() == Check("HF token", OK, "set (saved by `hf auth login`)")

    (no_keys / ".env").write_text("HF_TOKEN=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\n")
    assert check_env.check_hf_token() == Check("HF token", OK, "set (HF_TOKEN, .env file)")

    monkeypatch.setenv("HF_TOKEN", "hf_fromtheenvironmentfromtheenvironment")
    check = check_env.check_hf_token()
    print(check)
    assert check == Check("HF token", OK, "set (HF_TOKEN, environment)")
    assert "hf_from" not in capsys.readouterr().out


def test_secrets_are_found_in_colab_secrets_too(no_keys, monkeypatch):
    """Colab's secret store is the edge: a stand-in `google.colab.userdata` answers."""
    import types

    class SecretNotFoundError(Exception):
        pass

    store = {"HF_TOKEN": "hf_fromcolabsecretsfromcolabsecrets"}

    def get(name):
        if name not in store:
            raise SecretNotFoundError(name)
        return store[name]

    userdata = types.SimpleNamespace(get=get, SecretNotFoundError=SecretNotFoundError)
    monkeypatch.setitem(sys.modules, "google.colab", types.SimpleNamespace(userdata=userdata))
    assert check_env.check_hf_token() == Check("HF token", OK, "set (HF_TOKEN, Colab secrets)")
    assert [c.status for c in check_env.check_api_keys()] == [WARN, WARN]


def test_gpu_is_reported_and_never_a_failure():
    torch = pytest.importorskip("torch")
    gpu, precision = check_env.check_gpu()
    assert gpu.name == "GPU" and precision.name == "precision"
    if torch.cuda.is_available():
        assert torch.cuda.get_device_name(0) in gpu.detail and "GiB" in gpu.detail
        assert gpu.status in (OK, WARN) and precision.status == OK
    else:
        assert gpu.status == WARN and precision.status == OK  # one warning for one cause
        assert "07-09" in gpu.detail and "T4 GPU" in gpu.fix
        assert precision.short == "fp32 (CPU)"


def test_print_versions_prints_the_stack_once_and_returns_nothing(capsys):
    assert versions.print_versions() is None  # a cell ending with it shows no second copy
    out = capsys.readouterr().out
    found = versions.installed_versions()
    assert list(found)[0] == "Python" and list(found)[-1] == "helpers"
    assert found["transformers"] == metadata.version("transformers")
    assert found["scikit-learn"] == metadata.version("scikit-learn")
    assert out.count(f"transformers     {found['transformers']}\n") == 1
    assert len(out.splitlines()) == len(found)
    missing = versions.installed_versions([("ghost", "notarealpackage-xyz")])
    assert missing["ghost"] == "not installed"


def test_the_cli_exits_1_on_a_failure(requirements, no_keys, capsys):
    assert check_env.main(["--no-gpu", "--requirements", str(requirements)]) == 1
    assert "[FAIL]  notarealpackage-xyz: not installed" in capsys.readouterr().out
    good = no_keys / "good.txt"
    good.write_text("numpy>=1.0\n")
    assert check_env.main(["--no-gpu", "--requirements", str(good)]) == 0


def test_importing_is_light():
    """Every notebook imports this in its versions cell: no torch, no network, no output."""
    code = (
        "import sys, helpers.check_env; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
