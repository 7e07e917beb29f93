# Poradna — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py

.PHONY: run test screenshots install install-test node-modules translations translations-update translations-check client-docs-update client-docs-language migrate seed clean bench

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

## Compile every catalog: the staff interface's (Czech, English) and the client's documents' (.mo files are build output, not committed).
translations: $(VENV)/.installed
	$(PY) -m tools.i18n compile

## Re-extract messages from the code and merge them into both catalogs.
translations-update: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot app.py auth.py cli.py cli_reports.py config.py security.py feeds.py admin_views models services templates
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete
	$(PY) -m tools.i18n fill-en

## The client's documents (templates/client_docs, domain client_docs): re-extract their strings and
## merge them into every language's catalog; translate what is new in each (English is filled in).
client-docs-update: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel-client-docs.cfg --no-location --sort-output -o translations/client_docs.pot templates/client_docs
	$(VENV)/bin/pybabel update -i translations/client_docs.pot -d translations -D client_docs --no-fuzzy-matching --ignore-obsolete
	$(PY) -m tools.i18n fill-en client_docs

## A new language of the client's documents: make client-docs-language DOC_LANG=xx, then translate
## translations/xx/LC_MESSAGES/client_docs.po (nothing else changes).
client-docs-language: $(VENV)/.installed
	@test -n "$(DOC_LANG)" || { echo "usage: make client-docs-language DOC_LANG=xx (an ISO 639-1 code)"; exit 2; }
	$(VENV)/bin/pybabel init -i translations/client_docs.pot -d translations -D client_docs -l $(DOC_LANG)

## Fail unless the Czech staff catalogs and every language's client-documents catalog are complete
## (msgfmt counts fuzzy entries separately, pybabel does not), and the documents' catalogs hold every
## string of templates/client_docs.
translations-check: $(VENV)/.installed
	@for po in $$(ls translations/cs/LC_MESSAGES/*.po translations/*/LC_MESSAGES/client_docs.po | sort -u); do \
	  out=$$(msgfmt --check --statistics -o /dev/null $$po 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$po: $$out"; \
	  if echo "$$out" | grep -qE 'fuzzy|untranslated'; then echo "incomplete catalog: $$po"; exit 1; fi; \
	done
	@$(PY) -m tools.i18n check-client-docs

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

## The README's pictures (docs/screenshots/*.png): taken by the browser journeys, in Czech, so they show the
## screens as they are now. Commit the files that changed.
SCREENSHOT_TESTS := "tests/browser/test_booking.py::test_desk_to_a_booked_appointment_in_three_clicks[cs]" \
	"tests/browser/test_roadmap.py::test_add_complete_and_reorder_tasks_in_the_case_file[cs]" \
	tests/browser/test_manager.py::test_manager_reports_exports_anonymises_purges_and_reads_the_audit_trail
screenshots: install-test
	PORADNA_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q -p no:randomly $(SCREENSHOT_TESTS)
	@ls -l docs/screenshots/*.png

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

## The benchmark at a real centre's scale (BENCH_CLIENTS, default 100 000; DATABASE_URL selects PostgreSQL); writes BENCHMARKS.md.
bench: install
	$(PY) -m bench.run
