#!/usr/bin/env bash
# Demo keys, generated at first use (never committed):
#
#   scripts/demo-keys.sh DIR
#
# creates in DIR, unless already there: hs256.key (a random HMAC secret),
# rs256.key + rs256.pub (RSA 2048, PEM), es256.key + es256.pub (EC P-256,
# PEM). The gateway of `make demo` accepts tokens signed with any of them;
# scripts/token.sh (`make token`) signs with them. Also ed25519.key +
# ed25519.pub (Ed25519, PEM), for the EdDSA rows of `make bench`.
set -euo pipefail
LIB_TAG=demo-keys
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1
command -v openssl >/dev/null || die "openssl not found"
mkdir -p "$dir"
umask 077

if [ ! -s "$dir/hs256.key" ]; then
    # 48 random bytes as base64url text: the secret is the text itself
    openssl rand -base64 48 | tr -d '\n=' | tr '+/' '-_' > "$dir/hs256.key"
    echo >> "$dir/hs256.key"
    log "generated $dir/hs256.key"
fi
if [ ! -s "$dir/rs256.key" ] || [ ! -s "$dir/rs256.pub" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
        -out "$dir/rs256.key" 2>/dev/null
    openssl pkey -in "$dir/rs256.key" -pubout -out "$dir/rs256.pub"
    log "generated $dir/rs256.key, $dir/rs256.pub"
fi
if [ ! -s "$dir/es256.key" ] || [ ! -s "$dir/es256.pub" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$dir/es256.key"
    openssl pkey -in "$dir/es256.key" -pubout -out "$dir/es256.pub"
    log "generated $dir/es256.key, $dir/es256.pub"
fi
if [ ! -s "$dir/ed25519.key" ] || [ ! -s "$dir/ed25519.pub" ]; then
    openssl genpkey -algorithm ED25519 -out "$dir/ed25519.key"
    openssl pkey -in "$dir/ed25519.key" -pubout -out "$dir/ed25519.pub"
    log "generated $dir/ed25519.key, $dir/ed25519.pub"
fi
