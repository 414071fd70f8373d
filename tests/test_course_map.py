"""Run times and costs: one table, written into the README and the notebooks, quoted nowhere else."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from tools import course_map
from tools.course_map import (
    MAP_END,
    MAP_START,
    TIMES_END,
    TIMES_START,
    Entry,
    Table,
    check,
    costs,
    durations,
    load_table,
    update,
)

REPO = Path(__file__).resolve().parent.parent


# ---- finding figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about 13-17 minutes on 2 cores", [("13-17", "min")]),
        ("under a minute on a CPU", [("1", "min")]),
        ("about 1 h 55 min on a T4", [("1", "h"), ("55", "min")]),
        ("two to three days on a free T4", [("2-3", "d")]),
        ("A100 ~8 h, L4 ~21 h", [("8", "h"), ("21", "h")]),
        ("21 s per step, this one 0.32 s", [("21", "s"), ("0.32", "s")]),
        ("an hour for the sheet, a 10-minute game", [("1", "h"), ("10", "min")]),
        (
            "about 3 minutes on Colab (2 cores), 1-2 minutes on a laptop",
            [("3", "min"), ("1-2", "min")],
        ),
    ],
)
def test_durations_are_read_in_every_shape_the_course_writes(text, expected):
    assert durations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "empty ones dropped",  # "one" + "s" is a word, not a duration
        "a few tens of millions",
        'print(f"{f.precision:30s}")',  # a format spec
        "37.1 items/s",  # a rate
        "2 speed gearbox, 12V, 16 GB",
        "takes minutes with no special tools",  # no number: not a quotable figure
    ],
)
def test_words_and_code_that_only_look_like_durations_are_not(text):
    assert durations(text) == []


def test_a_dollar_amount_is_a_cost_only_in_a_sentence_about_cost():
    text = (
        "About $0.13 to train and $0.02 to evaluate. The course's error was $47, "
        "against $146 for the constant. A drill kit at $34.50."
    )
    assert costs(text) == [("0.13", "$"), ("0.02", "$")]
    assert costs("Spent in this run: $1,299.99 simulated") == [("1299.99", "$")]


# ---- the repository as it is ------------------------------------------------------------------


def test_the_readme_and_every_notebook_agree_with_the_table():
    problems = check()
    assert problems == [], "\n".join(map(str, problems))


def test_every_notebook_has_a_row_and_every_row_a_notebook():
    table = load_table()
    notebooks = {p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert {e.file for e in table.entries.values()} == notebooks
    for number, entry in table.entries.items():
        assert entry.file.startswith(number)


def test_every_real_run_time_says_whether_it_was_measured():
    """A duration in a real run's text is either measured or estimated, and says which."""
    for entry in load_table().entries.values():
        for text in (entry.real, entry.real_short):
            if durations(text):
                assert any(w in text for w in ("estimated", "est.", "measured")), (
                    entry.number,
                    text,
                )


def test_the_course_figures_the_brief_fixed_are_the_tables():
    table = load_table()
    assert "about 1 h 55 min" in table.entries["08"].real  # t4 preset (helpers/presets.py)
    assert "8 h 20 min on an A100 or 21 h on an L4" in table.entries["08"].real
    assert "9-17 min on 2 cores" in table.entries["02"].real
    assert (
        "20-30 min on Colab's 2 vCPUs plus the download of about 25 GB" in table.entries["02"].real
    )
    assert "under $0.40" in table.entries["05"].cost
    assert "about $0.10" in table.entries["10"].cost and "about 40 min" in table.entries["10"].real
    assert (
        "about 10 min" in table.entries["07"].real
    )  # not "~15 min" in one place and 10 in another


# ---- the tool on a scratch copy ---------------------------------------------------------------


def _entry(number: str = "01", real: str = "about 5 min (estimated)") -> Entry:
    return Entry(
        number=number,
        file=f"{number}_explore_data.ipynb",
        title="Explore the data",
        teaches="prices",
        needs="CPU",
        smoke="under a minute on a CPU",
        real=real,
        real_short="about 5 min (est.)",
        cost="free",
        cost_short="free",
        figures={"bench": "25-36 s"},
    )


def _course(folder: Path, title_extra: str = "", cell: str = "A cell.") -> tuple[Path, Path]:
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                f"# 01 · Explore\n\n{TIMES_START}\n{TIMES_END}\n{title_extra}"
            ),
            nbformat.v4.new_markdown_cell(cell),
        ]
    )
    path = notebooks / "01_explore_data.ipynb"
    nbformat.write(nb, path)
    readme = folder / "README.md"
    readme.write_text(f"# Course\n\n{MAP_START}\n{MAP_END}\n\nSetup takes about 2 minutes.\n")
    return path, readme


def test_update_writes_both_blocks_and_a_second_run_changes_nothing(tmp_path):
    table = Table(course={"setup": "about 2 min"}, entries={"01": _entry()})
    path, readme = _course(tmp_path)
    assert check(table, [path], readme) != []  # both blocks are empty: stale
    assert update(table, [path], readme) == [path, readme]
    title = nbformat.read(path, as_version=4).cells[0].source
    assert (
        "**Run time:** smoke mode under a minute on a CPU. Real mode: about 5 min (estimated).\n"
        "**Cost:** free." in title
    )
    assert "| 01 | [Explore the data](notebooks/01_explore_data.ipynb) | prices | CPU |" in (
        readme.read_text()
    )
    before = (path.read_bytes(), readme.read_bytes())
    assert update(table, [path], readme) == []
    assert (path.read_bytes(), readme.read_bytes()) == before
    assert check(table, [path], readme) == []


def test_a_figure_the_table_does_not_hold_is_reported_where_it_is(tmp_path):
    table = Table(course={"setup": "about 2 min"}, entries={"01": _entry()})
    path, readme = _course(tmp_path, cell="Curation took 25-36 s; the download about 15 minutes.")
    update(table, [path], readme)
    problems = [str(p) for p in check(table, [path], readme)]
    assert problems == [
        "01_explore_data.ipynb: cell 1: quotes 15 min, which course_map.toml does not hold for "
        "notebook 01: add it there (figures) or quote the table's"
    ]
    readme.write_text(readme.read_text() + "\nFine-tuning costs about $0.99.\n")
    assert any(
        "README.md: line" in p and "$0.99" in p for p in map(str, check(table, [path], readme))
    )


def test_a_changed_table_makes_the_blocks_stale(tmp_path):
    path, readme = _course(tmp_path)
    update(Table(course={}, entries={"01": _entry()}), [path], readme)
    changed = Table(
        course={},
        entries={"01": replace(_entry(real="about 6 min (estimated)"), real_short="6 min (est.)")},
    )
    messages = [str(p) for p in check(changed, [path], readme)]
    assert any("Run time/Cost line is stale" in m for m in messages)
    assert any("course map is stale" in m for m in messages)


def test_a_notebook_without_the_markers_is_told_where_they_go(tmp_path):
    path, readme = _course(tmp_path)
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "# 01 · Explore\n\nNo markers."
    path.write_text(json.dumps(nb))
    messages = [str(p) for p in check(Table({}, {"01": _entry()}), [path], readme)]
    assert any("no <!-- times:start --> ... <!-- times:end --> block" in m for m in messages)


def test_the_cli_check_passes_on_the_repository_and_fails_on_a_stray_figure(
    tmp_path, monkeypatch, capsys
):
    assert course_map.main(["--check"]) == 0
    assert "agree with docs/course_map.toml" in capsys.readouterr().out
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "notebooks", copy / "notebooks")
    shutil.copy(REPO / "README.md", copy / "README.md")
    readme = copy / "README.md"
    readme.write_text(readme.read_text() + "\nNotebook 07 takes about 47 minutes on a T4.\n")
    monkeypatch.setattr(course_map, "NOTEBOOKS_DIR", copy / "notebooks")
    monkeypatch.setattr(course_map, "README", readme)
    monkeypatch.setattr(course_map.check, "__defaults__", (None, None, readme))
    assert course_map.main(["--check"]) == 1
    assert "quotes 47 min" in capsys.readouterr().out


def test_dollars_are_escaped_so_jupyter_and_github_never_typeset_them_as_maths():
    entry = replace(_entry(), cost="about $0.13 to train and $0.02 to evaluate")
    assert "**Cost:** about \\$0.13 to train and \\$0.02 to evaluate." in course_map.times_line(
        entry
    )
    row = course_map.course_map(Table({}, {"01": replace(entry, cost_short="under $0.40")}))
    assert "| under \\$0.40 |" in row
