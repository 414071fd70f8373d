"""Who may do what on the Hub stand-in: the real Hub's access rules.

A bad token gets 401 "Invalid credentials in Authorization header" everywhere. A private repo
exists only for its owner (401 without a token, 404 with another user's; both
``X-Error-Code: RepoNotFound``). A gated repo's info and file list are public, its files are
not: 401 ``GatedRepo`` without a token, 403 ``GatedRepo`` for a user who was not granted
access. Writing needs a write token of the repo's owner (else 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .hub_errors import Forbidden, GatedRepo, RepoNotFound, Unauthorized
from .hub_records import Repo
from .hub_storage import HubStorage

INVALID_TOKEN = "Invalid credentials in Authorization header"


@dataclass(frozen=True)
class Caller:
    """Who sent a request: a user, their token's role and the token's record; or nobody."""

    user: str | None = None
    role: str | None = None
    token: dict[str, Any] | None = None


def identify(storage: HubStorage, authorization: str | None) -> Caller:
    """The caller an Authorization header names (anonymous without one).

    A header with a token this Hub does not know is refused, as the real Hub does.
    """
    if not authorization:
        return Caller()
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(INVALID_TOKEN)
    info = storage.token_info(token)
    if info is None:
        raise Unauthorized(INVALID_TOKEN)
    return Caller(info["user"], info["role"], info)


def readable(storage: HubStorage, repo_type: str, repo_id: str, caller: Caller) -> Repo:
    """The repo if the caller may see it; a private repo is not found for anyone else."""
    user = caller.user
    try:
        repo = storage.repo(repo_id, repo_type=repo_type)
    except RepoNotFound:
        repo = None
    if repo is None or (repo.private and user != repo.owner):
        error = RepoNotFound(f"Repository Not Found for {repo_type}s/{repo_id}")
        if user is None:
            error.status = 401  # the real Hub answers 401 to anonymous callers
        raise error
    return repo


def downloadable(storage: HubStorage, repo_type: str, repo_id: str, caller: Caller) -> Repo:
    """The repo if the caller may download its files (gated repos need a granted user)."""
    repo = readable(storage, repo_type, repo_id, caller)
    user = caller.user
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


def writable(storage: HubStorage, repo_type: str, repo_id: str, caller: Caller) -> Repo:
    """The repo if the caller holds a write token and owns it."""
    if caller.user is None:
        raise Unauthorized("You must be authenticated with a write token to do this")
    repo = readable(storage, repo_type, repo_id, caller)
    if caller.user != repo.owner:
        raise Forbidden(f"You don't have the rights to write to {repo_type}s/{repo_id}")
    if caller.role != "write":
        raise Forbidden(
            f"Your token has the '{caller.role}' role: writing to {repo_type}s/{repo_id} needs a "
            "token with the 'write' role"
        )
    return repo
