"""How the Hub stand-in keeps its folder consistent: JSON files replaced whole, and locks.

Several processes may serve or seed one storage folder at once (a notebook's kernel, the
stand-in server, a test), so every change is atomic on disk and every read-modify-write of a
repo holds its lock: a thread lock plus ``flock`` on a lock file, which other processes see.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from helpers.files import write_text_atomically

try:  # a lock that other processes see too; without it (Windows) only threads are serialised
    import fcntl
except ImportError:  # pragma: no cover - the course runs on Linux (Colab, CI)
    fcntl = None  # type: ignore[assignment]


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON that replaces ``path`` in one step: never half a file."""
    write_text_atomically(path, json.dumps(payload, indent=1, sort_keys=True))


def link_or_copy(source: Path, target: Path) -> None:
    """Share an immutable stored file by a hard link, or copy it where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold the lock on ``lock_file`` against other threads and other processes."""
    key = str(lock_file.resolve())
    with _THREAD_LOCKS_GUARD:
        thread_lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    with thread_lock:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_file, "a+b") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
