"""What every repository tool needs about notebooks: where they are, which are the course's,
and how to read a cell. (The tools run without the course installed, e.g. as pre-commit hooks,
so they keep their own root instead of importing helpers.config.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
COURSE_NOTEBOOK = re.compile(r"^\d\d_.+\.ipynb$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notebook: which check, which cell (None: the whole file), why."""

    notebook: str
    check: str
    message: str
    cell: int | None = None

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "notebook"
        return f"{self.notebook}: {where}: [{self.check}] {self.message}"


def cell_source(cell: dict) -> str:
    """A cell's text, whether stored as one string or a list of lines."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cells_of_type(nb: dict, kind: str) -> list[tuple[int, str]]:
    """(index, text) of every cell of ``kind`` ("code" or "markdown")."""
    return [
        (i, cell_source(c)) for i, c in enumerate(nb.get("cells", [])) if c.get("cell_type") == kind
    ]


def code_cells(nb: dict) -> list[tuple[int, str]]:
    """(index, text) of every code cell."""
    return cells_of_type(nb, "code")


def notebook_file_text(nb: dict) -> str:
    """A notebook dict as its file's text: validated, written as Jupyter writes it, one final
    newline (so a rewrite changes only what changed)."""
    import nbformat

    node = nbformat.from_dict(nb)
    nbformat.validate(node)
    out = nbformat.writes(node, version=nbformat.NO_CONVERT)
    return out if out.endswith("\n") else out + "\n"


def read_notebook(path: str | Path) -> dict:
    """A notebook file as its JSON dict."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def course_notebooks(folder: str | Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks of a folder, in course order."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if COURSE_NOTEBOOK.match(p.name))


def notebook_paths(paths: Iterable[str | Path] = ()) -> list[Path]:
    """Notebook files named by ``paths`` (files or folders); the course's when none."""
    found: list[Path] = []
    for item in list(paths) or [NOTEBOOKS_DIR]:
        item = Path(item)
        if item.is_dir():
            found += sorted(p for p in item.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(item)
    return found
