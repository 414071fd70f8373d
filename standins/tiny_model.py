"""The stand-in for Llama 3.1 8B: Llama's architecture at toy size, with Meta's REAL tokenizer.

The Hub stand-in serves this folder as ``meta-llama/Llama-3.1-8B``, so smoke runs load it with
the same ``from_pretrained`` calls, the same 4-bit config and the same gating as the real
model. Only the weights differ: two layers 64 wide instead of 32 layers 4,096 wide, randomly
initialised, with the real 128,256-token vocabulary (so token budgets, "every number 0-999 is
one token" and the vocabulary's cost are all real).

Two choices make the tiny model trainable by LoRA in a few CPU minutes. Its output layer (frozen
under LoRA) is drawn wider than Llama's initialisation, so a few steps can make a token clearly
the most likely; and the rows of number tokens vary smoothly with log(value), so that, as in a
pretrained model, $49 looks like $50 and probability can shift toward a price range.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .llama3 import tokenizer_files

if TYPE_CHECKING:
    import torch

# Llama's architecture (RMSNorm, rotary positions, grouped-query attention, SwiGLU) at toy size.
TINY_SHAPE: dict[str, Any] = dict(
    vocab_size=128_256,  # Llama 3's vocabulary, as in the real model
    hidden_size=64,  # width of the residual stream (4,096 in Llama 3.1 8B)
    intermediate_size=256,  # width of the MLP (14,336)
    num_hidden_layers=2,  # transformer blocks (32)
    num_attention_heads=4,  # query heads (32)
    num_key_value_heads=2,  # key/value heads, shared by groups of query heads (8)
    max_position_embeddings=512,  # longer than any course prompt (182 tokens)
    rope_parameters={"rope_type": "default", "rope_theta": 500_000.0},
    initializer_range=0.02,  # standard deviation of the random weights, as in Llama
    rms_norm_eps=1e-5,
    bos_token_id=128_000,  # <|begin_of_text|>
    eos_token_id=128_001,  # <|end_of_text|>
    tie_word_embeddings=False,  # Llama 3.1 8B keeps a separate output layer
)
OUTPUT_STD = 0.4  # output layer's random weights (0.02 elsewhere)
NUMBER_NORM = 3.0  # length of a number token's smooth output row
NUMBER_FREQUENCIES = 12  # sine/cosine pairs of log(value) in that row


def llama31_tokenizer_config(source: Path) -> dict[str, Any]:
    """Llama 3.1 8B's tokenizer_config.json from the wheel's (Llama 3.2's) file.

    The two share the vocabulary and special tokens; Llama 3.2's file adds a pad token that the
    3.1 base model's repository does not have (the course pads with end-of-text itself).
    """
    config = json.loads((source / "tokenizer_config.json").read_text())
    config.pop("pad_token", None)
    return config


def number_rows(tokenizer: Any, width: int, generator: torch.Generator) -> torch.Tensor:
    """Output-layer weights: random, but smooth in log(value) for the number tokens."""
    import torch

    from helpers.inference import number_tokens

    rows = torch.randn(len(tokenizer), width, generator=generator) * OUTPUT_STD
    ids, values = number_tokens(tokenizer)
    u = torch.log(torch.tensor(values))[:, None]
    frequencies = torch.arange(1, NUMBER_FREQUENCIES + 1) * 2 * math.pi / 14  # ln(999) < 7
    code = torch.cat([torch.cos(u * frequencies), torch.sin(u * frequencies)], dim=1)
    code *= NUMBER_NORM / math.sqrt(NUMBER_FREQUENCIES)
    basis, _ = torch.linalg.qr(torch.randn(width, code.shape[1], generator=generator))
    noise = torch.randn(len(ids), width, generator=generator) * 0.1
    rows[ids] = code @ basis.T + noise
    return rows


def build_tiny_llama(directory: str | os.PathLike, seed: int = 42) -> Path:
    """Write the tiny model, its config and Llama 3's real tokenizer files to ``directory``.

    Deterministic for a seed; takes a few seconds. The folder appears whole or not at all.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    source = tokenizer_files()
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tiny-llama-") as scratch:
        staging = Path(scratch) / "model"
        staging.mkdir()
        shutil.copy(source / "tokenizer.json", staging / "tokenizer.json")
        config_text = json.dumps(llama31_tokenizer_config(source), indent=2)
        (staging / "tokenizer_config.json").write_text(config_text)
        tokenizer = AutoTokenizer.from_pretrained(str(staging))
        config = LlamaConfig(**TINY_SHAPE)
        generator = torch.Generator().manual_seed(seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        with torch.no_grad():
            rows = number_rows(tokenizer, config.hidden_size, generator)
            model.lm_head.weight.copy_(rows[: config.vocab_size])
        model.generation_config.pad_token_id = None  # as Meta's: the course sets padding itself
        model.to(torch.bfloat16).save_pretrained(str(staging))  # stored in bf16, as Meta's weights
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    return target
