"""Results: one file per model, locally and on the Hub stand-in; bad runs kept apart; no lost writes."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import hub
from helpers.config import DATA_REPO
from helpers.results import MAX_FAILURE_SHARE, Result, latest, load_results, record, slug


def result(name, guesses, truths=None, recorded=None, reasons=None):
    truths = truths or [100.0] * len(guesses)
    extra = {"recorded": recorded} if recorded else {}
    return Result(name=name, truths=truths, guesses=guesses, reasons=reasons or [], **extra)


def test_metrics_cover_answered_items_and_report_coverage():
    r = result("m", [110.0, None, 90.0, None], reasons=[None, "timeout", None, "no price"])
    assert r.score.count == 2 and r.score.mae == pytest.approx(10.0)
    assert r.coverage == pytest.approx(0.5)
    assert r.failures == [(1, "timeout"), (3, "no price")]
    assert not r.trusted  # 50% unanswered is far above the threshold


def test_a_result_round_trips_through_its_parquet_file(tmp_path):
    r = result(
        "GPT-4o (stand-in)", [101.0, None], [100.0, 50.0], reasons=[None, "429 rate limited"]
    )
    path = tmp_path / "r.parquet"
    path.write_bytes(r.to_parquet())
    back = Result.from_parquet(path)
    assert (back.name, back.guesses, back.reasons, back.recorded) == (
        r.name,
        r.guesses,
        r.reasons,
        r.recorded,
    )
    assert oct(path.stat().st_mode & 0o777) != "0o600"


def test_slugs_are_file_names():
    assert slug("GPT-4o (stand-in)") == "gpt-4o-stand-in"
    assert slug("Llama 3.1 8B, QLoRA fine-tuned") == "llama-3-1-8b-qlora-fine-tuned"


def test_a_failed_run_is_kept_apart_and_never_replaces_a_good_result(tmp_path, capsys):
    good = result("GPT-4o", [100.0] * 10)
    record(good, tmp_path, push=False)
    revoked = result("GPT-4o", [None] * 10, reasons=["401 invalid API key"] * 10)
    path = record(revoked, tmp_path, push=False)
    assert path.parent.name == "failed"
    assert "Not recorded: GPT-4o answered 0%" in capsys.readouterr().out
    kept = load_results(tmp_path, hub=False)["GPT-4o"]
    assert kept.score.mae == 0 and kept.coverage == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_the_threshold_is_the_stated_share():
    n = 100
    just_ok = result(
        "a", [100.0] * (n - int(n * MAX_FAILURE_SHARE)) + [None] * int(n * MAX_FAILURE_SHARE)
    )
    too_many = result(
        "b",
        [100.0] * (n - int(n * MAX_FAILURE_SHARE) - 1) + [None] * (int(n * MAX_FAILURE_SHARE) + 1),
    )
    assert just_ok.trusted and not too_many.trusted


names = st.sampled_from(["A", "B", "C"])
stamps = st.integers(min_value=0, max_value=59).map(lambda s: f"2026-12-01T10:00:{s:02d}+00:00")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names, stamps, st.floats(1, 999)), min_size=1, max_size=12))
def test_merging_keeps_the_latest_result_of_each_model(entries):
    found = [result(name, [guess], recorded=stamp) for name, stamp, guess in entries]
    merged = latest(found)
    assert set(merged) == {name for name, _, _ in entries}
    for name, r in merged.items():
        newest = max(stamp for n, stamp, _ in entries if n == name)
        assert r.recorded == newest
        last_guess = [g for n, s, g in entries if n == name and s == newest][-1]
        assert r.guesses == [last_guess]  # a tie goes to the later record


def test_results_go_to_the_learners_hub_repo_and_come_back_in_a_fresh_runtime(tmp_path):
    record(result("Constant (train mean)", [80.0, 120.0], [100.0, 100.0]), tmp_path / "runtime-a")
    repo = hub.learner_repo(DATA_REPO)
    assert "results/constant-train-mean.parquet" in hub.list_files(repo)
    fresh = load_results(tmp_path / "runtime-b")  # an empty disk: everything comes from the Hub
    assert fresh["Constant (train mean)"].score.mae == pytest.approx(20.0)


WRITER = textwrap.dedent(
    """
    import sys
    from helpers.results import Result, record
    name, folder = sys.argv[1], sys.argv[2]
    for k in range(3):
        record(Result(name=f"{name} {k}", truths=[10.0], guesses=[10.0 + k]), folder)
    """
)


def test_two_runtimes_recording_at_once_lose_nothing(tmp_path):
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, who, str(tmp_path / who)], env=dict(os.environ)
        )
        for who in ("writer-a", "writer-b")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    names = set(load_results(tmp_path / "reader"))
    assert {f"writer-{w} {k}" for w in "ab" for k in range(3)} <= names


def test_without_a_write_token_results_stay_local_and_say_so(tmp_path, monkeypatch, capsys):
    from helpers import results
    from standins.world import LEARNER_READ_TOKEN

    monkeypatch.setenv("HF_TOKEN", LEARNER_READ_TOKEN)
    monkeypatch.setattr(results, "_told", set())
    path = record(result("Read-only model", [50.0]), tmp_path)
    assert path.exists()
    assert "read-only" in capsys.readouterr().out
    assert "results/read-only-model.parquet" not in hub.list_files(hub.learner_repo(DATA_REPO))


def test_summary_metadata_is_plain_json(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "x.parquet"
    path.write_bytes(result("x", [90.0, None], reasons=[None, "timeout"]).to_parquet())
    meta = json.loads(pq.read_schema(path).metadata[b"pricer"])
    assert meta["answered"] == 1 and meta["count"] == 2 and meta["coverage"] == 0.5
    assert Path(path).stat().st_size > 0


def test_a_revoked_key_run_does_not_replace_the_good_result(tmp_path, capsys):
    """End to end: the frontier client, the Tester and the results, with a key revoked between runs."""
    from helpers.evaluation import Tester
    from helpers.frontier import FrontierClient
    from standins.openai_server import FakeOpenAI

    items = [
        type(
            "Thing",
            (),
            {
                "title": f"Widget {n}",
                "category": "",
                "price": 20.0 + n,
                "text": f"Widget {n}",
                "test_prompt": f"How much does this cost to the nearest dollar?\n\nWidget {n}\n\nPrice is $",
            },
        )()
        for n in range(20)
    ]
    with FakeOpenAI(keys={"sk-good"}) as server:

        def client(key, cache):
            return FrontierClient(
                "gpt-4o-mini",
                name="GPT-4o-mini",
                base_url=server.url,
                api_key=key,
                cache=tmp_path / cache,
                timeout=2,
                backoff=0.01,
                max_backoff=0.05,
            )

        good = Tester.test(
            client("sk-good", "a"), items, results_dir=tmp_path / "results", show=False
        )
        assert good.coverage == 1
        server.keys = {"sk-new"}  # the learner's key was revoked
        revoked = Tester.test(
            client("sk-good", "b"), items, results_dir=tmp_path / "results", show=False
        )
    assert revoked.coverage == 0 and "401" in revoked.failures[0][1]
    assert revoked.name == good.name == "GPT-4o-mini (stand-in)"  # the refusal, too, says who answered
    assert f"Not recorded: {good.name} answered 0%" in capsys.readouterr().out
    kept = load_results(tmp_path / "results", hub=False)[good.name]
    assert kept.coverage == 1 and kept.score.mae == good.score.mae


def test_the_leaderboard_table_is_every_result_best_first_with_its_coverage():
    from helpers.leaderboard import COLUMNS, leaderboard_table

    partial = Result(name="Half answered", truths=[10.0, 20.0], guesses=[12.0, None])
    exact = Result(name="Exact", truths=[10.0, 20.0], guesses=[10.0, 20.0])
    table = leaderboard_table({r.name: r for r in (partial, exact)})
    assert list(table.columns) == COLUMNS
    assert list(table["model"]) == ["Exact", "Half answered"]
    assert table.loc[1, ["error", "answered", "count", "coverage"]].tolist() == [2.0, 1, 2, 0.5]
    assert leaderboard_table({}).empty
