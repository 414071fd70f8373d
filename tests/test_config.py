"""The smoke switch chooses sources only; both modes expose the same settings."""

from pathlib import Path

import pytest

from helpers.config import CATEGORIES, REAL_BASE_MODEL, configure, settings


def test_smoke_mode_points_every_source_at_local_files(monkeypatch, tmp_path):
    monkeypatch.setenv("PRICER_SMOKE", "1")
    monkeypatch.setenv("PRICER_WORKDIR", str(tmp_path))
    current = settings()
    assert current.smoke
    assert current.raw_source("Appliances") == str(
        tmp_path / "smoke/data/raw/meta_Appliances.jsonl"
    )
    assert Path(current.base_model) == tmp_path / "smoke/models/tiny-llama"
    assert current.leaderboard_path == tmp_path / "smoke/results/leaderboard.json"
    assert not current.push_to_hub
    assert current.n_test == 250


def test_real_mode_points_at_the_hub(monkeypatch, tmp_path):
    monkeypatch.setenv("PRICER_SMOKE", "0")
    monkeypatch.setenv("PRICER_WORKDIR", str(tmp_path))
    monkeypatch.setenv("HF_USER", "learner")
    current = settings()
    assert not current.smoke
    assert current.raw_source("Toys_and_Games").startswith("hf://datasets/McAuley-Lab/")
    assert current.base_model == REAL_BASE_MODEL
    assert (current.n_train, current.n_test) == (400_000, 2_000)
    assert current.data_dir == tmp_path / "data"
    assert current.push_to_hub


def test_configure_sets_the_switch_for_the_process(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PRICER_SMOKE", "0")
    current = configure(smoke=True, workdir=tmp_path)
    assert current.smoke and settings().smoke
    assert "SMOKE" in capsys.readouterr().out
    assert configure(smoke=None).smoke  # None keeps what the environment says


def test_unknown_category_is_named_with_the_choices():
    with pytest.raises(ValueError, match="Appliances"):
        settings().raw_source("Garden")
    assert len(CATEGORIES) == 8
