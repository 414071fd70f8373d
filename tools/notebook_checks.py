"""Static checks for the course notebooks: no kernel, no GPU, no network, well under a second.

    python -m tools.notebook_checks                 # every notebook in notebooks/
    python -m tools.notebook_checks notebooks/03_baselines.ipynb

Each check is a plain function returning a list of `Problem`s (empty when all is well):

- the file name is ``NN_verb_noun.ipynb``;
- the file is valid nbformat;
- every code cell parses as Python once IPython magics, shell lines and ``?`` help are removed;
- outputs, execution counts, widget state and Colab/editor metadata are stripped;
- every imported module is in the standard library, ``helpers``, requirements.txt or the test
  extra in pyproject.toml;
- nothing looks like an API key or token;
- the standard opening (title, navigation, guarded Colab setup, versions cell skipped by nbval,
  parameters with the smoke switch, seeds) and ending (summary, two or three exercises).

The pytest suite runs the same functions (tests/test_notebook_checks.py), so a forgotten
pre-commit hook is caught in CI. Introduced in README.md ("Checks before you commit").
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata as metadata
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

# NN_verb_noun.ipynb; a single word is allowed too (03_baselines.ipynb is in the course map).
FILENAME_RE = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")

NAV_START, NAV_END = "<!-- nav:start -->", "<!-- nav:end -->"
COLAB_GUARD = 'if "google.colab" in sys.modules:'

# Metadata that editors and Colab add and that nbstripout removes (see .pre-commit-config.yaml).
NOISY_NOTEBOOK_METADATA = (
    "widgets",
    "colab",
    "accelerator",
    "gpuClass",
    "kaggle",
    "vscode",
    "signature",
)
NOISY_CELL_METADATA = (
    "colab",
    "id",
    "outputId",
    "executionInfo",
    "ExecuteTime",
    "execution",
    "collapsed",
    "scrolled",
    "heading_collapsed",
    "hidden",
    "pycharm",
)

# Modules a notebook may import without a requirements.txt line, with the reason.
ALWAYS_AVAILABLE = {
    "helpers": "this course's own package",
    "google": "provided by Colab (used only inside the guarded setup cell)",
    "IPython": "part of every Jupyter kernel",
}
# Import name -> distribution name, for when the package is not installed here to ask.
IMPORT_TO_DIST = {
    "sklearn": "scikit-learn",
    "dotenv": "python-dotenv",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "cv2": "opencv-python",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "attr": "attrs",
    "skimage": "scikit-image",
    "Levenshtein": "python-levenshtein",
    "google": "google-colab",
}

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


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notebook: which check, which cell (None: the whole file), why."""

    notebook: str
    check: str
    message: str
    cell: int | None = None

    def __str__(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "notebook"
        return f"{self.notebook}: {where}: [{self.check}] {self.message}"


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _code_cells(nb: dict) -> list[tuple[int, str]]:
    return [
        (i, _source(c)) for i, c in enumerate(nb.get("cells", [])) if c.get("cell_type") == "code"
    ]


# ---------------------------------------------------------------------------------------------
# File name and format


def check_filename(path: str | Path) -> list[Problem]:
    """The name is NN_verb_noun.ipynb: two digits, lower-case words, underscores, no spaces."""
    name = Path(path).name
    if FILENAME_RE.match(name):
        return []
    return [
        Problem(
            name,
            "filename",
            "name must look like NN_verb_noun.ipynb (two digits, then lower-case words joined "
            "by underscores, no spaces), e.g. 01_explore_data.ipynb",
        )
    ]


def check_format(nb: dict, name: str = "notebook") -> list[Problem]:
    """The notebook validates against its nbformat schema."""
    try:
        import nbformat
    except ImportError:
        return [
            Problem(
                name,
                "nbformat",
                'cannot validate: nbformat is not installed (pip install -e ".[test]")',
            )
        ]
    try:
        node = nbformat.from_dict(nb)
        nbformat.validate(node, relax_add_props=False)
    except nbformat.ValidationError as error:
        first = str(error).strip().splitlines()[0]
        return [Problem(name, "nbformat", f"not a valid notebook: {first}")]
    return []


# ---------------------------------------------------------------------------------------------
# Code cells parse

_PARSED_CELL_MAGICS = ("time", "timeit", "capture", "prun", "debug")
_SHELL_ASSIGN_RE = re.compile(r"^\s*[A-Za-z_][\w.,\s]*=\s*[!%]")  # files = !ls
_HELP_RE = re.compile(r"^\s*[A-Za-z_][\w.]*\?{1,2}\s*$")  # obj? and obj??


def python_source(source: str) -> str | None:
    """The cell as plain Python. A cell that already parses is returned as it is; otherwise
    magic (``%``), shell (``!``, ``x = !ls``) and help (``obj?``) lines become ``pass``, keeping
    line numbers and indentation. None for a cell magic whose body is not Python (%%bash...)."""
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        words = first[2:].split()
        if not words or words[0] not in _PARSED_CELL_MAGICS:
            return None
        lines = ["pass", *lines[1:]]
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if (
            stripped.startswith(("%", "!", "?"))
            or _HELP_RE.match(line)
            or _SHELL_ASSIGN_RE.match(line)
        ):
            out.append(f"{indent}pass")
        else:
            out.append(line)
    return "\n".join(out)


def check_syntax(nb: dict, name: str = "notebook") -> list[Problem]:
    """Every code cell parses as Python (after IPython syntax is removed)."""
    problems = []
    for index, source in _code_cells(nb):
        code = python_source(source)
        if code is None:
            continue
        try:
            ast.parse(code)
        except SyntaxError as error:
            problems.append(
                Problem(
                    name,
                    "syntax",
                    f"line {error.lineno}: {error.msg}: {(error.text or '').strip()!r}",
                    index,
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Stripped


def check_stripped(nb: dict, name: str = "notebook") -> list[Problem]:
    """No outputs, execution counts, widget state or Colab/editor metadata."""
    problems = []
    for key in NOISY_NOTEBOOK_METADATA:
        if key in nb.get("metadata", {}):
            problems.append(
                Problem(name, "stripped", f"notebook metadata carries {key!r} (run nbstripout)")
            )
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                problems.append(
                    Problem(
                        name,
                        "stripped",
                        f"{len(cell['outputs'])} output(s) (run nbstripout)",
                        index,
                    )
                )
            if cell.get("execution_count") is not None:
                problems.append(
                    Problem(
                        name,
                        "stripped",
                        f"execution count {cell['execution_count']} (run nbstripout)",
                        index,
                    )
                )
        noisy = [key for key in NOISY_CELL_METADATA if key in cell.get("metadata", {})]
        if noisy:
            problems.append(
                Problem(
                    name,
                    "stripped",
                    f"cell metadata carries {', '.join(map(repr, noisy))} (run nbstripout)",
                    index,
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Imports


def normalize(dist: str) -> str:
    """A distribution name in its canonical form (PEP 503): 'Python_Dotenv' -> 'python-dotenv'."""
    return re.sub(r"[-_.]+", "-", dist).lower()


def _requirement_name(line: str) -> str | None:
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return normalize(match.group(0)) if match else None


def _test_extra(pyproject: Path) -> list[str]:
    import tomllib

    text = pyproject.read_text(encoding="utf-8")
    return tomllib.loads(text).get("project", {}).get("optional-dependencies", {}).get("test", [])


def declared_distributions(root: str | Path = REPO_ROOT) -> frozenset[str]:
    """Normalized names of every distribution the course declares: requirements.txt and the
    test extra of pyproject.toml."""
    root = Path(root)
    lines: list[str] = []
    if (root / "requirements.txt").is_file():
        lines += (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
    if (root / "pyproject.toml").is_file():
        lines += _test_extra(root / "pyproject.toml")
    return frozenset(n for n in map(_requirement_name, lines) if n)


@lru_cache(maxsize=1)
def _installed_providers() -> dict[str, tuple[str, ...]]:
    try:
        mapping = metadata.packages_distributions()
    except AttributeError:  # only on unusual importlib.metadata back-ports
        return {}
    return {module: tuple(normalize(d) for d in dists) for module, dists in mapping.items()}


def distributions_for(module: str) -> set[str]:
    """Distributions that may provide a top-level import name: installed metadata, the override
    table, and the name itself ('huggingface_hub' -> 'huggingface-hub')."""
    candidates = {normalize(module)}
    candidates.update(_installed_providers().get(module, ()))
    if module in IMPORT_TO_DIST:
        candidates.add(normalize(IMPORT_TO_DIST[module]))
    return candidates


def imported_modules(source: str) -> list[str]:
    """Top-level names of absolute imports in a code cell, in order ('a.b' -> 'a')."""
    code = python_source(source)
    if code is None:
        return []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.split(".")[0])
    return list(dict.fromkeys(names))


def check_imports(
    nb: dict, name: str = "notebook", declared: Iterable[str] | None = None
) -> list[Problem]:
    """Every imported module is stdlib, helpers, Colab's, or declared in requirements.txt or
    the test extra (``declared``: distribution names; default: this repository's)."""
    declared_set = (
        frozenset(normalize(d) for d in declared)
        if declared is not None
        else declared_distributions()
    )
    problems = []
    for index, source in _code_cells(nb):
        for module in imported_modules(source):
            if module in sys.stdlib_module_names or module in ALWAYS_AVAILABLE:
                continue
            if distributions_for(module) & declared_set:
                continue
            guess = IMPORT_TO_DIST.get(module) or next(
                iter(_installed_providers().get(module, ())), module
            )
            problems.append(
                Problem(
                    name,
                    "imports",
                    f"imports {module!r}, which is not in requirements.txt: add a line such as "
                    f"'{guess}>=X.Y  # NN: why', or drop the import",
                    index,
                )
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Secrets


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
        report(_source(cell), index)
        rest = {k: cell.get(k) for k in ("outputs", "attachments", "metadata") if cell.get(k)}
        if rest:
            report(json.dumps(rest), index)
    return problems


# ---------------------------------------------------------------------------------------------
# Opening and ending


def _find(nb: dict, kind: str, predicate) -> int | None:
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == kind and predicate(_source(cell)):
            return index
    return None


def _list_items(markdown: str, heading: str) -> int:
    """Top-level list items under a heading, up to the next heading."""
    section = markdown.split(heading, 1)[1] if heading in markdown else ""
    count = 0
    for line in section.splitlines():
        if re.match(r"#{1,6}\s", line):
            break
        if re.match(r"^ {0,1}(\d+[.)]|[-*+])\s+\S", line):
            count += 1
    return count


def check_structure(nb: dict, name: str = "notebook") -> list[Problem]:
    """The standard opening and ending every notebook shares (see CONTRIBUTING.md)."""
    problems: list[Problem] = []

    def problem(message: str, cell: int | None = None) -> None:
        problems.append(Problem(name, "structure", message, cell))

    cells = nb.get("cells", [])
    if not cells:
        return [Problem(name, "structure", "the notebook has no cells")]

    title = _source(cells[0]) if cells[0].get("cell_type") == "markdown" else ""
    match = re.match(r"#\s+(\d\d)\b", title)
    if not match:
        problem("the first cell must be a markdown title starting '# NN · Title'", 0)
    else:
        if re.match(r"\d\d", name) and match.group(1) != name[:2]:
            problem(f"the title says {match.group(1)} but the file name says {name[:2]}", 0)
        if not re.search(r"^\s*[-*]\s+\S", title, re.M):
            problem("the title cell must list the objectives ('You will:' and bullets)", 0)
        if "run time" not in title.lower():
            problem("the title cell must state the run time (CPU, T4)", 0)
        code = "\n".join(source for _, source in _code_cells(nb))
        uses_paid_api = bool(
            re.search(r"^\s*(from|import)\s+(openai|anthropic|helpers\.frontier)", code, re.M)
        )
        if uses_paid_api and "cost" not in title.lower():
            problem("this notebook calls a paid API: state the cost in the title cell", 0)

    opening = {
        "navigation": _find(nb, "markdown", lambda s: NAV_START in s and NAV_END in s),
        "setup": _find(nb, "code", lambda s: COLAB_GUARD in s),
        "versions": _find(
            nb, "code", lambda s: s.lstrip().startswith("# NBVAL_SKIP") and "print_versions(" in s
        ),
        "parameters": _find(
            nb, "code", lambda s: re.search(r"^SMOKE\s*=", s, re.M) and "configure(" in s
        ),
        "seeds": _find(nb, "code", lambda s: "set_seed(" in s),
    }
    missing = {
        "navigation": f"a markdown cell with {NAV_START} {NAV_END} (run `python -m tools.navigation`)",
        "setup": f"the guarded Colab setup cell (`{COLAB_GUARD}`)",
        "versions": "the versions cell: first line `# NBVAL_SKIP`, calling print_versions()",
        "parameters": "the parameters cell (`SMOKE = None ...` and `settings = configure(smoke=SMOKE)`)",
        "seeds": "the seeds cell (`set_seed(SEED)`)",
    }
    for part, index in opening.items():
        if index is None:
            problem(f"missing {missing[part]}")
    found = [(part, index) for part, index in opening.items() if index is not None]
    for (before, i), (after, j) in zip(found, found[1:], strict=False):
        if j < i:
            problem(
                f"the {after} cell must come after the {before} cell (order: {', '.join(opening)})",
                j,
            )

    last = len(cells) - 1
    exercises = _find(nb, "markdown", lambda s: "## Exercises" in s)
    summary = _find(nb, "markdown", lambda s: "## Summary" in s)
    if summary is None:
        problem("missing the '## Summary' markdown cell near the end")
    if exercises is None:
        problem("missing the '## Exercises' markdown cell at the end")
    else:
        if exercises != last:
            problem("'## Exercises' must be the last cell", exercises)
        if summary is not None and summary > exercises:
            problem("'## Summary' must come before '## Exercises'", summary)
        count = _list_items(_source(cells[exercises]), "## Exercises")
        if not 2 <= count <= 3:
            problem(f"'## Exercises' must list two or three exercises, found {count}", exercises)
    return problems


# ---------------------------------------------------------------------------------------------
# All of it


def check_notebook(
    path: str | Path, declared: Iterable[str] | None = None, structure: bool = True
) -> list[Problem]:
    """Every static check on one notebook file; an empty list means it passes."""
    path = Path(path)
    name = path.name
    problems = check_filename(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return [*problems, Problem(name, "nbformat", f"cannot read the file as JSON: {error}")]
    problems += check_format(nb, name)
    problems += check_syntax(nb, name)
    problems += check_stripped(nb, name)
    problems += check_imports(nb, name, declared)
    problems += check_secrets(nb, name)
    if structure:
        problems += check_structure(nb, name)
    return problems


def notebook_paths(paths: Iterable[str | Path] = ()) -> list[Path]:
    """Notebook files named by ``paths`` (files or folders); the course's when none."""
    found: list[Path] = []
    for item in list(paths) or [NOTEBOOKS_DIR]:
        item = Path(item)
        if item.is_dir():
            found += sorted(p for p in item.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(item)
    return found


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is below it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.notebook_checks",
        description="Static checks on course notebooks (no kernel). Exits 1 if any fails.",
    )
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument(
        "--no-structure", action="store_true", help="skip the opening/ending checks"
    )
    args = parser.parse_args(argv)
    paths = notebook_paths(args.paths)
    if not paths:
        print("No notebooks to check.")
        return 0
    failed = 0
    for path in paths:
        problems = check_notebook(path, structure=not args.no_structure)
        if problems:
            failed += 1
            print(f"FAIL {_shown(path)}")
            for p in problems:
                print(
                    f"  - {'cell ' + str(p.cell) if p.cell is not None else 'file'}: [{p.check}] {p.message}"
                )
        else:
            print(f"ok   {_shown(path)}")
    print(f"{len(paths) - failed} of {len(paths)} notebooks pass the static checks.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
