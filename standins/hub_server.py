"""A local stand-in for the Hugging Face Hub: the part of its HTTP API that the course's clients use.

Smoke runs and tests set ``HF_ENDPOINT`` to this server (before huggingface_hub is imported),
and huggingface_hub, transformers, peft, TRL and datasets talk to it as to the real Hub. It
speaks, checked against huggingface_hub 2.4's own client code:

- ``GET /api/whoami-v2``: the token's user and role;
- ``POST /api/repos/create`` (409 when it exists), ``DELETE /api/repos/delete``,
  ``PUT /api/{models,datasets}/{id}/settings``;
- ``GET /api/{models,datasets}/{id}[/revision/{rev}]``: repo info (sha, siblings, private,
  gated, lastModified, ...); ``GET .../tree/{rev}[/{path}]``; ``POST .../paths-info/{rev}``;
  ``GET .../refs``; ``GET .../commits/{rev}``; ``GET .../auth-check[/write]``;
- ``POST .../preupload/{rev}`` (every file "regular" by default: no LFS, no Xet) and
  ``POST .../commit/{rev}`` (NDJSON: header, file, lfsFile, deletedFile, deletedFolder),
  applied as one atomic commit, honouring ``parentCommit`` (412 when the branch moved);
- with ``lfs=True`` (``--lfs``), Git LFS where the real Hub uses it: ``POST
  /{id}.git/info/lfs/objects/batch`` and a signed ``PUT /api/lfs-upload/...``. Clients must
  then set ``HF_HUB_DISABLE_XET=1``: there is no Xet storage here (``.../xet-*-token`` is a
  400 that says so). ``Dataset.push_to_hub`` needs this mode;
- ``POST/DELETE .../branch/{name}``, ``POST .../tag/{rev}``, ``DELETE .../tag/{name}``;
- ``POST /api/validate-yaml`` (a README's metadata);
- ``HEAD``/``GET /{id}/resolve/{rev}/{path}`` and ``/datasets/{id}/resolve/...``: like the
  real Hub, a 307 to ``/api/resolve-cache/...`` pinned at the commit, which answers with
  X-Repo-Commit, ETag (the git blob id), Content-Length, Accept-Ranges and byte ranges.

Access follows the real Hub. A bad token gets 401 "Invalid credentials in Authorization
header" everywhere. A private repo exists only for its owner (401 without a token, 404 with
another user's; both ``X-Error-Code: RepoNotFound``). A gated repo's info and file list are
public, its files are not: 401 ``GatedRepo`` without a token, 403 ``GatedRepo`` for a user
who was not granted access. Writing needs a write token of the repo's owner (else 403).

Storage is a folder (see ``standins.hub_storage``); seed it with ``HubStorage``, serve it with
``serve(root)`` or from a shell::

    python -m standins.hub_server --root /tmp/hub --port 0 [--lfs] [--exit-with-parent]

Introduced in notebooks/01_explore_data.ipynb (the offline run reads the raw catalog from it).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import fnmatch
import hashlib
import hmac
import json
import mimetypes
import os
import re
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from standins.hub_storage import (
    DEFAULT_BRANCH,
    Add,
    AddLfs,
    BadRequest,
    Commit,
    Delete,
    EntryNotFound,
    HubError,
    HubStorage,
    Repo,
    RepoNotFound,
    check_path,
    lfs_pointer,
)

INVALID_TOKEN = "Invalid credentials in Authorization header"
_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)$")
_PLURAL = {"models": "model", "datasets": "dataset"}
LFS_THRESHOLD = 10 * 1024 * 1024  # the Hub stores bigger files in LFS whatever their name
NO_XET = (
    "The local Hub stand-in has no Xet storage: set HF_HUB_DISABLE_XET=1 before importing "
    "huggingface_hub, so that large files go through Git LFS"
)


class Unauthorized(HubError):
    status = 401


class Forbidden(HubError):
    status = 403


class GatedRepo(HubError):
    code = "GatedRepo"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def _url_prefix(repo: Repo) -> str:
    return "" if repo.type == "model" else f"{repo.type}s/"


def _tree_oid(entries: list[tuple[str, str]]) -> str:
    return hashlib.sha1("\n".join(f"{p} {o}" for p, o in sorted(entries)).encode()).hexdigest()


class HubServer:
    """The HTTP server over a ``HubStorage`` folder; ``requests`` keeps the latest requests.

    ``lfs``: False (default) answers "regular" upload mode for every file, so any client works.
    True answers "lfs" where the real Hub would (a .gitattributes LFS pattern such as
    ``*.parquet`` or ``*.safetensors``, or 10 MB and more) and serves the Git LFS batch and
    upload endpoints. ``Dataset.push_to_hub`` needs it (it deletes each parquet shard right
    after its LFS upload); the clients must then run with ``HF_HUB_DISABLE_XET=1``.
    ``commit_delay`` holds each commit in the repo lock for that many seconds before it
    lands (it widens races in tests; 0 in real use).
    """

    def __init__(
        self,
        root: str | os.PathLike,
        host: str = "127.0.0.1",
        port: int = 0,
        lfs: bool = False,
        commit_delay: float = 0.0,
    ) -> None:
        self.storage = HubStorage(root)
        self.storage.commit_delay = commit_delay
        self.lfs = lfs
        # Signs the LFS upload URLs, which the client PUTs to without its token.
        self._secret = os.urandom(32)
        self._lock = threading.Lock()
        # The latest requests: (method, path with query, status).
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=5000)
        self._httpd = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to put in HF_ENDPOINT (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HubServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- access rules -------------------------------------------------------------------

    def caller(self, authorization: str | None) -> tuple[str | None, str | None, dict | None]:
        """(user, role, token info) for an Authorization header; anonymous is (None, None, None).

        A header with a token this Hub does not know is refused, as the real Hub does.
        """
        if not authorization:
            return None, None, None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized(INVALID_TOKEN)
        info = self.storage.token_info(token)
        if info is None:
            raise Unauthorized(INVALID_TOKEN)
        return info["user"], info["role"], info

    def readable(self, repo_id: str, repo_type: str, user: str | None) -> Repo:
        """The repo if ``user`` may see it; a private repo is not found for anyone else."""
        try:
            repo = self.storage.repo(repo_id, repo_type=repo_type)
        except RepoNotFound:
            repo = None
        if repo is None or (repo.private and user != repo.owner):
            error = RepoNotFound(f"Repository Not Found for {repo_type}s/{repo_id}")
            if user is None:
                error.status = 401  # the real Hub answers 401 to anonymous callers
            raise error
        return repo

    def downloadable(self, repo_id: str, repo_type: str, user: str | None) -> Repo:
        """The repo if ``user`` may download its files (gated repos need a granted user)."""
        repo = self.readable(repo_id, repo_type, user)
        if repo.gated and user != repo.owner and user not in repo.granted:
            if user is None:
                error = GatedRepo(
                    f"Access to {repo_type} {repo_id} is restricted. You must have access to it "
                    "and be authenticated to access it. Please log in."
                )
                error.status = 401
            else:
                error = GatedRepo(
                    f"Access to {repo_type} {repo_id} is restricted and you are not in the "
                    "authorized list. Visit its page on the Hub to ask for access."
                )
                error.status = 403
            raise error
        return repo

    def writable(self, repo_id: str, repo_type: str, user: str | None, role: str | None) -> Repo:
        """The repo if ``user`` holds a write token and owns it."""
        if user is None:
            raise Unauthorized("You must be authenticated with a write token to do this")
        repo = self.readable(repo_id, repo_type, user)
        if user != repo.owner:
            raise Forbidden(f"You don't have the rights to write to {repo_type}s/{repo_id}")
        if role != "write":
            raise Forbidden(
                f"Your token has the '{role}' role: writing to {repo_type}s/{repo_id} needs a "
                "token with the 'write' role"
            )
        return repo

    def upload_mode(self, repo: Repo, commit: Commit, path: str, size: int) -> str:
        """ "lfs" where the real Hub would store the file in LFS (when ``lfs`` is on), else "regular"."""
        if not self.lfs:
            return "regular"
        if size >= LFS_THRESHOLD:
            return "lfs"
        if ".gitattributes" in commit.files:
            attributes = repo.path / "commits" / commit.oid / "files" / ".gitattributes"
            name = path.rsplit("/", 1)[-1]
            for line in attributes.read_text(encoding="utf-8", errors="replace").splitlines():
                fields = line.split()
                if len(fields) > 1 and "filter=lfs" in fields[1:]:
                    pattern = fields[0]
                    target = path if "/" in pattern else name
                    if fnmatch.fnmatchcase(target, pattern.lstrip("/")):
                        return "lfs"
        return "regular"

    def lfs_ticket(self, repo: Repo, sha256: str, size: int) -> str:
        message = f"{repo.type}/{repo.id}/{sha256}/{size}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # ---- JSON shapes --------------------------------------------------------------------

    def repo_info(self, repo: Repo, commit: Commit, blobs: bool, expand: list[str]) -> dict:
        siblings = []
        for path, entry in sorted(commit.files.items()):
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                sibling.update(size=entry.size, blobId=entry.oid)
                if entry.lfs:
                    pointer = len(lfs_pointer(entry.lfs, entry.size))
                    sibling["lfs"] = {
                        "sha256": entry.lfs,
                        "size": entry.size,
                        "pointerSize": pointer,
                    }
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

    def last_commits(self, repo: Repo, head: str, paths: list[str]) -> dict[str, dict]:
        """For each path (file or folder), the newest commit that changed it."""
        history = list(self.storage._history(repo, head))
        found: dict[str, dict] = {}
        for path in paths:
            views = [_view(commit, path) for commit in history] + [{}]
            for index, commit in enumerate(history):
                if views[index] != views[index + 1]:
                    found[path] = {"id": commit.oid, "title": commit.title, "date": commit.date}
                    break
        return found

    def tree_entries(
        self, repo: Repo, commit: Commit, folder: str, recursive: bool, expand: bool
    ) -> list[dict]:
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
        entries: list[dict] = []
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
        for name, content in folders.items():
            entries.append(
                {"type": "directory", "oid": _tree_oid(content), "size": 0, "path": name}
            )
        entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
        if expand:
            last = self.last_commits(repo, commit.oid, [e["path"] for e in entries])
            for entry in entries:
                entry["lastCommit"] = last.get(entry["path"])
        return entries

    def path_info(self, repo: Repo, commit: Commit, paths: list[str], expand: bool) -> list[dict]:
        out = []
        for raw in paths:
            path = raw.strip("/")
            if path in commit.files:
                out.append(_file_json(path, commit.files[path]))
            else:
                under = [(p, e.oid) for p, e in commit.files.items() if p.startswith(path + "/")]
                if under or path == "":
                    out.append(
                        {"type": "directory", "oid": _tree_oid(under), "size": 0, "path": path}
                    )
        if expand:
            last = self.last_commits(repo, commit.oid, [e["path"] for e in out])
            for entry in out:
                entry["lastCommit"] = last.get(entry["path"])
        return out


def _handler_for(hub: HubServer) -> type[BaseHTTPRequestHandler]:
    storage = hub.storage

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "LocalHub/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: a line per request would drown the notebooks' output

        # ---- plumbing -------------------------------------------------------------------

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _base(self) -> str:
            host, port = self.server.server_address[:2]
            return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

        def _head(self, code: int, headers: dict[str, str], length: int) -> None:
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self._status = code

        def _send(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
            try:
                self._head(code, merged, len(raw))
                if self.command != "HEAD":
                    self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _error(self, error: HubError, headers: dict[str, str] | None = None) -> None:
            message = str(error) or type(error).__name__
            one_line = " ".join(message.split())
            extra = {"X-Error-Message": one_line.encode("ascii", "replace").decode("ascii")}
            if error.code:
                extra["X-Error-Code"] = error.code
            extra.update(headers or {})
            self._send(error.status, {"error": message}, extra)

        def _query(self) -> dict[str, list[str]]:
            return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

        def _json_body(self, body: bytes) -> Any:
            if not body:
                return {}
            try:
                return json.loads(body)
            except ValueError:
                raise BadRequest("The request body is not valid JSON") from None

        def _route(self) -> None:
            self._status = 0
            raw_path = urlsplit(self.path).path
            body = self._body() if self.command in ("POST", "PUT", "DELETE", "PATCH") else b""
            try:
                user, role, token = hub.caller(self.headers.get("Authorization"))
                self._dispatch(
                    raw_path, [p for p in raw_path.split("/") if p], body, user, role, token
                )
            except HubError as error:
                headers = getattr(error, "headers", None)
                self._error(error, headers)
            except (ValueError, KeyError, TypeError, AttributeError) as error:  # malformed request
                self._error(BadRequest(f"Bad request: {error!r}"))
            except Exception as error:  # a bug here: say so loudly, once, and answer 500
                traceback.print_exc(file=sys.stderr)
                self._send(500, {"error": f"Hub stand-in failure: {error!r}"})
            finally:
                with hub._lock:
                    hub.requests.append((self.command, self.path, self._status))

        def do_GET(self) -> None:
            self._route()

        def do_HEAD(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

        def do_PUT(self) -> None:
            self._route()

        def do_DELETE(self) -> None:
            self._route()

        # ---- routing --------------------------------------------------------------------

        def _dispatch(
            self,
            raw_path: str,
            parts: list[str],
            body: bytes,
            user: str | None,
            role: str | None,
            token: dict | None,
        ) -> None:
            method = self.command
            if parts[:1] == ["api"]:
                rest = parts[1:]
                if rest == ["whoami-v2"] and method == "GET":
                    return self._whoami(user, role, token)
                if rest == ["repos", "create"] and method == "POST":
                    return self._create_repo(self._json_body(body), user, role)
                if rest == ["repos", "delete"] and method == "DELETE":
                    return self._delete_repo(self._json_body(body), user, role)
                if rest == ["agent-harnesses"] and method == "GET":  # huggingface_hub telemetry
                    return self._send(200, {"standardEnvVars": [], "harnesses": {}})
                if rest[:1] == ["telemetry"]:  # library usage pings (TRL sends them): accepted
                    return self._send(200, {})
                if rest == ["validate-yaml"] and method == "POST":
                    return self._validate_yaml(self._json_body(body))
                if rest[:1] == ["resolve-cache"] and len(rest) >= 6 and rest[1] in _PLURAL:
                    repo_id = f"{unquote(rest[2])}/{unquote(rest[3])}"
                    path = "/".join(unquote(p) for p in rest[5:])
                    if method in ("GET", "HEAD"):
                        return self._file(_PLURAL[rest[1]], repo_id, unquote(rest[4]), path, user)
                if rest[:1] == ["lfs-upload"] and len(rest) == 5 and rest[1] in _PLURAL:
                    if method == "PUT":
                        repo_id = f"{unquote(rest[2])}/{unquote(rest[3])}"
                        return self._lfs_upload(_PLURAL[rest[1]], repo_id, rest[4], body)
                if len(rest) == 2 and rest[0] in _PLURAL:  # a one-part id, like "gpt2"
                    raise RepoNotFound(f"Repository Not Found for {rest[0]}/{unquote(rest[1])}")
                if len(rest) >= 3 and rest[0] in _PLURAL:
                    repo_id = f"{unquote(rest[1])}/{unquote(rest[2])}"
                    return self._repo_api(_PLURAL[rest[0]], repo_id, rest[3:], body, user, role)
                raise _unknown(method, raw_path)
            repo_type = "model"
            if parts[:1] == ["datasets"]:
                repo_type, parts = "dataset", parts[1:]
            lfs_batch = ["info", "lfs", "objects", "batch"]
            if len(parts) == 6 and parts[1].endswith(".git") and parts[2:] == lfs_batch:
                if method == "POST":
                    repo_id = f"{unquote(parts[0])}/{unquote(parts[1])[:-4]}"
                    return self._lfs_batch(repo_type, repo_id, self._json_body(body), user, role)
            if len(parts) >= 4 and parts[1] == "resolve" and method in ("GET", "HEAD"):
                raise RepoNotFound(f"Repository Not Found for {unquote(parts[0])}")  # one-part id
            if len(parts) >= 5 and parts[2] == "resolve" and method in ("GET", "HEAD"):
                repo_id = f"{unquote(parts[0])}/{unquote(parts[1])}"
                return self._resolve(repo_type, repo_id, unquote(parts[3]), parts[4:], user)
            raise _unknown(method, raw_path)

        def _repo_api(
            self,
            repo_type: str,
            repo_id: str,
            rest: list[str],
            body: bytes,
            user: str | None,
            role: str | None,
        ) -> None:
            method = self.command
            query = self._query()
            what = rest[0] if rest else ""
            if method == "GET" and (not rest or (what == "revision" and len(rest) == 2)):
                repo = hub.readable(repo_id, repo_type, user)
                revision = unquote(rest[1]) if rest else DEFAULT_BRANCH
                commit = storage._commit(repo, storage._resolve(repo, revision))
                blobs = query.get("blobs", ["false"])[-1].lower() in ("1", "true")
                expand = query.get("expand", []) + query.get("expand[]", [])
                return self._send(200, hub.repo_info(repo, commit, blobs, expand))
            if method == "GET" and what == "tree" and len(rest) >= 2:
                repo = hub.readable(repo_id, repo_type, user)
                commit = storage._commit(repo, storage._resolve(repo, unquote(rest[1])))
                folder = unquote("/".join(rest[2:])).strip("/")
                recursive = query.get("recursive", ["false"])[-1].lower() in ("1", "true")
                expand = query.get("expand", ["false"])[-1].lower() in ("1", "true")
                return self._send(200, hub.tree_entries(repo, commit, folder, recursive, expand))
            if method == "POST" and what == "paths-info" and len(rest) == 2:
                repo = hub.readable(repo_id, repo_type, user)
                commit = storage._commit(repo, storage._resolve(repo, unquote(rest[1])))
                paths, expand = self._paths_request(body)
                return self._send(200, hub.path_info(repo, commit, paths, expand))
            if method == "GET" and rest == ["refs"]:
                repo = hub.readable(repo_id, repo_type, user)
                return self._send(200, self._refs_json(repo, "include_prs" in query))
            if method == "GET" and what == "commits" and len(rest) == 2:
                repo = hub.readable(repo_id, repo_type, user)
                head = storage._resolve(repo, unquote(rest[1]))
                return self._send(200, [self._commit_json(c) for c in storage._history(repo, head)])
            if method == "GET" and what == "auth-check" and rest[1:] in ([], ["write"]):
                if rest[1:] == ["write"]:
                    hub.writable(repo_id, repo_type, user, role)
                else:
                    hub.downloadable(repo_id, repo_type, user)
                return self._send(200, {"ok": True})
            if what in ("xet-write-token", "xet-read-token"):
                raise BadRequest(NO_XET)
            if method == "POST" and what == "preupload" and len(rest) == 2:
                return self._preupload(repo_type, repo_id, unquote(rest[1]), body, user, role)
            if method == "POST" and what == "commit" and len(rest) == 2:
                return self._commit(repo_type, repo_id, unquote(rest[1]), body, user, role)
            if what in ("branch", "tag") and len(rest) == 2 and method in ("POST", "DELETE"):
                return self._ref(repo_type, repo_id, what, unquote(rest[1]), body, user, role)
            if method == "PUT" and rest == ["settings"]:
                hub.writable(repo_id, repo_type, user, role)
                payload = self._json_body(body)
                private = payload.get("private")
                if payload.get("visibility") in ("private", "public"):
                    private = payload["visibility"] == "private"
                storage.update_repo(
                    repo_id, repo_type=repo_type, private=private, gated=payload.get("gated")
                )
                return self._send(200, {})
            raise _unknown(method, self.path)

        # ---- users and repos ------------------------------------------------------------

        def _whoami(self, user: str | None, role: str | None, token: dict | None) -> None:
            if user is None or token is None:
                raise Unauthorized("You must send 'Authorization: Bearer <token>' to call whoami")
            info = storage.user_info(user) or {}
            self._send(
                200,
                {
                    "type": "user",
                    "id": hashlib.sha1(f"user/{user}".encode()).hexdigest()[:24],
                    "name": user,
                    "fullname": info.get("fullname", user),
                    "email": None,
                    "emailVerified": False,
                    "canPay": False,
                    "isPro": False,
                    "periodEnd": None,
                    "avatarUrl": "",
                    "orgs": [],
                    "auth": {
                        "type": "access_token",
                        "accessToken": {
                            "displayName": token.get("name", ""),
                            "role": role,
                            "createdAt": token.get("createdAt", ""),
                        },
                    },
                },
            )

        def _create_repo(self, payload: dict, user: str | None, role: str | None) -> None:
            if user is None:
                raise Unauthorized("You must be authenticated with a write token to create a repo")
            repo_type = payload.get("type") or "model"
            namespace = payload.get("organization") or user
            repo_id = f"{namespace}/{payload.get('name', '')}"
            if repo_type not in ("model", "dataset"):
                raise BadRequest(
                    f"Invalid repo type {repo_type!r}: the stand-in serves models and datasets"
                )
            if namespace != user:
                raise Forbidden(
                    f"You don't have the rights to create a repo under the namespace {namespace!r}"
                )
            if role != "write":
                raise Forbidden(
                    f"Your token has the '{role}' role: creating a repo needs a 'write' token"
                )
            private = payload.get("private")
            if payload.get("visibility") in ("private", "public"):
                private = payload["visibility"] == "private"
            prefix = "" if repo_type == "model" else f"{repo_type}s/"
            url = f"{self._base()}/{prefix}{repo_id}"
            try:
                storage.create_repo(
                    repo_id, repo_type=repo_type, private=bool(private), author=user
                )
            except HubError as error:
                if error.status == 409:  # the client reads the url of the existing repo
                    message = f"You already created this {repo_type} repo"
                    return self._send(
                        409, {"error": message, "url": url}, {"X-Error-Message": message}
                    )
                raise
            self._send(200, {"url": url, "name": repo_id, "id": repo_id})

        def _delete_repo(self, payload: dict, user: str | None, role: str | None) -> None:
            repo_type = payload.get("type") or "model"
            repo_id = f"{payload.get('organization') or user}/{payload.get('name', '')}"
            hub.writable(repo_id, repo_type, user, role)
            storage.delete_repo(repo_id, repo_type=repo_type)
            self._send(200, {})

        def _validate_yaml(self, payload: dict) -> None:
            content = str(payload.get("content", ""))
            if content.startswith("---"):
                block = content[3:].split("\n---", 1)[0]
                try:
                    import yaml

                    meta = yaml.safe_load(block)
                    if meta is not None and not isinstance(meta, dict):
                        raise ValueError("the metadata block must be a mapping")
                except ImportError:
                    pass
                except Exception as error:
                    message = f"Invalid YAML metadata: {error}".splitlines()[0]
                    return self._send(400, {"errors": [{"message": message}], "warnings": []})
            self._send(200, {"errors": [], "warnings": []})

        def _refs_json(self, repo: Repo, include_prs: bool) -> dict:
            refs = storage._refs(repo)
            out: dict[str, Any] = {
                "branches": [
                    {"name": n, "ref": f"refs/heads/{n}", "targetCommit": o}
                    for n, o in sorted(refs["branches"].items())
                ],
                "converts": [],
                "tags": [
                    {"name": n, "ref": f"refs/tags/{n}", "targetCommit": o}
                    for n, o in sorted(refs["tags"].items())
                ],
            }
            if include_prs:
                out["pullRequests"] = []
            return out

        @staticmethod
        def _commit_json(commit: Commit) -> dict:
            return {
                "id": commit.oid,
                "title": commit.title,
                "message": commit.message,
                "date": commit.date,
                "authors": [{"user": commit.author, "avatar": ""}],
            }

        def _paths_request(self, body: bytes) -> tuple[list[str], bool]:
            content_type = self.headers.get("Content-Type", "")
            if "json" in content_type:
                payload = self._json_body(body)
                paths = payload.get("paths", [])
                expand = payload.get("expand", False) in (True, "true", "True", "1")
            else:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
                paths = form.get("paths", [])
                expand = form.get("expand", ["false"])[-1].lower() in ("1", "true")
            if isinstance(paths, str):
                paths = [paths]
            return [str(p) for p in paths], expand

        # ---- writes ---------------------------------------------------------------------

        def _preupload(
            self, repo_type: str, repo_id: str, revision: str, body: bytes, user, role
        ) -> None:
            if "create_pr" in self._query():
                raise BadRequest("Pull requests are not supported by the Hub stand-in")
            repo = hub.writable(repo_id, repo_type, user, role)
            commit = storage._commit(repo, storage._resolve(repo, revision))
            files = []
            for item in self._json_body(body).get("files", []):
                path = str(item.get("path", ""))
                mode = hub.upload_mode(repo, commit, path, int(item.get("size") or 0))
                entry = commit.files.get(path)
                remote = None  # what the client compares with its file to skip unchanged ones
                if entry is not None:
                    remote = (
                        (entry.lfs or None) if mode == "lfs" else (None if entry.lfs else entry.oid)
                    )
                files.append(
                    {"path": path, "uploadMode": mode, "shouldIgnore": False, "oid": remote}
                )
            self._send(200, {"files": files, "commitOid": commit.oid})

        def _commit(
            self, repo_type: str, repo_id: str, revision: str, body: bytes, user, role
        ) -> None:
            if "create_pr" in self._query():
                raise BadRequest("Pull requests are not supported by the Hub stand-in")
            repo = hub.writable(repo_id, repo_type, user, role)
            header: dict[str, Any] = {}
            operations: list[Add | AddLfs | Delete] = []
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
                elif key == "file":
                    if value.get("encoding", "base64") != "base64":
                        raise BadRequest(
                            f"Unsupported encoding {value.get('encoding')!r} on line {number}"
                        )
                    try:
                        content = base64.b64decode(value.get("content", ""), validate=True)
                    except (binascii.Error, ValueError):
                        raise BadRequest(
                            f"Line {number}: file content is not valid base64"
                        ) from None
                    operations.append(Add(check_path(str(value.get("path", ""))), content))
                elif key == "deletedFile":
                    operations.append(Delete(check_path(str(value.get("path", "")))))
                elif key == "deletedFolder":
                    path = str(value.get("path", "")).rstrip("/")
                    operations.append(Delete(check_path(path), folder=True))
                elif key == "lfsFile":
                    if value.get("algo", "sha256") != "sha256":
                        raise BadRequest(
                            f"Unsupported LFS hash {value.get('algo')!r} on line {number}"
                        )
                    path = check_path(str(value.get("path", "")))
                    operations.append(AddLfs(path, str(value.get("oid", ""))))
                else:
                    raise BadRequest(f"Unknown commit operation {key!r} on line {number}")
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
                author=user or "system",
            )
            url = f"{self._base()}/{_url_prefix(repo)}{repo.id}/commit/{oid}"
            self._send(200, {"success": True, "commitOid": oid, "commitUrl": url, "hookOutput": ""})

        def _ref(
            self, repo_type: str, repo_id: str, kind: str, name: str, body: bytes, user, role
        ) -> None:
            hub.writable(repo_id, repo_type, user, role)
            payload = self._json_body(body) if self.command == "POST" else {}
            if kind == "branch" and self.command == "POST":
                storage.create_branch(
                    repo_id, name, revision=payload.get("startingPoint"), repo_type=repo_type
                )
            elif kind == "branch":
                storage.delete_branch(repo_id, name, repo_type=repo_type)
            elif self.command == "POST":  # POST .../tag/{revision} {"tag": name}
                tag = str(payload.get("tag", ""))
                storage.create_tag(repo_id, tag, revision=name, repo_type=repo_type)
            else:
                storage.delete_tag(repo_id, name, repo_type=repo_type)
            self._send(200, {})

        def _lfs_batch(self, repo_type: str, repo_id: str, payload: dict, user, role) -> None:
            """The Git LFS batch API: where to PUT each object that the repo does not have yet."""
            repo = hub.writable(repo_id, repo_type, user, role)
            if payload.get("operation") != "upload":
                raise BadRequest("The stand-in's LFS batch API only takes uploads")
            transfers = payload.get("transfers") or ["basic"]
            if "basic" not in transfers:
                raise BadRequest(
                    f"No supported LFS transfer in {transfers}: the stand-in offers 'basic'"
                )
            objects = []
            for item in payload.get("objects", []):
                sha, size = str(item.get("oid", "")), int(item.get("size", 0))
                answer: dict[str, Any] = {"oid": sha, "size": size, "authenticated": True}
                if not storage.has_lfs(repo_id, sha, repo_type=repo_type):
                    ticket = hub.lfs_ticket(repo, sha, size)
                    href = (
                        f"{self._base()}/api/lfs-upload/{repo_type}s/{repo.id}/{sha}"
                        f"?size={size}&ticket={ticket}"
                    )
                    answer["actions"] = {"upload": {"href": href, "expires_in": 3600}}
                objects.append(answer)
            self._send(
                200,
                {"transfer": "basic", "objects": objects, "hash_algo": "sha256"},
                {"Content-Type": "application/vnd.git-lfs+json"},
            )

        def _lfs_upload(self, repo_type: str, repo_id: str, sha: str, body: bytes) -> None:
            """PUT of one LFS object, authorised by the signed URL the batch API gave."""
            repo = storage.repo(repo_id, repo_type=repo_type)
            query = self._query()
            size = int(query.get("size", ["-1"])[-1])
            ticket = query.get("ticket", [""])[-1]
            if not hmac.compare_digest(ticket, hub.lfs_ticket(repo, sha, size)):
                raise Forbidden("This LFS upload URL is not valid: ask the batch API for a new one")
            storage.put_lfs(repo_id, sha, size, body, repo_type=repo_type)
            self._send(200, {})

        # ---- downloads ------------------------------------------------------------------

        def _resolve(
            self, repo_type: str, repo_id: str, revision: str, raw_parts: list[str], user
        ) -> None:
            """/resolve/{rev}/{path}: a 307 to the pinned /api/resolve-cache URL, as the Hub does."""
            repo = hub.downloadable(repo_id, repo_type, user)
            path = "/".join(unquote(p) for p in raw_parts)
            oid = storage._resolve(repo, revision)
            commit = storage._commit(repo, oid)
            entry = commit.files.get(path)
            if entry is None:
                raise _with_headers(
                    EntryNotFound(f"Entry not found: {path} at revision {oid}"),
                    {"X-Repo-Commit": oid},
                )
            location = (
                f"/api/resolve-cache/{repo_type}s/{quote(repo.id, safe='/')}/{oid}/{quote(path)}"
            )
            headers = {
                "Location": location,
                "X-Repo-Commit": oid,
                "ETag": f'"{entry.oid}"',
                "Accept-Ranges": "bytes",
                "Content-Type": "text/plain; charset=utf-8",
            }
            if entry.lfs:  # as the Hub does: the linked object's etag and size
                headers.update(
                    {"X-Linked-Etag": f'"{entry.lfs}"', "X-Linked-Size": str(entry.size)}
                )
            self._send(307, b"", headers)

        def _file(self, repo_type: str, repo_id: str, revision: str, path: str, user) -> None:
            repo = hub.downloadable(repo_id, repo_type, user)
            oid = storage._resolve(repo, revision)
            commit = storage._commit(repo, oid)
            entry = commit.files.get(path)
            if entry is None:
                raise _with_headers(
                    EntryNotFound(f"Entry not found: {path} at revision {oid}"),
                    {"X-Repo-Commit": oid},
                )
            file_path = repo.path / "commits" / oid / "files" / path
            size = entry.size
            headers = {
                "Content-Type": mimetypes.guess_type(path)[0] or "application/octet-stream",
                "X-Repo-Commit": oid,
                "ETag": f'"{entry.lfs or entry.oid}"',
                "Accept-Ranges": "bytes",
                "Content-Disposition": f'inline; filename="{quote(path.rsplit("/", 1)[-1])}"',
            }
            if entry.lfs:
                headers.update({"X-Linked-Etag": f'"{entry.lfs}"', "X-Linked-Size": str(size)})
            start, end, status = 0, size - 1, 200
            wanted = self.headers.get("Range")
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
                    return self._send(416, b"", {**headers, "Content-Range": f"bytes */{size}"})
                status = 206
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            length = max(0, end - start + 1)
            try:
                self._head(status, headers, length)
                if self.command == "HEAD" or length == 0:
                    return
                with open(file_path, "rb") as handle:
                    handle.seek(start)
                    left = length
                    while left > 0:
                        block = handle.read(min(left, 1 << 20))
                        if not block:
                            break
                        self.wfile.write(block)
                        left -= len(block)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


def _view(commit: Commit, path: str) -> dict:
    """The files of ``commit`` at ``path`` or under it."""
    prefix = path + "/"
    return {p: e for p, e in commit.files.items() if p == path or p.startswith(prefix)}


def _file_json(path: str, entry: Any) -> dict:
    out = {"type": "file", "oid": entry.oid, "size": entry.size, "path": path}
    if entry.lfs:
        out["lfs"] = {
            "oid": entry.lfs,
            "size": entry.size,
            "pointerSize": len(lfs_pointer(entry.lfs, entry.size)),
        }
    return out


def _unknown(method: str, path: str) -> HubError:
    error = HubError(f"Unknown endpoint {method} {path}: the Hub stand-in does not serve it")
    error.status = 404
    return error


def _with_headers(error: HubError, headers: dict[str, str]) -> HubError:
    error.headers = headers  # type: ignore[attr-defined]
    return error


@contextlib.contextmanager
def serve(
    root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> Iterator[str]:
    """Serve the Hub stand-in over ``root`` for the ``with`` block; yields the URL for HF_ENDPOINT.

    Extra keyword arguments are ``HubServer``'s (lfs, commit_delay).
    Introduced in notebooks/01_explore_data.ipynb.
    """
    with HubServer(root, host=host, port=port, **options) as hub:
        yield hub.url


def _exit_with_parent(hub: HubServer) -> None:
    """Stop the server when the process that started it goes away (its parent id changes)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        hub.stop()
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for the Hugging Face Hub.")
    parser.add_argument("--root", required=True, help="the storage folder (created if missing)")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--lfs",
        action="store_true",
        help="store large files through Git LFS like the real Hub (clients need HF_HUB_DISABLE_XET=1)",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when the process that started this one exits",
    )
    args = parser.parse_args(argv)
    hub = HubServer(args.root, port=args.port, lfs=args.lfs)
    with hub:
        if args.exit_with_parent:
            _exit_with_parent(hub)
        print(hub.url, flush=True)
        print(
            "Set HF_ENDPOINT to this URL (before importing huggingface_hub). Ctrl-C stops.",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
