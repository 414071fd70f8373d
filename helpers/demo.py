"""A live demo: paste a product description, see every model's estimate and the similar products.

`DemoHandler` does the work and needs no web framework: give it the models (name ->
predictor) and the vector store, call it with a description, and it returns two tables, the
estimates side by side and the retrieved neighbours with their prices. `build_app` puts a
Gradio page around it, and `launch` serves that page: in this runtime, with a public share
link only on Colab (where the notebook's own address cannot be opened from your browser).
Gradio's usage analytics are switched off.

Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .config import CEILING_CHARS
from .items import Item

TITLE = "The Price is Right"
ESTIMATE_COLUMNS = ["model", "estimate ($)", "note"]
NEIGHBOUR_COLUMNS = ["similar training product", "price ($)", "similarity"]
GRADIO_HINT = (
    "Gradio is not installed, so the page cannot be served: `pip install gradio` (Colab's setup "
    "cell installs it), then run this cell again. The handler above works without it."
)


def description_item(description: str) -> Item:
    """An item to price from free text: its first line is the title; long texts are cut.

    Used within `helpers.demo`.
    """
    text = description.strip()[:CEILING_CHARS]
    if not text:
        raise ValueError("Paste a product description first: a title, then any details.")
    title = text.split("\n", 1)[0][:200]
    return Item(title=title, category="", price=0.0, text=text, token_count=0)


@dataclass
class DemoHandler:
    """Prices one description with every model, and finds its ``k`` most similar products.

    ``models`` maps a display name to a predictor (anything the Tester accepts); a model that
    fails on the description shows its reason instead of a price. Introduced in
    notebooks/10_retrieval_and_ensembles.ipynb.
    """

    models: Mapping[str, Any]
    store: Any = None  # a `helpers.retrieval.ProductStore`, for the neighbours table
    k: int = 5

    def estimate(self, item: Item) -> list[tuple[str, float | None, str]]:
        """(model, price or None, note) for each model, in the order given."""
        from .evaluation import answers

        rows = []
        for name, model in self.models.items():
            answer = answers(model, [item])[0]  # one model's failure never blanks the others
            if isinstance(answer, BaseException):
                rows.append((name, None, f"no estimate: {answer}"[:200]))
            else:
                rows.append((name, round(answer, 2), ""))
        return rows

    def __call__(self, description: str):
        """Two DataFrames for ``description``: the estimates, and the similar products."""
        import pandas as pd

        item = description_item(description)
        estimates = pd.DataFrame(self.estimate(item), columns=ESTIMATE_COLUMNS)
        found = self.store.similar(item, self.k) if self.store is not None else []
        neighbours = pd.DataFrame(
            [(n.title, round(n.price, 2), round(n.similarity, 3)) for n in found],
            columns=NEIGHBOUR_COLUMNS,
        )
        return estimates, neighbours


def build_app(handler: DemoHandler, examples: Sequence[str] = ()) -> Any:
    """The Gradio page around ``handler``: a text box, a button, the two tables, and examples.

    Its endpoint is named "estimate" (for `gradio_client`). Used within `helpers.demo`.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no usage pings
    try:
        import gradio as gr
    except ImportError as error:
        raise ImportError(GRADIO_HINT) from error

    def run(description: str):
        try:
            return handler(description)
        except ValueError as error:
            raise gr.Error(str(error)) from error

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(f"# {TITLE}\nPaste a product description: every model prices it.")
        box = gr.Textbox(lines=8, label="Product description")
        button = gr.Button("Estimate the price", variant="primary")
        estimates = gr.Dataframe(headers=ESTIMATE_COLUMNS, label="Estimates")
        neighbours = gr.Dataframe(headers=NEIGHBOUR_COLUMNS, label="Most similar products")
        button.click(run, inputs=box, outputs=[estimates, neighbours], api_name="estimate")
        if examples:
            gr.Examples(examples=[[text] for text in examples], inputs=box)
    return app


def launch(
    handler: DemoHandler,
    examples: Sequence[str] = (),
    share: bool | None = None,
    **options: Any,
) -> Any:
    """Serve the demo from this runtime; returns the running app (``app.close()`` stops it).

    ``share=None`` makes a public link on Colab only. ``options`` go to Gradio's ``launch``
    (``server_port=``, ``prevent_thread_lock=``...). Without Gradio it says how to install it and
    returns None. Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    try:
        app = build_app(handler, examples)
    except ImportError:
        print(GRADIO_HINT)
        return None
    share = "google.colab" in sys.modules if share is None else share
    app.launch(share=share, **options)
    return app
