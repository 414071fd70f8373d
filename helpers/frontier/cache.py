"""Every good reply on disk, so a re-run, or a run resumed after a crash, pays nothing twice.

One JSON file per reply, named by a hash of what determines the reply (endpoint, model,
messages, request parameters; never the key). Only replies that held an answer are stored:
an empty reply or one with no price is retried, never cached. A file is written to a
temporary name in the same folder and renamed into place, so a killed run leaves either the
whole entry or none; a leftover temporary file from a killed writer is swept away later.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import settings
from ..files import sweep_orphans, write_text_atomically


def cache_key(
    base_url: str, model: str, messages: Sequence[Mapping[str, Any]], params: Mapping[str, Any]
) -> str:
    """sha256 of a canonical JSON of what determines a reply (the API key is never part of it).

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """
    canonical = json.dumps(
        {
            "base_url": base_url.rstrip("/"),
            "model": model,
            "messages": list(messages),
            "params": dict(params),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_entry(
    request: Mapping[str, Any], reply: str, usage: tuple[int, int], stand_in: bool
) -> dict[str, Any]:
    """What is stored for one good reply: the request (never the key), the reply, its tokens,
    whether a stand-in gave it, and when. Used by `helpers.frontier.client`."""
    return {
        "request": dict(request),
        "reply": reply,
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1]},
        "stand_in": stand_in,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


class ReplyCache:
    """One JSON file per reply under ``directory``; a bad file is a miss, fetched again.

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.directory = (
            Path(directory) if directory is not None else settings().root / "cache" / "frontier"
        )
        self.corrupt = 0
        self._lock = threading.Lock()
        self._swept = False

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def _read(self, key: str) -> dict[str, Any] | None | bool:
        """The entry, None if absent, False if present but unreadable."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError):
            return False
        if not isinstance(entry, dict) or not isinstance(entry.get("reply"), str):
            return False
        return entry

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None (absent, or unreadable: counted, warned, asked again)."""
        entry = self._read(key)
        if entry is False:
            self.count_bad(f"Ignoring a corrupt cache entry {self.path(key).name}; asking again.")
            return None
        return entry  # type: ignore[return-value]

    def count_bad(self, message: str) -> None:
        """Count an entry that cannot be used (corrupt, or an answer that no longer passes)."""
        with self._lock:
            self.corrupt += 1
        warnings.warn(message, stacklevel=3)

    def __contains__(self, key: str) -> bool:
        return isinstance(self._read(key), dict)

    def put(self, key: str, entry: Mapping[str, Any]) -> None:
        """Store one entry atomically (and, once, sweep temporary files of killed writers).

        A failed write (a full disk) is warned about, not raised: the answer it holds was
        paid for and is used all the same.
        """
        try:
            if not self._swept:
                self._swept = True
                sweep_orphans(self.directory)  # any killed writer's, of any reply
            write_text_atomically(self.path(key), json.dumps(entry, ensure_ascii=False, indent=1))
        except OSError as error:
            warnings.warn(
                f"Could not cache a reply ({error}); it is used all the same.", stacklevel=2
            )
