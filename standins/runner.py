"""Run the whole course offline: the smoke environment, and a headless runner for every notebook.

`smoke_environment()` is what both the test suite and `make course` use. It turns on smoke
mode, points the run at a scratch folder, keeps every library offline, and starts the local
OpenAI-compatible stand-in for the paid APIs, exporting its address the way a learner exports
a real provider's. The notebooks cannot tell: they only read the usual variables.

    python -m standins.runner --out build/course     # executed notebooks + charts

Introduced in README.md ("Run the course offline").
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

OFFLINE = {
    "PRICER_SMOKE": "1",
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "WANDB_MODE": "disabled",
    "TOKENIZERS_PARALLELISM": "false",
    "OMP_WAIT_POLICY": "PASSIVE",  # idle OpenMP threads sleep instead of spinning on a small machine
}
DUMMY_KEY = "sk-local-test-server"
# Each provider preset reads <NAME>_BASE_URL and <NAME>_API_KEY; all point at the stand-in.
PROVIDERS = ("OPENAI", "ANTHROPIC", "GEMINI")


@contextlib.contextmanager
def _patched_environ(values: dict[str, str]) -> Iterator[None]:
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


@contextlib.contextmanager
def smoke_environment(workdir: str | os.PathLike, latency: float = 0.0) -> Iterator[dict[str, str]]:
    """Smoke mode in ``workdir`` with the local API stand-in running; restores everything after."""
    from .openai_server import serve

    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    with serve(latency=latency) as base_url:
        values = {**OFFLINE, "PRICER_WORKDIR": str(workdir)}
        for provider in PROVIDERS:
            values[f"{provider}_BASE_URL"] = base_url
            values[f"{provider}_API_KEY"] = DUMMY_KEY
        with _patched_environ(values):
            yield values


def _save_charts(notebook, name: str, charts: Path) -> int:
    count = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                count += 1
                (charts / f"{name}_{count:02d}.png").write_bytes(base64.b64decode(png))
    return count


def run_course(out: str | os.PathLike, only: str = "", timeout: int = 900) -> bool:
    """Execute every notebook (or those whose name contains ``only``) in smoke mode, in order.

    Executed copies go to ``out/notebooks``, every chart to ``out/charts``. Returns True when
    every notebook ran. Introduced in README.md.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    repo = Path(__file__).resolve().parent.parent
    sources = sorted(p for p in (repo / "notebooks").glob("[0-9][0-9]_*.ipynb") if only in p.name)
    out = Path(out).resolve()
    executed, charts = out / "notebooks", out / "charts"
    executed.mkdir(parents=True, exist_ok=True)
    charts.mkdir(parents=True, exist_ok=True)
    ok = True
    with smoke_environment(out / "workdir"):
        for path in sources:
            notebook = nbformat.read(path, as_version=4)
            started = time.perf_counter()
            client = NotebookClient(
                notebook,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
            )
            try:
                client.execute()
                status = "ok"
            except CellExecutionError as error:
                ok, status = False, f"FAILED\n{str(error)[-2000:]}"
            nbformat.write(notebook, executed / path.name)
            n = _save_charts(notebook, path.stem, charts)
            print(
                f"{path.name:32s} {time.perf_counter() - started:6.1f} s  {n:2d} charts  {status}"
            )
    print(f"Executed notebooks in {executed}\nCharts in {charts}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every course notebook offline, headless.")
    parser.add_argument("--out", default="build/course", help="where executed notebooks go")
    parser.add_argument("--only", default="", help="run notebooks whose file name contains this")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    return 0 if run_course(args.out, args.only, args.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
