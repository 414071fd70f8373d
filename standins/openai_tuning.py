"""The OpenAI stand-in's files and fine-tuning jobs.

``POST /v1/files`` stores an uploaded JSONL file; ``POST /v1/fine_tuning/jobs`` checks that its
training file is chat-format JSONL, as OpenAI does, and creates a job. Each poll of ``GET
/v1/fine_tuning/jobs/{id}`` moves the job one stage on (validating_files -> queued ->
running -> succeeded, or failed for a bad file), and its events (``GET .../events``) report
falling training losses and, at the end, the fine-tuned model's name.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .seeded import digest, unit

JOB_STAGES: tuple[str, ...] = ("validating_files", "queued", "running", "running", "succeeded")
TRAINING_STEPS = 20  # steps a fake fine-tuning job reports in its events


@dataclass
class Job:
    body: dict[str, Any]
    id: str
    created_at: int
    polls: int = 0
    error: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


class FineTuning:
    """Uploaded files and fine-tuning jobs, safe to use from the server's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        self.jobs: dict[str, Job] = {}

    def add_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        with self.lock:
            file_id = f"file-{len(self.files) + 1:04d}{digest(filename, content) % 10**8:08d}"
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

    def create_job(self, body: dict[str, Any]) -> Job:
        with self.lock:
            number = digest(json.dumps(body, sort_keys=True)) % 10**12
            job_id = f"ftjob-{len(self.jobs) + 1:04d}{number:012d}"
            job = Job(body=body, id=job_id, created_at=int(time.time()))
            self.jobs[job_id] = job
        job.error = self._check_training_file(body.get("training_file"))
        if job.error is None and body.get("validation_file"):
            job.error = self._check_training_file(body["validation_file"])
        _event(job, "Created fine-tuning job")
        return job

    def poll_job(self, job: Job) -> dict[str, Any]:
        """The job as a client sees it; each poll moves it one stage on."""
        with self.lock:
            before = _stage(job)
            job.polls += 1
            after = _stage(job)
            if after != before or after == "running":
                _advance_events(job, after)
        return job_json(job)

    def events(self, job: Job) -> list[dict[str, Any]]:
        """The job's events, newest first, as OpenAI lists them."""
        with self.lock:
            return list(reversed(job.events))


def _event(job: Job, message: str, data: dict[str, Any] | None = None) -> None:
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


def _stage(job: Job) -> str:
    if job.error:
        return "validating_files" if job.polls < 1 else "failed"
    return JOB_STAGES[min(job.polls, len(JOB_STAGES) - 1)]


def _advance_events(job: Job, stage: str) -> None:
    if stage == "failed":
        _event(job, f"Training file validation failed: {job.error}")
    elif stage == "queued":
        _event(job, "Validating training file: done")
        _event(job, "Files validated, moving job to queued state")
    elif stage == "running":
        start = sum(1 for e in job.events if e["type"] == "metrics")
        if start == 0:
            _event(job, "Fine-tuning job started")
        for step in range(start + 1, min(start + TRAINING_STEPS // 2, TRAINING_STEPS) + 1):
            loss = round(2.5 * math.exp(-step / 6) + 0.4 + 0.05 * unit(job.id, step), 4)
            _event(
                job,
                f"Step {step}/{TRAINING_STEPS}: training loss={loss}",
                {"step": step, "train_loss": loss, "total_steps": TRAINING_STEPS},
            )
    elif stage == "succeeded":
        _event(job, f"New fine-tuned model created: {_model_name(job)}")
        _event(job, "The job has successfully completed")


def _model_name(job: Job) -> str:
    base = str(job.body.get("model", "gpt-4o-mini-2024-07-18"))
    suffix = job.body.get("suffix") or ""
    return f"ft:{base}:personal:{suffix}:{job.id[-6:]}"


def job_json(job: Job) -> dict[str, Any]:
    """The job in OpenAI's shape, at its current stage."""
    stage = _stage(job)
    body = job.body
    method = (body.get("method") or {}).get("supervised") or {}
    hyper = method.get("hyperparameters") or body.get("hyperparameters") or {}
    done = stage in ("succeeded", "failed")
    failure = {"code": "invalid_training_file", "message": job.error, "param": "training_file"}
    return {
        "object": "fine_tuning.job",
        "id": job.id,
        "model": body.get("model"),
        "created_at": job.created_at,
        "finished_at": int(time.time()) if done else None,
        "fine_tuned_model": _model_name(job) if stage == "succeeded" else None,
        "organization_id": "org-local",
        "result_files": [],
        "status": stage,
        "validation_file": body.get("validation_file"),
        "training_file": body.get("training_file"),
        "hyperparameters": {
            "n_epochs": hyper.get("n_epochs", "auto"),
            "batch_size": "auto",
            "learning_rate_multiplier": "auto",
        },
        "trained_tokens": 12_345 if stage == "succeeded" else None,
        "error": failure if stage == "failed" else None,
        "seed": body.get("seed", 0),
        "integrations": body.get("integrations") or [],
        "method": body.get("method") or {"type": "supervised"},
        "user_provided_suffix": body.get("suffix"),
        "estimated_finish": None,
    }
