#!/usr/bin/env bash
# Schemathesis against the real API: every operation of /openapi.json, with
# generated valid and invalid inputs; fails on any 5xx or any response that
# does not match the document. Installs itself into a venv of its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$here/.venv"

"$here/install.sh"
"$root/scripts/debug-binaries.sh"

work=$(mktemp -d)
api_pid=""
cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
user="schemathesis-user"

# Run from an empty directory so no developer .env is read; a fresh store each run.
(cd "$work" && exec env -i PATH="$PATH" API_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$work/todo.db" \
  BETTER_AUTH_SECRET="$secret" RATE_LIMIT_PER_MINUTE=0 RUST_LOG=warn "$root/target/debug/todo-api") >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

export TODO_API_URL="http://127.0.0.1:$port"
export TODO_API_USER="$user"
TODO_API_TOKEN=$(cd "$work" && env -i BETTER_AUTH_SECRET="$secret" "$root/target/debug/examples/mint_token" --sub "$user" --ttl 3600)
export TODO_API_TOKEN

cd "$here"
status=0
SCHEMATHESIS_HOOKS=hooks "$venv/bin/schemathesis" --config-file schemathesis.toml run "$TODO_API_URL/openapi.json" \
  --checks all --generation-deterministic --no-color || status=$?
if grep -q "panicked" "$work/api.log"; then
  echo "the API panicked during the run:"; cat "$work/api.log"; status=1
fi
exit "$status"
