# Sourced by backup.sh and restore.sh: DATABASE_URL as a libpq URI, or a clear refusal.
pg_url_from_env() {
  local url="${DATABASE_URL:-}"
  if [ -z "$url" ]; then
    echo "DATABASE_URL is not set: backup and restore work on PostgreSQL (postgres://user@host:port/name)." >&2
    exit 2
  fi
  case "$url" in
    sqlite:*)
      echo "DATABASE_URL is SQLite ($url): backup and restore need PostgreSQL; copy the SQLite file instead." >&2
      exit 2 ;;
    postgres://*|postgresql://*) printf '%s\n' "$url" ;;
    pgsql://*|psql://*|postgis://*) printf 'postgresql://%s\n' "${url#*://}" ;;
    *)
      echo "DATABASE_URL is not a PostgreSQL URL: ${url%%:*}://..." >&2
      exit 2 ;;
  esac
}
