"""The guess sheet on and off Colab: `download_sheet` and `upload_sheet`.

Colab's file picker and browser download (`google.colab.files`) are the edge: a stand-in
module answers as Colab's does, and everything else is real (files, CSV, the checks).
"""

import re
import sys
import types
from dataclasses import dataclass

import pytest

from helpers.human import download_sheet, export_sheet, read_sheet, upload_sheet


@dataclass
class Product:
    """The Item fields the sheet uses."""

    title: str
    price: float

    @property
    def test_prompt(self) -> str:
        return f'How much does this cost?\n\n{self.title}\nline two, with "quotes"\n\nPrice is $'


ITEMS = [Product("Wiper", 20.0), Product("Drill", 100.0), Product("Fridge", 500.0)]


class ColabFiles:
    """What `google.colab.files` does: download sends a file to the browser; upload returns what
    the person picked, {name: bytes}, and also saves a copy in the current folder."""

    def __init__(self, picked=None):
        self.downloaded = []
        self.picked = picked or {}

    def download(self, filename):
        self.downloaded.append(filename)

    def upload(self):
        for name, data in self.picked.items():
            with open(name, "ab") as handle:
                handle.write(data)
        return dict(self.picked)


@pytest.fixture
def colab(monkeypatch):
    files = ColabFiles()
    monkeypatch.setitem(sys.modules, "google.colab", types.SimpleNamespace(files=files))
    return files


def _sheet_bytes(guesses, items=ITEMS):
    rows = [["prompt", "guess"], *[[i.test_prompt, g] for i, g in zip(items, guesses, strict=True)]]
    lines = []
    for row in rows:
        cells = ['"' + c.replace('"', '""') + '"' for c in row]
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def test_off_colab_the_sheet_stays_where_it_is(tmp_path, capsys):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    assert download_sheet(path) == path
    assert str(path.resolve()) in capsys.readouterr().out
    assert upload_sheet(path, ITEMS) is None
    assert "Not on Colab: save your filled sheet as" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="export it first"):
        download_sheet(tmp_path / "absent.csv")


def test_on_colab_the_sheet_is_downloaded_and_a_filled_one_uploaded(
    colab, tmp_path, monkeypatch, capsys
):
    course = tmp_path / "course"
    course.mkdir()
    monkeypatch.chdir(course)
    path = export_sheet(ITEMS, tmp_path / "results" / "sheet.csv")
    download_sheet(path)
    assert colab.downloaded == [str(path)]

    colab.picked = {"my guesses.csv": _sheet_bytes(["25", "", "$480"])}
    assert upload_sheet(path, ITEMS) == path
    assert "Uploaded my guesses.csv: 2 of 3 rows have a guess" in capsys.readouterr().out
    assert [r["guess"] for r in read_sheet(path)] == ["25", "", "$480"]
    assert list(course.iterdir()) == []  # Colab's own copy did not land in the course folder
    assert sorted(p.name for p in path.parent.iterdir()) == ["sheet.csv"]  # no temp files left


@pytest.mark.parametrize(
    "picked, says",
    [
        (
            {"book.xlsx": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb7\xff"},
            "not a CSV file",
        ),
        ({"other.csv": b"name,price\nWiper,20\n"}, "other.csv is not a guess sheet"),
        ({"old.csv": _sheet_bytes(["1", "2", "3"], ITEMS[::-1])}, "old.csv, row 2 (product 1)"),
        ({"a.csv": _sheet_bytes(["1", "2", "3"]), "b.csv": b""}, "Pick one file, not 2"),
    ],
)
def test_a_wrong_upload_never_replaces_the_sheet(colab, tmp_path, picked, says, write_guesses):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    write_guesses(path, ["20", "100", "500"])
    before = path.read_bytes()
    colab.picked = picked
    with pytest.raises(ValueError, match=re.escape(says)):
        upload_sheet(path, ITEMS)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.csv"]


def test_cancelling_the_picker_changes_nothing(colab, tmp_path, capsys):
    path = export_sheet(ITEMS, tmp_path / "sheet.csv")
    assert upload_sheet(path, ITEMS) is None
    assert "No file was picked" in capsys.readouterr().out
