# The commands of the README. Each sets itself up on a fresh machine.
#   make course          run every notebook offline (smoke mode), each in a fresh runtime, from nothing
#   make notebook N=08   run one notebook the same way (after the notebooks it needs)
#   make test            lint, unit tests, static notebook checks, and every notebook under nbval
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The CPU build of torch; Colab keeps its own (see colab_setup.sh).
TORCH ?= torch==2.13.0

.PHONY: setup course notebook test unit notebooks lint clean

setup: $(VENV)/.installed

# The stack pinned in constraints.txt, the file colab_setup.sh installs from too: CI tests what
# learners get. Python 3.11 or newer (pyproject.toml's requires-python).
$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "make setup needs Python 3.11 or newer: make setup PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

course: setup
	$(PY) -m standins.runner --out build/course

notebook: setup
	@test -n "$(N)" || (echo "Say which notebook: make notebook N=08" && exit 2)
	$(PY) -m standins.runner --out build/notebook-$(N) --only $(N)

lint: setup
	$(PY) -m ruff check helpers standins tools tests bench notebooks conftest.py
	$(PY) -m pylint helpers   # duplicate code (6 lines or more) in the learners' package

unit: setup
	$(PY) -m pytest tests -q

notebooks: setup
	$(PY) -m pytest --nbval-lax --nbval-current-env notebooks -q

test: lint unit notebooks

clean:
	rm -rf build smoke .pytest_cache .ruff_cache
