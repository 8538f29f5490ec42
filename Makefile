# Relais: two commands.  `make run` serves the demo; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test e2e install migrate messages makemessages lint bench clean

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

run: messages migrate
	$(BIN)/python manage.py seed_demo
	@echo "Relais: http://$(HOST):$(PORT)/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: messages
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Browser journeys (needs Debian's chromium: apt-get install -y chromium).
e2e: messages
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -q -m e2e tests/e2e $(PYTEST_ARGS)

# Developers: refresh the catalogues after changing strings (needs gettext).
makemessages: $(STAMP)
	$(BIN)/python manage.py makemessages -l fr -l en --no-location --no-obsolete -i ".venv/*" -i "var/*"

# ruff everywhere; mypy (with django-stubs) on the kernel and the services.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy relais orgs/services grants/services

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var/staticfiles
