# Evidentia: `make demo` serves the demo, `make test` runs the tests (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo serve serve-demo test test-fast lint format migrate audit clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# axe-core for the browser accessibility tests (development only, never served)
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi
	touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo as a visitor meets it: DEBUG off, static files from whitenoise, the site's own
# 404 and 500 pages (config/settings/demo.py). `make demo PORT=8001` serves another port.
PORT ?= 8000
DEMO := DJANGO_SETTINGS_MODULE=config.settings.demo

demo: install
	$(DEMO) $(BIN)/python manage.py migrate --noinput
	$(DEMO) $(BIN)/python manage.py load_demo
	$(DEMO) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production settings on PostgreSQL + Redis: migrate, collectstatic, then gunicorn, a Celery
# worker and Celery beat until SIGTERM / Ctrl-C (scripts/serve.sh, docs/operations.md).
serve: install
	bash scripts/serve.sh

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# lint-imports: the import contracts of pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Known vulnerabilities in the installed dependencies (pip-audit, PyPI's advisory data).
# --strict: a package it could not look up fails the audit instead of passing unchecked.
audit: install
	@$(BIN)/python -c "import django, urllib.request as u; u.urlopen(f'https://pypi.org/pypi/django/{django.__version__}/json', timeout=20)" 2>/dev/null \
	  || { echo "make audit: PyPI's per-release JSON API (https://pypi.org/pypi/<name>/<version>/json), where pip-audit reads advisories, does not answer from this machine; nothing was audited." >&2; exit 1; }
	$(BIN)/pip-audit --strict --skip-editable --vulnerability-service pypi --progress-spinner off

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Parser fuzzing with a big budget (tests/fuzz/strategies.py): 5,000 examples per target and
# a fresh random seed each run; `make test` runs the same tests with 200, derandomised.
# FUZZ_EXAMPLES=N changes the budget.
.PHONY: fuzz
fuzz: install
	FUZZ_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz -q $(PYTEST_ARGS)

# Benchmarks on PostgreSQL + Redis (bench/run_all.py; BENCH_* settings in
# bench/harness/options.py): `bench` writes docs/benchmarks.md (and
# docs/benchmarks-growth.svg) from one run: about 45 minutes once the corpora exist (the main
# 200k evidentia_bench, evidentia_bench_20k and evidentia_bench_1m of the growth stage are
# made the first time, which takes longer). Stages: BENCH_STAGES="queries http load refresh
# parse search growth"; BENCH_OUT_DIR (default var/bench) takes results.json and the logs.
# `bench-quick` is a short version writing benchmarks-quick.md there; `bench-growth` runs
# the growth stage alone (goal 6, into BENCH_OUT_DIR); `load` runs only the mixed load.
.PHONY: bench bench-quick bench-growth load bench-tools

bench: install bench-tools
	$(BIN)/python -u bench/run_all.py

bench-quick: install bench-tools
	BENCH_QUICK=1 $(BIN)/python -u bench/run_all.py

bench-growth: install bench-tools
	BENCH_QUICK=1 BENCH_STAGES=growth BENCH_GROWTH_RUNS=$${BENCH_GROWTH_RUNS:-3} \
		BENCH_GROWTH_SECONDS=$${BENCH_GROWTH_SECONDS:-3} \
		BENCH_GROWTH_REFRESH_N=$${BENCH_GROWTH_REFRESH_N:-1000} $(BIN)/python -u bench/run_all.py

load: install bench-tools
	$(BIN)/python -u bench/load_mixed.py

bench-tools:
	command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || \
		(apt-get update && apt-get install -y wrk)

# PostgreSQL only (DATABASE_URL): pg_dump to var/backups/, and pg_restore of BACKUP=<file>
# in one transaction. See docs/reliability.md (Data safety).
.PHONY: backup restore
backup:
	scripts/backup.sh

restore:
	BACKUP="$(BACKUP)" scripts/restore.sh

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache .ruff_cache
