#!/usr/bin/env bash
# `make bench-browser`: the web app's figures in Chromium (bench/browser/bench.mjs).
# Installs what it needs like e2e/run.sh: Debian's Chromium when missing, the web
# and e2e packages (playwright-core), the web app's production build and a
# release build of the API (TODO_API_BIN=<binary> uses another one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export NEXT_TELEMETRY_DISABLED=1

"$root/scripts/apt-install.sh" "${CHROMIUM_PATH:-/usr/bin/chromium}" chromium

if [ -z "${TODO_API_BIN:-}" ]; then
  (cd "$root" && cargo build --locked --quiet --release -p todo-api --bin todo-api)
  export TODO_API_BIN="$root/target/release/todo-api"
fi
"$root/scripts/npm-deps.sh" web
"$root/scripts/npm-deps.sh" e2e
(cd "$root/web" && npm run --silent build >/dev/null)
mkdir -p "$root/e2e/artifacts"
node "$here/bench.mjs"
