#!/usr/bin/env bash
# `make dev`: the task API on :8000 and the web app on :3000 from the one root
# .env, on the embedded stores (data/todo.db, data/auth). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

scripts/ensure-env.sh
cargo build --locked -p todo-api
scripts/npm-deps.sh web

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

./target/debug/todo-api &
pids+=($!)
(cd web && exec node node_modules/next/dist/bin/next dev) &
pids+=($!)

echo "API: http://127.0.0.1:8000 (docs at /docs) · web app: http://localhost:3000 · Ctrl-C stops both"
# When either service exits, stop the other too.
wait -n
