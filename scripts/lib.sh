# shellcheck shell=bash
# Shared bash helpers for the build, test and demo scripts.
# Source it after `set -euo pipefail`:  . "$(dirname "$0")/lib.sh"
# Callers set LIB_TAG (the prefix of their messages) before using log/die.

# The repository root, whatever the caller's cwd.
# shellcheck disable=SC2034  # used by the scripts that source this file
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '%s: %s\n' "${LIB_TAG:-script}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# abspath PATH: absolute form of PATH (need not exist; its parent should).
abspath() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *)  printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

# free_ports N: print N distinct free TCP ports on 127.0.0.1, one a line.
# All N sockets are held open together so the kernel cannot hand out the
# same port twice; they are closed before the ports are used, a small race
# every port picker has.
free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
EOF
}

# port_busy PORT: true if something already listens on (or holds) PORT on
# 127.0.0.1. Binds the way nginx and redis do (SO_REUSEADDR), so a port that
# only has connections in TIME_WAIT counts as free.
port_busy() {
    ! python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# port_owner PORT: one line saying who listens on PORT (best effort: ss
# shows process names only to root / the owner).
port_owner() {
    local out=""
    if command -v ss >/dev/null 2>&1; then
        out=$(ss -Hltnp "sport = :$1" 2>/dev/null \
              | grep -o 'users:(([^)]*))' | head -1 || true)
    fi
    printf '%s\n' "${out:-an unknown process}"
}

# wait_until SECONDS WHAT CMD...: poll CMD every 0.1 s until it succeeds;
# fail (return 1, with a message) after SECONDS, or at once if CMD returns
# 2 ("will never succeed", e.g. the process died). Every wait is bounded.
wait_until() {
    local secs=$1 what=$2; shift 2
    local tries=$((secs * 10)) rc
    while :; do
        rc=0
        "$@" >/dev/null 2>&1 || rc=$?
        [ "$rc" -ne 0 ] || return 0
        if [ "$rc" -eq 2 ]; then
            log "gave up waiting for $what"
            return 1
        fi
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            log "timed out after ${secs}s waiting for $what"
            return 1
        fi
        sleep 0.1
    done
}

# http_status URL: print the HTTP status of a GET (000 if no answer).
http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true
}

# http_ok URL: true if a GET on URL answers 200.
http_ok() { [ "$(http_status "$1")" = 200 ]; }

# redis_up PORT: true if a redis on 127.0.0.1:PORT answers PING.
redis_up() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

# pid_alive PID: true if PID names a live (non-zombie) process.
pid_alive() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null \
        && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# stop_pid PID NAME [SECONDS]: SIGTERM PID, wait up to SECONDS (default 10)
# for it to go, then SIGKILL. The process's direct children (nginx workers)
# are remembered first and killed too if they outlive it. Reaps PID if it is
# our child. Never fails: it runs from EXIT traps.
stop_pid() {
    local pid=$1 name=$2 secs=${3:-10} kids tries k
    [ -n "$pid" ] || return 0
    if ! pid_alive "$pid"; then
        wait "$pid" 2>/dev/null || true
        return 0
    fi
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    tries=$((secs * 10))
    while pid_alive "$pid" && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    if pid_alive "$pid"; then
        log "$name (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    for k in $kids; do
        if pid_alive "$k"; then
            kill -KILL "$k" 2>/dev/null || true
        fi
    done
    return 0
}

# read_pidfile FILE: print the pid in FILE, empty if none.
read_pidfile() {
    if [ -s "$1" ]; then
        tr -dc '0-9' < "$1"
    fi
}
