# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - create the environment if missing, generate a small synthetic London, build, publish
#   make test   - create the environment if missing, run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
READY := $(VENV)/.ready
# The dbt manifest the Dagster definitions load, and every file dbt parses (as in
# pipelines/transform_inputs.py DBT_SOURCE_PATHS): re-prepared whenever one is newer.
DBT_MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := dbt_project/dbt_project.yml dbt_project/profiles.yml \
	$(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null)

.PHONY: demo test test-all build status dev generate benchmark clean

$(READY): pyproject.toml constraints.txt
	@echo "Creating the project environment in $(VENV) (pinned by constraints.txt)..."
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(READY)

# dagster-dbt's prepare-and-package (`dbt parse` into dbt_project/target), the dagster-dbt way of
# preparing the manifest ahead of time instead of in every process that loads the definitions.
$(DBT_MANIFEST): $(READY) $(DBT_SOURCES)
	@echo "Preparing the dbt manifest ($(DBT_MANIFEST))..."
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/dagster-dbt project prepare-and-package --file pipelines/defs/dbt_project.py
	@touch $(DBT_MANIFEST)

demo: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/mopac demo

test: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/pytest

test-all: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/pytest -m ""

build: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/mopac build

status: $(READY)
	$(VENV)/bin/mopac status

dev: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/mopac dev

# A measurement, not a test: `make benchmark MONTHS=60 AGAINST=12 SCALE=0.1` (see README, Performance).
MONTHS ?= 1
AGAINST ?= 1
SCALE ?= 1.0
SEED ?= 42
REPEATS ?= 3
benchmark: $(READY) $(DBT_MANIFEST)
	$(VENV)/bin/mopac benchmark --months $(MONTHS) --against $(AGAINST) --scale $(SCALE) --seed $(SEED) --repeats $(REPEATS)

clean:
	rm -rf data dbt_project/target dbt_project/logs
