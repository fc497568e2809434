# The two commands a newcomer needs are `make run` and `make test`; each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV_HOME := .cache/uv
UV := $(UV_HOME)/bin/uv
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# Real PostgreSQL and Redis for the test suite; override on the command line or in the environment.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2
TEST_ENV := DEBUG=false SECRET_KEY=test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	FIELD_ENCRYPTION_KEYS=test-only-field-encryption-key \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	SECURE_SSL_REDIRECT=false LOG_FORMAT=console LOG_LEVEL=WARNING VAR_DIR=$(CURDIR)/var/test

# What `manage.py check --deploy` sees: production defaults, nothing relaxed.
DEPLOY_ENV := DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))') \
	ALLOWED_HOSTS=portal.example.gov.uk PORTAL_URL=https://portal.example.gov.uk DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: help
help:
	@echo "make run    the whole portal with demo data on http://127.0.0.1:8000 (Ctrl-C stops it)"
	@echo "make test   every check: lint, format, types, migrations, deploy check, tests"

# --- Environments ---------------------------------------------------------------------------------

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	touch $@

.PHONY: venv
venv: $(VENV)/.synced

.PHONY: lock
lock: | $(UV)
	$(UV) lock --python $(PYTHON)

# --- Running --------------------------------------------------------------------------------------

# With no DATABASE_URL or REDIS_URL in the environment this needs nothing installed: SQLite and a
# folder broker under var/. Export both to run the same processes on PostgreSQL and Redis.
# Messages (e-mail, text messages) go through the GOV.UK Notify simulator that `simulate` starts
# on port 8108 (each one is printed in the output, and listed at 127.0.0.1:8108/_notifications);
# `make run NOTIFY_API_KEY=` prints e-mail to the console instead. The key, templates and callback
# token are the simulator's demo ones (integrations/simulators/notify.py), known to all.
NOTIFY_DEMO_ENV := NOTIFY_API_KEY=$(if $(filter command line,$(origin NOTIFY_API_KEY)),$(NOTIFY_API_KEY),my_council_demo-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0) \
	NOTIFY_BASE_URL=http://127.0.0.1:8108 \
	NOTIFY_TEMPLATES_FILE=$(CURDIR)/integrations/simulators/notify_demo_templates.json \
	NOTIFY_CALLBACK_TOKEN=simulator-notify-callback-token-0123456789
RUN_ENV := DEBUG=true PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(NOTIFY_DEMO_ENV)

.PHONY: run
run: venv assets
	@mkdir -p var
	$(RUN_ENV) python manage.py migrate --noinput
	$(RUN_ENV) python manage.py seed_catalogue
	$(RUN_ENV) python manage.py seed_demo_routing
	@# Last: its teams and cases need the routed services, and it prints the demo sign-ins.
	$(RUN_ENV) python manage.py seed_demo
	@echo "Starting web (http://127.0.0.1:8000), worker, beat and the back-office simulators"
	@echo "(ports 8101-8107) and GOV.UK Notify (8108); Ctrl-C stops them all."
	$(RUN_ENV) exec honcho --procfile Procfile.dev start

# --- Checks ---------------------------------------------------------------------------------------

.PHONY: test
test: venv assets test-services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(VENV)/bin/mypy .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(TEST_ENV) $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Only the test suite, e.g. `make pytest ARGS="tests/portal/accounts -x"`.
.PHONY: pytest
pytest: venv test-services
	$(TEST_ENV) $(VENV)/bin/pytest $(ARGS)

.PHONY: format
format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# PostgreSQL and Redis must be running on 127.0.0.1; start them if installed but stopped.
.PHONY: test-services
test-services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then \
	    echo "Starting PostgreSQL"; \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start; \
	  else \
	    echo "PostgreSQL is not running on 127.0.0.1:5432 and is not installed."; \
	    echo "Install it (apt-get install postgresql) or point TEST_DATABASE_URL at one."; exit 1; \
	  fi; \
	fi
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  if command -v redis-server >/dev/null; then \
	    echo "Starting Redis"; \
	    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	    sleep 1; \
	  else \
	    echo "Redis is not running on 127.0.0.1:6379 and is not installed."; \
	    echo "Install it (apt-get install redis-server) or point TEST_REDIS_URL at one."; exit 1; \
	  fi; \
	fi

# --- Front end ------------------------------------------------------------------------------------

.PHONY: assets
assets:
	@# npm ci again whenever package.json or the lock file is newer than the last install.
	@if [ ! -f node_modules/.installed ] || [ package.json -nt node_modules/.installed ] \
	    || [ package-lock.json -nt node_modules/.installed ]; then \
	  npm ci --no-audit --no-fund && touch node_modules/.installed; \
	fi
	@mkdir -p portal/static/build/govuk/assets
	@# Compile only when a source or the installed packages are newer than the CSS.
	@if [ ! -f portal/static/build/portal.css ] || [ node_modules/.installed -nt portal/static/build/portal.css ] \
	    || [ -n "$$(find portal/static_src -newer portal/static/build/portal.css)" ]; then \
	  echo "sass portal/static_src/portal.scss portal/static/build/portal.css"; \
	  node_modules/.bin/sass --no-source-map --style=compressed --pkg-importer=node \
	    portal/static_src/portal.scss portal/static/build/portal.css; \
	fi
	@# The staff workspace's MOJ Frontend patterns, in a stylesheet of their own (see staff.scss).
	@if [ ! -f portal/static/build/staff.css ] || [ node_modules/.installed -nt portal/static/build/staff.css ] \
	    || [ -n "$$(find portal/static_src -newer portal/static/build/staff.css)" ]; then \
	  echo "sass portal/static_src/staff.scss portal/static/build/staff.css"; \
	  node_modules/.bin/sass --no-source-map --style=compressed --pkg-importer=node --load-path=. \
	    --quiet-deps portal/static_src/staff.scss portal/static/build/staff.css; \
	fi
	@mkdir -p portal/static/build/moj/assets
	cp -R node_modules/@ministryofjustice/frontend/moj/assets/images portal/static/build/moj/assets/
	@# Images only: the council font stack needs no font files.
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
	  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js.map portal/static/build/
	cp -R node_modules/govuk-frontend/dist/govuk/assets/images portal/static/build/govuk/assets/
	@# Leaflet, for the location question's map; its stylesheet finds its images beside it, and the
	@# source map must be there too or collectstatic's manifest storage fails on leaflet.js.
	@mkdir -p portal/static/build/leaflet
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
	  node_modules/leaflet/dist/leaflet.css portal/static/build/leaflet/
	cp -R node_modules/leaflet/dist/images portal/static/build/leaflet/

.PHONY: clean
clean:
	rm -rf $(VENV) .cache var node_modules

# --- Translations ---------------------------------------------------------------------------------

# Update the Welsh catalogue from the code and templates, then compile it. Needs GNU gettext;
# commit both locale/cy/LC_MESSAGES/django.po and django.mo, so `make run` needs no gettext.
.PHONY: messages
messages: venv
	DEBUG=true $(PY) manage.py makemessages -l cy --ignore=node_modules --ignore=.venv --ignore=var --ignore=tests
	DEBUG=true $(PY) manage.py compilemessages -l cy --ignore=node_modules --ignore=.venv

# --- Benchmarks -----------------------------------------------------------------------------------

# Delivery throughput and latency against the webhook simulator (services/benchmarks/delivery.py), on
# a database of its own next to the test one (created and migrated if missing) and TEST_REDIS_URL.
BENCH_DATABASE_URL ?= $(dir $(TEST_DATABASE_URL))portal_bench

.PHONY: bench-delivery
bench-delivery: venv test-services
	$(TEST_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m services.benchmarks.delivery $(ARGS)

# The workspace's case search over a million cases (services/benchmarks/search.py): loads them
# into the same bench database once (COPY, a few minutes), then prints p50/p95 per kind of query.
.PHONY: bench-search
bench-search: venv test-services
	$(TEST_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m services.benchmarks.search $(ARGS)
