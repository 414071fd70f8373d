"""Checkpoints that survive a kill or a disconnect: resume from the newest complete one.

The Trainer writes a checkpoint folder file by file: the adapter, the optimizer and scheduler
state, the random-number state, and ``trainer_state.json`` last. A run killed in between leaves
a folder named like a checkpoint that cannot be resumed. So a checkpoint counts only when every
file that resuming reads is there and ``trainer_state.json`` parses. An incomplete one is
skipped, with the reason printed, and removed: training writes that step again.

With a Hub repository, the Trainer pushes each checkpoint to its ``last-checkpoint`` folder in
one commit, so on the Hub a checkpoint is whole or absent. After a Colab disconnect the local
disk is empty: the Hub's copy is downloaded when it is newer than anything local, into a
staging folder first, so a download cut short never looks like a checkpoint.

Introduced in notebooks/08_qlora_training.ipynb.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from .config import RUN_REPO

# What resuming reads; trainer_state.json is written last, so it also marks a finished save.
REQUIRED_FILES = (
    "adapter_config.json",
    "adapter_model.safetensors",
    "optimizer.pt",
    "scheduler.pt",
    "trainer_state.json",
)
HUB_FOLDER = "last-checkpoint"  # where hub_strategy="checkpoint" pushes the newest checkpoint
_NUMBERED = re.compile(r"^checkpoint-(\d+)$")

Say = Callable[[str], Any]


def _quiet(message: str) -> None:
    """Say nothing: for the processes other than the first under ``accelerate launch``."""


# ---- what a complete checkpoint is -------------------------------------------------------


def checkpoint_problem(folder: str | os.PathLike) -> str | None:
    """Why ``folder`` cannot be resumed from ("missing optimizer.pt", ...), or None if it can.

    Used within `helpers.checkpoints`.
    """
    folder = Path(folder)
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        return "missing " + ", ".join(missing)
    try:
        int(json.loads((folder / "trainer_state.json").read_text())["global_step"])
    except (OSError, ValueError, KeyError, TypeError):
        return "trainer_state.json is cut short"
    return None


def trainer_state(folder: str | os.PathLike) -> dict[str, Any]:
    """The saved ``trainer_state.json`` of a checkpoint. Introduced in notebooks/08_qlora_training.ipynb."""
    return json.loads((Path(folder) / "trainer_state.json").read_text())


def local_checkpoints(output_dir: str | os.PathLike) -> tuple[dict[Path, int], dict[Path, str]]:
    """Checkpoint folders in ``output_dir``: the complete ones with their step, the others with
    what is wrong. Introduced in notebooks/08_qlora_training.ipynb."""
    folder = Path(output_dir)
    complete: dict[Path, int] = {}
    broken: dict[Path, str] = {}
    if not folder.is_dir():
        return complete, broken
    for path in sorted(folder.iterdir()):
        if not path.is_dir() or not _NUMBERED.match(path.name):
            continue
        problem = checkpoint_problem(path)
        if problem:
            broken[path] = problem
        else:
            complete[path] = int(trainer_state(path)["global_step"])
    return complete, broken


# ---- the Hub's copy ------------------------------------------------------------------------


def hub_checkpoint_step(hub_repo: str, say: Say = print) -> int | None:
    """The step of the Hub's ``last-checkpoint``, or None when nothing was pushed yet.

    Used within `helpers.checkpoints`.
    """
    from .hub import HubOfflineError, RepoMissingError, pull_file

    try:
        path = pull_file(hub_repo, f"{HUB_FOLDER}/trainer_state.json", repo_type="model")
    except RepoMissingError:
        return None  # a first run: no repository, or no checkpoint in it yet
    except HubOfflineError:
        say(f"Could not reach the Hub to look for a checkpoint in {hub_repo}.")
        return None
    try:
        return int(json.loads(Path(path).read_text())["global_step"])
    except (ValueError, KeyError, TypeError):
        say(f"Skipped {hub_repo}'s {HUB_FOLDER}: its trainer_state.json is unreadable.")
        return None


def download_hub_checkpoint(hub_repo: str, output_dir: str | os.PathLike, say: Say = print):
    """Download the Hub's ``last-checkpoint`` into ``output_dir`` as ``checkpoint-<step>``;
    returns that folder, or None when it is incomplete. Used within `helpers.checkpoints`.

    It is stored under its step's name, like any local checkpoint: the Trainer's pushes leave
    ``checkpoint-*`` folders out, so an old copy never travels back over a newer one.
    """
    from huggingface_hub import snapshot_download

    from .hub import friendly_hub_errors

    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".download-"))
    try:
        with friendly_hub_errors(hub_repo):
            snapshot_download(hub_repo, allow_patterns=[f"{HUB_FOLDER}/*"], local_dir=staging)
        problem = checkpoint_problem(staging / HUB_FOLDER)
        if problem:
            say(f"Skipped {hub_repo}'s {HUB_FOLDER}: {problem}.")
            return None
        target = folder / f"checkpoint-{trainer_state(staging / HUB_FOLDER)['global_step']}"
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / HUB_FOLDER, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


# ---- choosing where to resume from --------------------------------------------------------


def newest_checkpoint(
    output_dir: str | os.PathLike,
    hub_repo: str | None = None,
    say: Say = print,
    remove_incomplete: bool = True,
) -> Path | None:
    """The newest complete checkpoint, in ``output_dir`` or (when newer) on ``hub_repo``.

    Incomplete folders are skipped with the reason printed, and removed unless
    ``remove_incomplete`` is False. Returns None when there is nothing to resume.
    Used within `helpers.checkpoints`.
    """
    complete, broken = local_checkpoints(output_dir)
    for path, problem in broken.items():
        removed = ""
        if remove_incomplete:
            shutil.rmtree(path, ignore_errors=True)
            removed = "; removed it, training writes that step again"
        say(f"Skipped {path.name}: incomplete, {problem} (a run stopped while saving it){removed}.")
    best = max(complete, key=lambda path: complete[path], default=None)
    best_step = complete[best] if best is not None else -1
    if hub_repo:
        step = hub_checkpoint_step(hub_repo, say)
        if step is not None and step > best_step:
            say(f"Downloading checkpoint of step {step} from {hub_repo} ...")
            downloaded = download_hub_checkpoint(hub_repo, output_dir, say)
            if downloaded is not None:
                best = downloaded
    return best


def finished(checkpoint: str | os.PathLike, max_steps: int) -> bool:
    """Whether ``checkpoint`` reached the run's last step (``max_steps``; -1: its own plan).

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    state = trainer_state(checkpoint)
    target = max_steps if max_steps > 0 else int(state["max_steps"])
    return int(state["global_step"]) >= target


class SaveAtEnd(TrainerCallback):
    """Save a checkpoint at the last step too, so a finished run resumes as finished.

    Used within `helpers.checkpoints`.
    """

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step >= state.max_steps:
            control.should_save = True
        return control


def load_checkpoint(trainer: Any, checkpoint: str | os.PathLike) -> None:
    """Put a checkpoint's adapter weights and trainer state into ``trainer``, without training.

    Used within `helpers.checkpoints`.
    """
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file
    from transformers import TrainerState

    weights = load_file(str(Path(checkpoint) / "adapter_model.safetensors"))
    set_peft_model_state_dict(trainer.model, weights)
    trainer.state = TrainerState.load_from_json(str(Path(checkpoint) / "trainer_state.json"))


def resume_training(trainer: Any, resume: bool = True, say: Say = print) -> Any:
    """Train ``trainer`` to its last step, from its newest complete checkpoint if there is one.

    Looks in ``trainer.args.output_dir`` and, when the trainer pushes to the Hub, in its
    repository. A run that already reached its last step trains nothing more: its adapter is
    loaded instead. The final adapter is saved at the top of ``output_dir`` (and pushed).
    Returns the trainer. Introduced in notebooks/08_qlora_training.ipynb.
    """
    from .models import friendly_oom

    args = trainer.args
    if not any(isinstance(c, SaveAtEnd) for c in trainer.callback_handler.callbacks):
        trainer.add_callback(SaveAtEnd())
    if not trainer.is_world_process_zero():
        say = _quiet
    hub_repo = args.hub_model_id if args.push_to_hub else None
    checkpoint = None
    if resume:
        with args.main_process_first(desc="looking for checkpoints"):
            checkpoint = newest_checkpoint(args.output_dir, hub_repo, say)
    if checkpoint is not None and finished(checkpoint, args.max_steps):
        step = trainer_state(checkpoint)["global_step"]
        say(f"{checkpoint} already reached the last step ({step}): nothing left to train.")
        load_checkpoint(trainer, checkpoint)
        if trainer.is_world_process_zero():  # the adapter at the top, for notebook 09
            trainer.model.save_pretrained(args.output_dir)
        return trainer
    if checkpoint is not None:
        say(f"Resuming from {checkpoint} (step {trainer_state(checkpoint)['global_step']}).")
    with friendly_oom("training"):
        trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if hub_repo:  # saves the final adapter at the top of output_dir, then pushes it
        trainer.push_to_hub(commit_message="Final adapter")
    else:
        trainer.save_model(args.output_dir)  # the final adapter (and tokenizer) at the top level
    return trainer


def run_repo(name: str = RUN_REPO, say: Say = print) -> str | None:
    """``<you>/<name>``, the Hub repository a run pushes its checkpoints to; None, saying what
    will not persist, without a token that may write. Introduced in notebooks/08_qlora_training.ipynb."""
    from .hub import can_write, learner_repo

    repo = learner_repo(name)
    if repo is not None and can_write():
        return repo
    reason = "no Hugging Face token" if repo is None else f"your token may not write to {repo}"
    say(
        f"Checkpoints will not be pushed to the Hub ({reason}): they stay in this runtime's "
        "output folder, which a disconnect erases. A 'write' token keeps them in your account "
        "(or set WORKDIR to a folder on Google Drive)."
    )
    return None
