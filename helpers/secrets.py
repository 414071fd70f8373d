"""Keys and tokens, found in one place: the environment, a ``.env`` file, or Colab's secrets.

Every helper that needs a secret (the frontier client, the Hub helpers, the environment check)
asks here, so a key set any of the three ways works everywhere, and none is ever printed:
callers get the value to hand to a client, or only where it was found.

Looked up in this order:
1. an environment variable (``export OPENAI_API_KEY=...``);
2. a ``.env`` file at the course's root folder, whatever the current folder (notebooks run in
   ``notebooks/``), or else in the current folder;
3. on Colab, a secret of that name (key icon in the left bar, with notebook access on).

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import repo_root

ENVIRONMENT, DOTENV, COLAB = "environment", ".env file", "Colab secrets"


def dotenv_path() -> Path | None:
    """The ``.env`` file secrets are read from: at the course root, else in the current folder.

    Used within `helpers.secrets`.
    """
    for folder in (repo_root(), Path.cwd()):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def _from_dotenv(name: str) -> str | None:
    path = dotenv_path()
    if path is None:
        return None
    from dotenv import dotenv_values

    return dotenv_values(path).get(name) or None


def _from_colab(name: str) -> str | None:
    if "google.colab" not in sys.modules:
        return None
    from google.colab import userdata

    # A secret that does not exist, or is not shared with this notebook, is simply absent.
    absent = tuple(
        getattr(userdata, error)
        for error in ("SecretNotFoundError", "NotebookAccessError", "TimeoutException")
        if isinstance(getattr(userdata, error, None), type)
    )
    try:
        return userdata.get(name) or None
    except absent:
        return None


def find_secret(name: str) -> tuple[str | None, str | None]:
    """A secret's value and where it was found (environment, .env file, Colab secrets).

    ``(None, None)`` when it is nowhere. Used by `helpers.check_env`, `helpers.frontier.providers` and `helpers.hub`.
    """
    if os.environ.get(name):
        return os.environ[name], ENVIRONMENT
    for source, lookup in ((DOTENV, _from_dotenv), (COLAB, _from_colab)):
        value = lookup(name)
        if value:
            return value, source
    return None, None


def get_secret(name: str) -> str | None:
    """A secret's value, or None. Introduced in notebooks/05_frontier_models.ipynb."""
    return find_secret(name)[0]
