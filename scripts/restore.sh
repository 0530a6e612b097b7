#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into an empty database, then check the audit chain.
#
#   DATABASE_URL=postgres://owner@host/shegong_restored scripts/restore.sh FILE.dump
#
# The target database must exist and be empty (createdb it); restore with the owning role, then grant the
# application role as in production. The audit log's triggers come back with the schema. With the environment of
# the installation (its SHEGONG_AUDIT_KEYS) the script runs `shegong audit verify` on the restored copy and fails
# if the chain does not hold.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the empty database to restore into}"
file="${1:?usage: scripts/restore.sh FILE.dump}"
if [ -f "$file.sha256" ]; then
  (cd "$(dirname "$file")" && sha256sum --check --quiet "$(basename "$file").sha256")
fi
tables="$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "error: the target database is not empty ($tables tables); restore into a new one" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --jobs="${RESTORE_JOBS:-2}" --dbname="$DATABASE_URL" "$file"
psql "$DATABASE_URL" -qc "ANALYZE"
shegong="${SHEGONG_BIN:-$(dirname "$0")/../.venv/bin/shegong}"
"$shegong" migrate --check >/dev/null || { echo "error: the dump is of another release (migrations differ)" >&2; exit 1; }
"$shegong" audit verify
