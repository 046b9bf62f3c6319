# CEPA Collab: `make demo` runs the app with demo data, `make test` runs the tests.
# Needs only Python 3.11+ and make; everything else is installed into .venv/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/base.txt requirements/dev.txt | cksum | cut -d' ' -f1)

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install demo run test lint format bench messages check-deploy lock clean screenshots

$(STAMP): requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CEPA Collab needs Python 3.11 or newer; found " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# Web (gunicorn), Celery worker and Celery beat on SQLite and the filesystem broker.
demo: export DEBUG ?= 1
demo: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "CEPA Collab is starting on http://127.0.0.1:8000/ (web, worker, beat). Ctrl-C stops all."
	@echo
	$(BIN)/honcho start -f Procfile

# The suite runs on every core (pytest-xdist); TEST_WORKERS=0 runs it in one process, as CI
# does: its tests share one Redis (cache and broker) that parallel workers would clear.
TEST_WORKERS ?= auto

test: export DEBUG ?= 1
# Compiled modules, and pytest's assertion-rewritten test modules, are kept under var/pycache
# even where the environment sets PYTHONDONTWRITEBYTECODE: otherwise every xdist worker
# compiles the ~400 modules it imports again, on every run (~10 s of CPU per worker).
test: export PYTHONDONTWRITEBYTECODE :=
test: export PYTHONPYCACHEPREFIX ?= $(abspath var/pycache)
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: export DEBUG ?= 1
bench: install
	$(BIN)/python -m pip install --quiet -r requirements/bench.txt
	$(BIN)/python -m bench $(BENCH_ARGS)

# The main pages of each role of the demo, as PNG files in docs/screenshots/ (a fresh demo
# world in a temporary SQLite database, its own live server, Debian's Chromium).
screenshots: install
	$(BIN)/python docs/screenshots/take.py

# Regenerate and compile the French catalogue after changing UI strings.
messages: export DEBUG ?= 1
messages: install
	$(BIN)/python manage.py makemessages -l fr -l es -l ar --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Re-resolve the pinned sets from pyproject.toml's ranges.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet .
	.lock-venv/bin/pip freeze --exclude cepa-collab > requirements/base.txt.new
	.lock-venv/bin/pip install --quiet ".[dev]"
	@echo "Review requirements/base.txt.new, then update requirements/dev.txt from: .lock-venv/bin/pip freeze"

clean:
	rm -rf $(VENV) .lock-venv var .pytest_cache .ruff_cache
