# skillcert: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
BIN := $(VENV)/bin
export SKILLCERT_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install install-test lint schema e2e clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/skillcert setup
	$(BIN)/skillcert demo
	$(BIN)/skillcert serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Regenerate the committed OpenAPI schema after changing the API on purpose.
schema: install
	$(BIN)/skillcert spectacular --file src/skillcert/api/openapi.yaml --validate

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
