"""Retrieval: embed the training items, keep them in a vector store, price by similar products.

Three steps, each one call from the notebook:

- `load_embedder`: a sentence-transformers model from the Hub (``all-MiniLM-L6-v2``, 384
  numbers per text) that maps texts about similar things to nearby vectors;
- `ProductStore.build`: every training item's vector, text, title and price in a persistent
  Chroma collection on disk, embedded in batches with a progress bar. A store that already
  holds these items (same embedding model, same titles and prices) is reused with no
  re-embedding; an interrupted build resumes where it stopped;
- two predictors that use it: `NeighbourPricer`, the similarity-weighted average price of the
  k most similar training items, and `RetrievalPricer`, a frontier model shown those k
  products and their prices before the question (retrieval-augmented generation).

Chroma runs in this process, offline: no server, and its telemetry is switched off. The
embeddings are always computed here and handed to Chroma, so Chroma never loads an embedding
model of its own.

Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import settings

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"  # 22M parameters, 384 dimensions
COLLECTION = "products"
STORE_FOLDER = "vectorstore"  # in the mode's data folder: data/vectorstore, smoke/data/...
BATCH = 1_024  # items embedded and stored per step (a step is one tick of the progress bar)
EMBEDDER_HINT = (
    "The embedding model could not be loaded. Check the name (EMBEDDING_MODEL) and your "
    "connection; it is public, so no token is needed."
)


def load_embedder(model_id: str = EMBEDDING_MODEL, device: str | None = None) -> Any:
    """A sentence-transformers model from the Hub (on the GPU when there is one).

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    from sentence_transformers import SentenceTransformer

    from .hub import friendly_hub_errors

    with friendly_hub_errors(model_id, EMBEDDER_HINT):
        model = SentenceTransformer(model_id, device=device)
    model.model_id = model_id  # remembered by the store: vectors of two models never mix
    return model


def embed(embedder: Any, texts: Sequence[str], batch_size: int = 128) -> Any:
    """Unit-length vectors for ``texts`` (a float32 array, one row per text).

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """
    return embedder.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )


@dataclass(frozen=True)
class Neighbour:
    """A training item found by similarity: what a prompt shows, and how close it was.

    Used within `helpers.retrieval`.
    """

    title: str
    text: str
    price: float
    category: str
    similarity: float  # cosine similarity, 1 for the same direction


def store_path() -> Path:
    """Where this mode keeps its vector store (under the working folder, e.g. on Drive).

    Used within `helpers.retrieval`.
    """
    return settings().data_dir / STORE_FOLDER


def fingerprint(items: Sequence[Any], model_id: str) -> str:
    """A short digest of the embedding model and every item's title and price: a store built
    from other items or by another model has another one. Used within `helpers.retrieval`.
    """
    digest = hashlib.sha256(f"{model_id}\x1e{len(items)}".encode())
    for item in items:
        digest.update(f"\x1e{item.title}\x1f{float(item.price):.2f}".encode())
    return digest.hexdigest()[:16]


def _chroma(path: Path) -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))


class ProductStore:
    """Training items in a Chroma collection, searchable by meaning. Build it with `build`, from
    an embedding model loaded with `load_embedder` (the store remembers the model's id).

    ``embedded`` says how many items this session embedded (0 when the store was reused).
    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """

    def __init__(self, collection: Any, embedder: Any, path: Path, embedded: int = 0) -> None:
        self.collection = collection
        self.embedder = embedder
        self.path = path
        self.embedded = embedded

    def __len__(self) -> int:
        return self.collection.count()

    def __repr__(self) -> str:
        return f"ProductStore({len(self):,} items in {self.path})"

    @classmethod
    def build(
        cls,
        items: Sequence[Any],
        embedder: Any,
        path: str | os.PathLike | None = None,
        name: str = COLLECTION,
        batch_size: int = BATCH,
        progress: bool = True,
    ) -> ProductStore:
        """Open the store of ``items`` at ``path``, embedding whatever it does not hold yet.

        A collection made from other items or another model is replaced; one cut short
        (a closed runtime) resumes at its first missing item. Introduced in
        notebooks/10_retrieval_and_ensembles.ipynb.
        """
        from tqdm.auto import tqdm

        if not items:
            raise ValueError("no items to store: load the splits first (notebook 02 makes them)")
        target = Path(path) if path is not None else store_path()
        client = _chroma(target)
        model_id = getattr(embedder, "model_id", type(embedder).__name__)
        stamp = fingerprint(items, model_id)
        existing = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
        if name in existing:
            old = client.get_collection(name, embedding_function=None)
            if (old.metadata or {}).get("fingerprint") != stamp:
                print(
                    f"The store in {target} holds other items or another model's vectors: rebuilding."
                )
                client.delete_collection(name)
        metadata = {"hnsw:space": "cosine", "fingerprint": stamp, "model": model_id}
        collection = client.get_or_create_collection(
            name, metadata={**metadata, "items": len(items)}, embedding_function=None
        )
        start = collection.count()  # items are added in order, one batch at a time
        if start == len(items):
            print(f"Reusing the vector store in {target}: {start:,} items, nothing to embed.")
            return cls(collection, embedder, target)
        if start:
            print(f"Resuming the vector store in {target} at item {start:,} of {len(items):,}.")
        bar = tqdm(
            total=len(items), initial=start, unit="item", desc="Embedding", disable=not progress
        )
        try:
            for first in range(start, len(items), batch_size):
                chunk = items[first : first + batch_size]
                collection.upsert(  # ids are positions: a batch written twice is stored once
                    ids=[str(i) for i in range(first, first + len(chunk))],
                    embeddings=embed(embedder, [item.text for item in chunk]),
                    documents=[item.text for item in chunk],
                    metadatas=[
                        {"title": i.title, "price": float(i.price), "category": i.category or ""}
                        for i in chunk
                    ],
                )
                bar.update(len(chunk))
        finally:
            bar.close()
        return cls(collection, embedder, target, embedded=len(items) - start)

    def search(self, texts: Sequence[str], k: int = 5) -> list[list[Neighbour]]:
        """The ``k`` most similar stored items for each text, most similar first.

        Used within `helpers.retrieval`.
        """
        if not texts:
            return []
        found = self.collection.query(
            query_embeddings=embed(self.embedder, texts),
            n_results=min(k, len(self)),
            include=["documents", "metadatas", "distances"],
        )
        return [
            [
                Neighbour(
                    title=str(meta["title"]),
                    text=str(document),
                    price=float(meta["price"]),
                    category=str(meta.get("category", "")),
                    similarity=1.0 - float(distance),  # Chroma's cosine distance is 1 - similarity
                )
                for document, meta, distance in zip(documents, metas, distances, strict=True)
            ]
            for documents, metas, distances in zip(
                found["documents"], found["metadatas"], found["distances"], strict=True
            )
        ]

    def similar(self, item_or_text: Any, k: int = 5) -> list[Neighbour]:
        """The ``k`` stored items most similar to one item (or text).

        Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
        """
        text = item_or_text if isinstance(item_or_text, str) else item_or_text.text
        return self.search([text], k)[0]


def neighbour_price(neighbours: Sequence[Neighbour]) -> float:
    """The similarity-weighted average price of ``neighbours`` (a plain average if none is similar).

    Used within `helpers.retrieval`.
    """
    if not neighbours:
        raise ValueError("no neighbours to average: is the store empty?")
    weights = [max(n.similarity, 0.0) for n in neighbours]
    if sum(weights) <= 0:
        weights = [1.0] * len(neighbours)
    return sum(w * n.price for w, n in zip(weights, neighbours, strict=True)) / sum(weights)


class NeighbourPricer:
    """Prices an item as the similarity-weighted average price of its ``k`` nearest neighbours.

    Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """

    def __init__(self, store: ProductStore, k: int = 5, name: str | None = None) -> None:
        self.store = store
        self.k = k
        self.name = name or f"Nearest neighbours (k={k})"

    def predict_batch(self, items: Sequence[Any]) -> list[float]:
        neighbours = self.store.search([item.text for item in items], self.k)
        return [round(neighbour_price(found), 2) for found in neighbours]

    def __call__(self, item: Any) -> float:
        return self.predict_batch([item])[0]


class RetrievalPricer:
    """A frontier model shown the ``k`` most similar training products and their prices.

    The prompt is `helpers.frontier.messages_for(item, similar)`; the calls go through the
    `FrontierClient`, with its concurrency, cache, retries and costs. Its name is the client's
    ("... (stand-in)" on a stand-in). Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
    """

    def __init__(self, client: Any, store: ProductStore, k: int = 5) -> None:
        self.client = client
        self.store = store
        self.k = k

    @property
    def name(self) -> str:
        return self.client.name

    def messages(self, item: Any, similar: Sequence[Neighbour] | None = None) -> list[dict]:
        """The chat messages for one item, with its similar products (found here if not given)."""
        from .frontier import messages_for

        return messages_for(item, self.store.similar(item, self.k) if similar is None else similar)

    def _price(self, item: Any, similar: Sequence[Neighbour]) -> float | Exception:
        from .frontier import FrontierError

        try:
            return self.client.price(item, self.messages(item, similar))
        except FrontierError as error:  # the Tester reports it as this item's failure
            return error

    def predict_batch(self, items: Sequence[Any]) -> list[float | Exception]:
        """Prices for ``items``: one search for all of them, then the client's workers in parallel."""
        if not items:
            return []
        similar = self.store.search([item.text for item in items], self.k)
        with ThreadPoolExecutor(max_workers=min(self.client.workers, len(items))) as pool:
            return list(pool.map(self._price, items, similar))

    def __call__(self, item: Any) -> float:
        answer = self.predict_batch([item])[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def estimate(self, items: Sequence[Any], completion_tokens: int = 6) -> Any:
        """The expected cost of pricing ``items`` with their similar products (cached ones are free).

        Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
        """
        import dataclasses

        found = self.store.search([i.text for i in items], self.k)
        conversations = [
            self.messages(item, similar) for item, similar in zip(items, found, strict=True)
        ]
        estimate = self.client.estimate(items, completion_tokens, conversations)
        return dataclasses.replace(estimate, model=self.name)  # the bill names this pricer
