#!/usr/bin/env bash
# `make reload`: configuration changes take effect on `nginx -s reload`.
#
#   tests/reload/run.sh NGINX_BINARY        (normally build/asan/nginx)
#
# One nginx (master + 1 worker, as in production) with the module, in front
# of the mock Ticketing API, on free 127.0.0.1 ports. The configuration is
# rewritten and reloaded three times:
#
#   1. key A, organization yoigo: a token signed with A is accepted, one
#      signed with B is not (401), organization masmovil is unknown (404);
#   2. + key B, + organization masmovil: after the reload both tokens and
#      both organizations are accepted (new keys and organizations);
#   3. - key A (rotation done): A's tokens are refused again;
#   4. a broken configuration (a key file that does not exist): the reload
#      is refused with [emerg] naming the directive, and the running
#      configuration keeps answering as before.
#
# Throughout: no [alert]/[crit], no worker exiting on a signal or with a
# non-zero code, no ASan/UBSan report. Reloading under load (no request
# lost) is `make faults`' job (tests/faults/run.sh). Every wait is bounded;
# everything started is stopped on exit. Output: "ok N - ..." lines; exit
# status 1 if any check failed. Logs in build/reload/ (override: RELOAD_DIR).
set -euo pipefail
LIB_TAG=reload
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 NGINX_BINARY"
nginx=$(abspath "$1")
[ -x "$nginx" ] || die "$nginx is not an executable (run 'make nginx-asan')"
cd "$TOP"
for tool in curl python3 openssl; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

dir=$(abspath "${RELOAD_DIR:-$TOP/build/reload}")
rm -rf "$dir" && mkdir -p "$dir/logs" "$dir/tmp" "$dir/san" "$dir/keys"
chmod 1777 "$dir/san" "$dir/tmp"

cat > "$dir/ubsan.supp" <<'EOF'
nonnull-attribute:ngx_pstrdup
nonnull-attribute:ngx_sprintf_str
EOF
# leaks are the t/ suite's and make faults' job: not checked here
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$dir/san/asan"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$dir/san/ubsan:suppressions=$dir/ubsan.supp"

mock_pid=""
nginx_pid=""
cleanup() {
    stop_pid "$nginx_pid" nginx
    stop_pid "$mock_pid" mock
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{ read -r gw_port; read -r mock_port; } < <(free_ports 2)

python3 t/mock/ticketing_mock.py --host 127.0.0.1 --port "$mock_port" \
    --pidfile "$dir/mock.pid" --quiet 2> "$dir/logs/mock.log" &
mock_pid=$!
wait_until 10 "the mock API" test -s "$dir/mock.pid" || die "the mock did not start"

# two signing keys: A (t/data/rs256) and B (t/data/rs256-other)
cp t/data/rs256.pub "$dir/keys/a.pub"
openssl pkey -in t/data/rs256-other.key -pubout -out "$dir/keys/b.pub" 2>/dev/null
tok_a=$(python3 t/tools/mint_jwt.py --key t/data/rs256.key --alg RS256)
tok_b=$(python3 t/tools/mint_jwt.py --key t/data/rs256-other.key --alg RS256)

# write_conf "KEY_FILE_LINES" "ORG_LINES"
write_conf() {
    cat > "$dir/nginx.conf" <<EOF
master_process on;
daemon on;
worker_processes 1;
pid $dir/logs/nginx.pid;
error_log $dir/logs/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;

    upstream ticketing_api { server 127.0.0.1:$mock_port; }
$2

    server {
        listen 127.0.0.1:$gw_port;
        location /v2/ {
            ticketing_gateway on;
$1
            proxy_pass http://\$ticketing_upstream;
        }
    }
}
EOF
}

# status TOKEN ORG: the status of a ticket.get for ORG with TOKEN
status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
         -H "Authorization: Bearer $1" -H 'ticketing-provider: JAM' \
         "http://127.0.0.1:$gw_port/v2/orgs/$2/ticket/INST-7902" || true
}

n=0
failed=0
check() {   # check DESCRIPTION EXPECTED ACTUAL
    n=$((n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1 (expected $2, got $3)"
        failed=1
    fi
}

# old_workers_gone PIDS...: true when none of PIDS is alive any more
old_workers_gone() {
    local p
    for p in "$@"; do
        if pid_alive "$p"; then return 1; fi
    done
    return 0
}

# reload_and_wait: reload (SIGHUP to the master), then wait until the old
# worker has exited: until then it may still accept connections with the
# old configuration
reload_and_wait() {
    local old
    old=$(pgrep -P "$nginx_pid" || true)
    kill -HUP "$nginx_pid"
    # shellcheck disable=SC2086
    wait_until 10 "the old worker to exit" old_workers_gone $old
}

key_a="            ticketing_jwt_key_file pem $dir/keys/a.pub;"
key_b="            ticketing_jwt_key_file pem $dir/keys/b.pub;"
org_y="    ticketing_org yoigo upstream=ticketing_api;"
org_m="    ticketing_org masmovil upstream=ticketing_api;"

# 1. key A, yoigo
write_conf "$key_a" "$org_y"
"$nginx" -p "$dir" -c "$dir/nginx.conf" 2>> "$dir/logs/signal.log" \
    || die "nginx did not start (see $dir/logs/error.log)"
wait_until 10 "nginx" test -s "$dir/logs/nginx.pid" || die "no pid file"
nginx_pid=$(read_pidfile "$dir/logs/nginx.pid")
wait_until 10 "nginx answering" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$gw_port/v2/x)\" = 404 ]" \
    || die "nginx does not answer"

check "before: key A accepted"                200 "$(status "$tok_a" yoigo)"
check "before: key B refused"                 401 "$(status "$tok_b" yoigo)"
check "before: masmovil is not declared"      404 "$(status "$tok_a" masmovil)"

# 2. + key B, + masmovil
write_conf "$key_a
$key_b" "$org_y
$org_m"
reload_and_wait || true
check "reload 1: new key B accepted"          200 "$(status "$tok_b" yoigo)"
check "reload 1: key A still accepted"        200 "$(status "$tok_a" yoigo)"
check "reload 1: new organization masmovil"   200 "$(status "$tok_b" masmovil)"

# 3. - key A
write_conf "$key_b" "$org_y
$org_m"
reload_and_wait || true
check "reload 2: retired key A refused"       401 "$(status "$tok_a" yoigo)"
check "reload 2: key B accepted"              200 "$(status "$tok_b" masmovil)"

# 4. a broken configuration is refused; the running one stays
write_conf "            ticketing_jwt_key_file pem $dir/keys/missing.pub;" "$org_y"
# (nginx -s reload would read the broken file itself and stop there: the
# master must be the one to refuse it)
kill -HUP "$nginx_pid"
wait_until 10 "the refused reload in the log" \
    grep -q 'missing.pub" failed in "ticketing_jwt_key_file" directive' "$dir/logs/error.log" \
    || true
check "reload 3: refused, naming the directive" yes \
    "$(grep -q 'emerg.*missing.pub" failed in "ticketing_jwt_key_file" directive' "$dir/logs/error.log" && echo yes || echo no)"
check "reload 3: the running configuration answers" 200 "$(status "$tok_b" masmovil)"
check "reload 3: nginx master still the same"  "$nginx_pid" "$(read_pidfile "$dir/logs/nginx.pid")"

# stop gracefully, then look at the logs
kill -QUIT "$nginx_pid"
if wait_until 10 "nginx to exit" old_workers_gone "$nginx_pid"; then
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
fi

check "no [alert] or [crit] in the error log" 0 \
    "$(grep -c '\[alert\]\|\[crit\]' "$dir/logs/error.log" || true)"
check "no worker exited on a signal or with an error" 0 \
    "$(grep -c 'exited on signal\|exited with code [1-9]' "$dir/logs/error.log" || true)"
check "no sanitizer report" 0 "$(find "$dir/san" -type f | wc -l)"
check "nginx exited on QUIT" "" "$nginx_pid"

echo "1..$n"
[ "$failed" -eq 0 ] || { log "FAILED (logs in $dir)"; exit 1; }
log "all $n checks passed"
