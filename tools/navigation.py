"""The navigation block at the top of every notebook: a Colab badge, then previous | map | next.

    python -m tools.navigation            # write the blocks into notebooks/*.ipynb
    python -m tools.navigation --check    # exit 1, listing notebooks whose links are stale

The block lives between ``<!-- nav:start -->`` and ``<!-- nav:end -->`` in a markdown cell
(created right after the title cell when missing). Neighbours are the other ``NN_*.ipynb``
files in the same folder, in name order, labelled with their titles: add, rename or retitle
a notebook, then run this again.

Every link is absolute, to the repository on GitHub: a notebook opened in Colab has no
folder around it, so ``../README.md`` or ``02_curate_dataset.ipynb`` would lead nowhere. The
same goes for the links to the glossary and to the exercise solutions in markdown cells: any
link to this course's ``docs/`` or ``notebooks/`` on GitHub is rewritten to REPO and BRANCH, so
a fork that changes REPO below and runs this once has every link pointing at its own copy.
Nothing else changes, and a file already current is not rewritten (running it twice changes
nothing).

Working from a fork? Change REPO below so the badges and links open your copy.
Introduced in README.md ("Checks before you commit").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from tools.notebooks import (
    COURSE_NOTEBOOK,
    NOTEBOOKS_DIR,
    cell_source,
    course_notebooks,
    notebook_file_text,
    read_notebook,
)

REPO = "pricer-course/price-is-right"  # GitHub owner/name the Colab badges open; change for a fork
BRANCH = "main"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
NAV_START, NAV_END = "<!-- nav:start -->", "<!-- nav:end -->"
NAV_CELL_ID = "navigation"

_BLOCK_RE = re.compile(re.escape(NAV_START) + r".*?" + re.escape(NAV_END), re.S)


def colab_url(filename: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """Where the Colab badge of a notebook points."""
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{filename}"


def github_url(path: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """A file of the repository on GitHub ("README.md#course-map", "docs/glossary.md#sle")."""
    return f"https://github.com/{repo}/blob/{branch}/{path}"


def course_map_url() -> str:
    """The course map: the table of notebooks, run times and costs in README.md."""
    return github_url("README.md#course-map")


def glossary_url(anchor: str = "") -> str:
    """The glossary, or one of its terms (``anchor`` as GitHub makes it: "sle", "nf4")."""
    return github_url("docs/glossary.md" + (f"#{anchor}" if anchor else ""))


# A link to one of this course's own pages on GitHub, whatever owner/name/branch it names: the
# glossary and other docs, or a numbered notebook (the solutions, a neighbour).
_COURSE_LINK_RE = re.compile(
    r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/blob/[A-Za-z0-9_./-]+?/"
    r"(?=docs/[a-z0-9_-]+\.md|notebooks/\d\d_[a-z0-9_]+\.ipynb)"
)


def retarget_links(text: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """``text`` with every link to the course's docs or notebooks pointed at ``repo``/``branch``."""
    return _COURSE_LINK_RE.sub(f"https://github.com/{repo}/blob/{branch}/", text)


def notebook_title(path: str | Path) -> str:
    """The first heading of the notebook ('01 · Explore the data'), else one made from its name."""
    path = Path(path)
    try:
        cells = read_notebook(path).get("cells", [])
    except (OSError, ValueError):
        cells = []
    for cell in cells[:1]:
        match = re.match(r"#\s+(.+)", cell_source(cell).strip())
        if cell.get("cell_type") == "markdown" and match:
            return match.group(1).strip()
    number, _, words = path.stem.partition("_")
    return f"{number} · {words.replace('_', ' ').capitalize()}"


def nav_block(
    filename: str, previous: tuple[str, str] | None, following: tuple[str, str] | None
) -> str:
    """The markdown between (and including) the markers. ``previous`` and ``following`` are
    (file name, title) of the neighbours, None at either end of the course."""
    badge = f"[![Open In Colab]({BADGE})]({colab_url(filename)})"
    back = (
        f"[← {previous[1]}]({github_url('notebooks/' + previous[0])})"
        if previous
        else "← start of the course"
    )
    forward = (
        f"[{following[1]} →]({github_url('notebooks/' + following[0])})"
        if following
        else "end of the course →"
    )
    middle = f"[Course map]({course_map_url()}) | [Glossary]({glossary_url()})"
    return f"{NAV_START}\n{badge}\n\n{back} | {middle} | {forward}\n{NAV_END}"


def _expected_blocks(paths: list[Path]) -> dict[Path, str]:
    """The navigation block each notebook should carry, given its folder's notebooks."""
    expected = {}
    folders = {p.parent for p in paths}
    for folder in folders:
        siblings = course_notebooks(folder)
        titles = {p: notebook_title(p) for p in siblings}
        for i, path in enumerate(siblings):
            if path not in paths:
                continue
            previous = (siblings[i - 1].name, titles[siblings[i - 1]]) if i > 0 else None
            following = (
                (siblings[i + 1].name, titles[siblings[i + 1]]) if i + 1 < len(siblings) else None
            )
            expected[path] = nav_block(path.name, previous, following)
    return expected


def _new_nav_cell(nb: dict, block: str) -> dict:
    cell: dict = {"cell_type": "markdown", "metadata": {}, "source": block}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        taken = {c.get("id") for c in nb.get("cells", [])}
        cell["id"] = NAV_CELL_ID if NAV_CELL_ID not in taken else f"{NAV_CELL_ID}-{len(taken)}"
    return cell


def apply_block(nb: dict, block: str) -> bool:
    """Put ``block`` into the notebook (a dict as json.load gives it), and point every link to
    the course's pages at REPO; True if anything changed."""
    cells = nb.setdefault("cells", [])
    changed, placed = False, False
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell_source(cell)
        updated = retarget_links(source)
        if not placed and NAV_START in source and NAV_END in source:
            updated = _BLOCK_RE.sub(lambda _: block, updated, count=1)
            placed = True
        if updated != source:
            cell["source"] = updated
            changed = True
    if not placed:
        title_first = bool(cells) and cells[0].get("cell_type") == "markdown"
        cells.insert(1 if title_first else 0, _new_nav_cell(nb, block))
        changed = True
    return changed


def render(text: str, block: str) -> str | None:
    """The new file text for a notebook's JSON ``text``, or None when it is already current."""
    nb = json.loads(text)
    if not apply_block(nb, block):
        return None
    return notebook_file_text(nb)


def stale_notebooks(paths: Iterable[str | Path] = ()) -> list[Path]:
    """Notebooks whose navigation block is missing or out of date (nothing is written)."""
    targets = _targets(paths)
    expected = _expected_blocks(targets)
    return [p for p in targets if render(p.read_text(encoding="utf-8"), expected[p]) is not None]


def update_notebooks(paths: Iterable[str | Path] = ()) -> list[Path]:
    """Write the current navigation block into each notebook; returns the files changed."""
    targets = _targets(paths)
    expected = _expected_blocks(targets)
    changed = []
    for path in targets:
        new = render(path.read_text(encoding="utf-8"), expected[path])
        if new is not None:
            path.write_text(new, encoding="utf-8", newline="\n")
            changed.append(path)
    return changed


def _targets(paths: Iterable[str | Path]) -> list[Path]:
    targets: list[Path] = []
    for item in list(paths) or [NOTEBOOKS_DIR]:
        item = Path(item).resolve()
        if item.is_dir():
            targets += course_notebooks(item)
        elif COURSE_NOTEBOOK.match(item.name):
            targets.append(item)
        else:
            print(f"skipped {item.name}: not a numbered course notebook (NN_name.ipynb)")
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.navigation",
        description="Write the Colab badge and previous | course map | next links into notebooks.",
    )
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any block is stale"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_notebooks(args.paths)
        for path in stale:
            print(f"stale navigation: {path.name}")
        if stale:
            print("Run `python -m tools.navigation` and commit the notebooks it changes.")
            return 1
        print("Navigation is current.")
        return 0
    changed = update_notebooks(args.paths)
    for path in changed:
        print(f"updated {path.name}")
    print(f"{len(changed)} notebook(s) updated." if changed else "Navigation was already current.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
