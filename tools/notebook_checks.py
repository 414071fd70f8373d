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
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from .notebook_imports import check_imports, declared_distributions  # noqa: F401 - part of the API
from .notebook_secrets import check_secrets, find_secrets, redact  # noqa: F401 - part of the API
from .notebook_syntax import check_syntax, python_source  # noqa: F401 - part of the API
from .notebooks import NOTEBOOKS_DIR, REPO_ROOT, Problem, cell_source, code_cells, notebook_paths  # noqa: F401

FILENAME_RE = re.compile(r"^\d\d_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")

NAV_START, NAV_END = "<!-- nav:start -->", "<!-- nav:end -->"
COLAB_GUARD = 'if "google.colab" in sys.modules:'
SETUP_LINES = 8  # the setup cell is a few lines: clone, install, done

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
# Opening and ending


def _find(nb: dict, kind: str, predicate) -> int | None:
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == kind and predicate(cell_source(cell)):
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

    title = cell_source(cells[0]) if cells[0].get("cell_type") == "markdown" else ""
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
        code = "\n".join(source for _, source in code_cells(nb))
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
    setup = opening["setup"]
    if setup is not None and len(cell_source(cells[setup]).strip().splitlines()) > SETUP_LINES:
        problem(f"the setup cell must be at most {SETUP_LINES} lines: clone, install, done", setup)
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
        count = _list_items(cell_source(cells[exercises]), "## Exercises")
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
