"""Is this machine ready for the course? Every problem on its own lines, with the fix.

    python -m helpers.check_env            # or run_checks() in a notebook

Every check is ``[OK]``, ``[WARN]`` (fine for now, matters later) or ``[FAIL]`` (fix this
first). The report prints one line for all the OK checks, then each WARN and FAIL in full with
what to do. Secrets are looked up where `helpers.secrets` looks (environment, ``.env``, Colab
secrets) and only ever reported as set, with where, or not set. Importing this module is
cheap: torch is imported only when the GPU is checked.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import os
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import BASE_MODEL
from .secrets import find_secret
from .versions import Requirement, read_requirements, satisfies

OK, WARN, FAIL = "OK", "WARN", "FAIL"
# Oldest and newest minor versions the course supports: transformers 5 and trl 1.x need 3.11;
# Colab runs 3.13. The same claim as pyproject.toml's requires-python (a test holds them equal).
SUPPORTED_PYTHON = ((3, 11), (3, 13))
API_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
HF_TOKEN_NAMES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")  # the second is the Hub's older name
KEY_PAGES = {
    "OPENAI_API_KEY": "https://platform.openai.com/api-keys",
    "ANTHROPIC_API_KEY": "https://console.anthropic.com/settings/keys",
}

COLAB_GPU_HOWTO = (
    "on Colab choose Runtime > Change runtime type > T4 GPU, then run the notebook again"
)


@dataclass(frozen=True)
class Check:
    """One check: what was checked, its status, what was found, how to fix it.

    ``short`` is how an OK check appears in the report's one OK line (default: its name).
    Introduced in notebooks/01_explore_data.ipynb.
    """

    name: str
    status: str  # OK, WARN or FAIL
    detail: str
    fix: str = ""
    short: str = ""

    @property
    def ok(self) -> bool:
        """True unless the check failed (a warning is not a failure)."""
        return self.status != FAIL

    def __str__(self) -> str:
        indent = " " * 8
        lines = textwrap.wrap(
            f"{'[' + self.status + ']':7} {self.name}: {self.detail}",
            width=100,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        if self.fix and self.status != OK:
            lines += textwrap.wrap(
                f"fix: {self.fix}",
                width=100,
                initial_indent=indent,
                subsequent_indent=indent + "     ",
                break_long_words=False,
                break_on_hyphens=False,
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Python and packages


def check_python(version: Sequence[int] | None = None) -> Check:
    """Python 3.11-3.13 is supported; older fails, newer is untested.

    Used within `helpers.check_env`.
    """
    major, minor, micro = tuple(version or sys.version_info[:3])[:3]
    found = f"{major}.{minor}.{micro}"
    (lo_major, lo_minor), (hi_major, hi_minor) = SUPPORTED_PYTHON
    supported = f"{lo_major}.{lo_minor}-{hi_major}.{hi_minor}"
    if (major, minor) < SUPPORTED_PYTHON[0]:
        return Check(
            "Python",
            FAIL,
            f"{found} is too old (supported: {supported})",
            f"install Python {hi_major}.{hi_minor} (or use Colab) and make a fresh virtual "
            "environment: `make setup`",
        )
    if (major, minor) > SUPPORTED_PYTHON[1]:
        return Check(
            "Python",
            WARN,
            f"{found} is newer than the course is tested on (supported: {supported})",
            f"if a package fails to install, use Python {hi_major}.{hi_minor}",
        )
    return Check("Python", OK, found, short=f"Python {found}")


def check_requirement(requirement: Requirement) -> Check:
    """One installed package against its line in requirements.txt.

    Used within `helpers.check_env`.
    """
    wanted = f"{requirement.name}{requirement.specifier}"
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return Check(
            requirement.name,
            FAIL,
            f"not installed (need {requirement.specifier or 'any version'})",
            f'pip install "{wanted}"   (on Colab: run the setup cell again)',
        )
    if not satisfies(version, requirement.specifier):
        return Check(
            requirement.name,
            FAIL,
            f"{version} installed, need {requirement.specifier}",
            f'pip install --upgrade "{wanted}"   (on Colab: run the setup cell again, then '
            "Runtime > Restart session)",
        )
    return Check(requirement.name, OK, version)


def check_requirements(path: str | os.PathLike | None = None) -> list[Check]:
    """Every requirement of the course, installed and recent enough.

    Used within `helpers.check_env`.
    """
    return [check_requirement(r) for r in read_requirements(path)]


# ---------------------------------------------------------------------------------------------
# Hardware


def check_gpu() -> list[Check]:
    """The GPU (name and memory) and the precision training will compute in.

    No GPU is a warning, never a failure: notebooks 01-06 and every smoke run need none;
    the real runs of 07-09 (Llama 3.1 8B in 4 bits) do. The precision follows the one rule in
    `helpers.models.has_bf16_hardware`: bf16 from compute capability 8.0, fp16 below (a T4).
    Used within `helpers.check_env`.
    """
    try:
        import torch
    except ImportError:
        return [
            Check(
                "GPU",
                WARN,
                "torch is not installed, so no GPU can be used",
                'pip install "torch>=2.4" (Colab has it already)',
            )
        ]
    from .models import has_bf16_hardware

    if not torch.cuda.is_available():
        mps = getattr(torch.backends, "mps", None)
        apple = bool(mps and mps.is_available())
        found = (
            "Apple GPU (MPS) only: 4-bit bitsandbytes needs CUDA" if apple else "none (CPU only)"
        )
        return [
            Check(
                "GPU",
                WARN,
                f"{found}. Fine for notebooks 01-06 and smoke runs; the real runs of 07-09 "
                "need an NVIDIA GPU with about 15 GB",
                COLAB_GPU_HOWTO,
            ),
            Check("precision", OK, "no GPU: the CPU computes in fp32", short="fp32 (CPU)"),
        ]
    index = torch.cuda.current_device()
    props = torch.cuda.get_device_properties(index)
    name = props.name
    memory_gib = props.total_memory / 2**30
    gpu = Check(
        "GPU",
        OK,
        f"{name}, {memory_gib:.1f} GiB (CUDA {torch.version.cuda})",
        short=f"GPU {name} {memory_gib:.0f} GiB",
    )
    if memory_gib < 14:
        gpu = Check(
            "GPU",
            WARN,
            f"{name}, {memory_gib:.1f} GiB: QLoRA training of Llama 3.1 8B wants ~15 GiB",
            "lower the batch size and maximum length in notebook 08, or "
            + COLAB_GPU_HOWTO.replace("T4 GPU", "a larger GPU"),
        )
    major, minor = torch.cuda.get_device_capability(index)
    if has_bf16_hardware(index):
        precision = Check(
            "precision",
            OK,
            f"{name}: bf16 hardware (compute capability {major}.{minor}); training uses bf16",
            short="bf16",
        )
    else:  # nothing to fix: compute_dtype() and training.mixed_precision() pick fp16 by themselves
        precision = Check(
            "precision",
            OK,
            f"{name}: no bf16 hardware (compute capability {major}.{minor}); training uses fp16",
            short=f"fp16 ({name}: no bf16 hardware)",
        )
    return [gpu, precision]


# ---------------------------------------------------------------------------------------------
# Secrets: where they were found, never the value


def _hf_token_file() -> Path:
    """Where `hf auth login` stores the token, honouring HF_TOKEN_PATH and HF_HOME."""
    if os.environ.get("HF_TOKEN_PATH"):
        return Path(os.environ["HF_TOKEN_PATH"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "token"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "huggingface" / "token"


def check_hf_token() -> Check:
    """A Hugging Face token: HF_TOKEN (environment, .env or Colab secret), or `hf auth login`.

    Real runs need it from notebook 01 on: Llama 3.1's tokenizer is gated like its weights.
    Used within `helpers.check_env`.
    """
    name = "HF token"
    for variable in HF_TOKEN_NAMES:
        value, source = find_secret(variable)
        if value:
            return Check(name, OK, f"set ({variable}, {source})")
    token_file = _hf_token_file()
    try:
        if token_file.is_file() and token_file.read_text(encoding="utf-8").strip():
            return Check(name, OK, "set (saved by `hf auth login`)")
    except OSError:
        pass
    return Check(
        name,
        WARN,
        "not set. Smoke runs need none; real runs need it from notebook 01 on, because "
        f"Llama 3.1's tokenizer ({BASE_MODEL}) is gated, and to push your splits (02)",
        f"accept Meta's licence at https://huggingface.co/{BASE_MODEL}, create a read token "
        "(a write token to push splits and adapters) at https://huggingface.co/settings/tokens, "
        "then on Colab add it as the secret HF_TOKEN (key icon, notebook access on); locally "
        "run `hf auth login`",
    )


def check_api_keys(names: Iterable[str] = API_KEYS) -> list[Check]:
    """Whether each API key is set (environment, .env file, Colab secret), never its value.

    Used within `helpers.check_env`.
    """
    checks = []
    for name in names:
        value, source = find_secret(name)
        if value:
            checks.append(Check(name, OK, f"set ({source})"))
            continue
        page = KEY_PAGES.get(name, "your provider's console")
        checks.append(
            Check(
                name,
                WARN,
                "not set. Only the real (paid) runs of 05-06 need it; smoke runs use a local "
                "stand-in",
                f"create a key at {page}; on Colab add it as a secret named {name}; locally put "
                f"`{name}=...` in a .env file in the course folder (never in a notebook)",
            )
        )
    return checks


# ---------------------------------------------------------------------------------------------
# The report


def report(checks: Sequence[Check]) -> str:
    """The report as text: one line for every OK check, each WARN and FAIL in full, a verdict.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    passed = [c for c in checks if c.status == OK]
    problems = [c for c in checks if c.status != OK]
    lines = []
    if passed:
        names = ", ".join(c.short or c.name for c in passed)
        lines += textwrap.wrap(
            f"{'[OK]':7} {len(passed)} checks: {names}",
            width=100,
            subsequent_indent=" " * 8,
            break_long_words=False,
            break_on_hyphens=False,
        )
    lines += [str(c) for c in problems]
    counts = {s: sum(c.status == s for c in checks) for s in (OK, WARN, FAIL)}
    tally = f"{counts[OK]} OK, {counts[WARN]} WARN, {counts[FAIL]} FAIL"
    lines.append(f"Fix the [FAIL] lines first ({tally})." if counts[FAIL] else f"Ready ({tally}).")
    return "\n".join(lines)


def run_checks(
    requirements: str | os.PathLike | None = None,
    *,
    gpu: bool = True,
    show: bool = True,
) -> list[Check]:
    """Every check, printed as a short report (``show``) and returned for code to inspect.

    Introduced in notebooks/01_explore_data.ipynb.
    """
    checks = [check_python(), *check_requirements(requirements)]
    if gpu:
        checks += check_gpu()
    checks += [check_hf_token(), *check_api_keys()]
    if show:
        print(report(checks))
    return checks


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.check_env``: the report, and exit status 1 on any FAIL.

    Used within `helpers.check_env`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m helpers.check_env",
        description="Check Python, packages, GPU and keys for the course. Exits 1 on any FAIL.",
    )
    parser.add_argument("--requirements", help="requirements file (default: the course's)")
    parser.add_argument(
        "--no-gpu", action="store_true", help="skip the GPU check (no torch import)"
    )
    args = parser.parse_args(argv)
    checks = run_checks(args.requirements, gpu=not args.no_gpu)
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
