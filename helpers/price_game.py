"""The price-guessing game: one product at a time, a guess, the truth and the running score.

`PriceGame` holds the rules as a plain class (tests drive it directly); `GameView` is a thin
ipywidgets face over it that only forwards clicks and shows text; `play` lets a stand-in
player go through it in automated runs. A guess is read by `helpers.human.parse_guess`, as on
the guess sheet.

Introduced in notebooks/04_human_baseline.ipynb.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .human import parse_guess
from .results import Result, record
from .scoring import GREEN, PLOT_COLOURS, Score, colour_for, score


@dataclass(frozen=True)
class Feedback:
    """What the game says after an answer. ``accepted`` is False when the answer was refused.

    Used within `helpers.price_game`.
    """

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
        colour = PLOT_COLOURS.get(result.colour or "", "#555")
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
