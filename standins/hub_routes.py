"""The Hub stand-in's HTTP layer: which URL is which endpoint, and how answers are sent.

``HubHandler`` reads a request, finds the caller (``standins.hub_access``), routes the URL to
an endpoint (``hub_accounts``, ``hub_listing``, ``hub_uploads``, ``hub_downloads``) and sends
its ``Reply``. A ``HubError`` becomes the real Hub's error answer: its status, a JSON body
and the X-Error-Code and X-Error-Message headers that huggingface_hub turns into exceptions.
"""

from __future__ import annotations

import json
import sys
import traceback
from urllib.parse import parse_qs, unquote, urlsplit

from . import hub_accounts, hub_downloads, hub_listing, hub_uploads
from .background_server import QuietHandler, Reply
from .hub_access import Caller, downloadable, identify, readable, writable
from .hub_errors import BadRequest, HubError, RepoNotFound, json_body, unknown_endpoint
from .hub_records import DEFAULT_BRANCH
from .hub_storage import HubStorage
from .hub_uploads import NO_XET, LfsPolicy

_PLURAL = {"models": "model", "datasets": "dataset"}
_LFS_BATCH = ["info", "lfs", "objects", "batch"]


def _flag(values: list[str]) -> bool:
    return bool(values) and values[-1].lower() in ("1", "true")


class HubHandler(QuietHandler):
    """Answers one connection's requests; ``for_hub`` makes the class for one server."""

    server_version = "LocalHub/1.0"
    storage: HubStorage
    lfs: LfsPolicy

    @classmethod
    def for_hub(cls, storage: HubStorage, lfs: LfsPolicy) -> type[HubHandler]:
        return type("BoundHubHandler", (cls,), {"storage": storage, "lfs": lfs})

    # ---- plumbing -------------------------------------------------------------------------

    def _send(self, reply: Reply) -> None:
        status, payload, headers = reply
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.reply(status, raw, {"Content-Type": "application/json; charset=utf-8", **headers})

    def _error(self, error: HubError) -> None:
        message = str(error) or type(error).__name__
        one_line = " ".join(message.split())
        extra = {"X-Error-Message": one_line.encode("ascii", "replace").decode("ascii")}
        if error.code:
            extra["X-Error-Code"] = error.code
        extra.update(error.headers or {})
        self._send(Reply(error.status, {"error": message}, extra))

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host}:{port}'}"

    def _stream(self, download: hub_downloads.Download) -> None:
        try:
            self.send_head(download.status, download.headers, download.length)
            if self.command == "HEAD" or download.length == 0:
                return
            with open(download.path, "rb") as handle:
                handle.seek(download.start)
                left = download.length
                while left > 0:
                    block = handle.read(min(left, 1 << 20))
                    if not block:
                        break
                    self.wfile.write(block)
                    left -= len(block)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _handle(self) -> None:
        raw_path = urlsplit(self.path).path
        body = self.read_body() if self.command in ("POST", "PUT", "DELETE", "PATCH") else b""
        try:
            caller = identify(self.storage, self.headers.get("Authorization"))
            answer = self._route(raw_path, [p for p in raw_path.split("/") if p], body, caller)
            if isinstance(answer, hub_downloads.Download):
                self._stream(answer)
            else:
                self._send(answer)
        except HubError as error:
            self._error(error)
        except (ValueError, KeyError, TypeError, AttributeError) as error:  # malformed request
            self._error(BadRequest(f"Bad request: {error!r}"))
        except Exception as error:  # a bug here: say so loudly, once, and answer 500
            traceback.print_exc(file=sys.stderr)
            self._send(Reply(500, {"error": f"Hub stand-in failure: {error!r}"}))

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle

    # ---- routing --------------------------------------------------------------------------

    def _route(
        self, raw_path: str, parts: list[str], body: bytes, caller: Caller
    ) -> Reply | hub_downloads.Download:
        method = self.command
        if parts[:1] == ["api"]:
            return self._api(raw_path, parts[1:], body, caller)
        repo_type = "model"
        if parts[:1] == ["datasets"]:
            repo_type, parts = "dataset", parts[1:]
        if len(parts) == 6 and parts[1].endswith(".git") and parts[2:] == _LFS_BATCH:
            if method == "POST":
                repo_id = f"{unquote(parts[0])}/{unquote(parts[1])[:-4]}"
                payload = json_body(body)
                return hub_uploads.lfs_batch(
                    self.storage, self.lfs, repo_type, repo_id, payload, caller, self._base()
                )
        if len(parts) >= 4 and parts[1] == "resolve" and method in ("GET", "HEAD"):
            raise RepoNotFound(f"Repository Not Found for {unquote(parts[0])}")  # one-part id
        if len(parts) >= 5 and parts[2] == "resolve" and method in ("GET", "HEAD"):
            repo_id = f"{unquote(parts[0])}/{unquote(parts[1])}"
            path = "/".join(unquote(p) for p in parts[4:])
            revision = unquote(parts[3])
            return hub_downloads.resolve(self.storage, repo_type, repo_id, revision, path, caller)
        raise unknown_endpoint(method, raw_path)

    def _api(
        self, raw_path: str, rest: list[str], body: bytes, caller: Caller
    ) -> Reply | hub_downloads.Download:
        """/api/...: accounts, repos by type and id, the pinned file URLs, LFS uploads."""
        method, storage = self.command, self.storage
        if rest == ["whoami-v2"] and method == "GET":
            return hub_accounts.whoami(storage, caller)
        if rest == ["repos", "create"] and method == "POST":
            return hub_accounts.create_repo(storage, json_body(body), caller, self._base())
        if rest == ["repos", "delete"] and method == "DELETE":
            return hub_accounts.delete_repo(storage, json_body(body), caller)
        if rest == ["agent-harnesses"] and method == "GET":  # huggingface_hub telemetry
            return Reply(200, {"standardEnvVars": [], "harnesses": {}})
        if rest[:1] == ["telemetry"]:  # library usage pings (TRL sends them): accepted
            return Reply(200, {})
        if rest == ["validate-yaml"] and method == "POST":
            return hub_accounts.validate_yaml(json_body(body))
        if rest[:1] == ["resolve-cache"] and len(rest) >= 6 and rest[1] in _PLURAL:
            if method in ("GET", "HEAD"):
                repo_id = f"{unquote(rest[2])}/{unquote(rest[3])}"
                path = "/".join(unquote(p) for p in rest[5:])
                revision, wanted = unquote(rest[4]), self.headers.get("Range")
                repo_type = _PLURAL[rest[1]]
                return hub_downloads.download(
                    storage, repo_type, repo_id, revision, path, caller, wanted
                )
        if rest[:1] == ["lfs-upload"] and len(rest) == 5 and rest[1] in _PLURAL:
            if method == "PUT":
                repo_id = f"{unquote(rest[2])}/{unquote(rest[3])}"
                return hub_uploads.lfs_upload(
                    storage, self.lfs, _PLURAL[rest[1]], repo_id, rest[4], self.query(), body
                )
        if len(rest) == 2 and rest[0] in _PLURAL:  # a one-part id, like "gpt2"
            raise RepoNotFound(f"Repository Not Found for {rest[0]}/{unquote(rest[1])}")
        if len(rest) >= 3 and rest[0] in _PLURAL:
            repo_id = f"{unquote(rest[1])}/{unquote(rest[2])}"
            return self._repo_api(_PLURAL[rest[0]], repo_id, rest[3:], body, caller)
        raise unknown_endpoint(method, raw_path)

    def _repo_api(
        self, repo_type: str, repo_id: str, rest: list[str], body: bytes, caller: Caller
    ) -> Reply:
        """/api/{models,datasets}/{owner}/{name}/...: one repo's info, files, history, writes."""
        method, query, storage = self.command, self.query(), self.storage
        what = rest[0] if rest else ""
        revision = unquote(rest[1]) if len(rest) >= 2 else DEFAULT_BRANCH
        if method == "GET" and (not rest or (what == "revision" and len(rest) == 2)):
            repo = readable(storage, repo_type, repo_id, caller)
            commit = storage.commit_at(repo, revision)
            expand = query.get("expand", []) + query.get("expand[]", [])
            info = hub_listing.repo_info(repo, commit, _flag(query.get("blobs", [])), expand)
            return Reply(200, info)
        if method == "GET" and what == "tree" and len(rest) >= 2:
            repo = readable(storage, repo_type, repo_id, caller)
            commit = storage.commit_at(repo, revision)
            folder = unquote("/".join(rest[2:])).strip("/")
            recursive, expand = _flag(query.get("recursive", [])), _flag(query.get("expand", []))
            entries = hub_listing.tree_entries(storage, repo, commit, folder, recursive, expand)
            return Reply(200, entries)
        if method == "POST" and what == "paths-info" and len(rest) == 2:
            repo = readable(storage, repo_type, repo_id, caller)
            commit = storage.commit_at(repo, revision)
            paths, expand = self._paths_request(body)
            return Reply(200, hub_listing.path_info(storage, repo, commit, paths, expand))
        if method == "GET" and rest == ["refs"]:
            repo = readable(storage, repo_type, repo_id, caller)
            return Reply(200, hub_listing.refs_json(repo, "include_prs" in query))
        if method == "GET" and what == "commits" and len(rest) == 2:
            repo = readable(storage, repo_type, repo_id, caller)
            head = storage.commit_at(repo, revision).oid
            return Reply(200, [hub_listing.commit_json(c) for c in storage.history_of(repo, head)])
        if method == "GET" and what == "auth-check" and rest[1:] in ([], ["write"]):
            if rest[1:] == ["write"]:
                writable(storage, repo_type, repo_id, caller)
            else:
                downloadable(storage, repo_type, repo_id, caller)
            return Reply(200, {"ok": True})
        if what in ("xet-write-token", "xet-read-token"):
            raise BadRequest(NO_XET)
        return self._repo_writes(repo_type, repo_id, rest, body, caller)

    def _repo_writes(
        self, repo_type: str, repo_id: str, rest: list[str], body: bytes, caller: Caller
    ) -> Reply:
        method, storage = self.command, self.storage
        what = rest[0] if rest else ""
        if method == "POST" and what in ("preupload", "commit") and len(rest) == 2:
            if "create_pr" in self.query():
                raise BadRequest("Pull requests are not supported by the Hub stand-in")
        if method == "POST" and what == "preupload" and len(rest) == 2:
            return hub_uploads.preupload(
                storage, self.lfs, repo_type, repo_id, unquote(rest[1]), body, caller
            )
        if method == "POST" and what == "commit" and len(rest) == 2:
            return hub_uploads.commit(
                storage, repo_type, repo_id, unquote(rest[1]), body, caller, self._base()
            )
        if what in ("branch", "tag") and len(rest) == 2 and method in ("POST", "DELETE"):
            return hub_uploads.change_ref(
                storage, method, repo_type, repo_id, what, unquote(rest[1]), body, caller
            )
        if method == "PUT" and rest == ["settings"]:
            return hub_accounts.update_settings(storage, repo_type, repo_id, body, caller)
        raise unknown_endpoint(method, self.path)

    def _paths_request(self, body: bytes) -> tuple[list[str], bool]:
        """The paths (and expand flag) of a paths-info request, sent as JSON or as a form."""
        if "json" in self.headers.get("Content-Type", ""):
            payload = json_body(body)
            paths = payload.get("paths", [])
            expand = payload.get("expand", False) in (True, "true", "True", "1")
        else:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            paths = form.get("paths", [])
            expand = _flag(form.get("expand", []))
        if isinstance(paths, str):
            paths = [paths]
        return [str(p) for p in paths], expand
