"""Paths, constants and the smoke switch: the one place where a source is chosen.

Smoke mode (``PRICER_SMOKE=1``, or ``configure(smoke=True)`` in a notebook's parameters
cell) swaps *sources only*: the synthetic sample catalog instead of the Hub, a tiny offline
Llama-shaped model and tokenizer instead of Meta's, small sizes, and local files instead of
pushing. Every helper calls the same code either way and asks `settings()` where to look.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SMOKE_ENV = "PRICER_SMOKE"
WORKDIR_ENV = "PRICER_WORKDIR"

CATEGORIES: tuple[str, ...] = (
    "Automotive",
    "Electronics",
    "Office_Products",
    "Tools_and_Home_Improvement",
    "Cell_Phones_and_Accessories",
    "Toys_and_Games",
    "Appliances",
    "Musical_Instruments",
)

# Items outside this price range are rejected during curation.
MIN_PRICE = 0.5
MAX_PRICE = 999.49

# Token budget for an item's text (course defaults): more than MIN_TOKENS required, cut at MAX_TOKENS.
MIN_TOKENS = 150
MAX_TOKENS = 160
MIN_CHARS = 300  # cheaper first filter, before any tokenization
CEILING_CHARS = MAX_TOKENS * 7  # cut long texts before tokenizing: no item needs more

QUESTION = "How much does this cost to the nearest dollar?"
PRICE_PREFIX = "Price is $"

REAL_BASE_MODEL = "meta-llama/Meta-Llama-3.1-8B"
RAW_URL = "hf://datasets/McAuley-Lab/Amazon-Reviews-2023/raw/meta_categories/meta_{category}.jsonl"

# The course's published errors on its 250 test items, for orientation next to our own.
COURSE_FIGURES: dict[str, float] = {
    "Constant (train mean)": 146.0,
    "Feature linear regression": 139.0,
    "Random forest": 97.0,
    "Human": 127.0,
    "GPT-4o": 76.0,
    "Llama 3.1 8B, 4-bit, untrained": 396.0,
    "Llama 3.1 8B, QLoRA fine-tuned": 47.0,
}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def repo_root() -> Path:
    """The course checkout: where notebooks/ and pyproject.toml are (editable installs, Colab's
    clone), else the current folder when helpers was installed as a plain package elsewhere."""
    repo = Path(__file__).resolve().parent.parent
    if (repo / "pyproject.toml").exists() and (repo / "notebooks").is_dir():
        return repo
    return Path.cwd()


def _default_workdir() -> Path:
    """$PRICER_WORKDIR, else the course checkout."""
    if os.environ.get(WORKDIR_ENV):
        return Path(os.environ[WORKDIR_ENV]).expanduser().resolve()
    return repo_root()


@dataclass(frozen=True)
class Settings:
    """Where every source and output lives, for one mode. Build it with `settings()`."""

    smoke: bool
    workdir: Path
    categories: tuple[str, ...] = CATEGORIES
    n_train: int = 400_000
    n_test: int = 2_000
    slot_cap: int = 1_200  # most items kept per whole-dollar price slot when balancing
    catalog_size: int = 700  # smoke only: synthetic records per category
    seed: int = 42
    training_preset: str | None = None  # helpers.presets name; None: the one the machine suits
    hub_user: str | None = field(default=None)

    @property
    def root(self) -> Path:
        """Everything this mode writes lives below here; smoke runs never touch real files."""
        return self.workdir / "smoke" if self.smoke else self.workdir

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def splits_dir(self) -> Path:
        return self.data_dir / "splits"

    @property
    def results_dir(self) -> Path:
        return self.root / "results"

    @property
    def leaderboard_path(self) -> Path:
        return self.results_dir / "leaderboard.json"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def base_model(self) -> str:
        """Model id on the Hub, or the local folder of the tiny offline model in smoke mode."""
        return str(self.models_dir / "tiny-llama") if self.smoke else REAL_BASE_MODEL

    @property
    def tokenizer_source(self) -> str:
        return self.base_model

    def raw_source(self, category: str) -> str:
        """The raw metadata JSONL for one category: the Hub file, or the local sample catalog."""
        if category not in CATEGORIES:
            raise ValueError(
                f"Unknown category {category!r}. Choose one of: {', '.join(CATEGORIES)}"
            )
        if self.smoke:
            return str(self.data_dir / "raw" / f"meta_{category}.jsonl")
        return RAW_URL.format(category=category)

    @property
    def push_to_hub(self) -> bool:
        """Real runs push curated splits when a Hub user is configured; smoke runs never do."""
        return not self.smoke and bool(self.hub_user)


SMOKE_SIZES = dict(
    n_train=2_000, n_test=250, slot_cap=20, catalog_size=700, training_preset="smoke"
)


def settings() -> Settings:
    """The current settings, read from the environment at call time (never cached)."""
    smoke = _env_flag(SMOKE_ENV)
    sizes = SMOKE_SIZES if smoke else {}
    return Settings(
        smoke=smoke,
        workdir=_default_workdir(),
        hub_user=os.environ.get("HF_USER") or None,
        **sizes,
    )


def configure(smoke: bool | None = None, workdir: str | os.PathLike | None = None) -> Settings:
    """Set the mode for this process (a notebook's parameters cell calls this once).

    ``smoke=None`` keeps whatever ``PRICER_SMOKE`` says, so CI can switch every notebook
    without editing them. Introduced in notebooks/01_explore_data.ipynb.
    """
    if smoke is not None:
        os.environ[SMOKE_ENV] = "1" if smoke else "0"
    if workdir is not None:
        os.environ[WORKDIR_ENV] = str(Path(workdir).expanduser().resolve())
    current = settings()
    mode = (
        "SMOKE: synthetic catalog, tiny offline model, local files"
        if current.smoke
        else "REAL: Amazon Reviews 2023 from the Hub, Llama 3.1 8B"
    )
    print(f"Mode {mode}. Files under {current.root}")
    return current
