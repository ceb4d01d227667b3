#!/usr/bin/env bash
# The certificates of the topology test bed, made with openssl at every
# run (never committed):
#
#   tests/topology/make_certs.sh DIR
#
# creates in DIR (EC P-256 keys, ECDSA-SHA256, valid 2 days):
#
#   ca.crt, ca.key            CN=topology test CA (self-signed, CA:TRUE)
#   wrong-ca.crt, .key        CN=topology wrong CA: verifies nothing here
#   redis.crt, redis.key      the TLS Redis: subjectAltName DNS:redis.test,
#                             IP:127.0.0.1, signed by the CA
#   idp.crt, idp.key          the JWKS server: DNS:idp.test, IP:127.0.0.1
#   client.crt, client.key    nginx's client certificate towards the TLS
#                             Redis (which asks for one), signed by the CA
set -euo pipefail
LIB_TAG=topology-certs
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -eq 1 ] || die "usage: $0 DIR"
dir=$1
command -v openssl >/dev/null || die "openssl not found: run 'make deps'"
rm -rf "$dir" && mkdir -p "$dir"

cat > "$dir/openssl.cnf" <<'EOF'
[req]
distinguished_name = req_dn
[req_dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[redis_ext]
subjectAltName = DNS:redis.test, IP:127.0.0.1
extendedKeyUsage = serverAuth
[idp_ext]
subjectAltName = DNS:idp.test, IP:127.0.0.1
extendedKeyUsage = serverAuth
[client_ext]
extendedKeyUsage = clientAuth
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
    quiet openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -out "$dir/$1.key"
}

# ca NAME SUBJECT: a self-signed CA certificate
ca() {
    newkey "$1"
    quiet openssl req -x509 -new -config "$dir/openssl.cnf" \
        -extensions ca_ext -key "$dir/$1.key" -subj "$2" -sha256 -days 2 \
        -out "$dir/$1.crt"
}

# leaf NAME SUBJECT EXTENSIONS: a certificate signed by the CA
leaf() {
    newkey "$1"
    quiet openssl req -new -config "$dir/openssl.cnf" -key "$dir/$1.key" \
        -subj "$2" -out "$dir/$1.csr"
    quiet openssl x509 -req -in "$dir/$1.csr" -sha256 -days 2 \
        -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
        -CAserial "$dir/ca.srl" -extfile "$dir/openssl.cnf" \
        -extensions "$3" -out "$dir/$1.crt"
    rm -f "$dir/$1.csr"
}

ca   ca       '/CN=topology test CA'
ca   wrong-ca '/CN=topology wrong CA'
leaf redis    '/CN=redis.test'       redis_ext
leaf idp      '/CN=idp.test'         idp_ext
leaf client   '/CN=ticketing-nginx'  client_ext

quiet openssl verify -CAfile "$dir/ca.crt" \
    "$dir/redis.crt" "$dir/idp.crt" "$dir/client.crt"
# test keys: readable by whichever nginx process loads them (the workers
# run as nobody when we are root)
chmod 644 "$dir"/*.key
