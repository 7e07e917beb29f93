# Poradna — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py

.PHONY: run test install install-test node-modules translations translations-update translations-check migrate seed clean bench

## True when node_modules holds the axe-core version package-lock.json pins.
define AXE_MATCHES_LOCK
import json, sys
locked = json.load(open("package-lock.json"))["packages"]["node_modules/axe-core"]["version"]
installed = json.load(open("node_modules/axe-core/package.json"))["version"]
sys.exit(locked != installed)
endef
export AXE_MATCHES_LOCK

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations node-modules

## axe-core for the browser tests, from the lock file (npm ci) when npm is installed and node_modules does not
## already hold the locked version (so a shared node_modules is not reinstalled under a running test).
node-modules:
	@if [ -f node_modules/axe-core/axe.min.js ] && $(PY) -c "$$AXE_MATCHES_LOCK"; then :; \
	elif command -v npm >/dev/null 2>&1; then echo "npm ci (axe-core for the browser tests)"; npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests need node_modules/axe-core (install npm, then make install-test)"; fi

## Compile the Czech and English catalogs (.mo files are build output, not committed).
translations: $(VENV)/.installed
	$(PY) -m tools.i18n compile

## Re-extract messages from the code and merge them into both catalogs.
translations-update: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot app.py auth.py cli.py cli_reports.py config.py security.py feeds.py admin_views models services templates
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete
	$(PY) -m tools.i18n fill-en

## Fail unless the Czech catalog is complete (msgfmt counts fuzzy entries separately, pybabel does not).
translations-check:
	@for po in translations/cs/LC_MESSAGES/*.po; do \
	  out=$$(msgfmt --check --statistics -o /dev/null $$po 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$po: $$out"; \
	  if echo "$$out" | grep -qE 'fuzzy|untranslated'; then echo "incomplete Czech catalog: $$po"; exit 1; fi; \
	done

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) demo seed --if-empty

## Create the venv, install, migrate the embedded SQLite database, seed demo data once, serve on :5000.
run: migrate
	@$(FLASK) demo seed --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

## Install test dependencies and run the whole suite (TEST_DATABASE_URL selects PostgreSQL).
test: install-test
	$(PY) -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

## The benchmark at a real centre's scale (BENCH_CLIENTS, default 100 000; DATABASE_URL selects PostgreSQL); writes BENCHMARKS.md.
bench: install
	$(PY) -m bench.run
