# The two commands a newcomer needs are `make run` and `make test` (see README.md).
# Everything installs into .venv from the locked requirements; nothing else is needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
# make run: the demo on SQLite with Celery tasks in-process, unless you set these yourself.
# The demo lowers the export threshold so that a county-wide export (745 villages) becomes
# a background report, and runs each task in a thread of the web server once the request
# has handed it over (TASKS_IN_THREAD), as a worker would: the page answers at once and
# the report's progress bar moves while the workbook is built. `make run PORT=8001`
# serves on another port.
PORT ?= 8000
# Python keeps compiled modules (and pytest its rewritten test modules) in __pycache__, so
# that each test process, worker and server the suite starts does not compile them again
# (a shell that sets PYTHONDONTWRITEBYTECODE would cost every process about 6 s of CPU).
unexport PYTHONDONTWRITEBYTECODE
RUN_ENV := DJANGO_DEBUG=true EXPORT_SYNC_MAX_ROWS=500 TASKS_IN_THREAD=true
# make stack: the full stack over local servers.
STACK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
STACK_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test test-clocks lint typecheck stack messages makemessages lock bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Compile the translations with Babel (pure Python: no GNU gettext needed to install).
messages: $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -d locale -D django

# After adding or changing a user-facing string: regenerate the catalogue (needs GNU
# gettext's xgettext), then translate the new entries in locale/zh_Hans/.../django.po.
makemessages: $(VENV)/.runtime
	DJANGO_DEBUG=true $(MANAGE) makemessages -l zh_Hans --no-obsolete \
		-i ".venv/*" -i "var/*" -i "static/*" -i "tests/*" -i "bench/*"

run: $(VENV)/.runtime messages
	mkdir -p var
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# The suite runs in parallel (pytest-xdist), one process per core, each with its own test
# database and Redis database. --dist load hands each process two tests at a time in one order, so
# each keeps pytest-django's order: the tests that flush the database (transactional ones)
# after those that read the session's divisions. `make test TEST_WORKERS=0`: one process.
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist load --maxschedchunk 2
test: $(VENV)/.dev messages
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The suite on the days that catch a test depending on the day it runs: just after the
# 25th's deadline, a 31st (next month is shorter), New Year's Day at 00:30 in Shanghai
# (still 31 December in UTC) and a leap day. The worker and load tests start processes
# of their own on the real clock, so they are left out here.
CLOCKS ?= 2027-03-26T00:05+08:00 2027-03-31T10:00+08:00 2027-01-01T00:30+08:00 2028-02-29T12:00+08:00
test-clocks: $(VENV)/.dev messages
	@for clock in $(CLOCKS); do \
		echo "== the suite on $$clock"; \
		PORTAL_TEST_CLOCK=$$clock $(BIN)/pytest $(PYTEST_PARALLEL) -q -m "not worker and not load" \
			|| exit 1; \
	done

lint: $(VENV)/.dev typecheck
	$(BIN)/ruff check .

# mypy with the Django and DRF plugins over the portal's apps (not migrations, tests or
# bench); settings in pyproject.toml's [tool.mypy]. 10-30 s cold, 2-5 s from .mypy_cache.
typecheck: $(VENV)/.dev
	$(BIN)/mypy

# The production shape without Docker: gunicorn, Celery beat and two Celery workers
# (Procfile: `periodic` for the periodic and default queues, `worker` for imports and
# reports) over the PostgreSQL and Redis installed on this machine. `make stack
# STACK_WORKERS=3` runs three imports-and-reports workers.
STACK_WORKERS ?= 1
stack: $(VENV)/.runtime messages
	-createdb -h 127.0.0.1 -U postgres portal 2>/dev/null
	DATABASE_URL=$(STACK_DATABASE_URL) REDIS_URL=$(STACK_REDIS_URL) STACK_WORKERS=$(STACK_WORKERS) \
		bash bin/stack

# Benchmarks on PostgreSQL with the real divisions (not part of `make test`): figures are
# printed and written to bench/RESULTS.md. The database named here is dropped and rebuilt.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
# The quarterly report's fan-out over real workers needs Redis (skipped when unreachable).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
bench: $(VENV)/.dev messages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/deadline_check.py
	DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/quarterly_report.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/dashboard.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/batch.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/transitions.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/imports.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/province_journey.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/pages.py
	PAGES_REUSE=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/every_page.py
	@command -v wrk >/dev/null || echo "wrk is not installed (apt-get install wrk): no throughput figures"
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/compare.py

# Re-lock exact versions from the ranges in pyproject.toml, in a throw-away venv.
lock:
	$(PYTHON) bin/lock.py

clean:
	rm -rf $(VENV) var
