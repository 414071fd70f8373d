"""Test harness for the unit tests and for nbval's notebook runs: smoke mode, against stand-ins.

The local stand-ins (the Hub and the OpenAI-compatible APIs) start in pytest_configure, before
nbval starts any kernel, and serve until the session ends. Each notebook then runs as on Colab:
in its own fresh "runtime" (an empty working folder and Hub cache), sharing only what was
pushed to the Hub stand-in. Each pytest run works in a new scratch folder, removed afterwards;
set PRICER_TEST_WORKDIR to keep one for inspection.
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

_stack = contextlib.ExitStack()
_scratch: list[Path] = []


def pytest_configure(config):
    from standins.runner import smoke_environment

    workdir = os.environ.get("PRICER_TEST_WORKDIR")
    if not workdir:
        workdir = tempfile.mkdtemp(prefix="pricer-test-")
        _stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    _scratch.append(Path(workdir))
    _stack.enter_context(smoke_environment(workdir))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a notebook's first cell (when nbval starts its kernel): a fresh runtime for it."""
    from standins.runner import runtime_environment

    path = Path(str(item.path))
    if path.suffix == ".ipynb":
        runtime = _scratch[0] / "runtimes" / path.stem
        if os.environ.get("PRICER_WORKDIR") != str(runtime):
            os.environ.update(runtime_environment(runtime))


def pytest_unconfigure(config):
    _stack.close()
