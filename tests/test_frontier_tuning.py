"""Fine-tuning a hosted model: JSONL files, the local format check, and a job on the stand-in."""

from __future__ import annotations

import json

import pytest

from helpers.frontier import FrontierClient, messages_for, openai_client
from helpers.frontier.tuning import (
    check_jsonl,
    job_events,
    start_job,
    training_losses,
    training_messages,
    upload,
    wait_for_job,
    write_jsonl,
)
from helpers.items import Item
from helpers.prompts import read_price

SECRET = "sk-test-SECRET-4242-do-not-print"


def make_items(n: int) -> list[Item]:
    return [
        Item(
            f"Widget model {i}",
            "Electronics",
            10 + 3 * i + 0.49,
            f"Widget model {i}\nA widget.",
            150,
        )
        for i in range(n)
    ]


def test_training_messages_end_with_the_answer_in_cents():
    item = make_items(2)[1]
    messages = training_messages(item)
    assert messages[:2] == messages_for(item)
    assert messages[2] == {"role": "assistant", "content": "Price is $13.49"}


def test_jsonl_written_and_checked(tmp_path):
    path = write_jsonl(make_items(12), tmp_path / "ft" / "train.jsonl")
    lines = path.read_text().splitlines()
    assert len(lines) == 12
    assert json.loads(lines[0])["messages"][-1] == {
        "role": "assistant",
        "content": "Price is $10.49",
    }
    check = check_jsonl(path)
    assert check.ok and check.examples == 12 and check.tokens > check.assistant_tokens > 0
    assert "format OK" in str(check)
    assert not list(path.parent.glob("*.tmp"))


def test_jsonl_check_finds_each_problem(tmp_path):
    good = json.dumps({"messages": training_messages(make_items(1)[0])})
    bad = [
        "{not json",
        json.dumps({"prompt": "old format"}),
        json.dumps({"messages": [{"role": "user", "content": "no answer"}]}),
        json.dumps(
            {"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "1"}]}
        ),
        json.dumps({"messages": [{"role": "assistant", "content": ""}]}),
        json.dumps({"messages": [{"role": "assistant", "content": "1", "extra": 1}]}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([good, *bad]) + "\n")
    check = check_jsonl(path)
    text = "\n".join(check.errors)
    for expected in (
        "line 2: not valid JSON",
        "line 3: needs a non-empty 'messages' list",
        "line 4: no assistant message",
        "line 5, message 1: role 'robot'",
        "line 6, message 1: 'content' must be non-empty",
        "line 7, message 1: unexpected keys ['extra']",
        "only 7 examples; at least 10",
    ):
        assert expected in text
    with pytest.raises(ValueError, match="Fix the fine-tuning file"):
        check.raise_if_invalid()


def test_fine_tuning_end_to_end_on_the_local_server(fake, tmp_path, capsys):
    items = make_items(15)
    client = openai_client(base_url=fake.url, api_key=SECRET)
    train = upload(client, write_jsonl(items[:12], tmp_path / "train.jsonl"))
    validation = upload(client, write_jsonl(items[12:] * 4, tmp_path / "validation.jsonl"))
    job = start_job(client, train, validation, seed=42, suffix="pricer", wandb_project="gpt-pricer")
    assert job.status == "validating_files"
    finished = wait_for_job(client, job.id, poll_seconds=0.05, first_poll=0.01)
    assert finished.status == "succeeded"
    assert finished.fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:personal:pricer:")
    sent = fake.jobs[job.id].body
    assert sent["seed"] == 42 and sent["integrations"][0]["wandb"]["project"] == "gpt-pricer"
    assert sent["method"]["supervised"]["hyperparameters"]["n_epochs"] == 1
    out = capsys.readouterr().out
    for status in ("queued", "running", "succeeded"):
        assert status in out
    assert "Step 20/20" in out and SECRET not in out
    assert "status validating_files (stand-in endpoint: simulated, nothing is billed)" in out

    losses = training_losses(job_events(client, job.id))
    assert [step for step, _ in losses] == list(range(1, 21))
    assert losses[-1][1] < losses[0][1]

    tuned = FrontierClient(
        finished.fine_tuned_model, base_url=fake.url, api_key=SECRET, cache=False
    )
    reply = tuned.complete(messages_for(items[0]))
    assert reply.text.startswith("Price is $") and tuned(items[0]) == read_price(reply.text)
    assert tuned.name.endswith("(stand-in)")


def test_a_job_with_a_bad_file_fails_with_the_reason(fake, tmp_path):
    client = openai_client(base_url=fake.url, api_key=SECRET)
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "no answer"}]}\n' * 10)
    job = start_job(client, upload(client, path))
    with pytest.raises(RuntimeError, match="failed: .*no assistant message"):
        wait_for_job(client, job.id, first_poll=0.01, show=False)
