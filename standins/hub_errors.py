"""The Hub stand-in's refusals: each error knows the HTTP status and X-Error-Code the real Hub
answers with, so storage code raises them and the server turns them into responses."""

from __future__ import annotations

import json
from typing import Any


class HubError(Exception):
    """A request the Hub refuses; ``status`` and ``code`` are what the server answers."""

    status = 400
    code: str | None = None
    headers: dict[str, str] | None = None  # extra response headers, such as X-Repo-Commit


class BadRequest(HubError):
    status = 400


class Unauthorized(HubError):
    status = 401


class Forbidden(HubError):
    status = 403


class RepoNotFound(HubError):
    status = 404
    code = "RepoNotFound"


class RevisionNotFound(HubError):
    status = 404
    code = "RevisionNotFound"


class EntryNotFound(HubError):
    status = 404
    code = "EntryNotFound"


class GatedRepo(HubError):
    code = "GatedRepo"


class Conflict(HubError):
    status = 409


class PreconditionFailed(HubError):
    status = 412


def with_headers(error: HubError, headers: dict[str, str]) -> HubError:
    """``error``, answered with these extra headers."""
    error.headers = headers
    return error


def unknown_endpoint(method: str, path: str) -> HubError:
    error = HubError(f"Unknown endpoint {method} {path}: the Hub stand-in does not serve it")
    error.status = 404
    return error


def json_body(body: bytes) -> Any:
    """A request body as JSON ({} when empty), or BadRequest."""
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError:
        raise BadRequest("The request body is not valid JSON") from None
