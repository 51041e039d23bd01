# Sourced by scripts/dev.sh and scripts/start.sh: runs the API and the web app side by
# side, each in a process group of its own; Ctrl-C (or either one exiting) stops both.
#
#   service DIR COMMAND...   start COMMAND in DIR, in the background
#   wait_for_services        return when either has exited (the other is then stopped)

service_groups=()

stop_services() {
  trap - INT TERM EXIT
  # The whole group: `next start` and `next dev` run workers of their own.
  for group in "${service_groups[@]}"; do kill -TERM -- "-$group" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_services INT TERM EXIT

service() {
  local dir=$1
  shift
  # setsid: the command leads a new process group, whose id is its pid.
  (cd "$dir" && exec setsid "$@") &
  service_groups+=($!)
}

wait_for_services() {
  wait -n || true
}
