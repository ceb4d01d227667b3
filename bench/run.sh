#!/usr/bin/env bash
# `make bench`: the module against plain nginx, in one run, one table.
#
#   bench/run.sh MODULE_SO
#
# Every row is a file bench/rows/NN-name.conf: a server block (plus any
# http-level directive it needs) dropped into bench/gateway.conf.in, and
# "## key: value" lines that describe it (see "Row files" below). For each
# row a fresh Debian nginx (/usr/sbin/nginx, one worker) is started with
# that configuration, checked with one request, warmed up, measured with
# wrk, and stopped. The upstreams are a static nginx (bench/upstream.conf.in,
# one worker, fixed JSON bodies) and, for the 20 ms rows,
# bench/slow_upstream.py. The table: requests/s, p99 latency and the ratio of
# requests/s to the baseline row of the same run (machines are noisy: the
# ratio is the figure that counts).
#
# Settings (environment):
#   BENCH_ROUNDS=3         rounds: every row is measured once per round,
#                          the rows interleaved, and the table shows the
#                          median (noise from other processes spreads over
#                          all rows instead of hitting one)
#   BENCH_DURATION=5s      wrk duration per row and round
#   BENCH_WARMUP=1s        wrk warm-up per row and round, not measured
#   BENCH_CONNECTIONS=32   wrk connections (-c)
#   BENCH_THREADS=1        wrk threads (-t)
#   BENCH_PAIR_BURSTS=10   alternating bursts of a row and its compare row
#   BENCH_PAIR_BURST=1s    wrk duration of one burst
#   BENCH_RSS_REQUESTS=1000000   requests of the RSS (leak check) row
#   BENCH_RSS_MAX_GROWTH_KB=1024 RSS growth over them that fails the row
#   BENCH_RSS_MAX_SECONDS=300    time bound of the RSS row
#   BENCH_RSS_CHUNK=10s    the RSS row runs wrk in chunks of this length
#   BENCH_QUICK=1          1 round of 3s rows, 4 pair bursts,
#                          100000 RSS requests
#   BENCH_ROWS="30 51"     run only rows whose file name starts with one of
#                          these (the baseline always runs)
#   BENCH_PIN=1|0          pin the gateway to CPU 0, the upstreams and wrk to
#                          CPU 1 (default: 1 with 2+ CPUs and taskset)
#   BENCH_NGINX=/usr/sbin/nginx   BENCH_DIR=build/bench
#
# Row files, "## key: value" lines (everything else is nginx configuration
# inside http{}, with the placeholders of bench/gateway.conf.in):
#   title:          the row's label (required)
#   baseline: yes   the row the ratios refer to (exactly one)
#   module: yes|no  load the module (default yes)
#   path:           request path (default /v2/ticket/metadata/types)
#   header:         an extra request header, repeatable
#   compare:        the number of a row sending the same request to plain
#                   nginx (e.g. the same token header): after the rounds,
#                   both run at once and are loaded in alternating bursts;
#                   the "same request" column is the median of the
#                   per-burst ratios of req/s
#   expect_status:  status of the check request (default 200); a refusal
#                   (>= 300) makes every answer of the row expected to be
#                   non-2xx (wrk's count is then not a failure)
#   expect_header:  a regex the check request's headers must match
#   primitive:      the signature primitive the row's token costs at the
#                   least: rsa2048, ecdsap256, ed25519 or hmac-sha256
#                   (of 1 KB), measured in every round with
#                   `openssl speed` on the gateway's CPU; the table shows
#                   its us per verification and the row's goal: what the
#                   row adds to its compare row's CPU per request, measured
#                   in the paired bursts, at most the primitive + 5 us
#                   (issue 15)
#   kind: rss       measure worker RSS before and after BENCH_RSS_REQUESTS
#   services: redis start a redis-server for this run (@REDIS_PORT@; the
#                   same server on TLS: @REDIS_TLS_PORT@, its CA @CERTS@/ca.crt)
#   script:         a wrk Lua script (wrk -s) for every load of the row
#   tokens: N       mint N distinct RS256 tokens for the run (made once,
#                   bench/mint_tokens.py); wrk gets the file's path in
#                   BENCH_TOKEN_FILE (bench/zipf-tokens.lua sends them in
#                   a Zipf mix)
#   metrics: PATH   the row's ticketing_metrics location: the verified-token
#                   cache's hit rate over the measured loads is reported
#   planned:        not run yet, listed with this reason
#
# A row fails when its configuration is refused, the check request does not
# answer as expected, wrk sees a non-2xx answer or a socket error, or the
# RSS grows too much; the table is printed anyway, the exit status is 1.
# Only 127.0.0.1 and free ports are used; everything started is stopped on
# exit, also on Ctrl-C. Results go to stdout and BENCH_DIR, never to git.
set -euo pipefail
LIB_TAG=bench
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 MODULE_SO"
module_so=$(abspath "$1")
[ -f "$module_so" ] || die "$module_so not found (run 'make')"
cd "$TOP"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    : "${BENCH_ROUNDS:=1}" "${BENCH_DURATION:=3s}" "${BENCH_WARMUP:=1s}"
    : "${BENCH_RSS_REQUESTS:=100000}" "${BENCH_RSS_CHUNK:=3s}"
    : "${BENCH_PAIR_BURSTS:=4}"
fi
rounds=${BENCH_ROUNDS:-3}
pair_bursts=${BENCH_PAIR_BURSTS:-10}
pair_burst=${BENCH_PAIR_BURST:-1s}
duration=${BENCH_DURATION:-5s}
warmup=${BENCH_WARMUP:-1s}
rss_chunk=${BENCH_RSS_CHUNK:-10s}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-1}
rss_requests=${BENCH_RSS_REQUESTS:-1000000}
rss_max_growth=${BENCH_RSS_MAX_GROWTH_KB:-1024}
rss_max_seconds=${BENCH_RSS_MAX_SECONDS:-300}
nginx=${BENCH_NGINX:-/usr/sbin/nginx}
benchdir=$(abspath "${BENCH_DIR:-$TOP/build/bench}")
default_path=/v2/ticket/metadata/types
# every request carries it (rows with auth off could use a default instead)
common_headers=("ticketing-provider: JAM")

for tool in wrk curl python3 "$nginx"; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

pin=${BENCH_PIN:-auto}
if [ "$pin" = auto ]; then
    pin=0
    if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then pin=1; fi
fi
pin_gateway=(); pin_other=()
if [ "$pin" = 1 ]; then
    pin_gateway=(taskset -c 0)
    pin_other=(taskset -c 1)
fi

user_line=""
if [ "$(id -u)" -eq 0 ]; then
    # as root nginx would run its worker as "nobody" anyway; say so, and
    # give that user the directories it writes to (proxy_cache)
    user_line="user nobody nogroup;"
fi

rm -rf "$benchdir" && mkdir -p "$benchdir/rows"

# ----------------------------------------------------------- processes
started=()
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        stop_pid "${started[$i]}" "pid ${started[$i]}" 5
    done
    if [ -n "${redis_pidfile:-}" ]; then
        stop_pid "$(read_pidfile "$redis_pidfile")" redis-server 5
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
    local p keep=()
    for p in "${started[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    started=("${keep[@]+"${keep[@]}"}")
}

port_answers() { [ "$(http_status "http://127.0.0.1:$1/")" != 000 ]; }

# render TEMPLATE ROWFILE RUNDIR PORT: the nginx.conf on stdout
render() {
    local text row="" load=""
    text=$(grep -v '^##' "$1")
    if [ -n "$2" ]; then
        row=$(grep -v '^##' "$2")
        [ "$(meta "$2" module)" = no ] || load="load_module $module_so;"
    fi
    text=${text//@ROW@/$row}
    text=${text//@LOAD_MODULE@/$load}
    text=${text//@USER@/$user_line}
    text=${text//@RUNDIR@/$3}
    text=${text//@PORT@/$4}
    text=${text//@STATIC_PORT@/$static_port}
    text=${text//@SLOW_PORT@/$slow_port}
    text=${text//@REDIS_PORT@/$redis_port}
    text=${text//@REDIS_TLS_PORT@/$redis_tls_port}
    text=${text//@CERTS@/$benchdir/certs}
    text=${text//@DEAD_PORT@/$dead_port}
    text=${text//@KEYS@/$keys}
    printf '%s\n' "$text"
}

# start_nginx CONF RUNDIR PORT PIN...: starts it in the foreground under
# our supervision, its pid in $nginx_pid; fails if it does not come up
nginx_pid=""
start_nginx() {
    local conf=$1 rundir=$2 port=$3 pid; shift 3
    nginx_pid=""
    mkdir -p "$rundir/tmp"
    [ -z "$user_line" ] || chown -R nobody:nogroup "$rundir/tmp"
    if ! "$nginx" -t -q -p "$rundir/" -c "$conf" -e "$rundir/error.log" \
         > "$rundir/nginx-t.log" 2>&1; then
        log "nginx -t refused $conf:"; cat "$rundir/nginx-t.log" >&2
        return 1
    fi
    "$@" "$nginx" -p "$rundir/" -c "$conf" -e "$rundir/error.log" \
        > "$rundir/stderr.log" 2>&1 &
    pid=$!
    started+=("$pid")
    alive_and_answering() { pid_alive "$pid" || return 2; port_answers "$port"; }
    if ! wait_until 10 "nginx on port $port" alive_and_answering; then
        cat "$rundir/stderr.log" "$rundir/error.log" >&2 2>/dev/null || true
        stop_pid "$pid" nginx 5; forget_pid "$pid"
        return 1
    fi
    nginx_pid=$pid
}

worker_pid() {
    ps -o pid=,args= --ppid "$1" | awk '/worker process/ { print $1; exit }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# cpu_ticks PID: user + system CPU time of a process, in clock ticks
cpu_ticks() {
    # the command name (field 2) may hold spaces: count from its ")"
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
hz=$(getconf CLK_TCK)

# ------------------------------------------------------------ row files
# meta FILE KEY: the first "## KEY: value" of FILE
meta() {
    sed -n "s/^## $2: *//p" "$1" | head -1
}
meta_all() { sed -n "s/^## $2: *//p" "$1"; }

shopt -s nullglob
row_files=(bench/rows/*.conf)
shopt -u nullglob
[ ${#row_files[@]} -gt 0 ] || die "no bench/rows/*.conf"

# BENCH_ROWS plus the rows the selected ones compare with
wanted=""
if [ -n "${BENCH_ROWS:-}" ]; then
    wanted=$BENCH_ROWS
    for f in "${row_files[@]}"; do
        for p in $BENCH_ROWS; do
            case $(basename "$f") in
                "$p"*) wanted+=" $(meta "$f" compare)" ;;
            esac
        done
    done
fi

selected() {
    local base f=$1 p
    base=$(basename "$f")
    [ -n "$wanted" ] || return 0
    [ "$(meta "$f" baseline)" != yes ] || return 0
    for p in $wanted; do
        case $base in "$p"*) return 0 ;; esac
    done
    return 1
}

need_redis=no
for f in "${row_files[@]}"; do
    [ -n "$(meta "$f" title)" ] || die "$f: no '## title:' line"
    if selected "$f" && [ -z "$(meta "$f" planned)" ] \
       && [ "$(meta "$f" services)" = redis ]; then
        need_redis=yes
    fi
done

# -------------------------------------------------------------- upstreams
read -r static_port slow_port redis_port dead_port redis_tls_port \
    <<<"$(free_ports 5 | xargs)"

# keys made for this run (never committed) and tokens signed with them, for
# the auth rows: @KEYS@ in configs, @TOKEN_<ALG>@ in "## header:" lines
keys=$benchdir/keys
"$TOP/scripts/demo-keys.sh" "$keys" 2>/dev/null
mint() { python3 t/tools/mint_jwt.py --key "$keys/$1" --alg "$2" --ttl 86400; }
token_hs256=$(mint hs256.key HS256)
token_rs256=$(mint rs256.key RS256)
token_es256=$(mint es256.key ES256)
token_ps256=$(mint rs256.key PS256)
token_eddsa=$(mint ed25519.key EdDSA)
# the kid-miss row: a JWKS without the token's kid
cp t/data/jwks.json "$keys/jwks.json"
token_unknown_kid=$(python3 t/tools/mint_jwt.py --key "$keys/rs256.key" \
                    --alg RS256 --ttl 86400 --kid no-such-kid)
# the rows sending many distinct tokens: one file for the run, as many
# tokens as the row asking the most
ntokens=0
for f in "${row_files[@]}"; do
    n=$(meta "$f" tokens)
    if selected "$f" && [ -z "$(meta "$f" planned)" ] && [ -n "$n" ] \
       && [ "$n" -gt "$ntokens" ]; then
        ntokens=$n
    fi
done
export BENCH_TOKEN_FILE=$benchdir/tokens.txt
if [ "$ntokens" -gt 0 ]; then
    log "minting $ntokens RS256 tokens"
    python3 bench/mint_tokens.py --key "$keys/rs256.key" --alg RS256 \
        --count "$ntokens" > "$BENCH_TOKEN_FILE" \
        || die "bench/mint_tokens.py failed"
fi
tokens() {
    local t=$1
    t=${t//@TOKEN_HS256@/$token_hs256}
    t=${t//@TOKEN_RS256@/$token_rs256}
    t=${t//@TOKEN_ES256@/$token_es256}
    t=${t//@TOKEN_PS256@/$token_ps256}
    t=${t//@TOKEN_EDDSA@/$token_eddsa}
    t=${t//@TOKEN_UNKNOWN_KID@/$token_unknown_kid}
    printf '%s' "$t"
}

updir=$benchdir/upstream
mkdir -p "$updir"
render bench/upstream.conf.in "" "$updir" "$static_port" > "$updir/nginx.conf"
start_nginx "$updir/nginx.conf" "$updir" "$static_port" "${pin_other[@]}" \
    || die "the static upstream did not start"

"${pin_other[@]}" python3 bench/slow_upstream.py --port "$slow_port" \
    > "$benchdir/slow_upstream.log" 2>&1 &
started+=("$!")
slow_pid=$!
slow_ready() { pid_alive "$slow_pid" || return 2; port_answers "$slow_port"; }
wait_until 10 "the 20 ms upstream" slow_ready || die "slow_upstream.py did not start"

redis_pidfile=""
if [ "$need_redis" = yes ]; then
    command -v redis-server >/dev/null || die "redis-server not found"
    redis_pidfile=$benchdir/redis.pid
    # certificates made now (t/tools/make_certs.sh), for the TLS port
    t/tools/make_certs.sh "$benchdir/certs" >/dev/null
    redis-server --save '' --appendonly no --bind 127.0.0.1 \
        --port "$redis_port" --daemonize yes --pidfile "$redis_pidfile" \
        --tls-port "$redis_tls_port" --tls-auth-clients no \
        --tls-cert-file "$benchdir/certs/server.crt" \
        --tls-key-file "$benchdir/certs/server.key" \
        --tls-ca-cert-file "$benchdir/certs/ca.crt" \
        --dir "$benchdir" --logfile "$benchdir/redis.log" \
        || die "redis-server did not start"
    wait_until 10 "redis-server" redis_up "$redis_port" || die "redis not answering"
fi

# ------------------------------------------------------------ measuring
# to_ms "1.23ms" | "812.00us" | "1.02s": milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
        else if (u == "m") n *= 60000;
        printf "%.2f", n }'
}

# run_wrk OUT DURATION URL SCRIPT HEADERS...: wrk output in OUT (SCRIPT:
# a wrk Lua script or "")
run_wrk() {
    local out=$1 dur=$2 url=$3 h args=(); shift 3
    [ -z "$1" ] || args+=(-s "$1")
    shift
    for h in "$@"; do args+=(-H "$h"); done
    "${pin_other[@]}" wrk -t"$threads" -c"$conns" -d"$dur" --latency \
        "${args[@]}" "$url" > "$out" 2>&1
}

wrk_field() {   # wrk_field OUT rps|p99|requests|non2xx|sockerr
    case $2 in
        rps)      awk '/^Requests\/sec:/ { print $2 }' "$1" ;;
        p99)      to_ms "$(awk '$1 == "99%" { print $2 }' "$1")" ;;
        requests) awk '/ requests in / { print $1 }' "$1" ;;
        non2xx)   awk '/Non-2xx or 3xx responses:/ { print $NF }' "$1" ;;
        sockerr)  sed -n 's/^ *Socket errors: *//p' "$1" ;;
    esac
}

# Per row (by name): the measurements of every round, space-separated,
# notes, and the state: ok, FAILED (sticky: a row that failed once is not
# run again), planned.
declare -A row_rps=() row_p99=() row_cpu=() row_same=() row_same_all=()
declare -A row_same_cpu=()
declare -A row_note=() row_state=() row_refusal=()
# per primitive (rsa2048, ...): us per verification, one per round
declare -A prim_us=()
declare -A row_hits=() row_lookups=()
failed=0

# fail NAME NOTE
fail_row() {
    row_state[$1]=FAILED
    row_note[$1]="${row_note[$1]:+${row_note[$1]}; }$2"
}

# median "1 3 2": the middle value (the lower middle for an even count)
median() {
    tr ' ' '\n' <<<"$1" | awk NF | sort -g \
        | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# wrk_ok NAME OUT [LABEL]: records wrk's errors as failures of the row
wrk_ok() {
    local non2xx sockerr ok=0
    non2xx=$(wrk_field "$2" non2xx)
    sockerr=$(wrk_field "$2" sockerr)
    if [ -n "$non2xx" ] && [ -z "${row_refusal[$1]:-}" ]; then
        fail_row "$1" "${3:-}$non2xx non-2xx answers"; ok=1
    fi
    if [ -n "$sockerr" ]; then fail_row "$1" "${3:-}socket errors: $sockerr"; ok=1; fi
    return $ok
}

# primitive_us NAME: us per verification (HMAC: per 1 KB) of a signature
# primitive, from `openssl speed` on the gateway's CPU (1 s of each)
primitive_us() {
    local out
    case $1 in
        rsa2048)     out=$("${pin_gateway[@]}" openssl speed -seconds 1 rsa2048 2>/dev/null) \
                     && awk '/^rsa 2048 bits/ { printf "%.2f", 1e6 / $NF }' <<<"$out" ;;
        ecdsap256)   out=$("${pin_gateway[@]}" openssl speed -seconds 1 ecdsap256 2>/dev/null) \
                     && awk '/ecdsa \(nistp256\)/ { printf "%.2f", 1e6 / $NF }' <<<"$out" ;;
        ed25519)     out=$("${pin_gateway[@]}" openssl speed -seconds 1 ed25519 2>/dev/null) \
                     && awk '/EdDSA \(Ed25519\)/ { printf "%.2f", 1e6 / $NF }' <<<"$out" ;;
        hmac-sha256) out=$("${pin_gateway[@]}" openssl speed -seconds 1 -bytes 1024 \
                           -hmac sha256 2>/dev/null) \
                     && awk '/^hmac\(sha256\)/ { v = $NF; sub(/k$/, "", v);
                                                  printf "%.2f", 1024000 / v }' <<<"$out" ;;
        *)           die "unknown primitive '$1'" ;;
    esac
}

# prepare_row FILE RUNDIR: a fresh nginx for the row, checked and warmed
# up; sets row_pid, row_url and row_headers (fails the row and returns 1
# when it does not start or answer as the row says)
prepare_row() {
    local f=$1 rundir=$2 name path port conf status expect_status
    local expect_header h note=""
    name=$(basename "$f" .conf)
    path=$(meta "$f" path); path=${path:-$default_path}
    expect_status=$(meta "$f" expect_status); expect_status=${expect_status:-200}
    # a row measuring a refusal: its non-2xx answers are the point
    [ "$expect_status" -lt 300 ] || row_refusal[$name]=1
    expect_header=$(meta "$f" expect_header)
    row_script=$(meta "$f" script)
    row_headers=("${common_headers[@]}")
    while IFS= read -r h; do [ -z "$h" ] || row_headers+=("$(tokens "$h")"); done \
        < <(meta_all "$f" header)

    port=$(free_ports 1)
    conf=$rundir/nginx.conf
    mkdir -p "$rundir"
    render bench/gateway.conf.in "$f" "$rundir" "$port" > "$conf"

    if ! start_nginx "$conf" "$rundir" "$port" "${pin_gateway[@]}"; then
        fail_row "$name" "nginx did not start: $rundir"
        return 1
    fi
    row_pid=$nginx_pid

    # the check: one request answered as the row says (after a first one
    # that warms caches: it may be a MISS)
    row_url="http://127.0.0.1:$port$path"
    local cargs=()
    for h in "${row_headers[@]}"; do cargs+=(-H "$h"); done
    curl -s -o /dev/null --max-time 5 "${cargs[@]}" "$row_url" || true
    curl -s -D "$rundir/check.headers" -o "$rundir/check.body" --max-time 5 \
        "${cargs[@]}" "$row_url" || true
    status=$(awk 'NR == 1 { print $2 }' "$rundir/check.headers")
    if [ "$status" != "$expect_status" ]; then
        note="check: status ${status:-none}, expected $expect_status"
    elif [ -n "$expect_header" ] \
         && ! tr -d '\r' < "$rundir/check.headers" | grep -Eiq "$expect_header"; then
        note="check: no header matching '$expect_header'"
    fi
    if [ -n "$note" ]; then
        fail_row "$name" "$note"
        stop_pid "$row_pid" "nginx ($name)" 5; forget_pid "$row_pid"
        return 1
    fi

    run_wrk "$rundir/warmup.txt" "$warmup" "$row_url" "$row_script" \
        "${row_headers[@]}"
}

# token_cache_counts PORT PATH: "hits lookups" of the verified-token cache,
# from the row's ticketing_metrics location
token_cache_counts() {
    curl -s --max-time 5 "http://127.0.0.1:$1$2" | awk '
        /^ticketing_jwt_cache_lookups_total\{result="hit"\}/  { h = $2 }
        /^ticketing_jwt_cache_lookups_total\{result="miss"\}/ { m = $2 }
        END { printf "%d %d\n", h, h + m }'
}

# run_row FILE ROUND: one measurement of the row, in a fresh nginx
run_row() {
    local f=$1 round=$2 name title kind rundir pid wpid out url headers=()
    local script metrics port c0 c1
    name=$(basename "$f" .conf)
    title=$(meta "$f" title)
    kind=$(meta "$f" kind)
    rundir=$benchdir/rows/$name/$round

    log "$name ($round): $title"
    prepare_row "$f" "$rundir" || return 1
    pid=$row_pid url=$row_url headers=("${row_headers[@]}") script=$row_script
    metrics=$(meta "$f" metrics)
    port=${url#http://127.0.0.1:}; port=${port%%/*}

    if [ "$kind" = rss ]; then
        local rss0 rss1 total=0 secs=0 chunk=0 p n max_p99=0 start
        wpid=$(worker_pid "$pid")
        rss0=$(rss_kb "$wpid")
        start=$SECONDS
        while [ "$total" -lt "$rss_requests" ]; do
            if [ $((SECONDS - start)) -ge "$rss_max_seconds" ]; then
                fail_row "$name" "time bound ${rss_max_seconds}s hit"
                break
            fi
            chunk=$((chunk + 1))
            out=$rundir/wrk.$chunk.txt
            run_wrk "$out" "$rss_chunk" "$url" "$script" "${headers[@]}"
            n=$(wrk_field "$out" requests)
            total=$((total + ${n:-0}))
            secs=$(awk -v s="$secs" -v d="$(to_ms "$rss_chunk")" \
                   'BEGIN { print s + d / 1000 }')
            p=$(wrk_field "$out" p99)
            max_p99=$(awk -v a="$max_p99" -v b="$p" 'BEGIN { print (b > a) ? b : a }')
            wrk_ok "$name" "$out" "chunk $chunk: " || true
        done
        rss1=$(rss_kb "$wpid")
        row_rps[$name]=$(awk -v n="$total" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
        row_p99[$name]=$max_p99
        row_note[$name]="${row_note[$name]:+${row_note[$name]}; }RSS ${rss0} -> ${rss1} KB ($((rss1 - rss0)) KB) over $total requests"
        if [ $((rss1 - rss0)) -gt "$rss_max_growth" ]; then
            fail_row "$name" "RSS grew more than ${rss_max_growth} KB"
        fi
    else
        local ticks0 ticks1 cpu
        out=$rundir/wrk.txt
        wpid=$(worker_pid "$pid")
        [ -z "$metrics" ] || c0=$(token_cache_counts "$port" "$metrics")
        ticks0=$(cpu_ticks "$wpid")
        run_wrk "$out" "$duration" "$url" "$script" "${headers[@]}"
        ticks1=$(cpu_ticks "$wpid")
        if [ -n "$metrics" ]; then
            c1=$(token_cache_counts "$port" "$metrics")
            row_hits[$name]=$(( ${row_hits[$name]:-0} + ${c1% *} - ${c0% *} ))
            row_lookups[$name]=$(( ${row_lookups[$name]:-0} + ${c1#* } - ${c0#* } ))
        fi
        if wrk_ok "$name" "$out"; then
            row_rps[$name]="${row_rps[$name]:-} $(wrk_field "$out" rps)"
            row_p99[$name]="${row_p99[$name]:-} $(wrk_field "$out" p99)"
            cpu=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" \
                      -v n="$(wrk_field "$out" requests)" \
                      'BEGIN { if (n > 0) printf "%.2f", t * 1e6 / hz / n }')
            row_cpu[$name]="${row_cpu[$name]:-} $cpu"
        fi
    fi

    if grep -Eq '\[(alert|crit|emerg)\]|exited on signal' "$rundir/error.log" 2>/dev/null; then
        fail_row "$name" "alert/crash in $rundir/error.log"
    fi

    stop_pid "$pid" "nginx ($name)" 10; forget_pid "$pid"
    [ "${row_state[$name]}" = ok ]
}

# burst WORKER OUT URL SCRIPT HEADER...: one burst of a pair, the worker's
# CPU per request written to OUT.cpu
burst() {
    local w=$1 out=$2 t0 t1
    shift 2
    t0=$(cpu_ticks "$w")
    run_wrk "$out" "$pair_burst" "$@"
    t1=$(cpu_ticks "$w")
    awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$(wrk_field "$out" requests)" \
        'BEGIN { printf "%.2f\n", (n > 0) ? t * 1e6 / hz / n : 0 }' > "$out.cpu"
}

# run_pair FILE OTHER: a row and the row it compares with, both running
# at once (one at a time under load), measured in alternating bursts, the
# order swapped every burst: the "same request" figure is the median of
# the per-burst ratios, so drift and noise on the machine hit both sides
# of every ratio alike
run_pair() {
    local f=$1 g=$2 name other dir pa pb ua ub ha=() hb=() i sa sb
    local out_a out_b ra rb ratios="" p99a="" p99b="" wa wb deltas=""
    name=$(basename "$f" .conf)
    other=$(basename "$g" .conf)
    dir=$benchdir/pairs/$name

    log "$name against $other: $pair_bursts alternating bursts of $pair_burst"
    prepare_row "$f" "$dir/row" || return 1
    pa=$row_pid ua=$row_url ha=("${row_headers[@]}") sa=$row_script
    if ! prepare_row "$g" "$dir/compare"; then
        fail_row "$name" "its compare row $other did not start"
        stop_pid "$pa" "nginx ($name)" 10; forget_pid "$pa"
        return 1
    fi
    pb=$row_pid ub=$row_url hb=("${row_headers[@]}") sb=$row_script
    wa=$(worker_pid "$pa") wb=$(worker_pid "$pb")

    for ((i = 1; i <= pair_bursts; i++)); do
        out_a=$dir/row/wrk.$i.txt
        out_b=$dir/compare/wrk.$i.txt
        if ((i % 2)); then
            burst "$wa" "$out_a" "$ua" "$sa" "${ha[@]}"
            burst "$wb" "$out_b" "$ub" "$sb" "${hb[@]}"
        else
            burst "$wb" "$out_b" "$ub" "$sb" "${hb[@]}"
            burst "$wa" "$out_a" "$ua" "$sa" "${ha[@]}"
        fi
        wrk_ok "$name" "$out_a" "pair burst $i: " || break
        wrk_ok "$name" "$out_b" "pair burst $i ($other): " || break
        ra=$(wrk_field "$out_a" rps)
        rb=$(wrk_field "$out_b" rps)
        ratios+=" $(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.4f", a / b }')"
        p99a+=" $(wrk_field "$out_a" p99)"
        p99b+=" $(wrk_field "$out_b" p99)"
        deltas+=" $(awk -v a="$(cat "$out_a.cpu")" -v b="$(cat "$out_b.cpu")" \
                        'BEGIN { printf "%.2f", a - b }')"
    done

    if [ "${row_state[$name]}" = ok ]; then
        row_same[$name]=$(printf '%.2f' "$(median "$ratios")")
        row_same_all[$name]=$ratios
        row_same_cpu[$name]=$(median "$deltas")
        row_note[$name]="${row_note[$name]:+${row_note[$name]}; }p99 in the bursts $(median "$p99a") ms, row ${other%%-*} $(median "$p99b") ms"
    fi

    stop_pid "$pa" "nginx ($name)" 10; forget_pid "$pa"
    stop_pid "$pb" "nginx ($other)" 10; forget_pid "$pb"
}

log "$rounds round(s) of wrk -t$threads -c$conns -d$duration (warm-up $warmup) per row;" \
    "pinning: $([ "$pin" = 1 ] && echo 'gateway CPU 0, upstreams+wrk CPU 1' || echo off)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$SECONDS

rows=()
baseline=""
for f in "${row_files[@]}"; do
    selected "$f" || continue
    name=$(basename "$f" .conf)
    rows+=("$f")
    if [ -n "$(meta "$f" planned)" ]; then
        row_state[$name]=planned
        row_note[$name]=$(meta "$f" planned)
    else
        row_state[$name]=ok
    fi
    [ "$(meta "$f" baseline)" != yes ] || baseline=$name
done
[ -n "$baseline" ] || die "no row says '## baseline: yes'"

# the row a row's "compare" number names
compare_row() {
    local n f
    n=$(meta "$1" compare)
    [ -n "$n" ] || return 0
    for f in "${rows[@]}"; do
        case $(basename "$f") in "$n"-*) basename "$f" .conf; return 0 ;; esac
    done
    die "$1: '## compare: $n' names no selected row"
}

# the primitives the selected rows name
primitives=""
for f in "${rows[@]}"; do
    p=$(meta "$f" primitive)
    name=$(basename "$f" .conf)
    if [ -n "$p" ] && [ "${row_state[$name]}" = ok ] \
       && [[ " $primitives " != *" $p "* ]]; then
        primitives+=" $p"
    fi
done

# the throughput rows, interleaved round by round; then the RSS rows once
for ((round = 1; round <= rounds; round++)); do
    for p in $primitives; do
        us=$(primitive_us "$p") || us=""
        log "primitive $p ($round): ${us:-?} us"
        prim_us[$p]="${prim_us[$p]:-} $us"
    done
    for f in "${rows[@]}"; do
        name=$(basename "$f" .conf)
        [ "${row_state[$name]}" = ok ] || continue
        [ "$(meta "$f" kind)" != rss ] || continue
        run_row "$f" "$round" || true
    done
done
# the rows that name a compare row: once, in alternating bursts
for f in "${rows[@]}"; do
    name=$(basename "$f" .conf)
    other=$(compare_row "$f")
    [ -n "$other" ] && [ "${row_state[$name]}" = ok ] || continue
    [ "${row_state[$other]}" = ok ] || continue
    run_pair "$f" "bench/rows/$other.conf" || true
done
for f in "${rows[@]}"; do
    name=$(basename "$f" .conf)
    if [ "${row_state[$name]}" = ok ] && [ "$(meta "$f" kind)" = rss ]; then
        run_row "$f" 1 || true
    fi
done

baseline_rps=$(median "${row_rps[$baseline]:-}")
for name in "${!row_state[@]}"; do
    [ "${row_state[$name]}" != FAILED ] || failed=$((failed + 1))
done

# --------------------------------------------------------------- table
{
    echo
    echo "## make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///'), $(nproc) CPUs"
    echo
    echo "wrk -t$threads -c$conns -d$duration --latency (warm-up $warmup), median of $rounds round(s)," \
         "one nginx worker per server; RSS row: $rss_requests requests"
    echo
    printf '| %-3s | %-72s | %9s | %8s | %6s | %12s | %10s | %11s | %12s | %8s | %s\n' \
        "row" "what" "req/s" "p99 ms" "ratio" "same request" "+CPU us" \
        "CPU us/req" "primitive us" "goal +us" "notes |"
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "-----" "$(printf -- '-%.0s' {1..74})" \
        "-----------" "----------" "--------" "--------------" "------------" \
        "-------------" "--------------" "----------" "-------|"
    for f in "${rows[@]}"; do
        name=$(basename "$f" .conf)
        title=$(meta "$f" title)
        state=${row_state[$name]}
        note=${row_note[$name]:-}
        rps=$(median "${row_rps[$name]:-}"); rps=${rps:--}
        p99=$(median "${row_p99[$name]:-}"); p99=${p99:--}
        ratio=-
        if [ -n "$baseline_rps" ] && [ "$rps" != - ]; then
            ratio=$(awk -v a="$rps" -v b="$baseline_rps" 'BEGIN { printf "%.2f", a / b }')
        fi
        cpu=$(median "${row_cpu[$name]:-}"); cpu=${cpu:--}
        same=-
        other=$(compare_row "$f")
        if [ -n "$other" ] && [ -n "${row_same[$name]:-}" ]; then
            same="${row_same[$name]} (${other%%-*})"
        fi
        same_cpu=${row_same_cpu[$name]:--}
        prim=-; goal=-
        p=$(meta "$f" primitive)
        if [ -n "$p" ]; then
            prim=$(median "${prim_us[$p]:-}"); prim=${prim:--}
            if [ "$prim" != - ]; then
                goal=$(awk -v p="$prim" 'BEGIN { printf "%.2f", p + 5 }')
                prim="$prim ($p)"
            fi
        fi
        lookups=${row_lookups[$name]:-0}
        if [ "$lookups" -gt 0 ]; then
            hit_rate=$(awk -v h="${row_hits[$name]}" -v n="$lookups" \
                       'BEGIN { printf "%.1f%%", 100 * h / n }')
            note="token cache hit rate $hit_rate of $lookups lookups${note:+; $note}"
        fi
        [ "$state" = ok ] || note="$state${note:+: $note}"
        if [ "$rps" != - ]; then rps=$(printf '%.0f' "$rps"); fi
        printf '| %-3s | %-72s | %9s | %8s | %6s | %12s | %10s | %11s | %12s | %8s | %s |\n' \
            "${name%%-*}" "$title" "$rps" "$p99" "$ratio" "$same" "$same_cpu" "$cpu" \
            "$prim" "$goal" "$note"
    done
    echo
    echo "req/s and p99: medians over the rounds (the RSS row: one long run, its worst p99)."
    echo "ratio: req/s of the row / req/s of the baseline row of this run (for the"
    echo "20 ms rows too: they show what the upstream's latency costs, and what a cache saves)."
    echo "same request: req/s against its compare row (in parentheses: plain proxy_pass sent the"
    echo "very same request, e.g. with the same token header; for row 53 the same gateway"
    echo "without a cache), both servers up at once and loaded in $pair_bursts alternating bursts"
    echo "of $pair_burst, the median of the per-burst ratios: the module's own cost, without"
    echo "what a 1 KB token header costs nginx and the upstream. +CPU us: in the same bursts,"
    echo "the median of the per-burst differences of the two workers' CPU per request: what"
    echo "the row adds to its compare row, the figure the machine's noise moves least."
    echo "CPU us/req: the gateway worker's user + system CPU time over the measured requests"
    echo "(median over the rounds; /proc, clock ticks): the cost per request whatever the"
    echo "other processes on the machine do to req/s."
    echo "primitive us: the physical limit of a row that verifies every token: one"
    echo "verification of its key type (HMAC: of 1 KB) by \`openssl speed\` on the gateway's CPU,"
    echo "median over the rounds. goal +us: the primitive + 5 us, what the row's +CPU us (over"
    echo "plain proxy_pass sent the same token) should not exceed (issue 15)."
    echo "token cache hit rate (rows with '## metrics:'): hits / lookups of the verified-token"
    echo "cache over the measured loads (ticketing_jwt_cache_lookups_total, warm-ups excluded)."
    echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg);" \
         "$((SECONDS - t0)) s; logs and wrk output in $benchdir"
} | tee "$benchdir/results.md"

if [ "$failed" -gt 0 ]; then
    die "$failed row(s) failed"
fi
