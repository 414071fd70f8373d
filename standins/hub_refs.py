"""A repo's branches and tags (``refs.json``), and what commit a revision names.

A revision is a branch ("main", "refs/heads/main"), a tag ("v1", "refs/tags/v1") or a full
commit id. Changes to ``refs.json`` hold the repo's lock and replace the file whole.
"""

from __future__ import annotations

from pathlib import Path

from .hub_disk import locked, read_json, write_json
from .hub_errors import Conflict, RevisionNotFound
from .hub_records import DEFAULT_BRANCH, OID_RE, Repo, check_branch

Refs = dict[str, dict[str, str]]  # {"branches": {name: oid}, "tags": {name: oid}}


def lock_file(repo: Repo) -> Path:
    """The file whose lock serialises every change to ``repo``."""
    return repo.path.parent / f".{repo.path.name}.lock"


def read_refs(repo: Repo) -> Refs:
    refs = read_json(repo.path / "refs.json")
    refs.setdefault("branches", {})
    refs.setdefault("tags", {})
    return refs


def write_refs(repo: Repo, refs: Refs) -> None:
    """Replace ``refs.json`` (the caller holds the repo's lock)."""
    write_json(repo.path / "refs.json", refs)


def _strip(revision: str, prefix: str) -> str:
    return revision[len(prefix) :] if revision.startswith(prefix) else revision


def branch_name(revision: str) -> str:
    """``revision`` without a leading ``refs/heads/``."""
    return _strip(revision, "refs/heads/")


def resolve(repo: Repo, revision: str | None) -> str:
    """The commit oid a branch, tag or full commit id names, or RevisionNotFound."""
    revision = revision or DEFAULT_BRANCH
    refs = read_refs(repo)
    name = branch_name(revision)
    if name in refs["branches"]:
        return refs["branches"][name]
    tag = _strip(revision, "refs/tags/")
    if tag in refs["tags"]:
        return refs["tags"][tag]
    if OID_RE.fullmatch(revision) and (repo.path / "commits" / revision / "commit.json").is_file():
        return revision
    raise RevisionNotFound(f"Invalid rev id: {revision}")


def create_ref(repo: Repo, kind: str, name: str, revision: str | None) -> str:
    """Create branch or tag ``name`` (``kind`` "branches" or "tags") at ``revision``."""
    check_branch(name)
    with locked(lock_file(repo)):
        refs = read_refs(repo)
        if name in refs["branches"] or name in refs["tags"]:
            raise Conflict(f"Reference already exists: {name}")
        oid = resolve(repo, revision)
        refs[kind][name] = oid
        write_refs(repo, refs)
    return oid


def delete_ref(repo: Repo, kind: str, name: str) -> None:
    with locked(lock_file(repo)):
        refs = read_refs(repo)
        if name not in refs[kind]:
            raise RevisionNotFound(f"Invalid rev id: {name}")
        del refs[kind][name]
        write_refs(repo, refs)
