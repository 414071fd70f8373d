"""What the Hub stand-in serves: the public repositories a learner reads, and the learner.

Everything appears under its real name, so smoke runs cross the same boundaries as real ones:

- ``McAuley-Lab/Amazon-Reviews-2023`` (dataset): the synthetic catalog at the real paths,
  ``raw/meta_categories/meta_<Category>.jsonl``;
- ``meta-llama/Llama-3.1-8B`` (gated): the tiny Llama with Meta's real tokenizer; the learner
  has accepted the licence, a stranger has not;
- ``unsloth/Meta-Llama-3.1-8B-bnb-4bit``: the same tiny weights stored in 4 bits, as the
  pre-quantized mirror stores Llama's;
- ``ed-donner/pricer-data`` (dataset): the course's published splits in their real schema
  (columns ``text`` and ``price``; train prompts end with the price, test prompts with
  "Price is $"), made from the catalog;
- ``ed-donner/pricer-2024-09-13_13.04.39``: a LoRA adapter for the tiny model at the course's
  revision id. Its weights are random: it stands in for the format and the loading path,
  not for the real adapter's skill;
- ``sentence-transformers/all-MiniLM-L6-v2``: a small static embedding model built from the
  catalog's words (`standins.embedder`) that puts similar products together.

Users: ``learner`` with a write token (the smoke environment's HF_TOKEN) and a read token, and
``stranger``, who has not accepted Meta's licence. The learner owns no repository at first.

Building the public repositories takes several seconds, so they are built once into a cache
folder and hard-linked into each fresh storage folder.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from helpers.config import (
    BASE_MODEL,
    BASE_MODEL_4BIT,
    CATEGORIES,
    PUBLISHED_ADAPTER,
    PUBLISHED_ADAPTER_REVISION,
    PUBLISHED_BASE_MODEL,
    PUBLISHED_SPLITS,
    RAW_DATASET,
    RAW_FILE,
    SMOKE_HUB_TOKEN,
    SMOKE_SIZES,
)
from helpers.retrieval import EMBEDDING_MODEL

from .catalog import catalog_jsonl
from .hub_storage import HubStorage, folder_files
from .samples import SEED, curated_items

WORLD_VERSION = 4  # bump when anything below changes, so cached worlds are rebuilt
LEARNER = "learner"
LEARNER_WRITE_TOKEN = SMOKE_HUB_TOKEN
LEARNER_READ_TOKEN = "hf_standin_learner_read"
STRANGER = "stranger"
STRANGER_TOKEN = "hf_standin_stranger_write"


def _catalog_files(n: int) -> dict[str, bytes]:
    return {RAW_FILE.format(category=c): catalog_jsonl(c, n, SEED) for c in CATEGORIES}


def _published_splits(tokenizer: Any, n_train: int, n_test: int) -> dict[str, bytes]:
    """The course's dataset schema: prompts with the price for train, ending at the prefix for test."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    items = curated_items(tokenizer, SMOKE_SIZES.catalog_size, SEED + 1)
    random.Random(SEED).shuffle(items)
    test, train = items[:n_test], items[n_test : n_test + n_train]
    files = {}
    for name, rows, prompt in (
        ("train", train, lambda i: i.prompt),
        ("test", test, lambda i: i.test_prompt),
    ):
        table = pa.table({"text": [prompt(i) for i in rows], "price": [i.price for i in rows]})
        sink = io.BytesIO()
        pq.write_table(table, sink)
        files[f"data/{name}-00000-of-00001.parquet"] = sink.getvalue()
    return files


def _adapter_files(base: Path, scratch: Path) -> dict[str, Path]:
    """A LoRA adapter with the course's settings (r 32, alpha 64, q/k/v/o), random weights."""
    import torch
    from peft import get_peft_model
    from transformers import AutoModelForCausalLM

    from helpers.training import lora_config

    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=torch.float32)
    config = lora_config()  # the course's settings, as notebook 08 trains with
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)  # LoRA's A matrices are drawn at random: the same every build
        peft_model = get_peft_model(model, config)
    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:  # B starts at zero (a no-op adapter); give it something to say
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.02)
    out = scratch / "adapter"
    peft_model.save_pretrained(str(out))
    settings = json.loads((out / "adapter_config.json").read_text())
    settings["base_model_name_or_path"] = PUBLISHED_BASE_MODEL
    (out / "adapter_config.json").write_text(json.dumps(settings, indent=2))
    return folder_files(out)


def _quantized_files(base: Path, scratch: Path) -> dict[str, Path]:
    """The tiny model saved in 4 bits (NF4, double quantization) with its tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.models import quantization_config

    quantization = quantization_config(torch.bfloat16)  # the course's, computing in bf16 as saved
    model = AutoModelForCausalLM.from_pretrained(
        str(base), quantization_config=quantization, dtype=torch.bfloat16
    )
    out = scratch / "quantized"
    model.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(out))
    return folder_files(out)


def build_public(storage: HubStorage, scratch: Path) -> None:
    """Create the public repositories and their users in ``storage``."""
    from transformers import AutoTokenizer

    from .tiny_model import build_tiny_llama

    storage.add_user(LEARNER, LEARNER_WRITE_TOKEN, role="write")
    storage.add_user(LEARNER, LEARNER_READ_TOKEN, role="read")
    storage.add_user(STRANGER, STRANGER_TOKEN, role="write")

    storage.create_repo(RAW_DATASET, repo_type="dataset")
    storage.commit(
        RAW_DATASET, _catalog_files(SMOKE_SIZES.catalog_size), repo_type="dataset",
        message="Raw product metadata (synthetic stand-in)",
    )  # fmt: skip

    tiny = build_tiny_llama(scratch / "tiny-llama", seed=SEED)
    storage.create_repo(BASE_MODEL, gated=True)
    storage.commit(BASE_MODEL, folder_files(tiny), message="Tiny stand-in for Llama 3.1 8B")
    storage.grant(BASE_MODEL, LEARNER)

    storage.create_repo(BASE_MODEL_4BIT)
    storage.commit(BASE_MODEL_4BIT, _quantized_files(tiny, scratch), message="4-bit copy")

    tokenizer = AutoTokenizer.from_pretrained(str(tiny))
    storage.create_repo(PUBLISHED_SPLITS, repo_type="dataset")
    storage.commit(
        PUBLISHED_SPLITS, _published_splits(tokenizer, SMOKE_SIZES.n_train, SMOKE_SIZES.n_test),
        repo_type="dataset", message="Curated splits (stand-in built from the synthetic catalog)",
    )  # fmt: skip

    storage.create_repo(PUBLISHED_ADAPTER)
    storage.commit(PUBLISHED_ADAPTER, {"README.md": b"# pricer\n"}, message="Initial commit")
    storage.commit(
        PUBLISHED_ADAPTER, _adapter_files(tiny, scratch), message="Checkpoint (stand-in)",
        oid=PUBLISHED_ADAPTER_REVISION,
    )  # fmt: skip

    from .embedder import build_embedder

    storage.create_repo(EMBEDDING_MODEL)
    embedder = build_embedder(scratch / "embedder")
    storage.commit(EMBEDDING_MODEL, folder_files(embedder), message="Stand-in for all-MiniLM-L6-v2")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pricer" / f"standin-world-v{WORLD_VERSION}"


def build_cache() -> Path:
    """Build the public repositories into the cache folder (about 20 seconds), once per machine."""
    target = cache_dir()
    if (target / "users.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".world-") as scratch:
        staging = Path(scratch) / "storage"
        build_public(HubStorage(staging), Path(scratch))
        try:
            os.replace(staging, target)
        except OSError:
            if not (target / "users.json").exists():
                raise
    remove_stale_worlds(target)
    return target


def remove_stale_worlds(current: Path) -> list[Path]:
    """Delete the cached worlds of other versions beside ``current`` (about 100 MB each): once
    a checkout builds a new version, the old ones only fill the disk. Returns what went."""
    stale = [
        folder
        for folder in current.parent.glob("standin-world-v*")
        if folder != current and folder.is_dir() and folder.name[len("standin-world-v") :].isdigit()
    ]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _cached_world() -> Path:
    """The cached public repositories, built in a child process when missing: building imports
    huggingface_hub, which must not happen here before HF_ENDPOINT points at the stand-in."""
    target = cache_dir()
    if not (target / "users.json").exists():
        print(f"Building the Hub stand-in's repositories (once, about 20 s): {target}", flush=True)
        quiet = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1"}
        subprocess.run(
            [sys.executable, "-m", "standins.world"],
            check=True,
            env={**os.environ, **quiet},
            stdout=subprocess.DEVNULL,  # it prints the folder, said above already
        )
    return target


def prepare_storage(root: str | os.PathLike) -> Path:
    """A storage folder holding the public repositories (and nothing of the learner's yet).

    An existing storage folder is kept as it is, so runtimes of one course run share it.
    """
    root = Path(root)
    if (root / "users.json").exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(_cached_world(), root, copy_function=os.link, dirs_exist_ok=True)
    return root


if __name__ == "__main__":
    print(build_cache())
