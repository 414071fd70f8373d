"""Writing files so that a half-written one never replaces a good one.

Everything the course saves (splits, results, caches, sheets) is written to a temporary file
in the same folder and renamed into place, which is atomic: a kill leaves the old file or the
new one. The temporary file is removed if writing fails (or, after a kill, by the next write
of the same file), and the result has the usual permissions (0644 under the common umask), not
a temporary file's 0600.

Used by `helpers.human`, `helpers.results` and `helpers.sampling`.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

STALE_SECONDS = 600  # a temporary file this old was left by a killed writer


def sweep_orphans(folder: Path, pattern: str = ".*.tmp") -> int:
    """Remove temporary files that killed writers left in ``folder`` (SIGKILL skips cleanup),
    those older than STALE_SECONDS; how many went. Used by `helpers.frontier.cache`."""
    removed = 0
    for orphan in folder.glob(pattern):
        with contextlib.suppress(OSError):  # another process may have swept it first
            if time.time() - orphan.stat().st_mtime > STALE_SECONDS:
                orphan.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    Used by `helpers.human` and `helpers.sampling`.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_orphans(target.parent, f".{target.name}.*.tmp")  # a killed writer's, of this file
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    # created like open() creates a file: mode 0666 less the umask (not a temp file's 0600)
    os.close(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield staging
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically. Used by `helpers.frontier.cache`, `helpers.frontier.tuning` and `helpers.sampling`."""
    with atomic_path(path) as staging:
        staging.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically. Used by `helpers.results`."""
    with atomic_path(path) as staging:
        staging.write_bytes(data)
    return Path(path)
