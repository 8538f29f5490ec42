# Relais: two commands.  `make run` serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test e2e install migrate messages makemessages lint bench bench-scale bench-throughput bench-agreements clean

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

# Compile .po -> .mo with babel (pure Python: no gettext needed on the machine).
messages: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d locale -D django >/dev/null

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# The web server and the task worker (e-mails leave through it) run together and stop together;
# RELAIS_BASE_URL (links in e-mails) follows HOST and PORT unless set.
run: messages migrate
	$(BIN)/python manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) PYTHON=$(BIN)/python bin/run-dev

# The suite runs in parallel (pytest-xdist): one worker per core, at most TEST_MAX_WORKERS (CI has
# 2 cores), each with its own test database (test_<name>_gw0, _gw1, ...; SQLite's is in memory).
# Locally the PostgreSQL test databases are kept between runs (--reuse-db; migrations still
# apply); CI (CI set in the environment, as .ci/run does) creates them afresh.
# PYTEST_ARGS adds pytest options: `make test PYTEST_ARGS="tests/grants -x"`,
# `make test PYTEST_ARGS=--create-db` after regenerating migrations, `make test TEST_WORKERS=0` for
# one process (pdb, print debugging).
ifdef CI
TEST_WORKERS ?= 2
TEST_DB ?= --create-db
else
TEST_WORKERS ?= auto
TEST_DB ?= --reuse-db
endif
TEST_MAX_WORKERS ?= 2

test: messages
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --maxprocesses=$(TEST_MAX_WORKERS) $(TEST_DB) $(PYTEST_ARGS)

# Browser journeys (needs Debian's chromium: apt-get install -y chromium).
e2e: messages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

# Developers: refresh the catalogues after changing strings (needs gettext).
makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr -l en --no-location --no-obsolete -i ".venv/*" -i "var/*"

# ruff everywhere; mypy (with django-stubs) on the kernel, the services and the whole training app.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy relais orgs/services grants/services training

bench: $(STAMP)
	for script in bench/application_pdf.py bench/import_organisations.py bench/page_weight.py; do \
		$(BIN)/python $$script || exit 1; done

# At scale, on PostgreSQL (README, "Measuring"): every page at 1k and 10k applications, then req/s.
bench-scale: messages
	$(BIN)/python bench/scale.py --keep

bench-throughput: messages
	$(BIN)/python bench/throughput.py

# Grant agreement PDFs (README, "Measuring"): p50/p95 of a 4-page agreement, then 1,000 through the bulk task.
bench-agreements: messages
	$(BIN)/python bench/agreements.py

clean:
	rm -rf $(VENV) var/staticfiles
