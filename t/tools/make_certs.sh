#!/usr/bin/env bash
# The X.509 certificates of the mTLS tests, made with openssl at test time
# (never committed):
#
#   t/tools/make_certs.sh DIR
#
# creates in DIR (EC P-256 keys, PKCS#8 PEM; ECDSA-SHA256 signatures):
#
#   ca.crt, ca.key              CN=ticketing test CA (self-signed, CA:TRUE)
#   server.crt, server.key      CN=localhost, subjectAltName DNS:localhost and
#                               IP:127.0.0.1, signed by the test CA
#   client.crt, client.key      O=Acme, CN=billing-service, signed by the CA
#   client2.crt, client2.key    O=Acme, CN=reporting-service, signed by the CA
#   rogue-ca.crt, rogue-ca.key  CN=rogue CA (self-signed, CA:TRUE)
#   rogue.crt, rogue.key        O=Acme, CN=billing-service (the same subject as
#                               client.crt), signed by the rogue CA
#
# The t/ files name them as $TEST_NGINX_CERTS/<file>; scripts/run-t.sh runs
# this script into its run directory and exports TEST_NGINX_CERTS.
#
# The certificates are valid from now for $VALID_DAYS days. A later run
# keeps them, unless one is missing, does not verify against its CA, expires
# within $MIN_LEFT seconds (longer than any suite run), or this script has
# changed since they were made (its checksum is kept in DIR/.made-by);
# otherwise it makes a new set, into a temporary directory first, so an
# interrupted run never leaves a mixed set behind.
set -euo pipefail
LIB_TAG=make-certs
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

VALID_DAYS=7
MIN_LEFT=$((2 * 24 * 3600))

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1
command -v openssl >/dev/null || die "openssl not found"
mkdir -p "$dir"

names=(ca server client client2 rogue-ca rogue)
self=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)

# still_good: the set in $dir is complete, made by this very script, and
# valid for MIN_LEFT seconds more
still_good() {
    local n
    [ "$(cat "$dir/.made-by" 2>/dev/null)" = "$self" ] || return 1
    for n in "${names[@]}"; do
        [ -s "$dir/$n.crt" ] && [ -s "$dir/$n.key" ] || return 1
        openssl x509 -in "$dir/$n.crt" -noout -checkend "$MIN_LEFT" \
            >/dev/null 2>&1 || return 1
    done
    openssl verify -CAfile "$dir/ca.crt" \
        "$dir/server.crt" "$dir/client.crt" "$dir/client2.crt" \
        >/dev/null 2>&1 || return 1
    openssl verify -CAfile "$dir/rogue-ca.crt" "$dir/rogue.crt" \
        >/dev/null 2>&1 || return 1
}

if still_good; then
    log "keeping the certificates in $dir (valid until" \
        "$(openssl x509 -in "$dir/ca.crt" -noout -enddate | cut -d= -f2))"
    exit 0
fi

umask 077
tmp=$(mktemp -d "$dir/.new.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The extensions, spelled out rather than taken from the system's
# openssl.cnf. The client certificates get none (X.509 v1), like the
# certificates the tests were written with.
cat > "$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = req_dn
[req_dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_ext]
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# quiet CMD...: run CMD, show its chatter only if it fails
quiet() {
    local out
    if ! out=$("$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "failed: $*"
    fi
}

newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$tmp/$1.key"
}

# ca NAME SUBJECT: a self-signed CA certificate
ca() {
    newkey "$1"
    openssl req -x509 -new -config "$tmp/openssl.cnf" -extensions ca_ext \
        -key "$tmp/$1.key" -subj "$2" -sha256 -days "$VALID_DAYS" \
        -out "$tmp/$1.crt"
}

# leaf NAME SUBJECT CA [EXTENSIONS]: a certificate signed by CA's key
leaf() {
    local ext=()
    [ $# -lt 4 ] || ext=(-extfile "$tmp/openssl.cnf" -extensions "$4")
    newkey "$1"
    openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/$1.key" \
        -subj "$2" -out "$tmp/$1.csr"
    # (it says "Certificate request self-signature ok" on success)
    quiet openssl x509 -req -in "$tmp/$1.csr" -sha256 -days "$VALID_DAYS" \
        -CA "$tmp/$3.crt" -CAkey "$tmp/$3.key" \
        -CAserial "$tmp/$3.srl" -CAcreateserial \
        "${ext[@]}" -out "$tmp/$1.crt"
}

ca   ca       '/CN=ticketing test CA'
leaf server   '/CN=localhost'                ca server_ext
leaf client   '/O=Acme/CN=billing-service'   ca
leaf client2  '/O=Acme/CN=reporting-service' ca
ca   rogue-ca '/CN=rogue CA'
leaf rogue    '/O=Acme/CN=billing-service'   rogue-ca

# the stamp goes first: a set replaced halfway has none, so is made again
rm -f "$dir/.made-by"
for n in "${names[@]}"; do
    mv -f "$tmp/$n.key" "$tmp/$n.crt" "$dir/"
done
printf '%s\n' "$self" > "$dir/.made-by"
log "made test CA, server, client, client2, rogue-ca, rogue certificates" \
    "in $dir (valid $VALID_DAYS days)"
