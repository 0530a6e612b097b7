# shegong — `make demo` serves the demo city; `make test` runs the whole suite on SQLite and PostgreSQL.
.PHONY: demo test lint bench install install-test assets clean

BIN := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000

install:
	@scripts/bootstrap.sh base

install-test:
	@scripts/bootstrap.sh test

demo: install
	@$(BIN)/shegong migrate --noinput -v0
	@$(BIN)/shegong demo
	@echo "serving http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@$(BIN)/shegong runserver --noreload $(HOST):$(PORT)

test: install-test
	@scripts/ensure-chromium.sh
	@scripts/test-all.sh

lint: install-test
	@$(BIN)/ruff check src tests bench
	@$(BIN)/ruff format --check src tests bench

# The last benchmark, the soak, restarts a PostgreSQL of its own under load for SOAK_SECONDS (default 600 s);
# `make bench SOAK_SECONDS=120` shortens it. Exits non-zero if an acknowledged write was lost.
bench: install-test
	@scripts/with-postgres.sh $(BIN)/python -m bench

clean:
	rm -rf .venv node_modules var
