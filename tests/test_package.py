"""The shape of the learners' package: no import cycle, small modules, true "Introduced in" tags."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "helpers"
NOTEBOOKS = PACKAGE.parent / "notebooks"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every helpers module ``path`` imports, at the top or inside a function."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:  # "from . import x" and "from .m import name"
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in NAMES else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name in NAMES and name != module_name(path)}


NAMES = {module_name(p) for p in MODULES}


def test_no_import_cycle_in_the_package():
    graph = {module_name(p): imported(p) for p in MODULES}
    graph = {
        m: {d for d in deps if not m.startswith(d + ".") and d != "helpers"}
        for m, deps in graph.items()
    }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    assert len(path.read_text().splitlines()) <= 400, f"{path.name}: split it into smaller modules"


TAG = re.compile(r"Introduced in (notebooks/\d\d_[a-z0-9_]+\.ipynb)")


def public_docstrings():
    """(where, name, docstring) of every public module, function, class and method."""
    for path in MODULES:
        tree = ast.parse(path.read_text())
        yield path, module_name(path), ast.get_docstring(tree) or ""
        for node in ast.walk(tree):
            if isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ) and not node.name.startswith("_"):
                yield path, node.name, ast.get_docstring(node) or ""


def notebook_text(relative: str) -> str:
    import json

    cells = json.loads((PACKAGE.parent / relative).read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells)


def mentions(text: str, name: str) -> bool:
    """Whether a notebook's text names a helper (a word) or a module (helpers.x, or its package)."""
    if name.startswith("helpers."):
        parts = name.split(".")
        return any(f"{'.'.join(parts[:k])}" in text for k in range(len(parts), 1, -1))
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def test_every_introduced_in_tag_names_a_notebook_that_uses_it():
    """A helper that says where it is introduced is named in that notebook (code or text);
    helpers that work behind others say "Used by" instead."""
    wrong = []
    for path, name, doc in public_docstrings():
        for notebook in TAG.findall(doc.replace("\n", " ")):
            if not (PACKAGE.parent / notebook).exists():
                wrong.append(f"{path.name}: {name} -> {notebook} does not exist")
            elif not mentions(notebook_text(notebook), name):
                wrong.append(f"{path.name}: {name} -> {notebook} never mentions it")
    assert not wrong, "\n".join(wrong)


def notebook_imports():
    """(notebook, module, name) for every `from helpers... import name` in a notebook's code."""
    import json

    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = "".join(cell["source"]).splitlines()
            code = "\n".join(  # a shell or magic line becomes `pass`, keeping its indentation
                line[: len(line) - len(line.lstrip())] + "pass"
                if line.lstrip().startswith(("!", "%"))
                else line
                for line in lines
            )
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                    for alias in node.names:
                        yield path.name, node.module, alias.name


def test_notebooks_import_only_names_that_exist():
    import importlib

    missing = []
    for notebook, module, name in notebook_imports():
        owner = importlib.import_module(module)
        submodule = hasattr(owner, "__path__") and importlib.util.find_spec(f"{module}.{name}")
        if not hasattr(owner, name) and not submodule:
            missing.append(f"{notebook}: from {module} import {name}")
    assert not missing, "\n".join(missing)


USED_BY = re.compile(r"Used (?:by|within) ((?:`helpers[\w.]*`(?:, | and )?)+)")


def test_every_used_by_tag_names_modules_that_use_it():
    """Helpers that work behind others name who uses them, and those modules really do."""
    uses = {module_name(p): _identifiers(p.read_text()) for p in MODULES}
    wrong = []
    for path, name, doc in public_docstrings():
        for group in USED_BY.findall(re.sub(r"\s+", " ", doc)):
            short = name.split(".")[-1]
            for user in re.findall(r"`(helpers[\w.]*)`", group):
                if short not in uses.get(user, set()):
                    wrong.append(f"{path.name}: {name} says it is used by {user}")
    assert not wrong, "\n".join(wrong)


def _identifiers(source: str) -> set[str]:
    """The names a module's code uses (read, called, imported): not words in its text."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
            found.add((node.module or "").split(".")[-1])  # "from .files import ..." uses files
    return found


def test_the_readme_package_map_lists_every_module():
    readme = (PACKAGE.parent / "README.md").read_text()
    section = readme[readme.index("## The package") :]
    section = section[: section.index("\n## ", 5)]
    missing = [
        f"{folder}/{path.name}"
        for folder in ("helpers", "standins", "tools")
        for path in sorted((PACKAGE.parent / folder).rglob("*.py"))
        if path.name != "__init__.py" and not re.search(rf"\b{re.escape(path.name)}\b", section)
    ]
    assert not missing, f"add to README's package map: {missing}"


def test_every_public_function_and_class_says_where_it_is_taught_or_who_uses_it():
    untagged = []
    for path in MODULES:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                doc = re.sub(r"\s+", " ", ast.get_docstring(node) or "")
                if not (TAG.search(doc) or USED_BY.search(doc)):
                    untagged.append(f"{path.relative_to(PACKAGE)}: {node.name}")
    assert not untagged, "end each docstring with 'Introduced in notebooks/...' or 'Used by `helpers.x`':\n" + "\n".join(untagged)
