#!/usr/bin/env bash
# make restore BACKUP=var/backups/evidentia-....dump: replaces the content of DATABASE_URL
# with the backup, in one transaction (a failure leaves the database as it was).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_url.sh

if [ -z "${BACKUP:-}" ]; then
  echo "restore: say which backup to restore: make restore BACKUP=var/backups/evidentia-<time>.dump" >&2
  exit 2
fi
if [ ! -f "$BACKUP" ]; then
  echo "restore: no such backup file: $BACKUP" >&2
  exit 2
fi
url="$(pg_url_from_env)"
pg_restore --list "$BACKUP" >/dev/null || { echo "restore: $BACKUP is not a pg_dump custom-format file" >&2; exit 2; }
pg_restore --clean --if-exists --single-transaction --exit-on-error --no-owner --no-privileges \
  --dbname="$url" "$BACKUP"
echo "restored $BACKUP into ${url%%\?*}" | sed -E 's#//([^:@/]+):[^@/]*@#//\1:***@#'
