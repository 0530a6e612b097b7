#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster: initdb in a temporary directory, start it on a free
# local port, export DATABASE_URL, run the command, then stop and remove the cluster whatever the outcome.
# WITH_REPLICA=1 also starts a streaming replica of it (pg_basebackup -R) on a second free port and exports
# DATABASE_REPLICA_URL (the test suite ignores it: the router's tests start a replica of the test database).
set -euo pipefail

bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir="$candidate"; fi
done
if [ -z "$bindir" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing PostgreSQL server binaries"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  for candidate in /usr/lib/postgresql/*/bin; do [ -x "$candidate/initdb" ] && bindir="$candidate"; done
fi
[ -n "$bindir" ] || { echo "error: PostgreSQL (initdb, pg_ctl) not found" >&2; exit 1; }

workdir="$(mktemp -d /tmp/shegong-pg.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres (or nobody) account.
  owner="postgres"; id postgres >/dev/null 2>&1 || owner="nobody"
  chown "$owner" "$workdir"
  run_as=(runuser -u "$owner" --)
fi

cleanup() {
  [ -d "$workdir/replica" ] && { "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/replica" -m immediate stop >/dev/null 2>&1 || true; }
  "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

"${run_as[@]}" "$bindir/initdb" -D "$workdir/data" -U shegong --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $workdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" \
  start >/dev/null
export DATABASE_URL="postgres://shegong@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running on port $port"
if [ "${WITH_REPLICA:-0}" = "1" ]; then
  replica_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  "${run_as[@]}" "$bindir/pg_basebackup" -h 127.0.0.1 -p "$port" -U shegong -D "$workdir/replica" -R -X stream -c fast
  "${run_as[@]}" "$bindir/pg_ctl" -D "$workdir/replica" -l "$workdir/replica.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $replica_port -k $workdir -c hot_standby_feedback=on" start >/dev/null
  export DATABASE_REPLICA_URL="postgres://shegong@127.0.0.1:$replica_port/postgres"
  echo "streaming replica running on port $replica_port"
fi
set +e
"$@"
status=$?
set -e
exit $status
