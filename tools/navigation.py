"""The navigation block at the top of every notebook: a Colab badge, then previous | map | next.

    python -m tools.navigation            # write the blocks into notebooks/*.ipynb
    python -m tools.navigation --check    # exit 1, listing notebooks whose block is stale

The block lives between ``<!-- nav:start -->`` and ``<!-- nav:end -->`` in a markdown cell
(created right after the title cell when missing); nothing outside the markers changes, and
a file whose block is already current is not rewritten, so running it twice changes nothing.
Neighbours are the other ``NN_*.ipynb`` files in the same folder, in name order, labelled
with their titles: add, rename or retitle a notebook, then run this again.

Working from a fork? Change REPO below so the badges open your copy.
Introduced in README.md ("Checks before you commit").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = "pricer-course/price-is-right"  # GitHub owner/name the Colab badges open; change for a fork
BRANCH = "main"
COURSE_MAP = "../README.md#course-map"
BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
NAV_START, NAV_END = "<!-- nav:start -->", "<!-- nav:end -->"
NAV_CELL_ID = "navigation"

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
_NOTEBOOK_RE = re.compile(r"^\d\d_.+\.ipynb$")
_BLOCK_RE = re.compile(re.escape(NAV_START) + r".*?" + re.escape(NAV_END), re.S)


def colab_url(filename: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """Where the Colab badge of a notebook points."""
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{filename}"


def course_notebooks(folder: str | Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks of a folder, in course order."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if _NOTEBOOK_RE.match(p.name))


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_title(path: str | Path) -> str:
    """The first heading of the notebook ('01 · Explore the data'), else one made from its name."""
    path = Path(path)
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        cells = []
    for cell in cells[:1]:
        match = re.match(r"#\s+(.+)", _source(cell).strip())
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
    back = f"[← {previous[1]}]({previous[0]})" if previous else "← start of the course"
    forward = f"[{following[1]} →]({following[0]})" if following else "end of the course →"
    links = f"{back} | [Course map]({COURSE_MAP}) | {forward}"
    return f"{NAV_START}\n{badge}\n\n{links}\n{NAV_END}"


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
    """Put ``block`` into the notebook (a dict as json.load gives it); True if anything changed."""
    cells = nb.setdefault("cells", [])
    for cell in cells:
        source = _source(cell)
        if cell.get("cell_type") == "markdown" and NAV_START in source and NAV_END in source:
            updated = _BLOCK_RE.sub(lambda _: block, source, count=1)
            if updated == source:
                return False
            cell["source"] = updated
            return True
    title_first = bool(cells) and cells[0].get("cell_type") == "markdown"
    cells.insert(1 if title_first else 0, _new_nav_cell(nb, block))
    return True


def render(text: str, block: str) -> str | None:
    """The new file text for a notebook's JSON ``text``, or None when it is already current."""
    nb = json.loads(text)
    if not apply_block(nb, block):
        return None
    import nbformat

    node = nbformat.from_dict(nb)
    nbformat.validate(node)
    out = nbformat.writes(node, version=nbformat.NO_CONVERT)
    return out if out.endswith("\n") else out + "\n"


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
        elif _NOTEBOOK_RE.match(item.name):
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
