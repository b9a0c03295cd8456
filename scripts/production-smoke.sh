#!/usr/bin/env bash
# Production smoke: README's "Deploying on PostgreSQL", word for word, on a fresh database.
#
# Runs README's install and set-up blocks (the fenced blocks after the
# "<!-- production-smoke: ... -->" markers) with /opt/caseload and /var/lib/caseload moved
# to a temporary folder and gunicorn's port to a free one; sets every variable README's
# configure block exports; then signs in over HTTP, registers a client, opens the chart, the
# worklist and a static file by its hashed name (scripts/smoke_http.py), waits for the job
# worker and scheduler (README's `caseload qcluster`) to run the periodic jobs, stops both and
# fails on any error, printing their logs.
#
# Usage: scripts/production-smoke.sh POSTGRES_URL [REDIS_URL]
#   POSTGRES_URL  a database on the server to connect to; the smoke creates and drops its own
#                 beside it, SMOKE_DATABASE (default: that database's name + _smoke)
#   REDIS_URL     default redis://127.0.0.1:6379/15
# Needs python3.11, psql, and a checkout (it runs from the checkout's root).
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

pg_url=${1:?usage: scripts/production-smoke.sh POSTGRES_URL [REDIS_URL]}
redis_url=${2:-redis://127.0.0.1:6379/15}
database=${SMOKE_DATABASE:-${pg_url##*/}_smoke}
# The throwaway install (thousands of small files) goes to memory where /dev/shm is there.
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
work=$(mktemp -d "$scratch/caseload-smoke.XXXXXX")
gunicorn_log="$work/gunicorn.log"
gunicorn_pid=""
worker_log="$work/worker.log"
worker_pid=""
started=$SECONDS

say() { printf -- '--- %s (%ss)\n' "$*" "$((SECONDS - started))"; }

finish() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" && wait "$gunicorn_pid" || true
  fi
  if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
    kill -TERM "$worker_pid" && wait "$worker_pid" || true
  fi
  if [ "$status" != 0 ] && [ -f "$gunicorn_log" ]; then
    echo "--- gunicorn's log:" >&2
    cat "$gunicorn_log" >&2
  fi
  if [ "$status" != 0 ] && [ -f "$worker_log" ]; then
    echo "--- the job worker's log:" >&2
    cat "$worker_log" >&2
  fi
  psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$status" = 0 ] && echo "Production smoke passed in $((SECONDS - started))s" \
    || echo "Production smoke FAILED" >&2
  exit "$status"
}
trap finish EXIT

# Runs a command with its output in a log, shown only when it fails.
run_logged() {
  log=$1
  shift
  "$@" >"$log" 2>&1 || { status=$?; cat "$log" >&2; return "$status"; }
}

# README's block after "<!-- production-smoke: NAME -->", with its paths moved into $work.
readme_block() {
  awk -v marker="<!-- production-smoke: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }
  ' README.md | sed -e "s#/opt/caseload#$work/opt#g" -e "s#/var/lib/caseload#$work/data#g"
}
install_block=$(readme_block install)
configure_block=$(readme_block configure)
setup_block=$(readme_block "set up")
for block in install_block configure_block setup_block; do
  [ -n "${!block}" ] || { echo "README.md has no production-smoke block for $block" >&2; exit 1; }
done

say "A fresh PostgreSQL database: $database"
psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
psql -q "$pg_url" -c "CREATE DATABASE $database" >/dev/null

say "README, install: new virtualenv, runtime lock with hashes, Caseload's wheel"
run_logged "$work/install.log" bash -euo pipefail -c "$install_block"
if "$work/opt/venv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "The production install has pytest in it: requirements.lock must hold runtime packages only" >&2
  exit 1
fi

say "Configure: every variable README's configure block exports"
export DATABASE_URL="${pg_url%/*}/$database"
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
CASELOAD_AUDIT_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
export CASELOAD_AUDIT_KEY
export ALLOWED_HOSTS=caseload.example.org CSRF_TRUSTED_ORIGINS=https://caseload.example.org
export REDIS_URL="$redis_url"
export CASELOAD_DATA_DIR="$work/data"
FIRST_ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
export FIRST_ADMIN_PASSWORD
for name in $(grep -o 'export [A-Z_]*=[^ ]*\( [A-Z_]*=[^ ]*\)*' <<<"$configure_block" \
    | grep -o '[A-Z_]*=' | tr -d '='); do
  [ -n "${!name:-}" ] || { echo "README configures $name but the smoke does not set it" >&2; exit 1; }
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gunicorn_line=$(grep '^gunicorn ' <<<"$setup_block" | sed "s#127.0.0.1:8000#127.0.0.1:$port#")
worker_line=$(grep '^caseload qcluster' <<<"$setup_block" || true)
commands=$(grep -v -e '^gunicorn ' -e '^caseload qcluster' <<<"$setup_block")
[ -n "$gunicorn_line" ] || { echo "README's set-up block starts no gunicorn" >&2; exit 1; }
[ -n "$worker_line" ] || { echo "README's set-up block starts no job worker" >&2; exit 1; }

say "README, set up: migrate, collectstatic, check --deploy, the first administrator"
cd "$work"
run_logged "$work/set-up.log" bash -euo pipefail -c "$commands"
export PATH="$work/opt/venv/bin:$PATH"
[ -f "$work/data/static/staticfiles.json" ] || { echo "collectstatic wrote no manifest in CASELOAD_DATA_DIR" >&2; exit 1; }

say "Installed without CASELOAD_DATA_DIR, check --deploy warns (caseload.W001)"
if env -u CASELOAD_DATA_DIR caseload check --deploy --fail-level WARNING >"$work/check.txt" 2>&1 \
    || ! grep -q "caseload.W001" "$work/check.txt"; then
  cat "$work/check.txt" >&2
  echo "check --deploy did not warn about the missing CASELOAD_DATA_DIR" >&2
  exit 1
fi

say "What the administrator does in /admin/: a program and a care manager; the cache on Redis"
ids=$(caseload shell --verbosity 0 -c '
import json
from django.core.cache import cache
from caseload.enrolments.models import Program
from caseload.staff.models import CareerLevel, User

cache.set("caseload-smoke", "round trip", 60)
assert cache.get("caseload-smoke") == "round trip", "the Redis cache did not answer"
program = Program.objects.create(code="smoke", name="Smoke program", kind="geriatric")
user = User.objects.create_user(
    "smoke-cm", password="smoke care manager 2026", first_name="Sam", last_name="Smoke",
    career_level=CareerLevel.CARE_MANAGER,
)
user.programs.add(program)
print(json.dumps({"program": str(program.pk), "care_manager": str(user.pk)}))
')
program_id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["program"])' "$ids")
care_manager_id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["care_manager"])' "$ids")

say "README, start: $worker_line"
bash -c "exec $worker_line" >"$worker_log" 2>&1 &
worker_pid=$!

say "README, start: $gunicorn_line"
bash -c "exec $gunicorn_line" >"$gunicorn_log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break  # listening (workers may still boot)
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "gunicorn exited" >&2; exit 1; }
  sleep 0.25
done

say "Sign in, register a client, open the chart, the worklist and a static file"
"$work/opt/venv/bin/python" "$checkout/scripts/smoke_http.py" \
  --base "http://127.0.0.1:$port" --host caseload.example.org \
  --username smoke-cm --password "smoke care manager 2026" \
  --program-id "$program_id" --care-manager-id "$care_manager_id" \
  --admin-username it-admin --admin-password "$FIRST_ADMIN_PASSWORD"

say "The worker ran the periodic jobs by itself (its scheduler wakes every 30 s)"
for _ in $(seq 1 90); do
  ran=$(caseload shell --verbosity 0 -c '
from django_q.models import Success
print(Success.objects.filter(name__startswith="referrals.jobs.referral_followups").count())')
  [ "$ran" -ge 1 ] && break
  kill -0 "$worker_pid" 2>/dev/null || { echo "the job worker exited" >&2; exit 1; }
  sleep 1
done
[ "$ran" -ge 1 ] || { echo "the job worker did not run the referral follow-ups" >&2; exit 1; }

say "Stop gunicorn and the worker; their logs have no error; the audit chain verifies"
kill -TERM "$gunicorn_pid"
wait "$gunicorn_pid" || true
gunicorn_pid=""
kill -TERM "$worker_pid"
wait "$worker_pid" || true
worker_pid=""
if grep -E "Traceback|ERROR|CRITICAL" "$gunicorn_log" >/dev/null; then
  echo "gunicorn's log has errors" >&2
  exit 1
fi
if grep -E "Traceback|ERROR|CRITICAL" "$worker_log" >/dev/null; then
  echo "the job worker's log has errors" >&2
  exit 1
fi
caseload audit verify
