#!/usr/bin/env bash
# Serve Evidentia on this machine with production settings: gunicorn, a Celery worker and
# Celery beat, after migrate and collectstatic (`make serve`; docs/operations.md).
#
# SIGTERM or SIGINT stops all three gracefully (SIGKILL after SERVE_STOP_TIMEOUT seconds);
# if any one of them exits, the others are stopped and the script exits non-zero, so a
# supervisor (systemd, a container runtime) sees the failure and restarts the whole set.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}

say() { printf 'serve: %s\n' "$*" >&2; }

export DJANGO_SETTINGS_MODULE=config.settings.production
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/evidentia}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8000}
export LOG_FORMAT=${LOG_FORMAT:-json}
export LOG_LEVEL=${LOG_LEVEL:-INFO}
# This machine has no TLS terminator in front of gunicorn: without this, production
# settings would redirect every plain-HTTP request to https://.
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-false}
CELERY_CONCURRENCY=${CELERY_CONCURRENCY:-2}
STOP_TIMEOUT=${SERVE_STOP_TIMEOUT:-30}

stopping=""
trap 'stopping=TERM' TERM
trap 'stopping=INT' INT

if [[ -z "${DJANGO_SECRET_KEY:-}" ]]; then
    key_file=${DJANGO_SECRET_KEY_FILE:-var/secret_key}
    if [[ ! -s "$key_file" ]]; then
        mkdir -p "$(dirname "$key_file")"
        # O_EXCL and mode 600 from the start: the key is never readable by others, and
        # two starts racing cannot write two different keys.
        "$BIN/python" -c '
import os, secrets, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, secrets.token_urlsafe(50).encode())
os.close(fd)' "$key_file"
        say "DJANGO_SECRET_KEY is not set: generated one into $key_file (mode 600), kept for next time"
    fi
    DJANGO_SECRET_KEY=$(<"$key_file")
    export DJANGO_SECRET_KEY
    say "DJANGO_SECRET_KEY read from $key_file"
fi

say "settings  $DJANGO_SETTINGS_MODULE (LOG_FORMAT=$LOG_FORMAT)"
say "database  $(sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#' <<<"$DATABASE_URL")"
say "broker    $(sed -E 's#://([^:/@]*):[^@]*@#://\1:***@#' <<<"$REDIS_URL")"
say "hosts     $DJANGO_ALLOWED_HOSTS"
say "web       http://$GUNICORN_BIND (DJANGO_SECURE_SSL_REDIRECT=$DJANGO_SECURE_SSL_REDIRECT: no TLS terminator here)"

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0
if [[ -n "$stopping" ]]; then
    say "received SIG$stopping before starting: nothing to stop"
    exit 0
fi

declare -A names=()
pids=()
start() {
    local name=$1
    shift
    # A session of its own: a Ctrl-C on the terminal reaches this script only, which then
    # stops each process once, gracefully, instead of all of them getting it at once.
    setsid "$@" &
    pids+=("$!")
    names[$!]=$name
    say "started $name (pid $!)"
}

start web "$BIN/gunicorn" --config config/gunicorn.py
start worker "$BIN/celery" --app config --quiet worker --loglevel "$LOG_LEVEL" \
    --concurrency "$CELERY_CONCURRENCY"
start beat "$BIN/celery" --app config --quiet beat --loglevel "$LOG_LEVEL"

status=0
dead=""
if [[ -z "$stopping" ]]; then
    set +e
    wait -n -p dead "${pids[@]}"
    status=$?
    set -e
fi

if [[ -n "$stopping" ]]; then
    say "received SIG$stopping: stopping web, worker and beat"
    status=0
else
    say "${names[$dead]:-a process} (pid $dead) exited with status $status: stopping the others"
    [[ $status -ne 0 ]] || status=1
fi

alive() { kill -0 "$1" 2>/dev/null; }
for pid in "${pids[@]}"; do
    alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
done
deadline=$((SECONDS + STOP_TIMEOUT))
for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if alive "$pid"; then
        say "${names[$pid]} (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
done
wait 2>/dev/null || true
say "stopped (exit status $status)"
exit "$status"
