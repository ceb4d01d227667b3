#!/usr/bin/env python3
"""RSA public keys with the ROCA fingerprint, made at test time.

    t/tools/make_roca.py DIR

writes into DIR:

    roca.pub         the public key, SubjectPublicKeyInfo PEM
    roca-jwks.json   the same key as a JWKS (one RSA key, kid "roca-test",
                     alg RS256, use sig)

for t/keys.t, which must see them refused (CVE-2017-15361).  The t/ files
name them $TEST_NGINX_CERTS/roca.pub and $TEST_NGINX_CERTS/roca-jwks.json;
scripts/run-t.sh runs this script into the directory it exports as
TEST_NGINX_CERTS, next to t/tools/make_certs.sh's certificates.

The keys are built from the published description of the vulnerability
(Nemec et al., "The Return of Coppersmith's Attack", CCS 2017): the
affected library made each prime as

    p = k * M + (65537^a mod M)

with M the product of the first n primes (n = 126 for 2048-bit keys: the
primes 2 to 701, M about 971 bits) and random k and a.  Modulo each of
those primes r, p and hence N = p * q are powers of 65537: N mod r lies in
the subgroup that 65537 generates mod r, for all of them, which a random
modulus does with a negligible probability.  That is the fingerprint the
module's detector tests (the primes 3 to 167); this script checks it on
what it wrote and fails loudly if a modulus lacks it.

Only the public key (N, e = 65537) is written: p and q are dropped.

A later run keeps the keys when both files are there, agree, have the
fingerprint and were made by this very script (its SHA-256 is kept in
DIR/.roca-made-by); otherwise it makes new ones, written to temporary
names and renamed, so an interrupted run leaves no half-written file.
"""

import base64
import hashlib
import json
import math
import os
import secrets
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BITS = 2048                     # modulus size
GENERATOR = 65537
E = 65537
KID = "roca-test"
PEM_NAME = "roca.pub"
JWKS_NAME = "roca-jwks.json"
STAMP_NAME = ".roca-made-by"
MR_ROUNDS = 40                  # a composite passes with probability < 4^-40

# the primes whose product is M (2048-bit keys: the first 126, 2 to 701)
M_PRIME_LIMIT = 701
# what the module's detector looks at (ngx_http_ticketing_jwt.c): the
# powers of 65537 modulo the primes 3 to 167; kept apart from GENERATOR so
# that the check does not follow a mistake in the construction
FINGERPRINT_GENERATOR = 65537
FINGERPRINT_PRIME_LIMIT = 167


def die(msg):
    sys.stderr.write("make-roca: %s\n" % msg)
    sys.exit(1)


def log(msg):
    sys.stderr.write("make-roca: %s\n" % msg)


def primes_upto(limit):
    """The primes <= limit (sieve of Eratosthenes)."""
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(sieve[i * i::i]))
    return [i for i in range(limit + 1) if sieve[i]]


def is_probable_prime(n, rounds=MR_ROUNDS):
    """Miller-Rabin with random bases."""
    if n < 2:
        return False
    for r in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % r == 0:
            return n == r
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = 2 + secrets.randbelow(n - 3)        # 2 <= a <= n - 2
        x = pow(a, d, n)
        if x == 1 or x == n - 1:
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def subgroup(g, r):
    """The subgroup that g generates in the multiplicative group mod r."""
    g %= r
    elems, x = set(), 1
    while True:
        elems.add(x)
        x = x * g % r
        if x == 1:
            return elems


def has_fingerprint(n):
    """N mod r is a power of 65537 for every prime r from 3 to 167."""
    return all(n % r in subgroup(FINGERPRINT_GENERATOR, r)
               for r in primes_upto(FINGERPRINT_PRIME_LIMIT) if r > 2)


def roca_prime(m, k_lo, k_hi, avoid=None):
    """A prime k * m + (65537^a mod m) with k in [k_lo, k_hi]."""
    for _ in range(100000):
        k = k_lo + secrets.randbelow(k_hi - k_lo + 1)
        a = secrets.randbits(64)
        p = k * m + pow(GENERATOR, a, m)
        if p == avoid or (p - 1) % E == 0:
            continue
        if is_probable_prime(p):
            return p
    die("no prime found in 100000 candidates: the generator is broken")


def isqrt_ceil(x):
    r = math.isqrt(x)
    return r if r * r == x else r + 1


def make_modulus():
    m = 1
    for r in primes_upto(M_PRIME_LIMIT):
        m *= r
    half = BITS // 2
    # p, q >= sqrt(2^(BITS-1)) so that N = p * q has BITS bits, and
    # p, q < 2^half: k * m + (something < m) stays within those bounds
    lo = isqrt_ceil(1 << (BITS - 1))
    k_lo = -(-lo // m)
    k_hi = ((1 << half) - 1) // m - 1
    if k_lo > k_hi:
        die("no room for k: M is too large for %d-bit primes" % half)
    p = roca_prime(m, k_lo, k_hi)
    q = roca_prime(m, k_lo, k_hi, avoid=p)
    n = p * q
    if n.bit_length() != BITS:
        die("the modulus has %d bits, not %d" % (n.bit_length(), BITS))
    if not has_fingerprint(n):
        die("the modulus lacks the ROCA fingerprint: the generator is broken")
    return n


def b64url_uint(v):
    raw = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def from_b64url(s):
    return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)),
                          "big")


def jwks_doc(n):
    return {"keys": [{"kty": "RSA", "kid": KID, "use": "sig",
                      "alg": "RS256", "n": b64url_uint(n),
                      "e": b64url_uint(E)}]}


def self_hash():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def still_good(d, stamp):
    """The keys in d are complete, agree, have the fingerprint and were
    made by this script as it is now."""
    try:
        with open(os.path.join(d, STAMP_NAME)) as f:
            if f.read().strip() != stamp:
                return False
        with open(os.path.join(d, PEM_NAME), "rb") as f:
            key = serialization.load_pem_public_key(f.read())
        with open(os.path.join(d, JWKS_NAME)) as f:
            jwk = json.load(f)["keys"][0]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    pub = key.public_numbers()
    return (pub.e == E and pub.n.bit_length() == BITS
            and from_b64url(jwk.get("n", "")) == pub.n
            and from_b64url(jwk.get("e", "")) == E
            and has_fingerprint(pub.n))


def write_atomically(d, name, data):
    fd, tmp = tempfile.mkstemp(prefix=".new-" + name + ".", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(d, name))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv):
    if len(argv) != 2:
        die("usage: %s DIR" % argv[0])
    d = argv[1]
    os.makedirs(d, exist_ok=True)
    stamp = self_hash()

    if still_good(d, stamp):
        log("keeping the ROCA keys in %s" % d)
        return 0

    n = make_modulus()
    pem = rsa.RSAPublicNumbers(E, n).public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    jwks = json.dumps(jwks_doc(n), indent=1).encode("ascii") + b"\n"

    # the stamp goes first: a set replaced halfway has none, so is made again
    try:
        os.unlink(os.path.join(d, STAMP_NAME))
    except FileNotFoundError:
        pass
    write_atomically(d, PEM_NAME, pem)
    write_atomically(d, JWKS_NAME, jwks)
    write_atomically(d, STAMP_NAME, (stamp + "\n").encode("ascii"))
    if not still_good(d, stamp):
        die("the keys written to %s do not read back with the fingerprint" % d)
    log("made ROCA-fingerprinted RSA-%d keys %s, %s in %s"
        % (BITS, PEM_NAME, JWKS_NAME, d))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
