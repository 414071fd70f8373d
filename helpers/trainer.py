"""The trainer and its progress line: TRL's SFTTrainer scoring only the price, and an ETA.

`CompletionLossTrainer` runs the output layer only at the positions the loss reads (see its
docstring); `Progress` prints the speed, the ETA and whether the run fits the session after
the first steps. Notebook 08 builds both in view; `helpers.training.train` (the script) too.

Introduced in notebooks/08_qlora_training.ipynb.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from transformers import TrainerCallback
from trl import SFTTrainer

from .presets import Preset, progress_report


class CompletionLossTrainer(SFTTrainer):
    """TRL's `SFTTrainer`, with the output layer run only at the positions the loss scores.

    Llama 3's output layer maps each position to 128,256 scores. Over a batch of 4 sequences of
    182 tokens that is 93 million numbers (370 MB in fp32, as much again for their gradients),
    though the loss reads only the 4 positions per sequence that predict the price's token,
    ".", "00" and end-of-text. Here the model is asked for those positions only
    (``logits_to_keep``: a mask of the positions whose next token is learned), and the
    cross-entropy is taken over them: the same loss and gradients, 45 times fewer scores.
    TRL's own fused head does this on CUDA only; this does it on every device (transformers
    5.21 or later). Introduced in notebooks/08_qlora_training.ipynb.
    """

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs["labels"]
        learned = labels[:, 1:] != -100  # position t predicts token t + 1
        keep = F.pad(learned, (0, 1), value=False)  # the last position predicts nothing
        model_inputs = {k: v for k, v in inputs.items() if k != "labels"}
        outputs = model(**model_inputs, use_cache=False, logits_to_keep=keep)
        logits = outputs.logits.float()  # (kept positions, vocabulary), row after row
        targets = labels[:, 1:][learned]
        # As TRL does: divide by the learned tokens of the whole accumulated batch (of every
        # process) when the Trainer counts them; DDP averages across processes, hence the factor.
        count = targets.numel() if num_items_in_batch is None else num_items_in_batch
        loss = F.cross_entropy(logits, targets, reduction="sum") / torch.as_tensor(count).clamp(1)
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * self.accelerator.num_processes
        self._log_token_metrics(logits.detach(), targets)
        return (loss, outputs) if return_outputs else loss

    def _log_token_metrics(self, logits, targets) -> None:
        """TRL's mean_token_accuracy and entropy, over the learned tokens of every process."""
        log_p = logits.log_softmax(-1)
        sums = torch.stack(
            [
                torch.tensor(float(targets.numel()), device=logits.device),
                (logits.argmax(-1) == targets).sum().float(),
                -(log_p.exp() * log_p).sum(),
            ]
        )
        count, correct, entropy = self.accelerator.gather_for_metrics(sums[None]).sum(0).tolist()
        metrics = self._metrics["train" if self.model.training else "eval"]
        metrics["mean_token_accuracy"].append(correct / count if count else 0.0)
        metrics["entropy"].append(entropy / count if count else 0.0)


class Progress(TrainerCallback):
    """A trainer callback that prints `progress_report` once, after the first ``after`` steps.

    The first step of a run is left out of the timing (it warms up kernels and caches).
    Introduced in notebooks/08_qlora_training.ipynb.
    """

    def __init__(
        self,
        preset: Preset,
        after: int = 10,
        clock: Callable[[], float] = time.perf_counter,
        report: Callable[[str], Any] = print,
    ):
        self.preset = preset
        self.after = after
        self.clock = clock
        self.report = report
        self.start: tuple[int, float] | None = None
        self.reported = False

    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.reported = None, False

    def on_step_end(self, args, state, control, **kwargs):
        now = self.clock()
        if self.start is None:
            self.start = (state.global_step, now)
            return
        steps = state.global_step - self.start[0]
        if self.reported or steps < max(1, min(self.after, state.max_steps - self.start[0])):
            return
        self.reported = True
        if state.is_world_process_zero:
            items = args.per_device_train_batch_size * args.gradient_accumulation_steps
            self.report(
                progress_report(
                    (now - self.start[1]) / steps,
                    items * args.world_size,
                    state.max_steps - state.global_step,
                    args.save_steps,
                    self.preset,
                )
            )
