"""Shared fixtures: Llama 3's real tokenizer and curated sample-catalog items, built once per run."""

import pytest


@pytest.fixture(scope="session")
def catalog_items(llama_tokenizer):
    """Curated Items from the synthetic catalog: 300 records per category, every category."""
    from standins.samples import catalog_items

    return catalog_items(llama_tokenizer)


@pytest.fixture(scope="session")
def smoke_split(llama_tokenizer):
    """The smoke splits exactly as notebook 02 makes them (2,000 training items, 250 test)."""
    from standins.samples import smoke_splits

    return smoke_splits(llama_tokenizer)


@pytest.fixture(scope="session")
def llama_tokenizer():
    """Meta's real Llama 3 tokenizer, as notebooks load it: meta-llama/Llama-3.1-8B's, from the
    Hub stand-in (which serves the real tokenizer files, with the 3.1 base model's config)."""
    from helpers.tokenizer import load_tokenizer

    return load_tokenizer()


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory):
    """The folder of the Llama 3.1 8B stand-in (two layers, the real tokenizer), built once."""
    from standins.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("models") / "Llama-3.1-8B")


@pytest.fixture
def write_guesses():
    """Fill a guess sheet as a person would in a spreadsheet: write(path, guesses), one per row."""
    import csv

    from helpers.human import read_sheet

    def write(path, guesses):
        rows = read_sheet(path)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["prompt", "guess"])
            for row, guess in zip(rows, guesses, strict=True):
                writer.writerow([row["prompt"], guess])

    return write


@pytest.fixture(scope="session")
def embedder():
    """The embedding model notebook 10 loads (all-MiniLM-L6-v2's stand-in, from the Hub stand-in)."""
    from helpers.retrieval import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def store(embedder, smoke_split, tmp_path_factory):
    """A vector store of the smoke training items, built once for the retrieval and demo tests."""
    from helpers.retrieval import ProductStore

    return ProductStore.build(smoke_split.train, embedder, tmp_path_factory.mktemp("store"))


@pytest.fixture
def fake():
    """The OpenAI-compatible stand-in with its defaults, one per test (test_frontier makes its own)."""
    from standins.openai_server import FakeOpenAI

    with FakeOpenAI() as server:
        yield server
