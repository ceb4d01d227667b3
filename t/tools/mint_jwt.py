#!/usr/bin/env python3
"""Mint a JWT for the tests and the demo (test keys only; never production).

    mint_jwt.py --key t/data/rs256.key --alg RS256 [--kid K]
                [--claims '{"sub":"bob","orgs":["yoigo"]}'] [--ttl 3600]
                [--header '{"typ":"JWT"}'] [--tamper payload|header]
                [--sig BASE64URL] [--bare]

Default claims: sub "alice", iat now, exp now+ttl, the API access role in
realm_access.roles and every catalogue permission in "permissions".
--claims is merged over them (a null value removes a claim); --bare starts
from no claims at all.  --alg none makes an unsigned token (its signature is
empty unless --sig gives one).  --alg HS* with a PEM file MACs with the
file's bytes (the algorithm-confusion attack).  Needs only the standard
library and python3-cryptography.
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

API_ROLE = "ticketing-mas.ticketing.access.allowed"
PERMISSIONS = [
    "ticketing.attachment.create", "ticketing.attachment.delete",
    "ticketing.attachment.get", "ticketing.comment.create",
    "ticketing.grid.update", "ticketing.issueLink.create",
    "ticketing.issueLink.delete", "ticketing.issueLink.get",
    "ticketing.issueLinkType.read", "ticketing.metadata.read",
    "ticketing.remotelink.create", "ticketing.ticket.assign",
    "ticketing.ticket.create", "ticketing.ticket.get",
    "ticketing.ticket.iaSummary", "ticketing.ticket.search",
    "ticketing.ticket.transition", "ticketing.ticket.transitions",
    "ticketing.ticket.update",
]
HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(alg, key_bytes, msg):
    if alg == "none":
        return b""
    if alg.startswith("HS"):
        secret = key_bytes.rstrip(b"\r\n")
        return hmac.new(secret, msg, getattr(hashlib, "sha" + alg[2:])).digest()
    key = serialization.load_pem_private_key(key_bytes, password=None)
    if alg == "EdDSA":
        return key.sign(msg)
    h = HASHES[alg[2:]]()
    if alg.startswith("RS"):
        return key.sign(msg, padding.PKCS1v15(), h)
    if alg.startswith("PS"):
        return key.sign(msg, padding.PSS(padding.MGF1(h), h.digest_size), h)
    if alg.startswith("ES"):
        der = key.sign(msg, ec.ECDSA(h))
        r, s = utils.decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    raise SystemExit("unknown alg " + alg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key")
    ap.add_argument("--alg", default="RS256")
    ap.add_argument("--kid")
    ap.add_argument("--claims", default="{}")
    ap.add_argument("--header", default="{}")
    ap.add_argument("--ttl", type=int, default=3600)
    ap.add_argument("--bare", action="store_true")
    ap.add_argument("--tamper", choices=["payload", "header"])
    ap.add_argument("--sig")
    a = ap.parse_args()

    now = int(time.time())
    claims = {} if a.bare else {
        "sub": "alice", "iat": now, "exp": now + a.ttl,
        "realm_access": {"roles": [API_ROLE]},
        "permissions": list(PERMISSIONS),
    }
    for k, v in json.loads(a.claims).items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v

    header = {"alg": a.alg, "typ": "JWT"}
    if a.kid:
        header["kid"] = a.kid
    header.update(json.loads(a.header))

    signing_input = (b64(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64(json.dumps(claims, separators=(",", ":")).encode()))
    key_bytes = open(a.key, "rb").read() if a.key else b""
    sig = sign(a.alg, key_bytes, signing_input.encode())
    token = signing_input + "." + (a.sig if a.sig is not None else b64(sig))

    if a.tamper == "payload":
        claims["sub"] = "mallory"
        h, _, s = token.split(".")
        token = h + "." + b64(json.dumps(claims, separators=(",", ":")).encode()) + "." + s
    elif a.tamper == "header":
        header["kid"] = "tampered"
        _, p, s = token.split(".")
        token = b64(json.dumps(header, separators=(",", ":")).encode()) + "." + p + "." + s

    sys.stdout.write(token + "\n")


if __name__ == "__main__":
    main()
