"""Fine-tuning a hosted model on our items: JSONL files, a local format check, the job, its events.

The course fine-tunes ``gpt-4o-mini`` on 200 training and 50 validation items for one epoch.
Each example is the same conversation `messages_for` sends at test time, plus the answer we
want, ``"Price is $123.45"``: cents kept, because the chat question does not ask for the
nearest dollar (the open-source model's prompt does, and its completion rounds). The steps are
the OpenAI fine-tuning API's: upload two files, create a job, poll it until it succeeds, then
call the new model like any other.

Introduced in notebooks/06_frontier_fine_tuning.ipynb.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import write_text_atomically
from ..prompts import chat_answer
from .client import STAND_IN_HEADER
from .costs import training_rate
from .messages import estimate_tokens, messages_for

ROLES = frozenset({"system", "user", "assistant"})
MESSAGE_KEYS = frozenset({"role", "content", "name", "weight"})
MIN_EXAMPLES = 10  # OpenAI refuses smaller training files
MAX_EXAMPLE_TOKENS = 65_536  # gpt-4o-mini's fine-tuning context; longer examples are cut
TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


def training_messages(item: Any) -> list[dict[str, str]]:
    """One training conversation: the test-time messages plus the answer, "Price is $123.45".

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    return [*messages_for(item), {"role": "assistant", "content": chat_answer(item.price)}]


def write_jsonl(
    items: Sequence[Any],
    path: str | os.PathLike,
    to_messages: Callable[[Any], list[dict[str, str]]] = training_messages,
) -> Path:
    """Write one ``{"messages": to_messages(item)}`` line per item, atomically; returns the path.

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    lines = [json.dumps({"messages": to_messages(item)}, ensure_ascii=False) for item in items]
    return write_text_atomically(path, "\n".join(lines) + "\n")


@dataclass
class JsonlCheck:
    """What the local format check found in a fine-tuning file. Used within `helpers.frontier.tuning`."""

    path: Path
    examples: int = 0
    tokens: int = 0  # estimated, over all examples (one epoch)
    assistant_tokens: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        head = (
            f"{self.path.name}: {self.examples} examples, about {self.tokens:,} tokens "
            f"({self.assistant_tokens:,} of them answers)"
        )
        if self.ok:
            return f"{head}: format OK"
        shown = "\n  ".join(self.errors[:10])
        more = f"\n  ... and {len(self.errors) - 10} more" if len(self.errors) > 10 else ""
        return f"{head}: {len(self.errors)} problems\n  {shown}{more}"

    def raise_if_invalid(self) -> JsonlCheck:
        if not self.ok:
            raise ValueError(f"Fix the fine-tuning file before uploading it:\n{self}")
        return self


def _check_example(number: int, line: str) -> tuple[list[str], int, int]:
    """Problems with one line, and its (all, assistant) token estimates."""
    try:
        example = json.loads(line)
    except json.JSONDecodeError as error:
        return [f"line {number}: not valid JSON ({error.msg})"], 0, 0
    messages = example.get("messages") if isinstance(example, dict) else None
    if not isinstance(messages, list) or not messages:
        return [f"line {number}: needs a non-empty 'messages' list"], 0, 0
    errors: list[str] = []
    tokens = answer = 0
    for position, message in enumerate(messages, 1):
        where = f"line {number}, message {position}"
        if not isinstance(message, dict):
            errors.append(f"{where}: not an object")
            continue
        if message.get("role") not in ROLES:
            errors.append(f"{where}: role {message.get('role')!r} is not one of {sorted(ROLES)}")
        extra = set(message) - MESSAGE_KEYS
        if extra:
            errors.append(f"{where}: unexpected keys {sorted(extra)}")
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            errors.append(f"{where}: 'content' must be non-empty text")
            continue
        count = estimate_tokens(content) + 4
        tokens += count
        if message.get("role") == "assistant":
            answer += count
    if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        errors.append(f"line {number}: no assistant message, so nothing to learn")
    if tokens > MAX_EXAMPLE_TOKENS:
        errors.append(
            f"line {number}: about {tokens:,} tokens, over the {MAX_EXAMPLE_TOKENS:,} limit"
        )
    return errors, tokens, answer


def check_jsonl(path: str | os.PathLike, min_examples: int = MIN_EXAMPLES) -> JsonlCheck:
    """Check a chat fine-tuning file locally, as OpenAI will, before paying for an upload.

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    check = JsonlCheck(Path(path))
    for number, line in enumerate(check.path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        errors, tokens, answer = _check_example(number, line)
        check.examples += 1
        check.errors += errors
        check.tokens += tokens
        check.assistant_tokens += answer
    if check.examples < min_examples:
        check.errors.append(f"only {check.examples} examples; at least {min_examples} are required")
    return check


def training_cost(tokens: int, model: str = "gpt-4o-mini", epochs: int = 1) -> float | None:
    """Dollars to train on ``tokens`` for ``epochs`` (rates: `costs.TRAINING_PRICES`).

    None when the table does not know the model.
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    price = training_rate(model)
    return None if price is None else tokens * epochs * price / 1_000_000


def upload(client: Any, path: str | os.PathLike) -> str:
    """Upload a JSONL file for fine-tuning; returns its file id.

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    with open(path, "rb") as handle:
        uploaded = client.files.create(file=handle, purpose="fine-tune")
    print(f"Uploaded {Path(path).name} as {uploaded.id} ({uploaded.bytes:,} bytes)")
    return uploaded.id


def start_job(
    client: Any,
    training_file: str,
    validation_file: str | None = None,
    model: str = "gpt-4o-mini-2024-07-18",
    epochs: int = 1,
    seed: int = 42,
    suffix: str = "pricer",
    wandb_project: str | None = None,
) -> Any:
    """Create a supervised fine-tuning job (optionally logged to Weights & Biases).

    W&B logging needs your W&B key added once in OpenAI's dashboard (Settings -> Integrations).
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    options: dict[str, Any] = {}
    if validation_file:
        options["validation_file"] = validation_file
    if wandb_project:
        options["integrations"] = [{"type": "wandb", "wandb": {"project": wandb_project}}]
    raw = client.fine_tuning.jobs.with_raw_response.create(
        training_file=training_file,
        model=model,
        seed=seed,
        suffix=suffix,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": epochs}}},
        **options,
    )
    job = raw.parse()
    # A stand-in endpoint names itself in a response header: its training is simulated.
    where = (
        " (stand-in endpoint: simulated, nothing is billed)"
        if STAND_IN_HEADER in raw.headers
        else ""
    )
    print(f"Created fine-tuning job {job.id} for {model}: status {job.status}{where}")
    return job


def job_events(client: Any, job_id: str, limit: int = 100) -> list[Any]:
    """A job's most recent events, oldest first.

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    page = client.fine_tuning.jobs.list_events(fine_tuning_job_id=job_id, limit=limit)
    return list(reversed(page.data))  # the API lists newest first


def wait_for_job(
    client: Any,
    job_id: str,
    poll_seconds: float = 30.0,
    first_poll: float = 0.2,
    timeout: float | None = 3 * 3600,
    show: bool = True,
) -> Any:
    """Poll a job until it ends, printing each status change and new event; returns the job.

    Polls start quickly and slow down to every ``poll_seconds``: a real job takes 10-30
    minutes. Raises if the job fails or is cancelled (with OpenAI's reason), or on timeout
    (the job keeps running; call this again with its id).
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    started = time.monotonic()
    seen: set[str] = set()
    status = None
    delay = first_poll
    while True:
        job = client.fine_tuning.jobs.retrieve(job_id)
        elapsed = time.monotonic() - started
        if show:
            if job.status != status:
                print(f"[{elapsed:6.1f} s] {job_id}: {job.status}")
            for event in job_events(client, job_id):
                if event.id not in seen:
                    seen.add(event.id)
                    print(f"           {event.message}")
        status = job.status
        if status in TERMINAL:
            break
        if timeout is not None and elapsed > timeout:
            raise TimeoutError(
                f"Job {job_id} is still {status} after {elapsed / 60:.0f} minutes. It keeps running "
                f"on the provider's side: call wait_for_job(client, {job_id!r}) again later."
            )
        time.sleep(delay)
        delay = min(poll_seconds, delay * 1.5)
    if status != "succeeded":
        reason = getattr(getattr(job, "error", None), "message", None) or "no reason given"
        raise RuntimeError(f"Fine-tuning job {job_id} {status}: {reason}")
    if show:
        print(f"Fine-tuned model: {job.fine_tuned_model}")
    return job


_STEP = re.compile(r"Step (\d+)/\d+: training loss=([0-9.]+)")


def training_losses(events: Sequence[Any]) -> list[tuple[int, float]]:
    """(step, training loss) pairs from a job's metrics events, in step order.

    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    points: dict[int, float] = {}
    for event in events:
        data = getattr(event, "data", None) or {}
        if isinstance(data, dict) and "step" in data and "train_loss" in data:
            points[int(data["step"])] = float(data["train_loss"])
            continue
        match = _STEP.search(getattr(event, "message", "") or "")
        if match:
            points[int(match.group(1))] = float(match.group(2))
    return sorted(points.items())


def plot_losses(losses: Sequence[tuple[int, float]], title: str = "Fine-tuning: training loss"):
    """Line chart of training loss by step. Introduced in notebooks/06_frontier_fine_tuning.ipynb."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    if losses:
        steps, values = zip(*losses, strict=True)
        ax.plot(steps, values, marker="o", markersize=3, color="#4c72b0")
    ax.set(title=title, xlabel="step", ylabel="training loss")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    plt.show()
    return fig
