"""Training presets: chosen by the machine (torch's device queries patched at the edge), and
the progress line's speed, ETA and session check, computed by hand."""

import datetime as dt
from types import SimpleNamespace

import pytest
import torch
from transformers import TrainerState

from helpers import presets, trainer
from helpers.presets import PRESETS


@pytest.fixture
def gpu(monkeypatch):
    """Pretend torch sees a GPU of the given compute capability."""

    def install(capability):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)

    return install


@pytest.fixture
def real_mode(monkeypatch):
    monkeypatch.setenv("PRICER_SMOKE", "0")


def test_a_t4_gets_the_t4_preset(gpu, real_mode):
    gpu((7, 5))
    assert presets.machine_preset() == "t4"
    assert presets.choose_preset() is PRESETS["t4"]


def test_an_a100_gets_the_full_preset(gpu, real_mode):
    gpu((8, 0))
    assert presets.choose_preset().name == "full"
    gpu((9, 0))  # an H100
    assert presets.choose_preset().name == "full"


def test_a_cpu_gets_the_smoke_preset(monkeypatch, real_mode):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert presets.choose_preset().name == "smoke"


def test_smoke_mode_uses_the_smoke_preset_even_on_a_gpu(gpu):
    gpu((8, 0))  # the test session runs in smoke mode
    assert presets.choose_preset().name == "smoke"


def test_a_named_preset_wins_and_a_wrong_name_says_the_choices(gpu):
    gpu((7, 5))
    assert presets.choose_preset("full").batch_size == 16
    with pytest.raises(ValueError, match="choose one of smoke, t4, full"):
        presets.choose_preset("a100")


def test_the_t4_preset_fits_a_session_with_checkpoints_every_20_minutes():
    t4 = PRESETS["t4"]
    steps = t4.train_items // t4.batch_size
    estimated = 2.3  # seconds per step on a T4 (see the PRESETS comment)
    assert steps * estimated < 0.75 * t4.session_hours * 3600  # room for loading the model
    assert t4.save_steps * estimated <= presets.MAX_MINUTES_BETWEEN_CHECKPOINTS * 60
    full = PRESETS["full"]
    assert full.train_items is None and full.batch_size == 16  # the course's 400,000 items


def test_durations_read_as_a_person_says_them():
    assert presets.duration(42) == "42 s"
    assert presets.duration(15 * 60 + 20) == "15 min"
    assert presets.duration(6000) == "1 h 40 min"
    assert presets.duration(3 * 3600 + 5 * 60) == "3 h 05 min"


NOON = dt.datetime(2025, 1, 6, 12, 0)


def test_a_run_that_fits_its_session():
    report = presets.progress_report(2.0, 4, 3000, 400, PRESETS["t4"], now=NOON)
    assert report.splitlines() == [
        "Speed: 2.00 s/step, 2.0 items/s.",
        "ETA: 3,000 steps to go, about 1 h 40 min (done around 13:40).",
        "Fits a free Colab session (plan for 3 hours): yes. A checkpoint every 400 steps: "
        "about every 13 min.",
    ]


def test_a_run_that_needs_several_sessions_says_how_many_and_how_to_save_often_enough():
    report = presets.progress_report(4.0, 4, 3000, 400, PRESETS["t4"], now=NOON)
    # 3,000 x 4 s = 3 h 20 min: two 3-hour sessions; 400 x 4 s = 27 min between checkpoints
    assert "about 3 h 20 min (done around 15:20)" in report
    assert "no, it needs about 2 sessions" in report
    assert report.endswith("about every 27 min. Set SAVE_STEPS = 300 for one every 20 min.")


def test_progress_prints_once_after_the_first_steps_leaving_out_the_warm_up():
    times = iter([100.0, 102.0, 104.0, 106.0, 108.0, 110.0, 112.0])  # clock at each step end
    printed = []
    progress = trainer.Progress(
        PRESETS["smoke"], after=3, clock=lambda: next(times), report=printed.append
    )
    args = SimpleNamespace(
        per_device_train_batch_size=8, gradient_accumulation_steps=2, world_size=1, save_steps=20
    )
    state = TrainerState(max_steps=60)
    progress.on_train_begin(args, state, None)
    for step in range(1, 8):
        state.global_step = step
        progress.on_step_end(args, state, None)
    assert len(printed) == 1  # after steps 2-4, timed from the end of step 1
    lines = printed[0].splitlines()
    assert lines[0] == "Speed: 2.00 s/step, 8.0 items/s."  # 16 items per optimizer step
    assert lines[1].startswith("ETA: 56 steps to go, about 2 min (done around ")
