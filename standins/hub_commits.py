"""How a commit is written: built whole in a temporary folder, then renamed into place.

A commit is a folder ``commits/<oid>/`` holding ``commit.json`` (oid, parents, title, date,
file list) and ``files/``, the full snapshot. It is built next to its final place and renamed
in one step, so a reader sees the whole commit or none of it. Unchanged files are hard-linked
from the parent commit and LFS objects from the repo's ``lfs/`` store, so a commit costs only
what it adds.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .hub_disk import link_or_copy, read_json, write_json
from .hub_errors import BadRequest, Conflict, EntryNotFound, RevisionNotFound
from .hub_records import (
    Add,
    AddLfs,
    Commit,
    Content,
    Delete,
    FileEntry,
    Operation,
    Repo,
    check_path,
    check_sha256,
    file_blob_oid,
    git_blob_oid,
    lfs_pointer,
)


@dataclass(frozen=True)
class _LfsBlob:
    path: Path
    sha256: str


Entries = dict[str, Content | _LfsBlob | None]  # path -> new content, None: the parent's file


def lfs_object(repo: Repo, sha256: str) -> Path:
    """Where the repo keeps the LFS object with this sha256."""
    return repo.path / "lfs" / check_sha256(sha256)


def check_operations(ops: Iterable[Operation]) -> None:
    """BadRequest for a bad path, or content that is neither bytes nor a local file."""
    for op in ops:
        check_path(op.path.rstrip("/") if isinstance(op, Delete) and op.folder else op.path)
        if isinstance(op, Add) and not isinstance(
            op.content, (bytes, bytearray, memoryview, os.PathLike)
        ):
            raise BadRequest(
                f"Content for {op.path!r} is a {type(op.content).__name__}: give bytes (for "
                "text, .encode() it) or a pathlib.Path of a local file"
            )


def read_commit(repo: Repo, oid: str) -> Commit:
    """Commit ``oid`` of ``repo`` from its commit.json, or RevisionNotFound."""
    try:
        record = read_json(repo.path / "commits" / oid / "commit.json")
    except FileNotFoundError:
        raise RevisionNotFound(f"Invalid rev id: {oid}") from None
    return Commit(
        oid=record["oid"],
        parents=tuple(record.get("parents", [])),
        title=record.get("title", ""),
        message=record.get("message", ""),
        author=record.get("author", ""),
        date=record.get("date", ""),
        files={
            p: FileEntry(int(f["size"]), f["oid"], f.get("lfs")) for p, f in record["files"].items()
        },
    )


def write_commit(
    target: Path,
    entries: Entries,
    *,
    oid: str,
    parents: Sequence[str],
    title: str,
    message: str,
    author: str,
    date: str,
    parent: Commit | None = None,
    parent_files: Path | None = None,
) -> None:
    """Write commit ``oid`` into the new folder ``target``: its snapshot and its commit.json.

    Entries that are None are the ``parent``'s files, found in ``parent_files``.
    """
    (target / "files").mkdir(parents=True, exist_ok=True)
    record = {
        "oid": oid,
        "parents": list(parents),
        "title": title,
        "message": message,
        "author": author,
        "date": date,
        "files": _write_snapshot(entries, target / "files", parent, parent_files),
    }
    write_json(target / "commit.json", record)


def land_commit(
    repo: Repo,
    parent: Commit,
    ops: Sequence[Operation],
    *,
    oid: str,
    title: str,
    message: str,
    author: str,
    date: str,
    delay: float = 0.0,
) -> None:
    """Write commit ``oid`` on top of ``parent`` (the caller holds the repo's lock).

    ``delay``: seconds to wait before the commit lands (tests use it to widen races).
    """
    final = repo.path / "commits" / oid
    if final.exists():
        raise Conflict(f"Commit {oid} already exists in {repo.id}")
    entries = _new_files(repo, parent, ops)
    tmp = repo.path / "commits" / f".tmp-{uuid.uuid4().hex}"
    try:
        write_commit(
            tmp,
            entries,
            oid=oid,
            parents=[parent.oid],
            title=title,
            message=message,
            author=author,
            date=date,
            parent=parent,
            parent_files=repo.snapshot(parent.oid),
        )
        if delay:
            time.sleep(delay)
        os.rename(tmp, final)  # the commit exists whole, or not at all
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _new_files(repo: Repo, parent: Commit, ops: Sequence[Operation]) -> Entries:
    """The new file set: path -> new content, or None to keep the parent's file."""
    entries: Entries = {path: None for path in parent.files}
    for op in ops:
        if isinstance(op, Add):
            entries[op.path] = op.content
        elif isinstance(op, AddLfs):
            blob = lfs_object(repo, op.sha256)
            if not blob.is_file():
                raise BadRequest(f"LFS object {op.sha256} for {op.path} was never uploaded")
            entries[op.path] = _LfsBlob(blob, op.sha256)
        elif op.folder:
            prefix = op.path.rstrip("/") + "/"
            doomed = [p for p in entries if p.startswith(prefix)]
            if not doomed:
                raise EntryNotFound(f"A folder with this name doesn't exist: {op.path}")
            for path in doomed:
                del entries[path]
        else:
            if op.path not in entries:
                raise EntryNotFound(f"A file with this name doesn't exist: {op.path}")
            del entries[op.path]
    for path in entries:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in entries:
                raise BadRequest(f"{folder!r} is a file, so {path!r} cannot be under it")
    return entries


def _write_snapshot(
    entries: Entries, target: Path, parent: Commit | None, parent_files: Path | None
) -> dict[str, dict[str, Any]]:
    """Put every file of the new commit under ``target``; its file list for commit.json."""
    record: dict[str, dict[str, Any]] = {}
    for path, content in sorted(entries.items()):
        dest = target / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        if content is None:  # unchanged: share the parent's (immutable) file
            assert parent is not None and parent_files is not None
            link_or_copy(parent_files / path, dest)
            entry = parent.files[path]
            record[path] = {"size": entry.size, "oid": entry.oid}
            if entry.lfs:
                record[path]["lfs"] = entry.lfs
        elif isinstance(content, _LfsBlob):  # stored once per repo, shared by every commit
            link_or_copy(content.path, dest)
            size = dest.stat().st_size
            oid = git_blob_oid(lfs_pointer(content.sha256, size))
            record[path] = {"size": size, "oid": oid, "lfs": content.sha256}
        elif isinstance(content, (bytes, bytearray, memoryview)):
            data = bytes(content)
            dest.write_bytes(data)
            record[path] = {"size": len(data), "oid": git_blob_oid(data)}
        else:
            shutil.copyfile(os.fspath(content), dest)
            size, oid = file_blob_oid(dest)
            record[path] = {"size": size, "oid": oid}
    return record
