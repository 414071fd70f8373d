"""QLoRA fine-tuning with TRL: prompt/completion data, LoRA, SFTConfig, training that resumes.

The base model stays frozen in 4 bits; LoRA adds small trainable matrices to the attention
projections. TRL's `SFTTrainer` trains on prompt/completion records and computes the loss on
the completion only (the price and the end-of-text token), so the model is never taught to
write product descriptions. The course's hyperparameters are the defaults of `Hyperparameters`.

The same `train()` runs from a notebook or as a script, alone or under ``accelerate launch``:

    python -m helpers.training --max-steps 500 --hub-repo you/pricer-qlora
    accelerate launch -m helpers.training --batch-size 16      # every GPU of the machine

Introduced in notebooks/08_qlora_training.ipynb.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import settings

RUN_NAME = "pricer-qlora"  # folder (and default Hub repository name) of a training run


@dataclass
class Hyperparameters:
    """The course's QLoRA settings, each a default you can override.

    Introduced in notebooks/08_qlora_training.ipynb.
    """

    # LoRA: what is trained
    lora_r: int = 32  # rank of the update matrices A (r x d) and B (d x r)
    lora_alpha: int = 64  # the update is scaled by alpha / r = 2
    lora_dropout: float = 0.1  # dropout on the LoRA path, against overfitting
    # the attention projections: query, key, value, output
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    # Optimisation: how it is trained
    epochs: int = 1  # passes over the training data
    max_steps: int = -1  # stop after this many optimizer steps; -1: run the epochs
    batch_size: int = 4  # sequences per step per GPU: 4 fits a T4's 15 GB, 16 an A100's 40 GB
    gradient_accumulation_steps: int = 1  # steps whose gradients are summed before an update
    learning_rate: float = 1e-4  # peak learning rate
    lr_scheduler_type: str = "cosine"  # decay from the peak to zero along a cosine
    warmup_ratio: float = 0.03  # first 3% of steps ramp the learning rate up from zero
    weight_decay: float = 0.001  # light L2 pull on the LoRA weights
    max_grad_norm: float = 0.3  # clip gradients: QLoRA's recipe for stable updates
    optimizer: str = "paged_adamw_32bit"  # AdamW whose state pages to CPU memory under pressure
    max_length: int = 182  # tokens per sequence: a 160-token text, question, price and EOS fit
    gradient_checkpointing: bool = True  # recompute activations in the backward pass: less memory
    # Bookkeeping
    save_steps: int = 2_000  # a checkpoint (and a Hub push, when configured) every N steps
    save_total_limit: int | None = 2  # checkpoints kept on local disk; the Hub keeps every push
    logging_steps: int = 50  # print (and log) the loss every N steps
    seed: int = 42  # shuffling and LoRA initialisation


# ---- data ---------------------------------------------------------------------------------


def to_records(items: Sequence[Any]) -> list[dict[str, str]]:
    """Prompt/completion records: the test prompt (ending "Price is $") and the price ("123.00").

    TRL appends the end-of-text token to each completion and computes the loss on it and on
    the price only. Introduced in notebooks/08_qlora_training.ipynb.
    """
    return [{"prompt": item.test_prompt, "completion": item.completion} for item in items]


def to_dataset(items: Sequence[Any]):
    """The records as a `datasets.Dataset`. Introduced in notebooks/08_qlora_training.ipynb."""
    from datasets import Dataset

    return Dataset.from_list(to_records(items))


def too_long(records: Sequence[dict[str, str]], tokenizer: Any, max_length: int) -> int:
    """How many records exceed ``max_length`` tokens (BOS and EOS included): they would be cut.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    texts = [r["prompt"] + r["completion"] for r in records]
    lengths = [len(ids) + 1 for ids in tokenizer(texts)["input_ids"]]  # +1: the EOS TRL appends
    return sum(n > max_length for n in lengths)


# ---- configuration ------------------------------------------------------------------------


def lora_kwargs(hp: Hyperparameters | None = None) -> dict[str, Any]:
    """Keyword arguments of peft's `LoraConfig`. Introduced in notebooks/08_qlora_training.ipynb."""
    hp = hp or Hyperparameters()
    return dict(
        r=hp.lora_r,
        lora_alpha=hp.lora_alpha,
        lora_dropout=hp.lora_dropout,
        target_modules=list(hp.target_modules),
        bias="none",  # biases stay frozen (Llama has none in these layers anyway)
        task_type="CAUSAL_LM",
    )


def lora_config(hp: Hyperparameters | None = None):
    """The `LoraConfig` for ``hp``. Introduced in notebooks/08_qlora_training.ipynb."""
    from peft import LoraConfig

    return LoraConfig(**lora_kwargs(hp))


def precision(dtype=None) -> dict[str, bool]:
    """Mixed-precision flags for the compute dtype: bf16 on recent GPUs, fp16 on a T4, none on CPU.

    Set explicitly because SFTConfig defaults to bf16, which a T4 and a CPU cannot run.
    Introduced in notebooks/08_qlora_training.ipynb.
    """
    import torch

    from .models import compute_dtype

    dtype = dtype if dtype is not None else compute_dtype()
    return {"bf16": dtype == torch.bfloat16, "fp16": dtype == torch.float16}


def _checkpointing(enabled: bool) -> dict[str, Any]:
    """Gradient checkpointing under the name the installed transformers uses (renamed in 5.x)."""
    import dataclasses as dc

    from trl import SFTConfig

    names = {f.name for f in dc.fields(SFTConfig)}
    name = (
        "activation_checkpointing"
        if "activation_checkpointing" in names
        else "gradient_checkpointing"
    )
    return {name: enabled, f"{name}_kwargs": {"use_reentrant": False}}


def sft_kwargs(
    output_dir: str | os.PathLike,
    hp: Hyperparameters | None = None,
    hub_repo: str | None = None,
    report_to: str = "none",
    run_name: str | None = None,
) -> dict[str, Any]:
    """Keyword arguments of TRL's `SFTConfig`. Introduced in notebooks/08_qlora_training.ipynb."""
    hp = hp or Hyperparameters()
    return dict(
        output_dir=str(output_dir),
        run_name=run_name or Path(output_dir).name,
        num_train_epochs=hp.epochs,
        max_steps=hp.max_steps,
        per_device_train_batch_size=hp.batch_size,
        gradient_accumulation_steps=hp.gradient_accumulation_steps,
        learning_rate=hp.learning_rate,
        lr_scheduler_type=hp.lr_scheduler_type,
        warmup_steps=hp.warmup_ratio,  # a float below 1 is a fraction of all steps
        weight_decay=hp.weight_decay,
        max_grad_norm=hp.max_grad_norm,
        optim=hp.optimizer,
        max_length=hp.max_length,
        completion_only_loss=True,  # loss on the price (and EOS) only, never on the prompt
        **_checkpointing(hp.gradient_checkpointing),
        ddp_find_unused_parameters=False,  # frozen base weights are expected, not an error
        **precision(),
        save_strategy="steps",
        save_steps=hp.save_steps,
        save_total_limit=hp.save_total_limit,
        logging_steps=hp.logging_steps,
        seed=hp.seed,
        report_to=report_to,
        push_to_hub=bool(hub_repo),
        hub_model_id=hub_repo,
        hub_strategy="checkpoint",  # push the adapter at every save, plus "last-checkpoint" to resume
        hub_private_repo=True,
    )


def sft_config(
    output_dir: str | os.PathLike,
    hp: Hyperparameters | None = None,
    hub_repo: str | None = None,
    report_to: str = "none",
    run_name: str | None = None,
):
    """The `SFTConfig` for ``hp``: checkpoints every ``save_steps``, pushed to ``hub_repo`` if given.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    from trl import SFTConfig

    return SFTConfig(**sft_kwargs(output_dir, hp, hub_repo, report_to, run_name))


# ---- resuming -----------------------------------------------------------------------------


def last_checkpoint(output_dir: str | os.PathLike, hub_repo: str | None = None) -> str | None:
    """The newest checkpoint to resume from: a local ``checkpoint-N`` folder, else the Hub's.

    After a Colab disconnect the local disk is gone; with ``hub_repo`` set, the repository's
    ``last-checkpoint`` folder (optimizer and scheduler state included) is downloaded into
    ``output_dir``. Returns None when there is nothing to resume. Introduced in
    notebooks/08_qlora_training.ipynb.
    """
    from transformers.trainer_utils import get_last_checkpoint

    folder = Path(output_dir)
    if folder.is_dir():
        found = get_last_checkpoint(str(folder))
        if found:
            return found
        if (folder / "last-checkpoint" / "trainer_state.json").exists():
            return str(folder / "last-checkpoint")
    if not hub_repo:
        return None
    from huggingface_hub import snapshot_download

    from .hub import friendly_hub_errors

    try:
        with friendly_hub_errors(hub_repo):
            snapshot_download(hub_repo, allow_patterns=["last-checkpoint/*"], local_dir=folder)
    except FileNotFoundError:  # no such repository yet: a first run
        return None
    pushed = folder / "last-checkpoint"
    return str(pushed) if (pushed / "trainer_state.json").exists() else None


# ---- training -----------------------------------------------------------------------------


def _report_to(wandb: bool) -> str:
    if not wandb:
        return "none"
    try:
        import wandb as _  # noqa: F401
    except ImportError as error:
        raise ImportError(
            "Weights & Biases logging needs the wandb package: pip install wandb, then set "
            "WANDB_API_KEY (a Colab secret, or `wandb login`). Or set WANDB = False."
        ) from error
    os.environ.setdefault("WANDB_PROJECT", "pricer")
    return "wandb"


def _save_at_end():
    """A callback that saves a checkpoint at the last step too, so a finished run is resumable."""
    from transformers import TrainerCallback

    class SaveAtEnd(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if state.global_step >= state.max_steps:
                control.should_save = True
            return control

    return SaveAtEnd()


def _finished(checkpoint: str, hp: Hyperparameters) -> bool:
    """Whether the checkpoint reached the run's last step (the Trainer would train one more)."""
    from transformers import TrainerState

    state = TrainerState.load_from_json(str(Path(checkpoint) / "trainer_state.json"))
    target = hp.max_steps if hp.max_steps > 0 else state.max_steps
    return state.global_step >= target


def _load_checkpoint(trainer: Any, checkpoint: str) -> None:
    """Put a checkpoint's adapter weights and state into ``trainer`` without training."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file
    from transformers import TrainerState

    weights = load_file(str(Path(checkpoint) / "adapter_model.safetensors"))
    set_peft_model_state_dict(trainer.model, weights)
    trainer.state = TrainerState.load_from_json(str(Path(checkpoint) / "trainer_state.json"))


def train(
    train_items: Sequence[Any],
    hp: Hyperparameters | None = None,
    output_dir: str | os.PathLike | None = None,
    base: str | None = None,
    hub_repo: str | None = None,
    resume: bool = True,
    wandb: bool = False,
    callbacks: Sequence[Any] = (),
):
    """Fine-tune the 4-bit base model with LoRA on ``train_items``; returns the SFTTrainer.

    Checkpoints go to ``output_dir`` (default ``<models>/pricer-qlora``) every ``save_steps``
    and, with ``hub_repo``, to the Hub. With ``resume`` a run continues from its last
    checkpoint. The final adapter is saved in ``output_dir``. Introduced in
    notebooks/08_qlora_training.ipynb.
    """
    from trl import SFTTrainer

    from .models import friendly_oom, load_model_and_tokenizer

    hp = hp or Hyperparameters()
    output_dir = Path(output_dir) if output_dir is not None else settings().models_dir / RUN_NAME
    model, tokenizer = load_model_and_tokenizer(base, quantize=True, padding_side="right")
    records = to_records(train_items)
    cut = too_long(records, tokenizer, hp.max_length)
    if cut:
        print(
            f"Warning: {cut} of {len(records)} records exceed {hp.max_length} tokens and are cut."
        )
    from datasets import Dataset

    from .seeds import set_seed

    # SFTTrainer adds the LoRA layers before Trainer seeds anything: seed first, so a run's
    # starting adapter never depends on what ran before it in the same process.
    set_seed(hp.seed)
    trainer = SFTTrainer(
        model=model,
        args=sft_config(output_dir, hp, hub_repo, _report_to(wandb)),
        train_dataset=Dataset.from_list(records),
        processing_class=tokenizer,
        peft_config=lora_config(hp),
        callbacks=[_save_at_end(), *callbacks],
    )
    checkpoint = last_checkpoint(output_dir, hub_repo) if resume else None
    if checkpoint and _finished(checkpoint, hp):
        print(f"{checkpoint} already completed this run: nothing left to train.")
        _load_checkpoint(trainer, checkpoint)
    else:
        if checkpoint:
            print(f"Resuming from {checkpoint}")
        with friendly_oom("training"):
            trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(str(output_dir))  # the final adapter (and tokenizer) at the top level
    if hub_repo:
        trainer.push_to_hub(commit_message="Final adapter")
    return trainer


# ---- the script ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.training",
        description="QLoRA fine-tuning of the course's base model on the saved training split.",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="tiny offline model and data (PRICER_SMOKE=1)"
    )
    parser.add_argument("--base", help="base model id or folder (default: the mode's base model)")
    parser.add_argument("--splits", help="folder with train.parquet (default: the mode's splits)")
    parser.add_argument("--limit", type=int, help="train on the first N items only")
    parser.add_argument(
        "--output-dir", help=f"checkpoints and adapter (default: <models>/{RUN_NAME})"
    )
    parser.add_argument("--hub-repo", help="push checkpoints to this Hub repository (user/name)")
    parser.add_argument(
        "--no-resume", action="store_true", help="start afresh even if checkpoints exist"
    )
    parser.add_argument("--wandb", action="store_true", help="log to Weights & Biases")
    for f in dataclasses.fields(Hyperparameters):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "target_modules":
            parser.add_argument(flag, nargs="+", default=list(f.default), help="modules to adapt")
        elif f.name == "gradient_checkpointing":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        else:
            kind = type(f.default) if f.default is not None else int
            parser.add_argument(flag, type=kind, default=f.default, help=f"default {f.default}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The script: train on the saved split, a flag per hyperparameter.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    args = _parser().parse_args(argv)
    if args.smoke:
        from .config import configure

        configure(smoke=True)
    from .sampling import load_splits

    train_items = load_splits(directory=args.splits).train
    if args.limit:
        train_items = train_items[: args.limit]
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(Hyperparameters)}
    values["target_modules"] = tuple(values["target_modules"])
    trainer = train(
        train_items,
        Hyperparameters(**values),
        output_dir=args.output_dir,
        base=args.base,
        hub_repo=args.hub_repo,
        resume=not args.no_resume,
        wandb=args.wandb,
    )
    if trainer.is_world_process_zero():
        print(f"Adapter saved in {trainer.args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
