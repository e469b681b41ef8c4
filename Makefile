# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - create the environment if missing, generate a small synthetic London, build, publish
#   make test   - create the environment if missing, run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
READY := $(VENV)/.ready

.PHONY: demo test test-all build status dev generate benchmark clean

$(READY): pyproject.toml constraints.txt
	@echo "Creating the project environment in $(VENV) (pinned by constraints.txt)..."
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(READY)

demo: $(READY)
	$(VENV)/bin/mopac demo

test: $(READY)
	$(VENV)/bin/pytest

test-all: $(READY)
	$(VENV)/bin/pytest -m ""

build: $(READY)
	$(VENV)/bin/mopac build

status: $(READY)
	$(VENV)/bin/mopac status

dev: $(READY)
	$(VENV)/bin/mopac dev

clean:
	rm -rf data dbt_project/target dbt_project/logs
