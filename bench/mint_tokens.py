#!/usr/bin/env python3
"""Mint COUNT distinct tokens for a bench row (bench/run.sh, "## tokens:").

    mint_tokens.py --key KEY [--alg RS256|RS384|RS512] --count 10000
                   [--ttl 86400] > FILE

One token a line, each t/tools/mint_jwt.py's default claims (the API
access role, every permission) with its own "sub" (user-00001, ...), so
every token is distinct and all have the same length.  Made at run time
with the run's keys: never committed.  The key is loaded once (loading an
RSA key checks it, ~40 ms: per token that would be minutes).
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "t", "tools"))
from cryptography.hazmat.primitives import hashes, serialization  # noqa
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from mint_jwt import API_ROLE, PERMISSIONS, b64  # noqa: E402

HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384,
          "RS512": hashes.SHA512}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--alg", default="RS256", choices=sorted(HASHES))
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--ttl", type=int, default=86400)
    a = ap.parse_args()

    with open(a.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    now = int(time.time())
    header = b64(json.dumps({"alg": a.alg, "typ": "JWT"},
                            separators=(",", ":")).encode())
    out = []
    for i in range(1, a.count + 1):
        claims = {
            "sub": "user-%05d" % i, "iat": now, "exp": now + a.ttl,
            "realm_access": {"roles": [API_ROLE]},
            "permissions": list(PERMISSIONS),
        }
        signing_input = header + "." + b64(
            json.dumps(claims, separators=(",", ":")).encode())
        sig = key.sign(signing_input.encode(), padding.PKCS1v15(),
                       HASHES[a.alg]())
        out.append(signing_input + "." + b64(sig))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
