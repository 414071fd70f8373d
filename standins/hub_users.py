"""The Hub stand-in's users and their access tokens, kept in ``<root>/users.json``.

A token has a role, "read" or "write", as on the real Hub. The file is re-read only when it
changes on disk, so a server sees users that a seeding process added while it runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .hub_disk import locked, read_json, write_json
from .hub_errors import BadRequest, Conflict
from .hub_records import NAME_RE, ROLES, now_iso


class UserAccounts:
    """Users and tokens under ``root``; ``HubStorage`` is built on it."""

    root: Path
    _users_cache: tuple[tuple[int, int], dict[str, Any]] | None = None

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
        data = read_json(self._users_file)
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
        if not NAME_RE.fullmatch(name):
            raise BadRequest(f"Invalid user name {name!r}")
        if role not in ROLES:
            raise BadRequest(f"Invalid token role {role!r}: choose from {ROLES}")
        with locked(self.root / ".users.lock"):
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
            write_json(self._users_file, data)

    def token_info(self, token: str) -> dict[str, Any] | None:
        """{"user", "role", "name", "createdAt"} for a known token, else None."""
        info = self._users()["tokens"].get(token)
        return dict(info) if info else None

    def user_info(self, name: str) -> dict[str, Any] | None:
        info = self._users()["users"].get(name)
        return dict(info) if info else None
