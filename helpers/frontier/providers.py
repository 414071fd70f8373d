"""Where each provider's models live, what each endpoint expects, and where its key comes from.

Every provider the course uses speaks the OpenAI chat API at some base URL, so a provider is
a preset: a default base URL (``<NAME>_BASE_URL`` overrides it), the variable holding its
key, a modest default concurrency, and the request parameters its endpoint expects:

- OpenAI: ``max_completion_tokens`` (``max_tokens`` is deprecated, and refused by its
  reasoning models) and a ``seed``.
- Anthropic's OpenAI-compatible endpoint accepts ``max_completion_tokens`` (and ignores
  ``seed``, so none is sent). Source: Anthropic's "OpenAI SDK compatibility" page.
- Gemini's OpenAI-compatible endpoint takes ``max_tokens``; its 2.5 models think before they
  answer and the thinking counts against that limit, so ``reasoning_effort="none"`` turns
  thinking off (Flash models; Pro models cannot turn it off: pass ``params=`` with a larger
  limit). Source: Google's "OpenAI compatibility" page for the Gemini API.
- Ollama (local, free): ``max_tokens`` and a ``seed``.

Keys are found by `helpers.secrets` (environment, a ``.env`` file at the course root, Colab
secrets) and handed to the ``openai`` SDK, nowhere else: never printed, never cached.

Introduced in notebooks/05_frontier_models.ipynb.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..secrets import find_secret
from .errors import MissingKeyError


@dataclass(frozen=True)
class Provider:
    """Where a family of models lives and which variables configure it.

    Used by `helpers.frontier`.
    """

    name: str
    base_url: str  # the default endpoint; <URL_ENV> overrides it
    key_env: str | None  # variable holding the key; None: no key needed (local server)
    url_env: str
    workers: int  # default concurrent calls, modest enough for a new account's rate limit
    params: Mapping[str, Any] = field(default_factory=dict)  # sent with every request
    free: bool = False  # runs on your own machine: no bill
    keys_page: str = ""
    prices_id: str | None = None  # the provider's id in the genai-prices tables


PROVIDERS: dict[str, Provider] = {
    "openai": Provider(
        name="openai",
        base_url="https://api.openai.com/v1",
        key_env="OPENAI_API_KEY",
        url_env="OPENAI_BASE_URL",
        workers=16,
        params={"max_completion_tokens": 10, "seed": 42},
        keys_page="https://platform.openai.com/api-keys",
        prices_id="openai",
    ),
    "anthropic": Provider(
        name="anthropic",
        base_url="https://api.anthropic.com/v1/",
        key_env="ANTHROPIC_API_KEY",
        url_env="ANTHROPIC_BASE_URL",
        workers=8,
        params={"max_completion_tokens": 10},
        keys_page="https://console.anthropic.com/settings/keys",
        prices_id="anthropic",
    ),
    "gemini": Provider(
        name="gemini",
        base_url="https://generativelanguage.googleapis.com/v1beta/openai/",
        key_env="GEMINI_API_KEY",
        url_env="GEMINI_BASE_URL",
        workers=8,
        params={"max_tokens": 10, "reasoning_effort": "none"},
        keys_page="https://aistudio.google.com/apikey",
        prices_id="google",
    ),
    "ollama": Provider(
        name="ollama",
        base_url="http://localhost:11434/v1",
        key_env=None,
        url_env="OLLAMA_BASE_URL",
        workers=2,
        params={"max_tokens": 10, "seed": 42},
        free=True,
    ),
}


def provider_for(model: str) -> str:
    """The preset a model name suggests: claude-* -> anthropic, gemini-* -> gemini, else openai.

    Used by `helpers.frontier` and `helpers.frontier.client`.
    """
    lowered = model.lower()
    if lowered.startswith("claude"):
        return "anthropic"
    if lowered.startswith("gemini"):
        return "gemini"
    return "openai"


def preset(provider: str) -> Provider:
    """The named preset, or an error listing the known ones. Introduced in notebooks/05_frontier_models.ipynb."""
    if provider not in PROVIDERS:
        raise ValueError(f"Unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
    return PROVIDERS[provider]


def base_url_for(provider: str) -> str:
    """The provider's endpoint: ``<NAME>_BASE_URL`` if set anywhere secrets are found, else the default.

    Used by `helpers.frontier.client`.
    """
    chosen = preset(provider)
    return find_secret(chosen.url_env)[0] or chosen.base_url


def how_to_set_key(variable: str = "OPENAI_API_KEY") -> str:
    """The three ways to give the course a key, for the message a learner sees without one.

    Used within `helpers.frontier.providers`.
    """
    pages = ", ".join(p.keys_page for p in PROVIDERS.values() if p.keys_page)
    return (
        f"To run the paid cells, give the course your key in one of three ways (never paste a key "
        f"into a notebook cell, where it would be saved):\n"
        f"  1. a file named .env in the course folder with the line  {variable}=<your key>\n"
        f"  2. an environment variable, set before starting Jupyter:  export {variable}=<your key>\n"
        f"  3. on Colab: the key icon (Secrets) -> add {variable}, and allow this notebook access\n"
        f"Then restart the kernel and run again. Keys are made at: {pages}"
    )


def api_key_for(provider: str) -> str:
    """The provider's key, or a `MissingKeyError` that says where we looked and how to set it.

    Used by `helpers.frontier.client`.
    """
    chosen = preset(provider)
    if chosen.key_env is None:
        return "local"  # the SDK insists on some key; a local server ignores it
    key = find_secret(chosen.key_env)[0]
    if key is None:
        raise MissingKeyError(
            f"No {chosen.key_env} found for {chosen.name} (looked in the environment, a .env "
            f"file and Colab secrets).\n{how_to_set_key(chosen.key_env)}"
        )
    return key


@dataclass(frozen=True)
class KeyStatus:
    """Whether a provider's key was found, and where (never the key itself).

    Used within `helpers.frontier.providers`.
    """

    provider: str
    variable: str | None
    found: bool
    source: str | None
    base_url: str

    def __str__(self) -> str:
        if self.variable is None:
            return f"[OK]      {self.provider}: no key needed; endpoint {self.base_url}"
        if self.found:
            return f"[OK]      {self.provider}: {self.variable} found ({self.source}); endpoint {self.base_url}"
        return f"[MISSING] {self.provider}: {self.variable} not set; its cells will be skipped"


def key_status(provider: str) -> KeyStatus:
    """Is there a key for ``provider``? Looks where the client looks; reveals nothing of it.

    Used by `helpers.frontier`.
    """
    chosen = preset(provider)
    url = base_url_for(provider)
    if chosen.key_env is None:
        return KeyStatus(provider, None, True, None, url)
    value, source = find_secret(chosen.key_env)
    return KeyStatus(provider, chosen.key_env, value is not None, source, url)


def check_keys(providers: Iterable[str] = ("openai", "anthropic")) -> dict[str, bool]:
    """Print one line per provider (found, or how to set it); return provider -> found.

    Introduced in notebooks/05_frontier_models.ipynb.
    """
    statuses = [key_status(name) for name in providers]
    for status in statuses:
        print(status)
    missing = [s.variable for s in statuses if not s.found and s.variable]
    if missing:
        print()
        print(how_to_set_key(missing[0]))
    return {s.provider: s.found for s in statuses}


def openai_client(
    provider: str = "openai",
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    max_retries: int = 5,
    timeout: float = 60.0,
):
    """The ``openai`` SDK client for a preset (key and URL found as the FrontierClient finds them).

    Used directly for files and fine-tuning jobs, where the SDK's own retries are enough.
    Introduced in notebooks/06_frontier_fine_tuning.ipynb.
    """
    from openai import OpenAI

    url = base_url or base_url_for(provider)
    key = api_key or api_key_for(provider)
    return OpenAI(api_key=key, base_url=url, max_retries=max_retries, timeout=timeout)
