#!/usr/bin/env bash
# The debug binaries the test scripts run (the API, the CLI, mint_token), built
# for the whole workspace with its examples: the same selection of features as
# `cargo test --workspace`, so this reuses that build instead of compiling the
# dependencies again with other features (`-p todo-api` alone would).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --quiet --workspace --bins --examples
