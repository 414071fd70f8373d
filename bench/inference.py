"""Inference and training speed of the open-source track.

CPU part (always): the tiny 4-bit smoke model prices the 250 smoke test items three ways, each
through the package's predictors: greedy generation one item at a time (the course's loop),
greedy generation in left-padded batches, and the probability-weighted price from a single
forward pass per batch. Prints items/s, the ratios, and whether batched answers equal the
one-at-a-time answers.

GPU part (when CUDA is available): 4-bit QLoRA on a randomly initialised model with
Llama 3.1 8B's shape (the config is enough, no weights or token needed), trained through
`helpers.training.train` with the course's settings: optimizer-step throughput in tokens/s
and peak GPU memory, then the three predictors' items/s at that size. Printed with the GPU's
name. Without CUDA it says so and measures nothing.

    python bench/inference.py                       # CPU part, then GPU part if there is a GPU
    python bench/inference.py --gpu-batch-size 16   # the course's A100 batch size
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def build_random_model(directory: Path, config, tokenizer, dtype, device: str) -> Path:
    """A randomly initialised causal LM with ``config`` saved to ``directory`` (no weights are
    needed to time a training step; ``device="cuda"`` builds an 8B model in seconds)."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.random.fork_rng(devices=[]), torch.device(device):
        torch.manual_seed(42)
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))
    del model
    return directory


def smoke_splits_once():
    """The smoke splits as notebook 02 makes them, curated once for both parts."""
    from helpers.tokenizer import load_tokenizer
    from standins.samples import smoke_splits

    return smoke_splits(load_tokenizer())


def time_predictors(
    model, tokenizer, items, batch_size: int, repeats: int = 3
) -> dict[str, tuple[float, list]]:
    """Best-of-``repeats`` seconds and the answers of the three ways of pricing ``items``.

    The best of a few runs, after a warm-up, because a shared machine's other work only ever
    adds time."""
    from helpers.inference import GreedyPredictor, WeightedPredictor

    greedy = GreedyPredictor(model, tokenizer, batch_size=batch_size)
    weighted = WeightedPredictor(model, tokenizer, batch_size=batch_size)
    runs = {
        "greedy, one item at a time": lambda: [greedy(item) for item in items],
        f"greedy, batches of {batch_size}": lambda: greedy.predict_batch(items),
        f"weighted, one forward pass per batch of {batch_size}": lambda: weighted.predict_batch(
            items
        ),
    }
    greedy.predict_batch(items[:2])  # warm-up: first calls allocate and initialise
    weighted.predict_batch(items[:2])
    results = {}
    for name, run in runs.items():
        run_sync = _synchronised(run)
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            answers = run_sync()
            best = min(best, time.perf_counter() - started)
        results[name] = (best, answers)
    return results


def _synchronised(run):
    import torch

    def wrapped():
        answers = run()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        return answers

    return wrapped


def print_speeds(results: dict[str, tuple[float, list]], n: int, agreement: bool = True) -> None:
    baseline = next(iter(results.values()))[0]
    for name, (seconds, _) in results.items():
        print(
            f"  {name:48s} {seconds:7.2f} s  {n / seconds:8.1f} items/s  {baseline / seconds:6.1f}x"
        )
    if agreement:  # a random model's near-flat logits make ties, so only the tiny model is checked
        (_, one), (_, batched) = list(results.values())[:2]
        same = sum(a == b for a, b in zip(one, batched, strict=True))
        print(f"  batched greedy answers equal to one-at-a-time: {same} of {n}")


def cpu_part(items: list, batch_size: int, repeats: int) -> None:
    import torch

    from helpers.models import load_model_and_tokenizer

    model, tokenizer = load_model_and_tokenizer(padding_side="left")
    print(
        f"CPU: tiny 4-bit Llama ({model.num_parameters():,} parameters), {len(items)} smoke test "
        f"items, {torch.get_num_threads()} threads, {os.cpu_count()} cores"
    )
    print(f"  best of {repeats} runs each")
    print_speeds(time_predictors(model, tokenizer, items, batch_size, repeats), len(items))


def qlora_benchmark(
    config, train_items, test_items, batch_size: int, steps: int, device: str, workdir: Path
) -> None:
    """Train 4-bit QLoRA on a random model of ``config``'s shape; report tokens/s and memory."""
    import torch
    from transformers import TrainerCallback

    from helpers import training
    from helpers.models import memory_footprint, set_padding
    from helpers.tokenizer import load_tokenizer

    tokenizer = load_tokenizer()  # any tokenizer will do: ids stay below the model's vocabulary
    config.bos_token_id, config.eos_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id
    folder = workdir / "random-model"
    started = time.perf_counter()
    build_random_model(folder, config, tokenizer, dtype=torch.bfloat16, device=device)
    print(f"  random weights written in {time.perf_counter() - started:.0f} s")

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.times: list[float] = []

        def on_step_begin(self, args, state, control, **kwargs):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            self.times.append(time.perf_counter() - self.start)

    records = training.to_records(train_items)
    lengths = [
        len(ids) + 1
        for ids in tokenizer([r["prompt"] + r["completion"] for r in records])["input_ids"]
    ]
    hp = training.Hyperparameters(
        max_steps=steps, batch_size=batch_size, save_steps=10**9, logging_steps=10**9
    )
    timer = StepTimer()
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    trainer = training.train(
        train_items,
        hp,
        output_dir=workdir / "run",
        base=str(folder),
        resume=False,
        callbacks=[timer],
    )
    measured = timer.times[3:] or timer.times  # the first steps warm up kernels and allocators
    per_step = statistics.median(measured)
    tokens = batch_size * hp.gradient_accumulation_steps * statistics.mean(lengths)
    model = trainer.model
    print(
        f"  QLoRA step (batch {batch_size}, ~{statistics.mean(lengths):.0f} tokens/sequence): "
        f"{per_step:.3f} s median over {len(measured)} steps, {tokens / per_step:,.0f} tokens/s"
    )
    print(f"  weights in memory: {memory_footprint(model) / 1e9:.2f} GB")
    if torch.cuda.is_available():
        print(f"  peak GPU memory while training: {torch.cuda.max_memory_allocated() / 1e9:.2f} GB")
    set_padding(tokenizer, "left")
    results = time_predictors(model, tokenizer, test_items, batch_size=25, repeats=1)
    print(f"  inference on {len(test_items)} items at this size:")
    print_speeds(results, len(test_items), agreement=False)


def gpu_part(args, splits) -> None:
    import torch

    if not torch.cuda.is_available():
        print(
            "GPU: skipped, not measured. torch.cuda.is_available() is False on this machine "
            f"(torch {torch.__version__}), so 4-bit QLoRA at Llama 3.1 8B's shape cannot run here. "
            "Run this script on a CUDA machine (a Colab T4 works) for tokens/s and peak memory."
        )
        return
    from helpers.models import llama_config

    name = torch.cuda.get_device_name(0)
    total = torch.cuda.get_device_properties(0).total_memory
    print(f"GPU: {name} ({total / 1e9:.0f} GB), 4-bit QLoRA on a random Llama-3.1-8B-shaped model")
    train_items, test_items = splits.train, splits.test[: args.gpu_items]
    device = "cuda" if total > 30e9 else "cpu"  # 16 GB of bf16 weights to initialise
    with tempfile.TemporaryDirectory(prefix="bench-qlora-") as scratch:
        qlora_benchmark(
            llama_config(),
            train_items[: args.gpu_batch_size * (args.gpu_steps + 1)],
            test_items,
            args.gpu_batch_size,
            args.gpu_steps,
            device,
            Path(scratch),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=250, help="test items for the CPU part")
    parser.add_argument("--batch-size", type=int, default=25, help="items per batch (CPU part)")
    parser.add_argument("--gpu-steps", type=int, default=20, help="QLoRA steps to time on a GPU")
    parser.add_argument("--gpu-batch-size", type=int, default=4, help="4 fits a T4; 16 an A100")
    parser.add_argument("--gpu-items", type=int, default=100, help="test items for GPU inference")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per way (CPU); the best counts"
    )
    parser.add_argument("--skip-cpu", action="store_true", help="only the GPU part")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-inference-"))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from helpers.config import configure

    # Smoke mode, as in the offline course run: the stand-ins serve the tiny model and the
    # tokenizer. Before anything imports huggingface_hub, which reads its endpoint once.
    configure(smoke=True, workdir=scratch)
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    import datasets

    datasets.disable_progress_bars()

    splits = smoke_splits_once()
    if not args.skip_cpu:
        cpu_part(splits.test[: args.items], args.batch_size, args.repeats)
    gpu_part(args, splits)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
