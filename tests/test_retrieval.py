"""Embeddings through the Hub stand-in, the Chroma store (reused, rebuilt, resumed), the
nearest-neighbour price and retrieval-augmented frontier pricing against the local stand-ins."""

from __future__ import annotations

import pytest

from helpers.frontier import FrontierClient, FrontierError
from helpers.items import Item
from helpers.retrieval import (
    EMBEDDING_MODEL,
    Neighbour,
    NeighbourPricer,
    ProductStore,
    RetrievalPricer,
    embed,
    fingerprint,
    neighbour_price,
)
from helpers.scoring import score
from standins.openai_server import serve


class CountingEmbedder:
    """The real embedding model, counting the texts it is asked to embed (and able to fail)."""

    def __init__(self, model, fail_after: int | None = None):
        self.model = model
        self.model_id = model.model_id
        self.texts = 0
        self.fail_after = fail_after

    def encode(self, texts, **options):
        if self.fail_after is not None and self.texts >= self.fail_after:
            raise KeyboardInterrupt("runtime closed")  # what a closed Colab runtime looks like
        self.texts += len(texts)
        return self.model.encode(texts, **options)


def mae(predictor, items):
    guesses = predictor.predict_batch(items)
    return score(guesses, [i.price for i in items]).mae


def test_the_embedding_model_loads_from_the_hub_under_its_real_name(embedder):
    assert embedder.model_id == EMBEDDING_MODEL
    vectors = embed(
        embedder, ["Cordless Drill 20V", "Pro Cordless Drill, 40V Kit", "HDMI Cable 6 ft"]
    )
    assert vectors.shape[0] == 3
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-5  # unit length
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3  # drills together


def test_the_store_holds_every_training_item(store, smoke_split):
    assert len(store) == len(smoke_split.train) == 2_000
    assert store.embedded == 2_000


def test_a_second_build_reuses_the_store_and_embeds_nothing(store, embedder, smoke_split, capsys):
    counting = CountingEmbedder(embedder)
    again = ProductStore.build(smoke_split.train, counting, store.path)
    assert counting.texts == 0
    assert again.embedded == 0
    assert len(again) == 2_000
    assert "Reusing the vector store" in capsys.readouterr().out
    assert again.similar(smoke_split.train[7])[0].title == smoke_split.train[7].title


def test_other_items_or_another_model_rebuild_the_store(embedder, smoke_split, tmp_path, capsys):
    first = ProductStore.build(smoke_split.train[:300], embedder, tmp_path, batch_size=128)
    assert first.embedded == 300
    other = ProductStore.build(smoke_split.train[300:500], embedder, tmp_path)
    assert other.embedded == 200 and len(other) == 200
    assert "rebuilding" in capsys.readouterr().out
    assert fingerprint(smoke_split.train[:5], "a") != fingerprint(smoke_split.train[:5], "b")


def test_an_interrupted_build_resumes_at_its_first_missing_item(embedder, smoke_split, tmp_path):
    items = smoke_split.train[:700]
    with pytest.raises(KeyboardInterrupt):
        ProductStore.build(
            items, CountingEmbedder(embedder, fail_after=400), tmp_path, batch_size=200
        )
    counting = CountingEmbedder(embedder)
    resumed = ProductStore.build(items, counting, tmp_path, batch_size=200)
    assert counting.texts == 300  # items 400-699 only
    assert len(resumed) == 700
    assert resumed.similar(items[650])[0].title == items[650].title


def test_build_refuses_no_items(embedder, tmp_path):
    with pytest.raises(ValueError, match="notebook 02"):
        ProductStore.build([], embedder, tmp_path)


def test_neighbours_are_products_of_the_same_kind(store, smoke_split):
    found = store.search([i.text for i in smoke_split.test[:50]], k=5)
    assert all(len(f) == 5 for f in found)
    same = [
        sum(n.category == item.category for n in f) / 5
        for item, f in zip(smoke_split.test[:50], found, strict=True)
    ]
    assert sum(same) / len(same) > 0.9
    assert all(f[0].similarity >= f[-1].similarity for f in found)


def near(title: str, price: float, similarity: float) -> Neighbour:
    return Neighbour(title, title, price, "", similarity)


def test_the_neighbour_price_is_the_similarity_weighted_average():
    assert neighbour_price([near("a", 10, 0.5), near("b", 20, 0.25)]) == pytest.approx(40 / 3)
    # a negative similarity weighs nothing; with no positive weight, a plain average
    assert neighbour_price([near("a", 10, 0.8), near("b", 99, -0.3)]) == pytest.approx(10)
    assert neighbour_price([near("a", 10, 0.0), near("b", 30, -0.1)]) == pytest.approx(20)
    with pytest.raises(ValueError):
        neighbour_price([])


def test_the_nearest_neighbour_price_beats_the_training_mean(store, smoke_split):
    test = smoke_split.test
    mean = sum(i.price for i in smoke_split.train) / len(smoke_split.train)
    constant = score([mean] * len(test), [i.price for i in test]).mae
    nn = NeighbourPricer(store, k=5)
    assert nn.name == "Nearest neighbours (k=5)"
    assert mae(nn, test) < 0.65 * constant  # $44 against $78 on the smoke split
    assert nn(test[0]) == nn.predict_batch([test[0]])[0]


def test_retrieval_puts_similar_products_and_prices_in_the_prompt(store, smoke_split, tmp_path):
    rag = RetrievalPricer(
        FrontierClient("gpt-4o-mini", name="GPT-4o-mini + retrieval", cache=tmp_path), store, k=3
    )
    item = smoke_split.test[0]
    prompt = rag.messages(item)[1]["content"]
    similar = store.similar(item, 3)
    assert prompt.count("Price is $") == 3
    for neighbour in similar:
        assert f"{neighbour.text}\nPrice is ${neighbour.price:.2f}" in prompt
    assert prompt.endswith(item.text)
    assert rag.name == "GPT-4o-mini + retrieval (stand-in)"


def test_retrieval_lowers_the_frontier_stand_ins_error(store, smoke_split, tmp_path):
    test = smoke_split.test
    plain = FrontierClient("gpt-4o-mini", cache=tmp_path / "plain")
    rag = RetrievalPricer(FrontierClient("gpt-4o-mini", cache=tmp_path / "rag"), store, k=5)
    estimate = rag.estimate(test[:20])
    assert estimate.items == 20 and estimate.cached == 0 and estimate.simulated
    assert estimate.prompt_tokens > 20 * 5 * 100  # five products' texts per prompt
    assert mae(rag, test) < 0.85 * mae(plain, test)
    assert rag.estimate(test[:20]).cached == 20  # answered once: the cache has them


def test_a_failed_call_is_that_items_reason(store, smoke_split, tmp_path):
    with serve(unparsable_rate=1.0) as url:
        client = FrontierClient(
            "gpt-4o-mini", base_url=url, api_key="sk-x", cache=False, max_retries=1, backoff=0.0
        )
        rag = RetrievalPricer(client, store)
        answers = rag.predict_batch(smoke_split.test[:3])
        assert all(isinstance(a, FrontierError) for a in answers)
        assert "no price" in str(answers[0])
        assert client.usage.failures == 3  # counted in the bill's report, as for plain calls
        assert {title for title, _ in client.failures} == {i.title[:60] for i in smoke_split.test[:3]}
        with pytest.raises(FrontierError):
            rag(smoke_split.test[0])


def test_a_description_without_a_store_item_still_gets_neighbours(store):
    item = Item(
        title="Cordless Drill", category="", price=0.0, text="Cordless Drill 20V kit", token_count=0
    )
    assert len(store.similar(item, 4)) == 4
    assert len(store.similar("HDMI cable", 2)) == 2
    assert store.search([], 3) == []
