#!/usr/bin/env bash
# Installs a package folder's npm dependencies exactly as locked, when they are
# missing or older than the lockfile. Usage: scripts/npm-deps.sh web
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/$1"
marker="$dir/node_modules/.package-lock.json"
# One install at a time per folder: .ci/run starts them early, beside the builds.
exec 9<"$dir/package-lock.json"
flock 9
if [ ! -f "$marker" ] || [ "$dir/package-lock.json" -nt "$marker" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
