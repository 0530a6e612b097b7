#!/usr/bin/env bash
# Back up the shegong database: pg_dump in custom format (compressed, restorable table by table), checked by
# listing its table of contents, with a SHA-256 beside it.
#
#   scripts/backup.sh [DIRECTORY]        # DATABASE_URL names the database; default directory: ./backups
#
# Keep the keys (/etc/shegong/env) apart from these files: a dump holds sensitive fields encrypted, and whoever has
# both the dump and the keys can read them. For point-in-time recovery see docs/operations.md (WAL archiving).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
directory="${1:-backups}"
mkdir -p "$directory"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
file="$directory/shegong-$stamp.dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$file.partial" "$DATABASE_URL"
pg_restore --list "$file.partial" >/dev/null   # a truncated or corrupt file fails here, not on the day of need
mv "$file.partial" "$file"
(cd "$directory" && sha256sum "$(basename "$file")" > "$(basename "$file").sha256")
echo "$file"
