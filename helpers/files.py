"""Writing files so that a half-written one never replaces a good one.

Everything the course saves (splits, results, caches, sheets) is written to a temporary file
in the same folder and renamed into place, which is atomic: a kill leaves the old file or the
new one. The temporary file is removed if writing fails (or, after a kill, by the next write
of the same file), and the result has the usual permissions (0644 under the common umask), not
a temporary file's 0600.

Introduced in notebooks/02_curate_dataset.ipynb.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


@functools.cache
def _umask() -> int:
    """The process's umask, read without changing it (os.umask would, for every thread)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("Umask:")).split()[1], 8)
    except (OSError, StopIteration, ValueError):  # not Linux: the common default
        return 0o022


STALE_SECONDS = 600  # a temporary file this old was left by a killed writer


def _sweep(target: Path) -> None:
    """Remove temporary files a killed writer of ``target`` left behind (SIGKILL skips cleanup)."""
    for orphan in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - orphan.stat().st_mtime > STALE_SECONDS:
                orphan.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep(target)
    handle, staging = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(staging)
        os.chmod(staging, 0o666 & ~_umask())
        os.replace(staging, target)
    finally:
        if os.path.exists(staging):
            os.remove(staging)


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically. Introduced in notebooks/02_curate_dataset.ipynb."""
    with atomic_path(path) as staging:
        staging.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically. Introduced in notebooks/02_curate_dataset.ipynb."""
    with atomic_path(path) as staging:
        staging.write_bytes(data)
    return Path(path)
