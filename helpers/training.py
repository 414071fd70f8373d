"""QLoRA fine-tuning with TRL: prompt/completion records, LoRA, SFTConfig, and a lean loss.

The base model stays frozen in 4 bits; LoRA adds small trainable matrices to the attention
projections. TRL's `SFTTrainer` trains on prompt/completion records and computes the loss on
the completion only: the price and the end-of-text token. `helpers.trainer.CompletionLossTrainer`
goes one step further and runs the output layer only at those few positions.

Notebook 08 builds the `SFTConfig` and the trainer in view; the script below builds the same
ones from `Hyperparameters`, alone or under ``accelerate launch``:

    python -m helpers.training --hub-repo you/pricer-qlora         # the preset this GPU suits
    accelerate launch -m helpers.training --preset full            # every GPU of the machine

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

from .config import RUN_REPO, configure, settings
from .presets import Preset, choose_preset

# What a preset sizes; the script's defaults for these flags are the preset's too.
PRESET_SIZES = ("batch_size", "learning_rate", "save_steps", "logging_steps")


@dataclass
class Hyperparameters:
    """The course's QLoRA settings; the sizes (batch, learning rate, saving) come from a preset.

    Used within `helpers.training`.
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
    batch_size: int = 4  # sequences per step per GPU (the "t4" preset's; "full" has 16)
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
    save_steps: int = 400  # a checkpoint (and a Hub push, when configured) every N steps
    save_total_limit: int | None = 2  # checkpoints kept on local disk; the Hub keeps every push
    logging_steps: int = 50  # print (and log) the loss every N steps
    seed: int = 42  # shuffling and LoRA initialisation

    @classmethod
    def for_preset(cls, preset: Preset, **overrides: Any) -> Hyperparameters:
        """The course's values with ``preset``'s sizes, then ``overrides``."""
        sizes = {name: getattr(preset, name) for name in PRESET_SIZES}
        return cls(**{**sizes, **overrides})


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


def record_lengths(records: Sequence[dict[str, str]], tokenizer: Any) -> list[int]:
    """Each record's length in tokens as the trainer sees it, BOS and EOS included.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    texts = [r["prompt"] + r["completion"] for r in records]
    return [len(ids) + 1 for ids in tokenizer(texts)["input_ids"]]  # +1: the EOS TRL appends


def too_long(records: Sequence[dict[str, str]], tokenizer: Any, max_length: int) -> int:
    """How many records exceed ``max_length`` tokens: they would be cut. Used within
    `helpers.training` (the script warns before training)."""
    return sum(n > max_length for n in record_lengths(records, tokenizer))


# ---- configuration ------------------------------------------------------------------------


def lora_kwargs(hp: Hyperparameters | None = None) -> dict[str, Any]:
    """Keyword arguments of peft's `LoraConfig`. Used within `helpers.training`."""
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


def mixed_precision(dtype=None) -> dict[str, bool]:
    """SFTConfig's mixed-precision flags for the compute dtype: bf16, fp16 (a T4), or neither (CPU).

    Set explicitly because SFTConfig defaults to bf16, which a T4 and a CPU cannot run.
    Introduced in notebooks/08_qlora_training.ipynb.
    """
    import torch

    from .models import compute_dtype

    dtype = dtype if dtype is not None else compute_dtype()
    return {"bf16": dtype == torch.bfloat16, "fp16": dtype == torch.float16}


def sft_kwargs(
    output_dir: str | os.PathLike,
    hp: Hyperparameters | None = None,
    hub_repo: str | None = None,
    report_to: str = "none",
) -> dict[str, Any]:
    """Keyword arguments of TRL's `SFTConfig`: the same as notebook 08's cell, from ``hp``.

    Used within `helpers.training`.
    """
    hp = hp or Hyperparameters()
    return dict(
        output_dir=str(output_dir),
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
        activation_checkpointing=hp.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        ddp_find_unused_parameters=False,  # frozen base weights are expected, not an error
        **mixed_precision(),
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
):
    """The `SFTConfig` for ``hp``: checkpoints every ``save_steps``, pushed to ``hub_repo`` if given.

    Used within `helpers.training`.
    """
    from trl import SFTConfig

    return SFTConfig(**sft_kwargs(output_dir, hp, hub_repo, report_to))


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
    """Fine-tune the 4-bit base model with LoRA on ``train_items``; returns the trainer.

    What notebook 08 does cell by cell: load the model, build the trainer, then
    `helpers.checkpoints.resume_training` (newest complete checkpoint, local or on the Hub).
    Checkpoints go to ``output_dir`` (default ``<models>/pricer-qlora``), and to ``hub_repo``
    when given. Introduced in notebooks/08_qlora_training.ipynb.
    """
    from datasets import Dataset

    from .checkpoints import resume_training
    from .models import load_model_and_tokenizer
    from .seeds import set_seed
    from .trainer import CompletionLossTrainer

    hp = hp or Hyperparameters()
    output_dir = Path(output_dir) if output_dir is not None else settings().models_dir / RUN_REPO
    model, tokenizer = load_model_and_tokenizer(base, quantize=True, padding_side="right")
    records = to_records(train_items)
    cut = too_long(records, tokenizer, hp.max_length)
    if cut:
        print(
            f"Warning: {cut} of {len(records)} records exceed {hp.max_length} tokens and are cut."
        )
    # SFTTrainer adds the LoRA layers before Trainer seeds anything: seed first, so a run's
    # starting adapter never depends on what ran before it in the same process.
    set_seed(hp.seed)
    trainer = CompletionLossTrainer(
        model=model,
        args=sft_config(output_dir, hp, hub_repo, _report_to(wandb)),
        train_dataset=Dataset.from_list(records),  # the records checked above
        processing_class=tokenizer,
        peft_config=lora_config(hp),
        callbacks=list(callbacks),
    )
    return resume_training(trainer, resume=resume)


# ---- the script ---------------------------------------------------------------------------



def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.training",
        description="QLoRA fine-tuning of the course's base model on the saved training split.",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="offline smoke mode: stand-ins, small sizes"
    )
    parser.add_argument(
        "--preset", help="run sizes: smoke, t4 or full (default: the one this machine suits)"
    )
    parser.add_argument("--base", help="base model id or folder (default: the mode's base model)")
    parser.add_argument(
        "--splits", help="folder of notebook 02's splits (default: this runtime's, else your Hub's)"
    )
    parser.add_argument(
        "--published", action="store_true", help="train on the course's published splits"
    )
    parser.add_argument("--limit", type=int, help="train on the first N items (default: preset's)")
    parser.add_argument(
        "--output-dir", help=f"checkpoints and adapter (default: <models>/{RUN_REPO})"
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
        elif f.name in PRESET_SIZES:
            parser.add_argument(flag, type=type(f.default), help="default: the preset's")
        else:
            kind = type(f.default) if f.default is not None else int
            parser.add_argument(flag, type=kind, default=f.default, help=f"default {f.default}")
    return parser


def main(argv: list[str] | None = None) -> int:
    """The script: train on the saved split, sized by a preset, a flag per hyperparameter.

    Introduced in notebooks/08_qlora_training.ipynb.
    """
    args = _parser().parse_args(argv)
    # --smoke: before anything imports huggingface_hub, which reads HF_ENDPOINT once
    configure(smoke=args.smoke or None)
    from .sampling import load_splits
    from .trainer import Progress

    preset = choose_preset(args.preset)
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(Hyperparameters)}
    values["target_modules"] = tuple(values["target_modules"])
    given = {name: value for name, value in values.items() if value is not None}
    hp = Hyperparameters.for_preset(preset, **given)
    source = "published" if args.published else "mine"
    train_items = load_splits(source, directory=args.splits).train
    train_items = train_items[: args.limit or preset.train_items]
    print(f"Preset {preset.name!r} ({preset.machine}): {len(train_items):,} training items.")
    trainer = train(
        train_items,
        hp,
        output_dir=args.output_dir,
        base=args.base,
        hub_repo=args.hub_repo,
        resume=not args.no_resume,
        wandb=args.wandb,
        callbacks=[Progress(preset)],
    )
    if trainer.is_world_process_zero():
        print(f"{trainer.state.global_step} steps; adapter saved in {trainer.args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
