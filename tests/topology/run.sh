#!/usr/bin/env bash
# `make topology`: several gateways, one shared Redis, and the Redis
# deployments of production (replica and Sentinel, TLS, ACL users, host
# names in DNS), all on loopback.
#
#   tests/topology/run.sh NGINX_BINARY        (normally build/asan/nginx)
#
# Starts on free 127.0.0.1 ports:
#   - the mock Ticketing API (t/mock/ticketing_mock.py, which counts calls);
#   - a Redis primary, a replica and 3 sentinels (redis-server --sentinel)
#     watching the primary;
#   - a TLS-only Redis (a CA and a server certificate for DNS:redis.test,
#     IP:127.0.0.1, made by tests/topology/make_certs.sh at every run; it
#     asks for a client certificate) with an ACL user;
#   - two plain Redis on one port number, at 127.0.0.1 and 127.0.0.2;
#   - dnsmasq in the foreground, answering redis.test and idp.test from a
#     hosts file of ours (SIGHUP re-reads it);
#   - the identity provider: an https server (certificate for idp.test)
#     serving a JWKS (tests/topology/tool.py idp);
#   - two standalone Redis (ro-a, ro-b) for the READONLY check;
#   - a Redis Cluster: 3 primaries and 3 replicas (cluster-node-timeout
#     1 s, cluster-require-full-coverage no: the other primaries answer
#     while one is down; the cluster bus on ports of ours);
#   - 3 nginx instances (master + 1 worker each, as in production) with the
#     module, all with conf.d/multi-instance.conf on the primary; 3 more
#     (nginx-s1..3) with the same file on "sentinel:topo", 3 more
#     (nginx-c1..3) on the cluster.
#
# Checks that need only today's module:
#   1. coalescing across instances: 12 concurrent misses for one key over
#      the 3 instances -> one upstream call, 12 identical 200s;
#   2. an entry stored by one instance is a HIT on the others; a purge on
#      one instance -> the next request on every instance is a MISS;
#   3. the sentinels see the primary, its replica and each other;
#   4. Sentinel discovery: nginx-s1..3 ask the sentinels for "topo",
#      MISS then HIT; each worker's connection is in the primary's CLIENT
#      LIST, each error log names the primary the sentinels named;
#   5. the primary killed (SIGKILL) under a wrk load on all 6 instances ->
#      no non-2xx answer, BYPASS while it is down; the sentinels promote
#      the replica; every nginx-sN answers HIT again from it within 10 s
#      of the promotion (polled every 100 ms, 30 s deadline after the
#      kill; the times are printed), its log shows +switch-master or a
#      rediscovery naming the new primary;
#   6. READONLY: the sentinels name ro-a for "ro"; an nginx on sentinel:ro
#      stores there; "ro" is moved to ro-b (SENTINEL REMOVE/MONITOR, no
#      +switch-master) and ro-a demoted (REPLICAOF ro-b) under nginx's open
#      connection -> the next miss's fill lock (SET NX) is answered
#      READONLY, nginx rediscovers and is HIT again on ro-b within 5 s;
#   7. a sentinel list with 3 closed ports before the live sentinel, 4
#      workers (each starts at a random entry): every worker discovers
#      the primary, at least one after going past the dead ones;
#   8. Redis Cluster, nginx-c1..3 on "127.0.0.1:PORT cluster": each loads
#      the slot map; 30 entries, each stored by one instance and a HIT on
#      the next, are on all 3 primaries; 12 concurrent misses over the 3
#      instances -> one upstream call (entry and lock in one slot); a purge
#      on one instance empties every primary, the next request on each
#      instance is a MISS; one entry's slot migrated under a wrk load
#      (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE: ASK, then
#      MOVED) -> no non-2xx answer, a HIT on every instance from the new
#      primary; that primary killed under load -> no non-2xx answer, an
#      entry on another primary HIT throughout, every instance HIT again
#      within 10 s of its replica's promotion (times printed).
#
# Checks of features being built (TLS, ACL users, host names for Redis;
# JWKS over https): each group runs its own nginx with the example plus
# the feature's directives, and is reported as "ok N # skip ..." when
# `nginx -t` refuses that configuration on the feature's directives (any
# other refusal is a failure of the bed itself); 4-7 are guarded the same
# way (on the Sentinel directives):
#   9. TLS Redis, wrong CA -> BYPASS, the error log names the verification
#      failure; right CA -> HIT;
#  10. ACL user over TLS, host name: right password -> HIT (Redis sees the
#      user), wrong password -> BYPASS; no password in any log;
#  11. redis.test moved to 127.0.0.2 (hosts file + SIGHUP): once the TTL
#      (resolver valid=1s) is over and the connection is re-established,
#      entries land in the Redis at 127.0.0.2;
#  12. JWKS from https://idp.test (a python https server): a key set is
#      loaded; after a rotation, a token with the new kid is accepted on
#      its first request.
#
# The configuration of each nginx is conf.d/multi-instance.conf with its
# placeholders replaced and one literal raised: ticketing_cache_timeout
# 50ms becomes 500ms (ASan nginx on a shared 2-core machine; the bed is
# about behaviour across instances, not latency: `make faults` and
# `make bench` measure that).
#
# Throughout: no [alert]/[crit]/[emerg] (a [crit] TLS verification
# message is allowed in the wrong-CA group), no worker exiting on a signal
# or with a non-zero code, every nginx quits gracefully with status 0, no
# ASan/UBSan/LSan report. Every wait is bounded; everything started is
# stopped on exit. Output: TAP-like "ok N - ..." lines, the run time at
# the end; the exit status is 1 if any check failed. Logs in
# build/topology/logs (override the directory: TOPOLOGY_DIR).
set -euo pipefail
LIB_TAG=topology
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

started=$SECONDS
[ $# -eq 1 ] || die "usage: $0 NGINX_BINARY"
nginx=$(abspath "$1")
[ -x "$nginx" ] || die "$nginx is not an executable (run 'make nginx-asan')"
cd "$TOP"
for tool in curl wrk python3 openssl redis-server redis-cli dnsmasq; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

dir=$(abspath "${TOPOLOGY_DIR:-$TOP/build/topology}")
rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/san" "$dir/run"
# the workers run as nobody when we are root: they write their sanitizer
# reports and temp files here; dnsmasq (nobody too) reads its hosts file
chmod 1777 "$dir/san" "$dir/run"
chmod 755 "$dir" "$dir/logs"
tool=(python3 tests/topology/tool.py)
example=conf.d/multi-instance.conf

cat > "$dir/ubsan.supp" <<'EOF'
nonnull-attribute:ngx_pstrdup
nonnull-attribute:ngx_sprintf_str
EOF
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$dir/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$dir/san/ubsan:suppressions=$dir/ubsan.supp"
export LSAN_OPTIONS="suppressions=$TOP/t/lib/Test/Nginx/Lite/nginx-core.lsan.supp"
# nginx -t and -s: short-lived processes with nginx's own leaks
cli_env=(env ASAN_OPTIONS="detect_leaks=0:log_path=$dir/san/asan-cli")

# ------------------------------------------------------------- processes
# Everything we start is ours (a child of this shell): its pid is kept
# under a name, and stopped on exit in the reverse order of the starts.
declare -A pids=()
order=()
# track NAME PID: a name in use is an error (its pid would be lost, and
# the process left running after the bed)
track() {
    [ -z "${pids[$1]:-}" ] || die "$1 is already running (pid ${pids[$1]})"
    pids[$1]=$2; order+=("$1")
}
untrack() { unset "pids[$1]"; }
cleanup() {
    local rc=$? i name
    trap - EXIT INT TERM
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do
        name=${order[i]}
        [ -n "${pids[$name]:-}" ] || continue
        # a frozen process does not die of SIGTERM until it runs again
        kill -CONT "${pids[$name]}" 2>/dev/null || true
        stop_pid "${pids[$name]}" "$name" 10
        unset "pids[$name]"
    done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME READY_CMD CMD...: CMD in the background, output in
# logs/NAME.log, tracked as NAME; waits (10 s at most) until READY_CMD
# succeeds. Dies if it exits or never gets ready.
start() {
    local name=$1 ready=$2 pid; shift 2
    "$@" > "$dir/logs/$name.log" 2>&1 &
    pid=$!
    track "$name" "$pid"
    # shellcheck disable=SC2317  # called through wait_until
    ready_or_dead() { pid_alive "$1" || return 2; eval "$2"; }
    wait_until 10 "$name" ready_or_dead "$pid" "$ready" || {
        tail -5 "$dir/logs/$name.log" >&2
        die "$name did not start"
    }
}

# below the ephemeral range (not free_ports): with 37 ports held for the
# whole run and other test suites running on the machine, a port in that
# range was seen taken by an outgoing connection before its server bound
# it ("Address already in use")
read -r mock_port primary_port replica_port s1_port s2_port s3_port \
    tls_port pair_port dns_port idp_port n1_port n2_port n3_port \
    f_port sn1_port sn2_port sn3_port ro_a_port ro_b_port \
    dead1_port dead2_port dead3_port \
    cl1_port cl2_port cl3_port cl4_port cl5_port cl6_port \
    clb1_port clb2_port clb3_port clb4_port clb5_port clb6_port \
    nc1_port nc2_port nc3_port <<<"$("${tool[@]}" ports 37 | xargs)"
[ -n "$nc3_port" ] || die "could not find 37 free ports"
ports=("$n1_port" "$n2_port" "$n3_port")
# the Sentinel group's nginx; dead*_port: never listened on (closed ports
# in a sentinel list)
sn_ports=("$sn1_port" "$sn2_port" "$sn3_port")
# the Cluster group: 6 nodes (their cluster bus on clb*_port, not on
# port + 10000, which may be anyone's), 3 nginx
cl_ports=("$cl1_port" "$cl2_port" "$cl3_port" "$cl4_port" "$cl5_port" "$cl6_port")
clb_ports=("$clb1_port" "$clb2_port" "$clb3_port" "$clb4_port" "$clb5_port" "$clb6_port")
nc_ports=("$nc1_port" "$nc2_port" "$nc3_port")

# rcli [redis-cli options] ARGS...: a command to one of our Redis
rcli() { redis-cli --no-auth-warning "$@" 2>/dev/null; }
tls_cli=(--tls --cacert "$dir/certs/ca.crt" --cert "$dir/certs/client.crt"
         --key "$dir/certs/client.key" -h 127.0.0.1 -p "$tls_port")
pong() { [ "$(rcli "$@" ping)" = PONG ]; }

# redis NAME IP PORT [OPTIONS...]: a redis-server of ours, no persistence
redis() {
    local name=$1 ip=$2 port=$3; shift 3
    mkdir -p "$dir/run/$name"
    start "$name" "pong -h $ip -p $port" \
        redis-server --save '' --appendonly no --bind "$ip" --port "$port" \
        --daemonize no --dir "$dir/run/$name" "$@"
}

# the mock, the certificates, the Redis of the topology
start mock "http_ok http://127.0.0.1:$mock_port/__mock/health" \
    python3 t/mock/ticketing_mock.py --host 127.0.0.1 --port "$mock_port"
tests/topology/make_certs.sh "$dir/certs"

redis primary 127.0.0.1 "$primary_port"
redis replica 127.0.0.1 "$replica_port" --replicaof 127.0.0.1 "$primary_port"
# the sentinels find the replica in the primary's INFO: start them once
# the replica is in sync
# shellcheck disable=SC2317  # called through wait_until
replica_synced() {
    rcli -p "$replica_port" info replication | grep -q 'master_link_status:up'
}
wait_until 10 "the replica to sync" replica_synced || die "the replica did not sync"
for i in 1 2 3; do
    port_var=s${i}_port
    cat > "$dir/run/sentinel-$i.conf" <<EOF
port ${!port_var}
bind 127.0.0.1
daemonize no
dir $dir/run
sentinel monitor topo 127.0.0.1 $primary_port 2
sentinel down-after-milliseconds topo 1000
sentinel failover-timeout topo 3000
sentinel parallel-syncs topo 1
EOF
    start "sentinel-$i" "pong -p ${!port_var}" \
        redis-server "$dir/run/sentinel-$i.conf" --sentinel
done

# TLS only, a client certificate required; an ACL user besides "default"
mkdir -p "$dir/run/redis-tls"
# shellcheck disable=SC2317  # called through start
tls_pong() { pong "${tls_cli[@]}"; }
start redis-tls tls_pong \
    redis-server --save '' --appendonly no --bind 127.0.0.1 --port 0 \
    --tls-port "$tls_port" --daemonize no --dir "$dir/run/redis-tls" \
    --tls-cert-file "$dir/certs/redis.crt" --tls-key-file "$dir/certs/redis.key" \
    --tls-ca-cert-file "$dir/certs/ca.crt" --tls-auth-clients yes
acl_user=topo
acl_pass="topo-pw-$(openssl rand -hex 8)"
wrong_pass="topo-wrong-$(openssl rand -hex 8)"
[ "$(rcli "${tls_cli[@]}" acl setuser "$acl_user" on ">$acl_pass" '~*' '&*' +@all)" = OK ] \
    || die "ACL SETUSER on the TLS Redis failed"
# the pair behind redis.test: one port number, two loopback addresses
redis pair-a 127.0.0.1 "$pair_port"
redis pair-b 127.0.0.2 "$pair_port"
# standalone, for the READONLY check: ro-a is demoted to a replica of
# ro-b under a connection of nginx
redis ro-a 127.0.0.1 "$ro_a_port"
redis ro-b 127.0.0.1 "$ro_b_port"

# dnsmasq: only our hosts file, nothing forwarded, in the foreground;
# --local: a name's missing AAAA is an empty answer, not REFUSED (which
# nginx's resolver takes as the name failing)
printf '127.0.0.1 redis.test idp.test\n' > "$dir/run/hosts"
chmod 644 "$dir/run/hosts"
dns_user=()
[ "$(id -u)" -ne 0 ] || dns_user=(--user=nobody --group=nogroup)
start dnsmasq "${tool[*]} dns $dns_port redis.test | grep -qx 127.0.0.1" \
    dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file= \
    --port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces \
    --no-resolv --no-hosts --addn-hosts="$dir/run/hosts" --local=/test/ \
    --log-facility=- --log-queries "${dns_user[@]}"

# the identity provider's JWKS over https (its certificate is for
# idp.test), t/data/jwks.json until a check rotates it
mkdir -p "$dir/run/idp"
cp t/data/jwks.json "$dir/run/idp/jwks.json"
start idp "curl -sf -o /dev/null --max-time 2 --cacert $dir/certs/ca.crt --resolve idp.test:$idp_port:127.0.0.1 https://idp.test:$idp_port/jwks.json" \
    "${tool[@]}" idp "$idp_port" "$dir/certs/idp.crt" "$dir/certs/idp.key" \
    "$dir/run/idp/jwks.json"

# ------------------------------------------------------------------ nginx
log_level=info
# worker_processes of the configurations conf writes
workers=1
# conf NAME LISTEN REDIS [HTTP_EXTRA]: $dir/NAME/nginx.conf, the example
# with its placeholders replaced, HTTP_EXTRA before it in http{}
conf() {
    local name=$1 listen=$2 redis=$3 extra=${4:-} d=$dir/$1
    mkdir -p "$d"
    python3 - "$example" "$d/example.conf" "127.0.0.1:$mock_port" \
        "$listen" "$TOP/t/data" "$redis" <<'EOF'
import re, sys
src, dst, upstream, listen, keys, redis = sys.argv[1:]
text = open(src).read()
old = "ticketing_cache_timeout 50ms;"
if text.count(old) != 1:
    sys.exit("%s changed: update tests/topology/run.sh (%s)" % (src, old))
text = text.replace(old, "ticketing_cache_timeout 500ms;")
values = {"UPSTREAM": upstream, "LISTEN": listen, "KEYS": keys,
          "REDIS": redis}
def value(m):
    if m.group(1) not in values:
        sys.exit("%s: no value for @%s@" % (src, m.group(1)))
    return values[m.group(1)]
open(dst, "w").write(re.sub(r"@([A-Z_]+)@", value, text))
EOF
    cat > "$d/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
pid $d/nginx.pid;
error_log $dir/logs/$name.error.log $log_level;

events {
    worker_connections 512;
}

http {
    client_body_temp_path $dir/run/$name-client_body;
    proxy_temp_path       $dir/run/$name-proxy;
    fastcgi_temp_path     $dir/run/$name-fastcgi;
    uwsgi_temp_path       $dir/run/$name-uwsgi;
    scgi_temp_path        $dir/run/$name-scgi;

    default_type application/json;
    log_format topology '\$remote_addr "\$request" \$status'
                        ' cache=\$ticketing_cache_status'
                        ' op=\$ticketing_operation rt=\$request_time';
    access_log $dir/logs/$name.access.log topology;
$extra
    include $d/example.conf;
}
EOF
}

# nginx_test NAME: nginx -t of NAME's configuration; its output in
# logs/NAME.nginx-t.log (not in NAME's error log: a refusal there is no
# [emerg] of a running nginx)
nginx_test() {
    "${cli_env[@]}" "$nginx" -t -q -p "$dir/$1/" -c "$dir/$1/nginx.conf" \
        -e stderr > "$dir/logs/$1.nginx-t.log" 2>&1
}

# nginx_start NAME PORT: NAME's nginx, answering on PORT
nginx_start() {
    start "$1" "[ \"\$(http_status http://127.0.0.1:$2/)\" != 000 ]" \
        "$nginx" -p "$dir/$1/" -c "$dir/$1/nginx.conf" -e "$dir/logs/$1.error.log"
}

# nginx_quit NAME: graceful stop (-s quit); fails unless the master exits
# with status 0 within 15 s
nginx_quit() {
    local pid=${pids[$1]:-} rc=0
    [ -n "$pid" ] || return 1
    "${cli_env[@]}" "$nginx" -p "$dir/$1/" -c "$dir/$1/nginx.conf" \
        -e "$dir/logs/$1.error.log" -s quit || true
    # shellcheck disable=SC2317  # called through wait_until
    gone() { ! pid_alive "$1"; }
    wait_until 15 "$1 to quit" gone "$pid" || return 1
    wait "$pid" 2>/dev/null || rc=$?
    untrack "$1"
    return "$rc"
}

for i in 1 2 3; do
    conf "nginx-$i" "127.0.0.1:${ports[i - 1]}" "127.0.0.1:$primary_port"
    nginx_test "nginx-$i" || { cat "$dir/logs/nginx-$i.nginx-t.log" >&2;
                               die "nginx -t refused $example"; }
    nginx_start "nginx-$i" "${ports[i - 1]}"
done

# ---------------------------------------------------------------- checks
n=0; failures=0; skipped=0
ok() {          # ok COND_STATUS NAME [DIAG]
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        [ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/#   /'
        failures=$((failures + 1))
    fi
}
is() {
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "got '$1', expected '$2'"; fi
}
check() {       # check NAME DIAG CMD...
    local name=$1 diag=$2; shift 2
    if "$@"; then ok 0 "$name"; else ok 1 "$name" "$diag"; fi
}
skip() {        # skip NAME REASON
    n=$((n + 1)); skipped=$((skipped + 1))
    echo "ok $n # skip $1: $2"
}
# feature NAME PORT WORDS CHECK...: NAME's nginx (conf'd beforehand) is
# started if nginx -t accepts it and the CHECKs are for the caller to run
# (return 0); if nginx -t refuses it with a message matching the regex
# WORDS (the feature's directives), each CHECK is reported as a skip
# (return 1); any other refusal fails the bed.
feature() {
    local name=$1 port=$2 words=$3 why c; shift 3
    if nginx_test "$name"; then
        nginx_start "$name" "$port"
        return 0
    fi
    why=$(grep -m1 -E '\[emerg\]|\[alert\]' "$dir/logs/$name.nginx-t.log" \
          | sed -e 's/^.*\[\(emerg\|alert\)\] [0-9]*#[0-9]*: //' \
                -e 's/ in \/[^ ]*:[0-9]*$//')
    why=${why//$acl_pass/<password>}
    why=${why//$wrong_pass/<password>}
    if grep -qE "$words" <<<"$why"; then
        for c in "$@"; do skip "$c" "nginx -t refuses it: $why"; done
    else
        ok 1 "$name: nginx -t refuses the configuration for another reason" \
            "$(cat "$dir/logs/$name.nginx-t.log")"
    fi
    return 1
}

# after the sentinels promote the replica, each nginx-sN answers HIT
# from it within this (ms): the example's fail_timeout (5 s: the lost
# connection, with requests queued on it, opens the circuit breaker, and
# +switch-master does not close it), the sentinels' hello period (2 s:
# the sentinel a worker asks may learn of the promotion after the first
# one did) and slack for ASan nginx on a shared machine
follow_bound_ms=10000
mint() { python3 t/tools/mint_jwt.py --key t/data/rs256.key --alg RS256 "$@"; }
tok_alice=$(mint)
tok_bob=$(mint --claims '{"sub":"bob"}')
tok_carol=$(mint --claims '{"sub":"carol"}')
tok_purge=$(mint --claims '{"permissions":["ticketing.cache.purge"]}')
types=/v2/ticket/metadata/types
links=/v2/issueLinkType

# creq PORT TOKEN [PATH]: "STATUS X-CACHE-STATUS" of one GET ("-" when
# the header is absent); the body in $dir/last.body
creq() {
    local out
    out=$(curl -s -o "$dir/last.body" --max-time 5 \
              -w '%{http_code} %header{x-cache-status}' \
              -H "Authorization: Bearer $2" \
              "http://127.0.0.1:$1${3:-$types}" || true)
    awk '{ if (NF == 1) print $1, "-"; else print }' <<<"$out"
}
# until_cache PORT TOKEN STATUS SECONDS [PATH]: a request every 100 ms
# until one answers 200 with X-Cache-Status STATUS; prints how many it
# took (or the last answer), fails if none did in time
until_cache() {
    local i max=$(($4 * 10)) st cs
    for ((i = 1; i <= max; i++)); do
        read -r st cs <<<"$(creq "$1" "$2" "${5:-$types}")"
        if [ "$st" = 200 ] && [ "$cs" = "$3" ]; then echo "$i"; return 0; fi
        sleep 0.1
    done
    echo "$max requests (last: $st $cs)"
    return 1
}
# expect_cache NAME PORT TOKEN STATUS SECONDS [PATH]: one check that
# until_cache succeeds
expect_cache() {
    local name=$1 k; shift
    if k=$(until_cache "$@"); then ok 0 "$name ($k requests)"; else ok 1 "$name" "$k"; fi
}
mock_count() {
    curl -s --max-time 5 "http://127.0.0.1:$mock_port/__mock/count" \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}
dbsize() { rcli "$@" dbsize; }

for i in 1 2 3; do
    read -r st cs <<<"$(creq "${ports[i - 1]}" "$tok_alice" /v2/no/such/operation)"
    is "$st" 404 "sanity: nginx-$i routes (unknown operation: 404)"
done

# 1. coalescing across instances -----------------------------------------
# warm up: each worker has verified the token and talked to Redis
for p in "${ports[@]}"; do creq "$p" "$tok_alice" >/dev/null; done
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$mock_port/__mock/reset"
urls=$(printf "http://127.0.0.1:%s$links," "${ports[@]}")
# 12 misses at once, 4 per instance; the upstream takes 400 ms, so all
# of them miss before the one that goes upstream stores its answer
"${tool[@]}" burst "${urls%,}" 12 "Authorization: Bearer $tok_alice" \
    'X-Mock-Delay-Ms: 400' > "$dir/logs/burst.txt"
is "$(mock_count)" 1 "coalescing: 12 concurrent misses over 3 instances, one upstream call"
is "$(awk '$2 == 200' "$dir/logs/burst.txt" | wc -l)" 12 \
    "coalescing: 12 answers 200"
is "$(awk '{ print $4 }' "$dir/logs/burst.txt" | sort -u | wc -l)" 1 \
    "coalescing: the 12 bodies are identical"
echo "# coalescing: X-Cache-Status $(awk '{ print $3 }' "$dir/logs/burst.txt" \
    | sort | uniq -c | xargs)"

# 2. one Redis, three instances: shared entries, purge -------------------
# alice's entry is stored by nginx-1; bob and carol fill their own (the
# types are per subject) on nginx-2 and nginx-3
i=0
for tok in "$tok_alice" "$tok_bob" "$tok_carol"; do
    p=${ports[i]}; i=$((i + 1))
    expect_cache "shared cache: nginx-$i stores and answers HIT" "$p" "$tok" HIT 5
done
read -r st cs <<<"$(creq "$n2_port" "$tok_alice")"
is "$st $cs" "200 HIT" "shared cache: nginx-1's entry is a HIT on nginx-2"
read -r st cs <<<"$(creq "$n3_port" "$tok_bob")"
is "$st $cs" "200 HIT" "shared cache: nginx-2's entry is a HIT on nginx-3"

out=$(curl -s --max-time 5 -X DELETE -w ' %{http_code}' \
          -H "Authorization: Bearer $tok_purge" \
          "http://127.0.0.1:$n2_port/_ticketing/cache?operation=metadata.types" || true)
check "purge on nginx-2: 200, 3 entries or more purged" "$out" \
    python3 -c 'import json, sys; b, s = sys.argv[1].rsplit(" ", 1); sys.exit(not (s == "200" and json.loads(b)["purged"] >= 3))' "$out"
i=0
for tok in "$tok_alice" "$tok_bob" "$tok_carol"; do
    p=${ports[i]}; i=$((i + 1))
    read -r st cs <<<"$(creq "$p" "$tok")"
    is "$st $cs" "200 MISS" "after the purge on nginx-2: the next request on nginx-$i is a MISS"
done

# 3. the sentinels see the primary, the replica and each other ----------
# sentinel_sees PORT MASTER_PORT: "ok" once the sentinel on PORT names
# MASTER_PORT as the primary, with 1 replica and 2 other sentinels
sentinel_state() {
    local addr info
    addr=$(rcli -p "$1" sentinel get-master-addr-by-name topo | xargs)
    info=$(rcli -p "$1" sentinel master topo | paste - - \
           | awk '$1 ~ /^(flags|num-slaves|num-other-sentinels)$/ { printf "%s=%s ", $1, $2 }')
    echo "$addr $info"
}
# shellcheck disable=SC2317  # called through wait_until
sentinels_see() {
    local s
    for s in "$s1_port" "$s2_port" "$s3_port"; do
        [ "$(sentinel_state "$s")" = "127.0.0.1 $1 flags=master num-slaves=1 num-other-sentinels=2 " ] \
            || return 1
    done
}
check "sentinels: all 3 see the primary (port $primary_port), its replica and each other" \
    "$(for s in "$s1_port" "$s2_port" "$s3_port"; do sentinel_state "$s"; done)" \
    wait_until 20 "the sentinels to agree" sentinels_see "$primary_port"

# 4. Sentinel: three instances find the primary through the sentinels ----
# nginx-s1..3: the example on "sentinel:topo" with the 3 sentinels;
# guarded like the feature groups below (on the Sentinel directives); the
# READONLY and dead-sentinel groups (6, 7) follow the same guard
sentinels="127.0.0.1:$s1_port 127.0.0.1:$s2_port 127.0.0.1:$s3_port"
sn_checks=()
for i in 1 2 3; do
    sn_checks+=("Sentinel discovery: nginx-s$i MISS, then HIT"
                "Sentinel discovery: nginx-s$i's connection is in the primary's CLIENT LIST, its log names the primary")
done
for i in 1 2 3; do
    sn_checks+=("Sentinel failover: nginx-s$i under load: BYPASS while it is down, no non-2xx answer, no socket error"
                "Sentinel failover: nginx-s$i HIT again on the promoted replica within $((follow_bound_ms / 1000)) s of the promotion"
                "Sentinel failover: nginx-s$i's log shows +switch-master or a rediscovery naming the new primary")
done
ro_checks=("READONLY: sentinel:ro on ro-a, MISS then HIT there"
           "READONLY: ro-a demoted to a replica of ro-b (emptied), nginx's connection to it still open"
           "READONLY: the next miss's fill lock (SET NX) is answered READONLY, nginx rediscovers (200 meanwhile)"
           "READONLY: HIT again from ro-b, the primary the sentinels name now")
dead_checks=("dead sentinels first: every worker discovers the primary through the live sentinel"
             "dead sentinels first: workers that started on a dead sentinel went on to the next"
             "dead sentinels first: MISS, then HIT")
for i in 1 2 3; do
    conf "nginx-s$i" "127.0.0.1:${sn_ports[i - 1]}" sentinel:topo \
        "    ticketing_redis_sentinel $sentinels;"
done
sentinel_on=0
if feature nginx-s1 "$sn1_port" 'sentinel' \
        "${sn_checks[@]}" "${ro_checks[@]}" "${dead_checks[@]}"; then
    sentinel_on=1
    for i in 2 3; do
        nginx_test "nginx-s$i" || die "nginx -t refused nginx-s$i (it accepted nginx-s1)"
        nginx_start "nginx-s$i" "${sn_ports[i - 1]}"
    done
fi

# workers_of NAME: the pids of NAME's workers
workers_of() { pgrep -P "${pids[$1]}" || true; }
# conns PID PORT: the local ports of PID's connections to 127.0.0.1:PORT
conns() {
    ss -Htnp state established "( dport = :$2 )" \
        | awk -v p="pid=$1," 'index($0, p) { n = split($3, a, ":"); print a[n] }'
}
# listed_on NAME PORT: a worker of NAME has a connection to the Redis on
# PORT, and that Redis' CLIENT LIST shows it
listed_on() {
    local w lp list
    list=$(rcli -p "$2" client list)
    for w in $(workers_of "$1"); do
        for lp in $(conns "$w" "$2"); do
            grep -q "addr=127.0.0.1:$lp " <<<"$list" && return 0
        done
    done
    return 1
}
# names PORT: the regex of the module's "sentinel ... names the primary
# 127.0.0.1:PORT" line
names() { echo "sentinel 127\.0\.0\.1:[0-9]+ names the primary 127\.0\.0\.1:$1([^0-9]|\$)"; }
# discovered NAME PORT: NAME is connected to the Redis on PORT (CLIENT
# LIST) and its log says a sentinel named it
discovered() {
    listed_on "$1" "$2" && grep -qE "$(names "$2")" "$dir/logs/$1.error.log"
}
client_ports() { rcli -p "$1" client list | grep -o 'addr=[^ ]*' | xargs; }

if [ "$sentinel_on" = 1 ]; then
    for i in 1 2 3; do
        p=${sn_ports[i - 1]}
        tok=$(mint --claims "{\"sub\":\"nginx-s$i\"}")
        read -r st cs <<<"$(creq "$p" "$tok")"
        if [ "$st $cs" != "200 MISS" ]; then
            ok 1 "${sn_checks[2 * (i - 1)]}" "first answer: $st $cs"
        else
            expect_cache "${sn_checks[2 * (i - 1)]}" "$p" "$tok" HIT 5
        fi
        log=$dir/logs/nginx-s$i.error.log
        check "${sn_checks[2 * (i - 1) + 1]}" \
            "worker $(workers_of "nginx-s$i"): $(conns "$(workers_of "nginx-s$i")" "$primary_port" | xargs)"$'\n'"CLIENT LIST: $(client_ports "$primary_port")"$'\n'"$(grep -i sentinel "$log" | tail -3)" \
            discovered "nginx-s$i" "$primary_port"
    done
fi

# 5. the primary killed under a load spread over all the instances -------
for i in 1 2 3; do
    wrk -t1 -c4 -d5s --timeout 2s -H "Authorization: Bearer $tok_alice" \
        "http://127.0.0.1:${ports[i - 1]}$types" > "$dir/logs/wrk-$i.txt" 2>&1 &
    track "wrk-$i" $!
done
# the Sentinel group's load lasts through the failover
if [ "$sentinel_on" = 1 ]; then
    for i in 1 2 3; do
        wrk -t1 -c4 -d12s --timeout 2s -H "Authorization: Bearer $tok_alice" \
            "http://127.0.0.1:${sn_ports[i - 1]}$types" \
            > "$dir/logs/wrk-nginx-s$i.txt" 2>&1 &
        track "wrk-nginx-s$i" $!
    done
fi
# kill it once the load is reaching it (200 more lookups than now)
hits() { rcli -p "$primary_port" info stats | tr -d '\r' | awk -F: '$1 == "keyspace_hits" { print $2 }'; }
base=$(hits)
# shellcheck disable=SC2317  # called through wait_until
loaded() { [ "$(hits)" -ge $((base + 200)) ]; }
check "primary killed: the wrk load reached Redis first" "" \
    wait_until 5 "the load to reach Redis" loaded
kill -KILL "${pids[primary]}"
t_kill=${EPOCHREALTIME/./}
wait "${pids[primary]}" 2>/dev/null || true
untrack primary
bad=""
for i in 1 2 3; do
    for _ in 1 2 3; do
        read -r st cs <<<"$(creq "${ports[i - 1]}" "$tok_alice")"
        [ "$st $cs" = "200 BYPASS" ] || bad="$bad nginx-$i:$st/$cs"
    done
done
is "${bad:-none}" none "primary killed: 3 probes on each instance, 200 BYPASS"

# secs MICROSECONDS: "S.D" (a tenth of a second)
secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }
# follow: every 100 ms, 30 s after the kill at most, until every
# nginx-sN answered HIT: when a sentinel first names the replica, when
# each instance first answers HIT (the only Redis with the entry left is
# the replica: a HIT comes from it)
declare -A hit_at=()
promoted_at=""
if [ "$sentinel_on" = 1 ]; then
    while [ $((${EPOCHREALTIME/./} - t_kill)) -lt 30000000 ]; do
        if [ -z "$promoted_at" ]; then
            for s in "$s1_port" "$s2_port" "$s3_port"; do
                if [ "$(rcli -p "$s" sentinel get-master-addr-by-name topo | xargs)" \
                        = "127.0.0.1 $replica_port" ]; then
                    promoted_at=${EPOCHREALTIME/./}
                    break
                fi
            done
        fi
        left=0
        for i in 1 2 3; do
            [ -z "${hit_at[$i]:-}" ] || continue
            read -r st cs <<<"$(creq "${sn_ports[i - 1]}" "$tok_alice")"
            if [ "$st $cs" = "200 HIT" ]; then
                hit_at[$i]=${EPOCHREALTIME/./}
            else
                left=1
            fi
        done
        [ "$left" = 1 ] || [ -z "$promoted_at" ] || break
        sleep 0.1
    done
fi

# wrk_check NAME FILE: wrk's report on NAME: it ran, no non-2xx answer, no
# socket error
wrk_check() {
    local total non2xx sockerr
    total=$(awk '/ requests in / { print $1 }' "$2")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$2")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$2")
    echo "${total:-0} requests, non-2xx: ${non2xx:-0}, socket errors: ${sockerr:-none}"
    [ "${total:-0}" -gt 0 ] && [ "${non2xx:-0}" = 0 ] && [ -z "$sockerr" ]
}
for i in 1 2 3; do
    wait "${pids[wrk-$i]}" || true
    untrack "wrk-$i"
    out=$dir/logs/wrk-$i.txt
    total=$(awk '/ requests in / { print $1 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sockerr=$(sed -n 's/^ *Socket errors: *//p' "$out")
    check "primary killed under load: wrk on nginx-$i ran (${total:-0} requests)" \
        "$(cat "$out")" test "${total:-0}" -gt 0
    is "${non2xx:-0}" 0 "primary killed under load: no non-2xx answer from nginx-$i"
    is "${sockerr:-none}" none "primary killed under load: no socket error or timeout on nginx-$i"
done
# shellcheck disable=SC2317  # called through wait_until
promoted() {
    local s
    for s in "$s1_port" "$s2_port" "$s3_port"; do
        [ "$(rcli -p "$s" sentinel get-master-addr-by-name topo | xargs)" \
            = "127.0.0.1 $replica_port" ] || return 1
    done
}
check "sentinels: the replica (port $replica_port) promoted after the primary died" \
    "$(for s in "$s1_port" "$s2_port" "$s3_port"; do sentinel_state "$s"; done)" \
    wait_until 30 "the failover" promoted

if [ "$sentinel_on" = 1 ]; then
    summary="the sentinels named the replica"
    if [ -n "$promoted_at" ]; then
        summary+=" $(secs $((promoted_at - t_kill))) s after the kill"
    else
        summary+=" not within 30 s of the kill"
    fi
    for i in 1 2 3; do
        log=$dir/logs/nginx-s$i.error.log
        key=wrk-nginx-s$i
        wait "${pids[$key]}" || true
        untrack "wrk-nginx-s$i"
        out=$dir/logs/wrk-nginx-s$i.txt
        bypass=$(grep -c 'cache=BYPASS' "$dir/logs/nginx-s$i.access.log" || true)
        if res=$(wrk_check "nginx-s$i" "$out") && [ "$bypass" -gt 0 ]; then
            ok 0 "${sn_checks[6 + 3 * (i - 1)]} ($res, $bypass BYPASS)"
        else
            ok 1 "${sn_checks[6 + 3 * (i - 1)]}" "$bypass BYPASS (the outage unseen?)"$'\n'"$(cat "$out")"
        fi
        name=${sn_checks[6 + 3 * (i - 1) + 1]}
        if [ -z "${hit_at[$i]:-}" ]; then
            ok 1 "$name" "no HIT within 30 s of the kill; last: $st $cs"$'\n'"$(grep -v '\[debug\]' "$log" | tail -5)"
            summary+=", nginx-s$i: no HIT"
        else
            # a HIT seen in the round that saw the promotion counts as 0
            after=0
            [ -z "$promoted_at" ] || after=$((hit_at[$i] - promoted_at))
            [ "$after" -ge 0 ] || after=0
            summary+=", nginx-s$i HIT $(secs $((hit_at[$i] - t_kill))) s after it"
            if [ -n "$promoted_at" ] && [ "$after" -le $((follow_bound_ms * 1000)) ] \
                   && listed_on "nginx-s$i" "$replica_port"; then
                ok 0 "$name ($(secs "$after") s)"
            else
                ok 1 "$name" "HIT $(secs "$after") s after the promotion; CLIENT LIST of the replica: $(client_ports "$replica_port")"
            fi
        fi
        switch=$(grep -cE "\+switch-master topo 127\.0\.0\.1 $primary_port 127\.0\.0\.1 $replica_port" "$log" || true)
        named=$(grep -cE "$(names "$replica_port")" "$log" || true)
        if [ $((switch + named)) -gt 0 ]; then
            ok 0 "${sn_checks[6 + 3 * (i - 1) + 2]} (+switch-master: $switch, names the new primary: $named)"
        else
            ok 1 "${sn_checks[6 + 3 * (i - 1) + 2]}" "$(grep -v '\[debug\]' "$log" | grep -i 'redis' | tail -5)"
        fi
    done
    echo "# Sentinel failover: $summary"
    for i in 1 2 3; do
        check "nginx-s$i quits gracefully, status 0" "" nginx_quit "nginx-s$i"
    done
fi

# 6. READONLY: a primary demoted under nginx's connection ----------------
# sentinel_all ARGS...: a SENTINEL command to the 3 sentinels, each "OK"
sentinel_all() {
    local s
    for s in "$s1_port" "$s2_port" "$s3_port"; do
        [ "$(rcli -p "$s" sentinel "$@")" = OK ] || return 1
    done
}
if [ "$sentinel_on" = 1 ]; then
    sentinel_all monitor ro 127.0.0.1 "$ro_a_port" 2 \
        || die "the sentinels refused to monitor ro-a"
    conf readonly "127.0.0.1:$f_port" sentinel:ro \
        "    ticketing_redis_sentinel $sentinels;"
    nginx_test readonly || die "nginx -t refused the readonly group"
    nginx_start readonly "$f_port"
    log=$dir/logs/readonly.error.log
    tok=$(mint --claims '{"sub":"readonly"}')
    read -r st cs <<<"$(creq "$f_port" "$tok")"
    k=$(until_cache "$f_port" "$tok" HIT 5) || k="none: $k"
    if [ "$st $cs" = "200 MISS" ] && [ "${k%%:*}" != none ] \
           && listed_on readonly "$ro_a_port"; then
        ok 0 "${ro_checks[0]} ($k requests)"
    else
        ok 1 "${ro_checks[0]}" "first: $st $cs; HIT after: $k; CLIENT LIST of ro-a: $(client_ports "$ro_a_port")"
    fi
    # "ro" moves to ro-b (no +switch-master is published), then ro-a is
    # demoted, and emptied by its sync with ro-b: the next request's GET
    # misses, its fill lock (SET NX) is answered READONLY, the only way
    # nginx can learn of the move
    if ! sentinel_all remove ro || ! sentinel_all monitor ro 127.0.0.1 "$ro_b_port" 2; then
        die "the sentinels refused to move ro to ro-b"
    fi
    [ "$(rcli -p "$ro_a_port" replicaof 127.0.0.1 "$ro_b_port")" = OK ] \
        || die "REPLICAOF on ro-a failed"
    # shellcheck disable=SC2317  # called through wait_until
    demoted() {
        rcli -p "$ro_a_port" info replication | grep -q 'master_link_status:up' \
            && [ "$(dbsize -p "$ro_a_port")" = 0 ]
    }
    if wait_until 10 "ro-a to sync with ro-b" demoted && listed_on readonly "$ro_a_port"; then
        ok 0 "${ro_checks[1]}"
    else
        ok 1 "${ro_checks[1]}" "$(rcli -p "$ro_a_port" info replication | grep -E 'role|link_status')"$'\n'"CLIENT LIST of ro-a: $(client_ports "$ro_a_port")"
    fi
    mark=$(wc -l < "$log")
    read -r st cs <<<"$(creq "$f_port" "$tok")"
    # shellcheck disable=SC2317  # called through wait_until
    readonly_logged() { tail -n "+$((mark + 1))" "$log" | grep -q 'read-only or loading'; }
    if [ "$st" = 200 ] && wait_until 5 "READONLY in the log" readonly_logged; then
        ok 0 "${ro_checks[2]} (answer: $st $cs)"
    else
        ok 1 "${ro_checks[2]}" "answer: $st $cs"$'\n'"$(tail -n "+$((mark + 1))" "$log" | grep -v '\[debug\]' | tail -5)"
    fi
    t0=${EPOCHREALTIME/./}
    k=$(until_cache "$f_port" "$tok" HIT 5) || k="none: $k"
    if [ "${k%%:*}" != none ] && listed_on readonly "$ro_b_port" \
           && tail -n "+$((mark + 1))" "$log" | grep -qE "$(names "$ro_b_port")"; then
        ok 0 "${ro_checks[3]} ($k requests, $(secs $((${EPOCHREALTIME/./} - t0))) s)"
    else
        ok 1 "${ro_checks[3]}" "HIT after: $k; CLIENT LIST of ro-b: $(client_ports "$ro_b_port")"$'\n'"$(tail -n "+$((mark + 1))" "$log" | grep -v '\[debug\]' | tail -5)"
    fi
    check "readonly: nginx quits gracefully, status 0" "" nginx_quit readonly
    sentinel_all remove ro || true
fi

# 7. a sentinel list whose first entries are dead ------------------------
# 3 closed ports, then sentinel 2; each of the 4 workers starts at a
# random entry (ngx_random()): one of them starting on a dead port has
# 1 - (1/4)^4 odds; a new generation of workers (reload), up to 3 in all,
# if none did
if [ "$sentinel_on" = 1 ]; then
    workers=4
    conf dead "127.0.0.1:$f_port" sentinel:topo \
        "    ticketing_redis_sentinel 127.0.0.1:$dead1_port 127.0.0.1:$dead2_port 127.0.0.1:$dead3_port 127.0.0.1:$s2_port;"
    workers=1
    nginx_test dead || die "nginx -t refused the dead-sentinels group"
    nginx_start dead "$f_port"
    log=$dir/logs/dead.error.log
    found="sentinel 127\.0\.0\.1:$s2_port names the primary 127\.0\.0\.1:$replica_port([^0-9]|\$)"
    # shellcheck disable=SC2317  # called through wait_until
    all_found() {
        local w c=0
        for w in $(workers_of dead); do
            grep -qE " $w#[0-9]+: .*$found" "$log" || return 1
            c=$((c + 1))
        done
        [ "$c" = 4 ]
    }
    # walkers: workers (any generation) that were refused by a dead
    # sentinel and then found the primary
    walkers() {
        local w
        grep -E "$found" "$log" | sed -nE 's/^[^]]*\] ([0-9]+)#.*/\1/p' | sort -u \
            | while read -r w; do
                  if grep -qE " $w#[0-9]+: .*sentinel 127\.0\.0\.1:($dead1_port|$dead2_port|$dead3_port): " "$log"; then
                      echo "$w"
                  fi
              done
    }
    generations=1
    all=0
    while :; do
        if wait_until 10 "every dead-group worker to find the primary" all_found; then
            all=1
        else
            all=0; break
        fi
        if [ -n "$(walkers)" ] || [ "$generations" -ge 3 ]; then break; fi
        old=$(workers_of dead | xargs)
        "${cli_env[@]}" "$nginx" -p "$dir/dead/" -c "$dir/dead/nginx.conf" \
            -e "$log" -s reload
        # shellcheck disable=SC2317  # called through wait_until
        renewed() {
            local w c=0
            for w in $(workers_of dead); do
                [[ " $old " != *" $w "* ]] || return 1
                c=$((c + 1))
            done
            [ "$c" = 4 ]
        }
        wait_until 15 "new dead-group workers" renewed || break
        generations=$((generations + 1))
    done
    ok $((1 - all)) "${dead_checks[0]} ($generations generation(s) of 4 workers)" \
        "$(grep -v '\[debug\]' "$log" | grep -i sentinel | tail -8)"
    w=$(walkers | wc -l)
    dead_refusals=$(grep -cE "sentinel 127\.0\.0\.1:($dead1_port|$dead2_port|$dead3_port): " "$log" || true)
    check "${dead_checks[1]} ($w workers, $dead_refusals dead sentinels passed)" \
        "$(grep -v '\[debug\]' "$log" | grep -i sentinel | tail -8)" test "$w" -gt 0
    tok=$(mint --claims '{"sub":"dead-first"}')
    read -r st cs <<<"$(creq "$f_port" "$tok")"
    if [ "$st $cs" != "200 MISS" ]; then
        ok 1 "${dead_checks[2]}" "first answer: $st $cs"
    else
        expect_cache "${dead_checks[2]}" "$f_port" "$tok" HIT 5
    fi
    check "dead: nginx quits gracefully, status 0" "" nginx_quit dead
fi

# 8. Redis Cluster: 3 primaries, 3 replicas, 3 instances -----------------
# nodes_of ROLE: the ports of the cluster's nodes of ROLE (master, slave)
# that are not failed, as node 1 sees them
cluster_nodes() { rcli -p "$1" cluster nodes; }
nodes_of() {
    local p
    for p in "${cl_ports[@]}"; do
        pong -p "$p" || continue
        cluster_nodes "$p" | awk -v r="$1" '$3 !~ /fail/ && $3 ~ r { split($2, a, "[:@]"); print a[2] }' | sort -n
        return
    done
}
# shellcheck disable=SC2317  # called through wait_until
cluster_ok() {
    local p
    for p in "$@"; do
        rcli -p "$p" cluster info | tr -d '\r' | grep -qx 'cluster_state:ok' || return 1
    done
}
# primary_of KEY_PATTERN: the port of the primary holding a key matching it
primary_of() {
    local p
    for p in $(nodes_of master); do
        [ -z "$(rcli -p "$p" --scan --pattern "$1" | head -1)" ] || { echo "$p"; return; }
    done
}
for i in 1 2 3 4 5 6; do
    mkdir -p "$dir/run/cluster-$i"
    start "cluster-$i" "pong -p ${cl_ports[i - 1]}" \
        redis-server --save '' --appendonly no --bind 127.0.0.1 \
        --port "${cl_ports[i - 1]}" --daemonize no --dir "$dir/run/cluster-$i" \
        --cluster-enabled yes --cluster-port "${clb_ports[i - 1]}" \
        --cluster-config-file "$dir/run/cluster-$i/nodes.conf" \
        --cluster-node-timeout 1000 --cluster-require-full-coverage no
done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${cl_ports[@]}") \
    --cluster-replicas 1 --cluster-yes > "$dir/logs/cluster-create.log" 2>&1 \
    || { tail -5 "$dir/logs/cluster-create.log" >&2; die "redis-cli --cluster create failed"; }
check "cluster: all 6 nodes see every slot served" \
    "$(for p in "${cl_ports[@]}"; do rcli -p "$p" cluster info | head -1; done)" \
    wait_until 15 "the cluster to be ok" cluster_ok "${cl_ports[@]}"
# shellcheck disable=SC2317  # called through wait_until
three_and_three() {
    [ "$(nodes_of master | wc -l)" = 3 ] && [ "$(nodes_of slave | wc -l)" = 3 ]
}
check "cluster: 3 primaries, 3 replicas" "$(cluster_nodes "$cl1_port")" \
    wait_until 15 "the replicas to attach" three_and_three

for i in 1 2 3; do
    conf "nginx-c$i" "127.0.0.1:${nc_ports[i - 1]}" "127.0.0.1:$cl1_port cluster"
    nginx_test "nginx-c$i" || { cat "$dir/logs/nginx-c$i.nginx-t.log" >&2;
                                die "nginx -t refused the cluster group"; }
    nginx_start "nginx-c$i" "${nc_ports[i - 1]}"
done
for i in 1 2 3; do
    # shellcheck disable=SC2317  # called through wait_until
    map_loaded() { grep -q 'slot map loaded: 3 primaries' "$dir/logs/nginx-c$1.error.log"; }
    check "cluster: nginx-c$i loads the slot map (3 primaries)" \
        "$(grep -v '\[debug\]' "$dir/logs/nginx-c$i.error.log" | tail -3)" \
        wait_until 10 "nginx-c$i's slot map" map_loaded "$i"
done

# entries of 30 subjects, each stored by one instance and a HIT on the
# next: the keys' hash tags spread them over the 3 primaries
bad=""
for k in $(seq 1 30); do
    tok=$(mint --claims "{\"sub\":\"cl-$k\"}")
    a=${nc_ports[k % 3]}; b=${nc_ports[(k + 1) % 3]}
    read -r st cs <<<"$(creq "$a" "$tok")"
    [ "$st $cs" = "200 MISS" ] || bad+=" cl-$k:first:$st/$cs"
    read -r st cs <<<"$(creq "$b" "$tok")"
    [ "$st $cs" = "200 HIT" ] || bad+=" cl-$k:other:$st/$cs"
done
is "${bad:-none}" none "cluster: 30 entries, each stored by one instance, a HIT on the next"
spread=$(for p in $(nodes_of master); do echo "$p:$(dbsize -p "$p")"; done | xargs)
check "cluster: the entries are on all 3 primaries ($spread)" "$spread" \
    python3 -c 'import sys; c = [int(x.split(":")[1]) for x in sys.argv[1].split()]; sys.exit(not (len(c) == 3 and min(c) > 0 and sum(c) == 30))' "$spread"

# coalescing: the fill lock is in its entry's slot (MGET key lock would
# be refused with CROSSSLOT otherwise)
curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$mock_port/__mock/reset"
urls=$(printf "http://127.0.0.1:%s$links," "${nc_ports[@]}")
"${tool[@]}" burst "${urls%,}" 12 "Authorization: Bearer $tok_alice" \
    'X-Mock-Delay-Ms: 400' > "$dir/logs/cluster-burst.txt"
is "$(mock_count)" 1 "cluster coalescing: 12 concurrent misses over 3 instances, one upstream call"
is "$(awk '$2 == 200' "$dir/logs/cluster-burst.txt" | wc -l)" 12 \
    "cluster coalescing: 12 answers 200"

out=$(curl -s --max-time 5 -X DELETE -w ' %{http_code}' \
          -H "Authorization: Bearer $tok_purge" \
          "http://127.0.0.1:$nc2_port/_ticketing/cache" || true)
check "cluster purge on nginx-c2: 200, 31 entries or more purged" "$out" \
    python3 -c 'import json, sys; b, s = sys.argv[1].rsplit(" ", 1); sys.exit(not (s == "200" and json.loads(b)["purged"] >= 31))' "$out"
left=$(for p in $(nodes_of master); do dbsize -p "$p"; done | paste -sd+ | bc)
is "$left" 0 "cluster purge: no key left on any primary"
bad=""
for i in 1 2 3; do
    read -r st cs <<<"$(creq "${nc_ports[i - 1]}" "$tok_alice" "$links")"
    [ "$st $cs" = "200 MISS" ] || bad+=" nginx-c$i:$st/$cs"
    # the next instance's first request is a HIT of this one's fill
    curl -s -o /dev/null --max-time 5 -X DELETE -H "Authorization: Bearer $tok_purge" \
        "http://127.0.0.1:${nc_ports[i - 1]}/_ticketing/cache"
done
is "${bad:-none}" none "cluster purge: the next request on every instance is a MISS"

# resharding under load: the slot of one entry migrates (ASK while its
# keys move, MOVED after) while wrk asks for it on the 3 instances
tok=$(mint --claims '{"sub":"cl-reshard"}')
expect_cache "resharding: the entry is stored" "$nc1_port" "$tok" HIT 5
src=$(primary_of '*sub:cl-reshard')
key=$(rcli -p "$src" --scan --pattern '*sub:cl-reshard' | head -1)
slot=$(rcli -p "$src" cluster keyslot "$key")
dst=$(nodes_of master | grep -vx "$src" | head -1)
src_id=$(rcli -p "$src" cluster myid); dst_id=$(rcli -p "$dst" cluster myid)
for i in 1 2 3; do
    wrk -t1 -c4 -d4s --timeout 2s -H "Authorization: Bearer $tok" \
        "http://127.0.0.1:${nc_ports[i - 1]}$types" > "$dir/logs/wrk-c$i.txt" 2>&1 &
    track "wrk-c$i" $!
done
sleep 1
moved=0
if [ "$(rcli -p "$dst" cluster setslot "$slot" importing "$src_id")" = OK ] \
       && [ "$(rcli -p "$src" cluster setslot "$slot" migrating "$dst_id")" = OK ]; then
    sleep 0.5
    for k in $(rcli -p "$src" cluster getkeysinslot "$slot" 100); do
        rcli -p "$src" migrate 127.0.0.1 "$dst" "$k" 0 5000 >/dev/null
    done
    sleep 0.5
    moved=1
    for p in $(nodes_of master); do
        [ "$(rcli -p "$p" cluster setslot "$slot" node "$dst_id")" = OK ] || moved=0
    done
fi
bad=""
for i in 1 2 3; do
    wait "${pids[wrk-c$i]}" || true
    untrack "wrk-c$i"
    res=$(wrk_check "nginx-c$i" "$dir/logs/wrk-c$i.txt") || bad+=" nginx-c$i: $res;"
done
is "$moved" 1 "resharding: slot $slot moved from $src to $dst with its keys (setslot, migrate)"
is "${bad:-none}" none "resharding under load: no non-2xx answer, no socket error on the 3 instances"
bad=""
for i in 1 2 3; do
    read -r st cs <<<"$(creq "${nc_ports[i - 1]}" "$tok")"
    [ "$st $cs" = "200 HIT" ] || bad+=" nginx-c$i:$st/$cs"
done
is "${bad:-none}" none "resharding: a HIT on every instance from the new primary (MOVED followed)"
is "$(primary_of '*sub:cl-reshard')" "$dst" "resharding: the entry is on the new primary"

# a primary killed under load: its replica is promoted (cluster-node-
# timeout 1 s), the instances follow the new slot map
victim=$(primary_of '*sub:cl-reshard')
victim_id=$(rcli -p "$victim" cluster myid)
heir=$(cluster_nodes "$victim" | awk -v m="$victim_id" '$4 == m { split($2, a, "[:@]"); print a[2] }' | head -1)
# an entry on another primary: served throughout (each node is backed off
# on its own, only the victim's slots fail open)
tok_steady=""
for k in 1 2 3 4 5 6 7 8; do
    t=$(mint --claims "{\"sub\":\"cl-steady-$k\"}")
    until_cache "$nc1_port" "$t" HIT 5 >/dev/null || continue
    p=$(primary_of "*sub:cl-steady-$k")
    if [ -n "$p" ] && [ "$p" != "$victim" ]; then tok_steady=$t; break; fi
done
[ -n "$tok_steady" ] || die "no entry found on a primary other than $victim"
steady_bad=""; steady_n=0
for i in 1 2 3; do
    wrk -t1 -c4 -d10s --timeout 2s -H "Authorization: Bearer $tok" \
        "http://127.0.0.1:${nc_ports[i - 1]}$types" > "$dir/logs/wrk-cf$i.txt" 2>&1 &
    track "wrk-cf$i" $!
done
sleep 1
for i in 1 2 3 4 5 6; do
    [ "${cl_ports[i - 1]}" = "$victim" ] || continue
    kill -KILL "${pids[cluster-$i]}"
    wait "${pids[cluster-$i]}" 2>/dev/null || true
    untrack "cluster-$i"
done
t_kill=${EPOCHREALTIME/./}
declare -A chit_at=()
promoted_at=""
while [ $((${EPOCHREALTIME/./} - t_kill)) -lt 30000000 ]; do
    if [ -z "$promoted_at" ] && [ -n "$heir" ] \
           && [ "$(rcli -p "$heir" role | head -1)" = master ]; then
        promoted_at=${EPOCHREALTIME/./}
    fi
    left=0
    for i in 1 2 3; do
        if [ -z "$promoted_at" ]; then
            read -r st cs <<<"$(creq "${nc_ports[i - 1]}" "$tok_steady")"
            steady_n=$((steady_n + 1))
            [ "$st $cs" = "200 HIT" ] || steady_bad+=" nginx-c$i:$st/$cs"
        fi
        [ -z "${chit_at[$i]:-}" ] || continue
        read -r st cs <<<"$(creq "${nc_ports[i - 1]}" "$tok")"
        if [ "$st $cs" = "200 HIT" ]; then chit_at[$i]=${EPOCHREALTIME/./}; else left=1; fi
    done
    [ "$left" = 1 ] || [ -z "$promoted_at" ] || break
    sleep 0.1
done
bad=""
for i in 1 2 3; do
    wait "${pids[wrk-cf$i]}" || true
    untrack "wrk-cf$i"
    res=$(wrk_check "nginx-c$i" "$dir/logs/wrk-cf$i.txt") || bad+=" nginx-c$i: $res;"
done
is "${bad:-none}" none "cluster failover under load: no non-2xx answer, no socket error on the 3 instances"
is "${steady_bad:-none}" none "cluster failover: an entry on another primary is a HIT until the promotion ($steady_n requests)"
summary="its replica ($heir) promoted"
[ -n "$promoted_at" ] && summary+=" $(secs $((promoted_at - t_kill))) s after the kill" \
    || summary+=": not seen within 30 s"
for i in 1 2 3; do
    name="cluster failover: nginx-c$i HIT again within $((follow_bound_ms / 1000)) s of the promotion"
    if [ -z "${chit_at[$i]:-}" ]; then
        ok 1 "$name" "no HIT within 30 s of the kill; last: $st $cs"$'\n'"$(grep -v '\[debug\]' "$dir/logs/nginx-c$i.error.log" | tail -5)"
        continue
    fi
    after=0
    [ -z "$promoted_at" ] || after=$((chit_at[$i] - promoted_at))
    [ "$after" -ge 0 ] || after=0
    summary+=", nginx-c$i HIT $(secs $((chit_at[$i] - t_kill))) s after it"
    if [ -n "$promoted_at" ] && [ "$after" -le $((follow_bound_ms * 1000)) ] \
           && grep -q 'slot map changed' "$dir/logs/nginx-c$i.error.log"; then
        ok 0 "$name ($(secs "$after") s)"
    else
        ok 1 "$name" "HIT $(secs "$after") s after the promotion"$'\n'"$(grep -v '\[debug\]' "$dir/logs/nginx-c$i.error.log" | tail -5)"
    fi
done
echo "# Cluster failover: $summary"
for i in 1 2 3; do
    check "nginx-c$i quits gracefully, status 0" "" nginx_quit "nginx-c$i"
done

# --------------------------------------------- features being built
resolver="    resolver 127.0.0.1:$dns_port valid=1s;"
# redis_ssl CA: the client TLS directives towards the TLS Redis
redis_ssl() {
    cat <<EOF
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $dir/certs/$1;
    ticketing_redis_ssl_verify on;
    ticketing_redis_ssl_verify_depth 2;
    ticketing_redis_ssl_name redis.test;
    ticketing_redis_ssl_server_name on;
    ticketing_redis_ssl_certificate $dir/certs/client.crt;
    ticketing_redis_ssl_certificate_key $dir/certs/client.key;
    ticketing_redis_ssl_protocols TLSv1.2 TLSv1.3;
    ticketing_redis_ssl_ciphers HIGH:!aNULL;
EOF
}
# the feature groups' nginx log at debug: what must never be logged is
# looked for at the most verbose level
log_level=debug

# 9. TLS Redis: wrong CA, right CA ----------------------------------------
conf tls-wrong-ca "127.0.0.1:$f_port" "127.0.0.1:$tls_port" "$(redis_ssl wrong-ca.crt)"
if feature tls-wrong-ca "$f_port" 'ticketing_redis_ssl' \
        "TLS Redis, wrong CA: requests BYPASS" \
        "TLS Redis, wrong CA: the error log names the verification failure"; then
    bad=""
    for _ in 1 2 3; do
        read -r st cs <<<"$(creq "$f_port" "$tok_alice")"
        [ "$st $cs" = "200 BYPASS" ] || bad="$bad $st/$cs"
    done
    is "${bad:-none}" none "TLS Redis, wrong CA: requests BYPASS"
    # shellcheck disable=SC2317  # called through wait_until
    verify_logged() {
        grep -v '\[debug\]' "$dir/logs/tls-wrong-ca.error.log" \
            | grep -qiE 'certificate verify|verify (error|failed)|not verified|unable to get (local )?issuer'
    }
    check "TLS Redis, wrong CA: the error log names the verification failure" \
        "$(grep -i ssl "$dir/logs/tls-wrong-ca.error.log" | grep -v '\[debug\]' | tail -3)" \
        wait_until 5 "the verification failure in the log" verify_logged
    check "tls-wrong-ca: nginx quits gracefully, status 0" "" nginx_quit tls-wrong-ca
fi
conf tls-right-ca "127.0.0.1:$f_port" "127.0.0.1:$tls_port" "$(redis_ssl ca.crt)"
if feature tls-right-ca "$f_port" 'ticketing_redis_ssl' \
        "TLS Redis, right CA: MISS" "TLS Redis, right CA: then HIT"; then
    read -r st cs <<<"$(creq "$f_port" "$tok_carol" "$links")"
    is "$st $cs" "200 MISS" "TLS Redis, right CA: MISS"
    expect_cache "TLS Redis, right CA: then HIT" "$f_port" "$tok_carol" HIT 5 "$links"
    check "tls-right-ca: nginx quits gracefully, status 0" "" nginx_quit tls-right-ca
fi

# 10. ACL user over TLS, by host name --------------------------------------
acl_checks=("ACL user over TLS (redis.test): right password, HIT"
            "ACL user: Redis sees nginx's connection as user $acl_user"
            "ACL user over TLS (redis.test): wrong password, BYPASS"
            "ACL user: no password in any log")
acl_ran=0
conf acl-right "127.0.0.1:$f_port" \
    "redis.test:$tls_port username=$acl_user password=$acl_pass" \
    "$resolver"$'\n'"$(redis_ssl ca.crt)"
if feature acl-right "$f_port" 'ticketing_redis|username|resolv|host' \
        "${acl_checks[0]}" "${acl_checks[1]}"; then
    acl_ran=1
    expect_cache "${acl_checks[0]}" "$f_port" "$tok_bob" HIT 5 "$links"
    users=$(rcli "${tls_cli[@]}" client list | grep -o 'user=[^ ]*' | sort | uniq -c | xargs)
    check "${acl_checks[1]}" "$users" \
        grep -q "user=$acl_user" <<<"$users"
    check "acl-right: nginx quits gracefully, status 0" "" nginx_quit acl-right
fi
conf acl-wrong "127.0.0.1:$f_port" \
    "redis.test:$tls_port username=$acl_user password=$wrong_pass" \
    "$resolver"$'\n'"$(redis_ssl ca.crt)"
if feature acl-wrong "$f_port" 'ticketing_redis|username|resolv|host' \
        "${acl_checks[2]}"; then
    acl_ran=1
    bad=""
    for _ in 1 2 3; do
        read -r st cs <<<"$(creq "$f_port" "$tok_bob" "$links")"
        [ "$st $cs" = "200 BYPASS" ] || bad="$bad $st/$cs"
    done
    is "${bad:-none}" none "${acl_checks[2]}"
    check "acl-wrong: nginx quits gracefully, status 0" "" nginx_quit acl-wrong
fi
if [ "$acl_ran" = 1 ]; then
    leaked=$(grep -rlF -e "$acl_pass" -e "$wrong_pass" "$dir/logs" || true)
    check "${acl_checks[3]}" "in: $leaked" test -z "$leaked"
else
    skip "${acl_checks[3]}" "neither ACL configuration passes nginx -t"
fi

# 11. a host name that moves to another address ---------------------------
dns_checks=("host name: redis.test resolved (127.0.0.1), MISS then HIT"
            "host name: dnsmasq answers 127.0.0.2 for redis.test after SIGHUP"
            "host name: after the TTL and a reconnection, entries go to 127.0.0.2"
            "host name: HIT from the Redis at 127.0.0.2")
conf dns "127.0.0.1:$f_port" "redis.test:$pair_port" "$resolver"
if feature dns "$f_port" 'ticketing_redis|resolv|host' "${dns_checks[@]}"; then
    expect_cache "${dns_checks[0]}" "$f_port" "$tok_carol" HIT 5
    a=$(dbsize -h 127.0.0.1 -p "$pair_port"); b=$(dbsize -h 127.0.0.2 -p "$pair_port")
    echo "# host name: entries at 127.0.0.1: $a, at 127.0.0.2: $b"
    printf '127.0.0.2 redis.test\n127.0.0.1 idp.test\n' > "$dir/run/hosts.new"
    chmod 644 "$dir/run/hosts.new"
    mv "$dir/run/hosts.new" "$dir/run/hosts"
    kill -HUP "${pids[dnsmasq]}"
    # shellcheck disable=SC2317  # called through wait_until
    moved() { "${tool[@]}" dns "$dns_port" redis.test | grep -qx 127.0.0.2; }
    check "${dns_checks[1]}" "" wait_until 5 "dnsmasq to answer 127.0.0.2" moved
    # the old Redis stays up, emptied: an nginx that keeps its address
    # would keep storing there. Its connection is dropped (CLIENT KILL)
    # whenever it has one, until nginx connects to the new address.
    rcli -h 127.0.0.1 -p "$pair_port" flushall >/dev/null
    t0=$SECONDS; kills=0; followed=1
    while [ $((SECONDS - t0)) -lt 15 ]; do
        creq "$f_port" "$tok_carol" >/dev/null
        if [ "$(dbsize -h 127.0.0.2 -p "$pair_port")" -gt 0 ]; then followed=0; break; fi
        if [ "$(rcli -h 127.0.0.1 -p "$pair_port" client kill type normal)" -gt 0 ]; then
            kills=$((kills + 1))
        fi
        sleep 0.1
    done
    ok "$followed" "${dns_checks[2]} ($((SECONDS - t0)) s, $kills connections dropped)" \
        "entries at 127.0.0.1: $(dbsize -h 127.0.0.1 -p "$pair_port")"
    # a HIT while nothing is stored at 127.0.0.1 (emptied again) comes
    # from 127.0.0.2
    rcli -h 127.0.0.1 -p "$pair_port" flushall >/dev/null
    k=$(until_cache "$f_port" "$tok_carol" HIT 5) || k="none: $k"
    a=$(dbsize -h 127.0.0.1 -p "$pair_port")
    if [ "${k%%:*}" != none ] && [ "$a" = 0 ]; then
        ok 0 "${dns_checks[3]} ($k requests)"
    else
        ok 1 "${dns_checks[3]}" "HIT after: $k; entries stored at 127.0.0.1 meanwhile: $a"
    fi
    check "dns: nginx quits gracefully, status 0" "" nginx_quit dns
fi

# 12. JWKS over https from idp.test, with a rotation -----------------------
jwks_checks=("JWKS over https from idp.test: a token of the served set is accepted"
             "JWKS rotation: a token with the new kid is accepted on its first request"
             "JWKS: 1000 random kids in a burst: all 401, at most one fetch per refetch_interval")
conf jwks "127.0.0.1:$f_port" "127.0.0.1:$pair_port" \
    "$resolver"$'\n'"    ticketing_jwks_url https://idp.test:$idp_port/jwks.json refetch_interval=2s;
    ticketing_jwks_ssl_trusted_certificate $dir/certs/ca.crt;"
if feature jwks "$f_port" 'ticketing_jwks' "${jwks_checks[@]}"; then
    kid() { python3 t/tools/mint_jwt.py --alg RS256 --key "t/data/$1" --kid "$2"; }
    tok_2026=$(kid jwks-rsa.key rsa-2026)
    tok_2027=$(kid jwks-rsa2.key rsa-2027)
    # shellcheck disable=SC2317  # called through wait_until
    accepted() { read -r st _ <<<"$(creq "$f_port" "$1" "$links")"; [ "$st" = 200 ]; }
    check "${jwks_checks[0]}" "$(grep 'ticketing jwks' "$dir/logs/jwks.error.log" | tail -3)" \
        wait_until 15 "the first JWKS fetch" accepted "$tok_2026"
    cp t/data/jwks-rotated.json "$dir/run/idp/jwks.new"
    mv "$dir/run/idp/jwks.new" "$dir/run/idp/jwks.json"
    read -r st _ <<<"$(creq "$f_port" "$tok_2027" "$links")"
    is "$st" 200 "${jwks_checks[1]}"
    echo "# JWKS: $(grep -c 'GET /jwks.json' "$dir/logs/idp.log") fetches from idp.test (1 is the bed's own check)"
    before=$(grep -c 'GET /jwks.json' "$dir/logs/idp.log")
    "${tool[@]}" kidburst "http://127.0.0.1:$f_port$links" 1000 \
        > "$dir/logs/kidburst.txt"
    after=$(grep -c 'GET /jwks.json' "$dir/logs/idp.log")
    secs=$(awk '$1 == "seconds" { print $2 }' "$dir/logs/kidburst.txt")
    # at most one fetch per started 2 s (the rotation's refetch may still
    # hold the first interval), plus the periodic one
    allowed=$(awk -v s="$secs" 'BEGIN { print int(s / 2) + 2 }')
    n401=$(awk '$1 == 401 { print $2 }' "$dir/logs/kidburst.txt")
    echo "# JWKS burst: $(tr '\n' ' ' < "$dir/logs/kidburst.txt"); fetches $((after - before)) (allowed $allowed)"
    if [ "${n401:-0}" = 1000 ] && [ $((after - before)) -le "$allowed" ]; then
        ok 0 "${jwks_checks[2]}"
    else
        ok 1 "${jwks_checks[2]}" "answers: $(tr '\n' ' ' < "$dir/logs/kidburst.txt"); fetches $((after - before))"
    fi
    check "jwks: nginx quits gracefully, status 0" "" nginx_quit jwks
fi

# ------------------------------------------------------ logs and shutdown
for i in 1 2 3; do
    check "nginx-$i quits gracefully, status 0" "" nginx_quit "nginx-$i"
done

shopt -s nullglob
bad_log=""
for f in "$dir"/logs/*.error.log; do
    crit='\[(alert|crit|emerg)\]'
    # the wrong CA's verification failure may be logged at crit (as nginx
    # logs a failed SSL handshake)
    case $f in */tls-wrong-ca.error.log) crit='\[(alert|emerg)\]' ;; esac
    bad_log+=$(grep -HE "$crit|exited on signal|exited with code [1-9]" "$f" \
               | head -3 || true)$'\n'
done
bad_log=$(sed '/^$/d' <<<"$bad_log")
check "error logs: no alert/crit/emerg, no worker crash or failed exit" \
    "$bad_log" test -z "$bad_log"

reports=()
for f in "$dir"/san/*; do [ -s "$f" ] && reports+=("$f"); done
shopt -u nullglob
check "no sanitizer report" "${reports[*]:-}" test ${#reports[@]} -eq 0
for f in "${reports[@]}"; do head -40 "$f" | sed 's/^/#   /'; done

echo "1..$n"
log "$((n - failures - skipped)) passed, $failures failed, $skipped skipped;" \
    "run time $((SECONDS - started)) s (logs: $dir/logs)"
[ "$failures" -eq 0 ] || exit 1
