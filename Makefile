# Portal: `make dev` runs the whole product locally; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
NPM ?= npm
NODE_STAMP := node_modules/.installed

.PHONY: install catalogs translations dev test test-postgres test-newest test-lowest lock lint bench bench-large migration clean

## Installs are reproducible: exactly the versions in requirements/dev.lock (made by `make lock`
## from pyproject.toml's bounds), then Portal itself without resolving anything again.
$(BIN)/.installed: pyproject.toml requirements/dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/dev.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

install: $(BIN)/.installed catalogs

## Languages (portal/i18n.py): the compiled catalogs (.mo, not in git) from the translations
## (.po); `make translations` extracts every marked message again and updates each catalog.
LANGS := de fr es nl ar
PO_FILES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
catalogs: $(MO_FILES)
portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po | $(BIN)/.installed
	$(BIN)/pybabel -q compile -l $* -i $< -o $@
translations: $(BIN)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy -k _l -k lazy_gettext -k lazy_ngettext:1,2 --add-comments=Translators: --sort-by-file \
	  --width 100 --project Portal --copyright-holder "Portal contributors" -o portal/translations/messages.pot .
	for l in $(LANGS); do \
	  if [ -f portal/translations/$$l/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update --no-fuzzy-matching --width 100 -l $$l -i portal/translations/messages.pot -d portal/translations; \
	  else $(BIN)/pybabel -q init --width 100 -l $$l -i portal/translations/messages.pot -d portal/translations; fi; \
	done

## Pin again after a change of pyproject.toml's dependencies (uv resolves; pip installs).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --python-version 3.11 -q --no-header
lock: $(BIN)/.installed
	$(BIN)/python -m pip install -q uv
	$(UV_COMPILE) --extra dev --extra postgres --extra s3 -o requirements/dev.lock
	$(UV_COMPILE) --extra prod --extra s3 -o requirements/prod.lock

## The suite against the newest releases pyproject.toml allows (SQLite), in a venv of its own:
## a breaking upstream release shows here before users meet it. .ci/run reports it separately.
test-newest: catalogs $(NODE_STAMP)
	rm -rf .venv-newest && $(PYTHON) -m venv .venv-newest
	.venv-newest/bin/python -m pip install -q --upgrade pip
	.venv-newest/bin/python -m pip install -q --upgrade -e '.[dev,postgres,s3]'
	.venv-newest/bin/python -m pytest -n $${PYTEST_WORKERS:-2} -p no:cacheprovider $(PYTEST_ARGS)

## The suite against the OLDEST releases pyproject.toml allows (its lower bounds), so each bound
## is one the code really works with.
test-lowest: $(BIN)/.installed catalogs $(NODE_STAMP)
	rm -rf .venv-lowest && $(PYTHON) -m venv .venv-lowest
	$(BIN)/python -m pip install -q uv
	$(UV_COMPILE) --extra dev --extra postgres --extra s3 --resolution lowest-direct -o .venv-lowest/lowest.lock
	.venv-lowest/bin/python -m pip install -q --upgrade pip
	.venv-lowest/bin/python -m pip install -q -r .venv-lowest/lowest.lock
	.venv-lowest/bin/python -m pip install -q --no-deps -e .
	.venv-lowest/bin/python -m pytest -n $${PYTEST_WORKERS:-2} -p no:cacheprovider $(PYTEST_ARGS)

## npm packages of the browser tests (axe-core), exactly as package-lock.json pins them; again
## when the lock changes. Without npm the accessibility crawl is skipped (it fails when CI is set).
$(NODE_STAMP): package.json package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
	  $(NPM) ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is not installed: the axe-core accessibility crawl will be skipped (apt-get install nodejs npm)"; fi

## Run everything: migrate a SQLite file, load demo data, start Redis (if none),
## the SMTP catcher, RQ workers, scheduler and web server on http://127.0.0.1:$(PORT).
## Queues are prefixed per checkout, so two checkouts sharing one Redis do not take each other's jobs.
dev: install
	export PORTAL_ENV=$${PORTAL_ENV:-development} PORTAL_DEFAULT_FIRM=$${PORTAL_DEFAULT_FIRM:-demo} \
	       PORTAL_QUEUE_PREFIX=$${PORTAL_QUEUE_PREFIX:-portal-dev-$$(printf %s "$(CURDIR)" | cksum | cut -d' ' -f1)} \
	       PORTAL_PUBLIC_PORT_SUFFIX=$${PORTAL_PUBLIC_PORT_SUFFIX:-:$(PORT)} \
	       PORTAL_PUBLIC_URL=$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PORT)} PORT=$(PORT); \
	$(BIN)/portal db upgrade && $(BIN)/portal demo && exec $(BIN)/portal dev

## The whole suite (SQLite; set PORTAL_TEST_DATABASE_URL for PostgreSQL)
test: install $(NODE_STAMP)
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

test-postgres: install $(NODE_STAMP)
	PORTAL_TEST_DATABASE_URL=$${PORTAL_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

## Lint: ruff (rules and formatting, see [tool.ruff] in pyproject.toml) and mypy (models, services, worker).
## The same checks run before each commit with `pre-commit install` (.pre-commit-config.yaml).
## All three run even when one fails, so one run shows everything to fix.
lint: install
	@rc=0; \
	echo "ruff check ."; $(BIN)/ruff check . || rc=1; \
	echo "ruff format --check ."; $(BIN)/ruff format --check . || rc=1; \
	echo "mypy"; $(BIN)/mypy || rc=1; \
	exit $$rc

## Benchmarks (never part of `make test`): generate firms of 10,000 and 100,000 candidates, load
## the pages with wrk under gunicorn at each size, run the worker benchmarks, rewrite
## docs/PERFORMANCE.md (targets judged at 100,000; the Scale section compares the sizes).
## BENCH_ARGS="--scale 0.05" for a quick run of one size; BENCH_POSTGRES=postgresql+psycopg://.../portal_bench adds PostgreSQL.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing wrk (Debian package)"; \
	    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
	      || echo "wrk could not be installed: the Python load generator will be used"; \
	  else echo "wrk is not installed (and not root): the Python load generator will be used"; fi; }
	$(BIN)/python -m bench $(BENCH_ARGS)

## The page set at 1,000,000 candidates on PostgreSQL (issue 24, point 5): generates the firm
## (COPY through psycopg; tens of minutes and ~14 GB), runs every page against both ceilings,
## writes bench/data/results-large.json and prints the figures (docs/PERFORMANCE.md untouched).
## BENCH_POSTGRES names the server and database (its name must contain 'bench').
BENCH_LARGE_DB ?= $(if $(BENCH_POSTGRES),$(BENCH_POSTGRES),postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_large)
bench-large: install
	@command -v wrk >/dev/null 2>&1 || echo "wrk is not installed: the Python load generator will be used"
	$(BIN)/python -m bench --no-sqlite --postgres $(BENCH_LARGE_DB) --scales 1,10 --no-worker --no-doc \
	  --results bench/data/results-large.json $(BENCH_ARGS)

## A new Alembic revision from the models, after the existing ones (M="what changed"; numbered
## after the newest): it upgrades a scratch SQLite database to head, then compares it with the models.
migration: install
	@test -n "$(M)" || { echo 'usage: make migration M="what changed"'; exit 2; }
	rm -rf /tmp/portal-migration && mkdir -p /tmp/portal-migration
	last=$$(ls portal/migrations/versions | sed -n 's/^\([0-9]\{4\}\)_.*/\1/p' | sort | tail -1); \
	next=$$(printf %04d $$((10#$$last + 1))); \
	export PORTAL_ENV=development PORTAL_INSTANCE_DIR=/tmp/portal-migration \
	       PORTAL_DATABASE_URL=sqlite:////tmp/portal-migration/m.db; \
	$(BIN)/portal db upgrade && $(BIN)/portal db migrate --rev-id $$next -m "$(M)"

clean:
	rm -rf $(VENV) .venv-newest .venv-lowest instance .pytest_cache node_modules
