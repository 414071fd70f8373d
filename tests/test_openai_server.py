"""The local OpenAI-compatible stand-in itself: replies, faults, files, jobs and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from helpers.frontier import parse_price
from standins.openai_server import FakeOpenAI, fake_price, fake_reply, serve


def post(url: str, body: dict, key: str | None = "sk-any") -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "A red kettle"}]}


def test_replies_are_deterministic_varied_and_parsable():
    prompts = [f"Product number {i}" for i in range(200)]
    replies = [fake_reply(p, "gpt-4o") for p in prompts]
    assert replies == [fake_reply(p, "gpt-4o") for p in prompts]
    assert any(r.startswith("about ") for r in replies) and any(
        r.startswith("Price is $") for r in replies
    )
    assert any("," in r for r in replies)  # "$1,299.99": a thousands separator to parse
    for prompt, reply in zip(prompts, replies, strict=True):
        price = fake_price(prompt, "gpt-4o")
        assert 5 <= price <= 1500
        assert parse_price(reply) == pytest.approx(price, abs=0.5)
    assert fake_reply("x", "ft:gpt-4o-mini:personal:pricer:1").startswith("Price is $")


def test_chat_reply_has_usage_and_needs_a_key():
    with serve() as url:
        status, body, _ = post(f"{url}/chat/completions", CHAT)
        assert status == 200
        assert body["choices"][0]["message"]["content"] == fake_reply("A red kettle", "gpt-4o-mini")
        assert (
            body["usage"]["total_tokens"]
            == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
        )
        assert post(f"{url}/chat/completions", CHAT, key=None)[0] == 401
        assert post(f"{url}/chat/completions", {"model": "m"})[0] == 400


def test_rate_limit_carries_retry_after():
    with FakeOpenAI(faults=["429"], fail_first=1, retry_after=2.5) as fake:
        status, body, headers = post(f"{fake.url}/chat/completions", CHAT)
        assert status == 429 and body["error"]["type"] == "rate_limit_error"
        assert headers["Retry-After"] == "3" and headers["retry-after-ms"] == "2500"
        assert post(f"{fake.url}/chat/completions", CHAT)[0] == 200  # the second attempt passes


def test_fault_decisions_depend_only_on_seed_and_request():
    def outcomes(seed: int) -> list[int]:
        with FakeOpenAI(fault_rate=0.3, seed=seed, faults=["500"]) as fake:
            return [
                post(
                    f"{fake.url}/chat/completions",
                    {**CHAT, "messages": [{"role": "user", "content": str(i)}]},
                )[0]
                for i in range(60)
            ]

    first = outcomes(1)
    assert first == outcomes(1)
    assert first != outcomes(2)
    assert 8 <= first.count(500) <= 30


def test_malformed_fault_is_not_json():
    with FakeOpenAI(faults=["malformed"], fail_first=1) as fake:
        request = urllib.request.Request(
            f"{fake.url}/chat/completions",
            json.dumps(CHAT).encode(),
            {"Authorization": "Bearer k", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            with pytest.raises(json.JSONDecodeError):
                json.loads(response.read())


def test_command_line_prints_its_url_and_serves():
    process = subprocess.Popen(
        [sys.executable, "-m", "standins.openai_server", "--port", "0", "--latency", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        request = urllib.request.Request(f"{url}/models", headers={"Authorization": "Bearer k"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["object"] == "list"
    finally:
        process.terminate()
        process.wait(timeout=5)
