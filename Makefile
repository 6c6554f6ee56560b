# The two commands: `make demo` runs the panel on the sandbox, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format bench faults screenshots messages sandbox clean

$(BIN)/python:
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { echo "Python's venv module is missing (Debian/Ubuntu: apt install python3-venv)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the pinned dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,demo]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every figure (live panel, locust load run) into bench/results.json and bench/RESULTS.md,
# about 8 minutes; BENCH_QUICK=1 make bench: about 5.
bench: $(STAMP)
	$(BIN)/python -m bench

# Every page and action as admin and customer under sandbox faults, the worker killed during
# operations: prints its counts, writes bench/faults.json. About 8 minutes, and up to 10 more
# while an operation has not ended (python -m faults --short: about a minute).
faults: $(STAMP)
	$(BIN)/python -m faults

# The README's screenshots (docs/screenshots/), taken by the browser tests.
screenshots: $(STAMP)
	E2E_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/e2e/test_accessibility.py tests/e2e/test_reinstall.py

# Collect the strings marked for translation into locale/nb/ and compile them (gettext).
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

sandbox: $(STAMP)
	$(BIN)/python -m terrahost_client.sandbox --host 127.0.0.1 --port 8765

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
