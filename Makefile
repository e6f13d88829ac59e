# NextFilms. `make run` starts the site on zero-setup defaults; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/nextfilms
# The zero-setup default; tests marked `postgresql` (COPY, pg_trgm) are skipped on it.
SQLITE_TEST_DATABASE_URL ?= sqlite:///$(CURDIR)/var/nextfilms-test.sqlite3

.PHONY: run test venv dev-venv services chromium lint migrate-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

dev-venv: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

## Development site on SQLite with tasks in-process; downloads ml-latest-small and trains on first run.
run: venv
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py import_movielens --if-empty
	DEBUG=true $(BIN)/python manage.py train_recommender
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Lint, migration check and the whole test suite (browser tests included) on PostgreSQL, then on SQLite.
test: dev-venv services chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_SETTINGS_MODULE=nextfilms.settings_test \
		$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)
	DATABASE_URL=$(SQLITE_TEST_DATABASE_URL) $(BIN)/pytest $(PYTEST_ARGS)

## Start PostgreSQL and Redis if they are not running (CI and dev machines).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@createdb -h 127.0.0.1 -U postgres nextfilms 2>/dev/null || true
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

## Debian's Chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: dev-venv
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
