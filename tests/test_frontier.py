"""The frontier client against the local OpenAI-compatible stand-in: cache, retries under every
fault, malformed replies, reasons per item, fail-fast, resume, cost. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from helpers.config import settings
from helpers.evaluation import Tester
from helpers.frontier import (
    FatalError,
    FrontierClient,
    FrontierError,
    GaveUp,
    ReplyCache,
    cache_key,
    cost,
    messages_for,
    retry_after_seconds,
)
from helpers.frontier.messages import message_tokens
from helpers.frontier.retries import RetryPolicy
from helpers.items import Item
from helpers.prompts import read_price
from standins.chat_pricer import answer_text, prompt_text
from standins.openai_server import FAULT_KINDS, FakeOpenAI

SECRET = "sk-test-SECRET-4242-do-not-print"


def make_items(n: int, start: int = 0) -> list[Item]:
    return [
        Item(
            title=f"Widget model {i}",
            category="Electronics",
            price=float(10 + 3 * i),
            text=f"Widget model {i}\nA sturdy widget, size {i % 7}, colour {i % 3}.",
            token_count=150,
        )
        for i in range(start, start + n)
    ]


def expected_price(item: Item, model: str = "gpt-4o-mini") -> float:
    """What the stand-in answers for this item, read the way the client reads it."""
    return read_price(answer_text(prompt_text(messages_for(item)), model))


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


# ---- requests ------------------------------------------------------------------------------


def test_openai_gets_max_completion_tokens_not_max_tokens(client_for, fake):
    client_for(cache=False)(make_items(1)[0])
    sent = fake.bodies[-1]
    assert sent["max_completion_tokens"] == 10 and "max_tokens" not in sent
    assert sent["seed"] == 42 and sent["messages"] == messages_for(make_items(1)[0])


# ---- cost ----------------------------------------------------------------------------------


def test_estimate_before_and_usage_after(client_for, fake):
    items = make_items(3)
    client = client_for()
    estimate = client.estimate(items)
    # Hand count: ceil(chars / 4) + 4 per message, + 3 per conversation; 6 output tokens each.
    prompt = sum(
        sum(math.ceil(len(m["content"]) / 4) + 4 for m in messages_for(i)) + 3 for i in items
    )
    assert prompt == sum(message_tokens(messages_for(i)) for i in items)
    assert (estimate.items, estimate.cached, estimate.prompt_tokens) == (3, 0, prompt)
    assert estimate.completion_tokens == 18
    assert estimate.dollars == pytest.approx((prompt * 0.15 + 18 * 0.60) / 1e6)
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


def test_stand_in_results_and_costs_say_so(client_for, fake, capsys):
    client = client_for(name="GPT-4o-mini")
    assert client.label == "GPT-4o-mini" and client.name == "GPT-4o-mini (stand-in)"
    assert "simulated (stand-in endpoint" in str(client.estimate(make_items(2)))
    client.predict_batch(make_items(2))
    assert client.usage.simulated
    client.print_usage()
    assert "simulated (stand-in endpoint: nothing was billed)" in capsys.readouterr().out
    report = Tester.test(client, make_items(2), record=False, show=False)
    assert report.name == "GPT-4o-mini (stand-in)"


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
    assert again.usage.simulated  # known from the cached entries, without a call
    other = client_for(params={"max_completion_tokens": 7})  # different parameters: a miss
    other.predict_batch(items[:2])
    assert fake.counts["chat"] == 22


def test_cache_files_are_whole_and_have_normal_modes(client_for, tmp_path):
    client_for().predict_batch(make_items(3))
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 3 and all(f.suffix == ".json" for f in files)
    umask = os.umask(0)
    os.umask(umask)
    assert {f.stat().st_mode & 0o777 for f in files} == {0o666 & ~umask}


def test_temporary_files_of_killed_writers_are_swept(client_for, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    orphan, fresh = folder / ".abc.json.1234.tmp", folder / ".def.json.5678.tmp"
    orphan.write_text("{half")
    fresh.write_text("{being written")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    client_for().predict_batch(make_items(1))
    assert not orphan.exists() and fresh.exists()  # a write in progress is left alone


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


def test_a_cached_empty_answer_from_an_older_version_is_asked_again(client_for, fake, tmp_path):
    items = make_items(2)
    client_for().predict_batch(items)
    stored = sorted((tmp_path / "cache").glob("*.json"))
    for path in stored:  # what the old client cached for an empty reply
        entry = json.loads(path.read_text())
        path.write_text(json.dumps({**entry, "reply": ""}))
    client = client_for()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert client.predict_batch(items) == [expected_price(i) for i in items]
    assert client.usage.calls == 2 and client.usage.corrupt_cache == 2


def test_a_cache_that_cannot_be_written_loses_no_answer(client_for, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("")
    client = client_for(cache=blocker / "cache")
    items = make_items(3)
    with pytest.warns(UserWarning, match="Could not cache a reply"):
        assert client.predict_batch(items) == [expected_price(i) for i in items]
    assert client.usage.calls == 3 and client.usage.corrupt_cache == 0


def test_concurrent_writers_leave_only_whole_files(client_for, fake, tmp_path):
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
    assert not client.failures
    # An empty reply is billed like any answer; the others never reached the model.
    assert client.usage.calls == (18 if fault == "empty" else 6)


def test_empty_replies_are_retried_and_never_cached(client_for, fake, tmp_path):
    fake.faults, fake.fail_first = ("empty",), 2
    client = client_for(max_retries=1)  # two attempts, both empty: the item fails
    [answer] = client.predict_batch(make_items(1))
    assert isinstance(answer, GaveUp)
    assert (
        str(answer)
        == "gave up after 2 attempts: empty reply (finish_reason 'length'; raise the token limit in params=)"
    )
    assert not list((tmp_path / "cache").glob("*.json"))  # nothing stored for it
    again = client_for()  # the third attempt at the server answers
    assert again.predict_batch(make_items(1)) == [expected_price(make_items(1)[0])]
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1


def test_a_reply_without_a_price_is_retried_and_its_reason_reaches_the_tester(client_for, fake):
    fake.unparsable_rate = 1.0  # every attempt answers in words
    items = make_items(3)
    client = client_for(max_retries=2)
    answers = client.predict_batch(items)
    assert fake.counts["chat"] == 9  # three attempts each
    for answer in answers:
        assert isinstance(answer, GaveUp) and answer.attempts == 3
        assert str(answer) == (
            "gave up after 3 attempts: reply had no price: "
            "'I cannot tell the price from this description.'"
        )
    assert client.usage.failures == 3 and client.usage.calls == 9
    with pytest.raises(FrontierError, match="reply had no price"):
        client(items[0])


def test_reasons_are_per_item_and_successes_are_floats(client_for, fake):
    fake.fault_rate, fake.faults = 0.5, ("500",)
    items = make_items(30)
    client = client_for(cache=False, max_retries=0)
    answers = client.predict_batch(items)
    failed = [i for i, a in enumerate(answers) if not isinstance(a, float)]
    assert 3 < len(failed) < 27
    assert all(answers[i] == expected_price(items[i]) for i in range(30) if i not in failed)
    assert all(str(answers[i]) == "gave up after 1 attempts: 500 server error" for i in failed)
    assert all(isinstance(answers[i], GaveUp) and answers[i].status == 500 for i in failed)
    assert not any(answers[i].fatal for i in failed)
    assert sorted(t for t, _ in client.failures) == sorted(items[i].title for i in failed)
    assert client.usage.failures == len(failed)


def test_retry_after_is_honoured(client_for, fake):
    fake.faults, fake.fail_first, fake.retry_after = ("429",), 1, 0.4
    client = client_for(cache=False, backoff=0.001)
    started = time.perf_counter()
    client(make_items(1)[0])
    elapsed = time.perf_counter() - started
    assert elapsed >= 0.4
    assert client.usage.waited >= 0.4


def test_rate_limits_that_never_end_give_up_with_the_reason(client_for, fake):
    fake.faults, fake.fail_first = ("429",), 99
    [answer] = client_for(cache=False, max_retries=4).predict_batch(make_items(1))
    assert str(answer) == "gave up after 5 attempts: 429 rate limited" and answer.status == 429


def test_retry_after_header_forms():
    assert retry_after_seconds({"retry-after-ms": "250"}) == pytest.approx(0.25)
    assert retry_after_seconds({"Retry-After": "3"}) == pytest.approx(3.0)
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 < retry_after_seconds({"Retry-After": format_datetime(later, usegmt=True)}) <= 30
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_grows_with_jitter_and_a_cap():
    policy = RetryPolicy(backoff=1.0, max_backoff=8.0)
    waits = [[policy.delay(RuntimeError(), attempt) for _ in range(200)] for attempt in range(5)]
    for attempt, samples in enumerate(waits):
        ceiling = min(8.0, 2.0**attempt)
        assert all(ceiling / 2 <= w <= ceiling for w in samples)
        assert len(set(samples)) > 100  # jittered, not in lockstep


def test_twenty_percent_faults_lose_no_item(client_for, fake):
    fake.fault_rate, fake.seed = 0.2, 7
    fake.faults = ("429", "500", "timeout", "malformed", "empty")
    items = make_items(250)
    client = client_for(cache=False, workers=16)
    answers = client.predict_batch(items)
    assert answers == [expected_price(i) for i in items]  # every item, in order
    assert client.usage.retries > 20 and client.usage.failures == 0
    assert sum(fake.counts[k] for k in FAULT_KINDS) == client.usage.retries
    assert fake.counts["empty"] > 0


# ---- fatal errors stop the run ---------------------------------------------------------------


def test_a_refused_key_stops_the_run_at_once(fake, client_for):
    fake.keys = {"the-right-key"}
    client = client_for(cache=False, workers=4)
    answers = client.predict_batch(make_items(40))
    assert all(isinstance(a, FatalError) and a.status == 401 and a.fatal for a in answers)
    assert str(answers[-1]).startswith("401 invalid API key: openai refused OPENAI_API_KEY")
    assert len({str(a) for a in answers}) == 1  # the same reason for every item
    assert len(fake.requests) <= 4 + 1  # the calls already in flight (and the name probe), no more
    later = client.predict_batch(make_items(10, start=40))  # the next Tester chunk: no calls
    assert len(fake.requests) <= 5 and all(isinstance(a, FatalError) for a in later)


def test_insufficient_quota_is_fatal_not_a_rate_limit(fake, client_for):
    fake.quota_exhausted = True
    answers = client_for(cache=False, workers=1).predict_batch(make_items(5))
    assert fake.counts["chat"] == 1
    assert all(str(a).startswith("429 insufficient quota") for a in answers)


def test_a_key_revoked_mid_run_stops_it_and_a_rerun_resumes_without_repaying(fake, client_for):
    items = make_items(30)
    first = client_for(workers=1)
    first.predict_batch(items[:12])  # 12 answered and cached
    fake.keys = {"the-new-key"}  # revoked: the rest of the run fails fast
    answers = first.predict_batch(items)
    assert answers[:12] == [expected_price(i) for i in items[:12]]  # from the cache
    assert all(isinstance(a, FatalError) for a in answers[12:])
    assert fake.counts["chat"] == 12
    fake.keys = None  # a working key again: resume
    resumed = client_for()
    assert resumed.predict_batch(items) == [expected_price(i) for i in items]
    assert fake.counts["chat"] == 30  # only the 18 missing items were paid for
    assert (resumed.usage.cached, resumed.usage.calls) == (12, 18)


def test_a_killed_run_resumes_without_repaying(fake, tmp_path):
    """Kill a real process halfway through 200 items; the rerun pays only for what is missing."""
    fake.latency = 0.05
    script = textwrap.dedent(
        f"""
        from helpers.frontier import FrontierClient
        from tests.test_frontier import make_items
        client = FrontierClient("gpt-4o-mini", base_url={fake.url!r}, api_key="k",
                                cache={str(tmp_path / "cache")!r}, workers=4)
        client.predict_batch(make_items(200))
        """
    )
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": repo}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=repo)
    deadline = time.time() + 60
    while len(list((tmp_path / "cache").glob("*.json"))) < 40 and time.time() < deadline:
        time.sleep(0.05)
    process.kill()
    process.wait()
    answered = len(list((tmp_path / "cache").glob("*.json")))
    assert 40 <= answered < 200
    before = fake.counts["chat"]
    client = FrontierClient("gpt-4o-mini", base_url=fake.url, api_key="k", cache=tmp_path / "cache")
    fake.latency = 0.0
    assert client.predict_batch(make_items(200)) == [expected_price(i) for i in make_items(200)]
    assert client.usage.cached == answered and client.usage.calls == 200 - answered
    assert fake.counts["chat"] - before == 200 - answered


def test_concurrency_keeps_order_and_saves_time(client_for, fake):
    fake.latency = 0.1
    items = make_items(32)
    client = client_for(cache=False, workers=16)
    started = time.perf_counter()
    prices = client.predict_batch(items)
    elapsed = time.perf_counter() - started
    assert prices == [expected_price(i) for i in items]
    assert elapsed < 1.6  # one at a time would take 3.2 s
