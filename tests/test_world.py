"""What the Hub stand-in serves: every public repository under its real name, as the course reads it."""

import json

import pytest
import torch

from helpers import hub
from helpers.config import (
    BASE_MODEL,
    BASE_MODEL_4BIT,
    CATEGORIES,
    PUBLISHED_ADAPTER,
    PUBLISHED_ADAPTER_REVISION,
    PUBLISHED_BASE_MODEL,
    RAW_DATASET,
    RAW_FILE,
)
from helpers.loaders import download_raw
from helpers.models import load_base_model


def test_the_raw_catalog_is_at_the_amazon_datasets_real_paths():
    names = set(hub.list_files(RAW_DATASET))
    assert {RAW_FILE.format(category=c) for c in CATEGORIES} <= names
    first = json.loads(open(download_raw("Appliances")).readline())
    assert {"title", "price", "details", "features", "description", "main_category"} <= set(first)


def test_llama_is_gated_with_the_real_vocabulary():
    config = json.loads(hub.pull_file(BASE_MODEL, "config.json", repo_type="model").read_text())
    assert config["vocab_size"] == 128_256 and config["model_type"] == "llama"
    tokenizer_config = json.loads(
        hub.pull_file(BASE_MODEL, "tokenizer_config.json", repo_type="model").read_text()
    )
    assert "pad_token" not in tokenizer_config  # as Meta's 3.1 base: the course pads itself


@pytest.mark.parametrize("source", [BASE_MODEL, BASE_MODEL_4BIT])
def test_both_base_models_load_in_four_bits(source):
    import bitsandbytes as bnb

    model = load_base_model(source)
    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(layers) == 2 * 7  # q, k, v, o, gate, up, down in each of two blocks
    assert {layer.compute_dtype for layer in layers} == {
        torch.float32
    }  # this machine's, not the saved one


def test_the_course_adapter_is_served_at_its_revision():
    files = hub.list_files(
        PUBLISHED_ADAPTER, repo_type="model", revision=PUBLISHED_ADAPTER_REVISION
    )
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(files)
    settings = json.loads(
        hub.pull_file(
            PUBLISHED_ADAPTER,
            "adapter_config.json",
            repo_type="model",
            revision=PUBLISHED_ADAPTER_REVISION,
        ).read_text()
    )
    assert settings["base_model_name_or_path"] == PUBLISHED_BASE_MODEL
    assert (settings["r"], settings["lora_alpha"]) == (32, 64)


def test_building_a_world_removes_the_cached_worlds_of_other_versions(tmp_path):
    from standins.world import WORLD_VERSION, remove_stale_worlds

    current = tmp_path / f"standin-world-v{WORLD_VERSION}"
    old, other, unrelated = (
        tmp_path / n for n in ("standin-world-v1", "standin-world-v2", "llama3-tokenizer-0.5.0")
    )
    for folder in (current, old, other, unrelated):
        folder.mkdir()
        (folder / "users.json").write_text("{}")
    assert sorted(p.name for p in remove_stale_worlds(current)) == [old.name, other.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([current.name, unrelated.name])
