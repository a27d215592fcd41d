# 基层党建工作台 — two commands: `make run` and `make test`.
# `make run`: waitress on SQLite with one background task worker beside it (one command).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run serve test lint bench migrate demo backup

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0

run: migrate
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# District / county on PostgreSQL: gunicorn with WORKERS processes, a task worker beside it.
# Set DATABASE_URL=postgres://… and CACHE_URL=redis://127.0.0.1:6379/1 (docs/DEPLOYMENT.md).
serve: migrate
	$(PY) manage.py serve --host $(HOST) --port $(PORT) --workers $${WORKERS:-4}

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(VENV)/bin/pytest -n 2 --dist loadfile

# Its own database (var/bench/, or DATABASE_URL if set): the benchmark wipes and regenerates data.
bench: install
	DANGJIAN_DEVTOOLS=1 DANGJIAN_VAR=$(CURDIR)/var/bench $(PY) manage.py bench --scale $${SCALE:-township} --reset \
		--json var/bench.json --doc docs/PERFORMANCE.md
