"""Classical baselines: what simple models achieve before any LLM, so later numbers mean something.

Every baseline is a *pricer*: ``fit(train)`` once, then call it on an Item for a price, or give
``predict_batch`` a list (the Tester uses that). The models, from silly to strong:

- `RandomPricer`: a seeded random price, the floor;
- `ConstantPricer`: always the training mean;
- `feature_regression`: linear regression on hand-made features (weight, rank, brand, ...);
- `bag_of_words_regression`: word counts (a capped vocabulary) and linear regression;
- `word2vec_regression`, `word2vec_svr`, `random_forest`, `gradient_boosting`: a document vector
  per item (`DocVectors`: word2vec, averaged) and a linear model, a linear SVR, a random forest
  and gradient-boosted trees on top.

The regression models learn log(1 + price) and answer exp(prediction) - 1: prices spread over
three orders of magnitude, and a $500 item should not weigh a hundred times more than a $5 one.

Introduced in notebooks/03_baselines.ipynb.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .features import ItemFeatures

_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def words(text: str) -> list[str]:
    """Lower-case words and numbers, as the text models see them: "4TB, 2.5 in" -> [4tb, 2.5, in].

    Numbers are kept: "4 Pack" and "65 Inch" say a lot about a price.
    Introduced in notebooks/03_baselines.ipynb.
    """
    return _WORD.findall(text.lower())


def _all_cores() -> int:
    return os.cpu_count() or 1


class Pricer:
    """A price predictor for the Tester: ``fit(items)``, then ``pricer(item)`` or ``predict_batch``.

    ``train_seconds`` says how long the last ``fit`` took. Used within `helpers.baselines`.
    """

    name: str = "Pricer"

    def __init__(self, name: str | None = None) -> None:
        if name:
            self.name = name
        self.train_seconds: float | None = None
        self.is_fitted = False

    def fit(self, items: Sequence[Any]) -> Pricer:
        """Learn from the training items (their ``price`` is the target); returns the pricer."""
        if not items:
            raise ValueError(f"{self.name}: no training items (load the splits first)")
        started = time.perf_counter()
        self._fit(items)
        self.train_seconds = time.perf_counter() - started
        self.is_fitted = True
        return self

    def _fit(self, items: Sequence[Any]) -> None:  # subclasses learn here
        pass

    def _predict(self, items: Sequence[Any]) -> Sequence[float]:
        raise NotImplementedError

    def predict_batch(self, items: Sequence[Any]) -> list[float]:
        """A price for each item, in order."""
        if not self.is_fitted:
            raise RuntimeError(f"{self.name}: call fit(train) before predicting")
        return [float(p) for p in self._predict(list(items))]

    def __call__(self, item: Any) -> float:
        return self.predict_batch([item])[0]

    def __repr__(self) -> str:
        state = f"trained in {self.train_seconds:.1f} s" if self.is_fitted else "not trained"
        return f"<{type(self).__name__} {self.name!r}, {state}>"


class RandomPricer(Pricer):
    """A random whole-dollar price between ``low`` and ``high``, from a seeded generator.

    It needs no training; each call draws the next number, so a fresh pricer with the same seed
    gives the same guesses in the same order. Introduced in notebooks/03_baselines.ipynb.
    """

    name = "Random"

    def __init__(self, seed: int = 42, low: int = 1, high: int = 999, name: str | None = None):
        super().__init__(name)
        if low > high:
            raise ValueError(f"low ({low}) must not exceed high ({high})")
        self.low, self.high = low, high
        self._rng = random.Random(seed)
        self.is_fitted = True

    def _predict(self, items: Sequence[Any]) -> list[float]:
        return [float(self._rng.randint(self.low, self.high)) for _ in items]


class ConstantPricer(Pricer):
    """The same answer for everything: the mean training price.

    Introduced in notebooks/03_baselines.ipynb.
    """

    name = "Constant (train mean)"

    def _fit(self, items: Sequence[Any]) -> None:
        self.price_ = statistics.fmean(float(i.price) for i in items)

    def _predict(self, items: Sequence[Any]) -> list[float]:
        return [self.price_] * len(items)


class BagOfWords:
    """Word counts over the ``max_features`` most frequent words (English stop words dropped).

    A thin wrapper on scikit-learn's CountVectorizer with the course's tokenizer (`words`).
    Used within `helpers.baselines`.
    """

    def __init__(self, max_features: int = 1000) -> None:
        from sklearn.feature_extraction.text import CountVectorizer

        self.vectorizer = CountVectorizer(
            max_features=max_features,
            stop_words="english",
            tokenizer=words,
            token_pattern=None,
            lowercase=False,
            dtype=np.float32,
        )
        self.is_fitted = False

    def fit(self, items: Sequence[Any]) -> BagOfWords:
        self.vectorizer.fit([i.text for i in items])
        self.is_fitted = True
        return self

    def transform(self, items: Sequence[Any]):
        """A sparse matrix: one row per item, one column per vocabulary word."""
        return self.vectorizer.transform([i.text for i in items])

    @property
    def vocabulary(self) -> list[str]:
        return list(self.vectorizer.get_feature_names_out())


class DocVectors:
    """A word2vec model trained on the training texts; an item's vector is its words' average.

    Each word is weighted by its rarity (inverse document frequency), so "with" and "the" do not
    drown out "pro" or "4tb". Fit it once and hand it to several pricers: a fitted ``DocVectors``
    is reused as it is. ``workers=None`` uses every core (gensim is then not bit-for-bit
    repeatable; ``workers=1`` is). Introduced in notebooks/03_baselines.ipynb.
    """

    def __init__(
        self,
        vector_size: int = 100,
        window: int = 5,
        min_count: int = 2,
        epochs: int = 5,
        seed: int = 42,
        workers: int | None = None,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.seed = seed
        self.workers = workers
        self.is_fitted = False

    def fit(self, items: Sequence[Any]) -> DocVectors:
        from gensim.models import Word2Vec
        from sklearn.feature_extraction.text import CountVectorizer

        texts = [i.text for i in items]
        self.model = Word2Vec(
            [words(t) for t in texts],
            vector_size=self.vector_size,
            window=self.window,
            min_count=self.min_count,
            epochs=self.epochs,
            seed=self.seed,
            workers=self.workers or _all_cores(),
        )
        # Counting words against word2vec's vocabulary turns averaging into one sparse product.
        self.counter_ = CountVectorizer(
            analyzer=words, vocabulary=self.model.wv.index_to_key, dtype=np.float32
        )
        counts = self.counter_.transform(texts)
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        n = len(texts)
        self.idf_ = (np.log((1 + n) / (1 + document_frequency)) + 1).astype(np.float32)
        self.is_fitted = True
        return self

    def transform(self, items: Sequence[Any]) -> np.ndarray:
        """One row per item: the idf-weighted mean of its known words' vectors (zeros if none)."""
        if not self.is_fitted:
            raise RuntimeError("call fit(train) before transform")
        weights = self.counter_.transform([i.text for i in items]).multiply(self.idf_).tocsr()
        totals = np.asarray(weights.sum(axis=1)).ravel()
        vectors = np.asarray(weights @ self.model.wv.vectors, dtype=np.float32)
        known = totals > 0
        vectors[known] /= totals[known, None]
        return vectors

    def vector(self, text: str) -> np.ndarray:
        """One text's vector (see ``transform``)."""
        from types import SimpleNamespace

        return self.transform([SimpleNamespace(text=text)])[0]


class Stacked:
    """Several feature sets side by side (for example document vectors and `ItemFeatures`).

    Introduced in notebooks/03_baselines.ipynb.
    """

    def __init__(self, *parts: Any) -> None:
        if not parts:
            raise ValueError("Stacked needs at least one feature set")
        self.parts = parts

    @property
    def is_fitted(self) -> bool:
        return all(getattr(p, "is_fitted", False) for p in self.parts)

    def fit(self, items: Sequence[Any]) -> Stacked:
        for part in self.parts:
            if not getattr(part, "is_fitted", False):
                part.fit(items)
        return self

    def transform(self, items: Sequence[Any]) -> np.ndarray:
        return np.hstack([np.asarray(p.transform(items), dtype=np.float32) for p in self.parts])


class RegressionPricer(Pricer):
    """Features of an item -> a scikit-learn regressor -> a price.

    ``features`` has ``fit(items)`` and ``transform(items)``; one that is already fitted is
    reused, not refitted. The regressor learns log(1 + price); predictions are turned back into
    dollars and never go below zero. ``threads`` caps the cores that numpy and scikit-learn's
    OpenMP code may use (None: all of them). Introduced in notebooks/03_baselines.ipynb.
    """

    def __init__(self, name: str, features: Any, regressor: Any, threads: int | None = None):
        super().__init__(name)
        self.features = features
        self.regressor = regressor
        self.threads = threads

    def _fit(self, items: Sequence[Any]) -> None:
        if not getattr(self.features, "is_fitted", False):
            self.features.fit(items)
        x = self.features.transform(items)
        y = np.log1p(np.array([float(i.price) for i in items]))
        with threadpool_limits(self.threads):
            self.regressor.fit(x, y)

    def _predict(self, items: Sequence[Any]) -> np.ndarray:
        if not items:
            return np.zeros(0)
        x = self.features.transform(items)
        with threadpool_limits(self.threads):
            log_price = self.regressor.predict(x)
        return np.clip(np.expm1(log_price), 0.0, None)


# ---- the course's baselines, by name ---------------------------------------------------------


def feature_regression(top_brands: int = 20) -> RegressionPricer:
    """Linear regression on `ItemFeatures`: weight, sales rank, text length, premium brand, category.

    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.linear_model import LinearRegression

    return RegressionPricer(
        "Feature linear regression", ItemFeatures(top_brands=top_brands), LinearRegression()
    )


def bag_of_words_regression(max_features: int = 1000, alpha: float = 10.0) -> RegressionPricer:
    """Counts of the ``max_features`` commonest words, then linear regression.

    The regression carries a small ridge penalty (``alpha``) so a thousand word counts cannot
    overfit a small training set; on hundreds of thousands of items it hardly matters.
    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.linear_model import Ridge

    return RegressionPricer(
        "Bag of words + LR", BagOfWords(max_features=max_features), Ridge(alpha=alpha)
    )


def word2vec_regression(vectors: DocVectors | None = None) -> RegressionPricer:
    """Linear regression on word2vec document vectors (trained here unless ``vectors`` is given).

    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.linear_model import LinearRegression

    return RegressionPricer("Word2vec + LR", vectors or DocVectors(), LinearRegression())


def word2vec_svr(
    vectors: DocVectors | None = None, c: float = 0.1, seed: int = 42
) -> RegressionPricer:
    """A linear support vector regressor on the document vectors (standardised first).

    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVR

    regressor = make_pipeline(
        StandardScaler(), LinearSVR(C=c, epsilon=0.0, random_state=seed, max_iter=10_000)
    )
    return RegressionPricer("Word2vec + SVR", vectors or DocVectors(), regressor)


def random_forest(
    vectors: DocVectors | None = None,
    n_estimators: int = 100,
    threads: int | None = None,
    seed: int = 42,
) -> RegressionPricer:
    """A random forest on the document vectors, on ``threads`` cores (None: all), seeded.

    Each split looks at a third of the dimensions and leaves keep at least 2 items: on the
    sample catalog, the accuracy of scikit-learn's defaults in a third of the time.
    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(
        n_estimators=n_estimators,
        max_features=0.33,
        min_samples_leaf=2,
        n_jobs=threads or -1,
        random_state=seed,
    )
    return RegressionPricer("Random forest", vectors or DocVectors(), forest, threads)


def gradient_boosting(
    vectors: DocVectors | None = None,
    max_iter: int = 300,
    learning_rate: float = 0.1,
    threads: int | None = None,
    seed: int = 42,
) -> RegressionPricer:
    """Gradient-boosted trees (scikit-learn's histogram version) on document vectors and
    `ItemFeatures` side by side. ``threads`` caps its cores (None: all); on a machine shared
    with other busy programs, 1 can be many times faster than 2.

    Introduced in notebooks/03_baselines.ipynb.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    booster = HistGradientBoostingRegressor(
        max_iter=max_iter,
        learning_rate=learning_rate,
        early_stopping=False,
        random_state=seed,
    )
    return RegressionPricer(
        "Gradient boosting", Stacked(vectors or DocVectors(), ItemFeatures()), booster, threads
    )
