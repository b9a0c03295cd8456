#!/usr/bin/env bash
# `make run`'s last step: the job worker and scheduler (caseload qcluster) in the background,
# the development server in the foreground; Ctrl-C (or the server ending) stops both.
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
"$BIN/caseload" qcluster &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Background jobs: caseload qcluster (pid $worker) runs queued jobs and the periodic ones."
"$BIN/caseload" runserver "$HOST:$PORT"
