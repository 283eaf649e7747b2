#!/usr/bin/env bash
# make backup: pg_dump (custom format) of DATABASE_URL to var/backups/evidentia-<UTC>.dump.
# BACKUP_DIR overrides the directory. Prints the path of the file written.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pg_url.sh

url="$(pg_url_from_env)"
dir="${BACKUP_DIR:-var/backups}"
mkdir -p "$dir"
file="$dir/evidentia-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name, so a failed or interrupted dump never looks complete.
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$file.partial"
mv "$file.partial" "$file"
echo "$file"
