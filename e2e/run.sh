#!/usr/bin/env bash
# Browser tests across both services. Installs what it needs: Debian's Chromium
# when missing, the e2e packages, the web app's build and the API binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export NEXT_TELEMETRY_DISABLED=1

"$root/scripts/apt-install.sh" "${CHROMIUM_PATH:-/usr/bin/chromium}" chromium

# sessions.test.mjs reads the API's SQLite file with Debian's sqlite3 command line.
"$root/scripts/apt-install.sh" sqlite3 sqlite3

"$root/scripts/debug-binaries.sh"
"$root/scripts/npm-deps.sh" web
"$root/scripts/npm-deps.sh" e2e
(cd "$root/web" && npm run --silent build >/dev/null)

rm -rf "$here/artifacts"
mkdir -p "$here/artifacts"
cd "$here" && npm test
