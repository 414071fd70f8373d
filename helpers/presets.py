"""Training sizes that fit the machine and the session, and the progress line that checks them.

The course's full run (400,000 items, one epoch) is about 25,000 steps at batch 16: hours on an
A100, days on a free Colab T4, whose sessions end after a few hours. A preset sizes the run for
a machine: how many items, the batch size, the learning rate, and how often to checkpoint. The
default follows the machine: the smoke preset on a CPU (and in smoke mode), "t4" on a GPU
without bf16 (compute capability below 8: the T4, the V100), "full" on bf16 GPUs (A100, L4,
H100). `helpers.trainer.Progress` then measures the real speed after the first steps and
prints `progress_report`: whether the run fits the session, and how often a checkpoint comes.

Introduced in notebooks/08_qlora_training.ipynb.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .config import settings

MAX_MINUTES_BETWEEN_CHECKPOINTS = 20  # Colab can disconnect at any time: lose at most this much


@dataclass(frozen=True)
class Preset:
    """The sizes of a training run. Introduced in notebooks/08_qlora_training.ipynb."""

    name: str
    machine: str  # what it is sized for
    train_items: int | None  # items trained on, one epoch; None: every training item
    batch_size: int  # sequences per step per GPU
    learning_rate: float  # peak learning rate
    save_steps: int  # a checkpoint (and a Hub push) every N steps
    logging_steps: int  # the loss is printed every N steps
    session: str  # the session the run should fit, in words
    session_hours: float  # ... and in hours


# Step times are ESTIMATES (no T4, L4 or A100 was at hand to measure): QLoRA on Llama 3.1 8B
# with gradient checkpointing costs about 42 GFLOP per token (three passes over 7 billion
# weights), at ~180 tokens per sequence; a GPU sustains about a third of its peak here (A100
# bf16 312 TFLOP/s, L4 121) and a T4 about a fifth of its 65 (power-limited): 2.3 s per step at
# batch 4 on a T4 (which matches the "2-3 days" said for the course's 100,000 T4 steps), 1.2 s
# at batch 16 on an A100, 3.0 s on an L4.
# `Progress` measures the real figure after the first steps.
PRESETS: dict[str, Preset] = {
    "smoke": Preset(
        # The tiny stand-in learns the price distribution within a few dozen steps; it needs a
        # larger learning rate than a pretrained model. Checkpoints every 20 steps give the
        # lesson's resume something to resume from. About 15 s on 2 CPU cores.
        name="smoke",
        machine="any CPU, with the tiny stand-in model",
        train_items=320,  # 40 steps of 8
        batch_size=8,
        learning_rate=2e-3,
        save_steps=20,
        logging_steps=5,
        session="a smoke run",
        session_hours=0.25,
    ),
    "t4": Preset(
        # 3,000 steps: about 1 h 55 min at 2.3 s per step (estimated); a checkpoint every 400
        # steps, about 15 minutes.
        name="t4",
        machine="a free Colab T4 (16 GB, fp16)",
        train_items=12_000,
        batch_size=4,
        learning_rate=1e-4,
        save_steps=400,
        logging_steps=50,
        session="a free Colab session (plan for 3 hours)",
        session_hours=3.0,
    ),
    "full": Preset(
        # The course's run: 25,000 steps (estimated: 8 h 20 min on an A100, a checkpoint every
        # 8 minutes; 21 hours on an L4, two sessions, a checkpoint every 20 minutes).
        name="full",
        machine="an A100 or L4 (bf16); or several sessions joined by resume",
        train_items=None,
        batch_size=16,
        learning_rate=1e-4,
        save_steps=400,
        logging_steps=50,
        session="a Colab Pro session (plan for 12 hours)",
        session_hours=12.0,
    ),
}


def machine_preset() -> str:
    """The preset this machine suits: "smoke" without a GPU, "t4" below compute capability 8.

    Used within `helpers.presets`.
    """
    import torch

    from .models import has_bf16_hardware

    if not torch.cuda.is_available():
        return "smoke"  # a CPU trains only the tiny stand-in model
    return "full" if has_bf16_hardware() else "t4"  # the precision rule: capability 8 or more


def choose_preset(name: str | None = None) -> Preset:
    """The preset called ``name``; by default smoke mode's, else the one this machine suits.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    name = name or settings().training_preset or machine_preset()
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}: choose one of {', '.join(PRESETS)}.")
    return PRESETS[name]


# ---- progress: speed, ETA, and whether the run fits the session ----------------------------


def duration(seconds: float) -> str:
    """A duration as a person says it: "45 s", "12 min", "3 h 05 min".

    Used within `helpers.presets`.
    """
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def progress_report(
    seconds_per_step: float,
    items_per_step: int,
    steps_left: int,
    save_steps: int,
    preset: Preset,
    now: dt.datetime | None = None,
) -> str:
    """Speed, ETA and whether the rest of the run fits ``preset``'s session, as three lines.

    Used by `helpers.trainer`.
    """
    now = now or dt.datetime.now()
    left = seconds_per_step * steps_left
    finish = now + dt.timedelta(seconds=left)
    lines = [
        f"Speed: {seconds_per_step:.2f} s/step, {items_per_step / seconds_per_step:.1f} items/s.",
        f"ETA: {steps_left:,} steps to go, about {duration(left)} (done around {finish:%H:%M}).",
    ]
    sessions = math.ceil(left / (preset.session_hours * 3600))
    if sessions <= 1:
        fits = f"Fits {preset.session}: yes."
    else:
        fits = (
            f"Fits {preset.session}: no, it needs about {sessions} sessions. Checkpoints carry it "
            "over: run the notebook again in a new session and it resumes (or pick a smaller "
            "preset)."
        )
    between = seconds_per_step * save_steps
    fits += f" A checkpoint every {save_steps:,} steps: about every {duration(between)}."
    limit = MAX_MINUTES_BETWEEN_CHECKPOINTS * 60
    if between > limit:
        steps = max(1, int(limit // seconds_per_step))
        fits += f" Set SAVE_STEPS = {steps} for one every {MAX_MINUTES_BETWEEN_CHECKPOINTS} min."
    lines.append(fits)
    return "\n".join(lines)
