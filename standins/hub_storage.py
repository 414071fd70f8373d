"""The local Hub stand-in's storage: users, tokens and git-like repos in a plain folder.

Everything lives under one root folder that a test (or a curious person) can inspect::

    <root>/users.json                          users and their tokens (role "read" or "write")
    <root>/models/<owner>/<name>/repo.json     private, gated, granted users, creation date
    <root>/models/<owner>/<name>/refs.json     {"branches": {"main": oid}, "tags": {...}}
    <root>/models/<owner>/<name>/commits/<oid>/commit.json   oid, parents, title, date, file list
    <root>/models/<owner>/<name>/commits/<oid>/files/...     the full snapshot at that commit
    <root>/models/<owner>/<name>/lfs/<sha256>  objects uploaded through Git LFS
    <root>/datasets/<owner>/<name>/...         the same for dataset repos

A commit is built whole and renamed into ``commits/`` in one step (``standins.hub_commits``),
and only then does the branch in ``refs.json`` (``standins.hub_refs``) point at it: a reader
sees the whole commit or none of it. Commits to one repo take its lock
(``standins.hub_disk``), so two processes committing at once both land, one after the other.

Seeding code uses this module directly (``HubStorage``); ``standins.hub_server`` serves it
over HTTP to huggingface_hub, transformers, peft and datasets.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from helpers.files import write_bytes_atomically

from . import hub_refs
from .hub_commits import check_operations, land_commit, lfs_object, read_commit, write_commit
from .hub_disk import locked, read_json, write_json
from .hub_errors import (
    BadRequest,
    Conflict,
    EntryNotFound,
    HubError,
    PreconditionFailed,
    RepoNotFound,
    RevisionNotFound,
)
from .hub_records import (
    DEFAULT_BRANCH,
    GITATTRIBUTES,
    OID_RE,
    Add,
    AddLfs,
    Commit,
    Content,
    Delete,
    Operation,
    Repo,
    check_repo_id,
    check_repo_type,
    folder_files,
    gated_value,
    git_blob_oid,
    new_oid,
    now_iso,
)
from .hub_users import UserAccounts

# What callers need besides HubStorage: the operations ``commit`` takes, the errors it raises,
# and the helpers that seeding code and tests use.
__all__ = [
    "Add",
    "AddLfs",
    "BadRequest",
    "Conflict",
    "Delete",
    "EntryNotFound",
    "HubError",
    "HubStorage",
    "PreconditionFailed",
    "RepoNotFound",
    "RevisionNotFound",
    "folder_files",
    "git_blob_oid",
]


class HubStorage(UserAccounts):
    """Users, tokens and repos of the local Hub stand-in, kept in the folder ``root``.

    Seeding code calls it directly; the HTTP server (``standins.hub_server``) answers
    clients from it. Several processes may share one root: every change is atomic on disk.
    Users and tokens come from ``standins.hub_users.UserAccounts``.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._cache_lock = threading.Lock()
        self._commits: dict[tuple[str, str], Commit] = {}  # immutable, so cached forever
        self.commit_delay = 0.0  # seconds a commit holds the repo lock before it lands (tests)

    # ---- repos ----------------------------------------------------------------------------

    def _repo_dir(self, repo_id: str, repo_type: str) -> Path:
        owner, name = check_repo_id(repo_id)
        return self.root / f"{check_repo_type(repo_type)}s" / owner / name

    def repo(self, repo_id: str, *, repo_type: str = "model") -> Repo:
        """The repo, or RepoNotFound."""
        path = self._repo_dir(repo_id, repo_type)
        try:
            meta = read_json(path / "repo.json")
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
        gated = gated_value(gated)
        final = self._repo_dir(repo_id, repo_type)
        exists = Conflict(f"You already created this {repo_type} repo: {repo_id}")
        if (final / "repo.json").is_file():
            if exist_ok:
                return self.repo(repo_id, repo_type=repo_type)
            raise exists
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".tmp-{final.name}-{uuid.uuid4().hex}"
        created = now_iso()
        try:
            meta = {"private": bool(private), "gated": gated, "granted": [], "createdAt": created}
            write_json(tmp / "repo.json", meta)
            oid = new_oid("initial", repo_id, created)
            write_commit(
                tmp / "commits" / oid,
                {".gitattributes": GITATTRIBUTES.encode()},
                oid=oid,
                parents=[],
                title="initial commit",
                message="",
                author=author or repo_id.split("/")[0],
                date=created,
            )
            write_json(tmp / "refs.json", {"branches": {DEFAULT_BRANCH: oid}, "tags": {}})
            try:
                os.rename(tmp, final)  # one step: the repo exists whole, or not at all
            except OSError:
                if exist_ok:
                    return self.repo(repo_id, repo_type=repo_type)
                raise exists from None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return self.repo(repo_id, repo_type=repo_type)

    def delete_repo(self, repo_id: str, *, repo_type: str = "model") -> None:
        repo = self.repo(repo_id, repo_type=repo_type)
        trash = repo.path.parent / f".trash-{repo.path.name}-{uuid.uuid4().hex}"
        with locked(hub_refs.lock_file(repo)):
            os.rename(repo.path, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def update_repo(
        self,
        repo_id: str,
        *,
        repo_type: str = "model",
        private: bool | None = None,
        gated: bool | str | None = None,
        grant: str | None = None,
    ) -> Repo:
        """Change a repo's visibility or gating, or give user ``grant`` access to it."""
        repo = self.repo(repo_id, repo_type=repo_type)
        with locked(hub_refs.lock_file(repo)):
            meta = read_json(repo.path / "repo.json")
            if private is not None:
                meta["private"] = bool(private)
            if gated is not None:
                meta["gated"] = gated_value(gated)
            if grant is not None and grant not in meta.setdefault("granted", []):
                meta["granted"].append(grant)
            write_json(repo.path / "repo.json", meta)
        return self.repo(repo_id, repo_type=repo_type)

    def grant(self, repo_id: str, user: str, *, repo_type: str = "model") -> None:
        """Give ``user`` access to a gated repo (as accepting its licence does)."""
        self.update_repo(repo_id, repo_type=repo_type, grant=user)

    # ---- revisions ------------------------------------------------------------------------

    def refs(self, repo_id: str, *, repo_type: str = "model") -> dict[str, dict[str, str]]:
        """{"branches": {name: oid}, "tags": {name: oid}}."""
        return hub_refs.read_refs(self.repo(repo_id, repo_type=repo_type))

    def resolve(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> str:
        """The commit oid a branch, tag or full commit id names, or RevisionNotFound."""
        return hub_refs.resolve(self.repo(repo_id, repo_type=repo_type), revision)

    def commit_info(
        self, repo_id: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> Commit:
        """The commit at a revision (branch, tag or commit id)."""
        return self.commit_at(self.repo(repo_id, repo_type=repo_type), revision)

    def commit_at(self, repo: Repo, revision: str | None) -> Commit:
        """The commit a revision (branch, tag or commit id) of ``repo`` names."""
        return self._commit(repo, hub_refs.resolve(repo, revision))

    def _commit(self, repo: Repo, oid: str) -> Commit:
        key = (str(repo.path), oid)
        with self._cache_lock:
            cached = self._commits.get(key)
        if cached is not None:
            return cached
        commit = read_commit(repo, oid)
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
        return list(self.history_of(repo, hub_refs.resolve(repo, revision)))

    def history_of(self, repo: Repo, oid: str) -> Iterator[Commit]:
        """Commit ``oid`` of ``repo`` and its first parents, newest first."""
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
        return hub_refs.create_ref(
            self.repo(repo_id, repo_type=repo_type), "branches", branch, revision
        )

    def delete_branch(self, repo_id: str, branch: str, *, repo_type: str = "model") -> None:
        if branch == DEFAULT_BRANCH:
            raise BadRequest("Cannot delete the default branch 'main'")
        hub_refs.delete_ref(self.repo(repo_id, repo_type=repo_type), "branches", branch)

    def create_tag(
        self, repo_id: str, tag: str, *, revision: str | None = None, repo_type: str = "model"
    ) -> str:
        return hub_refs.create_ref(self.repo(repo_id, repo_type=repo_type), "tags", tag, revision)

    def delete_tag(self, repo_id: str, tag: str, *, repo_type: str = "model") -> None:
        hub_refs.delete_ref(self.repo(repo_id, repo_type=repo_type), "tags", tag)

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
        return repo.snapshot(hub_refs.resolve(repo, revision))

    def file_path(
        self, repo_id: str, path: str, *, repo_type: str = "model", revision: str | None = None
    ) -> Path:
        """The stored file for ``path`` at a revision, or EntryNotFound."""
        repo = self.repo(repo_id, repo_type=repo_type)
        commit = self.commit_at(repo, revision)
        if path not in commit.files:
            raise EntryNotFound(f"{path} does not exist at revision {commit.oid}")
        return repo.snapshot(commit.oid) / path

    def read(
        self, repo_id: str, path: str, *, repo_type: str = "model", revision: str | None = None
    ) -> bytes:
        """A file's bytes at a revision."""
        return self.file_path(repo_id, path, repo_type=repo_type, revision=revision).read_bytes()

    # ---- Git LFS objects ------------------------------------------------------------------

    def has_lfs(self, repo_id: str, sha256: str, *, repo_type: str = "model") -> bool:
        """Whether an LFS object with this sha256 was uploaded to the repo."""
        return lfs_object(self.repo(repo_id, repo_type=repo_type), sha256).is_file()

    def put_lfs(
        self, repo_id: str, sha256: str, size: int, data: bytes, *, repo_type: str = "model"
    ) -> None:
        """Store an uploaded LFS object after checking its size and sha256."""
        final = lfs_object(self.repo(repo_id, repo_type=repo_type), sha256)
        if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            raise BadRequest(
                f"The uploaded content does not match LFS object {sha256} ({size} bytes)"
            )
        write_bytes_atomically(final, data)

    # ---- commits --------------------------------------------------------------------------

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
        operations: Iterable[Operation] = (),
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
        ops: list[Operation] = list(operations)
        ops += [Delete(path) for path in delete]
        ops += [Add(path, content) for path, content in (files or {}).items()]
        repo = self.repo(repo_id, repo_type=repo_type)
        if oid is not None and not OID_RE.fullmatch(oid):
            raise BadRequest(f"Invalid commit id {oid!r}: expected 40 lower-case hex digits")
        check_operations(ops)
        with locked(hub_refs.lock_file(repo)):
            refs = hub_refs.read_refs(repo)
            branch = hub_refs.branch_name(revision)
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
            oid = oid or new_oid(head, repo_id, message, uuid.uuid4().hex)
            land_commit(
                repo,
                self._commit(repo, head),
                ops,
                oid=oid,
                title=message,
                message=description,
                author=author,
                date=date or now_iso(),
                delay=self.commit_delay,
            )
            refs["branches"][branch] = oid
            hub_refs.write_refs(repo, refs)  # only now, with the commit whole, does the branch move
        return oid
