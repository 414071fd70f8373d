"""What building notebook 10's vector store costs at the real size (400,000 training items).

The real embedding model cannot be downloaded here, so its speed is measured on the same
architecture with random weights (speed does not depend on the weights): a BERT of
all-MiniLM-L6-v2's shape (6 layers, 384 wide, 12 heads), on texts of the length our items have
(about 192 word pieces for 160 Llama tokens). Chroma's insert and query speed is measured with
384-number vectors, documents and metadata of our items' size, in batches as the store adds
them. Everything runs on this machine's CPU, side by side in one run; a GPU estimate follows
from the model's arithmetic.

    .venv/bin/python bench/retrieval.py            # about two minutes on 2 cores
    .venv/bin/python bench/retrieval.py --items 20000 --texts 512
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

REAL_ITEMS = 400_000
TOKENS = 192  # word pieces per item text (160 Llama tokens, ~1.2 word pieces each)
DIMENSIONS = 384
LAYERS, HIDDEN, HEADS, FFN, VOCAB = 6, 384, 12, 1_536, 30_522  # all-MiniLM-L6-v2's config
T4_FP32_TFLOPS = 8.1  # NVIDIA's peak figure; we assume half of it is reached


def flops_per_text(tokens: int = TOKENS) -> float:
    """Multiply-adds x 2 of one forward pass: projections, feed-forward and attention."""
    per_layer_weights = 4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN
    attention = 2 * tokens * HIDDEN  # scores and weighted sum, per token
    return 2 * LAYERS * tokens * (per_layer_weights + attention)


def encoder_speed(texts: int, batch: int = 32) -> float:
    """Texts per second through a MiniLM-shaped BERT on this CPU (random weights, fp32)."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=LAYERS,
        num_attention_heads=HEADS, intermediate_size=FFN,
    )  # fmt: skip
    model = BertModel(config).eval()
    ids = torch.randint(1_000, VOCAB, (batch, TOKENS))
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        model(input_ids=ids, attention_mask=mask)  # warm-up
        started = time.perf_counter()
        for _ in range(max(1, texts // batch)):
            model(input_ids=ids, attention_mask=mask)
    return max(1, texts // batch) * batch / (time.perf_counter() - started)


def chroma_speed(items: int, batch: int = 1_024) -> tuple[float, float, float]:
    """(items added per second, queries per second, bytes on disk per item) for a cosine Chroma
    collection on disk."""
    import chromadb
    from chromadb.config import Settings

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(items, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    document = "word " * 160  # about an item's text
    with tempfile.TemporaryDirectory() as folder:
        client = chromadb.PersistentClient(folder, settings=Settings(anonymized_telemetry=False))
        collection = client.create_collection(
            "bench", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
        started = time.perf_counter()
        for first in range(0, items, batch):
            chunk = range(first, min(items, first + batch))
            collection.add(
                ids=[str(i) for i in chunk],
                embeddings=vectors[first : first + len(chunk)],
                documents=[document] * len(chunk),
                metadatas=[{"title": "A product", "price": 19.99, "category": "Tools"}]
                * len(chunk),
            )
        added = items / (time.perf_counter() - started)
        started = time.perf_counter()
        collection.query(query_embeddings=vectors[:250], n_results=5)
        queried = 250 / (time.perf_counter() - started)
        del collection, client
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return added, queried, size / items


def minutes(seconds: float) -> str:
    return f"{seconds / 60:,.0f} min" if seconds < 5_400 else f"{seconds / 3_600:,.1f} h"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000, help="vectors added to Chroma")
    parser.add_argument("--texts", type=int, default=256, help="texts through the encoder")
    args = parser.parse_args()

    encode = encoder_speed(args.texts)
    added, queried, per_item = chroma_speed(args.items)
    flops = flops_per_text()
    cpu_gflops = encode * flops / 1e9
    t4 = flops * REAL_ITEMS / (T4_FP32_TFLOPS * 1e12 * 0.5)
    print(
        f"MiniLM-shaped encoder on this CPU: {encode:,.1f} texts/s ({cpu_gflops:,.0f} GFLOP/s reached)"
    )
    print(
        f"Chroma: {added:,.0f} items added/s over {args.items:,} items; {queried:,.0f} queries/s (k=5)"
    )
    print(f"One text: {flops / 1e9:.1f} GFLOP at {TOKENS} word pieces")
    print(f"\nEstimates for {REAL_ITEMS:,} training items:")
    print(f"  embedding on this CPU        {minutes(REAL_ITEMS / encode)} (measured speed x items)")
    print(
        f"  embedding on a T4 (fp32)     {minutes(t4)} (arithmetic at half the T4's {T4_FP32_TFLOPS} TFLOPS peak)"
    )
    print(
        f"  storing in Chroma            {minutes(REAL_ITEMS / added)} (measured speed x items; HNSW slows a little as it grows)"
    )
    print(
        f"  disk for the store           {per_item * REAL_ITEMS / 1e9:,.1f} GB ({per_item:,.0f} bytes per item)"
    )
    print(f"  CPU embedding / T4 embedding {REAL_ITEMS / encode / t4:,.0f}x")


if __name__ == "__main__":
    main()
