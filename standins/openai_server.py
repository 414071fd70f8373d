"""A local stand-in for an OpenAI-compatible API: the paid services, replaced at the network edge.

Tests, benchmarks and the offline notebook run point ``OPENAI_BASE_URL`` (and the Anthropic and
Gemini ones) at this server. The course code talks to it exactly as to a real provider; the one
thing that differs is that the server says what it is: every response carries the header
``x-stand-in: openai`` and chat replies the ``system_fingerprint`` "fp_stand_in", so the client
can label its results "(stand-in)" and its costs "simulated". It speaks the endpoints notebooks
05-06 use:

- ``POST /v1/chat/completions``: the price a model would read from the prompt. It never sees
  the truth: it reads the product's type, brand and attributes from the text and prices them
  with the synthetic catalog's own tables, then adds the model's own seeded error (a
  fine-tuned ``ft:gpt-4o-mini`` closest, then GPT-4o, Claude, GPT-4o-mini), and weighs in any
  similar products with prices that the prompt shows as context. `standins.chat_pricer`
  documents each step. Replies come in varied shapes ("$1,299.99", "Price is $99", "about 45
  dollars"), with token usage;
- ``POST /v1/files``, ``GET /v1/files/{id}``: multipart JSONL upload for fine-tuning;
- ``POST /v1/fine_tuning/jobs``, ``GET /v1/fine_tuning/jobs/{id}`` (status advances on each
  poll: validating_files -> queued -> running -> succeeded), ``GET .../events``;
- ``GET /v1/models``.

It can add latency to every chat call and inject faults into chat calls at a seeded rate: 429
with Retry-After, 500, 503, a reply slower than any sensible client timeout, a malformed JSON
body, or an empty reply (content "" or null, as a model cut off by its token limit sends).
Whether a request faults depends only on the seed, the request body and how many times that
body was seen, so a run is reproducible whatever the thread interleaving.

    python -m standins.openai_server --port 0 --latency 0.3 --fault-rate 0.2

Introduced in notebooks/05_frontier_models.ipynb (it is what the offline run talks to).
"""

from __future__ import annotations

import argparse
import contextlib
import email.parser
import email.policy
import hashlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .chat_pricer import answer_text, prompt_text

FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "timeout", "malformed", "empty")
STAND_IN_HEADER = "x-stand-in"  # on every response: what the client reads to say "(stand-in)"
FINGERPRINT = "fp_stand_in"
JOB_STAGES: tuple[str, ...] = ("validating_files", "queued", "running", "running", "succeeded")
TRAINING_STEPS = 20  # steps a fake fine-tuning job reports in its events


def _digest(*parts: Any) -> int:
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _unit(*parts: Any) -> float:
    """A number in [0, 1) fixed by its inputs: the server's only source of randomness."""
    return _digest(*parts) / 2**64


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


@dataclass
class _Job:
    body: dict[str, Any]
    id: str
    created_at: int
    polls: int = 0
    error: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # many concurrent clients connect at once; the default 5 drops some


class FakeOpenAI:
    """The server, with its knobs as attributes (they may be changed while it runs).

    ``latency``: seconds added to every chat call. ``fault_rate``: share of chat calls that
    fail, each as one of ``faults``. ``retry_after``: seconds a 429 asks the client to wait
    (sent as ``retry-after-ms`` and, rounded up, ``Retry-After``). ``hang``: how long a
    "timeout" fault stalls before answering. ``fail_first``: every distinct request fails its
    first N attempts (deterministic faults for tests). ``unparsable_rate``: share of prompts
    always answered with words and no number. ``keys``: if given, only these keys are accepted
    (401 otherwise), to exercise a wrong or revoked key; change it while running to revoke one.
    ``quota_exhausted``: every chat call gets OpenAI's 429 with code "insufficient_quota" (an
    account out of credit). ``bodies`` keeps the latest chat request bodies, as sent.
    """

    def __init__(
        self,
        latency: float = 0.0,
        fault_rate: float = 0.0,
        seed: int = 0,
        faults: Sequence[str] = FAULT_KINDS,
        retry_after: float = 1.0,
        hang: float = 30.0,
        fail_first: int = 0,
        unparsable_rate: float = 0.0,
        keys: Sequence[str] | None = None,
        quota_exhausted: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        unknown = set(faults) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; choose from {FAULT_KINDS}")
        self.latency = latency
        self.fault_rate = fault_rate
        self.seed = seed
        self.faults = tuple(faults)
        self.retry_after = retry_after
        self.hang = hang
        self.fail_first = fail_first
        self.unparsable_rate = unparsable_rate
        self.keys = set(keys) if keys is not None else None
        self.quota_exhausted = quota_exhausted
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._attempts: dict[str, int] = {}
        self.counts: dict[str, int] = {"chat": 0, "ok": 0, **{kind: 0 for kind in FAULT_KINDS}}
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        self.jobs: dict[str, _Job] = {}
        # The latest requests: (method, path, headers with lower-case names).
        self.requests: deque[tuple[str, str, dict[str, str]]] = deque(maxlen=1000)
        self.bodies: deque[dict[str, Any]] = deque(maxlen=1000)
        self._httpd = _Server((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL a client uses, ending in /v1 like OpenAI's."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # stalled "timeout" replies give up at once
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- decisions ---------------------------------------------------------------------

    def _fault_for(self, body: bytes) -> str | None:
        """None, or the fault this attempt at this request body gets."""
        key = hashlib.sha256(body).hexdigest()
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
        if not self.faults:
            return None
        if attempt < self.fail_first:
            return self.faults[_digest("first", self.seed, key, attempt) % len(self.faults)]
        if self.fault_rate > 0 and _unit("fault", self.seed, key, attempt) < self.fault_rate:
            return self.faults[_digest("kind", self.seed, key, attempt) % len(self.faults)]
        return None

    def _count(self, what: str) -> None:
        with self._lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def chat(self, request: dict[str, Any], empty: bool = False) -> dict[str, Any]:
        """The chat completion for a request; ``empty``: the content is "" or null instead."""
        model = str(request.get("model", ""))
        messages = request.get("messages") or []
        text = prompt_text(messages)
        reply: str | None
        if self.unparsable_rate and _unit("words", model, text) < self.unparsable_rate:
            reply = "I cannot tell the price from this description."
        else:
            reply = answer_text(text, model)
        finish = "stop"
        if empty:  # cut off by the token limit before any text, as a thinking model can be
            reply, finish = ("" if _digest("empty", model, text) % 2 else None), "length"
        prompt_tokens = sum(_tokens(str(m.get("content", ""))) + 4 for m in messages)
        completion_tokens = _tokens(reply or "")
        return {
            "id": f"chatcmpl-{_digest(model, text) % 10**12:012d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": FINGERPRINT,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    # ---- files and fine-tuning ---------------------------------------------------------

    def add_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-{len(self.files) + 1:04d}{_digest(filename, content) % 10**8:08d}"
            record = {
                "id": file_id,
                "object": "file",
                "bytes": len(content),
                "created_at": int(time.time()),
                "filename": filename,
                "purpose": purpose,
                "status": "processed",
                "status_details": None,
            }
            self.files[file_id] = record
            self.file_bytes[file_id] = content
        return record

    def _check_training_file(self, file_id: str | None) -> str | None:
        """An error message if the file is missing or not chat-format JSONL, like OpenAI's."""
        if not file_id or file_id not in self.file_bytes:
            return f"File {file_id!r} not found"
        for number, line in enumerate(self.file_bytes[file_id].decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                messages = json.loads(line)["messages"]
                roles = [m["role"] for m in messages]
            except (ValueError, KeyError, TypeError):
                return f"Line {number} of {file_id} is not a JSON object with a 'messages' list"
            if "assistant" not in roles:
                return f"Line {number} of {file_id} has no assistant message to learn from"
        return None

    def create_job(self, body: dict[str, Any]) -> _Job:
        with self._lock:
            job_id = f"ftjob-{len(self.jobs) + 1:04d}{_digest(json.dumps(body, sort_keys=True)) % 10**12:012d}"
            job = _Job(body=body, id=job_id, created_at=int(time.time()))
            self.jobs[job_id] = job
        job.error = self._check_training_file(body.get("training_file"))
        if job.error is None and body.get("validation_file"):
            job.error = self._check_training_file(body["validation_file"])
        self._event(job, "Created fine-tuning job")
        return job

    def _event(self, job: _Job, message: str, data: dict[str, Any] | None = None) -> None:
        kind = "metrics" if data else "message"
        job.events.append(
            {
                "object": "fine_tuning.job.event",
                "id": f"ftevent-{job.id[-6:]}-{len(job.events) + 1:03d}",
                "created_at": int(time.time()),
                "level": "info",
                "message": message,
                "data": data or {},
                "type": kind,
            }
        )

    def poll_job(self, job: _Job) -> dict[str, Any]:
        """The job as a client sees it; each poll moves it one stage on."""
        with self._lock:
            before = self._stage(job)
            job.polls += 1
            after = self._stage(job)
            if after != before or after == "running":
                self._advance_events(job, after)
        return self.job_json(job)

    def _stage(self, job: _Job) -> str:
        if job.error:
            return "validating_files" if job.polls < 1 else "failed"
        return JOB_STAGES[min(job.polls, len(JOB_STAGES) - 1)]

    def _advance_events(self, job: _Job, stage: str) -> None:
        if stage == "failed":
            self._event(job, f"Training file validation failed: {job.error}")
        elif stage == "queued":
            self._event(job, "Validating training file: done")
            self._event(job, "Files validated, moving job to queued state")
        elif stage == "running":
            start = sum(1 for e in job.events if e["type"] == "metrics")
            if start == 0:
                self._event(job, "Fine-tuning job started")
            for step in range(start + 1, min(start + TRAINING_STEPS // 2, TRAINING_STEPS) + 1):
                loss = round(2.5 * math.exp(-step / 6) + 0.4 + 0.05 * _unit(job.id, step), 4)
                self._event(
                    job,
                    f"Step {step}/{TRAINING_STEPS}: training loss={loss}",
                    {"step": step, "train_loss": loss, "total_steps": TRAINING_STEPS},
                )
        elif stage == "succeeded":
            self._event(job, f"New fine-tuned model created: {self._model_name(job)}")
            self._event(job, "The job has successfully completed")

    def _model_name(self, job: _Job) -> str:
        base = str(job.body.get("model", "gpt-4o-mini-2024-07-18"))
        suffix = job.body.get("suffix") or ""
        return f"ft:{base}:personal:{suffix}:{job.id[-6:]}"

    def job_json(self, job: _Job) -> dict[str, Any]:
        stage = self._stage(job)
        body = job.body
        method = (body.get("method") or {}).get("supervised") or {}
        hyper = method.get("hyperparameters") or body.get("hyperparameters") or {}
        epochs = hyper.get("n_epochs", "auto")
        done = stage in ("succeeded", "failed")
        return {
            "object": "fine_tuning.job",
            "id": job.id,
            "model": body.get("model"),
            "created_at": job.created_at,
            "finished_at": int(time.time()) if done else None,
            "fine_tuned_model": self._model_name(job) if stage == "succeeded" else None,
            "organization_id": "org-local",
            "result_files": [],
            "status": stage,
            "validation_file": body.get("validation_file"),
            "training_file": body.get("training_file"),
            "hyperparameters": {
                "n_epochs": epochs,
                "batch_size": "auto",
                "learning_rate_multiplier": "auto",
            },
            "trained_tokens": 12_345 if stage == "succeeded" else None,
            "error": {
                "code": "invalid_training_file",
                "message": job.error,
                "param": "training_file",
            }
            if stage == "failed"
            else None,
            "seed": body.get("seed", 0),
            "integrations": body.get("integrations") or [],
            "method": body.get("method") or {"type": "supervised"},
            "user_provided_suffix": body.get("suffix"),
            "estimated_finish": None,
        }


def _error(
    code: int, message: str, kind: str = "invalid_request_error", error_code: str | None = None
) -> tuple[int, dict]:
    return code, {"error": {"message": message, "type": kind, "param": None, "code": error_code}}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart body: name -> (filename, bytes)."""
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms ACK stalls
        server_version = "FakeOpenAI/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read stdout
            pass

        # -- plumbing --
        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _send(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header(STAND_IN_HEADER, "openai")
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                self.close_connection = True

        def _authorized(self) -> bool:
            auth = self.headers.get("Authorization", "")
            key = auth[7:].strip() if auth.startswith("Bearer ") else ""
            if key and (fake.keys is None or key in fake.keys):
                return True
            why = (
                "Incorrect API key provided."
                if key
                else "Missing API key: send 'Authorization: Bearer <key>'."
            )
            self._send(*_error(401, why, "authentication_error"))
            return False

        def _route(self, method: str) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            with fake._lock:
                fake.requests.append(
                    (method, path, {k.lower(): v for k, v in self.headers.items()})
                )
            body = self._body() if method == "POST" else b""
            if not self._authorized():
                return
            parts = [p for p in path.split("/") if p]
            if parts[:1] == ["v1"]:
                parts = parts[1:]
            try:
                self._dispatch(method, parts, body)
            except (ValueError, KeyError, TypeError) as error:
                self._send(*_error(400, f"Bad request: {error}"))

        def _dispatch(self, method: str, parts: list[str], body: bytes) -> None:
            if method == "POST" and parts == ["chat", "completions"]:
                return self._chat(body)
            if method == "GET" and parts == ["models"]:
                names = ["gpt-4o-mini", "gpt-4o", "gpt-4o-mini-2024-07-18", "claude-sonnet-4-5"]
                data = [
                    {"id": n, "object": "model", "created": 0, "owned_by": "local"} for n in names
                ]
                return self._send(200, {"object": "list", "data": data})
            if method == "POST" and parts == ["files"]:
                fields = _parse_multipart(self.headers.get("Content-Type", ""), body)
                filename, content = fields["file"]
                purpose = fields.get("purpose", (None, b"fine-tune"))[1].decode()
                return self._send(200, fake.add_file(filename or "upload.jsonl", purpose, content))
            if method == "GET" and len(parts) == 2 and parts[0] == "files":
                record = fake.files.get(parts[1])
                return self._send(
                    *((200, record) if record else _error(404, f"No such file: {parts[1]}"))
                )
            if parts[:2] == ["fine_tuning", "jobs"]:
                return self._jobs(method, parts[2:], body)
            self._send(*_error(404, f"Unknown endpoint {method} /v1/{'/'.join(parts)}"))

        def _chat(self, body: bytes) -> None:
            fake._count("chat")
            request = json.loads(body)
            with fake._lock:
                fake.bodies.append(request)
            if not request.get("model") or not request.get("messages"):
                return self._send(*_error(400, "'model' and 'messages' are required"))
            if fake.quota_exhausted:
                why = "You exceeded your current quota, please check your plan and billing details."
                return self._send(*_error(429, why, "insufficient_quota", "insufficient_quota"))
            fault = fake._fault_for(body)
            if fake.latency:
                time.sleep(fake.latency)
            if fault:
                fake._count(fault)
            if fault == "429":
                wait = fake.retry_after
                headers = {
                    "Retry-After": str(math.ceil(wait)),
                    "retry-after-ms": str(int(wait * 1000)),
                }
                return self._send(
                    *_error(429, "Rate limit reached; please retry.", "rate_limit_error"), headers
                )
            if fault in ("500", "503"):
                return self._send(
                    *_error(int(fault), "The server had an error; please retry.", "server_error")
                )
            if fault == "timeout":
                fake._closing.wait(fake.hang)
            response = fake.chat(request, empty=fault == "empty")
            if fault == "malformed":
                return self._send(200, json.dumps(response).encode()[:40])
            if fault is None:
                fake._count("ok")
            self._send(200, response)

        def _jobs(self, method: str, rest: list[str], body: bytes) -> None:
            if method == "POST" and not rest:
                request = json.loads(body)
                if not request.get("training_file") or not request.get("model"):
                    return self._send(*_error(400, "'training_file' and 'model' are required"))
                return self._send(200, fake.job_json(fake.create_job(request)))
            if method == "GET" and not rest:
                data = [fake.job_json(j) for j in reversed(list(fake.jobs.values()))]
                return self._send(200, {"object": "list", "data": data, "has_more": False})
            job = fake.jobs.get(rest[0])
            if job is None:
                return self._send(*_error(404, f"No such fine-tuning job: {rest[0]}"))
            if method == "GET" and len(rest) == 1:
                return self._send(200, fake.poll_job(job))
            if method == "GET" and rest[1:] == ["events"]:
                with fake._lock:
                    events = list(reversed(job.events))  # newest first, as OpenAI lists them
                return self._send(200, {"object": "list", "data": events, "has_more": False})
            if method == "POST" and rest[1:] == ["cancel"]:
                job.error = job.error or "cancelled"
                return self._send(200, fake.job_json(job))
            self._send(*_error(404, "Unknown fine-tuning endpoint"))

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextlib.contextmanager
def serve(
    latency: float = 0.0,
    fault_rate: float = 0.0,
    seed: int = 0,
    **options: Any,
) -> Iterator[str]:
    """Run the server on a free local port for the ``with`` block; yields its base URL (…/v1).

    Extra keyword arguments are `FakeOpenAI`'s (faults, retry_after, hang, fail_first, ...).
    Introduced in notebooks/05_frontier_models.ipynb.
    """
    with FakeOpenAI(latency=latency, fault_rate=fault_rate, seed=seed, **options) as fake:
        yield fake.url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A local OpenAI-compatible server for offline runs."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to each chat call"
    )
    parser.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of chat calls that fail"
    )
    parser.add_argument("--faults", default=",".join(FAULT_KINDS), help="kinds of fault to inject")
    parser.add_argument("--retry-after", type=float, default=1.0, help="seconds a 429 asks to wait")
    parser.add_argument("--hang", type=float, default=30.0, help="seconds a 'timeout' fault stalls")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fake = FakeOpenAI(
        latency=args.latency,
        fault_rate=args.fault_rate,
        seed=args.seed,
        faults=[f for f in args.faults.split(",") if f],
        retry_after=args.retry_after,
        hang=args.hang,
        host=args.host,
        port=args.port,
    )
    with fake:
        print(fake.url, flush=True)
        print(
            "Set OPENAI_BASE_URL to this URL and OPENAI_API_KEY to any text. Ctrl-C stops.",
            flush=True,
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
