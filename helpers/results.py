"""Every evaluated model's result, one file each, kept locally and in your Hub dataset repo.

A result is a small parquet file: one row per test item (title, category, truth, guess or the
reason there is none) with the metrics in its metadata. Each is saved on its own, and pushed
as its own commit to ``<you>/pricer-data`` under ``results/``, so notebooks running in nine
different runtimes (or at the same time) end in one full leaderboard and lose nothing.

A run whose failures exceed `MAX_FAILURE_SHARE` (a revoked key, an outage) is kept apart in
``results/failed/`` and reported, never recorded over a good result.

Introduced in notebooks/10_retrieval_and_ensembles.ipynb.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import DATA_REPO, settings
from .files import write_bytes_atomically
from .scoring import Score, score

MAX_FAILURE_SHARE = 0.1  # more than 10% of items unanswered: the run is not recorded
HUB_FOLDER = "results"
_METADATA_KEY = b"pricer"


@dataclass
class Result:
    """One model's predictions on the test items, and their score over the answered ones.

    Used by `helpers.analysis`, `helpers.ensemble`, `helpers.evaluation` and others.
    """

    name: str
    truths: list[float]
    guesses: list[float | None]  # None: no answer (see reasons)
    reasons: list[str | None] = field(default_factory=list)  # why an item has no answer
    titles: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    seconds: float = 0.0
    recorded: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        n = len(self.truths)
        self.reasons = self.reasons or [
            None if g is not None else "no answer" for g in self.guesses
        ]
        self.titles = self.titles or [""] * n
        self.categories = self.categories or [""] * n
        if not all(
            len(column) == n
            for column in (self.guesses, self.reasons, self.titles, self.categories)
        ):
            raise ValueError(f"every column of result {self.name!r} needs {n} entries")

    @property
    def count(self) -> int:
        return len(self.truths)

    @property
    def failures(self) -> list[tuple[int, str]]:
        """(index, reason) of every item without an answer."""
        return [
            (i, r or "no answer")
            for i, (g, r) in enumerate(zip(self.guesses, self.reasons, strict=True))
            if g is None
        ]

    @property
    def coverage(self) -> float:
        """Share of items answered, 0-1."""
        return 1 - len(self.failures) / self.count if self.count else 0.0

    @property
    def score(self) -> Score | None:
        """Metrics over the answered items; None when nothing was answered."""
        pairs = [(g, t) for g, t in zip(self.guesses, self.truths, strict=True) if g is not None]
        return score(*zip(*pairs, strict=True)) if pairs else None

    @property
    def trusted(self) -> bool:
        """Whether this run may stand on the leaderboard (few enough failures)."""
        return self.count > 0 and 1 - self.coverage <= MAX_FAILURE_SHARE and self.score is not None

    def summary(self) -> dict[str, Any]:
        s = self.score
        return {
            "name": self.name,
            "mae": s.mae if s else None,
            "rmsle": s.rmsle if s else None,
            "hit_rate": s.hit_rate if s else None,
            "answered": s.count if s else 0,
            "count": self.count,
            "coverage": self.coverage,
            "seconds": self.seconds,
            "recorded": self.recorded,
        }

    def to_parquet(self) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table(
            {
                "title": self.titles,
                "category": self.categories,
                "truth": pa.array(self.truths, pa.float64()),
                "guess": pa.array(self.guesses, pa.float64()),
                "reason": pa.array(self.reasons, pa.string()),
            }
        )
        table = table.replace_schema_metadata({_METADATA_KEY: json.dumps(self.summary()).encode()})
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()

    @classmethod
    def from_parquet(cls, path: str | Path) -> Result:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[_METADATA_KEY])
        columns = table.to_pydict()
        return cls(
            name=meta["name"],
            truths=columns["truth"],
            guesses=columns["guess"],
            reasons=columns["reason"],
            titles=columns["title"],
            categories=columns["category"],
            seconds=meta.get("seconds", 0.0),
            recorded=meta["recorded"],
        )


def slug(name: str) -> str:
    """A file name for a model name: "GPT-4o (stand-in)" -> "gpt-4o-stand-in".

    Used within `helpers.results`.
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "model"


def _results_dir(directory: str | Path | None) -> Path:
    return Path(directory) if directory is not None else settings().results_dir


_told: set[str] = set()


def _tell_once(key: str, message: str) -> None:
    if key not in _told:
        _told.add(key)
        print(message)


def _hub_repo() -> str | None:
    """Your data repository when the token may write to it; else None, with one explanation."""
    from .hub import can_write, learner_repo

    repo = learner_repo(DATA_REPO)
    if repo is None:
        _tell_once("token", "No Hugging Face token: results stay in this runtime only.")
        return None
    if not can_write():
        _tell_once(
            "write",
            f"Your token is read-only: results stay in this runtime, not in {repo}. A 'write' "
            "token (https://huggingface.co/settings/tokens) keeps them for later notebooks.",
        )
        return None
    return repo


def record(
    result: Result,
    directory: str | Path | None = None,
    push: bool = True,
    hub_folder: str = HUB_FOLDER,
) -> Path:
    """Save a result locally and push it to your data repository (one commit), if trusted.

    An untrusted run (too many failures) is saved under ``failed/`` with a timestamp and
    reported; it never replaces a good result. ``hub_folder`` is where it goes in the repository.
    Returns the local file. Introduced in notebooks/03_baselines.ipynb.
    """
    folder = _results_dir(directory)
    data = result.to_parquet()
    if not result.trusted:
        stamp = result.recorded.replace(":", "").replace("-", "")
        path = write_bytes_atomically(
            folder / "failed" / f"{slug(result.name)}-{stamp}.parquet", data
        )
        print(
            f"Not recorded: {result.name} answered {result.coverage:.0%} of {result.count} items "
            f"(at least {1 - MAX_FAILURE_SHARE:.0%} needed). Kept apart in {path}; any earlier "
            "result of this model stands."
        )
        return path
    path = write_bytes_atomically(folder / f"{slug(result.name)}.parquet", data)
    repo = _hub_repo() if push else None
    if repo:
        from .hub import push_files

        remote = f"{hub_folder}/{path.name}"
        push_files(repo, {remote: data}, f"Result in {hub_folder}/: {result.name}")
    return path


def _hub_results(repo: str, hub_folder: str) -> list[Result]:
    """The results directly in ``hub_folder`` of ``repo`` (not in its subfolders)."""
    from .hub import head_revision, list_files, pull_file

    try:
        revision = head_revision(repo)
    except FileNotFoundError:  # no data repository yet: nothing recorded there
        return []
    names = [
        n
        for n in list_files(repo, revision=revision)
        if n.startswith(f"{hub_folder}/") and n.count("/") == hub_folder.count("/") + 1
    ]
    return [
        Result.from_parquet(pull_file(repo, n, revision=revision))
        for n in names
        if n.endswith(".parquet")
    ]


def load_results(
    directory: str | Path | None = None, hub: bool = True, hub_folder: str = HUB_FOLDER
) -> dict[str, Result]:
    """Every recorded result by model name: this runtime's and your data repository's
    ``hub_folder``.

    When both hold a model, the more recently recorded result wins. Introduced in
    notebooks/10_retrieval_and_ensembles.ipynb.
    """
    found = [Result.from_parquet(p) for p in sorted(_results_dir(directory).glob("*.parquet"))]
    if hub:
        from .hub import learner_repo

        repo = learner_repo(DATA_REPO)
        if repo:
            found += _hub_results(repo, hub_folder)
    return latest(found)


def latest(found: Iterable[Result]) -> dict[str, Result]:
    """The most recently recorded result of each model name (ties: the later one in ``found``).

    Used within `helpers.results`.
    """
    results: dict[str, Result] = {}
    for result in found:
        if result.name not in results or result.recorded >= results[result.name].recorded:
            results[result.name] = result
    return results
