"""Run the course offline as Colab would: every notebook in a fresh runtime, one shared Hub.

`smoke_environment()` starts the local stand-ins (the Hub and the OpenAI-compatible APIs) and
exports the variables that point every client at them; the test suite and `make course` both
use it. `run_course()` executes each notebook in its own new kernel and its own empty working
folder (with its own empty Hugging Face cache), exactly like a new Colab runtime: the only
thing notebooks share is the Hub stand-in's storage, i.e. what the learner pushed.

    python -m standins.runner --out build/course            # every notebook, from nothing
    python -m standins.runner --out build/course --only 08  # one notebook (its inputs are made first)
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from helpers.config import WORKDIR_ENV
from helpers.config import smoke_environment as smoke_variables
from helpers.paths import repo_root

QUIET = {
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",  # idle OpenMP threads sleep instead of spinning on a small machine
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


@contextlib.contextmanager
def serve_hub(root: str | os.PathLike) -> Iterator[str]:
    """The Hub stand-in over the storage folder ``root`` (seeded with the public repositories)."""
    from .hub_server import serve
    from .world import prepare_storage

    with serve(prepare_storage(root)) as url:
        yield url


@contextlib.contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    """Set ``values`` in os.environ for the block; restore every variable afterwards."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def runtime_environment(workdir: str | os.PathLike) -> dict[str, str]:
    """The variables of one fresh "runtime": its own empty working folder and Hub cache."""
    workdir = Path(workdir)
    return {WORKDIR_ENV: str(workdir), "HF_HOME": str(workdir / "smoke" / "hf-home")}


@contextlib.contextmanager
def smoke_environment(workdir: str | os.PathLike) -> Iterator[dict[str, str]]:
    """Smoke mode in ``workdir``: the stand-ins running, every client pointed at them.

    The Hub stand-in stores what is pushed in ``workdir/hub``; the process works in
    ``workdir/runtime``. Everything is restored when the block ends.
    """
    from .openai_server import serve as serve_openai

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if "huggingface_hub" in sys.modules:  # it read HF_ENDPOINT when imported: too late to point it
        raise RuntimeError("Start the smoke environment before anything imports huggingface_hub.")
    with serve_hub(workdir / "hub") as hub_url, serve_openai() as openai_url:
        values = {**QUIET, **smoke_variables(hub_url, openai_url, workdir / "runtime" / "smoke")}
        values.update(runtime_environment(workdir / "runtime"))
        with patched_environ(values):
            yield values


def _save_charts(notebook: Any, name: str, charts: Path) -> int:
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                count += 1
                (charts / f"{name}_{count:02d}.png").write_bytes(base64.b64decode(png))
    return count


def notebooks(folder: Path | None = None) -> list[Path]:
    """The course notebooks in order (NN_name.ipynb)."""
    folder = folder or repo_root() / "notebooks"
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


# What each notebook reads from the Hub that another one pushed there (default: notebook 02's splits).
NEEDS: dict[str, tuple[str, ...]] = {
    "01": (),
    "02": (),
    "09": ("02", "08"),
    "10": ("02", "03", "05", "08", "09"),
    # the exercise solutions: notebook 08's adapter (exercises of 09 and 10), 05's saved GPT-4o
    "11": ("02", "05", "08"),
}


def _selected(paths: list[Path], only: str) -> list[Path]:
    """All notebooks, or the one ``only`` names ("08") after the notebooks whose output it reads.

    On Colab a notebook finds its inputs in the learner's Hub account; here the notebooks that
    push them run first, each in its own runtime, exactly as a learner would have run them.
    """
    if not only:
        return paths
    number = only[:2]
    by_number = {p.name[:2]: p for p in paths}
    if number not in by_number:
        raise SystemExit(f"No notebook {only!r}: choose from {', '.join(sorted(by_number))}")
    needed = NEEDS.get(number, ("02",))
    return [by_number[n] for n in sorted({*needed, number})]


def run_notebook(
    path: Path, out: Path, env: dict[str, str], timeout: int = 900
) -> tuple[bool, str, Any]:
    """Execute one notebook in a new kernel with ``env`` added; save the executed copy.

    Returns whether it ran, its status line, and the executed notebook."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    notebook = nbformat.read(path, as_version=4)
    # The kernel talks over local sockets in a private folder rather than TCP ports: nothing to
    # eavesdrop on, so ipykernel has no warning to print before every notebook.
    with tempfile.TemporaryDirectory(prefix="pricer-kernel-") as sockets:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            config=Config(KernelManager={"transport": "ipc", "ip": f"{sockets}/kernel"}),
        )
        try:
            client.execute(env={**os.environ, **env})
            status = "ok"
        except CellExecutionError as error:
            status = f"FAILED\n{str(error)[-3000:]}"
    nbformat.write(notebook, out / path.name)
    return status == "ok", status, notebook


def run_course(out: str | os.PathLike, only: str = "", timeout: int = 900) -> bool:
    """Run the notebooks from nothing, each in a fresh runtime; True when every one ran.

    ``out`` is emptied first. Executed copies go to ``out/notebooks``, charts to ``out/charts``,
    and each runtime's folder to ``out/runtimes/NN``.
    """
    out = Path(out).resolve()
    if out.exists():
        shutil.rmtree(out)
    executed, charts, runtimes = out / "notebooks", out / "charts", out / "runtimes"
    for folder in (executed, charts, runtimes):
        folder.mkdir(parents=True)
    chosen = _selected(notebooks(), only)
    ok = True
    started_all = time.perf_counter()
    with smoke_environment(out / "shared"):
        for path in chosen:
            started = time.perf_counter()
            env = runtime_environment(runtimes / re.sub(r"_.*", "", path.stem))
            success, status, notebook = run_notebook(path, executed, env, timeout)
            ok = ok and success
            n = _save_charts(notebook, path.stem, charts)
            print(
                f"{path.name:36s} {time.perf_counter() - started:6.1f} s  {n:2d} charts  {status}"
            )
            if not success:
                break
    print(f"Total {time.perf_counter() - started_all:.0f} s")
    print(f"Executed notebooks in {executed}\nCharts in {charts}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the course notebooks offline, headless.")
    parser.add_argument("--out", default="build/course", help="where executed notebooks go")
    parser.add_argument("--only", default="", help="run up to this notebook (e.g. 08)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    return 0 if run_course(args.out, args.only, args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
