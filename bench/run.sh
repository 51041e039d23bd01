#!/usr/bin/env bash
# `make bench`: installs what the benchmarks need (wrk, a Python venv), builds the
# API (bench-release profile) and the bare-axum ceiling, then runs bench/bench.py,
# which writes bench/results/RESULTS.md, results.json and bench.png.
#   QUICK=1 bench/run.sh   reduced matrix and data set, a few minutes
#   DURATION=N             seconds per load run (default 8, QUICK 3)
#   SKIP_PG=1 / SKIP_FASTAPI=1, BENCH_PG_URL=postgres://user@127.0.0.1:5432
#   bench/run.sh --instructions   only the instruction counts (bench/instructions.py), a few minutes
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
cd "$ROOT"
say() { echo "[bench] $*"; }

# The load generator, Debian's wrk, and valgrind, whose callgrind counts instructions per request.
MISSING=""
command -v wrk >/dev/null || MISSING="$MISSING wrk"
command -v valgrind >/dev/null || MISSING="$MISSING valgrind"
if [ -n "$MISSING" ]; then
    say "installing$MISSING (apt-get)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086 # one word per package
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi

# Python venv for the FastAPI peer, token minting and the chart.
PY="${PYTHON:-python3}"
if [ ! -x "$BENCH/.venv/bin/python" ]; then
    say "creating the Python venv bench/.venv"
    "$PY" -m venv "$BENCH/.venv"
fi
if ! cmp -s "$BENCH/requirements.txt" "$BENCH/.venv/.installed" 2>/dev/null; then
    say "installing bench/requirements.txt into the venv"
    "$BENCH/.venv/bin/pip" install -q --upgrade pip
    "$BENCH/.venv/bin/pip" install -q -r "$BENCH/requirements.txt"
    cp "$BENCH/requirements.txt" "$BENCH/.venv/.installed"
fi

# The binaries, both in the root target dir (the ceiling shares compiled crates where it can).
PROFILE="${BENCH_PROFILE:-bench-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
say "building todo-api (--profile $PROFILE; fat LTO, about 11 min from clean on 2 cores)"
cargo build --locked --profile "$PROFILE" -p todo-api
export BENCH_PROFILE="$PROFILE"
if [ "${1:-}" = "--instructions" ]; then
    exec "$BENCH/.venv/bin/python" "$BENCH/instructions.py"
fi
say "building the bare-axum ceiling"
cargo build --locked --profile "$PROFILE" --manifest-path "$BENCH/ceiling/Cargo.toml"

exec "$BENCH/.venv/bin/python" "$BENCH/bench.py" "$@"
