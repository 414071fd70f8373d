"""The Hub stand-in's account endpoints: who am I, and creating, deleting and configuring repos.

``GET /api/whoami-v2``, ``POST /api/repos/create`` (409 with the existing repo's URL when it
exists), ``DELETE /api/repos/delete``, ``PUT /api/{models,datasets}/{id}/settings`` and
``POST /api/validate-yaml`` (a README's metadata block).
"""

from __future__ import annotations

import hashlib
from typing import Any

from .background_server import Reply
from .hub_access import Caller, writable
from .hub_errors import BadRequest, Forbidden, HubError, Unauthorized, json_body
from .hub_storage import HubStorage


def whoami(storage: HubStorage, caller: Caller) -> Reply:
    if caller.user is None or caller.token is None:
        raise Unauthorized("You must send 'Authorization: Bearer <token>' to call whoami")
    user, token = caller.user, caller.token
    info = storage.user_info(user) or {}
    access_token = {
        "displayName": token.get("name", ""),
        "role": caller.role,
        "createdAt": token.get("createdAt", ""),
    }
    answer = {
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
        "auth": {"type": "access_token", "accessToken": access_token},
    }
    return Reply(200, answer)


def _private(payload: dict[str, Any]) -> bool | None:
    """The visibility asked for: ``private`` or, in newer clients, ``visibility``."""
    if payload.get("visibility") in ("private", "public"):
        return payload["visibility"] == "private"
    return payload.get("private")


def create_repo(storage: HubStorage, payload: dict[str, Any], caller: Caller, base: str) -> Reply:
    """Create the repo a client asks for; ``base`` is the server's URL, for the repo's URL."""
    user, role = caller.user, caller.role
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
        raise Forbidden(f"Your token has the '{role}' role: creating a repo needs a 'write' token")
    prefix = "" if repo_type == "model" else f"{repo_type}s/"
    url = f"{base}/{prefix}{repo_id}"
    try:
        storage.create_repo(
            repo_id, repo_type=repo_type, private=bool(_private(payload)), author=user
        )
    except HubError as error:
        if error.status == 409:  # the client reads the url of the existing repo
            message = f"You already created this {repo_type} repo"
            return Reply(409, {"error": message, "url": url}, {"X-Error-Message": message})
        raise
    return Reply(200, {"url": url, "name": repo_id, "id": repo_id})


def delete_repo(storage: HubStorage, payload: dict[str, Any], caller: Caller) -> Reply:
    repo_type = payload.get("type") or "model"
    repo_id = f"{payload.get('organization') or caller.user}/{payload.get('name', '')}"
    writable(storage, repo_type, repo_id, caller)
    storage.delete_repo(repo_id, repo_type=repo_type)
    return Reply(200, {})


def update_settings(
    storage: HubStorage, repo_type: str, repo_id: str, body: bytes, caller: Caller
) -> Reply:
    """Change a repo's visibility or gating."""
    writable(storage, repo_type, repo_id, caller)
    payload = json_body(body)
    storage.update_repo(
        repo_id, repo_type=repo_type, private=_private(payload), gated=payload.get("gated")
    )
    return Reply(200, {})


def validate_yaml(payload: dict[str, Any]) -> Reply:
    """Whether a README's metadata block (between ``---`` lines) is a YAML mapping."""
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
            return Reply(400, {"errors": [{"message": message}], "warnings": []})
    return Reply(200, {"errors": [], "warnings": []})
