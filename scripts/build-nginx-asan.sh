#!/usr/bin/env bash
# Builds BUILD_DIR/asan/nginx: a whole nginx with ASan + UBSan and the
# ticketing module linked in statically, for the t/ test suite.
#
#   scripts/build-nginx-asan.sh BUILD_DIR
#
# nginx-dev ships no .c files, so the source comes from Debian's nginx source
# package (the same version as /usr/sbin/nginx, with Debian's patches). It is
# downloaded once into BUILD_DIR/src through a private apt configuration
# (/etc/apt is never touched) and reused on every later run.
#
# Env: TICKETING_MODULE_DIR  module to add (default: the repository root,
#                            where the module's nginx `config` script is).
#
# Layout:
#   BUILD_DIR/src/           apt state, downloaded and extracted source
#   BUILD_DIR/asan/tree/     copy of the source tree, configured and built here
#                            (configure writes objs/ and Makefile into its cwd)
#   BUILD_DIR/asan/nginx     the result
#   BUILD_DIR/asan/prefix/   compiled-in prefix; tests override it with -p
set -euo pipefail
LIB_TAG="build-nginx-asan"
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 BUILD_DIR"
mkdir -p "$1"
build=$(cd "$1" && pwd)
module_dir=$(cd "${TICKETING_MODULE_DIR:-$TOP}" && pwd)
[ -f "$module_dir/config" ] || die "no nginx module config script in $module_dir"

src=$build/src
asan=$build/asan
tree=$asan/tree
mkdir -p "$src" "$asan"

# Two builds at once (make -j, two terminals) would trample each other's
# tree: serialize on a lock, with a bounded wait.
exec 9>"$asan/.lock"
flock -w 900 9 || die "another build holds $asan/.lock for more than 15 min"

# ---------------------------------------------------------------- source
# BUILD_DIR/src/nginx.dir names the extracted tree once it is complete, so an
# interrupted download is retried instead of being used half-done.
fetch_source() {
    local aptdir=$src/apt v
    mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" \
             "$aptdir/parts"
    # The system's own sources, as deb-src: same mirrors, same snapshot.
    sed 's/^Types:.*deb\b.*$/Types: deb-src/' \
        /etc/apt/sources.list.d/debian.sources > "$aptdir/parts/src.sources"
    local aptopts=(
        -o Dir::Etc::SourceList=/dev/null
        -o "Dir::Etc::SourceParts=$aptdir/parts"
        -o "Dir::State::Lists=$aptdir/lists"
        -o "Dir::Cache=$aptdir/cache"
        -o APT::Sandbox::User=root   # the _apt user may not reach $src
    )
    log "fetching Debian's nginx source package (once; cached in $src)"
    apt-get "${aptopts[@]}" update -qq || die "apt-get update (deb-src) failed"

    # Newest version first; the newest one's files are sometimes missing
    # from the mirror, so fall back to older ones.
    local versions
    versions=$(apt-cache "${aptopts[@]}" showsrc nginx \
               | awk '/^Version:/ {print $2}' | sort -ruV)
    [ -n "$versions" ] || die "no nginx source package in the deb-src index"
    (
        cd "$src"
        for v in $versions; do
            rm -rf "$src"/nginx-*/          # leftovers of a failed attempt
            log "trying nginx source $v"
            if apt-get "${aptopts[@]}" source -qq "nginx=$v" >/dev/null; then
                exit 0
            fi
            log "nginx source $v unavailable, trying an older one"
        done
        exit 1
    ) || die "could not download any nginx source version ($versions)"

    local dir
    dir=$(find "$src" -maxdepth 1 -type d -name 'nginx-*' | sort -V | tail -1)
    [ -n "$dir" ] && [ -x "$dir/configure" ] \
        || die "nginx source extracted, but no configure script found in $src"
    basename "$dir" > "$src/nginx.dir"
}

srcdir=""
if [ -s "$src/nginx.dir" ]; then
    srcdir=$src/$(cat "$src/nginx.dir")
fi
if [ -z "$srcdir" ] || [ ! -x "$srcdir/configure" ]; then
    fetch_source
    srcdir=$src/$(cat "$src/nginx.dir")
fi

# ------------------------------------------------------------- configure
configure_args=(
    --prefix="$asan/prefix"
    --with-debug
    --with-http_ssl_module
    --with-http_realip_module
    --with-http_auth_request_module
    --with-http_stub_status_module
    --with-http_v2_module
    --add-module="$module_dir"
    # NGX_DEBUG_PALLOC: every pool allocation is a malloc() of its own, so
    # ASan knows its bounds; without it a write past an allocation lands
    # in the same pool block, unseen (t/headers.t TEST 12 needs it).
    --with-cc-opt='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -DNGX_DEBUG_PALLOC=1'
    # The sanitizer runtimes are linked statically on purpose: with gcc's
    # shared libasan + libubsan, UBSan ignores log_path (its reports always
    # go to stderr, i.e. into a per-test error.log, or are lost before
    # nginx redirects stderr), because the two .so files keep separate
    # report files. Linked statically they share one, and every report
    # lands in the files scripts/run-t.sh scans.
    --with-ld-opt='-fsanitize=address,undefined -static-libasan -static-libubsan'
)

# Reconfigure only when something configure depends on changed: the module's
# config script (it lists the module's sources and libraries), the arguments,
# or the source tree. Anything else is a plain `make`, about a second.
stamp=$(
    {
        printf '%s\n' "$srcdir" "${configure_args[@]}"
        cat "$module_dir/config"
    } | sha256sum | cut -d' ' -f1
)

if [ ! -f "$tree/objs/Makefile" ] || [ ! -f "$asan/configure.stamp" ] \
   || [ "$(cat "$asan/configure.stamp")" != "$stamp" ]; then
    # A fresh copy when the source changed; otherwise keep the tree (and its
    # objects: make rebuilds what the new configuration touches).
    if [ ! -f "$asan/tree.src" ] || [ "$(cat "$asan/tree.src")" != "$srcdir" ]; then
        rm -rf "$tree"
        cp -a "$srcdir" "$tree"
        printf '%s\n' "$srcdir" > "$asan/tree.src"
    fi
    rm -f "$asan/configure.stamp"
    mkdir -p "$asan/prefix/logs" "$asan/prefix/conf"
    log "configuring (log: $asan/configure.log)"
    # configure compiles and runs small test programs with the sanitizer
    # flags; leak reports from them must not make a feature test fail.
    if ! (cd "$tree" && ASAN_OPTIONS=detect_leaks=0 \
            ./configure "${configure_args[@]}") > "$asan/configure.log" 2>&1; then
        tail -30 "$asan/configure.log" >&2
        die "configure failed (full log: $asan/configure.log)"
    fi
    printf '%s\n' "$stamp" > "$asan/configure.stamp"
fi

# ------------------------------------------------------------------ make
log "make -j2 in $tree"
if ! make -s -j2 -C "$tree" > "$asan/make.log" 2>&1; then
    grep -E 'error|Error' "$asan/make.log" | head -40 >&2 || true
    tail -20 "$asan/make.log" >&2
    die "make failed (full log: $asan/make.log)"
fi
# Warnings of a successful build still deserve to be seen (nginx builds with
# -Werror, so these come from the linker or sanitizer runtime).
grep -i 'warning' "$asan/make.log" >&2 || true

# cp (not ln) so the result's mtime is always newer than what make compared
# it with, even when nothing had to be recompiled.
cp -f "$tree/objs/nginx" "$asan/nginx.tmp"
mv -f "$asan/nginx.tmp" "$asan/nginx"
log "$asan/nginx ($(ASAN_OPTIONS=detect_leaks=0 "$asan/nginx" -v 2>&1 | sed 's/.*: //'))"
