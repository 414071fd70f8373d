"""Keys and endpoints come from helpers.secrets (environment, .env at the course root, Colab
secrets), are handed to the SDK only, and never reach output or the cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import secrets
from helpers.evaluation import Tester
from helpers.frontier import (
    FrontierClient,
    MissingKeyError,
    check_keys,
    key_status,
    messages_for,
    usage_table,
)
from helpers.items import Item
from helpers.paths import repo_root
from helpers.prompts import read_price
from standins.chat_pricer import answer_text, prompt_text

SECRET = "sk-test-SECRET-4242-do-not-print"
FRONTIER = Path(__file__).resolve().parent.parent / "helpers" / "frontier"

pytestmark = pytest.mark.skipif(
    (repo_root() / ".env").exists(), reason="a real .env at the course root would shadow these"
)


def item(i: int = 0) -> Item:
    return Item(f"Widget {i}", "Electronics", 10.0 + i, f"Widget {i}\nA sturdy widget.", 150)


def test_only_the_secrets_module_reads_keys():
    """No frontier module reads .env files, Colab secrets or key variables by itself."""
    for path in FRONTIER.glob("*.py"):
        source = path.read_text()
        assert not re.search(r"dotenv|google\.colab|userdata|os\.environ|getenv", source), path.name
    assert "from ..secrets import find_secret" in (FRONTIER / "providers.py").read_text()


def test_missing_key_explains_how_to_set_one(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)  # no .env here either
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert secrets.find_secret("ANTHROPIC_API_KEY") == (None, None)
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
    assert secrets.find_secret("OPENAI_API_KEY") == (SECRET, ".env file")
    assert key_status("openai").source == ".env file"
    assert key_status("openai").base_url == fake.url
    client = FrontierClient("gpt-4o-mini", cache=tmp_path / "cache")
    expected = read_price(answer_text(prompt_text(messages_for(item())), "gpt-4o-mini"))
    assert client(item()) == expected
    assert fake.requests[-1][2]["authorization"] == f"Bearer {SECRET}"


def test_the_environment_wins_over_a_dotenv_file(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=from-the-file\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "from-the-environment")
    assert key_status("openai").source == "environment"


def test_the_key_never_reaches_output_or_cache(monkeypatch, tmp_path, fake, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    fake.faults, fake.fail_first = ("429",), 1
    fake.retry_after = 0.01
    client = FrontierClient("gpt-4o-mini", cache=tmp_path / "cache", backoff=0.01)
    items = [item(i) for i in range(5)]
    print(client, client.estimate(items), key_status("openai"))
    check_keys(["openai"])
    Tester.test(client, items, record=False)
    client.print_usage()
    print(usage_table([client]).to_string())
    captured = capsys.readouterr()
    assert "[OK]      openai: OPENAI_API_KEY found (environment)" in captured.out
    assert SECRET not in captured.out and SECRET not in captured.err
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 5 and not any(SECRET in text for text in written)  # 5 cache entries
    assert fake.requests[-1][2]["authorization"] == f"Bearer {SECRET}"  # it was used, though
