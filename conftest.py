"""Test harness for the unit tests and for nbval's notebook runs: smoke mode, offline.

The environment is set in pytest_configure, before nbval starts any kernel (kernels start
before session fixtures would), and the local API stand-in runs until the session ends.
A fresh scratch folder per pytest run keeps runs independent; PRICER_TEST_WORKDIR pins one.
"""

import contextlib
import os
import tempfile

_stack = contextlib.ExitStack()


def pytest_configure(config):
    from helpers.smoke_run import smoke_environment

    workdir = os.environ.get("PRICER_TEST_WORKDIR") or tempfile.mkdtemp(prefix="pricer-test-")
    _stack.enter_context(smoke_environment(workdir))


def pytest_unconfigure(config):
    _stack.close()
