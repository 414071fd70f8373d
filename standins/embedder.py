"""Stand-in for ``sentence-transformers/all-MiniLM-L6-v2``: a small static embedding model.

The real model is a 6-layer transformer trained on a billion sentence pairs; smoke runs cannot
download it, and do not need its skill, only its interface and a sense of "similar". This
builder makes, offline and in about a second, a sentence-transformers model that loads with
``SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")`` through the Hub stand-in like
any Hub model, and puts similar products together:

1. **Read a corpus.** Product texts from the synthetic catalog, generated with their own seed
   (a corpus the learner's splits are not drawn from, as the real model's training data is
   not Amazon's).
2. **Learn word vectors by latent semantic analysis.** A word-level tokenizer (lower case,
   words and numbers) over the corpus's words; a TF-IDF matrix of the corpus; its truncated
   SVD. Words that occur in the same kinds of product ("drill", "cordless", "20v") get nearby
   vectors; words every product shares ("quality", "easy") get small ones through their
   inverse document frequency.
3. **Pack it as sentence-transformers modules.** A `StaticEmbedding` (the mean of a text's
   word vectors; unknown words count as zero) followed by `Normalize`, as the real model ends
   with a normalization. Dimension `DIMENSIONS` (the real model has 384).

Its similarities are not MiniLM's, and it knows only the catalog's words: it stands in for the
loading path and for "neighbours are products of the same kind", not for the real model's skill.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.config import CATEGORIES

if TYPE_CHECKING:
    import numpy as np
    from tokenizers import Tokenizer

DIMENSIONS = 64  # embedding size (the real all-MiniLM-L6-v2 has 384)
RECORDS_PER_CATEGORY = 600  # corpus size: 8 categories x 600 product texts
CORPUS_SEED = 1234  # not the seed the Hub's catalog is generated with
MIN_DOCUMENTS = 2  # a word in fewer corpus texts is unknown to the model
UNKNOWN = "[UNK]"

MODEL_CARD = """---
library_name: sentence-transformers
pipeline_tag: sentence-similarity
tags:
- sentence-transformers
- stand-in
---
# all-MiniLM-L6-v2 (stand-in)

A local stand-in served by the course's Hub stand-in under the real model's name: a static
embedding model (mean of word vectors learned by LSA on synthetic catalog texts, then
normalized), built by `standins/embedder.py`. It puts similar synthetic products together; it
is not the real model.
"""


def corpus(per_category: int = RECORDS_PER_CATEGORY, seed: int = CORPUS_SEED) -> list[str]:
    """Product texts from every category of the synthetic catalog."""
    from .catalog import generate_records, record_text

    return [
        record_text(record)
        for category in CATEGORIES
        for record in generate_records(category, per_category, seed)
    ]


def _tokenizer(vocabulary: list[str]) -> Tokenizer:
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel

    vocab = {UNKNOWN: 0, **{word: i + 1 for i, word in enumerate(vocabulary)}}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token=UNKNOWN))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFD(), normalizers.Lowercase(), normalizers.StripAccents()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


def word_vectors(
    texts: list[str], dimensions: int = DIMENSIONS, seed: int = 0
) -> tuple[Tokenizer, np.ndarray]:
    """(tokenizer, weights): one row per token id, learned by LSA on ``texts``; row 0 (unknown) is 0."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    # The tokenizer's words: lower case, accents stripped, runs of letters and digits.
    tfidf = TfidfVectorizer(
        lowercase=True,
        strip_accents="unicode",
        token_pattern=r"(?u)\w+",
        min_df=MIN_DOCUMENTS,
        sublinear_tf=True,
    )
    matrix = tfidf.fit_transform(texts)
    svd = TruncatedSVD(n_components=dimensions, random_state=seed).fit(matrix)
    vocabulary = list(tfidf.get_feature_names_out())
    # A text's embedding is the mean of its words' rows: weighting each row by the word's
    # inverse document frequency makes that mean close to the text's LSA projection.
    weights = np.zeros((len(vocabulary) + 1, dimensions), dtype=np.float32)
    weights[1:] = (svd.components_.T * tfidf.idf_[:, None]).astype(np.float32)
    return _tokenizer(vocabulary), weights


def build_embedder(out: str | Path, texts: list[str] | None = None) -> Path:
    """Save the stand-in sentence-transformers model in ``out``; returns the folder."""
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers 6 keeps the modules here; 3-5 under .models
        from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
    except ImportError:
        from sentence_transformers.models import Normalize, StaticEmbedding

    out = Path(out)
    tokenizer, weights = word_vectors(corpus() if texts is None else texts)
    model = SentenceTransformer(
        modules=[StaticEmbedding(tokenizer, embedding_weights=weights), Normalize()],
        device="cpu",
    )
    model.save(str(out))
    (out / "README.md").write_text(MODEL_CARD)
    config = out / "config_sentence_transformers.json"
    settings = json.loads(config.read_text()) if config.exists() else {}
    settings["similarity_fn_name"] = "cosine"
    config.write_text(json.dumps(settings, indent=2))
    return out


if __name__ == "__main__":
    import sys

    print(build_embedder(sys.argv[1] if len(sys.argv) > 1 else "standin-embedder"))
