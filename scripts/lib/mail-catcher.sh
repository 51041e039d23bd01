# Sourced by scripts/dev.sh and scripts/start.sh after scripts/lib/services.sh: when
# no SMTP_URL is configured (environment or .env), starts MailDev (from the web app's
# npm packages) beside the two services and points the web app at it, so account mail
# (forgot password, address confirmation) works on a laptop with nothing else.
# Ctrl-C stops it with the rest.
#
#   start_mail_catcher    sets MAIL_INBOX_URL to the inbox page, or leaves it empty

MAIL_INBOX_URL=""

start_mail_catcher() {
  local configured="${SMTP_URL:-}"
  if [ -z "$configured" ] && [ -f .env ]; then
    configured=$(sed -n 's/^SMTP_URL=//p' .env | tail -n 1)
  fi
  if [ -n "$configured" ]; then
    return 0
  fi
  local smtp_port="${MAIL_CATCHER_SMTP_PORT:-1025}" web_port="${MAIL_CATCHER_WEB_PORT:-1080}"
  service web node node_modules/maildev/dist/bin/maildev.js \
    --ip 127.0.0.1 --smtp "$smtp_port" --web-ip 127.0.0.1 --web "$web_port"
  export SMTP_URL="smtp://127.0.0.1:${smtp_port}"
  MAIL_INBOX_URL="http://127.0.0.1:${web_port}"
}
