"""How clients read files from the Hub stand-in, as from the real Hub.

``HEAD``/``GET /{id}/resolve/{rev}/{path}`` answers a 307 to ``/api/resolve-cache/...`` pinned
at the commit; that URL answers with X-Repo-Commit, ETag (the git blob id, or the LFS sha256),
Content-Length, Accept-Ranges, and serves byte ranges (206, or 416 past the end).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .background_server import Reply
from .hub_access import Caller, downloadable
from .hub_errors import BadRequest, EntryNotFound, with_headers
from .hub_records import Commit, FileEntry, Repo
from .hub_storage import HubStorage

_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class Download:
    """A file to stream: ``length`` bytes of ``path`` from ``start``, after these headers."""

    status: int
    path: Path
    start: int
    length: int
    headers: dict[str, str] = field(default_factory=dict)


def _entry(
    storage: HubStorage, repo_type: str, repo_id: str, revision: str, path: str, caller: Caller
) -> tuple[Repo, Commit, FileEntry]:
    """The file ``path`` at ``revision``, if the caller may download it; else an error."""
    repo = downloadable(storage, repo_type, repo_id, caller)
    commit = storage.commit_at(repo, revision)
    entry = commit.files.get(path)
    if entry is None:
        raise with_headers(
            EntryNotFound(f"Entry not found: {path} at revision {commit.oid}"),
            {"X-Repo-Commit": commit.oid},
        )
    return repo, commit, entry


def _linked(entry: FileEntry) -> dict[str, str]:
    """For an LFS file, as the Hub does: the linked object's etag and size."""
    if not entry.lfs:
        return {}
    return {"X-Linked-Etag": f'"{entry.lfs}"', "X-Linked-Size": str(entry.size)}


def resolve(
    storage: HubStorage, repo_type: str, repo_id: str, revision: str, path: str, caller: Caller
) -> Reply:
    """/resolve/{rev}/{path}: a 307 to the pinned /api/resolve-cache URL, as the Hub does."""
    repo, commit, entry = _entry(storage, repo_type, repo_id, revision, path, caller)
    location = (
        f"/api/resolve-cache/{repo_type}s/{quote(repo.id, safe='/')}/{commit.oid}/{quote(path)}"
    )
    headers = {
        "Location": location,
        "X-Repo-Commit": commit.oid,
        "ETag": f'"{entry.oid}"',
        "Accept-Ranges": "bytes",
        "Content-Type": "text/plain; charset=utf-8",
        **_linked(entry),
    }
    return Reply(307, b"", headers)


def download(
    storage: HubStorage,
    repo_type: str,
    repo_id: str,
    revision: str,
    path: str,
    caller: Caller,
    wanted: str | None,
) -> Download | Reply:
    """The file at a pinned revision, whole or the byte range ``wanted`` (a Range header)."""
    repo, commit, entry = _entry(storage, repo_type, repo_id, revision, path, caller)
    size = entry.size
    headers = {
        "Content-Type": mimetypes.guess_type(path)[0] or "application/octet-stream",
        "X-Repo-Commit": commit.oid,
        "ETag": f'"{entry.lfs or entry.oid}"',
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'inline; filename="{quote(path.rsplit("/", 1)[-1])}"',
        **_linked(entry),
    }
    start, end, status = 0, size - 1, 200
    if wanted:
        match = _RANGE_RE.fullmatch(wanted.strip().replace(" ", ""))
        if match is None:
            raise BadRequest(f"Unsupported Range header {wanted!r}")
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            return Reply(416, b"", {**headers, "Content-Range": f"bytes */{size}"})
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    file = repo.snapshot(commit.oid) / path
    return Download(status, file, start, max(0, end - start + 1), headers)
