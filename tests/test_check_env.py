"""The environment check: real packages and variables, secrets reported as set/not set only."""

from __future__ import annotations

import importlib.metadata as metadata
import subprocess
import sys

import pytest

from helpers import check_env
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
    names = [r.name for r in check_env.read_requirements()]
    assert names[:2] == ["torch", "transformers"] and "bitsandbytes" in names
    assert all(r.specifier.startswith(">=") for r in check_env.read_requirements())


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
    assert check_env.satisfies(version, specifier) is expected


@pytest.mark.parametrize(
    "version, status",
    [((3, 9, 18), FAIL), ((3, 10, 0), OK), ((3, 13, 2), OK), ((3, 14, 0), WARN)],
)
def test_python_versions(version, status):
    check = check_env.check_python(version)
    assert check.status == status
    assert check.detail.startswith(".".join(map(str, version)))
    if status == FAIL:
        assert "3.13" in check.fix


def test_api_keys_are_reported_without_their_values(no_keys, requirements, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    checks = check_env.run_checks(requirements, gpu=False, show=True)
    out = capsys.readouterr().out
    assert SECRET not in out and SECRET not in repr(checks) and SECRET[3:] not in out
    assert "[OK]    OPENAI_API_KEY: set\n" in out
    by_name = {c.name: c for c in checks}
    assert by_name["OPENAI_API_KEY"] == Check("OPENAI_API_KEY", OK, "set")
    anthropic = by_name["ANTHROPIC_API_KEY"]
    assert anthropic.status == WARN and anthropic.detail.startswith("not set")
    assert "secret named ANTHROPIC_API_KEY" in anthropic.fix
    assert "1 FAIL" not in out and "2 FAIL: fix the [FAIL] lines first" in out


def test_a_key_in_a_dotenv_file_counts_and_is_not_printed(no_keys, capsys):
    (no_keys / ".env").write_text(f"OPENAI_API_KEY={SECRET}\nANTHROPIC_API_KEY=\n# HF_TOKEN=x\n")
    openai, anthropic = check_env.check_api_keys()
    assert openai == Check("OPENAI_API_KEY", OK, "set (in .env)")
    assert anthropic.status == WARN  # an empty value is not a key
    print(openai, anthropic)
    assert SECRET not in capsys.readouterr().out


def test_hf_token_from_environment_or_login_never_printed(no_keys, monkeypatch, capsys):
    missing = check_env.check_hf_token()
    assert missing.status == WARN and "huggingface.co/settings/tokens" in missing.fix
    assert "HF_TOKEN" in missing.fix and "meta-llama/Meta-Llama-3.1-8B" in missing.fix

    (no_keys / "hf-home").mkdir()
    (no_keys / "hf-home" / "token").write_text("hf_savedbyloginsavedbyloginsavedbylogin\n")
    assert check_env.check_hf_token() == Check("HF token", OK, "set (saved by `hf auth login`)")

    monkeypatch.setenv("HF_TOKEN", "hf_fromtheenvironmentfromtheenvironment")
    check = check_env.check_hf_token()
    print(check)
    assert check == Check("HF token", OK, "set (HF_TOKEN)")
    assert "hf_from" not in capsys.readouterr().out


def test_gpu_is_reported_and_never_a_failure():
    torch = pytest.importorskip("torch")
    gpu, bf16 = check_env.check_gpu()
    assert gpu.name == "GPU" and bf16.name == "bf16"
    if torch.cuda.is_available():
        assert torch.cuda.get_device_name(0) in gpu.detail and "GiB" in gpu.detail
        assert gpu.status in (OK, WARN) and bf16.status in (OK, WARN)
    else:
        assert gpu.status == WARN and bf16.status == OK  # one warning for one cause
        assert "07-09" in gpu.detail and "T4 GPU" in gpu.fix


def test_print_versions_lists_the_stack_and_tolerates_missing_packages(capsys):
    versions = check_env.print_versions()
    out = capsys.readouterr().out
    assert list(versions)[0] == "Python" and list(versions)[-1] == "helpers"
    assert versions["transformers"] == metadata.version("transformers")
    assert versions["scikit-learn"] == metadata.version("scikit-learn")
    assert f"transformers  {versions['transformers']}" in out
    missing = check_env.print_versions([("ghost", "notarealpackage-xyz")])
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
