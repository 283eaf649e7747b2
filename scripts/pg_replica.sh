#!/usr/bin/env bash
# A PostgreSQL streaming replica of the local primary, on this machine, for the replica
# test (tests/operations/test_replicas.py, which runs this itself) or to try
# DATABASE_REPLICA_URLS by hand. Idempotent: a replica that is already streaming is left
# as it is (replay resumed if a test paused it); a broken one is dropped and made again.
#
#   scripts/pg_replica.sh            # prints the replica's port when it is streaming
#
# Settings (environment): PRIMARY_HOST, PRIMARY_PORT (127.0.0.1, 5432; user postgres),
# REPLICA_PORT (5433), REPLICA_CLUSTER (evidentia_replica). Needs root and Debian's
# postgresql-common (pg_createcluster, pg_ctlcluster), as on the CI machine.
#
# What it changes on the primary: only a "host replication all 127.0.0.1/32 trust" line in
# pg_hba.conf when no replication line is there, then a reload (no restart). No
# replication slot, so a replica left stopped never makes the primary keep WAL; one that
# fell too far behind is rebuilt by the next run. The replica keeps running afterwards
# (replaying every write of the primary); stop it with `pg_ctlcluster 15 evidentia_replica
# stop`, or remove it with `pg_dropcluster --stop 15 evidentia_replica`.
set -euo pipefail

PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PORT="${REPLICA_PORT:-5433}"
NAME="${REPLICA_CLUSTER:-evidentia_replica}"

primary() { psql -X -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atqc "$1"; }
replica() { psql -X -w -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc "$1" 2>/dev/null; }
fail() { echo "pg_replica: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (pg_createcluster, pg_ctlcluster)"
command -v pg_createcluster >/dev/null || fail "needs Debian's postgresql-common (pg_createcluster)"
pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" || fail "no primary on $PRIMARY_HOST:$PRIMARY_PORT"
VERSION="$(primary 'show server_version_num')"
VERSION="${VERSION:0:2}"
HBA="$(primary 'show hba_file')"

if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$HBA"; then
  printf '\n# Added by evidentia scripts/pg_replica.sh: a local streaming replica.\nhost replication all 127.0.0.1/32 trust\n' >>"$HBA"
  primary 'select pg_reload_conf()' >/dev/null
fi

wait_streaming() {
  for _ in $(seq "${1:-60}"); do
    [ "$(replica 'select status from pg_stat_wal_receiver')" = streaming ] && return 0
    sleep 1
  done
  return 1
}

exists() { pg_lsclusters -h | awk -v v="$VERSION" -v n="$NAME" '$1 == v && $2 == n' | grep -q .; }

if exists; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start >/dev/null 2>&1 || true
  if wait_streaming 20; then
    [ "$(replica 'select pg_is_wal_replay_paused()')" = t ] && replica 'select pg_wal_replay_resume()' >/dev/null
    echo "$PORT"
    exit 0
  fi
  echo "pg_replica: $NAME is not streaming; making it again" >&2
  pg_dropcluster --stop "$VERSION" "$NAME"
fi

if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  fail "port $PORT is taken by another server; set REPLICA_PORT"
fi
pg_createcluster "$VERSION" "$NAME" -p "$PORT" >/dev/null
# Read-only, on loopback, for tests: trusted like the primary's local connections.
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' \
  >"/etc/postgresql/$VERSION/$NAME/pg_hba.conf"
DATA="$(pg_lsclusters -h | awk -v v="$VERSION" -v n="$NAME" '$1 == v && $2 == n {print $6}')"
find "$DATA" -mindepth 1 -delete
# -R writes standby.signal and primary_conninfo; -X stream copies the WAL it needs.
runuser -u postgres -- pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres \
  -D "$DATA" -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start
wait_streaming 60 || fail "the replica on port $PORT started but is not streaming (see its log)"
echo "$PORT"
