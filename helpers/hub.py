"""Your Hugging Face account as the course's memory, and Hub errors that say how to fix them.

On Colab every notebook starts in a new runtime with an empty disk, so what one notebook makes
and a later one needs lives on the Hub, in two repositories of yours:

- ``<you>/pricer-data`` (dataset): the splits from notebook 02 and one results file per model;
- ``<you>/pricer-qlora`` (model): notebook 08's checkpoints and adapter.

Each push is one commit, so a repository never holds half of one. Without a write token the
notebooks keep working on local files and say what will not persist.

Hub failures are sorted by exception type (gated, missing, bad token, no write access,
offline) and re-raised as the matching Python error with the fix in the message.

Introduced in notebooks/02_curate_dataset.ipynb.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .secrets import find_secret


class GatedModelError(PermissionError):
    """A gated repository (Meta's Llama) without a token, or without accepting its licence.

    Used within `helpers.hub`.
    """


class BadTokenError(PermissionError):
    """The Hugging Face token was refused: mistyped, revoked or expired.

    Used within `helpers.hub`.
    """


class NoWriteAccessError(PermissionError):
    """The token can read but not write (a "read" token), or the repository is not yours.

    Used within `helpers.hub`.
    """


class RepoMissingError(FileNotFoundError):
    """No such repository, file or revision on the Hub (or a private one you cannot see).

    Used within `helpers.hub`.
    """


class HubOfflineError(ConnectionError):
    """The Hub could not be reached.

    Used within `helpers.hub`.
    """


TOKEN_STEPS = (
    "  1. Create a token at https://huggingface.co/settings/tokens (a 'write' token lets the\n"
    "     course save your splits, results and adapters to your account).\n"
    "  2. Make it visible: on Colab add a secret named HF_TOKEN (key icon in the left bar, with\n"
    "     notebook access on); locally put HF_TOKEN=... in the course's .env file or run\n"
    "     `hf auth login`. Then restart the kernel and run the notebook from the top."
)
GATED_NO_TOKEN = (
    "{source} is gated: Meta asks you to accept its licence, and the Hub to show a token.\n"
    "  0. Sign in at https://huggingface.co and accept the licence on\n"
    "     https://huggingface.co/{source} (approval usually takes minutes).\n" + TOKEN_STEPS
)
GATED_NO_ACCESS = (
    "Your token works, but its account has no access to {source} yet. Open\n"
    "https://huggingface.co/{source} signed in as that account and accept Meta's licence (the page\n"
    "says when access is granted; usually minutes). Then run the cell again."
)
BAD_TOKEN = (
    "The Hugging Face Hub refused your token while opening {source}:\n"
    "the token is invalid, revoked or expired (this is not about the licence). Make a new one\n"
    "and replace the old:\n" + TOKEN_STEPS
)
NO_WRITE = (
    "Your token may not write to {source}: it is a read token, or the repository belongs to\n"
    "someone else. Create a 'write' token at https://huggingface.co/settings/tokens and use it\n"
    "as HF_TOKEN, or keep working locally (nothing will be saved to your account)."
)
MISSING = "{source} was not found on the Hub (or it is private and not yours). {hint}"
MISSING_HINT = "Check the spelling: models look like 'meta-llama/Llama-3.1-8B'."
OFFLINE = (
    "Could not reach the Hugging Face Hub for {source}. Check the internet connection (on Colab:\n"
    "Runtime > Disconnect and delete runtime, then reconnect), or run the course offline with\n"
    "SMOKE = True."
)


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Connection failures of the HTTP client huggingface_hub uses (httpx2 in 2.x, httpx in 1.x)."""
    import importlib

    found: list[type[BaseException]] = [ConnectionError]
    for module in ("httpx2", "httpx"):
        try:
            found.append(importlib.import_module(module).TransportError)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


@contextlib.contextmanager
def friendly_hub_errors(source: str, hint: str = MISSING_HINT) -> Iterator[None]:
    """Re-raise Hub failures while opening ``source`` as errors that say what to do.

    ``hint`` is added when the repository or file is missing (e.g. which notebook makes it).
    Used by `helpers.checkpoints`, `helpers.inference`, `helpers.models` and others.
    """
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        yield
    except GatedRepoError as error:
        text = GATED_NO_TOKEN if _status(error) == 401 else GATED_NO_ACCESS
        raise GatedModelError(text.format(source=source)) from error
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, *_transport_errors()) as error:
        # Before the missing-file case: LocalEntryNotFoundError ("unreachable, and not in the
        # cache") is a subclass of EntryNotFoundError.
        raise HubOfflineError(OFFLINE.format(source=source)) from error
    except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError) as error:
        raise RepoMissingError(MISSING.format(source=source, hint=hint)) from error
    except HfHubHTTPError as error:
        if _status(error) == 401:
            raise BadTokenError(BAD_TOKEN.format(source=source)) from error
        if _status(error) == 403:
            raise NoWriteAccessError(NO_WRITE.format(source=source)) from error
        raise
    except OSError as error:  # transformers wraps a failed download of a config in OSError
        cause = error.__cause__ or error.__context__
        if isinstance(cause, (GatedRepoError, HfHubHTTPError, LocalEntryNotFoundError)):
            with friendly_hub_errors(source, hint):
                raise cause from error
        raise


# ---- the account ------------------------------------------------------------------------------


def hub_token() -> str | None:
    """The Hub token: HF_TOKEN (environment, .env, Colab secrets) or `hf auth login`'s.

    Used by `helpers.inference`.
    """
    value = find_secret("HF_TOKEN")[0]
    if value:
        return value
    from huggingface_hub import get_token

    return get_token()


@lru_cache(maxsize=8)
def _whoami(token: str, endpoint: str) -> dict[str, Any]:
    from huggingface_hub import HfApi

    with friendly_hub_errors("your account (whoami)"):
        return HfApi(endpoint=endpoint, token=token).whoami()


def account() -> dict[str, Any] | None:
    """Who the token belongs to (the Hub's whoami), or None without a token.

    Raises `BadTokenError` for a refused token. Introduced in notebooks/02_curate_dataset.ipynb.
    """
    token = hub_token()
    if not token:
        return None
    from huggingface_hub import constants

    return _whoami(token, constants.ENDPOINT)


def hub_user() -> str | None:
    """Your Hub user name: HF_USER if set, else the token's account; None without a token.

    Introduced in notebooks/07_base_model.ipynb.
    """
    explicit = find_secret("HF_USER")[0]
    if explicit:
        return explicit
    who = account()
    return who.get("name") if who else None


def can_write() -> bool:
    """Whether the token may push to your repositories ("write" or fine-grained tokens).

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    who = account()
    if not who:
        return False
    role = who.get("auth", {}).get("accessToken", {}).get("role")
    return role in ("write", "fineGrained", None)  # None: an OAuth/session token, which writes


def learner_repo(name: str) -> str | None:
    """``<you>/<name>``, or None when no token says who you are.

    Introduced in notebooks/02_curate_dataset.ipynb.
    """
    user = hub_user()
    return f"{user}/{name}" if user else None


# ---- transfers --------------------------------------------------------------------------------


def push_files(
    repo_id: str,
    files: Mapping[str, str | os.PathLike | bytes],
    message: str,
    repo_type: str = "dataset",
    private: bool = True,
) -> str:
    """Upload ``files`` (path in repo -> local file or bytes) as ONE commit; returns its id.

    Creates the repository (private) if needed. Used by `helpers.results` and `helpers.sampling`.
    """
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(token=hub_token())
    with friendly_hub_errors(repo_id):
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        operations = [
            CommitOperationAdd(
                path_in_repo=name, path_or_fileobj=str(value) if isinstance(value, Path) else value
            )
            for name, value in files.items()
        ]
        info = api.create_commit(repo_id, operations, commit_message=message, repo_type=repo_type)
    return info.oid


def list_files(
    repo_id: str, repo_type: str = "dataset", revision: str | None = None, hint: str = MISSING_HINT
) -> list[str]:
    """Every file path in a Hub repository at ``revision``. Used by `helpers.results` and `helpers.sampling`."""
    from huggingface_hub import HfApi

    with friendly_hub_errors(repo_id, hint):
        return HfApi(token=hub_token()).list_repo_files(
            repo_id, repo_type=repo_type, revision=revision
        )


def head_revision(repo_id: str, repo_type: str = "dataset", hint: str = MISSING_HINT) -> str:
    """The commit id a repository's main branch points at now, so several files come from one
    commit. Used by `helpers.results` and `helpers.sampling`."""
    from huggingface_hub import HfApi

    with friendly_hub_errors(repo_id, hint):
        return HfApi(token=hub_token()).repo_info(repo_id, repo_type=repo_type).sha


def pull_file(
    repo_id: str,
    filename: str,
    repo_type: str = "dataset",
    revision: str | None = None,
    hint: str = MISSING_HINT,
) -> Path:
    """Download one file (cached in the Hub cache); its local path.

    Used by `helpers.checkpoints`, `helpers.loaders`, `helpers.results` and `helpers.sampling`.
    """
    from huggingface_hub import hf_hub_download

    with friendly_hub_errors(repo_id, hint):
        return Path(
            hf_hub_download(
                repo_id, filename, repo_type=repo_type, revision=revision, token=hub_token()
            )
        )
