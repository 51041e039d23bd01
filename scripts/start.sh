#!/usr/bin/env bash
# `make start`: both services as in production, from the one root .env: the task API
# built for release (Cargo's release profile) and the web app's production build
# (`next build`, then `next start`). The stores are those .env names: the embedded
# ones (data/todo.db, data/auth) unless it says otherwise. Without SMTP_URL, mail goes
# to a local catcher (MailDev), never out. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

scripts/ensure-env.sh
cargo build --locked --release -p todo-api
scripts/npm-deps.sh web
(cd web && node node_modules/next/dist/bin/next build)

. scripts/lib/services.sh
. scripts/lib/mail-catcher.sh
start_mail_catcher
service . "${CARGO_TARGET_DIR:-target}/release/todo-api"
service web node node_modules/next/dist/bin/next start

echo "API: http://127.0.0.1:8000 (docs at /docs) · web app: http://localhost:3000 · production builds · Ctrl-C stops everything"
if [ -n "$MAIL_INBOX_URL" ]; then
  echo "Mail: no SMTP_URL, so the app's mail goes to a local inbox: $MAIL_INBOX_URL (MailDev; set SMTP_URL in .env for real mail)"
fi
wait_for_services
