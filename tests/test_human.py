"""The guess sheet (export, guard, import, scoring) and the price game, played without a browser."""

import csv
from dataclasses import dataclass, field

import pytest

from helpers.human import (
    SheetGuesses,
    TypicalPricePlayer,
    count_guesses,
    evaluate_sheet,
    export_sheet,
    fill_sheet,
    parse_guess,
    read_guesses,
    read_sheet,
)
from helpers.price_game import GameView, PriceGame, play
from helpers.results import load_results


@dataclass
class Product:
    """The Item fields the sheet and the game use."""

    title: str
    price: float
    category: str = "Automotive"
    text: str = ""
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        self.text = self.text or f"{self.title}\nA fine {self.title.lower()} <b>for</b> you."

    @property
    def test_prompt(self) -> str:
        return f'How much does this cost to the nearest dollar?\n\n{self.title}\nline two, with "quotes"\n\nPrice is $'


ITEMS = [
    Product("Wiper", 20.0),
    Product("Drill", 100.0, "Tools"),
    Product("Fridge", 500.0, "Appliances"),
]


# ---- parse_guess ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, dollars",
    [
        ("49.99", 49.99),
        (" 12 ", 12.0),
        ("$1,299", 1299.0),
        ("$ 5.5", 5.5),
        ("0", 0.0),
        (".5", 0.5),
        (7, 7.0),
        ("30.", 30.0),
    ],
)
def test_parse_guess_reads_what_people_type(raw, dollars):
    assert parse_guess(raw) == pytest.approx(dollars)


@pytest.mark.parametrize(
    "raw, says",
    [
        ("", "no guess"),
        ("   ", "no guess"),
        (None, "no guess"),
        ("twelve", "not a number"),
        ("12 dollars", "not a number"),
        ("1.2.3", "not a number"),
        ("nan", "not a number"),
        ("-5", "negative"),
        (-5.0, "negative"),
        (float("inf"), "finite"),
        (True, "not a price"),
    ],
)
def test_parse_guess_refuses_bad_input_saying_why(raw, says):
    with pytest.raises(ValueError, match=says):
        parse_guess(raw)


# ---- the sheet ---------------------------------------------------------------------------------------


def test_export_writes_prompts_and_an_empty_guess_column(tmp_path):
    path = export_sheet(ITEMS, tmp_path / "sub" / "sheet.csv", size=2)
    rows = read_sheet(path)
    # Newlines and quotes inside a prompt survive the round trip.
    assert [r["prompt"] for r in rows] == [i.test_prompt for i in ITEMS[:2]]
    assert [r["guess"] for r in rows] == ["", ""]
    assert count_guesses(path) == 0
    assert count_guesses(tmp_path / "absent.csv") == 0


def test_round_trip_scores_the_guesses_and_records_human(tmp_path, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["$25", "100", "1,000"])
    assert read_guesses(path, ITEMS) == [25.0, 100.0, 1000.0]
    board = tmp_path / "results"
    report = evaluate_sheet(path, ITEMS, results_dir=board, show=False)
    assert report.name == "Human"
    assert report.guesses == [25.0, 100.0, 1000.0]
    assert report.score.mae == pytest.approx((5 + 0 + 500) / 3)
    assert report.score.hit_rate == pytest.approx(2 / 3)
    assert load_results(board, hub=False)["Human"].count == 3


def test_export_keeps_a_sheet_that_holds_guesses(tmp_path, capsys, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["25", "", ""])
    before = path.read_bytes()
    export_sheet(ITEMS, path)
    assert path.read_bytes() == before
    assert "already holds 1 guesses" in capsys.readouterr().out
    export_sheet(ITEMS, path, overwrite=True)
    assert count_guesses(path) == 0


def test_export_rewrites_a_blank_sheet_and_refuses_a_foreign_file(tmp_path):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv", size=1)
    export_sheet(ITEMS, path, size=3)  # still blank: nothing to lose
    assert len(read_sheet(path)) == 3
    other = tmp_path / "notes.csv"
    other.write_text("name,score\nann,3\n")
    with pytest.raises(FileExistsError, match="not a guess sheet"):
        export_sheet(ITEMS, other)
    assert other.read_text() == "name,score\nann,3\n"


def test_import_names_every_missing_or_garbled_row(tmp_path, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["25", "", "lots"])
    with pytest.raises(ValueError) as error:
        read_guesses(path, ITEMS)
    message = str(error.value)
    assert "row 3 (product 2): no guess yet" in message
    assert "row 4 (product 3): 'lots' is not a number" in message
    assert "row 2" not in message
    write_guesses(path, ["25", "-3", "10"])
    with pytest.raises(ValueError, match=r"row 3 \(product 2\): a price cannot be negative"):
        read_guesses(path, ITEMS)


def test_import_catches_a_sheet_from_other_items(tmp_path, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["1", "2", "3"])
    shuffled = [ITEMS[0], ITEMS[2], ITEMS[1]]
    with pytest.raises(ValueError, match=r"row 3 \(product 2\): the prompt is not test item 2's"):
        read_guesses(path, shuffled)
    with pytest.raises(ValueError, match="only 2 items"):
        read_guesses(path, ITEMS[:2])


def test_import_refuses_a_file_without_the_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("question,answer\nx,1\n")
    with pytest.raises(ValueError, match="needs the columns prompt, guess"):
        read_guesses(path)


def test_import_tolerates_spreadsheet_line_endings_and_bom(tmp_path):
    path = tmp_path / "excel.csv"
    prompt = ITEMS[0].test_prompt.replace("\n", "\r\n")
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows([["Prompt", "Guess"], [prompt, " 19 "]])
    assert read_guesses(path, ITEMS) == [19.0]


def test_fill_sheet_only_fills_empty_rows(tmp_path, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["7", "", ""])
    assert fill_sheet(path, ITEMS, lambda item: "42") == 2
    assert read_guesses(path, ITEMS) == [7.0, 42.0, 42.0]
    assert fill_sheet(path, ITEMS, lambda item: "1") == 0


def test_sheet_guesses_answer_by_prompt():
    predictor = SheetGuesses(ITEMS, [1.0, 2.0, 3.0])
    assert [predictor(ITEMS[2]), predictor(ITEMS[0])] == [3.0, 1.0]
    with pytest.raises(KeyError):
        predictor(Product("Unknown", 1.0))


# ---- the stand-in player ------------------------------------------------------------------------


def test_typical_price_player_answers_the_department_median():
    train = [
        Product("a", 10.0),
        Product("b", 30.0),
        Product("c", 20.0),
        Product("d", 400.0, "Tools"),
    ]
    player = TypicalPricePlayer(train)
    assert player(Product("x", 999.0)) == "20"
    assert player(Product("y", 1.0, "Tools")) == "400"
    assert player(Product("z", 1.0, "Unseen")) == "25"  # overall median
    with pytest.raises(ValueError):
        TypicalPricePlayer([])


# ---- the game ---------------------------------------------------------------------------------


def test_game_scores_each_guess_and_reports_the_running_error():
    game = PriceGame(ITEMS)
    assert game.current is ITEMS[0] and game.progress == "1 of 3"
    first = game.submit("25")
    assert first.accepted and first.truth == 20.0 and first.colour == "green"
    assert "off by $5.00" in first.message and "average error $5.00" in first.message
    assert "100% hits over 1 items" in first.message
    assert game.advance() and game.current is ITEMS[1]
    second = game.submit("$300")
    assert second.accepted and second.colour == "red"
    assert "average error $102.50" in second.message and "50% hits over 2 items" in second.message
    game.advance()
    game.submit("500")
    assert game.advance() and game.finished and game.current is None
    s = game.score()
    assert s.count == 3 and s.mae == pytest.approx(205 / 3) and s.hit_rate == pytest.approx(2 / 3)


@pytest.mark.parametrize("bad", ["", "abc", "-10", None])
def test_game_waits_after_a_bad_guess(bad):
    game = PriceGame(ITEMS)
    feedback = game.submit(bad)
    assert not feedback.accepted and feedback.message
    assert game.index == 0 and game.guesses == [] and not game.revealed
    assert not game.advance()  # nothing to move past until a guess is accepted
    assert game.submit("20").accepted


def test_game_refuses_a_second_guess_and_play_after_the_end():
    game = PriceGame(ITEMS, size=1)
    assert game.submit("20").accepted
    again = game.submit("30")
    assert not again.accepted and "Next" in again.message and game.guesses == [20.0]
    game.advance()
    assert game.finished
    assert not game.submit("5").accepted
    assert not game.advance()
    with pytest.raises(ValueError, match="no guesses"):
        PriceGame(ITEMS).score()
    with pytest.raises(ValueError, match="no items"):
        PriceGame([])


def test_play_to_the_end_and_record(tmp_path):
    game = PriceGame(ITEMS)
    feedback = play(game, lambda item: "100")
    assert len(feedback) == 3 and game.finished
    board = tmp_path / "results"
    game.record("Tester (game)", board)
    kept = load_results(board, hub=False)["Tester (game)"]
    assert kept.score.mae == pytest.approx((80 + 0 + 400) / 3)
    with pytest.raises(ValueError, match="refused"):
        play(PriceGame(ITEMS), lambda item: "free")


def test_the_view_forwards_clicks_and_records_at_the_end(tmp_path):
    board = tmp_path / "results"
    view = GameView(PriceGame(ITEMS, size=2), name="Player (game)", results_dir=board)
    assert "Wiper<br>A fine wiper &lt;b&gt;for&lt;/b&gt; you." in view.product.value  # escaped
    assert "1 of 2" in view.heading.value and "Automotive" in view.heading.value
    view.answer.value = "nope"
    assert not view.guess().accepted and "not a number" in view.feedback.value
    assert view.next_button.disabled
    view.answer.value = "20"
    view.guess_button.click()
    assert view.guess_button.disabled and not view.next_button.disabled
    view.next_button.click()
    assert "Drill" in view.product.value and view.answer.value == ""
    view.play(lambda item: "100")
    assert view.game.finished and view.recorded.parent == board
    assert "Final: average error $0.00" in view.feedback.value
    assert "Player (game)" in load_results(board, hub=False)
