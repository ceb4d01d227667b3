#!/usr/bin/env bash
# `make test-demo`: `make demo` keeps what the README promises.
#
#   tests/demo/run.sh MODULE_SO          (normally build/ngx_http_ticketing_module.so)
#
# Starts scripts/demo.sh exactly as `make demo` does (Debian's nginx with
# the release module, the mock API, redis-server), but in the background,
# in its own session (as a terminal would run it), with its own directory
# (TICKETING_DEMO_DIR) and free 127.0.0.1 ports. Then:
#
#   0. the API reference's 27 examples (scripts/reference-examples.sh): as
#      written, 400 each; with the placeholders filled as docs/operations.md
#      shows them, the status documented there;
#   1. malformed and refused requests over raw sockets (tests/demo/
#      rawcheck.py): a bad request line, bad headers, %00, a header or URI
#      over 8 KB, TRACE, unknown methods, /V2/, HTTP/0.9, ...: every answer
#      is the uniform JSON error with the right status;
#   2. Redis stopped: the demo says so and runs on; metadata requests still
#      answer 200, X-Cache-Status: BYPASS;
#   3. the mock API stopped: the demo says so and runs on; requests for the
#      API get the uniform 502;
#   4. Ctrl-C (SIGINT to the demo's process group, as a terminal sends it):
#      the demo exits, no process of it is left, its ports are free.
#
# Every wait is bounded (polling, no fixed sleeps); whatever is still
# running on exit is stopped by pid. Output: "ok N - ..." lines; exit
# status 1 if any check failed. Files in build/demo-test/ (DEMO_TEST_DIR).
set -euo pipefail
LIB_TAG=test-demo
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 MODULE_SO"
module_so=$(abspath "$1")
[ -f "$module_so" ] || die "$module_so not found (run 'make module')"
cd "$TOP"
for tool in curl python3 redis-server setsid; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

dir=$(abspath "${DEMO_TEST_DIR:-$TOP/build/demo-test}")
rm -rf "$dir" && mkdir -p "$dir"
out=$dir/demo.out

{ read -r port; read -r redis_port; read -r mock_port; } < <(free_ports 3)

n=0
failed=0
ok() {          # ok STATUS NAME [DIAGNOSTIC]: STATUS 0 passes
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2${3:+ ($3)}"
        failed=1
    fi
}
check() {       # check NAME CMD...
    local name=$1 rc=0
    shift
    "$@" || rc=$?
    ok "$rc" "$name"
}

demo_pid="" nginx_pid="" redis_pid="" mock_pid="" workers=""
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    # the demo stops what it started; anything that outlived it, by pid
    stop_pid "$demo_pid" demo 20
    for p in $nginx_pid $workers $redis_pid $mock_pid; do
        stop_pid "$p" "demo child" 5
    done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------- start
# setsid: the demo leads its own process group, as in a terminal, so that
# step 4 can send SIGINT to the group like Ctrl-C does.
TICKETING_DEMO_DIR=$dir/run TICKETING_DEMO_PORT=$port \
TICKETING_DEMO_REDIS_PORT=$redis_port TICKETING_DEMO_UPSTREAM_PORT=$mock_port \
    setsid scripts/demo.sh "$module_so" > "$out" 2>&1 < /dev/null &
demo_pid=$!

demo_ready() {
    pid_alive "$demo_pid" || return 2
    grep -q '^Ticketing gateway demo running' "$out"
}
if ! wait_until 60 "the demo" demo_ready; then
    cat "$out" >&2
    die "the demo did not start"
fi
[ "$(ps -o pgid= -p "$demo_pid" | tr -d ' ')" = "$demo_pid" ] \
    || die "the demo does not lead its own process group"

nginx_pid=$(read_pidfile "$dir/run/nginx.pid")
redis_pid=$(read_pidfile "$dir/run/redis.pid")
mock_pid=$(read_pidfile "$dir/run/mock.pid")
if [ -z "$nginx_pid" ] || [ -z "$redis_pid" ] || [ -z "$mock_pid" ]; then
    die "missing pid files in $dir/run"
fi
workers=$(pgrep -P "$nginx_pid" || true)
# the token the demo prints for the user
token=$(sed -n "s/^  export TOKEN='\(.*\)'\$/\1/p" "$out")
[ -n "$token" ] || die "the demo printed no token"

base=http://127.0.0.1:$port

# get PATH: "STATUS CACHE_STATUS BODY" of an authenticated GET
get() {
    rm -f "$dir/headers" "$dir/body"
    curl -s --max-time 10 -D "$dir/headers" -o "$dir/body" \
         -H "Authorization: Bearer $token" "$base$1" > /dev/null || true
    printf '%s %s %s\n' \
        "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$dir/headers")" \
        "$(sed -n 's/^X-Cache-Status: *\([A-Z]*\).*/\1/Ip' "$dir/headers")" \
        "$(cat "$dir/body" 2>/dev/null)"
}
said() { grep -qF -- "$1" "$out"; }     # said TEXT: the demo printed TEXT
# expect_said TEXT NAME: the demo prints TEXT (bounded wait)
expect_said() {
    local rc=0
    wait_until 10 "'$1' in the demo's output" said "$1" || rc=$?
    ok "$rc" "$2"
}

# ------------------- 0. the API reference's examples (docs/operations.md)
# as written (placeholders left in): 400 each; placeholders filled with the
# mock's seed: the documented status of each of the 27 operations
TOKEN=$token scripts/reference-examples.sh "$base" \
    "http://127.0.0.1:$mock_port" > "$dir/reference.out" 2>&1 || true
while IFS= read -r line; do
    case $line in
        "ok "*)     ok 0 "reference: ${line#ok * - }" ;;
        "not ok "*) rest=${line#not ok * - }
                    ok 1 "reference: ${rest%% # *}" "${rest#* # }" ;;
        *)          ok 1 "reference-examples.sh: $line" ;;
    esac
done < "$dir/reference.out"

# --------------------------------------- 1. nginx's own errors are uniform
python3 tests/demo/rawcheck.py "$port" $((n + 1)) > "$dir/raw.out" || true
cat "$dir/raw.out"
n=$((n + $(grep -c '^\(not \)\?ok ' "$dir/raw.out")))
if grep -q '^not ok ' "$dir/raw.out"; then failed=1; fi

# -------------------------------------------- 2. Redis stops: fail-open
types=/v2/ticket/metadata/types
hit() { [ "$(get $types | cut -d' ' -f1-2)" = "200 HIT" ]; }
check "metadata.types is cached while Redis runs (HIT)" \
    wait_until 10 "a cache HIT" hit

kill -TERM "$redis_pid" 2>/dev/null || true
expect_said "redis-server (pid $redis_pid) exited" \
    "the demo says that redis-server stopped"
# printed after the line above, where the demo used to exit
expect_said "nginx keeps answering without the cache (fail-open)" \
    "... that it runs on without Redis (fail-open, BYPASS)"
r=$(get $types)
check "metadata.types without Redis: 200, BYPASS (got ${r:0:12})" \
    test "${r:0:10}" = "200 BYPASS"
r=$(get /v2/issueLinkType)
check "issueLinkType.list without Redis: 200, BYPASS (got ${r:0:12})" \
    test "${r:0:10}" = "200 BYPASS"

# ------------------------------------------ 3. the mock stops: uniform 502
kill -TERM "$mock_pid" 2>/dev/null || true
expect_said "mock API (pid $mock_pid) exited" \
    "the demo says that the mock API stopped"
expect_said "nginx keeps answering: requests for the API get the uniform 502" \
    "... that it runs on without the mock (the uniform 502)"
u502='{"code":"0029","status":"BAD_GATEWAY","message":"Bad Gateway","detailMsg":'
r=$(get /v2/orgs/yoigo/ticket/INST-7902)
check "ticket.get without the API: the uniform 502 (got ${r:0:40})" \
    test "${r:0:$((5 + ${#u502}))}" = "502  $u502"
r=$(get $types)
check "metadata.types without Redis and API: the uniform 502, BYPASS" \
    test "${r:0:$((11 + ${#u502}))}" = "502 BYPASS $u502"
python3 tests/demo/rawcheck.py "$port" 1 > "$dir/raw2.out" || true
check "nginx's own errors are still uniform" \
    test "$(grep -c '^ok ' "$dir/raw2.out")" -eq "$(wc -l < "$dir/raw2.out")"
running() { pid_alive "$demo_pid" && pid_alive "$nginx_pid"; }
check "the demo and nginx are still running" running
not_said() { ! said "$1"; }
check "the demo has not stopped by itself" not_said "demo: stopping"

# ------------------------------------------- 4. Ctrl-C stops everything
kill -INT -- "-$demo_pid" 2>/dev/null || true
dead() { ! pid_alive "$1"; }
check "Ctrl-C: the demo exits" wait_until 30 "the demo to exit" dead "$demo_pid"
if dead "$demo_pid"; then
    wait "$demo_pid" 2>/dev/null || true      # reap it: no zombie in the group
fi
left=$(pgrep -g "$demo_pid" || true)
check "no process of the demo's group is left${left:+ (left: $left)}" \
    test -z "$left"
for p in $nginx_pid $workers $redis_pid $mock_pid; do
    check "process $p (nginx, redis-server or the mock) is gone" dead "$p"
done
free() { ! port_busy "$1"; }
for p in $port $redis_port $mock_port; do
    check "port $p is free again" free "$p"
done
check "the demo said it stopped everything" said "demo: stopped"
demo_pid=""

echo "1..$n"
if [ "$failed" -ne 0 ]; then
    log "FAILED; the demo's output: $out, its logs: $dir/run/logs"
    exit 1
fi
