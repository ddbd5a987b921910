# The two commands of the README: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Reinstall when a requirements file changes.
REQ_STAMP := $(VENV)/.req-$(shell cat requirements.txt pyproject.toml 2>/dev/null | sha1sum | cut -c1-10)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt pyproject.toml 2>/dev/null | sha1sum | cut -c1-10)
PYTEST_ARGS ?=
TEST_WORKERS ?= 2

.PHONY: demo test lint typecheck unit pytest test-postgres browsers node-tools bench serve worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(REQ_STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(DEV_STAMP): $(REQ_STAMP) requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

## make demo: seed ./instance/demo.db and serve the product at http://127.0.0.1:8080
demo: $(REQ_STAMP)
	$(BIN)/addin-server demo

## make test: lint, type-check, then the whole suite (and the database, web and security tests again on PostgreSQL when TEST_POSTGRES_URL is set)
test: $(DEV_STAMP) browsers node-tools lint typecheck pytest test-postgres

lint: $(DEV_STAMP)
	$(BIN)/ruff check addin_server addin_emulator tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

pytest: $(DEV_STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) -q $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP)
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
	  echo "== database tests again on PostgreSQL ($$TEST_POSTGRES_URL)"; \
	  TEST_DATABASE_URL="$$TEST_POSTGRES_URL" $(BIN)/pytest -n $(TEST_WORKERS) -q -m "not browser" tests/integration tests/web tests/security $(PYTEST_ARGS); \
	else echo "== TEST_POSTGRES_URL not set: PostgreSQL run skipped (CI sets it)"; fi

# Browser tests use Debian's chromium (Playwright's own download cannot work offline).
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "== installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "!! chromium could not be installed: browser tests will say so"; }

# Node tools from the npm registry, pinned by their lock files: in tests/e2e/outlook, Microsoft's manifest
# converter and validator, TypeScript with @types/office-js (tsc --checkJs of the pane's scripts) and
# @azure/msal-browser (whose bundle static/outlook/vendor must equal); in tests/e2e/app, axe-core.
node-tools:
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund --prefix tests/e2e/outlook \
	  || echo "!! npm ci failed: the manifest and script checks will say so"; \
	  npm ci --silent --no-audit --no-fund --prefix tests/e2e/app \
	  || echo "!! npm ci failed: the accessibility tests will say so"; \
	else echo "== npm not found: the manifest, script and accessibility checks will say so"; fi

bench: $(DEV_STAMP)
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

serve: $(REQ_STAMP)
	$(BIN)/addin-server serve

worker: $(REQ_STAMP)
	$(BIN)/addin-server worker

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache test-artifacts
