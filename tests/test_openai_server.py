"""The local OpenAI-compatible stand-in: how it prices (reading the text, never the truth), the
order of its models, the context hook, its faults, files, jobs and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from helpers.frontier import FrontierClient, messages_for
from helpers.prompts import read_price
from standins.chat_pricer import (
    answer_price,
    answer_text,
    noise_for,
    read_listing,
    similarity,
    split_context,
)
from standins.openai_server import FakeOpenAI, serve


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


# ---- how it reads a listing ------------------------------------------------------------------


def test_a_listing_is_priced_from_type_brand_and_attributes():
    reading = read_listing(
        "How much does this cost?\n\nVantorra 4K Pro Dash Cam, Night vision, Black\nRecords every drive."
    )
    assert (reading.product_type, reading.brand) == ("Dash Cam", "Vantorra")
    assert reading.attributes == ["4K", "Pro"]
    assert reading.price == pytest.approx(70 * 1.85 * 1.6 * 1.75)  # base x brand x 4K x Pro


def test_a_brand_name_is_not_read_as_an_attribute():
    assert read_listing("Hartmann Pro Circular Saw, Bevel adjustment").price == pytest.approx(
        110 * 1.6
    )
    assert read_listing("Hartmann Pro Ultra Circular Saw").price == pytest.approx(110 * 1.6 * 2.3)


def test_an_attribute_it_cannot_find_counts_at_the_average_of_its_options():
    # Wiper Blades have one axis (16/20/26 Inch: 0.9, 1.0, 1.15); the title names none.
    average = (0.9 * 1.0 * 1.15) ** (1 / 3)
    assert read_listing("RoadMate Wiper Blades").price == pytest.approx(
        22 * 1.05 * average, abs=0.01
    )
    assert read_listing("A thing nobody sells").price == 45.0


def test_bigger_models_misread_less():
    assert noise_for("ft:gpt-4o-mini-2024-07-18:personal:pricer:x") < noise_for("gpt-4o")
    assert noise_for("gpt-4o") < noise_for("gpt-4o-2024-08-06") + 1e-9 < noise_for("gpt-4o-mini")
    assert noise_for("gpt-4o-mini") < noise_for("some-other-model")


def test_frontier_stand_ins_keep_the_course_order_on_the_smoke_test_items(smoke_split):
    """Averaged over the smoke test items, through the real client: fine-tuned GPT-4o-mini <
    GPT-4o < GPT-4o-mini < the constant baseline (the course's order, GPT-4o $76 vs $146)."""
    train, test = smoke_split.train, smoke_split.test
    mean = sum(i.price for i in train) / len(train)
    constant = sum(abs(mean - i.price) for i in test) / len(test)
    errors = {}
    with FakeOpenAI() as fake:
        for model in ("gpt-4o", "gpt-4o-mini", "ft:gpt-4o-mini-2024-07-18:personal:pricer:x"):
            client = FrontierClient(model, base_url=fake.url, api_key="k", cache=False)
            answers = client.predict_batch(test)
            assert all(isinstance(a, float) for a in answers)
            errors[model[:11]] = sum(
                abs(a - i.price) for a, i in zip(answers, test, strict=True)
            ) / len(test)
    assert errors["ft:gpt-4o-m"] < errors["gpt-4o"] < errors["gpt-4o-mini"] < constant
    assert errors["gpt-4o"] < 0.7 * constant  # clearly better, as in the course (0.52)


# ---- the context hook (retrieval) ----------------------------------------------------------------


def test_context_products_are_split_off_by_their_price_lines():
    text = "Context:\n\nRed kettle\nPrice is $20.00\n\nBlue kettle\nPrice is $1,250\n\nHow much?\n\nGreen kettle"
    item, context = split_context(text)
    assert item == "\n\nHow much?\n\nGreen kettle"
    assert context == [("Context:\n\nRed kettle\n", 20.0), ("\n\nBlue kettle\n", 1250.0)]
    assert split_context("Just a kettle") == ("Just a kettle", [])
    assert similarity("a red kettle", "a red kettle") == 1.0
    assert similarity("a red kettle", "blue pot") == 0.0
    assert similarity("red kettle", "red pot") == pytest.approx(1 / 3)


def test_similar_products_with_prices_pull_the_answer_toward_theirs(smoke_split):
    """With the true price of an identical listing as context, the error falls by more than 40%."""
    test = smoke_split.test
    plain = with_context = 0.0
    for item in test[:40]:
        twin = type(item)(item.title, item.category, item.price, item.text, item.token_count)
        alone = answer_price("\n\n".join(m["content"] for m in messages_for(item)), "gpt-4o-mini")
        helped = answer_price(
            "\n\n".join(m["content"] for m in messages_for(item, similar=[twin])), "gpt-4o-mini"
        )
        plain += abs(alone - item.price)
        with_context += abs(helped - item.price)
    assert with_context < 0.6 * plain


# ---- the HTTP surface --------------------------------------------------------------------------


def test_replies_are_deterministic_varied_and_parsable():
    prompts = [f"Product number {i}" for i in range(200)]
    replies = [answer_text(p, "gpt-4o") for p in prompts]
    assert replies == [answer_text(p, "gpt-4o") for p in prompts]
    assert any(r.startswith("about ") for r in replies)
    assert any(r.startswith("Price is $") for r in replies)
    for prompt, reply in zip(prompts, replies, strict=True):
        assert read_price(reply) == pytest.approx(answer_price(prompt, "gpt-4o"), abs=0.5)
    assert answer_text("x", "ft:gpt-4o-mini:personal:pricer:1").startswith("Price is $")


def test_chat_reply_has_usage_needs_a_key_and_names_the_stand_in():
    with serve() as url:
        status, body, headers = post(f"{url}/chat/completions", CHAT)
        assert status == 200
        assert body["choices"][0]["message"]["content"] == answer_text(
            "A red kettle", "gpt-4o-mini"
        )
        assert body["system_fingerprint"] == "fp_stand_in"
        assert headers["x-stand-in"] == "openai"
        usage = body["usage"]
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        status, _, headers = post(f"{url}/chat/completions", CHAT, key=None)
        assert status == 401 and headers["x-stand-in"] == "openai"
        assert post(f"{url}/chat/completions", {"model": "m"})[0] == 400


def test_empty_fault_sends_no_content():
    with FakeOpenAI(faults=["empty"], fail_first=1) as fake:
        contents = set()
        for i in range(12):
            chat = {**CHAT, "messages": [{"role": "user", "content": f"kettle {i}"}]}
            status, body, _ = post(f"{fake.url}/chat/completions", chat)
            choice = body["choices"][0]
            assert status == 200 and choice["finish_reason"] == "length"
            contents.add(choice["message"]["content"])
        assert contents == {"", None}  # both an empty and a missing content


def test_an_account_out_of_credit_gets_insufficient_quota():
    with FakeOpenAI(quota_exhausted=True) as fake:
        status, body, _ = post(f"{fake.url}/chat/completions", CHAT)
        assert status == 429 and body["error"]["code"] == "insufficient_quota"


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
            assert response.headers["x-stand-in"] == "openai"
    finally:
        process.terminate()
        process.wait(timeout=5)
