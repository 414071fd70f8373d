"""The training script under `accelerate launch` with two processes: the multi-GPU path, on CPUs.

`python -m helpers.training` is driven only through its command-line flags, as a learner with
several GPUs would run it, on the Llama 3.1 8B stand-in the other tests share (2 layers, width
64, Llama 3's real tokenizer and 128,256-token vocabulary). The base model is loaded in 4 bits
(bitsandbytes runs NF4 on the CPU), wrapped in DistributedDataParallel over gloo, and each
process trains on its own half of every batch. About 30 seconds on 2 cores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import sampling

REPO = Path(__file__).resolve().parent.parent
TRAIN_ITEMS, BATCH, STEPS, PROCESSES = 16, 2, 2, 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_training_script_trains_as_two_processes(tiny_llama, smoke_split, tmp_path):
    train, validation, test = smoke_split
    splits = sampling.Splits(train[:TRAIN_ITEMS], validation[:2], test[:2])
    sampling.save_splits(splits, tmp_path / "splits")
    run = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",  # torchrun starts the processes, one per GPU on a GPU machine
        f"--num_processes={PROCESSES}",
        "--num_machines=1",
        "--mixed_precision=no",
        "--dynamo_backend=no",
        f"--main_process_port={_free_port()}",
        "-m",
        "helpers.training",
        f"--base={tiny_llama}",
        f"--splits={tmp_path / 'splits'}",
        f"--output-dir={run}",
        f"--max-steps={STEPS}",
        f"--batch-size={BATCH}",
        "--save-steps=1",
        "--logging-steps=1",
    ]
    env = {
        **os.environ,
        # What `accelerate launch --cpu` sets. With --cpu, accelerate starts one process unless
        # MPI is installed, so the processes come from --multi_gpu and this sends each one down
        # the CPU path: gloo instead of NCCL. Without it, on a machine with no GPU, every process
        # trains a copy of its own (each sees the whole dataset; no gradients are shared).
        "ACCELERATE_USE_CPU": "true",
        "CUDA_VISIBLE_DEVICES": "",  # on a GPU machine too: the model must stay on the CPU
        "OMP_NUM_THREADS": "1",  # two processes on a small machine: no oversubscription
        "HF_HOME": str(tmp_path / "hf-home"),  # no accelerate config file from this machine
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    checkpoint = run / f"checkpoint-{STEPS}"
    state = json.loads((checkpoint / "trainer_state.json").read_text())
    assert state["global_step"] == STEPS
    # 2 steps x 2 items per process x 2 processes = 8 of the 16 items: half an epoch. One process
    # training alone (or two unaware of each other) would have covered 4 items: 0.25.
    assert state["epoch"] == STEPS * BATCH * PROCESSES / TRAIN_ITEMS == 0.5
    ranks = sorted(p.name for p in checkpoint.glob("rng_state_*.pth"))
    assert ranks == ["rng_state_0.pth", "rng_state_1.pth"]  # each process saved its own RNG
    losses = [entry["loss"] for entry in state["log_history"] if "loss" in entry]
    assert len(losses) == STEPS and all(loss > 0 for loss in losses)
    adapter = json.loads((run / "adapter_config.json").read_text())  # the final adapter, once
    assert adapter["r"] == 32 and adapter["peft_type"] == "LORA"
    assert (run / "adapter_model.safetensors").stat().st_size > 0
