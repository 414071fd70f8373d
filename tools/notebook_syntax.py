"""Notebook check: every code cell parses as Python once IPython's own syntax is set aside
(magics, shell lines, ``?`` help)."""

from __future__ import annotations

import ast
import re

from .notebooks import Problem, code_cells

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
    for index, source in code_cells(nb):
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
