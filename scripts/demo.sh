#!/usr/bin/env bash
# `make demo`: the gateway in front of the mock Ticketing API, by hand.
#
#   scripts/demo.sh MODULE_SO
#
# Starts in the foreground, on 127.0.0.1 only:
#   redis-server                             port 6380  TICKETING_DEMO_REDIS_PORT
#   the mock API (t/mock/ticketing_mock.py)  port 8081  TICKETING_DEMO_UPSTREAM_PORT
#   Debian's /usr/sbin/nginx + MODULE_SO     port 8080  TICKETING_DEMO_PORT
# prints curl commands to try, and runs until Ctrl-C or SIGTERM; then it
# stops all three and leaves no process behind. If nginx dies, the demo
# stops too. If redis-server or the mock stops (killed, shut down), nginx
# keeps answering without it, as the module promises: metadata requests go
# to the API uncached (X-Cache-Status: BYPASS), requests the API should
# answer get the uniform 502; the demo says so and runs on.
#
# Everything it writes is in build/demo/ (TICKETING_DEMO_DIR): nginx.conf
# (generated from conf.d/demo.conf.in), keys/, logs/, tmp/, pid files
# (demo.pid, nginx.pid, redis.pid, mock.pid). The system's nginx and redis
# services (their configs, logs, pid files, ports) are never used.
set -euo pipefail
LIB_TAG=demo
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 MODULE_SO"
module_so=$(abspath "$1")
[ -f "$module_so" ] || die "$module_so not found (run 'make')"

nginx_bin=/usr/sbin/nginx
demo_port=${TICKETING_DEMO_PORT:-8080}
redis_port=${TICKETING_DEMO_REDIS_PORT:-6380}
upstream_port=${TICKETING_DEMO_UPSTREAM_PORT:-8081}

for p in "$demo_port" "$redis_port" "$upstream_port"; do
    [[ $p =~ ^[0-9]+$ ]] && [ "$p" -ge 1 ] && [ "$p" -le 65535 ] \
        || die "invalid port '$p'"
done
[ "$demo_port" != "$redis_port" ] && [ "$demo_port" != "$upstream_port" ] \
    && [ "$redis_port" != "$upstream_port" ] \
    || die "the three ports must differ ($demo_port, $redis_port, $upstream_port)"

[ -x "$nginx_bin" ] || die "$nginx_bin not found: run 'make deps' (nginx-core)"
for tool in redis-server redis-cli python3 curl flock; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done
mock=$TOP/t/mock/ticketing_mock.py
[ -f "$mock" ] || die "$mock not found"

rundir=$(abspath "${TICKETING_DEMO_DIR:-$TOP/build/demo}")
mkdir -p "$rundir"
rundir=$(cd "$rundir" && pwd)
# scripts/token.sh signs with the keys of this directory
export TICKETING_DEMO_DIR=$rundir

# --------------------------------------------------------- one at a time
# The lock is held for the demo's whole life on fd 9 (closed in every child
# below, so a leftover child cannot keep it). demo.pid says who holds it.
exec 9>"$rundir/demo.lock"
if ! flock -n 9; then
    other_pid="" other_port=""
    if [ -s "$rundir/demo.pid" ]; then
        read -r other_pid other_port < "$rundir/demo.pid" || true
    fi
    printf 'demo: a demo is already running (pid %s) on port %s; stop it with Ctrl-C in its terminal or kill %s\n' \
        "${other_pid:-?}" "${other_port:-?}" "${other_pid:-?}" >&2
    exit 1
fi
printf '%s %s\n' "$$" "$demo_port" > "$rundir/demo.pid"

# From here on, whatever happens, stop what was started: by pid, bounded.
redis_pid="" mock_pid="" nginx_pid=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$redis_pid$mock_pid$nginx_pid" ]; then
        echo >&2
        log "stopping"
        # nginx first (no more requests), then what it talks to.
        stop_pid "$nginx_pid" nginx 10
        stop_pid "$mock_pid" "mock API" 5
        stop_pid "$redis_pid" redis-server 5
        log "stopped (logs kept in $rundir/logs)"
    fi
    rm -f "$rundir/demo.pid" "$rundir/mock.pid" "$rundir/redis.pid"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Ports busy for another reason (another program, a demo of another
# checkout): say which, before starting anything.
for spec in "$demo_port:nginx:TICKETING_DEMO_PORT" \
            "$redis_port:redis-server:TICKETING_DEMO_REDIS_PORT" \
            "$upstream_port:the mock API:TICKETING_DEMO_UPSTREAM_PORT"; do
    IFS=: read -r port what var <<<"$spec"
    if port_busy "$port"; then
        die "port $port (for $what) is already in use by $(port_owner "$port");" \
            "stop that or choose another port with $var=N"
    fi
done

# --------------------------------------------------------------- config
# Fresh logs for each run; the previous run's are kept as *.old.
mkdir -p "$rundir/logs" "$rundir/tmp"
for f in "$rundir"/logs/*.log; do
    if [ -f "$f" ]; then mv -f "$f" "$f.old"; fi
done

# Demo keys: generated at the first run into build/demo/keys, kept after.
keydir=$rundir/keys
"$TOP/scripts/demo-keys.sh" "$keydir"

# sed replacement text: escape \ & and the | delimiter.
sed_escape() { printf '%s' "$1" | sed 's/[\\&|]/\\&/g'; }

sed -e '/^##/d' \
    -e "s|@MODULE_SO@|$(sed_escape "$module_so")|g" \
    -e "s|@RUNDIR@|$(sed_escape "$rundir")|g" \
    -e "s|@DEMO_PORT@|$demo_port|g" \
    -e "s|@UPSTREAM_PORT@|$upstream_port|g" \
    -e "s|@REDIS_PORT@|$redis_port|g" \
    -e "s|@KEYDIR@|$(sed_escape "$keydir")|g" \
    "$TOP/conf.d/demo.conf.in" > "$rundir/nginx.conf"
if grep -n '@[A-Z_]*@' "$rundir/nginx.conf" >&2; then
    die "unreplaced placeholders in $rundir/nginx.conf (see above)"
fi

# -p/-e: Debian's nginx would otherwise open /var/log/nginx/error.log and
# resolve relative paths under /usr/share/nginx before reading our config.
nginx_args=(-p "$rundir/" -c "$rundir/nginx.conf" -e "$rundir/logs/error.log")
if ! "$nginx_bin" -t -q "${nginx_args[@]}"; then
    die "nginx rejects $rundir/nginx.conf (see above)"
fi


# ------------------------------------------------------------ services
# All three run in the foreground as our children ("&"), so their pids are
# known exactly and nothing daemonizes out of reach. "9>&-": they must not
# inherit the lock.
redis-server --save '' --appendonly no --bind 127.0.0.1 --port "$redis_port" \
    --daemonize no --dir "$rundir" --logfile "$rundir/logs/redis.log" \
    --pidfile "$rundir/redis.pid" 9>&- &
redis_pid=$!

python3 "$mock" --host 127.0.0.1 --port "$upstream_port" \
    --pidfile "$rundir/mock.pid" > "$rundir/logs/mock.log" 2>&1 9>&- &
mock_pid=$!

# alive_and CHECK PID ARGS...: CHECK ARGS, but give up (2) if PID died.
alive_and() {
    local check=$1 pid=$2; shift 2
    pid_alive "$pid" || return 2
    "$check" "$@"
}
wait_until 10 "redis-server on port $redis_port" \
        alive_and redis_up "$redis_pid" "$redis_port" \
    || { tail -5 "$rundir/logs/redis.log" >&2; die "redis-server did not start"; }
wait_until 15 "the mock API on port $upstream_port" \
        alive_and http_ok "$mock_pid" "http://127.0.0.1:$upstream_port/__mock/health" \
    || { tail -5 "$rundir/logs/mock.log" >&2; die "the mock API did not start"; }

"$nginx_bin" "${nginx_args[@]}" 9>&- &
nginx_pid=$!
nginx_up() { [ "$(http_status "http://127.0.0.1:$demo_port/")" != 000 ]; }
wait_until 10 "nginx on port $demo_port" alive_and nginx_up "$nginx_pid" \
    || { tail -5 "$rundir/logs/error.log" >&2; die "nginx did not start"; }

# ---------------------------------------------------------------- usage
base=http://127.0.0.1:$demo_port
rel() { printf '%s\n' "${1#"$TOP"/}"; }
# a token valid for 8 hours, with every permission and the org "yoigo"
token=$("$TOP/scripts/token.sh" RS256 28800 2>/dev/null) \
    || die "could not mint a demo token (scripts/token.sh)"
auth='-H "Authorization: Bearer $TOKEN"'
cat <<EOF

Ticketing gateway demo running. Ctrl-C (or kill $$) stops it.

  nginx      $base  pid $nginx_pid  ($nginx_bin + $(rel "$module_so"))
  mock API   http://127.0.0.1:$upstream_port  pid $mock_pid
  redis      127.0.0.1:$redis_port  pid $redis_pid
  config     $(rel "$rundir/nginx.conf")  (from conf.d/demo.conf.in)
  logs       $(rel "$rundir/logs")/{access,error,mock,redis}.log
             tail -f $(rel "$rundir/logs/access.log")

Try (in another terminal). Every request needs a token: this one is valid
for 8 hours (RS256, every permission, org "yoigo"). 'make token' mints
others, e.g.  make token ALG=ES256 TTL=600 CLAIMS='{"permissions":null}'

  export TOKEN='$token'

  # ticket types (metadata.types): run it twice, X-Cache-Status goes
  # from MISS to HIT (the answer now comes from Redis)
  curl -i $auth -H 'ticketing-provider: JAM' $base/v2/ticket/metadata/types

  # a sloppy provider value is normalized ("jira amarillo" -> JAM)
  curl -i $auth -H 'ticketing-provider: jira amarillo' $base/v2/ticket/metadata/types

  # a request the API's reference rules out: 400 naming the field
  curl -i $auth $base/v2/ticket/field/info

  # one ticket (ticket.get), provider JAM, organization yoigo
  curl -i $auth -H 'ticketing-provider: JAM' $base/v2/orgs/yoigo/ticket/INST-7902

  # another organization: the token is not valid for it (403)
  curl -i $auth -H 'ticketing-provider: JAM' $base/v2/orgs/masmovil/ticket/INST-7902

  # no token: 401 with WWW-Authenticate
  curl -i -H 'ticketing-provider: JAM' $base/v2/ticket/metadata/types

  # create a ticket (ticket.create)
  curl -i -X POST $auth -H 'ticketing-provider: JAM' -H 'Content-Type: application/json' \\
       $base/v2/orgs/yoigo/ticket --data-raw '{
         "project": "INST", "ticketType": "Incidencia",
         "summary": "Cita - Y28257924",
         "description": "Cita - Cliente solicita contacto en fecha concreta - Y28257924",
         "customFields": {"segment": "Residencial", "brand": "Yoigo", "category": "Cita",
                          "subcategory": "Cliente solicita contacto en fecha concreta",
                          "work_order_id": "Y28257924"}}'

  # not an API operation: the uniform 404
  curl -i -H 'ticketing-provider: JAM' $base/v2/no/such/operation

  # a known path with the wrong method: 405 (routing comes before auth)
  curl -i -X DELETE -H 'ticketing-provider: JAM' $base/v2/ticket/metadata/types

  # nginx's own refusals are in the uniform schema too: 404, 405, 400
  curl -i $base/V2/ticket/metadata/types
  curl -i -X TRACE $base/v2/ticket/metadata/types
  curl -i $base/v2/%00

  # fail-open: stop Redis, and the metadata requests above still answer,
  # straight from the API (X-Cache-Status: BYPASS)
  kill $redis_pid
  # stop the mock API: what needs it gets the uniform 502 Bad Gateway
  kill $mock_pid

EOF

# ----------------------------------------------------------- supervise
# Until a signal (the traps above run cleanup) or nginx exits: without
# nginx there is no demo. redis-server and the mock API may stop (killed
# by the user to watch the gateway fail open): nginx goes on without them,
# and the demo says what that means, then watches the others.
gone() {    # gone WHAT PID LOG: say that WHAT (pid PID) stopped
    log "$1 (pid $2) exited; last lines of $(rel "$rundir/logs/$3"):"
    tail -5 "$rundir/logs/$3" >&2 || true
}
while :; do
    # shellcheck disable=SC2086  # an empty pid is no argument
    wait -n $nginx_pid $redis_pid $mock_pid || true
    if ! pid_alive "$nginx_pid"; then
        gone nginx "$nginx_pid" error.log
        exit 1
    fi
    if [ -n "$redis_pid" ] && ! pid_alive "$redis_pid"; then
        gone redis-server "$redis_pid" redis.log
        log "nginx keeps answering without the cache (fail-open): metadata" \
            "requests go to the API, with X-Cache-Status: BYPASS"
        redis_pid=""
        [ -n "$mock_pid" ] || log "only nginx is left; Ctrl-C stops it"
    fi
    if [ -n "$mock_pid" ] && ! pid_alive "$mock_pid"; then
        gone "mock API" "$mock_pid" mock.log
        log "nginx keeps answering: requests for the API get the uniform" \
            "502 Bad Gateway (metadata cached in Redis still answers)"
        mock_pid=""
        [ -n "$redis_pid" ] || log "only nginx is left; Ctrl-C stops it"
    fi
done
