"""What the Hub stand-in stores, and the rules for its names: repos, commits, files, operations.

The records are frozen dataclasses read from the storage folder (``standins.hub_storage``);
the checks turn a bad repo id, path or branch name into ``BadRequest`` saying what is wrong;
the ids are computed as git and the Hub compute them (blob ids, LFS pointers, dates).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .hub_errors import BadRequest

REPO_TYPES: tuple[str, ...] = ("model", "dataset")
ROLES: tuple[str, ...] = ("read", "write")
DEFAULT_BRANCH = "main"
OID_RE = re.compile(r"[0-9a-f]{40}")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
_BRANCH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")

# What the real Hub puts in a new repo's first commit (shortened).
GITATTRIBUTES = (
    "*.bin filter=lfs diff=lfs merge=lfs -text\n"
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.pt filter=lfs diff=lfs merge=lfs -text\n"
    "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    "*.zip filter=lfs diff=lfs merge=lfs -text\n"
)

Content = bytes | os.PathLike  # a file's bytes, or a local file (a Path) to copy


# ---- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    """One file of a commit: its size and git blob id (what the Hub calls its oid).

    ``lfs`` is the sha256 of a file that was uploaded through Git LFS (its git blob is then
    the LFS pointer, as on the Hub), else None.
    """

    size: int
    oid: str
    lfs: str | None = None


@dataclass(frozen=True)
class Commit:
    oid: str
    parents: tuple[str, ...]
    title: str
    message: str
    author: str
    date: str
    files: Mapping[str, FileEntry] = field(repr=False)


@dataclass(frozen=True)
class Repo:
    id: str
    type: str
    private: bool
    gated: str | bool  # False, "auto" or "manual", as the Hub reports it
    granted: tuple[str, ...]
    created_at: str
    path: Path = field(repr=False)

    @property
    def owner(self) -> str:
        return self.id.split("/", 1)[0]

    def snapshot(self, oid: str) -> Path:
        """The folder holding every file of commit ``oid``."""
        return self.path / "commits" / oid / "files"


@dataclass(frozen=True)
class Add:
    """Add or replace a file: ``content`` is its bytes, or a local file (a Path) to copy."""

    path: str
    content: Content


@dataclass(frozen=True)
class AddLfs:
    """Add a file whose content was uploaded before through Git LFS (``put_lfs``)."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Delete:
    """Delete a file, or with ``folder=True`` every file under a folder."""

    path: str
    folder: bool = False


Operation = Add | AddLfs | Delete


# ---- ids ----------------------------------------------------------------------------------


def git_blob_oid(data: bytes) -> str:
    """The git blob id of some bytes: what the Hub sends as a regular file's ETag."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def file_blob_oid(path: Path) -> tuple[int, str]:
    """The size and git blob id of a local file, read in blocks."""
    size = path.stat().st_size
    digest = hashlib.sha1(b"blob %d\0" % size)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return size, digest.hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git LFS pointer file that stands in git for an LFS object."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def new_oid(*parts: object) -> str:
    """A fresh commit id, made from ``parts`` and the time."""
    text = "\x1f".join(str(p) for p in parts) + f"\x1f{time.time_ns()}"
    return hashlib.sha1(text.encode()).hexdigest()


def now_iso() -> str:
    """The current time the way the Hub writes dates: 2024-09-13T13:04:39.000Z."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


# ---- checks -------------------------------------------------------------------------------


def check_repo_id(repo_id: str) -> tuple[str, str]:
    """``owner/name`` split in two, or BadRequest saying what a repo id looks like."""
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2 or not all(NAME_RE.fullmatch(p) and ".." not in p for p in parts):
        raise BadRequest(
            f"Invalid repo id {repo_id!r}: expected 'owner/name' (letters, digits, . _ -)"
        )
    return parts[0], parts[1]


def check_repo_type(repo_type: str | None) -> str:
    repo_type = repo_type or "model"
    if repo_type not in REPO_TYPES:
        raise BadRequest(f"Invalid repo type {repo_type!r}: this Hub stand-in serves {REPO_TYPES}")
    return repo_type


def check_path(path: str) -> str:
    """A file path inside a repo, or BadRequest (no leading '/', no '..', no '.git/')."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path:
        raise BadRequest(f"Invalid path in repo {path!r}")
    parts = path.split("/")
    if any(p in ("", ".", "..") for p in parts) or parts[0] == ".git" or "\0" in path:
        raise BadRequest(f"Invalid path in repo {path!r}")
    return path


def check_branch(name: str) -> str:
    if (
        not isinstance(name, str)
        or not _BRANCH_RE.fullmatch(name)
        or ".." in name
        or name.startswith("refs/")
        or name.endswith(("/", ".lock"))
        or "//" in name
        or OID_RE.fullmatch(name)
    ):
        raise BadRequest(f"Invalid branch or tag name {name!r}")
    return name


def check_sha256(sha256: str) -> str:
    if not _SHA256_RE.fullmatch(sha256 or ""):
        raise BadRequest(f"Invalid LFS object id {sha256!r}: expected a sha256 in hex")
    return sha256


def gated_value(gated: bool | str | None) -> str | bool:
    """How the Hub reports gating: False, "auto" or "manual" (True means "manual")."""
    if gated is True:
        return "manual"
    if gated in (False, None, "false", "False"):
        return False
    if gated in ("auto", "manual"):
        return gated
    raise BadRequest(f"Invalid gated value {gated!r}: choose False, True, 'auto' or 'manual'")


def folder_files(folder: str | os.PathLike, prefix: str = "") -> dict[str, Path]:
    """Every file under ``folder`` as {path in repo: local path}, ready for ``HubStorage.commit``.

    ``prefix`` is the folder in the repo to put them under ("" = the repo root).
    """
    base = Path(folder)
    prefix = prefix.strip("/")
    out: dict[str, Path] = {}
    for path in sorted(base.rglob("*")):
        if path.is_file():
            rel = path.relative_to(base).as_posix()
            out[f"{prefix}/{rel}" if prefix else rel] = path
    return out
