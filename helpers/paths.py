"""Where the course lives on this machine: its checkout (notebooks, .env, requirements.txt).

Used by `helpers.config`, `helpers.secrets` and `helpers.versions`.
"""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The course checkout: where notebooks/ and pyproject.toml are (editable installs, Colab's
    clone), else the current folder when helpers was installed as a plain package elsewhere.

    Used by `helpers.config`, `helpers.secrets` and `helpers.versions`.
    """
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").exists() and (repo / "notebooks").is_dir():
        return repo
    return Path.cwd()
