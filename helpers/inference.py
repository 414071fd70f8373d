"""Prices from a causal language model: greedy generation, and a probability-weighted reading.

Both predictors are callables ``item -> price`` with a ``predict_batch(items)`` method, so the
Tester runs them in batches. Batches are padded on the left: every prompt then ends at the
same position, where generation (or the next-token distribution) begins.

- `GreedyPredictor`: the course's first approach. Generate a few tokens after "Price is $"
  and read the number.
- `WeightedPredictor`: the course's improvement. One forward pass, softmax over the next
  token, the K most likely tokens that are numbers, and their probability-weighted average.
  Llama 3 writes every whole number 0-999 as one token, so the dollars are one prediction.

Introduced in notebooks/07_base_model.ipynb (greedy) and notebooks/09_fine_tuned_inference.ipynb.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .prompts import read_price


def _prompts(items: Sequence[Any]) -> list[str]:
    return [item if isinstance(item, str) else item.test_prompt for item in items]


def _encode(tokenizer: Any, prompts: list[str], device: Any):
    """Left-padded batch (pad = end of text), on ``device``."""
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    batch = tokenizer(prompts, return_tensors="pt", padding=True, padding_side="left")
    return {key: value.to(device) for key, value in batch.items()}


class _Predictor:
    """Shared plumbing: a name for the leaderboard, batching, eval mode, OOM advice."""

    def __init__(self, model: Any, tokenizer: Any, name: str | None = None, batch_size: int = 25):
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        if name:
            self.name = name

    @property
    def device(self):
        return next(self.model.parameters()).device

    def __call__(self, item: Any) -> float | None:
        return self.predict_batch([item])[0]

    def predict_batch(self, items: Sequence[Any]) -> list[float | None]:
        """Prices for ``items`` (Items or prompt strings), ``batch_size`` at a time."""
        import torch

        from .models import friendly_oom

        self.model.eval()
        prompts = _prompts(items)
        prices: list[float | None] = []
        with torch.inference_mode(), friendly_oom("predicting prices (lower batch_size)"):
            for start in range(0, len(prompts), self.batch_size):
                prices += self._predict(prompts[start : start + self.batch_size])
        return prices

    def _predict(self, prompts: list[str]) -> list[float | None]:
        raise NotImplementedError


class GreedyPredictor(_Predictor):
    """Greedy generation of ``max_new_tokens`` tokens, then `helpers.prompts.read_price`.

    Three tokens cover "123", ".", "00" with Llama 3's tokenizer. Introduced in
    notebooks/07_base_model.ipynb.
    """

    name = "Greedy"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        name: str | None = None,
        batch_size: int = 25,
        max_new_tokens: int = 3,
    ):
        super().__init__(model, tokenizer, name, batch_size)
        self.max_new_tokens = max_new_tokens

    def generate(self, prompts: list[str]) -> list[str]:
        """The text each prompt continues with (new tokens only)."""
        batch = _encode(self.tokenizer, prompts, self.device)
        output = self.model.generate(
            **batch,
            max_new_tokens=self.max_new_tokens,
            do_sample=False,
            pad_token_id=self.tokenizer.pad_token_id,
        )
        new = output[:, batch["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)

    def _predict(self, prompts: list[str]) -> list[float | None]:
        return [read_price(text) for text in self.generate(prompts)]


def number_tokens(tokenizer: Any) -> tuple[list[int], list[float]]:
    """Token ids that decode to a positive whole number ("7", "42", "999"), and their values,
    in id order (the same on every run). Introduced in notebooks/09_fine_tuned_inference.ipynb.
    """
    ids, values = [], []
    every = sorted(tokenizer.get_vocab().values())
    texts = tokenizer.batch_decode([[i] for i in every])
    for token_id, text in zip(every, texts, strict=True):
        text = text.strip()
        if text.isascii() and text.isdigit() and int(text) > 0:
            ids.append(token_id)
            values.append(float(text))
    return ids, values


def weighted_price(logits, ids, values, top_k: int = 3):
    """Probability-weighted price from next-token ``logits`` (batch x vocabulary).

    Softmax over the whole vocabulary, keep the ``top_k`` most likely number tokens
    (``ids`` with ``values``), and average their values weighted by their probabilities.
    Returns a tensor of one price per row. Used within `helpers.inference`.
    """
    import torch

    probabilities = torch.softmax(logits.float(), dim=-1)[:, ids]
    top = probabilities.topk(min(top_k, probabilities.shape[-1]), dim=-1)
    chosen = torch.as_tensor(values, dtype=torch.float32, device=logits.device)[top.indices]
    return (top.values * chosen).sum(-1) / top.values.sum(-1)


class WeightedPredictor(_Predictor):
    """One forward pass; the probability-weighted average of the top-K number tokens.

    Introduced in notebooks/09_fine_tuned_inference.ipynb.
    """

    name = "Weighted"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        name: str | None = None,
        batch_size: int = 25,
        top_k: int = 3,
    ):
        super().__init__(model, tokenizer, name, batch_size)
        self.top_k = top_k
        self.ids, self.values = number_tokens(tokenizer)

    def next_token_logits(self, prompts: list[str]):
        """Logits for the token after each prompt: one forward pass over the left-padded batch."""
        batch = _encode(self.tokenizer, prompts, self.device)
        mask = batch["attention_mask"]
        # With left padding, positions must start at each prompt's first real token.
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        output = self.model(**batch, position_ids=positions, logits_to_keep=1)
        return output.logits[:, -1, :]

    def _predict(self, prompts: list[str]) -> list[float | None]:
        prices = weighted_price(self.next_token_logits(prompts), self.ids, self.values, self.top_k)
        return [float(p) for p in prices.cpu()]


NO_ADAPTER_HINT = (
    "Run notebooks/08_qlora_training.ipynb first: with a write token it pushes every checkpoint "
    "and the final adapter to your account. Or set ADAPTER = 'published' for the course's own."
)


def resolve_adapter(adapter: str, revision: str | None = None) -> tuple[str, str | None]:
    """Where an adapter comes from: "mine" (your run's Hub repository, else its local folder),
    "published" (the course's, at its best checkpoint), or a repository id or folder as given.

    Returns (repository id or folder, revision). Used within `helpers.inference`.
    """
    from .config import PUBLISHED_ADAPTER, PUBLISHED_ADAPTER_REVISION, RUN_REPO, settings
    from .hub import learner_repo

    if adapter == "published":
        return PUBLISHED_ADAPTER, revision or PUBLISHED_ADAPTER_REVISION
    if adapter != "mine":
        return adapter, revision
    local = settings().models_dir / RUN_REPO
    if (local / "adapter_config.json").exists() and revision is None:
        return str(local), None
    repo = learner_repo(RUN_REPO)
    if repo is None:
        raise FileNotFoundError(
            f"No adapter in {local} and no Hugging Face token. {NO_ADAPTER_HINT}"
        )
    return repo, revision


def load_fine_tuned(
    adapter: str | os.PathLike,
    revision: str | None = None,
    base: str | None = None,
    quantize: bool = True,
) -> tuple[Any, Any]:
    """The 4-bit base model with a LoRA adapter from a local folder or a Hub repository.

    ``adapter`` may also be "mine" or "published" (see `resolve_adapter`). ``revision`` picks a
    commit or branch on the Hub (each checkpoint push is a commit). ``base`` defaults to
    ``meta-llama/Llama-3.1-8B``. The adapter's repository is checked before the base model is
    downloaded. Returns (model, tokenizer), the tokenizer padded on the left for batched
    inference. Introduced in notebooks/09_fine_tuned_inference.ipynb.
    """
    from huggingface_hub import HfApi
    from peft import PeftModel

    from .hub import friendly_hub_errors, hub_token
    from .models import load_model_and_tokenizer

    adapter, revision = resolve_adapter(str(adapter), revision)
    local = Path(adapter)
    if local.is_dir() or adapter.startswith((".", "/")):
        if not (local / "adapter_config.json").exists():
            raise FileNotFoundError(f"No fine-tuned adapter in {adapter}. {NO_ADAPTER_HINT}")
    else:
        with friendly_hub_errors(adapter, NO_ADAPTER_HINT):  # fail before a 16 GB download
            HfApi(token=hub_token()).model_info(adapter, revision=revision)
    model, tokenizer = load_model_and_tokenizer(base, quantize=quantize, padding_side="left")
    with friendly_hub_errors(adapter, NO_ADAPTER_HINT):
        model = PeftModel.from_pretrained(model, adapter, revision=revision)
    model.eval()
    print(f"Adapter: {adapter}" + (f" at revision {revision[:12]}" if revision else ""))
    return model, tokenizer
