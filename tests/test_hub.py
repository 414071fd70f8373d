"""Hub errors sorted by exception type, each with its own fix; the learner's account and repos.

Every case is produced for real by the Hub stand-in (gated repository, refused token, missing
repository, read-only token), through the same client calls the notebooks make.
"""

import json
import os
import subprocess
import sys

import pytest

from helpers import hub
from helpers.config import BASE_MODEL
from helpers.tokenizer import load_tokenizer
from standins.world import LEARNER, LEARNER_READ_TOKEN, STRANGER_TOKEN


@pytest.fixture
def token(monkeypatch):
    """Set HF_TOKEN for one test (None: no token at all)."""

    def use(value):
        if value is None:
            monkeypatch.delenv("HF_TOKEN", raising=False)
        else:
            monkeypatch.setenv("HF_TOKEN", value)

    return use


def test_the_learners_token_opens_the_gated_model_and_names_the_account():
    assert hub.hub_user() == LEARNER and hub.can_write()
    tokenizer = load_tokenizer()
    assert len(tokenizer) >= 128_256
    assert all(len(tokenizer.encode(str(n), add_special_tokens=False)) == 1 for n in range(1000))


PROBE = """
import json
from helpers.tokenizer import load_tokenizer
try:
    load_tokenizer("meta-llama/Llama-3.1-8B")
    print(json.dumps(["loaded", ""]))
except Exception as error:
    print(json.dumps([type(error).__name__, str(error)]))
"""


def fresh_runtime(tmp_path, token):
    """Load the gated tokenizer in a new process with an empty Hub cache (as on a new runtime:
    with a cached copy, huggingface_hub quietly falls back to it whatever the Hub answers)."""
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env["HF_HOME"] = str(tmp_path / "hf-home")
    if token is not None:
        env["HF_TOKEN"] = token
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    kind, message = json.loads(done.stdout.strip().splitlines()[-1])
    return kind, message


def test_no_token_on_a_gated_model_gives_the_licence_and_token_steps(tmp_path):
    kind, message = fresh_runtime(tmp_path, None)
    assert kind == "GatedModelError"
    assert "accept the licence" in message and "HF_TOKEN" in message and BASE_MODEL in message


def test_a_token_without_the_licence_is_told_to_accept_it(tmp_path):
    kind, message = fresh_runtime(tmp_path, STRANGER_TOKEN)
    assert kind == "GatedModelError"
    assert "no access to meta-llama/Llama-3.1-8B yet" in message


def test_a_bad_token_says_the_token_is_invalid_not_the_licence(tmp_path, token):
    kind, message = fresh_runtime(tmp_path, "hf_this_token_was_revoked")
    assert kind == "BadTokenError"
    assert "invalid, revoked or expired" in message and "not about the licence" in message
    token("hf_this_token_was_revoked")
    with pytest.raises(hub.BadTokenError):
        hub.hub_user()


def test_a_missing_repository_is_missing_with_the_hint():
    with pytest.raises(hub.RepoMissingError, match="not found.*notebook 08"):
        with hub.friendly_hub_errors("learner/no-such-model", "Run notebook 08 first."):
            hub.list_files("learner/no-such-model", repo_type="model")


def test_a_read_token_cannot_push(token):
    token(LEARNER_READ_TOKEN)
    assert hub.hub_user() == LEARNER and not hub.can_write()
    with pytest.raises(hub.NoWriteAccessError, match="write"):
        hub.push_files("learner/read-only-attempt", {"a.txt": b"a"}, "should not land")


def test_one_push_is_one_commit_with_every_file():
    repo = "learner/one-commit"
    first = hub.push_files(repo, {"data/a.txt": b"1", "data/b.txt": b"2"}, "two files")
    assert hub.head_revision(repo) == first
    assert {"data/a.txt", "data/b.txt"} <= set(hub.list_files(repo))
    assert hub.pull_file(repo, "data/b.txt", revision=first).read_bytes() == b"2"


def test_unreachable_and_not_cached_is_offline_not_missing(tmp_path):
    from huggingface_hub import hf_hub_download
    from transformers import AutoTokenizer

    # What a download raises with no network and an empty cache (LocalEntryNotFoundError, a
    # subclass of EntryNotFoundError), directly and wrapped in transformers' OSError.
    with pytest.raises(hub.HubOfflineError, match="Could not reach"):
        with hub.friendly_hub_errors("meta-llama/Llama-3.1-8B"):
            hf_hub_download(
                "meta-llama/Llama-3.1-8B", "config.json", cache_dir=tmp_path, local_files_only=True
            )
    with pytest.raises(hub.HubOfflineError, match="Could not reach"):
        with hub.friendly_hub_errors("meta-llama/Llama-3.1-8B"):
            AutoTokenizer.from_pretrained(
                "meta-llama/Llama-3.1-8B", cache_dir=tmp_path, local_files_only=True
            )


def test_offline_is_reported_as_offline(monkeypatch):
    from huggingface_hub import HfApi

    with pytest.raises(hub.HubOfflineError, match="Could not reach"):
        with hub.friendly_hub_errors("meta-llama/Llama-3.1-8B"):
            HfApi(endpoint="http://127.0.0.1:9").model_info("meta-llama/Llama-3.1-8B")
