"""The OpenAI stand-in's HTTP layer: its endpoints, the API key check and the fault flow.

``OpenAIHandler`` checks the ``Authorization: Bearer`` key, routes ``/v1/...`` to chat
completions, models, files or fine-tuning jobs, and answers in OpenAI's JSON shapes, every
response carrying the header ``x-stand-in: openai``.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import time
from typing import TYPE_CHECKING

from .background_server import QuietHandler, Reply
from .openai_faults import error, fault_reply
from .openai_tuning import job_json

if TYPE_CHECKING:
    from .openai_server import FakeOpenAI

STAND_IN_HEADER = "x-stand-in"  # on every response: what the client reads to say "(stand-in)"
MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4o-mini-2024-07-18", "claude-sonnet-4-5")


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart body: name -> (filename, bytes)."""
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


class OpenAIHandler(QuietHandler):
    """Answers one connection's requests; ``for_fake`` makes the class for one server."""

    server_version = "FakeOpenAI/1.0"
    fake: FakeOpenAI

    @classmethod
    def for_fake(cls, fake: FakeOpenAI) -> type[OpenAIHandler]:
        return type("BoundOpenAIHandler", (cls,), {"fake": fake})

    def _send(self, reply: Reply) -> None:
        status, payload, headers = reply
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.reply(
            status, raw, {"Content-Type": "application/json", STAND_IN_HEADER: "openai", **headers}
        )

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        key = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if key and (self.fake.keys is None or key in self.fake.keys):
            return True
        why = (
            "Incorrect API key provided."
            if key
            else "Missing API key: send 'Authorization: Bearer <key>'."
        )
        self._send(error(401, why, "authentication_error"))
        return False

    def _handle(self) -> None:
        method = self.command
        path = self.path.split("?", 1)[0].rstrip("/")
        self.fake.record_request(method, path, {k.lower(): v for k, v in self.headers.items()})
        body = self.read_body() if method == "POST" else b""
        if not self._authorized():
            return
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["v1"]:
            parts = parts[1:]
        try:
            self._send(self._route(method, parts, body))
        except (ValueError, KeyError, TypeError) as problem:
            self._send(error(400, f"Bad request: {problem}"))

    do_GET = do_POST = _handle

    def _route(self, method: str, parts: list[str], body: bytes) -> Reply:
        tuning = self.fake.tuning
        if method == "POST" and parts == ["chat", "completions"]:
            return self._chat(body)
        if method == "GET" and parts == ["models"]:
            data = [{"id": n, "object": "model", "created": 0, "owned_by": "local"} for n in MODELS]
            return Reply(200, {"object": "list", "data": data})
        if method == "POST" and parts == ["files"]:
            fields = parse_multipart(self.headers.get("Content-Type", ""), body)
            filename, content = fields["file"]
            purpose = fields.get("purpose", (None, b"fine-tune"))[1].decode()
            return Reply(200, tuning.add_file(filename or "upload.jsonl", purpose, content))
        if method == "GET" and len(parts) == 2 and parts[0] == "files":
            record = tuning.files.get(parts[1])
            return Reply(200, record) if record else error(404, f"No such file: {parts[1]}")
        if parts[:2] == ["fine_tuning", "jobs"]:
            return self._jobs(method, parts[2:], body)
        return error(404, f"Unknown endpoint {method} /v1/{'/'.join(parts)}")

    def _chat(self, body: bytes) -> Reply:
        """A chat completion, or the fault this attempt at this request was dealt."""
        fake = self.fake
        fake.count("chat")
        request = json.loads(body)
        fake.record_body(request)
        if not request.get("model") or not request.get("messages"):
            return error(400, "'model' and 'messages' are required")
        if fake.quota_exhausted:
            why = "You exceeded your current quota, please check your plan and billing details."
            return error(429, why, "insufficient_quota", "insufficient_quota")
        fault = fake.fault_for(body)
        if fake.latency:
            time.sleep(fake.latency)
        if fault:
            fake.count(fault)
            refusal = fault_reply(fault, fake.retry_after)
            if refusal is not None:
                return refusal
        if fault == "timeout":
            fake.closing.wait(fake.hang)
        response = fake.chat(request, empty=fault == "empty")
        if fault == "malformed":
            return Reply(200, json.dumps(response).encode()[:40])
        if fault is None:
            fake.count("ok")
        return Reply(200, response)

    def _jobs(self, method: str, rest: list[str], body: bytes) -> Reply:
        """/v1/fine_tuning/jobs[/{id}[/events|/cancel]]."""
        tuning = self.fake.tuning
        if method == "POST" and not rest:
            request = json.loads(body)
            if not request.get("training_file") or not request.get("model"):
                return error(400, "'training_file' and 'model' are required")
            return Reply(200, job_json(tuning.create_job(request)))
        if method == "GET" and not rest:
            data = [job_json(j) for j in reversed(list(tuning.jobs.values()))]
            return Reply(200, {"object": "list", "data": data, "has_more": False})
        job = tuning.jobs.get(rest[0])
        if job is None:
            return error(404, f"No such fine-tuning job: {rest[0]}")
        if method == "GET" and len(rest) == 1:
            return Reply(200, tuning.poll_job(job))
        if method == "GET" and rest[1:] == ["events"]:
            return Reply(200, {"object": "list", "data": tuning.events(job), "has_more": False})
        if method == "POST" and rest[1:] == ["cancel"]:
            job.error = job.error or "cancelled"
            return Reply(200, job_json(job))
        return error(404, "Unknown fine-tuning endpoint")
