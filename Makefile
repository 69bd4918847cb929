# skillcert: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 127.0.0.1
BIN := $(VENV)/bin
export SKILLCERT_DATA_DIR ?= $(CURDIR)/var

KAI_FONT := /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf

.PHONY: run test typecheck install install-test lint schema e2e clean fonts fuzz

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

# Receipts and certificates embed a Kai typeface (Debian's fonts-lxgw-wenkai): installed when
# missing and we are root; otherwise a hint (set SKILLCERT_CJK_FONT to a .ttf instead).
fonts:
	@if [ -z "$$SKILLCERT_CJK_FONT" ] && [ ! -e $(KAI_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing fonts-lxgw-wenkai"; \
	    apt-get install -y -qq --no-install-recommends fonts-lxgw-wenkai >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-lxgw-wenkai >/dev/null; }; \
	  else \
	    echo "提示：未找到楷体字体，回执和证书 PDF 将无法生成。请安装 fonts-lxgw-wenkai 或设置 SKILLCERT_CJK_FONT。"; \
	  fi; \
	fi

run: install fonts
	$(BIN)/skillcert setup
	$(BIN)/skillcert demo
	@# The web server and one worker (background jobs, periodic sweeps); Ctrl-C stops both.
	@PORT=$(PORT) SKILLCERT_HOST=$(HOST) $(BIN)/skillcert worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/skillcert serve --host $(HOST) --port $(PORT)

# mypy's Django plugin imports the settings, which create the data directory: a throwaway
# one inside mypy's cache keeps ./var untouched.
MYPY := SKILLCERT_DATA_DIR=$(CURDIR)/.mypy_cache/data $(BIN)/mypy

test: install-test fonts
	$(BIN)/ruff check src tests bench
	$(MYPY)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# Schemathesis against the committed schema (tests/fuzz): minutes, so not part of `make test`.
fuzz: install-test
	SKILLCERT_FUZZ=1 $(BIN)/pytest -n 2 -p no:randomly -m fuzz tests/fuzz $(PYTEST_ARGS)

typecheck: install-test
	$(MYPY)

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Regenerate the committed OpenAPI schema after changing the API on purpose.
schema: install
	$(BIN)/skillcert spectacular --file src/skillcert/api/openapi.yaml --validate

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
