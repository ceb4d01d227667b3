#!/usr/bin/env bash
# Builds build/ngx_http_ticketing_module.so against Debian's nginx-dev with
# Debian's own configure flags (conf_flags), so /usr/sbin/nginx accepts it
# with load_module (--with-compat is part of those flags).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
objs=$build/module-objs
src=/usr/share/nginx/src

if [ ! -x "$src/configure" ]; then
    echo "build-module: $src/configure not found: run 'make deps' (nginx-dev)" >&2
    exit 1
fi

# Reconfigure only when the module's config script changed: configure takes
# ~10 s, make of the module alone takes ~1 s.
if [ ! -f "$objs/Makefile" ] || [ "$top/config" -nt "$objs/Makefile" ]; then
    (
        cd "$src"
        # shellcheck disable=SC1091
        . ./conf_flags
        ./configure \
            --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC $(dpkg-buildflags --get CPPFLAGS)" \
            --with-ld-opt="$(dpkg-buildflags --get LDFLAGS) -fPIC" \
            "${NGX_CONF_FLAGS[@]}" \
            --add-dynamic-module="$top" \
            --builddir="$objs" > "$build/module-configure.log" 2>&1 \
        || { tail -30 "$build/module-configure.log" >&2; exit 1; }
    )
fi

make -s -f "$objs/Makefile" -C "$src" modules
# replace, never overwrite in place: a running nginx maps the old file
cp "$objs/ngx_http_ticketing_module.so" "$build/.ngx_http_ticketing_module.so.tmp"
mv -f "$build/.ngx_http_ticketing_module.so.tmp" "$build/ngx_http_ticketing_module.so"
echo "build-module: $build/ngx_http_ticketing_module.so"
