"""A local HTTP server on a background thread: what both stand-in servers are built on.

``BackgroundServer`` runs a ``ThreadingHTTPServer`` (127.0.0.1, a free port by default) on a
daemon thread, as a context manager. ``QuietHandler`` is the request handler they share:
HTTP/1.1 keep-alive, no per-request log lines (they would drown a notebook's output), request
bodies read whole (chunked or not), and replies that survive a client hanging up. Endpoints
answer with a ``Reply``. ``wait_for_exit`` keeps a ``python -m standins...`` process serving
until Ctrl-C, or until the process that started it goes away.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit


class Reply(NamedTuple):
    """What an endpoint answers: a status, a JSON-able payload (or raw bytes), extra headers."""

    status: int
    payload: Any = None
    headers: Mapping[str, str] = {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many clients connect at once; the default 5 drops some


class BackgroundServer:
    """A threading HTTP server for ``handler`` that serves on a daemon thread while started."""

    def __init__(
        self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._httpd = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``http://host:port``, the port the system picked when asked for port 0."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """The request plumbing both stand-ins share; subclasses route and answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: a line per request would drown the notebooks' output

    def read_body(self) -> bytes:
        """The request body, whether sent with Content-Length or chunked."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailer lines, up to the blank line that ends the body
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def query(self) -> dict[str, list[str]]:
        """The URL's query parameters, each a list of values."""
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def reply(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        """Send ``code``, ``headers`` and ``body`` (not for HEAD); a client that hung up is fine."""
        try:
            self.send_head(code, headers, len(body))
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
            self.close_connection = True

    def send_head(self, code: int, headers: dict[str, str], length: int) -> None:
        """The status line and headers of a reply of ``length`` bytes."""
        self.send_response(code)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(length))
        self.end_headers()


def wait_for_exit(exit_with_parent: bool = False, poll: float = 0.5) -> None:
    """Block until Ctrl-C, or with ``exit_with_parent`` until the parent process is gone."""
    parent = os.getppid()
    try:
        while not exit_with_parent or os.getppid() == parent:
            time.sleep(poll)
    except KeyboardInterrupt:
        pass
