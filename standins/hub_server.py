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

Where each part lives: ``hub_routes`` (URLs to endpoints), ``hub_access`` (the rules above),
``hub_accounts``, ``hub_listing``, ``hub_uploads`` and ``hub_downloads`` (the endpoints), and
``hub_storage`` (the folder behind them). Seed the storage with ``HubStorage``, serve it with
``serve(root)`` or from a shell::

    python -m standins.hub_server --root /tmp/hub --port 0 [--lfs] [--exit-with-parent]

Introduced in notebooks/01_explore_data.ipynb (the offline run reads the raw catalog from it).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from typing import Any

from .background_server import BackgroundServer, wait_for_exit
from .hub_routes import HubHandler
from .hub_storage import HubStorage
from .hub_uploads import LfsPolicy


class HubServer(BackgroundServer):
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
        lfs_policy = LfsPolicy(enabled=lfs, secret=os.urandom(32))
        super().__init__(HubHandler.for_hub(self.storage, lfs_policy), host, port)

    @property
    def url(self) -> str:
        """The base URL to put in HF_ENDPOINT (no trailing slash)."""
        return self.address


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
    with HubServer(args.root, port=args.port, lfs=args.lfs) as hub:
        print(hub.url, flush=True)
        print(
            "Set HF_ENDPOINT to this URL (before importing huggingface_hub). Ctrl-C stops.",
            flush=True,
        )
        wait_for_exit(args.exit_with_parent)


if __name__ == "__main__":
    main()
