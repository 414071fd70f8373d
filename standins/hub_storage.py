"""The local Hub stand-in's storage: users, tokens and git-like repos in a plain folder.

Everything lives under one root folder that a test (or a curious person) can inspect::

    <root>/users.json                          users and their tokens (role "read" or "write")
    <root>/models/<owner>/<name>/repo.json     private, gated, granted users, creation date
    <root>/models/<owner>/<name>/refs.json     {"branches": {"main": oid}, "tags": {...}}
    <root>/models/<owner>/<name>/commits/<oid>/commit.json   oid, parents, title, date, file list
    <root>/models/<owner>/<name>/commits/<oid>/files/...     the full snapshot at that commit
    <root>/datasets/<owner>/<name>/...         the same for dataset repos

A commit is built in a temporary folder, renamed into ``commits/`` in one step, and only then
does the branch in ``refs.json`` (replaced atomically) point at it: a reader sees the whole
commit or none of it. Commits to one repo take a lock (a thread lock plus ``flock`` on the
repo's ``.lock`` file), so two processes committing at once both land, one after the other.
Unchanged files are hard-linked from the parent commit, so a commit costs only what it adds.

Seeding code uses this module directly (``HubStorage``); ``standins.hub_server`` serves it
over HTTP to huggingface_hub, transformers, peft and datasets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:  # a lock that other processes see too; without it (Windows) only threads are serialised
    import fcntl
except ImportError:  # pragma: no cover - the course runs on Linux (Colab, CI)
    fcntl = None  # type: ignore[assignment]

REPO_TYPES: tuple[str, ...] = ("model", "dataset")
ROLES: tuple[str, ...] = ("read", "write")
DEFAULT_BRANCH = "main"
OID_RE = re.compile(r"[0-9a-f]{40}")
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
_BRANCH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")

# What the real Hub puts in a new repo's first commit (shortened: no file is ever LFS here).
GITATTRIBUTES = (
    "*.bin filter=lfs diff=lfs merge=lfs -text\n"
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.pt filter=lfs diff=lfs merge=lfs -text\n"
    "*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    "*.zip filter=lfs diff=lfs merge=lfs -text\n"
)

Content = bytes | os.PathLike  # a file's bytes, or a local file (a Path) to copy


# ---- errors: each one knows the HTTP status and X-Error-Code the real Hub answers with ----


class HubError(Exception):
    """A request the Hub refuses; ``status`` and ``code`` are what the server answers."""

    status = 400
    code: str | None = None


class BadRequest(HubError):
    status = 400


class RepoNotFound(HubError):
    status = 404
    code = "RepoNotFound"


class RevisionNotFound(HubError):
    status = 404
    code = "RevisionNotFound"


class EntryNotFound(HubError):
    status = 404
    code = "EntryNotFound"


class Conflict(HubError):
    status = 409


class PreconditionFailed(HubError):
    status = 412


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


# ---- helpers ------------------------------------------------------------------------------


def git_blob_oid(data: bytes) -> str:
    """The git blob id of some bytes: what the Hub sends as a regular file's ETag."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git LFS pointer file that stands in git for an LFS object."""
    return (
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()
    )


def _file_blob_oid(path: Path) -> tuple[int, str]:
    size = path.stat().st_size
    digest = hashlib.sha1(b"blob %d\0" % size)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return size, digest.hexdigest()


def now_iso() -> str:
    """The current time the way the Hub writes dates: 2024-09-13T13:04:39.000Z."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _write_json(path: Path, payload: Any) -> None:
    """Write JSON through a temporary file in the same folder, then replace: never half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def check_repo_id(repo_id: str) -> tuple[str, str]:
    """``owner/name`` split in two, or BadRequest saying what a repo id looks like."""
    parts = repo_id.split("/") if isinstance(repo_id, str) else []
    if len(parts) != 2 or not all(_NAME_RE.fullmatch(p) and ".." not in p for p in parts):
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


_THREAD_LOCKS: dict[str, threading.Lock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
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


# ---- the storage --------------------------------------------------------------------------


class HubStorage:
    """Users, tokens and repos of the local Hub stand-in, kept in the folder ``root``.

    Seeding code calls it directly; the HTTP server (``standins.hub_server``) answers
    clients from it. Several processes may share one root: every change is atomic on disk.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._cache_lock = threading.Lock()
        self._commits: dict[tuple[str, str], Commit] = {}  # immutable, so cached forever
        self._users_cache: tuple[tuple[int, int], dict[str, Any]] | None = None
        self.commit_delay = 0.0  # seconds a commit holds the repo lock before it lands (tests)

    # ---- users and tokens -----------------------------------------------------------------

    @property
    def _users_file(self) -> Path:
        return self.root / "users.json"

    def _users(self) -> dict[str, Any]:
        try:
            stat = self._users_file.stat()
        except FileNotFoundError:
            return {"users": {}, "tokens": {}}
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._users_cache
        if cached is not None and cached[0] == stamp:
            return cached[1]
        data = _read_json(self._users_file)
        self._users_cache = (stamp, data)
        return data

    def add_user(
        self,
        name: str,
        token: str | None = None,
        role: str = "write",
        fullname: str | None = None,
        token_name: str | None = None,
    ) -> None:
        """Create user ``name`` (if new) and give it ``token`` with ``role`` "read" or "write"."""
        if not _NAME_RE.fullmatch(name):
            raise BadRequest(f"Invalid user name {name!r}")
        if role not in ROLES:
            raise BadRequest(f"Invalid token role {role!r}: choose from {ROLES}")
        with _locked(self.root / ".users.lock"):
            data = json.loads(json.dumps(self._users()))  # a private copy to change
            data["users"].setdefault(name, {"fullname": fullname or name})
            if fullname:
                data["users"][name]["fullname"] = fullname
            if token is not None:
                owner = data["tokens"].get(token, {}).get("user")
                if owner not in (None, name):
                    raise Conflict(f"That token already belongs to user {owner!r}")
                data["tokens"][token] = {
                    "user": name,
                    "role": role,
                    "name": token_name or f"{name}-{role}",
                    "createdAt": now_iso(),
                }
            _write_json(self._users_file, data)

    def token_info(self, token: str) -> dict[str, Any] | None:
        """{"user", "role", "name", "createdAt"} for a known token, else None."""
        info = self._users()["tokens"].get(token)
        return dict(info) if info else None

    def user_info(self, name: str) -> dict[str, Any] | None:
        info = self._users()["users"].get(name)
        return dict(info) if info else None

    # ---- repos ----------------------------------------------------------------------------

    def _repo_dir(self, repo_id: str, repo_type: str) -> Path:
        owner, name = check_repo_id(repo_id)
        return self.root / f"{check_repo_type(repo_type)}s" / owner / name

    def repo(self, repo_id: str, *, repo_type: str = "model") -> Repo:
        """The repo, or RepoNotFound."""
        path = self._repo_dir(repo_id, repo_type)
        try:
            meta = _read_json(path / "repo.json")
        except FileNotFoundError:
            raise RepoNotFound(f"Repository {repo_type}s/{repo_id} not found") from None
        return Repo(
            id=repo_id,
            type=repo_type,
            private=bool(meta.get("private", False)),
            gated=meta.get("gated", False) or False,
            granted=tuple(meta.get("granted", [])),
            created_at=meta.get("createdAt", ""),
            path=path,
        )

    def repo_exists(self, repo_id: str, *, repo_type: str = "model") -> bool:
        try:
            self.repo(repo_id, repo_type=repo_type)
        except RepoNotFound:
            return False
        return True

    def list_repos(self, *, repo_type: str = "model") -> list[str]:
        base = self.root / f"{check_repo_type(repo_type)}s"
        return sorted(
            f"{p.parent.name}/{p.name}"
            for p in base.glob("*/*")
            if not p.name.startswith(".") and (p / "repo.json").is_file()
        )

    def create_repo(
        self,
        repo_id: str,
        *,
        repo_type: str = "model",
        private: bool = False,
        gated: bool | str = False,
        exist_ok: bool = False,
        author: str | None = None,
    ) -> Repo:
        """Create a repo with the Hub's first commit (a .gitattributes file) on ``main``.

        ``gated``: False, True (= "manual", like meta-llama's), "auto" or "manual".
        An existing repo raises Conflict unless ``exist_ok``.
        """
        gated_value = _gated_value(gated)
        final = self._repo_dir(repo_id, repo_type)
        if (final / "repo.json").is_file():
            if exist_ok:
                return self.repo(repo_id, repo_type=repo_type)
            raise Conflict(f"You already created this {repo_type} repo: {repo_id}")
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex}"
        created = now_iso()
        try:
            (tmp / "commits").mkdir(parents=True)
            meta = {
                "private": bool(private),
                "gated": gated_value,
                "granted": [],
                "createdAt": created,
            }
            _write_json(tmp / "repo.json", meta)
            oid = _new_oid("initial", repo_id, created)
            data = GITATTRIBUTES.encode()
            snapshot = tmp / "commits" / oid
            (snapshot / "files").mkdir(parents=True)
            (snapshot / "files" / ".gitattributes").write_bytes(data)
            record = {
                "oid": oid,
                "parents": [],
                "title": "initial commit",
                "message": "",
                "author": author or repo_id.split("/")[0],
                "date": created,
                "files": {".gitattributes": {"size": len(data), "oid": git_blob_oid(data)}},
            }
            _write_json(snapshot / "commit.json", record)
            _write_json(tmp / "refs.json", {"branches": {DEFAULT_BRANCH: oid}, "tags": {}})
            try:
                os.rename(tmp, final)  # one step: the repo exists whole, or not at all
            except OSError:
                if exist_ok:
                    return self.repo(repo_id, repo_type=repo_type)
                raise Conflict(f"You already created this {repo_type} repo: {repo_id}") from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return self.repo(repo_id, repo_type=repo_type)

    def delete_repo(self, repo_id: str, *, repo_type: str = "model") -> None:
        repo = self.repo(repo_id, repo_type=repo_type)
        trash = repo.path.parent / f".trash-{repo.path.name}-{uuid.uuid4().hex}"
        with _locked(self._lock_file(repo)):
            os.rename(repo.path, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def update_repo(
        self,
        repo_id: str,
        *,
        repo_type: str = "model",
        private: bool | None = None,
        gated: bool | str | None = None,
    ) -> Repo:
        """Change a repo's visibility or gating."""
        repo = self.repo(repo_id, repo_type=repo_type)
        with _locked(self._lock_file(repo)):
            meta = _read_json(repo.path / "repo.json")
            if private is not None:
                meta["private"] = bool(private)
            if gated is not None:
                meta["gated"] = _gated_value(gated)
            _write_json(repo.path / "repo.json", meta)
        return self.repo(repo_id, repo_type=repo_type)

    def grant(self, repo_id: str, user: str, *, repo_type: str = "model") -> None:
        """Give ``user`` access to a gated repo (as accepting its licence does)."""
        repo = self.repo(repo_id, repo_type=repo_type)
        with _locked(self._lock_file(repo)):
            meta = _read_json(repo.path / "repo.json")
            if user not in meta.setdefault("granted", []):
                meta["granted"].append(user)
            _write_json(repo.path / "repo.json", meta)

    # ---- revisions ------------------------------------------------------------------------

    @staticmethod
    def _lock_file(repo: Repo) -> Path:
        return repo.path.parent / f".{repo.path.name}.lock"

    def refs(self, repo_id: str, *, repo_type: str = "model") -> dict[str, dict[str, str]]:
        """{"branches": {name: oid}, "tags": {name: oid}}."""
        return self._refs(self.repo(repo_id, repo_type=repo_type))

    @staticmethod
    def _refs(repo: Repo) -> dict[str, dict[str, str]]:
        refs = _read_json(repo.path / "refs.json")
        refs.setdefault("branches", {})
        refs.setdefault("tags", {})
        return refs

    def resolve(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> str:
        """The commit oid a branch, tag or full commit id names, or RevisionNotFound."""
        return self._resolve(self.repo(repo_id, repo_type=repo_type), revision)

    def _resolve(self, repo: Repo, revision: str | None) -> str:
        revision = revision or DEFAULT_BRANCH
        refs = self._refs(repo)
        name = revision[len("refs/heads/") :] if revision.startswith("refs/heads/") else revision
        if name in refs["branches"]:
            return refs["branches"][name]
        tag = revision[len("refs/tags/") :] if revision.startswith("refs/tags/") else revision
        if tag in refs["tags"]:
            return refs["tags"][tag]
        if (
            OID_RE.fullmatch(revision)
            and (repo.path / "commits" / revision / "commit.json").is_file()
        ):
            return revision
        raise RevisionNotFound(f"Invalid rev id: {revision}")

    def commit_info(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> Commit:
        """The commit at a revision (branch, tag or commit id)."""
        repo = self.repo(repo_id, repo_type=repo_type)
        return self._commit(repo, self._resolve(repo, revision))

    def _commit(self, repo: Repo, oid: str) -> Commit:
        key = (str(repo.path), oid)
        with self._cache_lock:
            cached = self._commits.get(key)
        if cached is not None:
            return cached
        try:
            record = _read_json(repo.path / "commits" / oid / "commit.json")
        except FileNotFoundError:
            raise RevisionNotFound(f"Invalid rev id: {oid}") from None
        commit = Commit(
            oid=record["oid"],
            parents=tuple(record.get("parents", [])),
            title=record.get("title", ""),
            message=record.get("message", ""),
            author=record.get("author", ""),
            date=record.get("date", ""),
            files={
                p: FileEntry(int(f["size"]), f["oid"], f.get("lfs"))
                for p, f in record["files"].items()
            },
        )
        with self._cache_lock:
            if len(self._commits) > 4096:
                self._commits.clear()
            self._commits[key] = commit
        return commit

    def history(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> list[Commit]:
        """Commits from ``revision`` back to the first one, newest first."""
        repo = self.repo(repo_id, repo_type=repo_type)
        return list(self._history(repo, self._resolve(repo, revision)))

    def _history(self, repo: Repo, oid: str) -> Iterator[Commit]:
        seen: set[str] = set()
        while oid and oid not in seen:
            seen.add(oid)
            commit = self._commit(repo, oid)
            yield commit
            oid = commit.parents[0] if commit.parents else ""

    def create_branch(
        self, repo_id: str, branch: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> str:
        """Create ``branch`` at ``revision`` (default: main's head); Conflict if it exists."""
        return self._set_ref(repo_id, repo_type, "branches", branch, revision, create=True)

    def delete_branch(self, repo_id: str, branch: str, *, repo_type: str = "model") -> None:
        if branch == DEFAULT_BRANCH:
            raise BadRequest("Cannot delete the default branch 'main'")
        self._delete_ref(repo_id, repo_type, "branches", branch)

    def create_tag(
        self, repo_id: str, tag: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> str:
        return self._set_ref(repo_id, repo_type, "tags", tag, revision, create=True)

    def delete_tag(self, repo_id: str, tag: str, *, repo_type: str = "model") -> None:
        self._delete_ref(repo_id, repo_type, "tags", tag)

    def _set_ref(
        self, repo_id: str, repo_type: str, kind: str, name: str, revision: str | None, create: bool
    ) -> str:
        repo = self.repo(repo_id, repo_type=repo_type)
        check_branch(name)
        with _locked(self._lock_file(repo)):
            refs = self._refs(repo)
            if create and (name in refs["branches"] or name in refs["tags"]):
                raise Conflict(f"Reference already exists: {name}")
            oid = self._resolve(repo, revision)
            refs[kind][name] = oid
            _write_json(repo.path / "refs.json", refs)
        return oid

    def _delete_ref(self, repo_id: str, repo_type: str, kind: str, name: str) -> None:
        repo = self.repo(repo_id, repo_type=repo_type)
        with _locked(self._lock_file(repo)):
            refs = self._refs(repo)
            if name not in refs[kind]:
                raise RevisionNotFound(f"Invalid rev id: {name}")
            del refs[kind][name]
            _write_json(repo.path / "refs.json", refs)

    # ---- files ----------------------------------------------------------------------------

    def list_files(
        self, repo_id: str, *, repo_type: str = "model", revision: str | None = None
    ) -> list[str]:
        """Every file path at a revision, sorted."""
        return sorted(self.commit_info(repo_id, revision=revision, repo_type=repo_type).files)

    def snapshot_path(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> Path:
        """The folder holding the repo's files at a revision (read it; never change it)."""
        repo = self.repo(repo_id, repo_type=repo_type)
        return repo.path / "commits" / self._resolve(repo, revision) / "files"

    def file_path(
        self, repo_id: str, path: str, *, repo_type: str = "model", revision: str | None = None
    ) -> Path:
        """The stored file for ``path`` at a revision, or EntryNotFound."""
        repo = self.repo(repo_id, repo_type=repo_type)
        commit = self._commit(repo, self._resolve(repo, revision))
        if path not in commit.files:
            raise EntryNotFound(f"{path} does not exist at revision {commit.oid}")
        return repo.path / "commits" / commit.oid / "files" / path

    def read(
        self, repo_id: str, path: str, *, repo_type: str = "model", revision: str | None = None
    ) -> bytes:
        """A file's bytes at a revision."""
        return self.file_path(repo_id, path, repo_type=repo_type, revision=revision).read_bytes()

    # ---- Git LFS objects ------------------------------------------------------------------

    @staticmethod
    def _lfs_path(repo: Repo, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
            raise BadRequest(f"Invalid LFS object id {sha256!r}: expected a sha256 in hex")
        return repo.path / "lfs" / sha256

    def has_lfs(self, repo_id: str, sha256: str, *, repo_type: str = "model") -> bool:
        """Whether an LFS object with this sha256 was uploaded to the repo."""
        return self._lfs_path(self.repo(repo_id, repo_type=repo_type), sha256).is_file()

    def put_lfs(
        self, repo_id: str, sha256: str, size: int, data: bytes, *, repo_type: str = "model"
    ) -> None:
        """Store an uploaded LFS object after checking its size and sha256."""
        repo = self.repo(repo_id, repo_type=repo_type)
        final = self._lfs_path(repo, sha256)
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            raise BadRequest(
                f"The uploaded content does not match LFS object {sha256} ({size} bytes)"
            )
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.with_name(f".{sha256}.{uuid.uuid4().hex}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)

    def commit(
        self,
        repo_id: str,
        files: Mapping[str, Content] | None = None,
        *,
        repo_type: str = "model",
        message: str = "Upload files",
        description: str = "",
        revision: str = DEFAULT_BRANCH,
        delete: Iterable[str] = (),
        operations: Iterable[Add | AddLfs | Delete] = (),
        parent_commit: str | None = None,
        oid: str | None = None,
        author: str = "system",
        date: str | None = None,
    ) -> str:
        """Apply ``operations``, then deletions, then ``files`` as ONE commit on branch ``revision``.

        ``files`` maps a path in the repo to bytes or a local file (a Path). ``oid`` gives the new
        commit a chosen id (40 hex digits, e.g. a published revision); by default one is made
        up. ``parent_commit`` (a commit id or its first 5+ digits) makes the commit fail with
        PreconditionFailed if the branch has moved. Returns the new commit's id.
        """
        ops: list[Add | AddLfs | Delete] = list(operations)
        ops += [Delete(path) for path in delete]
        ops += [Add(path, content) for path, content in (files or {}).items()]
        repo = self.repo(repo_id, repo_type=repo_type)
        if oid is not None and not OID_RE.fullmatch(oid):
            raise BadRequest(f"Invalid commit id {oid!r}: expected 40 lower-case hex digits")
        for op in ops:
            check_path(op.path.rstrip("/") if isinstance(op, Delete) and op.folder else op.path)
            if isinstance(op, Add) and not isinstance(
                op.content, (bytes, bytearray, memoryview, os.PathLike)
            ):
                raise BadRequest(
                    f"Content for {op.path!r} is a {type(op.content).__name__}: give bytes (for "
                    "text, .encode() it) or a pathlib.Path of a local file"
                )
        with _locked(self._lock_file(repo)):
            refs = self._refs(repo)
            branch = (
                revision[len("refs/heads/") :] if revision.startswith("refs/heads/") else revision
            )
            if branch not in refs["branches"]:
                if OID_RE.fullmatch(branch) or branch in refs["tags"]:
                    raise BadRequest(f"Cannot commit to {revision!r}: commits go on a branch")
                raise RevisionNotFound(f"Invalid rev id: {revision}")
            head = refs["branches"][branch]
            if parent_commit and not head.startswith(parent_commit.lower()):
                raise PreconditionFailed(
                    f"A commit has happened since {parent_commit} on {branch} (now {head}): "
                    "refresh and try again"
                )
            parent = self._commit(repo, head)
            new_oid = oid or _new_oid(head, repo_id, message, uuid.uuid4().hex)
            final = repo.path / "commits" / new_oid
            if final.exists():
                raise Conflict(f"Commit {new_oid} already exists in {repo_id}")
            entries = self._apply(repo, parent, ops)
            when = date or now_iso()
            tmp = repo.path / "commits" / f".tmp-{uuid.uuid4().hex}"
            try:
                record_files = self._write_snapshot(repo, parent, entries, tmp / "files")
                record = {
                    "oid": new_oid,
                    "parents": [head],
                    "title": message,
                    "message": description,
                    "author": author,
                    "date": when,
                    "files": record_files,
                }
                _write_json(tmp / "commit.json", record)
                if self.commit_delay:
                    time.sleep(self.commit_delay)
                os.rename(tmp, final)  # the commit exists whole...
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            refs["branches"][branch] = new_oid
            _write_json(repo.path / "refs.json", refs)  # ...and only now does the branch move
        return new_oid

    def _apply(
        self, repo: Repo, parent: Commit, ops: list[Add | AddLfs | Delete]
    ) -> dict[str, Content | _LfsBlob | None]:
        """The new file set: path -> new content, or None to keep the parent's file."""
        entries: dict[str, Content | _LfsBlob | None] = {path: None for path in parent.files}
        for op in ops:
            if isinstance(op, Add):
                entries[op.path] = op.content
            elif isinstance(op, AddLfs):
                blob = self._lfs_path(repo, op.sha256)
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

    @staticmethod
    def _write_snapshot(
        repo: Repo, parent: Commit, entries: dict[str, Content | _LfsBlob | None], target: Path
    ) -> dict[str, dict[str, Any]]:
        record: dict[str, dict[str, Any]] = {}
        source = repo.path / "commits" / parent.oid / "files"
        for path, content in sorted(entries.items()):
            dest = target / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            if content is None:  # unchanged: share the parent's (immutable) file
                try:
                    os.link(source / path, dest)
                except OSError:
                    shutil.copyfile(source / path, dest)
                entry = parent.files[path]
                record[path] = {"size": entry.size, "oid": entry.oid}
                if entry.lfs:
                    record[path]["lfs"] = entry.lfs
                continue
            if isinstance(content, _LfsBlob):  # stored once per repo, shared by every commit
                try:
                    os.link(content.path, dest)
                except OSError:
                    shutil.copyfile(content.path, dest)
                size = dest.stat().st_size
                oid = git_blob_oid(lfs_pointer(content.sha256, size))
                record[path] = {"size": size, "oid": oid, "lfs": content.sha256}
                continue
            if isinstance(content, (bytes, bytearray, memoryview)):
                data = bytes(content)
                dest.write_bytes(data)
                record[path] = {"size": len(data), "oid": git_blob_oid(data)}
            else:
                shutil.copyfile(os.fspath(content), dest)
                size, oid = _file_blob_oid(dest)
                record[path] = {"size": size, "oid": oid}
        return record


@dataclass(frozen=True)
class _LfsBlob:
    path: Path
    sha256: str


def _gated_value(gated: bool | str) -> str | bool:
    if gated is True:
        return "manual"
    if gated in (False, None, "false", "False"):
        return False
    if gated in ("auto", "manual"):
        return gated
    raise BadRequest(f"Invalid gated value {gated!r}: choose False, True, 'auto' or 'manual'")


def _new_oid(*parts: object) -> str:
    text = "\x1f".join(str(p) for p in parts) + f"\x1f{time.time_ns()}"
    return hashlib.sha1(text.encode()).hexdigest()
