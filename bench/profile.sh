#!/usr/bin/env bash
# Profiles the API under load with perf, on the SQLite data a `make bench` left in
# bench/.work, and prints the hottest symbols.
#   bench/profile.sh [list|get|create|toggle|mix|list-tag|list-due|complete-recurring] [seconds] [connections]
# (complete-recurring may leave some of its tasks completed, with their occurrence: the next
# make bench loads the data afresh.)
# RUST_LOG=warn bench/profile.sh list   profiles without the per-request log line.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
WORK="$BENCH/.work"
SCENARIO="${1:-list}" SECS="${2:-10}" CONNS="${3:-64}"
API_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/${BENCH_PROFILE:-bench-release}/todo-api"
PORT=18080

if [ ! -f "$WORK/data/todo.db" ] || [ ! -f "$WORK/users-HS256.txt" ] || [ ! -x "$API_BIN" ]; then
    echo "profile.sh: run 'make bench' (or 'QUICK=1 make bench') first: it builds the API and loads the data" >&2
    exit 1
fi
if ! command -v perf >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
fi

# Fresh HS256 tokens for the users make bench used (its secret was never written down).
SECRET="profile-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BENCH/.venv/bin/python" - "$SECRET" "$WORK/users-HS256.txt" "$WORK/users-profile.txt" <<'PY'
import sys, time, jwt
secret, src, dst = sys.argv[1:]
now = int(time.time())
with open(src) as f, open(dst, "w") as out:
    for line in f:
        user, _, *rest = line.split()  # first and last id, tag, recurring ids
        tok = jwt.encode({"sub": user, "iat": now, "exp": now + 3600}, secret, algorithm="HS256")
        out.write(" ".join([user, tok, *rest]) + "\n")
PY

cd "$(mktemp -d)"  # no .env of the repository is read
env -i PATH="$PATH" HOME="$HOME" API_ADDR="127.0.0.1:$PORT" DATABASE_URL="sqlite://$WORK/data/todo.db" \
    BETTER_AUTH_SECRET="$SECRET" RATE_LIMIT_PER_MINUTE=0 ${RUST_LOG:+RUST_LOG=$RUST_LOG} \
    ${MALLOC_ARENA_MAX:+MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX} "$API_BIN" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done

WRK_OUT="$WORK/profile-wrk.json" WRK_THREADS=2 wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 5s -s "$BENCH/load.lua" \
    "http://127.0.0.1:$PORT" -- "$SCENARIO" "$WORK/users-profile.txt" >/dev/null &
WRK=$!
sleep 1
perf record -q -F 499 -g -p "$PID" -o "$WORK/perf.data" -- sleep $((SECS > 3 ? SECS - 2 : 1)) 2>/dev/null
wait $WRK
echo "wrk: $(cat "$WORK/profile-wrk.json")"
grep -E 'VmHWM|VmRSS|Threads' "/proc/$PID/status"
perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -45
