#!/usr/bin/env bash
# Makes sure the root .env exists and holds a BETTER_AUTH_SECRET; never prints it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f .env ]; then
  cp .env.example .env
  echo "created .env from .env.example"
fi
if ! grep -Eq '^BETTER_AUTH_SECRET=.{32,}' .env; then
  secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
  if grep -q '^BETTER_AUTH_SECRET=' .env; then
    sed -i "s|^BETTER_AUTH_SECRET=.*|BETTER_AUTH_SECRET=${secret}|" .env
  else
    printf '\nBETTER_AUTH_SECRET=%s\n' "$secret" >> .env
  fi
  echo "wrote a random BETTER_AUTH_SECRET into .env"
fi
