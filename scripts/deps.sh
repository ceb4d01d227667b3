#!/usr/bin/env bash
# Installs every Debian package the build, tests, demo and benchmarks need.
# Idempotent: packages already present are not touched, apt is only
# consulted when something is missing.
set -euo pipefail

packages=(
    build-essential dpkg-dev pkg-config debhelper
    nginx-core nginx-dev
    libjansson-dev libhiredis-dev libssl-dev libpcre2-dev zlib1g-dev
    # libjwt is not the module's: only the JWT differential tests and the
    # fuzzer link it, as a second implementation (tests/libjwt_oracle.h)
    libjwt-dev
    redis-server redis-tools
    # make topology: Sentinel, and dnsmasq as a local DNS run in the
    # foreground on a free port. dnsmasq-base is the program alone:
    # Debian's "dnsmasq" package adds a system service that would answer
    # DNS on port 53 and may register itself as the system's resolver.
    redis-sentinel dnsmasq-base
    curl wrk openssl
    # Perl modules of t/'s runners outside perl core: ours (t/lib) and the
    # real Test::Nginx (TEST_NGINX_LIB, not packaged: `make test` runs t/
    # under it too when it is there). Test::Nginx::Socket/Util load
    # Test::Base (with Spiffy), Test::LongString, List::MoreUtils,
    # HTTP::Response (HTTP::Message, URI) and JSON::PP; Text::Diff shows
    # differences, IPC::Run runs its --- http2/--- curl blocks, LWP its
    # Test::Nginx::LWP.
    libtest-base-perl libtext-diff-perl libtest-longstring-perl
    liblist-moreutils-perl libwww-perl libhttp-message-perl liburi-perl
    libjson-pp-perl libipc-run-perl
    libcmocka-dev
    python3 python3-jwt python3-cryptography libcrypt-jwt-perl
    clang libclang-rt-14-dev
    valgrind
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# policy-rc.d keeps the packaged nginx and redis services from starting:
# tests and the demo run their own instances on their own ports.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's redis-sentinel service listens on port 26379 of every interface
# without a password (its sentinel.conf) and would start at the next boot:
# the tests run their own sentinels on free loopback ports, so a sentinel
# installed here is disabled (one installed before is left as it was).
if [[ " ${missing[*]} " == *" redis-sentinel "* ]]; then
    if command -v systemctl >/dev/null 2>&1; then
        $sudo systemctl disable --now --quiet redis-sentinel.service \
            >/dev/null 2>&1 || true
    elif command -v update-rc.d >/dev/null 2>&1; then
        $sudo update-rc.d redis-sentinel disable >/dev/null 2>&1 || true
    fi
fi
