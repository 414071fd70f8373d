"""The precision rule: bf16 only with bf16 hardware (compute capability 8.0+), fp16 on a T4.

No GPU here, so torch's device queries are answered at the edge (pytest's monkeypatch on
``torch.cuda``) as a T4 or an A100 would answer them. The T4 also answers True to
``torch.cuda.is_bf16_supported()``, as a real one does (emulation counts there): the rule must
not believe it. Models, training and the environment check all follow the same rule.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from trl import SFTConfig  # noqa: F401  imported before torch.cuda is patched: importing it probes the device

from helpers import check_env, training
from helpers.check_env import OK
from helpers.models import compute_dtype, has_bf16_hardware, quantization_kwargs

T4 = SimpleNamespace(name="Tesla T4", capability=(7, 5), total_memory=15_843_721_216)
A100 = SimpleNamespace(name="NVIDIA A100-SXM4-40GB", capability=(8, 0), total_memory=42_474_471_424)


def _pretend(monkeypatch, gpu: SimpleNamespace) -> None:
    """torch.cuda answers as ``gpu`` would: one device, its name, memory and capability."""
    props = SimpleNamespace(name=gpu.name, total_memory=gpu.total_memory)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: gpu.name)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: props)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: gpu.capability)
    # What torch says on both: True, counting the T4's slow emulation.
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    monkeypatch.setattr(torch.version, "cuda", "12.4")


def test_a_t4_computes_in_fp16_although_torch_calls_bf16_supported(monkeypatch, tmp_path):
    _pretend(monkeypatch, T4)
    assert torch.cuda.is_bf16_supported()  # the question the old rule asked
    assert has_bf16_hardware() is False
    assert compute_dtype() == torch.float16
    assert quantization_kwargs()["bnb_4bit_compute_dtype"] == torch.float16
    assert training.mixed_precision() == {"bf16": False, "fp16": True}
    kwargs = training.sft_kwargs(tmp_path)
    assert (kwargs["bf16"], kwargs["fp16"]) == (False, True)  # what SFTConfig receives


def test_an_a100_computes_in_bf16(monkeypatch, tmp_path):
    _pretend(monkeypatch, A100)
    assert has_bf16_hardware() is True
    assert compute_dtype() == torch.bfloat16
    assert quantization_kwargs()["bnb_4bit_compute_dtype"] == torch.bfloat16
    assert training.mixed_precision() == {"bf16": True, "fp16": False}
    kwargs = training.sft_kwargs(tmp_path)
    assert (kwargs["bf16"], kwargs["fp16"]) == (True, False)


@pytest.mark.parametrize(
    "capability, bf16",
    [
        ((6, 0), False),
        ((7, 0), False),
        ((7, 5), False),
        ((8, 0), True),
        ((8, 9), True),
        ((9, 0), True),
    ],
)
def test_the_rule_is_compute_capability_8(monkeypatch, capability, bf16):
    """P100 6.0, V100 7.0, T4 7.5: no bf16 hardware; A100 8.0, L4 8.9, H100 9.0: bf16."""
    _pretend(monkeypatch, SimpleNamespace(name="GPU", capability=capability, total_memory=2**34))
    assert has_bf16_hardware() is bf16
    assert compute_dtype() == (torch.bfloat16 if bf16 else torch.float16)


def test_the_cpu_computes_in_fp32(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert has_bf16_hardware() is False
    assert compute_dtype() == torch.float32
    assert training.mixed_precision() == {"bf16": False, "fp16": False}


def test_check_env_says_a_t4_has_no_bf16_hardware(monkeypatch):
    _pretend(monkeypatch, T4)
    gpu, precision = check_env.check_gpu()
    assert gpu.status == OK and gpu.detail == "Tesla T4, 14.8 GiB (CUDA 12.4)"  # 15.84e9 / 2**30
    assert precision.status == OK  # nothing to fix: fp16 is chosen by itself
    assert precision.detail == (
        "Tesla T4: no bf16 hardware (compute capability 7.5); training uses fp16"
    )
    assert precision.short == "fp16 (Tesla T4: no bf16 hardware)"
    assert check_env.report([gpu, precision]).splitlines()[0] == (
        "[OK]    2 checks: GPU Tesla T4 15 GiB, fp16 (Tesla T4: no bf16 hardware)"
    )


def test_check_env_says_an_a100_has_bf16(monkeypatch):
    _pretend(monkeypatch, A100)
    gpu, precision = check_env.check_gpu()
    assert gpu.detail == "NVIDIA A100-SXM4-40GB, 39.6 GiB (CUDA 12.4)"  # 42.47e9 / 2**30
    assert precision == check_env.Check(
        "precision",
        OK,
        "NVIDIA A100-SXM4-40GB: bf16 hardware (compute capability 8.0); training uses bf16",
        short="bf16",
    )
