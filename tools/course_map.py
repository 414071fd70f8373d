"""Run times and costs: one table (docs/course_map.toml) that the README and the notebooks share.

    python -m tools.course_map            # write the README's course map and each notebook's line
    python -m tools.course_map --check    # exit 1 if either is stale, or a figure is not the table's

The table holds, for every notebook, what it teaches, what it needs, its smoke and real run
times and its cost, and any other time or cost its text quotes (``figures``). This tool writes:

- README.md's course map, between ``<!-- course-map:start -->`` and ``<!-- course-map:end -->``;
- each notebook's "**Run time:** ... **Cost:** ..." line in its title cell, between
  ``<!-- times:start -->`` and ``<!-- times:end -->``.

and ``--check`` also reads every other line of the notebooks (markdown and code) and of the
README for durations ("about 10 minutes", "2-3 days", "under a minute") and for dollar amounts
in a sentence about cost ("about $0.15 to train"), and fails on any that the table does not hold
for that notebook (or for the whole course, such as the setup cell's 2 minutes). A new figure
goes into the table first; then every place that quotes it can only agree.

Real run times are estimates unless the table says "measured": the course's figures were not
all timed on every GPU, and each notebook prints its own timings when it runs.
Introduced in README.md ("Course map").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tools.notebooks import (
    NOTEBOOKS_DIR,
    REPO_ROOT,
    cell_source,
    course_notebooks,
    notebook_file_text,
)

TABLE = REPO_ROOT / "docs" / "course_map.toml"
README = REPO_ROOT / "README.md"

MAP_START, MAP_END = "<!-- course-map:start -->", "<!-- course-map:end -->"
TIMES_START, TIMES_END = "<!-- times:start -->", "<!-- times:end -->"


# ---- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One notebook's row: what the README's course map and the notebook's title cell say."""

    number: str
    file: str
    title: str
    teaches: str
    needs: str  # "CPU", "GPU", "CPU, API key"...
    smoke: str  # smoke mode, e.g. "under a minute on a CPU"
    real: str  # the real run, in a sentence (say "estimated" or "measured")
    real_short: str  # the same for the README's narrow column
    cost: str  # what it costs in a real run
    cost_short: str  # the same for the README
    figures: dict[str, str] = field(default_factory=dict)  # other times/costs its text quotes
    quotes: list[str] = field(default_factory=list)  # notebooks whose figures it may quote too

    def texts(self) -> list[str]:
        """Every string of the row that may hold a figure."""
        return [
            self.smoke,
            self.real,
            self.real_short,
            self.cost,
            self.cost_short,
            *self.figures.values(),
        ]


@dataclass(frozen=True)
class Table:
    """The whole table: one entry per notebook and the figures the whole course shares."""

    course: dict[str, str]
    entries: dict[str, Entry]  # by number, "01"..

    def allowed(self, number: str | None) -> set[tuple[str, str]]:
        """The figures a notebook (None: the README) may quote: its own and the course's."""
        texts = list(self.course.values())
        if number is None:
            for entry in self.entries.values():
                texts += entry.texts()
        elif number in self.entries:
            entry = self.entries[number]
            texts += entry.texts()
            for other in entry.quotes:
                texts += self.entries[other].texts()
        found: set[tuple[str, str]] = set()
        for text in texts:
            found |= set(durations(text)) | set(costs(text, every=True))
        return found


def load_table(path: str | Path = TABLE) -> Table:
    """The table, read from its TOML file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    entries = {}
    for row in data["notebook"]:
        entry = Entry(**row)
        if entry.number in entries:
            raise ValueError(f"{path}: notebook {entry.number} appears twice")
        entries[entry.number] = entry
    for entry in entries.values():
        unknown = [n for n in entry.quotes if n not in entries]
        if unknown:
            raise ValueError(f"{path}: notebook {entry.number} quotes unknown notebooks {unknown}")
    return Table(course=dict(data.get("course", {})), entries=entries)


# ---- finding figures in text ----------------------------------------------------------------

_WORD_NUMBERS = {
    "a": "1", "an": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10", "twenty": "20",
}  # fmt: skip
_UNITS = {
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "day": "d", "days": "d",
}  # fmt: skip
_NUMBER = r"(?:\d+(?:[.,]\d+)?|" + "|".join(_WORD_NUMBERS) + r")"
_DURATION_RE = re.compile(
    rf"(?<![\w$.,:/-])({_NUMBER})(?:\s*(?:-|–|to)\s*({_NUMBER}))?(\s*|-)"
    rf"({'|'.join(sorted(_UNITS, key=len, reverse=True))})\b(?![-/]\w)",
    re.I,
)
_MONEY_RE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")
_COST_WORDS = re.compile(
    r"\b(cost|costs|costing|bill|billed|billing|pay|paid|spend|spent|spending|charge|charged|"
    r"budget|expected cost|to train)\b",
    re.I,
)


def _number(text: str) -> str:
    text = text.lower()
    return _WORD_NUMBERS.get(text, text.replace(",", ""))


def durations(text: str) -> list[tuple[str, str]]:
    """("13-17", "min") for "13-17 minutes", ("1", "min") for "a minute", ... in reading order.

    A number followed by a time unit, alone or as a range ("2-3 days", "two to three days");
    "a"/"an" count as 1 ("under a minute", "an hour"). Rates per unit ("items/s") are not
    durations.
    """
    found = []
    for match in _DURATION_RE.finditer(text):
        low, high, space, unit = match.groups()
        words = not low[0].isdigit()
        if words and not space:
            continue  # "ones", "tens": a word, not "one s"
        if unit.lower() in ("s", "h") and (words or not space):
            continue  # "21 s" and "8 h" are durations; "a s...", "30s" (a format) are not
        value = _number(low) + (f"-{_number(high)}" if high else "")
        found.append((value, _UNITS[unit.lower()]))
    return found


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?:;])\s+(?=[A-Z*(\"'`])|\n\s*\n|\n\s*[-*]\s|\|", text)


def costs(text: str, every: bool = False) -> list[tuple[str, str]]:
    """("0.15", "$") for each dollar amount in a sentence about cost ("about $0.15 to train").

    With ``every``, every dollar amount counts (the table's own texts are all about cost).
    Amounts in other sentences, such as an error ("$47") or a price ("$19.99"), are not costs.
    """
    found = []
    for sentence in [text] if every else _sentences(text):
        if every or _COST_WORDS.search(sentence):
            found += [(m.group(1).replace(",", ""), "$") for m in _MONEY_RE.finditer(sentence)]
    return found


def figures(text: str) -> list[tuple[str, str]]:
    """Every duration and cost a text quotes."""
    return durations(text) + costs(text)


def shown(figure: tuple[str, str]) -> str:
    value, unit = figure
    return f"${value}" if unit == "$" else f"{value} {unit}"


# ---- rendering ------------------------------------------------------------------------------


def _dollars(text: str) -> str:
    """``text`` with every "$" escaped, so that Jupyter and GitHub never read it as maths."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def times_line(entry: Entry) -> str:
    """A notebook's run time and cost, as its title cell states them."""
    return _dollars(
        f"**Run time:** smoke mode {entry.smoke}. Real mode: {entry.real}.\n**Cost:** {entry.cost}."
    )


def times_block(entry: Entry) -> str:
    return f"{TIMES_START}\n{times_line(entry)}\n{TIMES_END}"


def course_map(table: Table) -> str:
    """README.md's course map: one row per notebook."""
    rows = [
        "| # | Notebook | What it teaches | Needs | Real run time | Cost |",
        "|---|----------|-----------------|-------|---------------|------|",
    ]
    for entry in table.entries.values():
        link = f"[{entry.title}](notebooks/{entry.file})"
        rows.append(
            _dollars(
                f"| {entry.number} | {link} | {entry.teaches} | {entry.needs} | "
                f"{entry.real_short} | {entry.cost_short} |"
            )
        )
    return "\n".join(rows)


def course_map_block(table: Table) -> str:
    return f"{MAP_START}\n{course_map(table)}\n{MAP_END}"


def _replace_block(text: str, start: str, end: str, block: str) -> str | None:
    """``text`` with the block between the markers replaced; None if the markers are missing."""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: block, text, count=1)


# ---- notebooks and the README ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something the table and a file disagree on."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _cells(nb: dict) -> list[dict]:
    return nb.get("cells", [])


def _without_blocks(text: str) -> str:
    for start, end in ((TIMES_START, TIMES_END), (MAP_START, MAP_END)):
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), "", text, flags=re.S)
    return text


def quoted_figures(text: str) -> list[tuple[str, str]]:
    """The durations and costs a text quotes outside the generated blocks."""
    return figures(_without_blocks(text))


def _render_notebook(text: str, entry: Entry) -> str | None:
    """The notebook's new JSON text, or None when its line is already current."""
    nb = json.loads(text)
    cells = _cells(nb)
    title = cell_source(cells[0]) if cells else ""
    updated = _replace_block(title, TIMES_START, TIMES_END, times_block(entry))
    if updated is None:
        raise ValueError(
            f"{entry.file}: the title cell has no {TIMES_START} ... {TIMES_END} block: "
            "add the two markers where the run time and cost belong"
        )
    if updated == title:
        return None
    cells[0]["source"] = updated
    return notebook_file_text(nb)


def _notebook_number(path: Path) -> str:
    return path.name[:2]


def check(
    table: Table | None = None,
    notebooks: Iterable[Path] | None = None,
    readme: Path | None = README,
) -> list[Problem]:
    """Stale blocks, and figures quoted anywhere that the table does not hold."""
    table = table or load_table()
    paths = list(notebooks) if notebooks is not None else course_notebooks(NOTEBOOKS_DIR)
    problems = []
    for path in paths:
        number = _notebook_number(path)
        entry = table.entries.get(number)
        text = path.read_text(encoding="utf-8")
        if entry is None:
            problems.append(Problem(path.name, f"no row for notebook {number} in {TABLE.name}"))
            continue
        try:
            if _render_notebook(text, entry) is not None:
                problems.append(
                    Problem(
                        path.name, "its Run time/Cost line is stale: run python -m tools.course_map"
                    )
                )
        except ValueError as error:
            problems.append(Problem(path.name, str(error)))
        allowed = table.allowed(number)
        for index, cell in enumerate(_cells(json.loads(text))):
            for figure in quoted_figures(cell_source(cell)):
                if figure not in allowed:
                    problems.append(
                        Problem(
                            f"{path.name}: cell {index}",
                            f"quotes {shown(figure)}, which {TABLE.name} does not hold for "
                            f"notebook {number}: add it there (figures) or quote the table's",
                        )
                    )
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        updated = _replace_block(text, MAP_START, MAP_END, course_map_block(table))
        if updated is None:
            problems.append(Problem(readme.name, f"no {MAP_START} ... {MAP_END} block"))
        elif updated != text:
            problems.append(
                Problem(readme.name, "the course map is stale: run python -m tools.course_map")
            )
        allowed = table.allowed(None)
        for number, line in enumerate(text.splitlines(), 1):
            for figure in quoted_figures(line):
                if figure not in allowed:
                    problems.append(
                        Problem(
                            f"{readme.name}: line {number}",
                            f"quotes {shown(figure)}, which {TABLE.name} does not hold",
                        )
                    )
    return problems


def update(
    table: Table | None = None,
    notebooks: Iterable[Path] | None = None,
    readme: Path | None = README,
) -> list[Path]:
    """Write the course map and every notebook's line; the files changed."""
    table = table or load_table()
    paths = list(notebooks) if notebooks is not None else course_notebooks(NOTEBOOKS_DIR)
    changed = []
    for path in paths:
        entry = table.entries.get(_notebook_number(path))
        if entry is None:
            continue
        new = _render_notebook(path.read_text(encoding="utf-8"), entry)
        if new is not None:
            path.write_text(new, encoding="utf-8", newline="\n")
            changed.append(path)
    if readme is not None:
        text = readme.read_text(encoding="utf-8")
        updated = _replace_block(text, MAP_START, MAP_END, course_map_block(table))
        if updated is None:
            raise ValueError(f"{readme}: add {MAP_START} and {MAP_END} where the course map goes")
        if updated != text:
            readme.write_text(updated, encoding="utf-8", newline="\n")
            changed.append(readme)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.course_map",
        description="Write run times and costs from docs/course_map.toml into the README and notebooks.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 on a stale block or a stray figure",
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem)
        if problems:
            print(
                f"{len(problems)} problem(s). Fix the table (docs/course_map.toml), then run "
                "`python -m tools.course_map`."
            )
            return 1
        print("Run times and costs agree with docs/course_map.toml.")
        return 0
    changed = update()
    for path in changed:
        print(f"updated {path.name}")
    print(f"{len(changed)} file(s) updated." if changed else "Everything was already current.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
