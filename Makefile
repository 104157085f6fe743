# Stafett: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NPM_STAMP := node_modules/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint typecheck check-deploy clean browser-deps messages

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $@

# Demo: SQLite in var/, synthetic people, the development login, and the worker
# (notifications, reminders) beside the web server. No other process, no other server.
DEMO_ENV := STAFETT_DEBUG=true STAFETT_DEMO=true STAFETT_ARCHIVE_TARGET=fiks-arkiv
run: $(STAMP)
	mkdir -p var
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Stafett kjører på http://127.0.0.1:8000 (Ctrl+C stopper). E-post og SMS skrives ut her."
	@$(DEMO_ENV) $(PY) manage.py run_huey --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# npm packages for the test suite: axe-core (accessibility) and oidc-provider (a real OpenID provider).
$(NPM_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm mangler: nettlesertestene og OIDC-testene hoppes over"; fi

# Two processes by default (pytest-xdist, one per core here; a file's tests stay together).
PYTEST_ARGS ?= -n auto --dist loadfile
test: $(DEV_STAMP)
	-@$(MAKE) --no-print-directory $(NPM_STAMP)
	$(VENV)/bin/ruff check stafett tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

# Update the nn and en catalogues from the code (needs GNU gettext), then compile them; the
# .po and .mo files are committed so `make run` needs neither. STAFETT_LOCALE_DIR picks another folder.
MESSAGE_IGNORES = --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=staticfiles --ignore=var --ignore=stafett/locale
messages: $(DEV_STAMP)
	STAFETT_DEBUG=true $(PY) manage.py makemessages -l nn -l en --no-obsolete --no-wrap --add-location=file $(MESSAGE_IGNORES)
	STAFETT_DEBUG=true $(PY) manage.py compilemessages $(MESSAGE_IGNORES)

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check stafett tests bench
	$(VENV)/bin/ruff format --check stafett tests bench

clean:
	rm -rf $(VENV) node_modules var staticfiles
