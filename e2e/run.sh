#!/usr/bin/env bash
# Browser tests across both services. Installs what it needs: Debian's Chromium
# when missing, the e2e packages, the web app's build and the API binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export NEXT_TELEMETRY_DISABLED=1

if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "installing Debian's chromium"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# sessions.test.mjs reads the API's SQLite file with Debian's sqlite3 command line.
if ! command -v sqlite3 >/dev/null; then
  echo "installing Debian's sqlite3"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq sqlite3 >/dev/null
fi

(cd "$root" && cargo build --locked --quiet -p todo-api --bin todo-api -p todo-cli --bin todo)
"$root/scripts/npm-deps.sh" web
"$root/scripts/npm-deps.sh" e2e
(cd "$root/web" && npm run --silent build >/dev/null)

rm -rf "$here/artifacts"
mkdir -p "$here/artifacts"
cd "$here" && npm test
