"""The frontier client against the local OpenAI-compatible server: parsing, prompts, cache,
retries under every fault, cost, keys, and the fine-tuning helpers. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import math
import time
import warnings
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from helpers.config import settings
from helpers.frontier import (
    SYSTEM_PROMPT,
    FrontierClient,
    FrontierError,
    MissingKeyError,
    ReplyCache,
    cache_key,
    check_keys,
    cost,
    key_status,
    lookup,
    messages_for,
    openai_client,
    parse_price,
    provider_for,
    retry_after_seconds,
    usage_table,
    user_prompt,
)
from helpers.frontier_tuning import (
    check_jsonl,
    job_events,
    start_job,
    training_cost,
    training_losses,
    training_messages,
    upload,
    wait_for_job,
    write_jsonl,
)
from helpers.items import Item
from helpers.testing import Tester
from standins.openai_server import FAULT_KINDS, FakeOpenAI, fake_reply

SECRET = "sk-test-SECRET-4242-do-not-print"


def make_items(n: int) -> list[Item]:
    return [
        Item(
            title=f"Widget model {i}",
            category="Electronics",
            price=float(10 + 3 * i),
            text=f"Widget model {i}\nA sturdy widget, size {i % 7}, colour {i % 3}.",
            token_count=150,
        )
        for i in range(n)
    ]


def expected_price(item: Item, model: str = "gpt-4o-mini") -> float:
    return parse_price(fake_reply(user_prompt(item), model))


@pytest.fixture
def fake():
    with FakeOpenAI(retry_after=0.05, hang=2.0) as server:
        yield server


@pytest.fixture
def client_for(fake, tmp_path):
    """A factory of clients on the local server with quick timeouts and backoff."""

    def make(model: str = "gpt-4o-mini", **options) -> FrontierClient:
        settings_ = dict(
            base_url=fake.url,
            api_key=SECRET,
            cache=tmp_path / "cache",
            timeout=0.5,
            backoff=0.01,
            max_backoff=0.05,
        )
        settings_.update(options)
        return FrontierClient(model, **settings_)

    return make


# ---- prompts and parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "price"),
    [
        ("$1,299.99", 1299.99),
        ("Price is $99", 99.0),
        ("about 45 dollars", 45.0),
        ("45.50", 45.5),
        ("$ 12,000", 12000.0),
        ("It costs $.99, or 2 for $1.50", 0.99),
        ("Price is $349.00\n", 349.0),
    ],
)
def test_parse_price_takes_the_first_number(reply, price):
    assert parse_price(reply) == pytest.approx(price)


@pytest.mark.parametrize("reply", ["", None, "I cannot tell", "Price is $"])
def test_parse_price_without_a_number_is_none(reply):
    assert parse_price(reply) is None


def test_messages_drop_the_nearest_dollar_and_the_price_prefix():
    item = make_items(1)[0]
    messages = messages_for(item)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == SYSTEM_PROMPT
    assert messages[1]["content"] == f"How much does this cost?\n\n{item.text}"
    assert "nearest dollar" not in messages[1]["content"]
    assert not messages[1]["content"].endswith("Price is $")


def test_training_messages_end_with_the_answer():
    item = make_items(2)[1]
    messages = training_messages(item)
    assert messages[:2] == messages_for(item)
    assert messages[2] == {"role": "assistant", "content": "Price is $13.00"}


def test_provider_is_guessed_from_the_model_name():
    assert provider_for("gpt-4o-mini") == "openai"
    assert provider_for("ft:gpt-4o-mini-2024-07-18:personal:pricer:abc") == "openai"
    assert provider_for("claude-sonnet-4-5") == "anthropic"
    assert provider_for("gemini-2.5-flash") == "gemini"


# ---- cost ----------------------------------------------------------------------------------


def test_cost_uses_the_longest_matching_price():
    assert cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.15 + 0.60)
    assert cost("gpt-4o-mini-2024-07-18", 2_000_000, 0) == pytest.approx(0.30)
    assert cost("gpt-4o", 1_000_000, 100_000) == pytest.approx(2.50 + 1.00)
    assert cost(
        "ft:gpt-4o-mini-2024-07-18:personal:pricer:x", 1_000_000, 1_000_000
    ) == pytest.approx(1.50)
    assert cost("claude-sonnet-4-5", 1_000_000, 0) == pytest.approx(3.00)
    assert cost("some-unknown-model", 10, 10) is None
    assert cost("some-unknown-model", 10, 10, free=True) == 0.0
    assert training_cost(200_000, "gpt-4o-mini-2024-07-18", epochs=2) == pytest.approx(1.20)


def test_estimate_before_and_usage_after(client_for, fake):
    items = make_items(3)
    client = client_for()
    estimate = client.estimate(items)
    # Hand count: ceil(chars / 4) + 4 per message, + 3 per conversation; 6 output tokens each.
    prompt = sum(
        sum(math.ceil(len(m["content"]) / 4) + 4 for m in messages_for(i)) + 3 for i in items
    )
    assert (estimate.items, estimate.cached, estimate.prompt_tokens) == (3, 0, prompt)
    assert estimate.completion_tokens == 18
    assert estimate.dollars == pytest.approx(cost("gpt-4o-mini", prompt, 18))
    assert "expected cost $" in str(estimate)

    replies = [client.complete(messages_for(i)) for i in items]
    usage = client.usage
    assert usage.calls == 3 and usage.cached == 0
    assert usage.prompt_tokens == sum(r.prompt_tokens for r in replies) > 0
    assert usage.completion_tokens == sum(r.completion_tokens for r in replies) > 0
    assert usage.dollars == pytest.approx(
        cost("gpt-4o-mini", usage.prompt_tokens, usage.completion_tokens)
    )
    assert client.estimate(items).cached == 3 and client.estimate(items).dollars == 0


# ---- cache -----------------------------------------------------------------------------------


def test_cache_key_depends_on_what_determines_the_reply():
    messages = [{"role": "user", "content": "hello"}]
    base = cache_key("http://x/v1/", "m", messages, {"max_tokens": 5})
    assert base == cache_key("http://x/v1", "m", messages, {"max_tokens": 5})
    assert base != cache_key("http://y/v1", "m", messages, {"max_tokens": 5})
    assert base != cache_key("http://x/v1", "n", messages, {"max_tokens": 5})
    assert base != cache_key(
        "http://x/v1", "m", [{"role": "user", "content": "hi"}], {"max_tokens": 5}
    )
    assert base != cache_key("http://x/v1", "m", messages, {"max_tokens": 6})


def test_default_cache_lives_under_the_mode_root():
    assert ReplyCache().directory == settings().root / "cache" / "frontier"


def test_cache_hit_costs_nothing(client_for, fake):
    items = make_items(20)
    first = client_for()
    prices = first.predict_batch(items)
    assert fake.counts["chat"] == 20
    again = client_for()
    assert again.predict_batch(items) == prices
    assert fake.counts["chat"] == 20  # not one more request
    assert (again.usage.calls, again.usage.cached, again.usage.dollars) == (0, 20, 0)
    other = client_for(params={"max_tokens": 7})  # different parameters: a miss
    other.predict_batch(items[:2])
    assert fake.counts["chat"] == 22


def test_corrupt_cache_entry_is_refetched_not_fatal(client_for, fake, tmp_path):
    items = make_items(3)
    client_for().predict_batch(items)
    files = sorted((tmp_path / "cache").glob("*.json"))
    assert len(files) == 3
    files[0].write_text('{"reply": "$12', encoding="utf-8")  # a torn write
    files[1].write_text('["valid JSON, wrong shape"]', encoding="utf-8")
    client = client_for()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prices = client.predict_batch(items)
    assert prices == [expected_price(i) for i in items]
    assert client.usage.corrupt_cache == 2 and client.usage.calls == 2 and client.usage.cached == 1
    assert sum("corrupt cache entry" in str(w.message) for w in caught) == 2
    assert all(json.loads(f.read_text())["reply"] for f in files)  # repaired


def test_concurrent_writers_leave_only_whole_files(client_for, fake, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    items = make_items(40)
    clients = [client_for(cache=tmp_path / "shared", workers=8) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda c: c.predict_batch(items), clients))
    assert results[0] == results[1] == results[2]
    files = list((tmp_path / "shared").iterdir())
    assert len(files) == 40 and all(f.suffix == ".json" for f in files)
    assert all(isinstance(json.loads(f.read_text())["reply"], str) for f in files)


# ---- retries and faults ----------------------------------------------------------------------


@pytest.mark.parametrize("fault", FAULT_KINDS)
def test_each_fault_is_retried_until_it_succeeds(client_for, fake, fault):
    fake.faults, fake.fail_first = (fault,), 2
    items = make_items(6)
    client = client_for(cache=False)
    assert client.predict_batch(items) == [expected_price(i) for i in items]
    assert client.usage.retries == 12
    assert fake.counts[fault] == 12
    assert client.usage.calls == 6 and not client.failures


def test_retry_after_is_honoured(client_for, fake):
    fake.faults, fake.fail_first, fake.retry_after = ("429",), 1, 0.4
    client = client_for(cache=False, backoff=0.001)
    started = time.perf_counter()
    client(make_items(1)[0])
    elapsed = time.perf_counter() - started
    assert elapsed >= 0.4
    assert client.usage.waited >= 0.4


def test_retry_after_header_forms():
    assert retry_after_seconds({"retry-after-ms": "250"}) == pytest.approx(0.25)
    assert retry_after_seconds({"Retry-After": "3"}) == pytest.approx(3.0)
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    assert 25 < retry_after_seconds({"Retry-After": format_datetime(later, usegmt=True)}) <= 30
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_grows_with_jitter_and_a_cap(client_for):
    client = client_for(backoff=1.0, max_backoff=8.0)
    waits = [[client._wait(RuntimeError(), attempt) for _ in range(200)] for attempt in range(5)]
    for attempt, samples in enumerate(waits):
        ceiling = min(8.0, 2.0**attempt)
        assert all(ceiling / 2 <= w <= ceiling for w in samples)
        assert len(set(samples)) > 100  # jittered, not in lockstep


def test_twenty_percent_faults_lose_no_item(client_for, fake):
    fake.fault_rate, fake.seed = 0.2, 7
    items = make_items(250)
    client = client_for(cache=False, workers=16)
    report = Tester.test(client, items, name="faulty", record=False, show=False)
    assert report.failures == []
    assert report.guesses == [expected_price(i) for i in items]  # every item, in order
    assert client.usage.calls == 250 and client.usage.retries > 20
    assert sum(fake.counts[k] for k in FAULT_KINDS) == client.usage.retries


def test_items_that_keep_failing_are_reported_and_the_rest_finish(client_for, fake):
    fake.fault_rate, fake.faults = 0.5, ("500",)
    items = make_items(30)
    client = client_for(cache=False, max_retries=0)
    prices = client.predict_batch(items)
    failed = [i for i, p in enumerate(prices) if p is None]
    assert 3 < len(failed) < 27
    assert all(prices[i] == expected_price(items[i]) for i in range(30) if i not in failed)
    assert sorted(t for t, _ in client.failures) == sorted(items[i].title for i in failed)
    assert all("gave up after 1 attempts; last: HTTP 500" in why for _, why in client.failures)
    assert client.usage.failures == len(failed)


def test_unparsable_reply_is_a_failure_the_tester_counts(client_for, fake):
    fake.unparsable_rate = 1.0
    items = make_items(4)
    client = client_for()
    report = Tester.test(client, items, record=False, show=False)
    assert len(report.failures) == 4 and report.guesses == [0.0] * 4
    assert all("no price in the reply" in why for _, why in client.failures)
    with pytest.raises(FrontierError, match="no price"):
        client(items[0])


def test_a_refused_key_stops_the_run_quickly(fake, client_for):
    fake.keys = {"the-right-key"}
    client = client_for(cache=False, workers=4)
    prices = client.predict_batch(make_items(40))
    assert prices == [None] * 40
    assert fake.counts["chat"] == 0  # refused before the chat endpoint
    assert len(fake.requests) <= 8  # a few in flight, then nobody asks again
    assert "refused the key" in client.failures[0][1] and "OPENAI_API_KEY" in client.failures[0][1]


def test_concurrency_keeps_order_and_saves_time(client_for, fake):
    fake.latency = 0.1
    items = make_items(32)
    client = client_for(cache=False, workers=16)
    started = time.perf_counter()
    prices = client.predict_batch(items)
    elapsed = time.perf_counter() - started
    assert prices == [expected_price(i) for i in items]
    assert elapsed < 1.6  # one at a time would take 3.2 s


# ---- keys --------------------------------------------------------------------------------------


def test_missing_key_explains_how_to_set_one(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # no .env above a fresh temporary folder
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingKeyError, match="ANTHROPIC_API_KEY") as raised:
        FrontierClient("claude-sonnet-4-5")
    assert ".env" in str(raised.value) and "Colab" in str(raised.value)
    assert not key_status("anthropic").found
    found = check_keys(["anthropic", "ollama"])
    assert found == {"anthropic": False, "ollama": True}
    out = capsys.readouterr().out
    assert "[MISSING] anthropic" in out and "ANTHROPIC_API_KEY=<your key>" in out


def test_key_and_endpoint_from_a_dotenv_file(monkeypatch, tmp_path, fake):
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={SECRET}\nOPENAI_BASE_URL={fake.url}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert lookup("OPENAI_API_KEY") == (SECRET, ".env file")
    assert key_status("openai").source == ".env file"
    client = FrontierClient("gpt-4o-mini", cache=tmp_path / "cache")
    item = make_items(1)[0]
    assert client(item) == expected_price(item)
    assert fake.requests[-1][2]["authorization"] == f"Bearer {SECRET}"


def test_the_key_never_reaches_output_or_cache(monkeypatch, tmp_path, fake, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    fake.faults, fake.fail_first = ("429",), 1
    client = FrontierClient("gpt-4o-mini", cache=tmp_path / "cache", backoff=0.01)
    items = make_items(5)
    print(client, client.estimate(items), key_status("openai"))
    check_keys(["openai"])
    Tester.test(client, items, record=True, leaderboard=tmp_path / "board.json")
    client.print_usage()
    print(usage_table([client]).to_string())
    captured = capsys.readouterr()
    assert "[OK]      openai: OPENAI_API_KEY found (environment)" in captured.out
    assert SECRET not in captured.out and SECRET not in captured.err
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 6 and not any(SECRET in text for text in written)
    assert fake.requests[-1][2]["authorization"] == f"Bearer {SECRET}"  # it was used, though


# ---- fine-tuning --------------------------------------------------------------------------------


def test_jsonl_written_and_checked(tmp_path):
    path = write_jsonl(make_items(12), tmp_path / "ft" / "train.jsonl")
    lines = path.read_text().splitlines()
    assert len(lines) == 12
    assert json.loads(lines[0])["messages"][-1] == {
        "role": "assistant",
        "content": "Price is $10.00",
    }
    check = check_jsonl(path)
    assert check.ok and check.examples == 12 and check.tokens > check.assistant_tokens > 0
    assert "format OK" in str(check)


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
    for status in ("validating_files", "queued", "running", "succeeded"):
        assert status in out or status == "validating_files"
    assert "Step 20/20" in out and SECRET not in out

    losses = training_losses(job_events(client, job.id))
    assert [step for step, _ in losses] == list(range(1, 21))
    assert losses[-1][1] < losses[0][1]

    tuned = FrontierClient(
        finished.fine_tuned_model, base_url=fake.url, api_key=SECRET, cache=False
    )
    reply = tuned.complete(messages_for(items[0]))
    assert reply.text.startswith("Price is $") and tuned(items[0]) == parse_price(reply.text)


def test_a_job_with_a_bad_file_fails_with_the_reason(fake, tmp_path):
    client = openai_client(base_url=fake.url, api_key=SECRET)
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "no answer"}]}\n' * 10)
    job = start_job(client, upload(client, path))
    with pytest.raises(RuntimeError, match="failed: .*no assistant message"):
        wait_for_job(client, job.id, first_poll=0.01, show=False)
