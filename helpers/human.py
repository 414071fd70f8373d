"""The human benchmark: a guess sheet for a person, scored like any model.

A CSV sheet of test prompts with an empty ``guess`` column (`export_sheet`) is filled in with a
spreadsheet and scored back (`read_guesses`, `evaluate_sheet`) as the "Human" predictor; on
Colab the sheet goes to the browser and back with `download_sheet` and `upload_sheet`. The
price-guessing game is `helpers.price_game`. `TypicalPricePlayer` stands in for a person in
automated runs.

`parse_guess` is the one place that says what a valid guess typed by a person is, for the
sheet and the game (what a *model* writes is read by `helpers.prompts.read_price`).
Introduced in notebooks/04_human_baseline.ipynb.
"""

from __future__ import annotations

import csv
import math
import os
import re
import statistics
import sys
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .evaluation import Tester
from .files import atomic_path
from .results import Result

COLUMNS = ("prompt", "guess")
_MONEY = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d*)?|\.\d+)$")


# ---- what counts as a guess ----------------------------------------------------------------


def parse_guess(raw: Any) -> float:
    """A typed guess as dollars: "49.99", "$1,299", " 12 " -> 12.0. Raises ValueError saying why not.

    Empty, non-numeric, negative or infinite guesses are refused with a message a player can act
    on. Introduced in notebooks/04_human_baseline.ipynb.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("no guess yet: type a price in dollars, for example 49.99")
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a price: type a number of dollars, for example 49.99")
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw).strip()
        negative = text.startswith("-")
        match = _MONEY.match(text.lstrip("-").strip())
        if not match:
            raise ValueError(
                f"{text!r} is not a number: type a price in dollars, like 49.99 "
                "(a $ sign and thousands commas are fine)"
            )
        number = float(match.group(1).replace(",", ""))
        if negative and number:
            number = -number
    if not math.isfinite(number):
        raise ValueError(f"{raw!r} is not a price: type a finite number of dollars")
    if number < 0:
        raise ValueError(f"a price cannot be negative ({raw}): type 0 or more")
    return number


# ---- the guess sheet -----------------------------------------------------------------------


def _normal(prompt: str) -> str:
    """A prompt up to whitespace: spreadsheets may rewrite line endings."""
    return " ".join(prompt.split())


def _prompt_problems(rows: Sequence[dict[str, str]], items: Sequence[Any]) -> list[str]:
    """Why the sheet's rows are not the rows exported for ``items`` (empty when they are)."""
    problems = []
    if len(rows) > len(items):
        problems.append(f"{len(rows)} rows, but there are only {len(items)} items")
    for index, (row, item) in enumerate(zip(rows, items, strict=False)):
        if _normal(row["prompt"]) != _normal(item.test_prompt):
            problems.append(
                f"{_sheet_row(index)}: the prompt is not test item {index + 1}'s "
                "(was the sheet exported from other splits, or were rows re-ordered?)"
            )
    return problems


def _sheet_row(index: int) -> str:
    """How a person finds a data row in a spreadsheet: row 1 is the header."""
    return f"row {index + 2} (product {index + 1})"


def read_sheet(path: str | os.PathLike) -> list[dict[str, str]]:
    """The sheet's rows as dicts with "prompt" and "guess" (text, possibly empty).

    Raises ValueError if the file is not a guess sheet. Used within `helpers.human`.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:  # -sig: Excel's byte-order mark
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise ValueError(
                f"{path} is not a guess sheet: it needs the columns {', '.join(COLUMNS)} "
                f"(found {', '.join(header) or 'none'})"
            )
        rows = []
        for raw in reader:
            row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
            rows.append({"prompt": row["prompt"], "guess": row["guess"].strip()})
    return rows


def count_guesses(path: str | os.PathLike) -> int:
    """How many rows of the sheet have something in the guess column (0 if there is no file).

    Introduced in notebooks/04_human_baseline.ipynb.
    """
    path = Path(path)
    if not path.exists():
        return 0
    return sum(bool(row["guess"]) for row in read_sheet(path))


def _write_sheet(path: Path, prompts: Sequence[str], guesses: Sequence[str]) -> None:
    with atomic_path(path) as staging, open(staging, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)  # a half-written sheet never replaces a filled one
        writer.writerow(COLUMNS)
        writer.writerows(zip(prompts, guesses, strict=True))


def export_sheet(
    items: Sequence[Any], path: str | os.PathLike, size: int = 250, overwrite: bool = False
) -> Path:
    """Write the first ``size`` items' test prompts to a CSV with an empty ``guess`` column.

    A sheet that already holds guesses is kept as it is (and a line says so) unless
    ``overwrite=True``: a re-run never wipes a person's work. Introduced in
    notebooks/04_human_baseline.ipynb.
    """
    path = Path(path)
    chosen = list(items[:size])
    if not chosen:
        raise ValueError("no items to export: load the splits first")
    if path.exists() and not overwrite:
        try:
            filled = count_guesses(path)
        except (ValueError, csv.Error, UnicodeDecodeError) as error:
            raise FileExistsError(
                f"{path} exists and is not a guess sheet ({error}). Move it away, choose "
                "another path, or pass overwrite=True to replace it."
            ) from error
        if filled:
            print(
                f"Kept {path}: it already holds {filled} guesses. "
                "Pass overwrite=True to start again from a blank sheet."
            )
            return path
    _write_sheet(path, [item.test_prompt for item in chosen], [""] * len(chosen))
    return path


def read_guesses(path: str | os.PathLike, items: Sequence[Any] | None = None) -> list[float]:
    """Every guess in a filled sheet, as dollars, in row order.

    Each missing or unreadable guess is named by its spreadsheet row in one ValueError. With
    ``items``, each row's prompt must also match the test item in that position, so a sheet
    from another split is caught. Introduced in notebooks/04_human_baseline.ipynb.
    """
    rows = read_sheet(path)
    if not rows:
        raise ValueError(f"{path} has no rows below its header")
    problems = _prompt_problems(rows, items) if items is not None else []
    guesses: list[float] = []
    for index, row in enumerate(rows):
        try:
            guesses.append(parse_guess(row["guess"]))
        except ValueError as error:
            problems.append(f"{_sheet_row(index)}: {error}")
    if problems:
        shown = problems[:10] + (
            [f"... and {len(problems) - 10} more"] if len(problems) > 10 else []
        )
        raise ValueError(f"{path} cannot be scored yet:\n  " + "\n  ".join(shown))
    return guesses


class SheetGuesses:
    """A predictor that answers each item with the guess the sheet holds for its prompt.

    Lets the Tester score a person exactly like a model. Used within `helpers.human`.
    """

    def __init__(self, items: Sequence[Any], guesses: Sequence[float], name: str = "Human") -> None:
        self.name = name
        self._by_prompt: dict[str, deque[float]] = defaultdict(deque)
        for item, guess in zip(items, guesses, strict=True):
            self._by_prompt[_normal(item.test_prompt)].append(guess)

    def __call__(self, item: Any) -> float:
        queue = self._by_prompt.get(_normal(item.test_prompt))
        if not queue:
            raise KeyError(f"the sheet has no guess for {item.title[:40]!r}")
        return queue.popleft()


def evaluate_sheet(
    path: str | os.PathLike,
    items: Sequence[Any],
    name: str = "Human",
    **options: Any,
) -> Result:
    """Score a filled sheet with the Tester, on the items it was exported from, and record it.

    ``options`` are the Tester's (record, show, results_dir). Introduced in
    notebooks/04_human_baseline.ipynb.
    """
    guesses = read_guesses(path, items)
    scored = list(items[: len(guesses)])
    predictor = SheetGuesses(scored, guesses, name=name)
    return Tester.test(predictor, scored, name=name, size=len(scored), **options)


def fill_sheet(path: str | os.PathLike, items: Sequence[Any], player: Callable[[Any], str]) -> int:
    """Let ``player`` (item -> typed answer) fill every empty guess; filled rows are left alone.

    For a stand-in player in automated runs; returns how many guesses it wrote.
    Introduced in notebooks/04_human_baseline.ipynb.
    """
    path = Path(path)
    rows = read_sheet(path)
    by_prompt = {_normal(item.test_prompt): item for item in items}
    written = 0
    for index, row in enumerate(rows):
        if row["guess"]:
            continue
        item = by_prompt.get(_normal(row["prompt"]))
        if item is None:
            raise ValueError(f"{_sheet_row(index)}: no item has this prompt")
        row["guess"] = str(player(item))
        written += 1
    _write_sheet(path, [r["prompt"] for r in rows], [r["guess"] for r in rows])
    return written


# ---- the sheet on and off Colab --------------------------------------------------------------


def _on_colab() -> bool:
    return "google.colab" in sys.modules


def download_sheet(path: str | os.PathLike) -> Path:
    """Hand the sheet to a person: on Colab, a download in the browser; elsewhere, its path.

    On Colab the file lives on Google's machine, not on your computer, hence the download.
    Introduced in notebooks/04_human_baseline.ipynb.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No sheet at {path}: export it first with export_sheet")
    if _on_colab():
        from google.colab import files

        files.download(str(path))
        print(
            f"Your browser is downloading {path.name}. Fill in the guess column, save it as CSV, "
            "then set UPLOAD_SHEET = True and run the upload cell."
        )
    else:
        print(
            f"The sheet is {path.resolve()}: fill in its guess column in a spreadsheet and save "
            "it as CSV under the same name."
        )
    return path


def _check_upload(path: Path, name: str, items: Sequence[Any] | None) -> list[dict[str, str]]:
    """The uploaded file's rows, or ValueError saying why it is not a sheet for ``items``."""
    try:
        rows = read_sheet(path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError(
            f"{name} is not a CSV file ({error.__class__.__name__}). In your spreadsheet choose "
            "File > Download (or Save as) > CSV, and upload that."
        ) from error
    except ValueError as error:
        raise ValueError(str(error).replace(str(path), name, 1)) from error
    if not rows:
        raise ValueError(f"{name} has no rows below its header")
    problems = _prompt_problems(rows, items) if items is not None else []
    if problems:
        raise ValueError(f"{name}, {problems[0]}")
    return rows


def upload_sheet(path: str | os.PathLike, items: Sequence[Any] | None = None) -> Path | None:
    """On Colab, pick the filled sheet in the browser; it replaces ``path`` only if it is one.

    The file is checked first (a CSV with the sheet's columns and, with ``items``, the test
    items' prompts in order), so a wrong file never overwrites a good sheet. Returns the path,
    or None when nothing was picked or this is not Colab (there, save the file as ``path``).
    Introduced in notebooks/04_human_baseline.ipynb.
    """
    path = Path(path)
    if not _on_colab():
        print(f"Not on Colab: save your filled sheet as {path} and run the scoring cell.")
        return None
    from google.colab import files

    # Colab's picker also saves a copy in the current folder: let that be a scratch folder.
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            uploaded = files.upload()
        finally:
            os.chdir(home)
    if not uploaded:
        print(f"No file was picked: {path} is unchanged.")
        return None
    if len(uploaded) > 1:
        raise ValueError(f"Pick one file, not {len(uploaded)} ({', '.join(uploaded)})")
    ((name, data),) = uploaded.items()
    with atomic_path(path) as staging:  # replaces the sheet only if the upload checks out
        staging.write_bytes(data)
        rows = _check_upload(staging, name, items)
    filled = sum(bool(row["guess"]) for row in rows)
    print(f"Uploaded {name}: {filled} of {len(rows)} rows have a guess. Saved as {path}.")
    return path


# ---- a stand-in player ---------------------------------------------------------------------


class TypicalPricePlayer:
    """A stand-in for a person: answers the median training price of the item's department.

    It never sees the item's price, only its category, like a shopper who knows what things
    cost in each aisle. Used where no person plays (the automated smoke run).
    Introduced in notebooks/04_human_baseline.ipynb.
    """

    name = "Typical-price player"

    def __init__(self, train: Sequence[Any]) -> None:
        if not train:
            raise ValueError("the stand-in player learns typical prices from training items")
        prices: dict[str, list[float]] = defaultdict(list)
        for item in train:
            prices[item.category].append(float(item.price))
        self.overall = statistics.median(float(i.price) for i in train)
        self.by_category = {c: statistics.median(p) for c, p in prices.items()}

    def __call__(self, item: Any) -> str:
        """The answer as a person would type it."""
        return f"{self.by_category.get(item.category, self.overall):.0f}"
