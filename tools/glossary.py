"""The glossary's links: every notebook links a term to docs/glossary.md the first time it uses it.

    python -m tools.glossary            # exit 1, listing every unlinked first use or dead link

For each term in TERMS, the first place a notebook's markdown uses it (headings, code and the
navigation block aside, in reading order) must be a link to the term's entry in
docs/glossary.md, written absolute (`tools.navigation.glossary_url`) so it opens on Colab too.
Every link into the glossary must name an entry that exists (GitHub's anchor for a heading:
lower case, punctuation dropped, spaces as hyphens).

Each notebook is checked on its own: learners open them one at a time, on Colab, and the first
time a notebook says "NF4" is where a reader may need the word explained. A use inside a link
to another glossary entry ("[LoRA rank r and alpha](...)") is not counted as the term's use.
Introduced in README.md ("Glossary").
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from tools.navigation import NAV_END, NAV_START, glossary_url
from tools.notebooks import (
    NOTEBOOKS_DIR,
    REPO_ROOT,
    Problem,
    cells_of_type,
    course_notebooks,
    read_notebook,
)

GLOSSARY = REPO_ROOT / "docs" / "glossary.md"

# The terms every notebook must link on first use: glossary anchor -> what counts as a use.
# Acronyms are matched as written; words in any case, singular or plural.
TERMS: dict[str, re.Pattern[str]] = {
    "sle": re.compile(r"\bSLE\b"),
    "rmsle": re.compile(r"\bRMSLE\b"),
    "hits": re.compile(r"\bhits?\b|\bhit rate\b", re.I),
    "nf4": re.compile(r"\bNF4\b"),
    "qlora": re.compile(r"\bQLoRA\b"),
    "lora": re.compile(r"\bLoRA\b"),
    "lora-rank-r-and-alpha": re.compile(r"\balpha\b", re.I),
    "completion-only-loss": re.compile(r"\bcompletion[- ]only\b", re.I),
    "embedding": re.compile(r"\bembeddings?\b", re.I),
    "cosine-similarity": re.compile(r"\bcosine similarity\b", re.I),
    "vector-store": re.compile(r"\bvector stores?\b", re.I),
    "rag": re.compile(r"\bRAG\b|\bretrieval-augmented\b", re.I),
    "nnls": re.compile(r"\bNNLS\b|\bnon-negative least squares\b", re.I),
    "quantization": re.compile(r"\bquantiz(?:ation|ed|e|ing)\b", re.I),
    "compute-dtype": re.compile(r"\bcompute dtype\b", re.I),
    "checkpoint": re.compile(r"\bcheckpoints?\b", re.I),
    "adapter": re.compile(r"\badapters?\b", re.I),
}

_LINK_RE = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_GLOSSARY_LINK_RE = re.compile(r"docs/glossary\.md(?:#([a-z0-9_-]*))?$")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: "LoRA rank r and alpha" -> "lora-rank-r-and-alpha"."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def glossary_anchors(path: str | Path = GLOSSARY) -> set[str]:
    """Every heading's anchor in the glossary."""
    text = Path(path).read_text(encoding="utf-8")
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text, re.M)}


def _prose(markdown: str) -> str:
    """The markdown a reader reads as text: no navigation block, code, comments or headings."""
    markdown = re.sub(re.escape(NAV_START) + r".*?" + re.escape(NAV_END), "", markdown, flags=re.S)
    markdown = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    markdown = re.sub(r"```.*?```", "", markdown, flags=re.S)
    markdown = re.sub(r"`[^`\n]*`", "", markdown)
    return "\n".join(line for line in markdown.splitlines() if not re.match(r"\s*#{1,6}\s", line))


def pieces(markdown: str) -> list[tuple[str, str | None]]:
    """The prose as (text, link target or None) pieces in reading order; images left out."""
    prose = _prose(markdown)
    out: list[tuple[str, str | None]] = []
    start = 0
    for match in _LINK_RE.finditer(prose):
        out.append((prose[start : match.start()], None))
        if not match.group(1):  # a link, not an image
            out.append((match.group(2), match.group(3)))
        start = match.end()
    out.append((prose[start:], None))
    return out


def _glossary_anchor(url: str | None) -> str | None:
    """The anchor a link into the glossary names ("" for the page itself); None for other links."""
    if not url:
        return None
    match = _GLOSSARY_LINK_RE.search(url)
    return match.group(1) or "" if match else None


def check_notebook(
    path: str | Path, anchors: set[str] | None = None, terms: dict[str, re.Pattern[str]] = TERMS
) -> list[Problem]:
    """Unlinked first uses of each term, and glossary links to entries that do not exist."""
    path = Path(path)
    anchors = glossary_anchors() if anchors is None else anchors
    nb = read_notebook(path)
    problems: list[Problem] = []
    pending = dict(terms)
    for index, markdown in cells_of_type(nb, "markdown"):
        for text, url in pieces(markdown):
            anchor = _glossary_anchor(url)
            if anchor and anchor not in anchors:
                problems.append(
                    Problem(
                        path.name,
                        "glossary",
                        f"links to glossary entry #{anchor}, which does not exist",
                        index,
                    )
                )
            for term, pattern in list(pending.items()):
                if not pattern.search(text):
                    continue
                if anchor == term:
                    del pending[term]
                elif anchor is None:
                    found = pattern.search(text).group(0)
                    problems.append(
                        Problem(
                            path.name,
                            "glossary",
                            f"first use of {found!r} is not linked to the glossary: write "
                            f"[{found}]({glossary_url(term)})",
                            index,
                        )
                    )
                    del pending[term]
                # inside a link to another glossary entry: not this term's use; look further
    return problems


def check(paths: Iterable[str | Path] = ()) -> list[Problem]:
    """Every problem in the given notebooks (default: the course's)."""
    anchors = glossary_anchors()
    targets = [Path(p) for p in paths] or course_notebooks(NOTEBOOKS_DIR)
    return [problem for path in targets for problem in check_notebook(path, anchors)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.glossary",
        description="Check that each notebook links every glossary term on its first use.",
    )
    parser.add_argument("paths", nargs="*", help="notebooks (default: notebooks/NN_*.ipynb)")
    args = parser.parse_args(argv)
    problems = check(args.paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} glossary problem(s).")
        return 1
    print("Every first use of a glossary term is linked.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
