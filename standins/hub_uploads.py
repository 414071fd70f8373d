"""How clients write to the Hub stand-in: preupload, commits, branches and tags, Git LFS.

``POST .../preupload/{rev}`` tells the client how to send each file: "regular" (inside the
commit) or, where the real Hub would and ``LfsPolicy.enabled`` is on, "lfs". ``POST
.../commit/{rev}`` takes the client's NDJSON (header, file, lfsFile, deletedFile,
deletedFolder) and applies it as one atomic commit, honouring ``parentCommit`` (412 when the
branch moved). LFS objects go through ``POST /{id}.git/info/lfs/objects/batch`` and a signed
``PUT /api/lfs-upload/...``; there is no Xet storage (clients set HF_HUB_DISABLE_XET=1).
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from .background_server import Reply
from .hub_access import Caller, writable
from .hub_errors import BadRequest, Forbidden, json_body
from .hub_records import Add, AddLfs, Commit, Delete, Operation, Repo, check_path
from .hub_storage import HubStorage

LFS_THRESHOLD = 10 * 1024 * 1024  # the Hub stores bigger files in LFS whatever their name
NO_XET = (
    "The local Hub stand-in has no Xet storage: set HF_HUB_DISABLE_XET=1 before importing "
    "huggingface_hub, so that large files go through Git LFS"
)


@dataclass
class LfsPolicy:
    """Whether uploads go through Git LFS where the real Hub's would, and the URL signing key."""

    enabled: bool
    secret: bytes  # signs the LFS upload URLs, which the client PUTs to without its token

    def upload_mode(self, repo: Repo, commit: Commit, path: str, size: int) -> str:
        """ "lfs" where the real Hub would store the file in LFS (when enabled), else "regular"."""
        if not self.enabled:
            return "regular"
        if size >= LFS_THRESHOLD:
            return "lfs"
        if ".gitattributes" in commit.files:
            attributes = repo.snapshot(commit.oid) / ".gitattributes"
            name = path.rsplit("/", 1)[-1]
            for line in attributes.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split()
                if len(fields) > 1 and "filter=lfs" in fields[1:]:
                    pattern = fields[0]
                    target = path if "/" in pattern else name
                    if fnmatch.fnmatchcase(target, pattern.lstrip("/")):
                        return "lfs"
        return "regular"

    def ticket(self, repo: Repo, sha256: str, size: int) -> str:
        """The signature that authorises one LFS upload URL."""
        message = f"{repo.type}/{repo.id}/{sha256}/{size}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def preupload(
    storage: HubStorage,
    lfs: LfsPolicy,
    repo_type: str,
    repo_id: str,
    revision: str,
    body: bytes,
    caller: Caller,
) -> Reply:
    """How to upload each file the client lists, and which it may skip as unchanged."""
    repo = writable(storage, repo_type, repo_id, caller)
    commit = storage.commit_at(repo, revision)
    files = []
    for item in json_body(body).get("files", []):
        path = str(item.get("path", ""))
        mode = lfs.upload_mode(repo, commit, path, int(item.get("size") or 0))
        entry = commit.files.get(path)
        remote = None  # what the client compares with its file to skip unchanged ones
        if entry is not None:
            remote = (entry.lfs or None) if mode == "lfs" else (None if entry.lfs else entry.oid)
        files.append({"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": remote})
    return Reply(200, {"files": files, "commitOid": commit.oid})


def _operation(key: str, value: dict[str, Any], number: int) -> Operation:
    """One NDJSON line of a commit (not the header) as a storage operation."""
    if key == "file":
        if value.get("encoding", "base64") != "base64":
            raise BadRequest(f"Unsupported encoding {value.get('encoding')!r} on line {number}")
        try:
            content = base64.b64decode(value.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(f"Line {number}: file content is not valid base64") from None
        return Add(check_path(str(value.get("path", ""))), content)
    if key == "deletedFile":
        return Delete(check_path(str(value.get("path", ""))))
    if key == "deletedFolder":
        return Delete(check_path(str(value.get("path", "")).rstrip("/")), folder=True)
    if key == "lfsFile":
        if value.get("algo", "sha256") != "sha256":
            raise BadRequest(f"Unsupported LFS hash {value.get('algo')!r} on line {number}")
        return AddLfs(check_path(str(value.get("path", ""))), str(value.get("oid", "")))
    raise BadRequest(f"Unknown commit operation {key!r} on line {number}")


def parse_commit(body: bytes) -> tuple[dict[str, Any], list[Operation]]:
    """The header and the operations of a commit sent as NDJSON ({key, value} per line)."""
    header: dict[str, Any] = {}
    operations: list[Operation] = []
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            key, value = item["key"], item["value"]
        except (ValueError, KeyError, TypeError):
            raise BadRequest(
                f"Line {number} of the commit is not a {{key, value}} JSON object"
            ) from None
        if key == "header":
            header = value
        else:
            operations.append(_operation(key, value, number))
    return header, operations


def commit(
    storage: HubStorage,
    repo_type: str,
    repo_id: str,
    revision: str,
    body: bytes,
    caller: Caller,
    base: str,
) -> Reply:
    """Apply a commit sent as NDJSON; ``base`` is the server's URL, for the commit's URL."""
    repo = writable(storage, repo_type, repo_id, caller)
    header, operations = parse_commit(body)
    summary = str(header.get("summary") or "").strip()
    if not summary:
        raise BadRequest("The commit needs a summary (commit message)")
    oid = storage.commit(
        repo_id,
        repo_type=repo_type,
        operations=operations,
        message=summary,
        description=str(header.get("description") or ""),
        revision=revision,
        parent_commit=header.get("parentCommit"),
        author=caller.user or "system",
    )
    prefix = "" if repo.type == "model" else f"{repo.type}s/"
    url = f"{base}/{prefix}{repo.id}/commit/{oid}"
    return Reply(200, {"success": True, "commitOid": oid, "commitUrl": url, "hookOutput": ""})


def change_ref(
    storage: HubStorage,
    method: str,
    repo_type: str,
    repo_id: str,
    kind: str,
    name: str,
    body: bytes,
    caller: Caller,
) -> Reply:
    """Create (POST) or delete (DELETE) a branch or a tag."""
    writable(storage, repo_type, repo_id, caller)
    payload = json_body(body) if method == "POST" else {}
    if kind == "branch" and method == "POST":
        storage.create_branch(
            repo_id, name, revision=payload.get("startingPoint"), repo_type=repo_type
        )
    elif kind == "branch":
        storage.delete_branch(repo_id, name, repo_type=repo_type)
    elif method == "POST":  # POST .../tag/{revision} {"tag": name}
        tag = str(payload.get("tag", ""))
        storage.create_tag(repo_id, tag, revision=name, repo_type=repo_type)
    else:
        storage.delete_tag(repo_id, name, repo_type=repo_type)
    return Reply(200, {})


def lfs_batch(
    storage: HubStorage,
    lfs: LfsPolicy,
    repo_type: str,
    repo_id: str,
    payload: dict[str, Any],
    caller: Caller,
    base: str,
) -> Reply:
    """The Git LFS batch API: where to PUT each object that the repo does not have yet."""
    repo = writable(storage, repo_type, repo_id, caller)
    if payload.get("operation") != "upload":
        raise BadRequest("The stand-in's LFS batch API only takes uploads")
    transfers = payload.get("transfers") or ["basic"]
    if "basic" not in transfers:
        raise BadRequest(f"No supported LFS transfer in {transfers}: the stand-in offers 'basic'")
    objects = []
    for item in payload.get("objects", []):
        sha, size = str(item.get("oid", "")), int(item.get("size", 0))
        answer: dict[str, Any] = {"oid": sha, "size": size, "authenticated": True}
        if not storage.has_lfs(repo_id, sha, repo_type=repo_type):
            href = (
                f"{base}/api/lfs-upload/{repo_type}s/{repo.id}/{sha}"
                f"?size={size}&ticket={lfs.ticket(repo, sha, size)}"
            )
            answer["actions"] = {"upload": {"href": href, "expires_in": 3600}}
        objects.append(answer)
    return Reply(
        200,
        {"transfer": "basic", "objects": objects, "hash_algo": "sha256"},
        {"Content-Type": "application/vnd.git-lfs+json"},
    )


def lfs_upload(
    storage: HubStorage,
    lfs: LfsPolicy,
    repo_type: str,
    repo_id: str,
    sha: str,
    query: dict[str, list[str]],
    body: bytes,
) -> Reply:
    """PUT of one LFS object, authorised by the signed URL the batch API gave."""
    repo = storage.repo(repo_id, repo_type=repo_type)
    size = int(query.get("size", ["-1"])[-1])
    ticket = query.get("ticket", [""])[-1]
    if not hmac.compare_digest(ticket, lfs.ticket(repo, sha, size)):
        raise Forbidden("This LFS upload URL is not valid: ask the batch API for a new one")
    storage.put_lfs(repo_id, sha, size, body, repo_type=repo_type)
    return Reply(200, {})
