#!/usr/bin/env bash
# Instructions per request of one `make bench` row, counted by callgrind:
# a figure that, unlike req/s, does not move with the load of the machine.
#
#   bench/callgrind.sh MODULE_SO ROW [REQUESTS]     e.g. build/...so 53 3000
#
# The row's nginx.conf is rendered as bench/run.sh renders it (one worker,
# the static upstream of bench/upstream.conf.in for every upstream, no
# Redis unless the row names @REDIS_PORT@ or @REDIS_TLS_PORT@: then one is
# started, its TLS port as bench/run.sh has it), with
# master_process off, and Debian's nginx runs under valgrind
# --tool=callgrind. 300 requests warm it up (the circuit of row 53 opens
# meanwhile), the counters are zeroed, REQUESTS (default 3000) requests go
# over 4 keep-alive connections, and the counters are dumped. Printed: the
# answers' statuses and X-Cache-Status, instructions per request, and the
# 15 functions with the most instructions of their own per request. The
# dump stays in BENCH_DIR (default build/bench-cg/ROW) for
# callgrind_annotate or kcachegrind; results are never committed.
set -euo pipefail
LIB_TAG=bench-cg
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -ge 2 ] || die "usage: $0 MODULE_SO ROW [REQUESTS]"
module_so=$(abspath "$1")
row=$2
requests=${3:-3000}
[ -f "$module_so" ] || die "$module_so not found (run 'make')"
cd "$TOP"
for tool in valgrind callgrind_control python3 curl; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

shopt -s nullglob
files=(bench/rows/"$row"-*.conf)
shopt -u nullglob
[ ${#files[@]} -eq 1 ] || die "no single bench/rows/$row-*.conf"
rowfile=${files[0]}

dir=$(abspath "${BENCH_DIR:-$TOP/build/bench-cg/$row}")
rm -rf "$dir" && mkdir -p "$dir/up/tmp" "$dir/gw/tmp"
read -r up_port gw_port dead_port redis_port redis_tls_port \
    <<<"$(free_ports 5 | xargs)"

started=()
cleanup() {
    local rc=$? i
    trap - EXIT INT TERM
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        stop_pid "${started[$i]}" "pid ${started[$i]}" 10
    done
    if [ -s "$dir/redis.pid" ]; then
        stop_pid "$(read_pidfile "$dir/redis.pid")" redis-server 5
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# render TEMPLATE ROWFILE RUNDIR PORT LOAD: as bench/run.sh, one upstream
render() {
    local text row=""
    text=$(grep -v '^##' "$1")
    [ -z "$2" ] || row=$(grep -v '^##' "$2")
    text=${text//@ROW@/$row}
    text=${text//@LOAD_MODULE@/$5}
    text=${text//@USER@/}
    text=${text//@RUNDIR@/$3}
    text=${text//@PORT@/$4}
    text=${text//@STATIC_PORT@/$up_port}
    text=${text//@SLOW_PORT@/$up_port}
    text=${text//@REDIS_PORT@/$redis_port}
    text=${text//@DEAD_PORT@/$dead_port}
    text=${text//@REDIS_TLS_PORT@/$redis_tls_port}
    text=${text//@CERTS@/$dir/certs}
    text=${text//@KEYS@/$dir/keys}
    printf '%s\n' "$text"
}

# the auth rows: keys and tokens made now, as bench/run.sh makes them; the
# row's "## header:" lines go with every request
"$TOP/scripts/demo-keys.sh" "$dir/keys" 2> /dev/null
extra=""
while IFS= read -r h; do
    [ -n "$h" ] || continue
    for t in HS256:hs256 RS256:rs256 ES256:es256 PS256:rs256 EDDSA:ed25519; do
        case $h in
            *"@TOKEN_${t%%:*}@"*)
                alg=${t%%:*}; [ "$alg" != EDDSA ] || alg=EdDSA
                h=${h//"@TOKEN_${t%%:*}@"/$(python3 t/tools/mint_jwt.py \
                        --key "$dir/keys/${t#*:}.key" --alg "$alg" --ttl 86400)}
                ;;
        esac
    done
    extra+="$h"$'\r\n'
done < <(sed -n 's/^## header: *//p' "$rowfile")
export BENCH_CG_HEADERS=$extra

render bench/upstream.conf.in "" "$dir/up" "$up_port" "" > "$dir/up/nginx.conf"
render bench/gateway.conf.in "$rowfile" "$dir/gw" "$gw_port" \
       "load_module $module_so;" \
    | sed 's/^master_process on;/master_process off;/' > "$dir/gw/nginx.conf"

if grep -q 'ticketing_redis 127.0.0.1:\('"$redis_port\\|$redis_tls_port"'\)' \
        "$dir/gw/nginx.conf"
then
    # the TLS port as bench/run.sh has it (the certificates made now)
    t/tools/make_certs.sh "$dir/certs" > /dev/null
    redis-server --save '' --appendonly no --bind 127.0.0.1 \
        --port "$redis_port" --daemonize yes --pidfile "$dir/redis.pid" \
        --tls-port "$redis_tls_port" --tls-auth-clients no \
        --tls-cert-file "$dir/certs/server.crt" \
        --tls-key-file "$dir/certs/server.key" \
        --tls-ca-cert-file "$dir/certs/ca.crt" \
        --dir "$dir" --logfile "$dir/redis.log" || die "redis-server"
    wait_until 10 redis-server redis_up "$redis_port" || die "redis not answering"
fi

/usr/sbin/nginx -p "$dir/up/" -c "$dir/up/nginx.conf" -e "$dir/up/error.log" &
started+=("$!")
valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
    --compress-strings=no --compress-pos=no \
    /usr/sbin/nginx -p "$dir/gw/" -c "$dir/gw/nginx.conf" \
    -e "$dir/gw/error.log" 2> "$dir/valgrind.log" &
gw_pid=$!
started+=("$gw_pid")
up() { pid_alive "$gw_pid" || return 2; [ "$(http_status "http://127.0.0.1:$gw_port/")" != 000 ]; }
wait_until 60 "nginx under valgrind" up || die "nginx did not start: $dir"

# N requests over 4 keep-alive connections, in lock step
client() {
    python3 - "$gw_port" "$1" <<'EOF'
import os, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
req = (b"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: bench\r\n"
       b"ticketing-provider: JAM\r\n"
       + os.environ.get("BENCH_CG_HEADERS", "").encode() + b"\r\n")
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
bufs = [b""] * 4
seen = {}
def answer(i):
    b = bufs[i]
    while b"\r\n\r\n" not in b:
        d = conns[i].recv(65536)
        if not d:
            sys.exit("connection closed")
        b += d
    head, rest = b.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    fields = dict((k.strip().lower(), v.strip()) for k, v in
                  (l.split(b":", 1) for l in lines[1:]))
    length = int(fields.get(b"content-length", b"0"))
    while len(rest) < length:
        rest += conns[i].recv(65536)
    bufs[i] = rest[length:]
    key = "%s %s" % (lines[0].split(b" ")[1].decode(),
                     fields.get(b"x-cache-status", b"-").decode())
    seen[key] = seen.get(key, 0) + 1
done = 0
while done < n:
    k = min(4, n - done)
    for i in range(k):
        conns[i].sendall(req)
    for i in range(k):
        answer(i)
    done += k
print("answers:", ", ".join("%s x%d" % kv for kv in sorted(seen.items())))
EOF
}

client 300 > /dev/null
callgrind_control -z "$gw_pid" > /dev/null 2>&1
client "$requests"
callgrind_control -d "$gw_pid" > /dev/null 2>&1
wait_until 30 "the callgrind dump" test -s "$dir/callgrind.out.1" \
    || die "no dump in $dir"
sleep 1

# instructions of each function's own (not of its callees), per request
python3 - "$dir/callgrind.out.1" "$requests" <<'EOF'
import collections, sys
own = collections.Counter()
fn, ob, after_call = None, "", False
for line in open(sys.argv[1]):
    if line.startswith("ob="):
        ob = line[3:].strip().split("/")[-1]
    elif line.startswith("fn="):
        fn = "%s [%s]" % (line[3:].strip(), ob)
    elif line.startswith("calls="):
        after_call = True
    elif line[:1].isdigit() or line[:1] in "+-*":
        parts = line.split()
        if len(parts) >= 2 and fn:
            if after_call:
                after_call = False
            else:
                own[fn] += int(parts[1])
n = float(sys.argv[2])
print("instructions per request: %.0f" % (sum(own.values()) / n))
for name, ir in own.most_common(15):
    print("%10.1f  %s" % (ir / n, name))
EOF
