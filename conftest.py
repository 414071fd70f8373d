"""Test harness for the unit tests and for nbval's notebook runs: smoke mode, offline.

The environment is set in pytest_configure, before nbval starts any kernel (kernels start
before session fixtures would), and the local API stand-in runs until the session ends.
Each pytest run works in a fresh scratch folder, removed afterwards; set PRICER_TEST_WORKDIR
to keep one for inspection.
"""

import contextlib
import os
import shutil
import tempfile

_stack = contextlib.ExitStack()


def pytest_configure(config):
    from standins.runner import smoke_environment

    workdir = os.environ.get("PRICER_TEST_WORKDIR")
    if not workdir:
        workdir = tempfile.mkdtemp(prefix="pricer-test-")
        _stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    _stack.enter_context(smoke_environment(workdir))


def pytest_unconfigure(config):
    _stack.close()
