"""The base model: Llama 3.1 8B in 4 bits, from the Hub.

One ``from_pretrained`` call with the course's 4-bit NF4 quantization config, or none when the
repository is already stored in 4 bits (the pre-quantized copy). bitsandbytes (0.47 and later)
runs NF4 layers and paged AdamW on the CPU too, so smoke runs, whose stand-in "Llama" is tiny,
keep the quantized path end to end.

Also here: the precision a machine supports, padding for training and for batched generation,
memory footprints for the quantization lesson, and messages that say how to fix the walls a
learner meets (no GPU, gated model, out of memory).

Introduced in notebooks/07_base_model.ipynb.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .config import BASE_MODEL
from .hub import friendly_hub_errors
from .tokenizer import load_tokenizer

# Meta-Llama-3.1-8B's shape (its config.json), so footprints and benchmarks need no download.
LLAMA_31_8B_SHAPE: dict[str, Any] = dict(
    vocab_size=128_256,
    hidden_size=4_096,
    intermediate_size=14_336,
    num_hidden_layers=32,
    num_attention_heads=32,
    num_key_value_heads=8,
    max_position_embeddings=131_072,
    rms_norm_eps=1e-5,
    rope_parameters={
        "rope_type": "llama3",
        "rope_theta": 500_000.0,
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8_192,
    },
    bos_token_id=128_000,
    eos_token_id=128_001,
    tie_word_embeddings=False,
)

CPU_PARAMETER_LIMIT = 1_000_000_000  # models above this size need a GPU

NO_GPU_HELP = (
    "{source} has {billions:.1f} billion parameters and needs a GPU, but PyTorch sees none.\n"
    "  On Colab: Runtime > Change runtime type > Hardware accelerator: T4 GPU (free), then\n"
    "  Runtime > Run all. Locally: install a CUDA build of PyTorch (https://pytorch.org).\n"
    "Or run the notebook in smoke mode (SMOKE = True): a tiny model that runs on any CPU."
)
OOM_HELP = (
    "The GPU ran out of memory while {what}. To fix it:\n"
    "  - lower the batch size (BATCH_SIZE, or --batch-size for the script) and raise\n"
    "    GRADIENT_ACCUMULATION_STEPS to keep the same effective batch;\n"
    "  - lower MAX_SEQUENCE_LENGTH only if your prompts are shorter than it;\n"
    "  - keep QUANTIZE = True (4 bits) and gradient checkpointing on;\n"
    "  - free memory held by an earlier model: Runtime > Restart session, then run again."
)


# ---- precision and quantization -----------------------------------------------------------


def has_bf16_hardware(device: int | None = None) -> bool:
    """Whether the GPU computes in bfloat16 in hardware: compute capability 8.0 or newer (A100,
    L4, RTX 30xx and later, H100). False on a T4 (7.5) and without a GPU.

    ``torch.cuda.is_bf16_supported()`` answers True on a T4 too, because it counts emulation,
    which is several times slower than fp16 there; the capability is the honest test. This is
    the one place the rule lives: the compute dtype, the training flags and the environment
    check all ask here. Used by `helpers.check_env` and `helpers.presets`, behind `compute_dtype`.
    """
    import torch

    if not torch.cuda.is_available():
        return False
    major, _minor = torch.cuda.get_device_capability(device)
    return major >= 8


def compute_dtype():
    """The dtype for matmuls: bf16 on GPUs with bf16 hardware, fp16 on others (Colab's T4), fp32
    on the CPU. Introduced in notebooks/07_base_model.ipynb.
    """
    import torch

    if not torch.cuda.is_available():
        return torch.float32
    return torch.bfloat16 if has_bf16_hardware() else torch.float16


def quantization_kwargs(dtype=None) -> dict[str, Any]:
    """The course's 4-bit settings as `BitsAndBytesConfig` keywords. Used within `helpers.models`."""
    return dict(
        load_in_4bit=True,  # weights stored in 4 bits...
        bnb_4bit_quant_type="nf4",  # ...as NormalFloat4: levels spaced for normally distributed weights
        bnb_4bit_use_double_quant=True,  # quantize the per-block scales too (saves ~0.4 bit/weight)
        # matmuls dequantize the weights to this dtype
        bnb_4bit_compute_dtype=dtype if dtype is not None else compute_dtype(),
    )


def quantization_config(dtype=None):
    """The course's 4-bit config: NF4 weights, double quantization, compute in ``dtype``.

    Introduced in notebooks/07_base_model.ipynb.
    """
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(**quantization_kwargs(dtype))


# ---- configs without weights -------------------------------------------------------------


def llama_config(shape: dict[str, Any] | None = None, **overrides: Any):
    """A `LlamaConfig` from a shape dict (default: Llama 3.1 8B's), with overrides.

    Introduced in notebooks/07_base_model.ipynb.
    """
    from transformers import LlamaConfig

    values = dict(LLAMA_31_8B_SHAPE if shape is None else shape)
    values.update(overrides)
    return LlamaConfig(**values)


# ---- padding --------------------------------------------------------------------------------


def set_padding(tokenizer: Any, side: str = "right") -> Any:
    """Pad with the end-of-text token (as the course does) on ``side``; returns the tokenizer.

    Right padding for training (labels line up with inputs); left padding for batched
    generation, so every prompt ends where new tokens begin. Introduced in notebooks/08_qlora_training.ipynb.
    """
    if side not in ("left", "right"):
        raise ValueError(f"padding side must be 'left' or 'right', not {side!r}")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = side
    return tokenizer


# ---- loading --------------------------------------------------------------------------------


@contextlib.contextmanager
def friendly_oom(what: str) -> Iterator[None]:
    """Re-raise a CUDA out-of-memory error with what to lower. Used by `helpers.checkpoints` and `helpers.inference`."""
    import torch

    try:
        yield
    except torch.cuda.OutOfMemoryError as error:
        raise MemoryError(OOM_HELP.format(what=what)) from error
    except RuntimeError as error:
        if "out of memory" not in str(error).lower():
            raise
        raise MemoryError(OOM_HELP.format(what=what)) from error


def parameter_count(config: Any) -> int:
    """Parameters of a Llama-shaped model, from its config alone (no weights needed).

    Introduced in notebooks/07_base_model.ipynb.
    """
    c = config
    linear = sum(inputs * outputs for inputs, outputs in projection_shapes(c).values())
    per_layer = linear + 2 * c.hidden_size  # plus two RMSNorm weight vectors
    embeddings = c.vocab_size * c.hidden_size * (1 if c.tie_word_embeddings else 2)
    return c.num_hidden_layers * per_layer + embeddings + c.hidden_size


def projection_shapes(config: Any) -> dict[str, tuple[int, int]]:
    """(inputs, outputs) of each linear layer of one Llama block, by its name in the model.

    Used within `helpers.models`.
    """
    c = config
    head_dim = getattr(c, "head_dim", None) or c.hidden_size // c.num_attention_heads
    kv = (c.num_key_value_heads or c.num_attention_heads) * head_dim
    return {
        "q_proj": (c.hidden_size, c.num_attention_heads * head_dim),
        "k_proj": (c.hidden_size, kv),
        "v_proj": (c.hidden_size, kv),
        "o_proj": (c.num_attention_heads * head_dim, c.hidden_size),
        "gate_proj": (c.hidden_size, c.intermediate_size),
        "up_proj": (c.hidden_size, c.intermediate_size),
        "down_proj": (c.intermediate_size, c.hidden_size),
    }


def lora_parameter_count(config: Any, r: int, modules: Sequence[str]) -> int:
    """Weights LoRA trains: A (r x inputs) and B (outputs x r) for each adapted projection
    in ``modules``, in every layer. Introduced in notebooks/08_qlora_training.ipynb.
    """
    shapes = projection_shapes(config)
    return config.num_hidden_layers * sum(r * sum(shapes[m]) for m in modules)


def _device_map() -> dict[str, int] | None:
    """The whole model on this process's GPU (one per process under `accelerate launch`)."""
    import torch

    if not torch.cuda.is_available():
        return None
    return {"": int(os.environ.get("LOCAL_RANK", 0))}


def from_pretrained_kwargs(quantize: bool = True, revision: str | None = None) -> dict[str, Any]:
    """Keywords for ``AutoModelForCausalLM.from_pretrained``: dtype, placement, 4 bits.

    Used within `helpers.models`.
    """
    dtype = compute_dtype()
    kwargs: dict[str, Any] = dict(dtype=dtype, device_map=_device_map(), revision=revision)
    if quantize:
        kwargs["quantization_config"] = quantization_config(dtype)
    return kwargs


def set_compute_dtype(model: Any, dtype: Any) -> int:
    """Make every 4-bit layer of ``model`` compute in ``dtype``; returns how many it changed.

    A pre-quantized repository stores the compute dtype it was saved with (often bf16, which a
    T4 can only emulate). Used within `helpers.models`.
    """
    from bitsandbytes.nn import Linear4bit

    layers = [m for m in model.modules() if isinstance(m, Linear4bit)]
    for layer in layers:
        layer.compute_dtype = dtype
    return len(layers)


def load_base_model(source: str | None = None, quantize: bool = True, revision: str | None = None):
    """Load the base model: 4-bit NF4 when ``quantize``, else in the compute dtype.

    ``source`` defaults to ``meta-llama/Llama-3.1-8B``. A repository stored in 4 bits already
    (its config carries a quantization config) is loaded as it is. Raises with the fix when
    there is no GPU for a big model, the model is gated, or memory runs out. Used within `helpers.models`.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    source = str(source or BASE_MODEL)
    with friendly_hub_errors(source):
        config = AutoConfig.from_pretrained(source, revision=revision)
    size = parameter_count(config)
    if size > CPU_PARAMETER_LIMIT and not torch.cuda.is_available():
        raise RuntimeError(NO_GPU_HELP.format(source=source, billions=size / 1e9))
    prequantized = getattr(config, "quantization_config", None) is not None
    kwargs = from_pretrained_kwargs(quantize and not prequantized, revision)
    with friendly_hub_errors(source), friendly_oom(f"loading {source}"):
        model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    if prequantized:  # its saved config names the dtype its uploader computed in; use this GPU's
        set_compute_dtype(model, kwargs["dtype"])
    if model.generation_config.pad_token_id is None:
        model.generation_config.pad_token_id = config.eos_token_id
    return model


def load_model_and_tokenizer(
    source: str | None = None, quantize: bool = True, padding_side: str = "right"
) -> tuple[Any, Any]:
    """The base model and its tokenizer, padded on ``padding_side``. Introduced in notebooks/07_base_model.ipynb."""
    source = str(source or BASE_MODEL)
    model = load_base_model(source, quantize=quantize)
    tokenizer = set_padding(load_tokenizer(source), padding_side)
    return model, tokenizer


# ---- memory footprints ----------------------------------------------------------------------

# Bits per weight of each format, scales included: NF4 keeps one fp32 scale per 64 weights
# (+0.5 bit); double quantization stores those as 8 bits per 256-weight group (+0.127 bit).
BITS_PER_WEIGHT: dict[str, float] = {
    "fp32": 32.0,
    "bf16 / fp16": 16.0,
    "8-bit (LLM.int8)": 8.0 + 32 / 4096,  # one fp32 scale per row of 4,096
    "4-bit NF4": 4.0 + 32 / 64,
    "4-bit NF4, double quantized": 4.0 + 8 / 64 + 32 / (64 * 256),
}


@dataclass(frozen=True)
class Footprint:
    """Estimated memory of a model's weights in one precision. Used within `helpers.models`."""

    precision: str
    bits_per_weight: float  # in the quantized linear layers
    gigabytes: float  # 10^9 bytes, as model cards and nvidia-smi round them


def estimate_footprints(config: Any) -> list[Footprint]:
    """Weight memory in each precision of `BITS_PER_WEIGHT`, from the config alone.

    Only the transformer blocks' linear layers are quantized; embeddings, the output layer
    and norms stay in 16 bits (32 for fp32), as bitsandbytes does. Introduced in
    notebooks/07_base_model.ipynb.
    """
    total = parameter_count(config)
    c = config
    embeddings = c.vocab_size * c.hidden_size * (1 if c.tie_word_embeddings else 2)
    norms = (2 * c.num_hidden_layers + 1) * c.hidden_size
    linear = total - embeddings - norms
    rows = []
    for name, bits in BITS_PER_WEIGHT.items():
        rest_bits = 32.0 if bits == 32.0 else 16.0
        size = (linear * bits + (embeddings + norms) * rest_bits) / 8
        rows.append(Footprint(name, round(bits, 3), size / 1e9))
    return rows


def memory_footprint(model: Any) -> int:
    """Bytes the loaded model's weights take (parameters and buffers), as transformers counts.

    Introduced in notebooks/07_base_model.ipynb.
    """
    return int(model.get_memory_footprint())
