"""Every exercise has a hint, and a worked solution in notebooks/11_exercise_solutions.ipynb.

The solutions notebook runs under nbval with the others (smoke mode), so a solution that no
longer runs fails `make test`; these checks make sure none is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
SOLUTIONS = NOTEBOOKS / "11_exercise_solutions.ipynb"
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if p != SOLUTIONS)


def exercises(path: Path) -> list[str]:
    """The text of each numbered exercise in a notebook's '## Exercises' cell."""
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "markdown" and "## Exercises" in c.source]
    items = re.split(r"^\d+\. ", cell.source.split("## Exercises", 1)[1], flags=re.M)[1:]
    return [item.strip() for item in items]


def solution_sections() -> dict[str, list[int]]:
    """Notebook number -> the exercise numbers the solutions notebook solves for it."""
    sections: dict[str, list[int]] = {}
    current = None
    for cell in nbformat.read(SOLUTIONS, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            heading = re.match(r"## (\d\d) · ", line)
            if heading:
                current = heading.group(1)
                sections[current] = []
            exercise = re.match(r"### Exercise (\d+)", line)
            if exercise and current:
                sections[current].append(int(exercise.group(1)))
    return sections


def test_there_are_ten_lessons_and_a_solutions_notebook():
    assert [p.name[:2] for p in LESSONS] == [f"{n:02d}" for n in range(1, 11)]
    assert SOLUTIONS.exists()


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_every_exercise_has_a_hint(path):
    found = exercises(path)
    assert 2 <= len(found) <= 3
    for number, text in enumerate(found, 1):
        assert re.search(r"\*Hint:?\*", text), f"{path.name} exercise {number} has no *Hint:*"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name[:2])
def test_every_exercise_has_a_solution_and_points_to_it(path):
    sections = solution_sections()
    number = path.name[:2]
    assert sections.get(number) == list(range(1, len(exercises(path)) + 1)), (
        f"the solutions notebook should solve exercises 1-{len(exercises(path))} of {path.name}"
    )
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "## Exercises" in c.source]
    assert "/notebooks/11_exercise_solutions.ipynb" in cell.source
    assert f"(section {number})" in cell.source


def test_every_solution_is_answered_in_words_too():
    """Each exercise's code is followed by an answer that says what it shows."""
    nb = nbformat.read(SOLUTIONS, as_version=4)
    answers = sum(c.source.count("**Answer") for c in nb.cells if c.cell_type == "markdown")
    solved = sum(len(v) for v in solution_sections().values())
    assert answers == solved


def test_the_solutions_record_nothing_on_the_learners_leaderboard():
    nb = nbformat.read(SOLUTIONS, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for call in re.findall(r"Tester\.test\((?:[^()]|\([^()]*\))*\)", code):
        assert "record=False" in call, call
    assert "evaluate_sheet(" not in code or "record=False" in code
    assert re.search(r"^SMOKE = True", code, re.M), "the solutions default to smoke mode"
