"""The live demo's handler, headless: every model's estimate side by side and the retrieved
neighbours; then, when Gradio is installed, the same through Gradio's own client."""

from __future__ import annotations

import pytest

from helpers.demo import DemoHandler, description_item, launch
from helpers.retrieval import NeighbourPricer

DESCRIPTION = """Voltmax Pro Cordless Drill, 20V, Kit with 2.0Ah Battery and Charger
Brushless motor, two speeds, LED work light. Includes a carrying case."""


@pytest.fixture(scope="module")
def handler(store):
    def broken(item):
        raise RuntimeError("the GPU is busy")

    class Batched:
        def predict_batch(self, items):
            return [ValueError("no price in reply")]

    models = {
        "Nearest neighbours": NeighbourPricer(store, k=5),
        "Half of the neighbours": lambda item: NeighbourPricer(store, k=5)(item) / 2,
        "Broken": broken,
        "Batched failure": Batched(),
    }
    return DemoHandler(models, store, k=4)


def test_the_handler_prices_a_description_with_every_model(handler, store):
    estimates, neighbours = handler(DESCRIPTION)
    assert estimates["model"].tolist() == [
        "Nearest neighbours",
        "Half of the neighbours",
        "Broken",
        "Batched failure",
    ]
    nn, half = estimates["estimate ($)"].iloc[:2]
    assert nn > 0 and half == pytest.approx(nn / 2, abs=0.01)
    assert estimates["note"].iloc[2] == "no estimate: the GPU is busy"
    assert "no price in reply" in estimates["note"].iloc[3]
    assert len(neighbours) == 4
    found = store.similar(description_item(DESCRIPTION), 4)
    assert neighbours["similar training product"].tolist() == [n.title for n in found]
    assert neighbours["price ($)"].tolist() == [round(n.price, 2) for n in found]
    assert "Drill" in neighbours["similar training product"].iloc[0]


def test_an_empty_description_is_refused(handler):
    with pytest.raises(ValueError, match="Paste a product description"):
        handler("   \n ")
    long = description_item("Drill\n" + "word " * 2_000)
    assert long.title == "Drill" and len(long.text) <= 1_120


def test_the_page_through_gradios_client(handler, monkeypatch):
    pytest.importorskip("gradio")
    client_module = pytest.importorskip("gradio_client")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    app = launch(handler, examples=[DESCRIPTION], share=None, prevent_thread_lock=True,
                 server_name="127.0.0.1", quiet=True)  # fmt: skip
    try:
        assert not app.share  # no share link off Colab
        client = client_module.Client(app.local_url, verbose=False)
        estimates, neighbours = client.predict(DESCRIPTION, api_name="/estimate")
        assert [row[0] for row in estimates["data"]][:2] == [
            "Nearest neighbours",
            "Half of the neighbours",
        ]
        assert len(neighbours["data"]) == 4
    finally:
        app.close()
