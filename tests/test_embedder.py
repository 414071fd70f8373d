"""The stand-in for all-MiniLM-L6-v2: a sentence-transformers model built offline that loads like
any saved model and puts products of the same kind together."""

from __future__ import annotations

import json

import numpy as np
import pytest

from standins.catalog import generate_records, record_text
from standins.embedder import DIMENSIONS, UNKNOWN, build_embedder, word_vectors

CORPUS = [
    "Cordless drill 20V with battery and charger",
    "Cordless drill kit, brushless, 40V battery",
    "Impact driver 20V battery kit",
    "HDMI cable 6 ft braided gold plated",
    "HDMI cable 10 ft high speed",
    "USB charger cable braided",
] * 3


def test_word_vectors_know_the_corpus_words_and_zero_the_rest():
    tokenizer, weights = word_vectors(CORPUS, dimensions=3)
    vocabulary = tokenizer.get_vocab()
    assert vocabulary[UNKNOWN] == 0 and not weights[0].any()
    assert weights.shape == (len(vocabulary), 3)
    encoded = tokenizer.encode("CORDLESS Drill, xyzzy!", add_special_tokens=False)
    # lower case; punctuation and unseen words are unknown (zero vectors: they only scale the mean)
    assert encoded.tokens == ["cordless", "drill", UNKNOWN, UNKNOWN, UNKNOWN]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from sentence_transformers import SentenceTransformer

    folder = build_embedder(tmp_path_factory.mktemp("embedder"))
    assert (
        json.loads((folder / "config_sentence_transformers.json").read_text())["similarity_fn_name"]
        == "cosine"
    )
    assert (folder / "README.md").read_text().startswith("---")
    return SentenceTransformer(str(folder), device="cpu")


def test_the_saved_model_loads_and_gives_unit_vectors(model):
    vectors = model.encode(["Cordless Drill", "HDMI Cable", "zzz unknown words"])
    assert vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)


def test_products_of_the_same_type_are_nearest(model):
    """On catalog records it never saw (another seed), most nearest neighbours share the type."""
    records = [
        r
        for c in ("Electronics", "Tools_and_Home_Improvement")
        for r in generate_records(c, 120, seed=99)
    ]
    vectors = model.encode([record_text(r) for r in records], normalize_embeddings=True)
    kind = [
        r["title"].split(",")[0].split()[-1] for r in records
    ]  # "...Drill Kit" -> "Kit": coarse
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1)
    nearest = similarity.argmax(axis=1)
    same = np.mean([kind[i] == kind[j] for i, j in enumerate(nearest)])
    assert same > 0.8
