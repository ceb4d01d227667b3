#!/usr/bin/env bash
# `make framing`: HTTP framing over raw sockets.  Whenever the gateway
# answers by itself while a request body is unread, partly read or
# malformed, the connection must close or the body be discarded whole, so
# that nothing a client hides in a body is parsed as a request and proxied.
#
#   tests/framing/run.sh NGINX_BINARY        (normally build/asan/nginx)
#
# Starts the mock Ticketing API, a redis-server and one nginx (the module,
# a gateway location with auth, validation and the cache, a purge location,
# the metrics endpoint) on free 127.0.0.1 ports, then runs
# tests/framing/framing.py, which sends each attack over a raw socket and
# asks the mock what reached it.  Fails on any sanitizer report too.
# Logs in build/framing/ (override: FRAMING_DIR).
set -euo pipefail
LIB_TAG=framing
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 NGINX_BINARY"
nginx=$(abspath "$1")
[ -x "$nginx" ] || die "$nginx is not an executable (run 'make nginx-asan')"
cd "$TOP"
for tool in python3 redis-server redis-cli curl; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

dir=$(abspath "${FRAMING_DIR:-$TOP/build/framing}")
rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/tmp" "$dir/san"
chmod 1777 "$dir/san"

# The two nginx core reports scripts/run-t.sh suppresses, and one more of
# nginx core that only pipelining reaches: on x86 nginx compares method
# names with unaligned 32-bit loads on purpose (NGX_HAVE_NONALIGNED in
# ngx_http_parse.c), and a pipelined request starts at any offset.
cat > "$dir/ubsan.supp" <<'EOF'
nonnull-attribute:ngx_pstrdup
nonnull-attribute:ngx_sprintf_str
alignment:ngx_http_parse_request_line
EOF
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$dir/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$dir/san/ubsan:suppressions=$dir/ubsan.supp"

nginx_pid=""; mock_pid=""; redis_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$nginx_pid" nginx 10
    stop_pid "$redis_pid" redis-server 5
    stop_pid "$mock_pid" "mock API" 5
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r gw_port mock_port redis_port <<<"$(free_ports 3 | xargs)"

python3 t/mock/ticketing_mock.py --host 127.0.0.1 --port "$mock_port" \
    --quiet > "$dir/logs/mock.log" 2>&1 &
mock_pid=$!
# shellcheck disable=SC2317  # called through wait_until
mock_ready() {
    pid_alive "$mock_pid" || return 2
    http_ok "http://127.0.0.1:$mock_port/__mock/health"
}
wait_until 15 "the mock API on port $mock_port" mock_ready \
    || die "the mock API did not start (log: $dir/logs/mock.log)"

redis-server --save '' --appendonly no --bind 127.0.0.1 \
    --port "$redis_port" --daemonize no --dir "$dir/tmp" \
    --logfile "$dir/logs/redis.log" &
redis_pid=$!
# shellcheck disable=SC2317
redis_ready() { pid_alive "$redis_pid" || return 2; redis_up "$redis_port"; }
wait_until 10 "redis-server on port $redis_port" redis_ready \
    || die "redis-server did not start"

cat > "$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log info;

events {
    worker_connections 256;
}

http {
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path       $dir/tmp/proxy;
    fastcgi_temp_path     $dir/tmp/fastcgi;
    uwsgi_temp_path       $dir/tmp/uwsgi;
    scgi_temp_path        $dir/tmp/scgi;

    access_log $dir/logs/access.log;

    # small limits, so that one chunk can be refused as too large
    client_max_body_size 4k;
    client_body_buffer_size 4k;
    client_body_timeout 5s;
    lingering_timeout 1s;

    ticketing_redis 127.0.0.1:$redis_port prefix=framing;
    ticketing_metrics_zone framing;

    upstream mock {
        server 127.0.0.1:$mock_port;
    }

    server {
        listen 127.0.0.1:$gw_port;
        ticketing_errors on;

        location /v2/ {
            ticketing_gateway on;
            ticketing_jwt_key_file pem $TOP/t/data/rs256.pub;
            ticketing_provider_default JAM;
            ticketing_cache on;
            proxy_pass http://mock;
        }

        location = /purge {
            ticketing_cache_purge;
            ticketing_jwt_key_file pem $TOP/t/data/rs256.pub;
        }

        location = /metrics {
            ticketing_metrics;
        }

        location /__mock/ {
            proxy_pass http://mock;
        }
    }
}
EOF

"$nginx" -p "$dir" -c "$dir/nginx.conf" &
nginx_pid=$!
# shellcheck disable=SC2317
nginx_ready() {
    pid_alive "$nginx_pid" || return 2
    http_ok "http://127.0.0.1:$gw_port/__mock/health"
}
wait_until 15 "nginx on port $gw_port" nginx_ready \
    || die "nginx did not start (log: $dir/logs/error.log)"

rc=0
python3 tests/framing/framing.py --port "$gw_port" --mock-port "$mock_port" \
    || rc=$?

pid_alive "$nginx_pid" || { log "FAIL: nginx exited"; rc=1; }

shopt -s nullglob
for f in "$dir"/san/*; do
    [ -s "$f" ] || continue
    log "sanitizer report in $f:"
    head -n 100 "$f" >&2
    rc=1
done
exit "$rc"
