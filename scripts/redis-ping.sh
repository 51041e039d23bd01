#!/usr/bin/env bash
# Exits 0 when a Redis answers PING at HOST:PORT (default 127.0.0.1:6379), within 2 s.
# Through bash's /dev/tcp: redis-cli need not be installed beside the server.
host_port="${1:-127.0.0.1:6379}"
host="${host_port%:*}" port="${host_port##*:}"
timeout 2 bash -c '
  exec 3<>"/dev/tcp/$0/$1" || exit 1
  printf "PING\r\n" >&3
  read -r reply <&3
  [[ $reply == +PONG* ]]
' "$host" "$port" 2>/dev/null
