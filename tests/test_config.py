"""Smoke mode is an endpoint switch: local stand-ins, an isolated cache, small sizes. Nothing else."""

import json
import os
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import config
from helpers.config import (
    REAL_SIZES,
    SMOKE_SIZES,
    STANDINS_ENV,
    configure,
    settings,
    smoke_environment,
)


def test_both_modes_have_the_same_settings_and_only_sizes_differ(monkeypatch, tmp_path):
    monkeypatch.setenv("PRICER_WORKDIR", str(tmp_path))
    monkeypatch.setenv("PRICER_SMOKE", "0")
    real = settings()
    monkeypatch.setenv("PRICER_SMOKE", "1")
    smoke = settings()
    assert (real.sizes, smoke.sizes) == (REAL_SIZES, SMOKE_SIZES)
    assert (real.sizes.n_train, real.sizes.n_test) == (400_000, 2_000)
    assert real.splits_dir == tmp_path / "data/splits"
    assert smoke.splits_dir == tmp_path / "smoke/data/splits"  # smoke never touches real files
    assert smoke.label("GPT-4o") == "GPT-4o (stand-in)" and real.label("GPT-4o") == "GPT-4o"
    assert smoke.chart_mark and not real.chart_mark
    assert real.comparable_to_course and not smoke.comparable_to_course


def test_the_smoke_environment_points_every_client_at_the_stand_ins(tmp_path):
    values = smoke_environment("http://127.0.0.1:1111", "http://127.0.0.1:2222/v1", tmp_path)
    assert values["HF_ENDPOINT"] == "http://127.0.0.1:1111"
    assert values["HF_HOME"] == str(tmp_path / "hf-home")  # never the learner's real cache
    for provider in ("OPENAI", "ANTHROPIC", "GEMINI"):
        assert values[f"{provider}_BASE_URL"] == "http://127.0.0.1:2222/v1"
        assert values[f"{provider}_API_KEY"] == config.SMOKE_API_KEY
    assert values["HF_TOKEN"] == config.SMOKE_HUB_TOKEN
    assert json.loads(values[STANDINS_ENV])["hub"] == "http://127.0.0.1:1111"


def test_smoke_chosen_after_the_hub_client_was_imported_asks_for_a_restart(monkeypatch, tmp_path):
    from huggingface_hub import constants  # noqa: F401 - loaded, so it has read its endpoint

    monkeypatch.setenv(
        STANDINS_ENV, json.dumps({"hub": "http://127.0.0.1:1", "openai": "http://x/v1"})
    )
    with pytest.raises(RuntimeError, match="Restart the kernel"):
        configure(smoke=True, workdir=tmp_path)


def test_the_learners_package_never_imports_the_stand_ins():
    package = Path(config.__file__).parent
    offenders = [
        f"{path.name}:{n}"
        for path in package.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.lstrip().startswith(("import standins", "from standins"))
    ]
    assert offenders == []


def test_no_smoke_branch_outside_the_configuration():
    import re

    package = Path(config.__file__).parent
    branch = re.compile(r"\bif\b[^#]*\bsmoke\b")
    offenders = [
        f"{path.name}:{n}"
        for path in package.rglob("*.py")
        if path.name != "config.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if branch.search(line)
    ]
    assert offenders == []


# ---- smoke mode never reaches a paid service -------------------------------------------------

GUARD = textwrap.dedent(
    """
    # Loaded by every Python process of the test (kernel and stand-ins): records and refuses
    # any connection or name lookup that would leave this machine.
    import os, socket

    LOG = os.environ["PRICER_NETWORK_LOG"]
    LOCAL = ("127.", "::1", "localhost", "0.0.0.0")

    def _local(host):
        return isinstance(host, str) and host.startswith(LOCAL)

    def _refuse(what):
        with open(LOG, "a") as log:
            log.write(what + "\\n")
        raise OSError(f"blocked by the test: {what}")

    _connect = socket.socket.connect
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            _refuse(f"connect {address!r}")
        return _connect(self, address)
    socket.socket.connect = connect

    _lookup = socket.getaddrinfo
    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _local(host if isinstance(host, str) else host.decode()):
            _refuse(f"lookup {host!r}")
        return _lookup(host, *args, **kwargs)
    socket.getaddrinfo = getaddrinfo
    """
)

CELLS = [
    # a learner who has real keys set, and flips SMOKE in the parameters cell
    "from helpers.config import configure\nsettings = configure(smoke=True)",
    "from openai import OpenAI\n"
    "reply = OpenAI().chat.completions.create(model='gpt-4o', messages=[{'role': 'user', "
    "'content': 'How much does this cost?\\n\\nA 4 Pack of AA batteries'}])\n"
    "print('ANSWER', reply.choices[0].message.content)",
    "from helpers.tokenizer import load_tokenizer\nprint('TOKENS', len(load_tokenizer()))",
    "import os\nprint('HF_HOME', os.environ['HF_HOME'])",
]


def test_smoke_chosen_in_a_notebook_never_leaves_the_machine(tmp_path):
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PRICER_", "HF_", "OPENAI_", "ANTHROPIC_", "GEMINI_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join([str(guard), str(Path(config.__file__).parents[1])]),
        PRICER_NETWORK_LOG=str(log),
        PRICER_WORKDIR=str(tmp_path / "learner"),
        OPENAI_API_KEY="sk-proj-" + "Ab3dE" * 20,  # real-looking keys a learner might have set
        ANTHROPIC_API_KEY="sk-ant-api03-" + "Zx9Yw" * 18,
        HF_TOKEN="hf_" + "RealLookingToken" * 2,
        HF_HOME=str(tmp_path / "learners-real-cache"),
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute(env=env)
    text = "".join(o.get("text", "") for cell in notebook.cells for o in cell.outputs)
    assert "Mode SMOKE" in text and "ANSWER" in text and "TOKENS 128" in text
    assert f"HF_HOME {tmp_path / 'learner' / 'smoke' / 'hf-home'}" in text
    assert not (tmp_path / "learners-real-cache").exists()  # the stand-in model stayed out of it
    assert not log.exists(), log.read_text()


def test_a_hub_token_in_the_dotenv_file_reaches_the_hugging_face_libraries(monkeypatch, tmp_path):
    from helpers.paths import repo_root

    if (repo_root() / ".env").exists():
        pytest.skip("a real .env at the course root would be read instead")
    monkeypatch.setenv("PRICER_SMOKE", "0")  # restored after the test, as are the next two
    monkeypatch.setenv("PRICER_WORKDIR", str(tmp_path))
    monkeypatch.delenv("HF_TOKEN")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HF_TOKEN=hf_from_the_dotenv_file\n")
    configure()
    assert os.environ["HF_TOKEN"] == "hf_from_the_dotenv_file"
