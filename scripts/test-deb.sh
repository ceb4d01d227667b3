#!/usr/bin/env bash
# Proves the Debian package works the way users install it: builds the .deb,
# installs it with apt into this machine's nginx, checks that the module is
# enabled and its directives work in a real nginx, then removes the package
# again (also on failure). It changes the system's nginx packages while it
# runs: meant for CI machines and for developers who ask for it.
set -euo pipefail
LIB_TAG=test-deb
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "needs root: it installs the package with apt"

pkg=libnginx-mod-http-ticketing
out=$TOP/build/deb
work=$TOP/build/deb-test

"$TOP/scripts/build-deb.sh" "$out" >/dev/null
deb=$(ls "$out"/${pkg}_*.deb)

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'
then
    die "$pkg is already installed here: not touching it"
fi

nginx_pid=""
cleanup() {
    local rc=$?
    [ -n "$nginx_pid" ] && stop_pid "$nginx_pid" "nginx" 5
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$pkg" >/dev/null 2>&1 \
        || true
    exit "$rc"
}
trap cleanup EXIT

log "installing $deb"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null

snippet=/etc/nginx/modules-enabled/50-mod-http-ticketing.conf
[ -e "$snippet" ] || die "$snippet was not installed"
grep -q 'ngx_http_ticketing_module.so' "$snippet" \
    || die "$snippet does not load the module"

# a private nginx that loads the modules exactly as the system's nginx.conf
# does (include modules-enabled, relative to Debian's prefix /usr/share/nginx,
# where "modules" links to /usr/lib/nginx/modules), on a free port
rm -rf "$work" && mkdir -p "$work/logs"
port=$(free_ports 1)
cat > "$work/nginx.conf" <<CONF
include /etc/nginx/modules-enabled/*.conf;
pid $work/logs/nginx.pid;
error_log $work/logs/error.log info;
events { worker_connections 64; }
http {
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    access_log off;
    server {
        listen 127.0.0.1:$port;
        location /v2/ {
            ticketing_gateway on;
            ticketing_auth off;
            proxy_pass http://127.0.0.1:9;
        }
    }
}
CONF

/usr/sbin/nginx -t -q -p /usr/share/nginx/ -c "$work/nginx.conf" \
    || die "nginx -t refused the configuration with the packaged module"
/usr/sbin/nginx -p /usr/share/nginx/ -c "$work/nginx.conf"
wait_until 5 "nginx on port $port" test -s "$work/logs/nginx.pid" \
    || die "nginx did not start"
nginx_pid=$(read_pidfile "$work/logs/nginx.pid")

body=$(curl -s --max-time 5 "http://127.0.0.1:$port/v2/no/such/operation")
case "$body" in
    '{"code":"0004","status":"NOT_FOUND"'*) ;;
    *) die "unexpected answer from the packaged module: $body" ;;
esac

log "ok: $(basename "$deb") installs, loads and answers; removing it"
