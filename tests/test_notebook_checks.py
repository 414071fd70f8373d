"""Static notebook checks: every course notebook passes, and each kind of bad notebook fails
with the exact problem named. No kernel is started."""

from __future__ import annotations

import json
import string
from pathlib import Path

import nbformat
import pytest

from tools import notebook_checks as nc
from tools.notebook_checks import Problem, check_notebook

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NAME = "99_check_things.ipynb"

SETUP = """\
# Setup: on Colab, clone the course and install its stack (once per runtime).
import sys

REPO = "https://github.com/pricer-course/price-is-right"
if "google.colab" in sys.modules:
    !test -d /content/price-is-right || git clone -q --depth 1 {REPO} /content/price-is-right
    !bash /content/price-is-right/colab_setup.sh
    %cd /content/price-is-right
"""
VERSIONS = "# NBVAL_SKIP\nfrom helpers.versions import print_versions\n\nprint_versions()"
PARAMETERS = """\
# Parameters: every value you might change lives here.
from helpers.config import configure

SMOKE = None  # None: follow PRICER_SMOKE; True: offline smoke run; False: real
settings = configure(smoke=SMOKE)
SEED = 42  # one seed for everything
"""
SEEDS = "from helpers.seeds import set_seed\n\nset_seed(SEED)"
TITLE = "# 99 · Check things\n\nA notebook made by a test.\n\nYou will:\n- pass.\n\n**Run time:** seconds."
NAV = "<!-- nav:start -->\n<!-- nav:end -->"
FIRST_TEACHING_CELL = 6  # index of the first cell after the standard opening


def good_notebook(*code: str, exercises: int = 2) -> nbformat.NotebookNode:
    """A minimal notebook that follows every rule; ``code`` cells go after the opening."""
    md, py = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    items = "\n".join(f"{i}. Exercise {i}." for i in range(1, exercises + 1))
    nb.cells = [
        md(TITLE),
        md(NAV),
        py(SETUP),
        py(VERSIONS),
        py(PARAMETERS),
        py(SEEDS),
        *[py(c) for c in code],
        md("## Summary\n- Everything passed."),
        md(f"## Exercises\n{items}"),
    ]
    return nb


def save(nb, folder: Path, name: str = NAME) -> Path:
    path = folder / name
    nbformat.write(nb, path)
    return path


def only(problems: list[Problem], check: str) -> list[Problem]:
    return [p for p in problems if p.check == check]


# ---------------------------------------------------------------------------------------------
# The course's own notebooks


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS
    or [pytest.param(None, marks=pytest.mark.skip(reason="no notebooks in notebooks/ yet"))],
    ids=lambda p: p.name if isinstance(p, Path) else "none",
)
def test_course_notebook_passes_static_checks(path):
    problems = check_notebook(path)
    assert problems == [], "\n".join(map(str, problems))


# ---------------------------------------------------------------------------------------------
# Good and bad notebooks, built here


def test_a_good_minimal_notebook_passes(tmp_path):
    assert (
        check_notebook(save(good_notebook("import json\n\nprint(json.dumps({}))"), tmp_path)) == []
    )


def test_outputs_and_execution_counts_fail(tmp_path):
    nb = good_notebook("print('hello')")
    cell = nb.cells[FIRST_TEACHING_CELL]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    cell.execution_count = 3
    assert check_notebook(save(nb, tmp_path)) == [
        Problem(NAME, "stripped", "1 output(s) (run nbstripout)", FIRST_TEACHING_CELL),
        Problem(NAME, "stripped", "execution count 3 (run nbstripout)", FIRST_TEACHING_CELL),
    ]


def test_an_unknown_import_fails(tmp_path):
    nb = good_notebook("import notarealpackage\n\nnotarealpackage.go()")
    (problem,) = check_notebook(save(nb, tmp_path))
    assert (problem.check, problem.cell) == ("imports", FIRST_TEACHING_CELL)
    assert "'notarealpackage'" in problem.message and "requirements.txt" in problem.message


def test_an_openai_key_fails_and_is_not_repeated(tmp_path):
    key = "sk-proj-" + (string.ascii_letters + string.digits)[:40]
    nb = good_notebook(f'API_KEY = "{key}"')
    (problem,) = check_notebook(save(nb, tmp_path))
    assert (problem.check, problem.cell) == ("secrets", FIRST_TEACHING_CELL)
    assert "OpenAI API key" in problem.message
    assert key not in str(problem) and key[12:] not in str(problem)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("sk-ant-api03-" + "Ab1" * 15, "Anthropic API key"),
        ("hf_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE", "Hugging Face token"),
        ("AIza" + "Sy" + "B1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R", "Google API key"),
        ("Authorization: Bearer " + "x9Yz4Kq7Wm2" * 4, "bearer token"),
        ('password = "' + "Zq8wE7rT6yU5iO4pA3sD2fG1hJ" + '"', "hard-coded key or token"),
    ],
)
def test_other_key_shapes_fail_in_markdown_too(tmp_path, text, kind):
    nb = good_notebook()
    nb.cells.insert(FIRST_TEACHING_CELL, nbformat.v4.new_markdown_cell(f"Mine is `{text}`."))
    (problem,) = check_notebook(save(nb, tmp_path))
    assert (problem.check, problem.cell) == ("secrets", FIRST_TEACHING_CELL)
    assert kind in problem.message


def test_a_key_in_an_output_fails(tmp_path):
    nb = good_notebook("print(key)")
    nb.cells[FIRST_TEACHING_CELL].outputs = [
        nbformat.v4.new_output(
            "stream", name="stdout", text="hf_" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc"
        )
    ]
    checks = sorted(p.check for p in check_notebook(save(nb, tmp_path)))
    assert checks == ["secrets", "stripped"]


@pytest.mark.parametrize(
    "code",
    [
        'os.environ["OPENAI_API_KEY"] = "sk-your-key-goes-here-0123456789"',
        'KEY = "sk-test-0123456789abcdefghijklmnop"',
        'KEY = "sk-local-test-server"',  # the smoke run's stand-in key
        'TOKEN = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'api_key = os.environ["OPENAI_API_KEY"]',
        'url = "https://example.com/a-very-long-path-that-is-not-a-secret-at-all"',
    ],
)
def test_placeholders_and_environment_reads_pass(tmp_path, code):
    nb = good_notebook(f"import os\n\n{code}")
    assert check_notebook(save(nb, tmp_path)) == []


@pytest.mark.parametrize(
    "name",
    [
        "my notebook.ipynb",
        "1_explore_data.ipynb",
        "01-explore-data.ipynb",
        "01_Explore_Data.ipynb",
        "explore.ipynb",
    ],
)
def test_bad_file_names_fail(tmp_path, name):
    problems = check_notebook(save(good_notebook(), tmp_path, name))
    assert [p.check for p in problems if p.check == "filename"] == ["filename"]


@pytest.mark.parametrize(
    "name", ["01_explore_data.ipynb", "03_baselines.ipynb", "08_qlora_training.ipynb"]
)
def test_course_style_names_pass(name):
    assert nc.check_filename(name) == []


def test_a_notebook_with_all_three_faults_fails_the_cli(tmp_path, capsys):
    """What `make test` and the pre-commit hook run: exit 1 with one line per problem."""
    nb = good_notebook("import notarealpackage", 'KEY = "sk-' + "Rt5vB8nM2qLw" * 4 + '"')
    nb.cells[FIRST_TEACHING_CELL].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="x")
    ]
    (tmp_path / "good").mkdir()
    bad, good = save(nb, tmp_path), save(good_notebook(), tmp_path / "good")
    assert nc.main([str(bad), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {bad}" in out and f"ok   {good}" in out
    assert "[stripped] 1 output(s)" in out
    assert "[imports] imports 'notarealpackage'" in out
    assert "[secrets] looks like an OpenAI API key" in out
    assert "1 of 2 notebooks pass" in out
    assert nc.main([str(good)]) == 0


# ---------------------------------------------------------------------------------------------
# Parsing, imports, metadata, structure


@pytest.mark.parametrize(
    "code",
    [
        "%matplotlib inline\nx = 1",
        "!pip install -q notarealpackage\nimport json",
        "files = !ls\nprint(files)",
        "len?\nlen??",
        "%%time\nimport json\njson.dumps({})",
        "%%bash\necho 'not python at all' && exit 0",
        "for i in range(2):\n    !echo $i\n    %time print(i)",
        'PROMPT = """How much does this cost?\n!important: answer with a number"""',
    ],
)
def test_ipython_syntax_parses(code):
    nb = good_notebook(code)
    assert nc.check_syntax(nb, NAME) == [] and nc.check_imports(nb, NAME) == []


def test_a_syntax_error_fails_with_its_line(tmp_path):
    (problem,) = check_notebook(save(good_notebook("x = 1\ndef broken(:\n    pass"), tmp_path))
    assert (problem.check, problem.cell) == ("syntax", FIRST_TEACHING_CELL)
    assert problem.message.startswith("line 2:")


def test_cell_magic_bodies_are_checked_for_imports():
    nb = good_notebook("%%time\nimport notarealpackage")
    assert [p.check for p in nc.check_imports(nb, NAME)] == ["imports"]


def test_import_names_map_to_distribution_names():
    nb = good_notebook(
        "import sklearn.linear_model\nfrom dotenv import load_dotenv\nimport huggingface_hub\n"
        "import os.path\nfrom __future__ import annotations\nfrom IPython.display import display\n"
        "import google.colab\nfrom helpers.items import Item"
    )
    declared = {"scikit-learn", "python-dotenv", "huggingface_hub"}
    assert nc.check_imports(nb, NAME, declared) == []
    yaml_nb = good_notebook("import yaml")
    assert [p.check for p in nc.check_imports(yaml_nb, NAME, declared)] == ["imports"]
    assert nc.check_imports(yaml_nb, NAME, declared | {"PyYAML"}) == []


def test_declared_distributions_read_requirements_and_the_test_extra(tmp_path):
    (tmp_path / "requirements.txt").write_text(
        "# comment\ntorch>=2.4   # why\n\nPython_Dotenv>=1.0\nbitsandbytes>=0.47; sys_platform == 'linux'\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\ntest = ["pytest>=8", "nbval>=0.11"]\n'
    )
    assert nc.declared_distributions(tmp_path) == {
        "torch",
        "python-dotenv",
        "bitsandbytes",
        "pytest",
        "nbval",
    }
    repo = nc.declared_distributions(REPO)
    assert {"torch", "scikit-learn", "python-dotenv", "nbformat"} <= repo


def test_widget_state_and_colab_noise_fail(tmp_path):
    nb = good_notebook("x = 1")
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["colab"] = {"provenance": []}
    nb.cells[FIRST_TEACHING_CELL].metadata.update(
        {"id": "aBcD1234", "outputId": "x-1", "colab": {}}
    )
    assert check_notebook(save(nb, tmp_path)) == [
        Problem(NAME, "stripped", "notebook metadata carries 'widgets' (run nbstripout)"),
        Problem(NAME, "stripped", "notebook metadata carries 'colab' (run nbstripout)"),
        Problem(
            NAME,
            "stripped",
            "cell metadata carries 'colab', 'id', 'outputId' (run nbstripout)",
            FIRST_TEACHING_CELL,
        ),
    ]


def test_cell_ids_and_tags_are_fine(tmp_path):
    nb = good_notebook("x = 1")
    nb.cells[FIRST_TEACHING_CELL].metadata["tags"] = ["raises-exception"]
    assert nb.cells[FIRST_TEACHING_CELL].id  # the nbformat 4.5 field, not metadata
    assert check_notebook(save(nb, tmp_path)) == []


def test_an_invalid_notebook_fails(tmp_path):
    raw = json.loads(nbformat.writes(good_notebook()))
    del raw["cells"][2]["source"]
    path = tmp_path / NAME
    path.write_text(json.dumps(raw))
    assert "nbformat" in [p.check for p in check_notebook(path)]
    path.write_text("{not json")
    assert [p.check for p in check_notebook(path)] == ["nbformat"]


def structure_messages(nb) -> list[str]:
    return [p.message for p in nc.check_structure(nb, NAME)]


def test_exercises_must_number_two_or_three():
    assert structure_messages(good_notebook(exercises=3)) == []
    for count in (1, 5):
        assert structure_messages(good_notebook(exercises=count)) == [
            f"'## Exercises' must list two or three exercises, found {count}"
        ]


def test_the_ending_is_summary_then_exercises_last():
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    assert structure_messages(nb) == ["'## Exercises' must be the last cell"]
    nb = good_notebook()
    del nb.cells[-2]
    assert structure_messages(nb) == ["missing the '## Summary' markdown cell near the end"]


@pytest.mark.parametrize(
    "index, replacement, message",
    [
        (1, "Links go here.", "missing a markdown cell with <!-- nav:start --> <!-- nav:end -->"),
        (2, "import sys", "missing the guarded Colab setup cell"),
        (
            3,
            "from helpers.versions import print_versions\n\nprint_versions()",
            "missing the versions cell",
        ),
        (
            4,
            "from helpers.config import configure\n\nsettings = configure()",
            "missing the parameters cell",
        ),
        (5, "SEED = 1", "missing the seeds cell"),
    ],
)
def test_each_part_of_the_opening_is_required(index, replacement, message):
    nb = good_notebook()
    nb.cells[index].source = replacement
    (found,) = structure_messages(nb)
    assert found.startswith(message)


def test_the_opening_comes_in_order():
    nb = good_notebook()
    nb.cells[4], nb.cells[5] = nb.cells[5], nb.cells[4]
    assert structure_messages(nb) == [
        "the seeds cell must come after the parameters cell "
        "(order: navigation, setup, versions, parameters, seeds)"
    ]


def test_the_title_matches_the_file_and_states_run_time_and_cost():
    nb = good_notebook()
    nb.cells[0].source = "# 98 · Check things\n\nYou will:\n- pass."
    assert structure_messages(nb) == [
        "the title says 98 but the file name says 99",
        "the title cell must state the run time (CPU, T4)",
    ]
    paid = good_notebook("from helpers.frontier import FrontierClient")
    assert structure_messages(paid) == [
        "this notebook calls a paid API: state the cost in the title cell"
    ]
    paid.cells[0].source += "\n**Cost:** under $0.10."
    assert structure_messages(paid) == []


def test_the_pre_commit_hook_strips_what_the_check_rejects():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    args = " ".join(hooks["nbstripout"].get("args", []))
    nbstripout_defaults = {"metadata.widgets", "metadata.signature", "cell.metadata.collapsed",
                           "cell.metadata.ExecuteTime", "cell.metadata.execution",
                           "cell.metadata.heading_collapsed", "cell.metadata.hidden",
                           "cell.metadata.scrolled"}  # fmt: skip
    stripped = set(args.split()) | nbstripout_defaults
    for key in nc.NOISY_NOTEBOOK_METADATA:
        assert f"metadata.{key}" in stripped, key
    for key in nc.NOISY_CELL_METADATA:
        assert f"cell.metadata.{key}" in stripped, key
    assert "--keep-id" in args  # the generated cell ids stay put: no churn on every commit
    assert "python -m tools.notebook_checks" in hooks["notebook-checks"]["entry"]
    assert "python -m tools.navigation --check" in hooks["navigation"]["entry"]


def test_a_long_setup_cell_is_refused():
    nb = good_notebook()
    setup = next(c for c in nb.cells if c.source.startswith("# Setup"))
    setup.source += "\n" + "\n".join(f"print({n})" for n in range(5))
    assert any("at most 8 lines" in m for m in structure_messages(nb))
