#!/usr/bin/env bash
# The whole suite, on SQLite and then on a throw-away PostgreSQL cluster. Fails if either run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export SHEGONG_ENV=test
workers="${TEST_WORKERS:-2}"
pytest_args=(-n "$workers" --dist loadfile -q -p no:randomly "$@")

echo "== test suite on SQLite =="
env -u DATABASE_URL .venv/bin/python -m pytest "${pytest_args[@]}"
sqlite_status=$?

echo "== test suite on PostgreSQL =="
scripts/with-postgres.sh .venv/bin/python -m pytest "${pytest_args[@]}"
pg_status=$?

echo "SQLite: $([ $sqlite_status -eq 0 ] && echo passed || echo "failed ($sqlite_status)"); PostgreSQL: $([ $pg_status -eq 0 ] && echo passed || echo "failed ($pg_status)")"
[ $sqlite_status -eq 0 ] && [ $pg_status -eq 0 ]
