#!/usr/bin/env bash
# Runs the t/ suite (the Test::Nginx-format data-driven tests) against an
# nginx binary, with the services the tests talk to:
#
#   scripts/run-t.sh NGINX_BINARY [prove args or test files...]
#
#   scripts/run-t.sh build/asan/nginx                 # every t/*.t
#   scripts/run-t.sh build/asan/nginx -v t/route.t    # one file, verbose
#   TEST_NGINX_LIB=../shared/tools/test-nginx/lib \
#       scripts/run-t.sh build/asan/nginx              # the real Test::Nginx
#
# With TEST_NGINX_LIB set to the lib/ directory of openresty/test-nginx,
# the .t files run under the real Test::Nginx (prove -I TEST_NGINX_LIB,
# without t/lib) instead of the project's own runner in t/lib, and the
# default file list leaves out t/selftest/ (the self-tests of our runner).
#
# It starts on free ports of 127.0.0.1 a private redis-server, a TLS-only
# redis-server with an ACL user (TEST_NGINX_REDIS_TLS_PORT, user "gateway",
# password TEST_NGINX_REDIS_TLS_PASSWORD, certificates from certs/), a DNS
# responder for host names (TEST_NGINX_DNS_PORT, zone file
# TEST_NGINX_DNS_ZONE: redis.test and localhost.test are 127.0.0.1) and the
# mock Ticketing API, exports the TEST_NGINX_* variables the runner in t/lib
# reads, runs prove, stops the services (also on Ctrl-C or a failure), then
# fails the run if ASan/UBSan reported anything.
#
# Everything lands in build/t/ (override: TICKETING_T_DIR):
#   servroot/      nginx prefix of the test being run (TEST_NGINX_SERVROOT)
#   certs/         the mTLS tests' CA, server and client certificates, made
#                  by t/tools/make_certs.sh, and t/keys.t's RSA keys with the
#                  ROCA fingerprint, made by t/tools/make_roca.py
#                  (TEST_NGINX_CERTS)
#   sanitizers/    ASan/UBSan reports, one file per reporting process
#   redis.log, redis-tls.log, dns.zone, mock.log, *.pid
set -euo pipefail
LIB_TAG=run-t
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 NGINX_BINARY [prove args...]"
nginx=$(abspath "$1"); shift
[ -x "$nginx" ] || die "$nginx is not an executable (run 'make nginx-asan')"
for tool in prove redis-server redis-cli python3 curl openssl; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

real_lib=${TEST_NGINX_LIB:+$(abspath "$TEST_NGINX_LIB")}

cd "$TOP"                       # the tests use paths relative to the repo

# The runner: the real Test::Nginx when TEST_NGINX_LIB names its lib/,
# else ours (t/lib).
if [ -n "$real_lib" ]; then
    [ -f "$real_lib/Test/Nginx/Socket.pm" ] \
        || die "TEST_NGINX_LIB=$real_lib has no Test/Nginx/Socket.pm"
    perl -I"$real_lib" -e 'require Test::Nginx::Socket' \
        || die "Test::Nginx in $real_lib does not load: run 'make deps'"
    runner_inc=(-I "$real_lib")
    runner_name="Test::Nginx ($real_lib)"
else
    runner_inc=(-I t/lib)
    runner_name="t/lib (the project's own runner)"
fi
mock=t/mock/ticketing_mock.py
[ -f "$mock" ] || die "$mock not found"

rundir=$(abspath "${TICKETING_T_DIR:-$TOP/build/t}")
san=$rundir/sanitizers
servroot=$rundir/servroot
mkdir -p "$rundir"
rm -rf "$san" && mkdir -p "$san"   # reports of this run only
# Test::Nginx removes what it knows of a server root and then the directory
# itself, and bails out if anything else is left (our runner's failed/)
rm -rf "$servroot"
# a test with master_process on run as root has its workers run as nobody:
# they must be able to write their reports here too
chmod 1777 "$san"

# The X.509 certificates are made here at test time, never committed: a new
# set when they are missing or about to expire (t/tools/make_certs.sh).
# So are the RSA public keys with the ROCA fingerprint that t/keys.t must
# see refused (t/tools/make_roca.py; kept while its script is unchanged).
certs=$rundir/certs
t/tools/make_certs.sh "$certs"
python3 t/tools/make_roca.py "$certs" || die "t/tools/make_roca.py failed"

# Test files: the ones named on the command line, else every t/*.t and the
# runner's own self-tests. Not `prove -r t`: that would also pick up t/mock/.
prove_args=()
named_tests=no
for a in "$@"; do
    prove_args+=("$a")
    if [ -e "$a" ]; then named_tests=yes; fi
done
if [ "$named_tests" = no ]; then
    shopt -s nullglob
    if [ -n "$real_lib" ]; then
        tests=(t/*.t)
    else
        tests=(t/*.t t/selftest/*.t)
    fi
    shopt -u nullglob
    [ ${#tests[@]} -gt 0 ] || die "no t/*.t test files found"
    prove_args+=("${tests[@]}")
fi

# ------------------------------------------------------------- services
redis_pid=""
redis_tls_pid=""
dns_pid=""
mock_pid=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # A test interrupted by Ctrl-C may leave its nginx running (the runner
    # starts it as a daemon): stop it, but only if it is our binary.
    local npid
    npid=$(read_pidfile "$servroot/logs/nginx.pid")
    if [ -n "$npid" ] && pid_alive "$npid" \
       && [ "$(readlink -f "/proc/$npid/exe" 2>/dev/null)" = "$(readlink -f "$nginx")" ]; then
        stop_pid "$npid" "test nginx" 5
    fi
    stop_pid "$mock_pid" "mock API" 5
    stop_pid "$dns_pid" "DNS responder" 5
    # redis daemonized itself: its pid is only known from the pidfile.
    [ -n "$redis_pid" ] || redis_pid=$(read_pidfile "$rundir/redis.pid")
    stop_pid "$redis_pid" "redis-server" 5
    [ -n "$redis_tls_pid" ] \
        || redis_tls_pid=$(read_pidfile "$rundir/redis-tls.pid")
    stop_pid "$redis_tls_pid" "TLS redis-server" 5
    rm -f "$rundir/redis.pid" "$rundir/redis-tls.pid" "$rundir/mock.pid"
    exit "$rc"
}
trap cleanup EXIT
# Ctrl-C reaches prove too (same process group); once it returns, exit
# through cleanup with the conventional status.
trap 'exit 130' INT
trap 'exit 143' TERM

read -r server_port redis_port upstream_port redis_tls_port dns_port \
    <<<"$(free_ports 5 | xargs)"

rm -f "$rundir/redis.pid"
redis-server --save '' --appendonly no --bind 127.0.0.1 --port "$redis_port" \
    --daemonize yes --pidfile "$rundir/redis.pid" \
    --dir "$rundir" --logfile "$rundir/redis.log" \
    || die "redis-server did not start (log: $rundir/redis.log)"
wait_until 10 "redis-server on port $redis_port" redis_up "$redis_port" \
    || die "redis-server not answering (log: $rundir/redis.log)"
redis_pid=$(read_pidfile "$rundir/redis.pid")

# TLS only (no plain port), clients verified when they present a
# certificate, and an ACL user instead of the default one. The password is
# made per run, so a log that shows it is caught by the tests.
redis_tls_password=$(openssl rand -hex 12)
rm -f "$rundir/redis-tls.pid"
printf '%s\n' "user default off" \
    "user gateway on >$redis_tls_password ~* &* +@all" \
    > "$rundir/redis-tls.conf"
redis-server "$rundir/redis-tls.conf" \
    --save '' --appendonly no --bind 127.0.0.1 --port 0 \
    --tls-port "$redis_tls_port" --tls-cert-file "$certs/server.crt" \
    --tls-key-file "$certs/server.key" --tls-ca-cert-file "$certs/ca.crt" \
    --tls-auth-clients optional \
    --daemonize yes --pidfile "$rundir/redis-tls.pid" \
    --dir "$rundir" --logfile "$rundir/redis-tls.log" \
    || die "TLS redis-server did not start (log: $rundir/redis-tls.log)"
redis_tls_up() {
    [ "$(redis-cli --tls --cacert "$certs/ca.crt" -h 127.0.0.1 \
         -p "$redis_tls_port" --user gateway --pass "$redis_tls_password" \
         --no-auth-warning ping 2>/dev/null)" = PONG ]
}
wait_until 10 "TLS redis-server on port $redis_tls_port" redis_tls_up \
    || die "TLS redis-server not answering (log: $rundir/redis-tls.log)"
redis_tls_pid=$(read_pidfile "$rundir/redis-tls.pid")

printf '%s\n' "redis.test 127.0.0.1 1" "localhost.test 127.0.0.1 1" \
    > "$rundir/dns.zone"
rm -f "$rundir/dns.zone.log"
python3 t/tools/dns_responder.py --port "$dns_port" \
    --zone "$rundir/dns.zone" > "$rundir/dns.log" 2>&1 &
dns_pid=$!
dns_up() {
    pid_alive "$dns_pid" || return 2
    [ -s "$rundir/dns.zone.log" ] && return 0
    python3 - "$dns_port" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
q = bytes.fromhex("abcd01000001000000000000") + b"\x04ping\x04test\x00\x00\x01\x00\x01"
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
s.recvfrom(512)
PY
}
wait_until 10 "the DNS responder on port $dns_port" dns_up \
    || die "the DNS responder did not start (log: $rundir/dns.log)"

python3 "$mock" --host 127.0.0.1 --port "$upstream_port" \
    --pidfile "$rundir/mock.pid" --quiet > "$rundir/mock.log" 2>&1 &
mock_pid=$!
mock_ready() {
    pid_alive "$mock_pid" || return 2      # died: no point in waiting on
    http_ok "http://127.0.0.1:$upstream_port/__mock/health"
}
if ! wait_until 15 "the mock API on port $upstream_port" mock_ready \
   || ! pid_alive "$mock_pid"; then
    cat "$rundir/mock.log" >&2
    die "the mock API did not become ready (log: $rundir/mock.log)"
fi

# ------------------------------------------------------------ sanitizers
# detect_leaks=0: the tests run nginx with master_process off, where nginx's
# own allocations (never freed before exit) would be reported as leaks.
# The build links the sanitizer runtimes statically so that both ASan and
# UBSan reports go to log_path (see scripts/build-nginx-asan.sh); with gcc
# the path UBSan sets wins for both, so reports of either kind may be in
# ubsan.PID files: every file in $san is scanned below.
#
# nginx 1.22's core triggers two UBSan reports of its own: memcpy with a NULL
# source and length 0 in ngx_pstrdup and ngx_sprintf_str. gcc's libubsan
# honours suppressions by function name (checked: the reports disappear,
# others stay), so exactly those two are suppressed, nothing else.
cat > "$rundir/ubsan.supp" <<'EOF'
# nginx 1.22 core: "null pointer passed as argument 2" (memcpy(d, NULL, 0))
nonnull-attribute:ngx_pstrdup
nonnull-attribute:ngx_sprintf_str
EOF
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$san/ubsan:suppressions=$rundir/ubsan.supp"

# ------------------------------------------------------------------ prove
export TEST_NGINX_BINARY="$nginx"
export TEST_NGINX_SERVER_PORT="$server_port"
export TEST_NGINX_REDIS_PORT="$redis_port"
export TEST_NGINX_REDIS_TLS_PORT="$redis_tls_port"
export TEST_NGINX_REDIS_TLS_PASSWORD="$redis_tls_password"
export TEST_NGINX_DNS_PORT="$dns_port"
export TEST_NGINX_DNS_ZONE="$rundir/dns.zone"
export TEST_NGINX_UPSTREAM_PORT="$upstream_port"
export TEST_NGINX_SERVROOT="$servroot"
export TEST_NGINX_CERTS="$certs"
# Where sanitizer reports land (one file per process), should the runner
# want to attribute them to a test block.
export TEST_NGINX_SANITIZER_DIR="$san"

log "runner: $runner_name"
log "nginx $nginx"
log "ports: redis TLS $redis_tls_port, DNS $dns_port (pid $dns_pid)"
log "ports: nginx $server_port, redis $redis_port (pid $redis_pid)," \
    "mock API $upstream_port (pid $mock_pid); servroot $servroot"

prove_rc=0
prove "${runner_inc[@]}" "${prove_args[@]}" || prove_rc=$?

# Any report at all fails the run: the two known ones are suppressed above.
san_rc=0
shopt -s nullglob
reports=("$san"/*)
shopt -u nullglob
for f in "${reports[@]}"; do
    [ -s "$f" ] || continue
    san_rc=1
    log "sanitizer report in $f:"
    head -n 200 "$f" >&2
done
if [ "$san_rc" -ne 0 ]; then
    log "FAIL: ${#reports[@]} sanitizer report file(s) in $san"
fi

if [ "$prove_rc" -ne 0 ]; then
    exit "$prove_rc"
fi
exit "$san_rc"
