"""What the Hub stand-in says about a repo's content, in the real Hub's JSON shapes.

Repo info (``GET /api/models/{id}``), the file tree (``GET .../tree/{rev}``), paths-info
(``POST .../paths-info/{rev}``), refs (``GET .../refs``) and history (``GET .../commits``):
each is a function of the stored commit, checked against huggingface_hub's own parsing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .hub_errors import EntryNotFound
from .hub_records import Commit, FileEntry, Repo, lfs_pointer
from .hub_refs import read_refs
from .hub_storage import HubStorage


def _tree_oid(entries: list[tuple[str, str]]) -> str:
    return hashlib.sha1("\n".join(f"{p} {o}" for p, o in sorted(entries)).encode()).hexdigest()


def _lfs_json(entry: FileEntry, sha_key: str) -> dict[str, Any]:
    pointer = len(lfs_pointer(entry.lfs or "", entry.size))
    return {sha_key: entry.lfs, "size": entry.size, "pointerSize": pointer}


def _file_json(path: str, entry: FileEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "file", "oid": entry.oid, "size": entry.size, "path": path}
    if entry.lfs:
        out["lfs"] = _lfs_json(entry, "oid")
    return out


def _folder_json(path: str, content: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "directory", "oid": _tree_oid(content), "size": 0, "path": path}


def _view(commit: Commit, path: str) -> dict[str, FileEntry]:
    """The files of ``commit`` at ``path`` or under it."""
    prefix = path + "/"
    return {p: e for p, e in commit.files.items() if p == path or p.startswith(prefix)}


def repo_info(repo: Repo, commit: Commit, blobs: bool, expand: list[str]) -> dict[str, Any]:
    """The repo's info at ``commit``; ``blobs`` adds sizes and ids, ``expand`` picks fields."""
    siblings = []
    for path, entry in sorted(commit.files.items()):
        sibling: dict[str, Any] = {"rfilename": path}
        if blobs:
            sibling.update(size=entry.size, blobId=entry.oid)
            if entry.lfs:
                sibling["lfs"] = _lfs_json(entry, "sha256")
        siblings.append(sibling)
    info: dict[str, Any] = {
        "_id": hashlib.sha1(f"{repo.type}/{repo.id}".encode()).hexdigest()[:24],
        "id": repo.id,
        "author": repo.owner,
        "sha": commit.oid,
        "lastModified": commit.date,
        "createdAt": repo.created_at,
        "private": repo.private,
        "gated": repo.gated,
        "disabled": False,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": siblings,
        "usedStorage": sum(e.size for e in commit.files.values()),
    }
    if repo.type == "model":
        info["modelId"] = repo.id
    if expand:
        keep = {"_id", "id", *expand}
        info = {key: value for key, value in info.items() if key in keep}
    return info


def _add_last_commits(
    storage: HubStorage, repo: Repo, commit: Commit, entries: list[dict[str, Any]]
) -> None:
    """Give each entry (file or folder) the newest commit that changed it."""
    history = list(storage.history_of(repo, commit.oid))
    for entry in entries:
        views = [_view(c, entry["path"]) for c in history] + [{}]
        entry["lastCommit"] = None
        for index, changed in enumerate(history):
            if views[index] != views[index + 1]:
                entry["lastCommit"] = {
                    "id": changed.oid,
                    "title": changed.title,
                    "date": changed.date,
                }
                break


def tree_entries(
    storage: HubStorage, repo: Repo, commit: Commit, folder: str, recursive: bool, expand: bool
) -> list[dict[str, Any]]:
    """Tree listing entries, as GET .../tree answers them."""
    prefix = folder.rstrip("/") + "/" if folder else ""
    files = {p: e for p, e in commit.files.items() if p.startswith(prefix)}
    if folder and not files:
        if folder in commit.files:  # the Hub lists a file path as that one file
            files = {folder: commit.files[folder]}
            prefix = ""
        else:
            raise EntryNotFound(f"{folder} does not exist on {commit.oid}")
    folders: dict[str, list[tuple[str, str]]] = {}
    entries: list[dict[str, Any]] = []
    for path, entry in files.items():
        rest = path[len(prefix) :].split("/")
        for depth in range(1, len(rest)):
            name = prefix + "/".join(rest[:depth])
            if recursive or depth == 1:
                folders.setdefault(name, [])
        for name in folders:
            if path.startswith(name + "/"):
                folders[name].append((path, entry.oid))
        if recursive or len(rest) == 1:
            entries.append(_file_json(path, entry))
    entries += [_folder_json(name, content) for name, content in folders.items()]
    entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
    if expand:
        _add_last_commits(storage, repo, commit, entries)
    return entries


def path_info(
    storage: HubStorage, repo: Repo, commit: Commit, paths: list[str], expand: bool
) -> list[dict[str, Any]]:
    """What each of ``paths`` is at ``commit`` (file or folder), as POST .../paths-info answers."""
    out = []
    for raw in paths:
        path = raw.strip("/")
        if path in commit.files:
            out.append(_file_json(path, commit.files[path]))
        else:
            under = [(p, e.oid) for p, e in commit.files.items() if p.startswith(path + "/")]
            if under or path == "":
                out.append(_folder_json(path, under))
    if expand:
        _add_last_commits(storage, repo, commit, out)
    return out


def refs_json(repo: Repo, include_prs: bool) -> dict[str, Any]:
    """The repo's branches and tags, as GET .../refs answers them."""
    refs = read_refs(repo)

    def listed(kind: str, folder: str) -> list[dict[str, str]]:
        return [
            {"name": n, "ref": f"refs/{folder}/{n}", "targetCommit": o}
            for n, o in sorted(refs[kind].items())
        ]

    out: dict[str, Any] = {
        "branches": listed("branches", "heads"),
        "converts": [],
        "tags": listed("tags", "tags"),
    }
    if include_prs:
        out["pullRequests"] = []
    return out


def commit_json(commit: Commit) -> dict[str, Any]:
    """One commit, as GET .../commits lists it."""
    return {
        "id": commit.oid,
        "title": commit.title,
        "message": commit.message,
        "date": commit.date,
        "authors": [{"user": commit.author, "avatar": ""}],
    }
