#!/usr/bin/env bash
# `make dev`: the task API on :8000 and the web app on :3000 from the one root
# .env, on the embedded stores (data/todo.db, data/auth), and a local mail catcher
# (MailDev) when no SMTP_URL is set. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

scripts/ensure-env.sh
cargo build --locked -p todo-api
scripts/npm-deps.sh web

. scripts/lib/services.sh
. scripts/lib/mail-catcher.sh
start_mail_catcher
service . "${CARGO_TARGET_DIR:-target}/debug/todo-api"
service web node node_modules/next/dist/bin/next dev

echo "API: http://127.0.0.1:8000 (docs at /docs) · web app: http://localhost:3000 · Ctrl-C stops everything"
if [ -n "$MAIL_INBOX_URL" ]; then
  echo "Mail: no SMTP_URL, so the app's mail goes to a local inbox: $MAIL_INBOX_URL (MailDev)"
fi
wait_for_services
