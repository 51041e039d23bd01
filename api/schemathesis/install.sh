#!/usr/bin/env bash
# Installs Schemathesis into a venv of its own (api/schemathesis/.venv, ignored),
# once per version. Locked, so .ci/run can start it early beside the builds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
version="4.32.5"
exec 9<"$0"
flock 9
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
