"""Paths, sizes and where sources live: the one place where smoke mode is decided.

Smoke mode (``PRICER_SMOKE=1``, or ``configure(smoke=True)`` in a notebook's parameters cell)
runs the real course code against local stand-ins: the Hugging Face Hub through
``HF_ENDPOINT``, the OpenAI-compatible APIs through ``OPENAI_BASE_URL`` (and Anthropic's and
Gemini's), an isolated ``HF_HOME`` so a stand-in model never lands in your real cache, and
small sizes. The stand-ins serve everything under its real name (the Amazon files, the gated
``meta-llama/Llama-3.1-8B``, your own repositories), so every boundary a learner crosses is
crossed the same way. Nothing else differs; no helper asks which mode it is in.

Introduced in notebooks/01_explore_data.ipynb.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .paths import repo_root

SMOKE_ENV = "PRICER_SMOKE"
WORKDIR_ENV = "PRICER_WORKDIR"
STANDINS_ENV = "PRICER_STANDINS"  # set while stand-ins serve this process: their addresses, as JSON

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

# ---- sources on the Hub: real names, in both modes ------------------------------------------
BASE_MODEL = "meta-llama/Llama-3.1-8B"  # gated: accept Meta's licence on its page first
# The same weights stored in 4 bits by Unsloth: about 6 GB to download instead of 16, not gated.
BASE_MODEL_4BIT = "unsloth/Meta-Llama-3.1-8B-bnb-4bit"
RAW_DATASET = "McAuley-Lab/Amazon-Reviews-2023"
RAW_FILE = "raw/meta_categories/meta_{category}.jsonl"
DATA_REPO = "pricer-data"  # your dataset repository: the splits and every model's results
RUN_REPO = "pricer-qlora"  # your model repository: notebook 08's checkpoints and adapter
# The course's published 2024 artefacts, to compare item for item with its figures.
PUBLISHED_SPLITS = "ed-donner/pricer-data"  # 400,000 train / 2,000 test, columns text and price
PUBLISHED_ADAPTER = "ed-donner/pricer-2024-09-13_13.04.39"
PUBLISHED_ADAPTER_REVISION = "e8d637df551603dc86cd7a1598a8f44af4d7ae36"  # its best checkpoint
PUBLISHED_BASE_MODEL = (
    "meta-llama/Meta-Llama-3.1-8B"  # the name it was trained under (now BASE_MODEL)
)

# The course's published errors (average absolute error in dollars), for orientation next to our
# own: `plot_leaderboard(reference=COURSE_FIGURES)` draws a diamond beside the bar of the same name,
# in real runs only. Keys are our leaderboard names where the model is the same.
#
# 2024 edition, on its 250 test items (the first 250 of ed-donner/pricer-data, which
# SPLITS = "published" loads), as said in the course's lectures. Source: the lecture subtitles
# committed to github.com/ed-donner/llm_engineering (commit 233b32c6,
# week5/community-contributions/subtitles/srts/<lecture>/en_US.srt): lecture 59472333 (random,
# constant, features, bag of words, word2vec, forest), 59472421 (SVR 112.5), 59472873 (human,
# GPT-4o), 59473147 (GPT-4o-mini 79.58), 59473201 (fine-tuned GPT-4o-mini "91"), 59666211
# (untrained Llama), 59667357 and 59667365 (fine-tuned Llama $47, read with the top-3
# probability-weighted "improved" predictor). Claude 3.5 Sonnet was said to come in behind
# GPT-4o-mini and the forest, with no figure: left out.
#
# 2025 edition, on ITS OWN test items (other items: not comparable with ours item for item, so
# their keys name no model of ours and are never drawn beside a bar). Source: week7/results.ipynb
# and week8/results.ipynb of the same repository (commit 109b683e).
COURSE_FIGURES: dict[str, float] = {
    "Random": 341.0,
    "Constant (train mean)": 146.0,
    "Feature linear regression": 139.0,
    "Bag of words + LR": 114.0,
    "Word2vec + LR": 115.0,
    "Word2vec + SVR": 112.5,
    "Random forest": 97.0,
    "Human": 127.0,
    "GPT-4o-mini": 79.58,
    "GPT-4o": 76.0,
    "GPT-4o-mini fine-tuned": 91.0,
    "Llama 3.1 8B, 4-bit, untrained": 396.0,
    "Llama 3.1 8B, QLoRA fine-tuned, weighted": 47.0,
    "2025 edition (its own test set): GPT-5.1": 44.74,
    "2025 edition (its own test set): Llama 3.2 3B, fine-tuned": 39.85,
    "2025 edition (its own test set): GPT-5.1 + similar products": 30.19,
    "2025 edition (its own test set): ensemble": 29.9,
}


@dataclass(frozen=True)
class Sizes:
    """How much data a mode uses. Used within `helpers.config`, and by `standins.samples`."""

    n_train: int  # training items
    n_validation: int  # held out for choosing and blending models (never the test items)
    n_test: int  # test items; the Tester scores the first 250
    slot_cap: int  # most items kept per whole-dollar price when balancing
    catalog_size: int  # records per category the Hub stand-in serves (smoke only)


REAL_SIZES = Sizes(
    n_train=400_000, n_validation=2_000, n_test=2_000, slot_cap=1_200, catalog_size=0
)
SMOKE_SIZES = Sizes(n_train=2_000, n_validation=250, n_test=250, slot_cap=20, catalog_size=700)


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _default_workdir() -> Path:
    """$PRICER_WORKDIR, else the course checkout."""
    if os.environ.get(WORKDIR_ENV):
        return Path(os.environ[WORKDIR_ENV]).expanduser().resolve()
    return repo_root()


@dataclass(frozen=True)
class Settings:
    """Where every output lives and how big things are, for one mode. Build it with `settings()`.

    Used within `helpers.config`, which hands it to every helper through `settings()`.
    """

    smoke: bool
    workdir: Path
    sizes: Sizes
    categories: tuple[str, ...] = CATEGORIES
    seed: int = 42

    @property
    def training_preset(self) -> str | None:
        """Notebook 08's size preset: "smoke" here; None lets the machine's GPU decide."""
        return "smoke" if self.smoke else None

    @property
    def chart_mark(self) -> str:
        """A line every chart carries, so nobody mistakes a smoke run for the course's results."""
        return "smoke run: stand-in models and synthetic data" if self.smoke else ""

    def label(self, model: str) -> str:
        """A model's leaderboard name: marked "(stand-in)" when a stand-in answers for it.

        In smoke mode "GPT-4o" is the local stand-in server and "Llama 3.1 8B" the tiny model, so
        their results carry the mark; models trained here (the baselines) do not need it.
        """
        return f"{model} (stand-in)" if self.smoke else model

    @property
    def comparable_to_course(self) -> bool:
        """Whether results may be drawn beside the course's published figures (real runs only)."""
        return not self.smoke

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
    def models_dir(self) -> Path:
        return self.root / "models"


def settings() -> Settings:
    """The current settings, read from the environment at call time (never cached).

    Introduced in notebooks/01_explore_data.ipynb.
    """
    smoke = _env_flag(SMOKE_ENV)
    return Settings(
        smoke=smoke, workdir=_default_workdir(), sizes=SMOKE_SIZES if smoke else REAL_SIZES
    )


# ---- the endpoint switch ----------------------------------------------------------------------

SMOKE_HUB_TOKEN = "hf_standin_learner_write"  # the stand-in learner's write token (not a secret)
SMOKE_API_KEY = "sk-standin-local"  # what the OpenAI-compatible stand-in accepts
PROVIDER_PREFIXES = ("OPENAI", "ANTHROPIC", "GEMINI")  # <P>_BASE_URL and <P>_API_KEY for each


def smoke_environment(hub_url: str, openai_url: str, root: str | os.PathLike) -> dict[str, str]:
    """The variables that point every client at the stand-ins, with caches below ``root``.

    Used within `helpers.config`.
    """
    values = {
        SMOKE_ENV: "1",
        STANDINS_ENV: json.dumps({"hub": hub_url, "openai": openai_url}),
        "HF_ENDPOINT": hub_url,
        "HF_TOKEN": SMOKE_HUB_TOKEN,
        "HF_HOME": str(Path(root) / "hf-home"),  # never your real cache
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "TRANSFORMERS_OFFLINE": "0",
        "DO_NOT_TRACK": "1",
        "WANDB_MODE": "disabled",
    }
    for prefix in PROVIDER_PREFIXES:
        values[f"{prefix}_BASE_URL"] = openai_url
        values[f"{prefix}_API_KEY"] = SMOKE_API_KEY
    return values


def _imported_endpoint() -> str | None:
    """The Hub address an already-imported huggingface_hub uses (it reads HF_ENDPOINT once)."""
    constants = sys.modules.get("huggingface_hub.constants")
    return getattr(constants, "ENDPOINT", None) if constants else None


def _start_standins(root: Path) -> dict[str, str]:
    """Start the local stand-ins for this kernel (they stop when it does); their addresses."""
    root.mkdir(parents=True, exist_ok=True)
    log = open(root / "standins.log", "ab")  # noqa: SIM115 - the child keeps it open
    command = [sys.executable, "-m", "standins", "serve", "--root", str(root / "hub")]
    process = subprocess.Popen(
        [*command, "--exit-with-parent"], stdout=subprocess.PIPE, stderr=log, text=True
    )
    line = process.stdout.readline() if process.stdout else ""
    if not line.strip():
        raise RuntimeError(
            f"The local stand-ins did not start (see {root / 'standins.log'}). Is the course "
            "installed with its stand-ins (pip install -e . from the course folder)?"
        )
    return json.loads(line)


def use_standins(current: Settings) -> dict[str, str]:
    """Point every client of this process at the stand-ins, starting them if none serve it.

    Called by `configure` in smoke mode. Real-looking keys in the environment are replaced by
    the stand-ins', so smoke mode never reaches a paid service. Used within `helpers.config`.
    """
    running = os.environ.get(STANDINS_ENV)
    urls = json.loads(running) if running else _start_standins(current.root / "standins")
    values = smoke_environment(urls["hub"], urls["openai"], current.root)
    imported = _imported_endpoint()
    if imported is not None and imported != urls["hub"].rstrip("/"):
        raise RuntimeError(
            f"huggingface_hub was imported before smoke mode was chosen, so it talks to {imported}."
            " Restart the kernel (Runtime > Restart session on Colab) and run the notebook from "
            "the top: the parameters cell must run before anything loads a model or dataset."
        )
    os.environ.update(values)
    return values


def _export_hub_token() -> None:
    """A Hub token kept in the course's .env file, made visible to the Hugging Face libraries
    (they read the environment, `hf auth login`'s file and Colab's secrets, but not .env)."""
    from .secrets import DOTENV, find_secret

    token, source = find_secret("HF_TOKEN")
    if token and source == DOTENV:
        os.environ["HF_TOKEN"] = token


def configure(smoke: bool | None = None, workdir: str | os.PathLike | None = None) -> Settings:
    """Set the mode for this process (a notebook's parameters cell calls this once).

    ``smoke=None`` keeps whatever ``PRICER_SMOKE`` says, so CI can switch every notebook
    without editing them. In smoke mode every client is pointed at the local stand-ins.
    Introduced in notebooks/01_explore_data.ipynb.
    """
    if smoke is not None:
        os.environ[SMOKE_ENV] = "1" if smoke else "0"
    if workdir is not None:
        os.environ[WORKDIR_ENV] = str(Path(workdir).expanduser().resolve())
    current = settings()
    _export_hub_token()
    if current.smoke:
        use_standins(current)
        print(
            "Mode SMOKE: real code against local stand-ins (synthetic catalog, a tiny Llama with "
            f"Llama 3's real tokenizer, small sizes). Files under {current.root}"
        )
    else:
        print(
            f"Mode REAL: Amazon Reviews 2023 and {BASE_MODEL} from the Hub. Files under {current.root}"
        )
    return current
