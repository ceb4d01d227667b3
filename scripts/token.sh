#!/usr/bin/env bash
# `make token`: a token for the demo gateway (build/demo/keys, made on
# first use), printed on stdout.
#
#   scripts/token.sh [ALG] [TTL_SECONDS] [CLAIMS_JSON]
#   make token ALG=ES256 TTL=600 CLAIMS='{"orgs":["yoigo"],"sub":"bob"}'
#
# ALG: HS256 HS384 HS512 (hs256.key), RS256 RS384 RS512 PS256 (rs256.key),
# ES256 (es256.key); default RS256. TTL default 3600. The token carries
# sub "demo-user", the API access role in realm_access.roles, every
# operation permission in "permissions" and orgs ["yoigo"]; CLAIMS is
# merged over that (a null value removes a claim, e.g. '{"permissions":null}').
set -euo pipefail
LIB_TAG=token
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

alg=${1:-RS256}
ttl=${2:-3600}
claims=${3:-}
[ -n "$claims" ] || claims='{}'
[[ $ttl =~ ^-?[0-9]+$ ]] || die "invalid TTL '$ttl' (seconds)"

keys=${TICKETING_DEMO_DIR:-$TOP/build/demo}/keys
"$TOP/scripts/demo-keys.sh" "$keys" >&2

case $alg in
    HS256|HS384|HS512)           key=$keys/hs256.key ;;
    RS256|RS384|RS512|PS256)     key=$keys/rs256.key ;;
    ES256)                       key=$keys/es256.key ;;
    *) die "unsupported ALG '$alg' for the demo keys" ;;
esac

# the defaults first, then the caller's claims over them
base=$(python3 -c 'import json,sys; d={"sub":"demo-user","orgs":["yoigo"]};
d.update(json.loads(sys.argv[1])); print(json.dumps(d))' "$claims") \
    || die "CLAIMS is not a JSON object: $claims"

exec python3 "$TOP/t/tools/mint_jwt.py" --key "$key" --alg "$alg" \
    --ttl "$ttl" --claims "$base"
