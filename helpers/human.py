"""The human benchmark: a guess sheet for a person, and a price-guessing game.

Two ways to find out how well a person prices products from the same text the models read:

- a CSV sheet of test prompts with an empty ``guess`` column (`export_sheet`), filled in with a
  spreadsheet and scored back (`read_guesses`, `evaluate_sheet`) as the "Human" predictor; on
  Colab the sheet goes to the browser and back with `download_sheet` and `upload_sheet`;
- `PriceGame`, a plain class holding the game's rules (one product at a time, a guess, the
  truth revealed with the running error and hit rate), and `GameView`, a thin ipywidgets view
  over it. Tests drive `PriceGame` directly; the view only forwards clicks and shows text.

`parse_guess` is the one place that says what a valid guess is, for the sheet and the game.
Introduced in notebooks/04_human_baseline.ipynb.
"""

from __future__ import annotations

import csv
import html
import math
import os
import re
import statistics
import sys
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .results import Result, record
from .scoring import GREEN, Score, colour_for, score
from .testing import Tester

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


def _same_prompt(a: str, b: str) -> bool:
    """Prompts match up to whitespace (spreadsheets may rewrite line endings)."""
    return a.split() == b.split()


def _sheet_row(index: int) -> str:
    """How a person finds a data row in a spreadsheet: row 1 is the header."""
    return f"row {index + 2} (product {index + 1})"


def read_sheet(path: str | os.PathLike) -> list[dict[str, str]]:
    """The sheet's rows as dicts with "prompt" and "guess" (text, possibly empty).

    Raises ValueError if the file is not a guess sheet. Introduced in notebooks/04_human_baseline.ipynb.
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
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, suffix=".tmp", delete=False, newline="", encoding="utf-8"
    ) as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(zip(prompts, guesses, strict=True))
    os.replace(handle.name, path)  # a half-written sheet never replaces a filled one


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
    problems: list[str] = []
    if items is not None and len(rows) > len(items):
        problems.append(f"the sheet has {len(rows)} rows but there are only {len(items)} items")
    guesses: list[float] = []
    for index, row in enumerate(rows):
        if items is not None and index < len(items):
            if not _same_prompt(row["prompt"], items[index].test_prompt):
                problems.append(
                    f"{_sheet_row(index)}: the prompt is not test item {index + 1}'s "
                    "(was the sheet exported from other splits, or were rows re-ordered?)"
                )
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

    Lets the Tester score a person exactly like a model. Introduced in notebooks/04_human_baseline.ipynb.
    """

    def __init__(self, items: Sequence[Any], guesses: Sequence[float], name: str = "Human") -> None:
        self.name = name
        self._by_prompt: dict[str, deque[float]] = defaultdict(deque)
        for item, guess in zip(items, guesses, strict=True):
            self._by_prompt[" ".join(item.test_prompt.split())].append(guess)

    def __call__(self, item: Any) -> float:
        queue = self._by_prompt.get(" ".join(item.test_prompt.split()))
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
    by_prompt = {" ".join(item.test_prompt.split()): item for item in items}
    written = 0
    for index, row in enumerate(rows):
        if row["guess"]:
            continue
        item = by_prompt.get(" ".join(row["prompt"].split()))
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
    if items is not None:
        if len(rows) > len(items):
            raise ValueError(f"{name} has {len(rows)} rows but there are only {len(items)} items")
        for index, (row, item) in enumerate(zip(rows, items, strict=False)):
            if not _same_prompt(row["prompt"], item.test_prompt):
                raise ValueError(
                    f"{name}, {_sheet_row(index)}: the prompt is not test item {index + 1}'s "
                    "(was the sheet exported from other splits, or were rows re-ordered?)"
                )
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
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False)
    try:
        with handle:
            handle.write(data)
        rows = _check_upload(Path(handle.name), name, items)
        os.replace(handle.name, path)
    finally:
        Path(handle.name).unlink(missing_ok=True)
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


# ---- the game ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """What the game says after an answer. ``accepted`` is False when the answer was refused."""

    accepted: bool
    message: str
    guess: float | None = None
    truth: float | None = None
    colour: str | None = None


class PriceGame:
    """The price-guessing game's rules, with no widgets: tests and scripts play it directly.

    Show ``current`` (an Item), ``submit`` an answer as typed, read the Feedback (the truth,
    the running error and hit rate), then ``advance`` to the next item. A refused answer
    changes nothing: the game waits for a valid one. ``score()`` summarises the guesses so
    far; ``record()`` puts them on the leaderboard. Introduced in notebooks/04_human_baseline.ipynb.
    """

    def __init__(self, items: Sequence[Any], size: int | None = None) -> None:
        self.items = list(items if size is None else items[:size])
        if not self.items:
            raise ValueError("no items to play with: load the splits first")
        self.index = 0
        self.guesses: list[float] = []
        self.truths: list[float] = []
        self.revealed = False

    @property
    def finished(self) -> bool:
        return self.index >= len(self.items)

    @property
    def current(self) -> Any | None:
        """The item to price now (None once the game is over)."""
        return None if self.finished else self.items[self.index]

    @property
    def progress(self) -> str:
        return f"{min(self.index + 1, len(self.items))} of {len(self.items)}"

    def submit(self, raw: Any) -> Feedback:
        """Take an answer for the current item; a refused one leaves the game waiting."""
        if self.finished:
            return Feedback(False, "The game is over: see your score below.")
        if self.revealed:
            return Feedback(False, "You already priced this one: press Next for the next item.")
        try:
            guess = parse_guess(raw)
        except ValueError as error:
            return Feedback(False, str(error)[0].upper() + str(error)[1:] + ".")
        truth = float(self.current.price)
        self.guesses.append(guess)
        self.truths.append(truth)
        self.revealed = True
        colour = colour_for(guess, truth)
        verdict = "A hit!" if colour == GREEN else "Not close enough for a hit."
        so_far = self.score()
        message = (
            f"You said ${guess:,.2f}; the price is ${truth:,.2f} (off by ${abs(guess - truth):,.2f}). "
            f"{verdict} So far: average error ${so_far.mae:,.2f}, "
            f"{so_far.hit_rate:.0%} hits over {so_far.count} items."
        )
        return Feedback(True, message, guess, truth, colour)

    def advance(self) -> bool:
        """Move to the next item after a revealed one; False if there was nothing to move past."""
        if self.finished or not self.revealed:
            return False
        self.index += 1
        self.revealed = False
        return True

    def score(self) -> Score:
        """Error and hit rate over the guesses so far (raises if nothing was guessed yet)."""
        if not self.guesses:
            raise ValueError("no guesses yet")
        return score(self.guesses, self.truths)

    def record(self, name: str, results_dir: str | os.PathLike | None = None) -> Path:
        """Record the player's result under ``name`` (the guessed items only)."""
        if not self.guesses:
            raise ValueError("no guesses yet")
        return record(Result(name, list(self.truths), list(self.guesses)), results_dir)


def play(game: PriceGame, player: Callable[[Any], str]) -> list[Feedback]:
    """Play the whole game with ``player`` (item -> typed answer); a refused answer stops it.

    Introduced in notebooks/04_human_baseline.ipynb.
    """
    feedback = []
    while not game.finished:
        answer = game.submit(player(game.current))
        feedback.append(answer)
        if not answer.accepted:
            raise ValueError(f"the player's answer was refused: {answer.message}")
        game.advance()
    return feedback


# ---- the thin widget view ------------------------------------------------------------------

_COLOURS = {"green": "#2ca02c", "orange": "#ff7f0e", "red": "#d62728"}


class GameView:
    """An ipywidgets face for a `PriceGame`: the product text, a box, Guess and Next buttons.

    Every rule lives in the game; the view shows what it says. When the last item is priced,
    the result is recorded on the leaderboard as ``name``. Introduced in
    notebooks/04_human_baseline.ipynb.
    """

    def __init__(
        self,
        game: PriceGame,
        name: str = "Human (game)",
        results_dir: str | os.PathLike | None = None,
    ) -> None:
        import ipywidgets as widgets

        self.game = game
        self.name = name
        self.results_dir = results_dir
        self.recorded: Path | None = None
        self.heading = widgets.HTML()
        self.product = widgets.HTML(layout=widgets.Layout(max_width="760px"))
        self.answer = widgets.Text(placeholder="your price in dollars, e.g. 49.99", description="$")
        self.guess_button = widgets.Button(description="Guess", button_style="primary")
        self.next_button = widgets.Button(description="Next", disabled=True)
        self.feedback = widgets.HTML()
        self.guess_button.on_click(lambda _: self.guess())
        self.next_button.on_click(lambda _: self.next())
        self.answer.on_submit(lambda _: self.guess())
        controls = widgets.HBox([self.answer, self.guess_button, self.next_button])
        self.widget = widgets.VBox([self.heading, self.product, controls, self.feedback])
        self._show_item()

    def _show_item(self) -> None:
        item = self.game.current
        if item is None:
            self.heading.value = "<h3>Game over</h3>"
            self.product.value = ""
            return
        category = html.escape(item.category.replace("_", " "))
        self.heading.value = f"<h3>Item {self.game.progress} &middot; {category}</h3>"
        text = html.escape(item.text).replace("\n", "<br>")
        self.product.value = f"<div style='line-height:1.4'>{text}</div>"

    def guess(self) -> Feedback:
        """What the Guess button does: hand the typed answer to the game and show its reply."""
        result = self.game.submit(self.answer.value)
        colour = _COLOURS.get(result.colour or "", "#555")
        weight = "bold" if result.accepted else "normal"
        self.feedback.value = f"<span style='color:{colour};font-weight:{weight}'>{html.escape(result.message)}</span>"
        if result.accepted:
            self.guess_button.disabled = True
            self.next_button.disabled = False
        return result

    def next(self) -> None:
        """What the Next button does: move on, or finish and record the result."""
        if not self.game.advance():
            return
        self.answer.value = ""
        self.next_button.disabled = True
        self.guess_button.disabled = self.game.finished
        self._show_item()
        if self.game.finished:
            self.recorded = self.game.record(self.name, self.results_dir)
            s = self.game.score()
            self.feedback.value = (
                f"<b>Final: average error ${s.mae:,.2f}, {s.hit_rate:.0%} hits on {s.count} "
                f"items.</b> Recorded on the leaderboard as {html.escape(self.name)!r}."
            )

    def play(self, player: Callable[[Any], str]) -> None:
        """Type ``player``'s answers into the box and press the buttons, to the end."""
        while not self.game.finished:
            self.answer.value = str(player(self.game.current))
            if not self.guess().accepted:
                raise ValueError(f"the player's answer was refused: {self.feedback.value}")
            self.next()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
