"""Training step time: TRL's SFTTrainer against CompletionLossTrainer, side by side in one run.

Both train the Llama 3.1 8B stand-in (two layers, 64 wide, Meta's real 128,256-token
vocabulary) in 4 bits with the course's LoRA, on the smoke training items, with the same seed
and data order. TRL's own loss scores every position of every sequence on a CPU (its fused,
position-selecting head runs on CUDA only); CompletionLossTrainer runs the output layer only
where the loss is. Prints seconds per step (median after two warm-up steps), the ratio, and
the losses of both, which must agree.

    python bench/training.py                  # batch 8 (the smoke preset's), 12 steps each
    python bench/training.py --batch-size 4 --steps 20
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def smoke_train_items(tokenizer) -> list:
    """The smoke training split as notebook 02 makes it, with the real tokenizer."""
    from standins.samples import smoke_splits

    return smoke_splits(tokenizer).train


def run(trainer_class, folder: Path, items: list, batch_size: int, steps: int):
    """Median seconds per step after two warm-up steps, and the logged losses."""
    from transformers import TrainerCallback

    from helpers import training
    from helpers.models import load_model_and_tokenizer
    from helpers.seeds import set_seed

    class Timer(TrainerCallback):
        def __init__(self):
            self.ends: list[float] = []

        def on_step_end(self, args, state, control, **kwargs):
            self.ends.append(time.perf_counter())

    model, tokenizer = load_model_and_tokenizer(str(folder))
    hp = training.Hyperparameters(
        max_steps=steps, batch_size=batch_size, save_steps=10**9, logging_steps=1
    )
    set_seed(hp.seed)
    timer = Timer()
    with tempfile.TemporaryDirectory() as output:
        trainer = trainer_class(
            model=model,
            args=training.sft_config(output, hp),
            train_dataset=training.to_dataset(items[: steps * batch_size]),
            processing_class=tokenizer,
            peft_config=training.lora_config(hp),
            callbacks=[timer],
        )
        trainer.train()
    gaps = [b - a for a, b in zip(timer.ends[1:], timer.ends[2:], strict=False)]
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return statistics.median(gaps), losses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoTokenizer
    from trl import SFTTrainer

    from helpers.trainer import CompletionLossTrainer
    from standins.tiny_model import build_tiny_llama

    with tempfile.TemporaryDirectory() as scratch:
        folder = build_tiny_llama(Path(scratch) / "tiny-llama")
        items = smoke_train_items(AutoTokenizer.from_pretrained(str(folder)))
        print(
            f"Llama 3.1 8B stand-in, 4-bit, LoRA r=32 on q/k/v/o, batch {args.batch_size}, "
            f"{args.steps} steps, {torch.get_num_threads()} CPU threads"
        )
        results = {}
        for name, trainer_class in (
            ("TRL SFTTrainer (every position)", SFTTrainer),
            ("CompletionLossTrainer (the loss's positions)", CompletionLossTrainer),
        ):
            results[name] = run(trainer_class, folder, items, args.batch_size, args.steps)
            seconds, losses = results[name]
            print(f"  {name:46s} {seconds:6.3f} s/step   last loss {losses[-1]:.4f}")
    (full, full_losses), (lean, lean_losses) = results.values()
    largest = max(abs(a - b) for a, b in zip(full_losses, lean_losses, strict=True))
    print(f"  speed-up {full / lean:.1f}x; largest loss difference over the steps {largest:.1e}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
