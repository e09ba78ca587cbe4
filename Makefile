# Two entry points: `make demo` (the main job) and `make test` (the whole suite).
# Each creates .venv on first use and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test,plots]'
	touch $@

$(VENV)/.oracle: $(VENV)/.installed
	$(BIN)/pip install -q torch==2.13.0 || echo "torch oracle not installed: oracle tests will skip"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/ember train

test: $(VENV)/.oracle
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(VENV)/.oracle
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
