"""Notebook check: nothing in a notebook looks like an API key or a token."""

from __future__ import annotations

import json
import re

from .notebooks import Problem, cell_source

# Secrets: (what it looks like, pattern). Order matters: the first pattern that matches wins.
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an Anthropic API key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("an OpenAI API key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("a Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    (
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    ),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "a JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    ),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{30,}=*")),
    (
        "a hard-coded key or token",
        re.compile(
            r"""(?i)\b(?:api_?key|access_?token|auth_?token|secret(?:_?key)?|password|token)\b"""
            r"""\s*[:=]\s*["']([A-Za-z0-9_\-./+]{24,})["']"""
        ),
    ),
)
# A match containing one of these is a placeholder, not a secret ("sk-test-...", "hf_xxxx...").
DUMMY_MARKERS = (
    "test",
    "dummy",
    "fake",
    "example",
    "placeholder",
    "your",
    "local",
    "xxxx",
    "redacted",
)


def _is_dummy(text: str) -> bool:
    lowered = text.lower()
    if any(marker in lowered for marker in DUMMY_MARKERS):
        return True
    body = re.sub(r"^(sk-(ant-|proj-)?|hf_|AIza|gh[pousr]_|Bearer\s+)", "", text)
    return len(set(body)) < 6  # "sk-000000...", "hf_aaaa...": clearly not random


def redact(secret: str) -> str:
    """Enough of a secret to find it in the file, never enough to use it."""
    return f"{secret[:6]}… ({len(secret)} chars)"


def find_secrets(text: str) -> list[tuple[str, str]]:
    """(kind, matched text) for every key- or token-like string in ``text`` that is not an
    obvious placeholder."""
    found = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in SECRET_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span(1) if match.groups() else match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            secret = text[span[0] : span[1]]
            if _is_dummy(secret):
                continue
            taken.append(span)
            found.append((kind, secret))
    return found


def check_secrets(nb: dict, name: str = "notebook") -> list[Problem]:
    """Nothing in sources, outputs or metadata looks like an API key or token."""
    problems = []

    def report(text: str, cell: int | None) -> None:
        for kind, secret in find_secrets(text):
            problems.append(
                Problem(
                    name,
                    "secrets",
                    f"looks like {kind} ({redact(secret)}): delete it, revoke it if it was real, "
                    "and read keys from the environment (Colab secrets or a .env file)",
                    cell,
                )
            )

    report(json.dumps(nb.get("metadata", {})), None)
    for index, cell in enumerate(nb.get("cells", [])):
        report(cell_source(cell), index)
        rest = {k: cell.get(k) for k in ("outputs", "attachments", "metadata") if cell.get(k)}
        if rest:
            report(json.dumps(rest), index)
    return problems
