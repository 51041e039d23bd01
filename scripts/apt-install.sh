#!/usr/bin/env bash
# Installs a Debian package when the program it provides is missing (the test
# and bench scripts install what they need themselves).
# Usage: scripts/apt-install.sh <program name or path> <package>
set -euo pipefail
program=$1
package=$2
if [ -x "$program" ] || command -v "$program" >/dev/null 2>&1; then
  exit 0
fi
# One apt-get at a time (.ci/run starts installs early); then look again, as the
# one that held the lock may have installed it.
exec 9<"$0"
flock 9
if [ -x "$program" ] || command -v "$program" >/dev/null 2>&1; then
  exit 0
fi
echo "installing Debian's $package"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$package" >/dev/null
