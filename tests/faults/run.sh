#!/usr/bin/env bash
# `make faults`: what the gateway does when things around it break.
#
#   tests/faults/run.sh NGINX_BINARY        (normally build/asan/nginx)
#
# Runs one nginx (master + 1 worker, as in production, so that reload
# works) with the module, in front of three upstreams on free 127.0.0.1
# ports, all bench/slow_upstream.py: "fast" (no delay), "slow" (300 ms) and
# "hang" (reads the request, never answers). Then:
#
#   1. upstream killed     -> 502 for every request, no hang; after a
#                             restart of the upstream, 200 again
#   2. upstream hanging    -> 504 after proxy_read_timeout (1 s), bounded
#   3. nginx -s reload x3 under a wrk load -> no non-2xx answer
#   4. clients closing mid-request (partial request line, partial headers,
#      partial body, reset while the upstream works)  -> nginx alive, same
#      worker (no crash/respawn), next request 200
#   5. Redis (our own redis-server on a free port) behind a gateway with
#      ticketing_cache on: killed and restarted under a wrk load -> no
#      non-2xx, no stuck request, BYPASS while down, HIT again after;
#      frozen with SIGSTOP -> every request bounded by
#      ticketing_cache_timeout, then the circuit opens (no added latency);
#      SIGCONT -> HIT again; clients closing mid-Redis-lookup -> no crash
#   and throughout: no [alert]/[crit]/[emerg], no worker exit other than
#   the graceful ones of reloads, no ASan/UBSan/LSan report.
#
# The 502 and 504 bodies are the uniform JSON error of the API.
#
# Every wait and load loop is bounded; everything started is stopped on
# exit. Output: TAP-like "ok N - ..." lines; the exit status is 1 if any
# check failed. Logs in build/faults/ (override: FAULTS_DIR).
set -euo pipefail
LIB_TAG=faults
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 NGINX_BINARY"
nginx=$(abspath "$1")
[ -x "$nginx" ] || die "$nginx is not an executable (run 'make nginx-asan')"
cd "$TOP"
for tool in curl wrk python3 redis-server redis-cli; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

dir=$(abspath "${FAULTS_DIR:-$TOP/build/faults}")
rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/tmp" "$dir/san"
# the workers run as another user when we are root (nobody): they must be
# able to write their sanitizer reports
chmod 1777 "$dir/san"
upstream_py=bench/slow_upstream.py

# Sanitizers (for the ASan build; harmless for another binary): reports go
# to $dir/san, one file per process. master_process on: a worker's leak is
# reported when it exits. The two nginx core UBSan reports and core
# exit-time leaks are suppressed as in scripts/run-t.sh and t/lib.
cat > "$dir/ubsan.supp" <<'EOF'
nonnull-attribute:ngx_pstrdup
nonnull-attribute:ngx_sprintf_str
EOF
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$dir/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$dir/san/ubsan:suppressions=$dir/ubsan.supp"
export LSAN_OPTIONS="suppressions=$TOP/t/lib/Test/Nginx/Lite/nginx-core.lsan.supp"
# nginx -s reload / -t are short-lived processes with nginx's own leaks
signal_env=(env ASAN_OPTIONS="detect_leaks=0:log_path=$dir/san/asan-cli")

# ------------------------------------------------------------- processes
nginx_pid=""
fast_pid=""; slow_pid=""; hang_pid=""; redis_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # a frozen Redis does not die of SIGTERM until it runs again
    [ -z "$redis_pid" ] || kill -CONT "$redis_pid" 2>/dev/null || true
    stop_pid "$nginx_pid" nginx 10
    stop_pid "$redis_pid" redis-server 5
    stop_pid "$fast_pid" "fast upstream" 5
    stop_pid "$slow_pid" "slow upstream" 5
    stop_pid "$hang_pid" "hanging upstream" 5
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r gw_port gw_slow_port gw_hang_port fast_port slow_port hang_port \
    gw_cache_port redis_port <<<"$(free_ports 8 | xargs)"

start_upstream() {     # start_upstream PORT DELAY_MS NAME: prints the pid
    python3 "$upstream_py" --port "$1" --delay-ms "$2" \
        > "$dir/logs/upstream-$3.log" 2>&1 &
    local pid=$!
    # shellcheck disable=SC2317  # called through wait_until
    up_ready() { pid_alive "$pid" || return 2; python3 - "$1" <<'EOF'
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
EOF
    }
    wait_until 10 "upstream $3 on port $1" up_ready "$1" \
        || die "upstream $3 did not start"
    echo "$pid"
}
fast_pid=$(start_upstream "$fast_port" 0 fast)
slow_pid=$(start_upstream "$slow_port" 300 slow)
hang_pid=$(start_upstream "$hang_port" 3600000 hang)

# our own redis-server, in the foreground as our child (its pid is known)
start_redis() {
    redis-server --save '' --appendonly no --bind 127.0.0.1 \
        --port "$redis_port" --daemonize no --dir "$dir/tmp" \
        --logfile "$dir/logs/redis.log" &
    redis_pid=$!
    # shellcheck disable=SC2317  # called through wait_until
    redis_ready() { pid_alive "$redis_pid" || return 2; redis_up "$redis_port"; }
    wait_until 10 "redis-server on port $redis_port" redis_ready \
        || die "redis-server did not start"
}
start_redis

cache_timeout_ms=200
cat > "$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;

events {
    worker_connections 512;
}

http {
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path       $dir/tmp/proxy;
    fastcgi_temp_path     $dir/tmp/fastcgi;
    uwsgi_temp_path       $dir/tmp/uwsgi;
    scgi_temp_path        $dir/tmp/scgi;

    access_log $dir/logs/access.log;
    default_type application/json;

    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout 1s;
    proxy_read_timeout 1s;
    proxy_send_timeout 1s;

    upstream fast { server 127.0.0.1:$fast_port; keepalive 16; }
    upstream slow { server 127.0.0.1:$slow_port; keepalive 16; }
    upstream hang { server 127.0.0.1:$hang_port; }

    # the cache: a lookup waits at most cache_timeout; 3 failures in a row
    # open the circuit for 2 s
    ticketing_redis 127.0.0.1:$redis_port prefix=faults connect_timeout=300ms
                    max_fails=3 fail_timeout=2s;

    # the faults are about the upstream and nginx, not about tokens or the
    # provider header: auth off, a default provider; without a subject to
    # key it by, metadata.types is shared
    ticketing_auth off;
    ticketing_provider_default JAM;
    ticketing_cache_scope metadata.types shared;

    # short client timeouts: abandoned partial requests end quickly
    client_header_timeout 2s;
    client_body_timeout 2s;

    # one server per upstream (no regex rewrite: nginx 1.22 with PCRE2
    # leaks its compile contexts on reload, which LSan would report)
    server {
        listen 127.0.0.1:$gw_port;

        location /v2/ {
            ticketing_gateway on;
            proxy_pass http://fast;
        }
    }

    server {
        listen 127.0.0.1:$gw_slow_port;

        location /v2/ {
            ticketing_gateway on;
            proxy_pass http://slow;
        }
    }

    server {
        listen 127.0.0.1:$gw_hang_port;

        location /v2/ {
            ticketing_gateway on;
            proxy_pass http://hang;
        }
    }

    server {
        listen 127.0.0.1:$gw_cache_port;

        location /v2/ {
            ticketing_gateway on;
            ticketing_cache on;
            ticketing_cache_timeout ${cache_timeout_ms}ms;
            proxy_pass http://fast;
        }
    }
}
EOF

# the module is compiled into the ASan binary; for another binary (e.g.
# Debian's /usr/sbin/nginx) name the .so in FAULTS_MODULE_SO
if [ -n "${FAULTS_MODULE_SO:-}" ]; then
    sed -i "1i load_module $(abspath "$FAULTS_MODULE_SO");" "$dir/nginx.conf"
fi

"${signal_env[@]}" "$nginx" -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" \
    || die "nginx -t refused $dir/nginx.conf"
"$nginx" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" \
    > "$dir/logs/stderr.log" 2>&1 &
nginx_pid=$!
gw_up() { pid_alive "$nginx_pid" || return 2; [ "$(http_status "http://127.0.0.1:$gw_port/")" != 000 ]; }
wait_until 20 "nginx on port $gw_port" gw_up || { cat "$dir/logs/error.log" >&2; die "nginx did not start"; }

# ---------------------------------------------------------------- checks
n=0; failures=0
ok() {          # ok COND_STATUS NAME [DIAG]
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        [ -z "${3:-}" ] || echo "#   $3"
        failures=$((failures + 1))
    fi
}
is() {
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "got '$1', expected '$2'"; fi
}

worker() {
    ps -o pid=,args= --ppid "$nginx_pid" | awk '/worker process/ { print $1; exit }'
}

# req [slow|hang] PATH: "STATUS SECONDS" of one GET through the gateway
# (in front of the fast upstream, or the slow or the hanging one)
req() {
    local port=$gw_port
    case $1 in
        slow) port=$gw_slow_port; shift ;;
        hang) port=$gw_hang_port; shift ;;
    esac
    curl -s -o "$dir/last.body" -w '%{http_code} %{time_total}' --max-time 10 \
        -H 'ticketing-provider: JAM' "http://127.0.0.1:$port$1" || true
}

# check NAME DIAG CMD...: one check that CMD succeeds
check() {
    local name=$1 diag=$2; shift 2
    if "$@"; then ok 0 "$name"; else ok 1 "$name" "$diag"; fi
}
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# uniform CODE STATUS: the last body is exactly the API's error schema
uniform() {
    python3 - "$dir/last.body" "$1" "$2" <<'EOF'
import json, sys
body = json.load(open(sys.argv[1]))
assert list(body) == ["code", "status", "message", "detailMsg"], body
assert body["code"] == sys.argv[2] and body["status"] == sys.argv[3], body
EOF
}
api=/v2/ticket/metadata/types

read -r st _ <<<"$(req $api)"
is "$st" 200 "sanity: the fast upstream answers through the gateway"
read -r st _ <<<"$(req slow $api)"
is "$st" 200 "sanity: the slow upstream answers through the gateway"
read -r st _ <<<"$(req /v2/no/such/operation)"
is "$st" 404 "sanity: the gateway routes (unknown operation: 404)"
worker0=$(worker)

# 1. upstream killed ------------------------------------------------------
kill -KILL "$fast_pid"; wait "$fast_pid" 2>/dev/null || true; fast_pid=""
bad=0; slowest=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
    read -r st t <<<"$(req $api)"
    [ "$st" = 502 ] || bad=$((bad + 1))
    slowest=$(awk -v a="$slowest" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
done
is "$bad" 0 "upstream killed: 10 of 10 requests answered 502"
check "upstream killed: the 502 body is the uniform JSON error" \
    "$(head -c 300 "$dir/last.body")" uniform 0029 BAD_GATEWAY
check "upstream killed: no request waited (slowest ${slowest}s < 2s)" "" \
    less_than "$slowest" 2
fast_pid=$(start_upstream "$fast_port" 0 fast)
read -r st _ <<<"$(req $api)"
is "$st" 200 "upstream back: 200 again"

# 2. upstream hanging -----------------------------------------------------
read -r st t <<<"$(req hang $api)"
is "$st" 504 "upstream hanging: 504"
check "upstream hanging: the 504 body is the uniform JSON error" \
    "$(head -c 300 "$dir/last.body")" uniform 0031 GATEWAY_TIMEOUT
check "upstream hanging: after proxy_read_timeout 1s (took ${t}s)" "" \
    awk -v t="$t" 'BEGIN { exit !(t >= 0.9 && t < 3) }'

# 3. reload under load ----------------------------------------------------
# Two loads at once: keepalive connections, and a new connection per
# request (Connection: close). With the latter every failure is a failed
# request; with the former, a connection an old worker closes while idle
# can show as a wrk "read" error (nginx closes idle keepalive connections on
# a graceful shutdown; clients retry those), so those are reported only.
load_secs=${FAULTS_LOAD_SECONDS:-6}
url=http://127.0.0.1:$gw_port$api
wrk -t1 -c4 -d"${load_secs}s" -H 'ticketing-provider: JAM' "$url" \
    > "$dir/logs/wrk-reload-keepalive.txt" 2>&1 &
wrk_ka=$!
# (2 connections only: a connection per request uses up ephemeral ports)
wrk -t1 -c2 -d"${load_secs}s" -H 'ticketing-provider: JAM' \
    -H 'Connection: close' "$url" > "$dir/logs/wrk-reload-close.txt" 2>&1 &
wrk_close=$!
sleep 1
for i in 1 2 3; do
    "${signal_env[@]}" "$nginx" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -s reload \
        || echo "# reload $i: nginx -s reload failed"
    sleep 1
done
wait "$wrk_ka" || true
wait "$wrk_close" || true
reloads=$(grep -c ': reconfiguring$' "$dir/logs/error.log" || true)
is "$reloads" 3 "reload under load: 3 reloads done"
for kind in keepalive close; do
    out=$dir/logs/wrk-reload-$kind.txt
    total=$(awk '/ requests in / { print $1 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
    check "reload under load ($kind): wrk ran (${total:-0} requests)" "" \
        less_than 0 "${total:-0}"
    is "${non2xx:-0}" 0 "reload under load ($kind): no non-2xx answer"
    if [ "$kind" = close ]; then
        is "${sockerr:-none}" none "reload under load ($kind): no socket error"
    elif [ -n "$sockerr" ]; then
        echo "# reload under load ($kind): wrk socket errors: $sockerr"
    fi
done
worker1=$(worker)

# 4. clients closing mid-request ------------------------------------------
abandon() {
    python3 - "$gw_port" "$gw_slow_port" "$gw_hang_port" <<'EOF'
import socket, struct, sys, time
fast, slow, hang = (int(p) for p in sys.argv[1:4])
full = b"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: x\r\n\r\n"
partials = [
    (fast, b"GET /v2/ticket/metad"),                       # request line
    (fast, b"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: x\r\nticke"),
    (fast, b"POST /v2/orgs/yoigo/ticket HTTP/1.1\r\nHost: x\r\n"  # body
           b"Content-Type: application/json\r\nContent-Length: 1000\r\n"
           b"\r\n{\"pro"),
    (slow, full),                                # while the upstream works
    (hang, full),
]
for i in range(20):
    for port, data in partials:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.sendall(data)
        if i % 2:
            time.sleep(0.01)
        if i % 3 == 0:   # reset instead of FIN
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        s.close()
EOF
}
check "clients closing mid-request: 100 connections abandoned" "" abandon
# and curl giving up while the slow upstream works
for _ in 1 2 3 4 5 6 7 8 9 10; do
    curl -s -o /dev/null --max-time 0.1 -H 'ticketing-provider: JAM' \
        "http://127.0.0.1:$gw_slow_port$api" || true
done
sleep 0.5
read -r st _ <<<"$(req $api)"
is "$st" 200 "after abandoned requests: nginx answers 200"
worker2=$(worker)
is "$worker2" "$worker1" "after abandoned requests: the same worker (no crash, no respawn)"
check "reload replaced the worker ($worker0 -> $worker1)" "" \
    test -n "$worker0" -a "$worker0" != "$worker1"

# 5. Redis: killed and restarted, frozen, clients leaving mid-lookup ------
# creq: "STATUS X-CACHE-STATUS SECONDS" of one GET through the cache server
creq() {
    local out
    out=$(curl -s -o "$dir/last.body" --max-time 5 \
              -w '%{http_code} %header{x-cache-status} %{time_total}' \
              -H 'ticketing-provider: JAM' \
              "http://127.0.0.1:$gw_cache_port$api" || true)
    # no X-Cache-Status: the middle field is empty, say "-"
    awk '{ if (NF == 2) print $1, "-", $2; else print }' <<<"$out"
}
# until_cache STATUS SECONDS: one request a 100 ms until X-Cache-Status is
# STATUS (bounded); prints the number of requests it took, fails if never
until_cache() {
    local i max=$(($2 * 10)) st cs t
    for ((i = 1; i <= max; i++)); do
        read -r st cs t <<<"$(creq)"
        if [ "$st" = 200 ] && [ "$cs" = "$1" ]; then echo "$i"; return 0; fi
        sleep 0.1
    done
    echo "$max (last: $st $cs)"
    return 1
}
worker_cache0=$(worker)

read -r st cs _ <<<"$(creq)"
is "$st $cs" "200 MISS" "redis up: first request MISS"
k=$(until_cache HIT 3) && ok 0 "redis up: HIT after the fill ($k requests)" \
    || ok 1 "redis up: HIT after the fill" "$k"

# killed and restarted while wrk loads the cache server
wrk -t1 -c4 -d5s --timeout 2s -H 'ticketing-provider: JAM' \
    "http://127.0.0.1:$gw_cache_port$api" > "$dir/logs/wrk-redis-kill.txt" 2>&1 &
wrk_kill=$!
sleep 1
kill -KILL "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=""
bypass=0; bad=0; slowest=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
    read -r st cs t <<<"$(creq)"
    [ "$st" = 200 ] || bad=$((bad + 1))
    [ "$cs" = BYPASS ] && bypass=$((bypass + 1))
    slowest=$(awk -v a="$slowest" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
done
is "$bad" 0 "redis killed: 10 of 10 requests answered 200"
is "$bypass" 10 "redis killed: 10 of 10 X-Cache-Status: BYPASS"
check "redis killed: no request waited (slowest ${slowest}s < 1s)" "" \
    less_than "$slowest" 1
sleep 1
start_redis
wait "$wrk_kill" || true
out=$dir/logs/wrk-redis-kill.txt
total=$(awk '/ requests in / { print $1 }' "$out")
non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
check "redis killed under load: wrk ran (${total:-0} requests)" "" \
    less_than 0 "${total:-0}"
is "${non2xx:-0}" 0 "redis killed under load: no non-2xx answer"
is "${sockerr:-none}" none "redis killed under load: no socket error, no timeout"
# the circuit may be open for fail_timeout (2 s): HIT again within 5 s
k=$(until_cache HIT 5) && ok 0 "redis restarted: HIT again ($k requests)" \
    || ok 1 "redis restarted: HIT again" "$k"

# frozen (SIGSTOP): the connection stays up, Redis answers nothing
kill -STOP "$redis_pid"
lat=()
for i in 1 2 3 4 5 6 7 8; do
    read -r st cs t <<<"$(creq)"
    lat+=("$t")
    [ "$st $cs" = "200 BYPASS" ] || echo "# frozen request $i: $st $cs"
done
echo "# redis frozen: latencies ${lat[*]} s (cache timeout ${cache_timeout_ms} ms)"
max=$(printf '%s\n' "${lat[@]}" | sort -g | tail -1)
# ASan and a shared machine: the timeout plus 250 ms of slack
check "redis frozen: latency bounded by the timeout (max ${max}s)" "" \
    less_than "$max" "$(awk -v t="$cache_timeout_ms" 'BEGIN { print t / 1000 + 0.25 }')"
# after max_fails=3 timeouts the circuit is open: no lookup, no wait
open_max=$(printf '%s\n' "${lat[@]:4}" | sort -g | tail -1)
check "redis frozen: circuit open after 3 timeouts (requests 5-8 max ${open_max}s)" "" \
    less_than "$open_max" "$(awk -v t="$cache_timeout_ms" 'BEGIN { print t / 2000 }')"
kill -CONT "$redis_pid"
k=$(until_cache HIT 6) && ok 0 "redis thawed (SIGCONT): HIT again ($k requests)" \
    || ok 1 "redis thawed (SIGCONT): HIT again" "$k"

# clients leaving while their lookup waits on a frozen Redis
kill -STOP "$redis_pid"
for _ in 1 2; do
    curl -s -o /dev/null --max-time 0.05 -H 'ticketing-provider: JAM' \
        "http://127.0.0.1:$gw_cache_port$api" || true
done
python3 - "$gw_cache_port" <<'EOF'
import socket, struct, sys, time
port = int(sys.argv[1])
req = (b"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: x\r\n"
       b"ticketing-provider: JAM\r\n\r\n")
for i in range(4):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.sendall(req)
    time.sleep(0.02)
    if i % 2:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
EOF
sleep 0.5
kill -CONT "$redis_pid"
read -r st _ <<<"$(creq)"
is "$st" 200 "clients closing mid-Redis-lookup: nginx answers 200"
is "$(worker)" "$worker_cache0" "clients closing mid-Redis-lookup: the same worker (no crash)"
k=$(until_cache HIT 6) && ok 0 "after the lookups abandoned: HIT again ($k requests)" \
    || ok 1 "after the lookups abandoned: HIT again" "$k"

# ------------------------------------------------------ logs and shutdown
"${signal_env[@]}" "$nginx" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/logs/error.log" -s quit || true
gone() { ! pid_alive "$nginx_pid"; }
check "nginx quits gracefully" "" wait_until 15 "nginx to quit" gone
nginx_rc=0; wait "$nginx_pid" 2>/dev/null || nginx_rc=$?
nginx_pid=""
is "$nginx_rc" 0 "nginx master exit status"

bad_log=$(grep -E '\[(alert|crit|emerg)\]|exited on signal|exited with code [1-9]' \
          "$dir/logs/error.log" | head -5 || true)
check "error.log: no alert/crit/emerg, no worker crash or failed exit" \
    "$bad_log" test -z "$bad_log"

shopt -s nullglob
reports=()
for f in "$dir"/san/*; do [ -s "$f" ] && reports+=("$f"); done
shopt -u nullglob
check "no sanitizer report" "${reports[*]:-}" test ${#reports[@]} -eq 0
for f in "${reports[@]}"; do head -40 "$f" | sed 's/^/#   /'; done

echo "1..$n"
if [ "$failures" -gt 0 ]; then
    die "$failures of $n checks failed (logs: $dir/logs)"
fi
log "all $n checks passed"
