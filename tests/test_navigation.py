"""Navigation blocks: written between the markers, idempotent to the byte, stale ones caught."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tools import navigation
from tools.navigation import NAV_END, NAV_START, stale_notebooks, update_notebooks

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def make_notebook(folder: Path, name: str, title: str, nav: str | None = f"{NAV_START}\n{NAV_END}"):
    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\nWhat it teaches.")]
    if nav is not None:
        cells.append(nbformat.v4.new_markdown_cell(nav))
    cells.append(nbformat.v4.new_code_cell("x = 1"))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    nbformat.write(nb, folder / name)
    return folder / name


@pytest.fixture
def course(tmp_path):
    make_notebook(tmp_path, "01_explore_data.ipynb", "01 · Explore the data", nav=None)
    make_notebook(tmp_path, "02_curate_dataset.ipynb", "02 · Curate the dataset")
    make_notebook(tmp_path, "03_baselines.ipynb", "03 · Baselines")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb"))}


def nav_source(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if NAV_START in c.source]
    return cell.source


def test_colab_url_points_at_the_notebook_in_the_repository():
    assert navigation.colab_url("01_explore_data.ipynb") == (
        "https://colab.research.google.com/github/pricer-course/price-is-right/blob/main/"
        "notebooks/01_explore_data.ipynb"
    )


def test_blocks_link_badge_previous_map_and_next(course):
    assert [p.name for p in update_notebooks([course])] == [
        "01_explore_data.ipynb",
        "02_curate_dataset.ipynb",
        "03_baselines.ipynb",
    ]
    middle = nav_source(course / "02_curate_dataset.ipynb")
    assert middle == (
        f"{NAV_START}\n"
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/pricer-course/price-is-right/blob/main/"
        "notebooks/02_curate_dataset.ipynb)\n\n"
        "[← 01 · Explore the data](https://github.com/pricer-course/price-is-right/blob/main/"
        "notebooks/01_explore_data.ipynb) | "
        "[Course map](https://github.com/pricer-course/price-is-right/blob/main/README.md#course-map)"
        " | [Glossary](https://github.com/pricer-course/price-is-right/blob/main/docs/glossary.md)"
        " | [03 · Baselines →](https://github.com/pricer-course/price-is-right/blob/main/"
        "notebooks/03_baselines.ipynb)\n"
        f"{NAV_END}"
    )
    assert "← start of the course" in nav_source(course / "01_explore_data.ipynb")
    assert "end of the course →" in nav_source(course / "03_baselines.ipynb")


def test_every_link_is_absolute_so_it_works_on_colab(course):
    update_notebooks([course])
    for path in course.glob("*.ipynb"):
        links = re.findall(r"\]\(([^)]+)\)", nav_source(path))
        assert links and all(link.startswith("https://") for link in links), links


def test_links_to_the_course_pages_follow_repo(tmp_path):
    fork = "https://github.com/someone/fork/blob/dev/"
    text = (
        f"[SLE]({fork}docs/glossary.md#sle), [a solution]({fork}notebooks/11_x.ipynb#ex-1), "
        "[genai-prices](https://github.com/pydantic/genai-prices), "
        "[a file](https://github.com/other/repo/blob/main/src/app.py)"
    )
    expected = text.replace(fork, "https://github.com/pricer-course/price-is-right/blob/main/")
    assert navigation.retarget_links(text) == expected
    path = make_notebook(tmp_path, "01_explore_data.ipynb", "01 · Explore")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)
    assert stale_notebooks([path]) == [path]
    update_notebooks([path])
    assert nbformat.read(path, as_version=4).cells[-1].source == expected
    assert stale_notebooks([path]) == []
    assert navigation.retarget_links(expected, "someone/fork", "dev") == text  # and back


def test_a_missing_nav_cell_is_created_right_after_the_title(course):
    update_notebooks([course])
    nb = nbformat.read(course / "01_explore_data.ipynb", as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "markdown", "code"]
    assert nb.cells[1].source.startswith(NAV_START) and nb.cells[1].id == "navigation"
    nbformat.validate(nb)


def test_running_twice_changes_nothing(course):
    update_notebooks([course])
    first = snapshot(course)
    assert update_notebooks([course]) == []
    assert snapshot(course) == first
    assert stale_notebooks([course]) == []
    for content in first.values():  # nbformat's own layout: one-space indent, final newline
        assert content.endswith(b"}\n") and content.startswith(b'{\n "cells": [\n  {\n')


def test_check_finds_neighbours_of_a_new_or_retitled_notebook(course):
    update_notebooks([course])
    make_notebook(course, "04_human_baseline.ipynb", "04 · Human baseline")
    assert [p.name for p in stale_notebooks([course])] == [
        "03_baselines.ipynb",
        "04_human_baseline.ipynb",
    ]
    update_notebooks([course])
    nb = nbformat.read(course / "02_curate_dataset.ipynb", as_version=4)
    nb.cells[0].source = "# 02 · Curate a dataset\n\nRetitled."
    nbformat.write(nb, course / "02_curate_dataset.ipynb")
    assert [p.name for p in stale_notebooks([course])] == [
        "01_explore_data.ipynb",
        "03_baselines.ipynb",
    ]


def test_only_the_text_between_the_markers_changes(tmp_path):
    nav = f"Before the block.\n{NAV_START}\nhand-edited links\n{NAV_END}\nAfter the block."
    path = make_notebook(tmp_path, "01_explore_data.ipynb", "01 · Explore", nav=nav)
    update_notebooks([path])
    source = nav_source(path)
    assert source.startswith(f"Before the block.\n{NAV_START}\n[![Open In Colab]")
    assert source.endswith(f"{NAV_END}\nAfter the block.")
    assert "hand-edited" not in source


def test_cli_check_exits_1_listing_stale_notebooks(course, capsys):
    assert navigation.main(["--check", str(course)]) == 1
    out = capsys.readouterr().out
    assert "stale navigation: 01_explore_data.ipynb" in out
    assert "python -m tools.navigation" in out
    before = snapshot(course)
    assert snapshot(course) == before  # --check writes nothing
    assert navigation.main([str(course)]) == 0
    assert navigation.main(["--check", str(course)]) == 0
    assert "Navigation is current." in capsys.readouterr().out


def test_the_course_notebooks_are_rewritten_only_in_their_nav_cell(tmp_path):
    if not NOTEBOOKS:
        pytest.skip("no notebooks in notebooks/ yet")
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / path.name)
    update_notebooks([tmp_path])
    once = snapshot(tmp_path)
    assert update_notebooks([tmp_path]) == [] and snapshot(tmp_path) == once
    for path in NOTEBOOKS:
        old = json.loads(path.read_text(encoding="utf-8"))
        new = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
        keep = [c for c in new["cells"] if NAV_START not in "".join(c["source"])]
        assert keep == [c for c in old["cells"] if NAV_START not in "".join(c["source"])]
        assert {k: v for k, v in new.items() if k != "cells"} == {
            k: v for k, v in old.items() if k != "cells"
        }


def test_the_course_notebooks_navigation_is_current():
    if not NOTEBOOKS:
        pytest.skip("no notebooks in notebooks/ yet")
    stale = [p.name for p in stale_notebooks([REPO / "notebooks"])]
    assert stale == [], f"run `python -m tools.navigation` and commit: {stale}"
