#!/usr/bin/env bash
# Builds libnginx-mod-http-ticketing_<version>_<arch>.deb into build/deb/
# the way Debian builds its own nginx module packages (nginx_mod build
# system, dh_nginx). Works on a copy of the tracked sources, so nothing is
# written into the work tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
src=$out/libnginx-mod-http-ticketing

rm -rf "$out"
mkdir -p "$src"

# the tracked files only: no build output, no local leftovers
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$top" ls-files -z --cached --others --exclude-standard \
        | (cd "$top" && xargs -0 cp --parents -t "$src")
else
    cp -a "$top"/. "$src"/
    rm -rf "$src/build"
fi

(cd "$src" && dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1) || {
    tail -40 "$out/build.log" >&2
    echo "build-deb: failed (log: $out/build.log)" >&2
    exit 1
}

ls "$out"/*.deb
