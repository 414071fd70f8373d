"""Notebook check: every imported module is declared (standard library, helpers, Colab's,
requirements.txt or the test extra), so a notebook never fails on a fresh machine.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .notebook_syntax import python_source
from .notebooks import REPO_ROOT, Problem, code_cells

# Modules a notebook may import without a requirements.txt line, with the reason.
ALWAYS_AVAILABLE = {
    "helpers": "this course's own package",
    "google": "provided by Colab (used only inside the guarded setup cell)",
    "IPython": "part of every Jupyter kernel",
}
# Import name -> distribution name, for when the package is not installed here to ask.
IMPORT_TO_DIST = {
    "sklearn": "scikit-learn",
    "dotenv": "python-dotenv",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "skimage": "scikit-image",
    "Levenshtein": "python-levenshtein",
    "google": "google-colab",
}


def normalize(dist: str) -> str:
    """A distribution name in its canonical form (PEP 503): 'Python_Dotenv' -> 'python-dotenv'."""
    return re.sub(r"[-_.]+", "-", dist).lower()


def _requirement_name(line: str) -> str | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return normalize(match.group(0)) if match else None


def _test_extra(pyproject: Path) -> list[str]:
    import tomllib

    text = pyproject.read_text(encoding="utf-8")
    return tomllib.loads(text).get("project", {}).get("optional-dependencies", {}).get("test", [])


def declared_distributions(root: str | Path = REPO_ROOT) -> frozenset[str]:
    """Normalized names of every distribution the course declares: requirements.txt and the
    test extra of pyproject.toml."""
    root = Path(root)
    lines: list[str] = []
    if (root / "requirements.txt").is_file():
        lines += (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    if (root / "pyproject.toml").is_file():
        lines += _test_extra(root / "pyproject.toml")
    return frozenset(n for n in map(_requirement_name, lines) if n)


@lru_cache(maxsize=1)
def _installed_providers() -> dict[str, tuple[str, ...]]:
    try:
        mapping = metadata.packages_distributions()
    except AttributeError:  # only on unusual importlib.metadata back-ports
        return {}
    return {module: tuple(normalize(d) for d in dists) for module, dists in mapping.items()}


def distributions_for(module: str) -> set[str]:
    """Distributions that may provide a top-level import name: installed metadata, the override
    table, and the name itself ('huggingface_hub' -> 'huggingface-hub')."""
    candidates = {normalize(module)}
    candidates.update(_installed_providers().get(module, ()))
    if module in IMPORT_TO_DIST:
        candidates.add(normalize(IMPORT_TO_DIST[module]))
    return candidates


def imported_modules(source: str) -> list[str]:
    """Top-level names of absolute imports in a code cell, in order ('a.b' -> 'a')."""
    code = python_source(source)
    if code is None:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return list(dict.fromkeys(names))


def check_imports(
    nb: dict, name: str = "notebook", declared: Iterable[str] | None = None
) -> list[Problem]:
    """Every imported module is stdlib, helpers, Colab's, or declared in requirements.txt or
    the test extra (``declared``: distribution names; default: this repository's)."""
    declared_set = (
        frozenset(normalize(d) for d in declared)
        if declared is not None
        else declared_distributions()
    )
    problems = []
    for index, source in code_cells(nb):
        for module in imported_modules(source):
            if module in sys.stdlib_module_names or module in ALWAYS_AVAILABLE:
                continue
            if distributions_for(module) & declared_set:
                continue
            guess = IMPORT_TO_DIST.get(module) or next(
                iter(_installed_providers().get(module, ())), module
            )
            problems.append(
                Problem(
                    name,
                    "imports",
                    f"imports {module!r}, which is not in requirements.txt: add a line such as "
                    f"'{guess}>=X.Y  # NN: why', or drop the import",
                    index,
                )
            )
    return problems
