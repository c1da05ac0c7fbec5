# Two commands: `make run` (embedded default, no services needed) and `make test` (PostgreSQL,
# Redis, a real Celery worker and a real browser; started or installed as needed).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://voice:voice@127.0.0.1:5432/voice
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py provisiondev
	DEBUG=1 PORT=$(PORT) $(BIN)/daphne -b 127.0.0.1 -p $(PORT) config.asgi:application

test: $(VENV)/.installed-test
	./scripts/ensure-services.sh
	$(BIN)/ruff check .
	$(BIN)/mypy platform agents rooms frontend
	$(BIN)/python -c "import platform; platform.system()"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_SETTINGS_MODULE=config.test_settings \
		$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy platform agents rooms frontend

bench: $(VENV)/.installed-test
	./scripts/ensure-services.sh
	for b in bench/[!_]*.py; do DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .run db.sqlite3
