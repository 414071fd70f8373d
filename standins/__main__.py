"""Start the local stand-ins: ``python -m standins serve --root DIR``.

Prints one JSON line with their addresses ({"hub": ..., "openai": ...}), then serves until
interrupted, or until the parent process ends when started with ``--exit-with-parent`` (how
`helpers.config.configure` starts them for a notebook kernel in smoke mode).
"""

from __future__ import annotations

import argparse
import json
import sys

from .background_server import wait_for_exit
from .openai_server import serve as serve_openai
from .runner import serve_hub


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m standins", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the Hub and OpenAI-compatible stand-ins")
    serve.add_argument("--root", required=True, help="the Hub stand-in's storage folder")
    serve.add_argument("--exit-with-parent", action="store_true")
    args = parser.parse_args(argv)

    with serve_hub(args.root) as hub_url, serve_openai() as openai_url:
        print(json.dumps({"hub": hub_url, "openai": openai_url}), flush=True)
        wait_for_exit(args.exit_with_parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
