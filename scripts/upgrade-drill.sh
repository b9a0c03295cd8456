#!/usr/bin/env bash
# Upgrade drill: docs/operations.md's "Upgrade", done under traffic, from an old release to this
# checkout's working tree, on a PostgreSQL database of its own.
#
#  1. Installs the old release (git archive of OLD_REF) as README's install block does: a new
#     virtualenv, its own requirements.lock (--require-hashes when the lock has hashes), its own
#     wheel. The application runs through a symlink, $work/current -> venv-old, as a
#     deployment's /opt/caseload/current would.
#  2. Creates the database (name containing "drill"), migrates it with the old release, seeds
#     the demo organisation with the old release's `caseload seed_demo` (its care managers and
#     their clients; seed_demo alone runs with CASELOAD_DEBUG=1, it refuses otherwise), collects
#     static files, and starts the old gunicorn (production settings, loopback, 2 workers) and,
#     if the old release has one, its job worker (`caseload qcluster`).
#  3. Starts steady traffic: scripts/upgrade_traffic.py, six care managers signing in, opening
#     the worklist, charts and the stylesheet, and writing notes.
#  4. While it runs: installs the new release (this checkout) into venv-new, runs its `caseload
#     migrate`, `collectstatic` and `check --deploy --fail-level WARNING`, then switches
#     gunicorn: points the symlink at venv-new and sends USR2 to the old master, which starts a
#     new master from the symlink's path (the new virtualenv) sharing the listening socket; once
#     a new worker has answered a request, TERM to the old master (its workers finish their
#     requests and exit). Then the job worker is stopped (TERM) and the new one started.
#  5. Stops the traffic and checks: no failed request (each failure listed with its time from
#     the switch), every note the server accepted exists exactly once and none it refused
#     exists, `caseload audit verify`, /healthz 200 from workers of the new virtualenv, no
#     unapplied migration, no error in the logs. Exits non-zero on any failure.
#
# Usage: scripts/upgrade-drill.sh [OLD_REF] [POSTGRES_URL]
#   OLD_REF       default 4db99ea: main before the 2026-12-05 evening merges (jobs, holidays,
#                 programrules, team, workforce, text limits), after the coordination split;
#                 26 migration files differ from main's 6da0339.
#   POSTGRES_URL  a database to connect to; the drill creates and drops its own beside it,
#                 DRILL_DATABASE (default caseload_upgrade_drill). Default
#                 postgres://postgres@127.0.0.1:5432/postgres
# Environment: DRILL_KEEP=1 keeps the database and the scratch folder; REDIS_URL (default
# redis://127.0.0.1:6379/14); DRILL_WARM (seconds of traffic before the upgrade, default 20),
# DRILL_AFTER (seconds after the switch, default 30).
# Needs python3.11, psql, git, and network access to PyPI (or a pip cache) for the two locks.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
old_ref=${1:-4db99ea}
pg_url=${2:-postgres://postgres@127.0.0.1:5432/postgres}
database=${DRILL_DATABASE:-caseload_upgrade_drill}
[[ $database == *drill* ]] || { echo "the drill's database name must contain 'drill'" >&2; exit 2; }
scratch=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch=/dev/shm
work=$(mktemp -d "$scratch/caseload-drill.XXXXXX")
events="$work/events"
pids=()       # everything started here, stopped in finish
started=$SECONDS
nice19="nice -n 19"

say() { printf -- '--- %s (%ss)\n' "$*" "$((SECONDS - started))"; }
event() { echo "$1 $(date +%s.%N)" >>"$events"; }

finish() {
  status=$?
  touch "$work/stop"
  for pid in "${pids[@]}" $(cat "$work/gunicorn.pid.2" "$work/gunicorn.pid" 2>/dev/null); do
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 2
  if [ "$status" != 0 ]; then
    for log in gunicorn worker-old worker-new; do
      [ -s "$work/$log.log" ] && { echo "--- last lines of $log.log:" >&2; tail -n 30 "$work/$log.log" >&2; }
    done
  fi
  if [ "${DRILL_KEEP:-}" = 1 ]; then
    echo "Kept $work and the database $database"
  else
    psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
  [ "$status" = 0 ] && echo "Upgrade drill passed in $((SECONDS - started))s" \
    || echo "Upgrade drill FAILED" >&2
  exit "$status"
}
trap finish EXIT

run_logged() {  # a command with its output in a log, shown only when it fails
  log=$1
  shift
  "$@" >"$log" 2>&1 || { status=$?; cat "$log" >&2; return "$status"; }
}

install_release() {  # SOURCE VENV: README's install block for the release in SOURCE
  local source=$1 venv=$2 hashes=()
  grep -q -- '--hash=' "$source/requirements.lock" && hashes=(--require-hashes)
  $nice19 python3.11 -m venv "$venv"
  $nice19 "$venv/bin/pip" install --quiet "${hashes[@]}" -r "$source/requirements.lock"
  $nice19 "$venv/bin/pip" wheel --quiet --no-deps --wheel-dir "$venv-wheels" "$source"
  $nice19 "$venv/bin/pip" install --quiet --no-deps --no-index --find-links "$venv-wheels" caseload
}

healthz() {  # GET /healthz as the proxy sends it (Host: caseload.example.org)
  python3 -c "
import json, sys, urllib.request as u
request = u.Request(sys.argv[1], headers={'Host': 'caseload.example.org'})
body = json.load(u.urlopen(request, timeout=5))
assert body == {'status': 'ok', 'database': 'ok'}, body
print('/healthz: 200', body)" "http://127.0.0.1:$port/healthz"
}

old_commit=$(git rev-parse --short "$old_ref^{commit}")
new_commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src requirements.lock pyproject.toml || echo '+changes')"
say "Old release $old_ref ($old_commit), new release: this working tree ($new_commit); scratch $work"
mkdir -p "$work/old-src" "$work/new-src" "$work/data"
git archive "$old_commit" | tar -x -C "$work/old-src"
# The new release as the working tree is now (tracked and new files, not ignored ones).
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c | tar -x -C "$work/new-src"

say "Install the old release (nice 19)"
run_logged "$work/install-old.log" install_release "$work/old-src" "$work/venv-old"
ln -sfn venv-old "$work/current"
caseload="$work/current/bin/caseload"

say "Configure (production settings) and create the database $database"
export DATABASE_URL="${pg_url%/*}/$database"
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
CASELOAD_AUDIT_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
export SECRET_KEY CASELOAD_AUDIT_KEY
export ALLOWED_HOSTS=caseload.example.org CSRF_TRUSTED_ORIGINS=https://caseload.example.org
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/14}
export CASELOAD_DATA_DIR="$work/data"
unset CASELOAD_DEBUG DJANGO_SETTINGS_MODULE
psql -q "$pg_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
psql -q "$pg_url" -c "CREATE DATABASE $database" >/dev/null
cd "$work"

say "Old release: migrate, seed the demo organisation, collectstatic, check --deploy"
run_logged "$work/old-setup.log" bash -euo pipefail -c "
  $nice19 $caseload migrate --no-input
  CASELOAD_DEBUG=1 $nice19 $caseload seed_demo
  $nice19 $caseload collectstatic --no-input
  $caseload check --deploy --fail-level WARNING"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
say "Start the old gunicorn on 127.0.0.1:$port and its job worker"
# Started through the symlink ($work/current/bin/python), so a USR2 re-exec runs whatever
# virtualenv the symlink points at by then. The access log names the worker (pid) per request.
"$work/current/bin/python" "$work/current/bin/gunicorn" caseload.config.wsgi --workers 2 \
  --bind "127.0.0.1:$port" --pid "$work/gunicorn.pid" --graceful-timeout 30 \
  --access-logfile - --access-logformat '%(p)s %(t)s "%(r)s" %(s)s %(M)sms' \
  >"$work/gunicorn.log" 2>&1 &
old_master=$!
pids+=("$old_master")
worker=""
if "$caseload" help qcluster >/dev/null 2>&1; then
  "$caseload" qcluster >"$work/worker-old.log" 2>&1 &
  worker=$!
  pids+=("$worker")
else
  say "The old release has no job worker (no caseload qcluster)"
fi
for _ in $(seq 1 120); do
  healthz 2>/dev/null && break
  kill -0 "$old_master" 2>/dev/null || { echo "the old gunicorn exited" >&2; exit 1; }
  sleep 0.5
done

say "Steady traffic: six care managers (scripts/upgrade_traffic.py)"
python3.11 "$checkout/scripts/upgrade_traffic.py" --base "http://127.0.0.1:$port" \
  --host caseload.example.org --users maya,daniel,tomas,aisha,kim,lucia \
  --password caseload-demo-2026 --stop-file "$work/stop" --out "$work/traffic.json" \
  >"$work/traffic.log" 2>&1 &
traffic=$!
pids+=("$traffic")
event traffic
sleep "${DRILL_WARM:-20}"

say "Install the new release beside it (nice 19), traffic running"
run_logged "$work/install-new.log" install_release "$work/new-src" "$work/venv-new"
new="$work/venv-new/bin/caseload"

say "New release: migrate with the old release serving"
event migrate
run_logged "$work/new-migrate.log" "$new" migrate --no-input
event migrated
say "New release: collectstatic, check --deploy"
run_logged "$work/new-static.log" $nice19 "$new" collectstatic --no-input
run_logged "$work/new-check.log" "$new" check --deploy --fail-level WARNING

say "Switch gunicorn: symlink to venv-new, USR2 to the old master ($old_master)"
ln -sfn venv-new "$work/current.next" && mv -T "$work/current.next" "$work/current"
event switch
kill -USR2 "$old_master"
for _ in $(seq 1 120); do [ -s "$work/gunicorn.pid.2" ] && break; sleep 0.25; done
new_master=$(cat "$work/gunicorn.pid.2")
# Wait until one of the new master's workers has answered a request (up to 2 minutes).
for _ in $(seq 1 480); do
  new_workers=$(pgrep -P "$new_master" | tr '\n' ' ')
  for pid in $new_workers; do
    grep -q "^<$pid> " "$work/gunicorn.log" && break 2
  done
  sleep 0.25
done
event new_worker_answered
say "A new worker answered; TERM to the old master"
kill -TERM "$old_master"
wait "$old_master" || true
event old_master_gone

if [ -n "$worker" ]; then
  say "Stop the old job worker"
  kill -TERM "$worker"
  wait "$worker" || true
fi
say "Start the new job worker"
"$work/current/bin/caseload" qcluster >"$work/worker-new.log" 2>&1 &
worker=$!
pids+=("$worker")
event worker_restarted

sleep "${DRILL_AFTER:-30}"
say "Stop the traffic"
touch "$work/stop"
wait "$traffic"
event traffic_stopped

say "Checks"
failed=0
python3.11 "$checkout/scripts/upgrade_traffic.py" --out "$work/traffic.json" --report "$events" \
  || failed=1
python3.11 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["written"]))' \
  "$work/traffic.json" >"$work/written.txt"
"$new" shell --verbosity 0 -c "
from collections import Counter
from caseload.notes.models import ProgressNote
accepted = set(open('$work/written.txt').read().split())
found = Counter(n.rsplit(' ', 1)[-1] for n in
    ProgressNote.objects.filter(narrative__contains=' drill-').values_list('narrative', flat=True))
missing = sorted(accepted - set(found))
twice = sorted(m for m, n in found.items() if n > 1)
stray = sorted(set(found) - accepted)
print(f'Notes: {len(accepted)} accepted, {len(accepted) - len(missing)} found; '
      f'missing {missing}, more than once {twice}, not accepted but saved {stray}')
raise SystemExit(1 if missing or twice or stray else 0)
" || failed=1
"$new" audit verify || failed=1
"$new" migrate --check --no-input >/dev/null || { echo "unapplied migrations" >&2; failed=1; }
healthz || failed=1
for pid in $(pgrep -P "$new_master"); do
  if grep -q "$work/venv-old/" "/proc/$pid/maps" || ! grep -q "$work/venv-new/" "/proc/$pid/maps"; then
    echo "gunicorn worker $pid does not run from venv-new" >&2
    failed=1
  fi
done
echo "gunicorn workers of the new master run from venv-new: $(pgrep -P "$new_master" | tr '\n' ' ')"
if grep -E "Traceback|ERROR|CRITICAL" "$work/gunicorn.log" "$work"/worker-*.log; then
  echo "errors in the logs above" >&2
  failed=1
fi
python3 -c "
e = dict((line.split()[0], float(line.split()[1])) for line in open('$events'))
print(f\"Timings: migrate {e['migrated'] - e['migrate']:.1f} s; from the switch, a new worker \"
      f\"answered after {e['new_worker_answered'] - e['switch']:.1f} s and the old master was \"
      f\"gone after {e['old_master_gone'] - e['switch']:.1f} s\")"
exit "$failed"
