"""The shape of helpers.frontier: small modules, no private imports across them, the names the
notebooks import, installed as a package, and model names a maintained price table knows."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

import helpers.frontier
from helpers.frontier import provider_for, token_rates

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "helpers" / "frontier"
NOTEBOOKS = [
    REPO / "notebooks" / "05_frontier_models.ipynb",
    REPO / "notebooks" / "06_frontier_fine_tuning.ipynb",
]


def code_of(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_each_module_is_small(module):
    assert len(module.read_text().splitlines()) < 400


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_private_names_are_imported_across_modules(module):
    tree = ast.parse(module.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or "helpers" in (node.module or "")):
            private = [a.name for a in node.names if a.name.startswith("_")]
            assert not private, f"{module.name} imports {private} from {node.module}"
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = [getattr(node, "module", None) or ""] + [a.name for a in node.names]
            assert not any(n.startswith("standins") for n in names), (
                "helpers never imports standins"
            )


def test_notebooks_import_only_public_names_that_exist():
    for notebook in NOTEBOOKS:
        for module, names in re.findall(
            r"from (helpers\.frontier[\w.]*) import ([^\n]+)", code_of(notebook)
        ):
            spec = importlib.import_module(module)
            for name in (n.strip(" ()") for n in names.split(",")):
                assert not name.startswith("_"), (notebook.name, name)
                assert hasattr(spec, name), f"{notebook.name}: {module}.{name} is missing"
    assert set(helpers.frontier.__all__) <= set(dir(helpers.frontier))


def test_a_regular_install_includes_the_subpackage():
    """Colab installs the course as a regular package: every helpers folder must be listed."""
    pyproject = (REPO / "pyproject.toml").read_text()
    listed = re.search(r"^packages\s*=\s*\[([^\]]*)\]", pyproject, re.M)
    if listed is None:  # automatic discovery finds every package by itself
        return
    packages = re.findall(r'"([\w.]+)"', listed.group(1))
    wanted = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "helpers").rglob("__init__.py")
    }
    assert wanted <= set(packages), f"add {sorted(wanted - set(packages))} to pyproject.toml"


@pytest.mark.skipif(importlib.util.find_spec("genai_prices") is None, reason="needs genai-prices")
def test_the_notebooks_models_are_in_the_maintained_price_table():
    parameters = re.findall(r'^([A-Z_0-9]+) = "([a-z][\w.:-]+)"', code_of(NOTEBOOKS[0]), re.M)
    models = [value for name, value in parameters if name in {"GPT_4O_MINI", "GPT_4O", "CLAUDE"}]
    assert len(models) == 3
    for model in models:
        rates = token_rates(model, provider_for(model))
        assert rates is not None and rates.source.startswith("genai-prices"), model


def test_openai_sdk_still_takes_the_arguments_we_send():
    """API drift: every keyword the client and the fine-tuning helpers pass still exists."""
    import inspect

    import openai
    from openai.resources.chat.completions import Completions
    from openai.resources.fine_tuning.jobs import Jobs

    from helpers.frontier import PROVIDERS

    expected = {
        openai.OpenAI.__init__: {"api_key", "base_url", "max_retries", "timeout"},
        Completions.create: {"model", "messages"}
        | {k for p in PROVIDERS.values() for k in p.params},
        Jobs.create: {
            "training_file",
            "validation_file",
            "model",
            "seed",
            "suffix",
            "method",
            "integrations",
        },
    }
    for function, names in expected.items():
        missing = names - set(inspect.signature(function).parameters)
        assert not missing, (
            f"DRIFT DETECTED: {function.__qualname__} no longer takes {sorted(missing)}"
        )
