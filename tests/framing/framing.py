#!/usr/bin/env python3
"""Request smuggling checks over raw sockets (tests/framing/run.sh).

Each case sends, on one connection, a request the gateway refuses (or
answers by itself) whose body hides a complete second request, followed by
an intended request.  The hidden request carries "X-Smuggled: 1"; the
intended one "X-Intended: 1" and "Connection: close".  Afterwards:

- the first answer is the refusal expected, in the uniform schema;
- the connection either closed after it, or the body was discarded whole
  and the only other answer is the intended request's;
- the mock's record holds no request with X-Smuggled, and exactly as many
  intended requests as were answered.

Every read is bounded (a connection left open past the bound is a
failure, never a wait for more).  Output: TAP-like lines; exit status 1 if
any check failed.
"""

import argparse
import json
import socket
import subprocess
import sys
import time

READ_BOUND = 10.0       # seconds: the server closes long before
RESULTS = []


def mint(claims=None):
    args = ["python3", "t/tools/mint_jwt.py", "--key", "t/data/rs256.key",
            "--alg", "RS256"]
    if claims is not None:
        args += ["--claims", json.dumps(claims)]
    return subprocess.run(args, check=True, capture_output=True,
                          text=True).stdout.strip()


def check(ok, name, detail=""):
    RESULTS.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "not ok", len(RESULTS), name,
                            "" if ok or not detail else "\n#   " + detail))
    sys.stdout.flush()


def exchange(port, data, later=b""):
    """Sends data (then, a moment later, "later"), reads until the server
    closes: (bytes, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=READ_BOUND)
    try:
        s.sendall(data)
        if later:
            # most often read in a second read event, after the body
            # reading went asynchronous; if not, the synchronous path
            # must hold as well
            time.sleep(0.3)
            s.sendall(later)
    except OSError:
        pass                # the server may close before reading it all
    out = b""
    closed = False
    deadline = time.monotonic() + READ_BOUND
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        out += chunk
    s.close()
    return out, closed


def parse_responses(raw):
    """Splits raw bytes into [(status, headers{lower: value}, body)]."""
    out = []
    while raw:
        head, sep, rest = raw.partition(b"\r\n\r\n")
        if not sep:
            out.append((None, {}, raw))
            break
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        try:
            status = int(parts[1])
        except (IndexError, ValueError):
            out.append((None, {}, raw))
            break
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0] or b"0", 16)
                if size == 0:
                    rest = rest.partition(b"\r\n")[2]
                    break
                body += rest[:size]
                rest = rest[size + 2:]
        else:
            n = int(headers.get("content-length", "0"))
            body, rest = rest[:n], rest[n:]
        out.append((status, headers, body))
        raw = rest
    return out


def mock(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=READ_BOUND)
    s.sendall(("GET /__mock/%s HTTP/1.1\r\nHost: mock\r\n"
               "Connection: close\r\n\r\n" % path).encode())
    raw = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        raw += chunk
    s.close()
    status, _, body = parse_responses(raw)[0]
    assert status == 200, raw
    return json.loads(body)


def uniform(body):
    try:
        j = json.loads(body)
    except ValueError:
        return False
    return isinstance(j, dict) and sorted(j) == sorted(
        ["code", "status", "message", "detailMsg"])


def hidden_request(token):
    return ("GET /v2/issueLinkType HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer %s\r\nticketing-provider: JAM\r\n"
            "X-Smuggled: 1\r\n\r\n" % token).encode()


def intended_request(token):
    return ("GET /v2/ticket/INST-7902/ia/summary HTTP/1.1\r\nHost: x\r\n"
            "Authorization: Bearer %s\r\nticketing-provider: JAM\r\n"
            "X-Intended: 1\r\nConnection: close\r\n\r\n" % token).encode()


def chunked(body):
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def case(a, name, head, body, expect_status, must_close=False,
         uniform_body=True, expect_upstream=0, later=b""):
    """head: request line and headers (no blank line); body: raw bytes
    sent after the blank line, framing included; "later": the rest of the
    body, sent a moment later."""
    mock(a.mock_port, "reset")
    data = head.encode() + b"\r\n\r\n" + body
    if later:
        raw, closed = exchange(a.port, data,
                               later + intended_request(a.token))
    else:
        raw, closed = exchange(a.port, data + intended_request(a.token))
    resp = parse_responses(raw)

    check(len(resp) >= 1 and resp[0][0] == expect_status,
          "%s: answered %d" % (name, expect_status),
          "got %r" % raw[:300])
    if not resp:
        return
    if uniform_body:
        check(uniform(resp[0][2]), "%s: uniform error body" % name,
              "body %r" % resp[0][2][:200])

    check(closed, "%s: the connection ends (no request left hanging)" % name)

    if must_close:
        check(len(resp) == 1 and resp[0][1].get("connection") == "close",
              "%s: connection closed after the refusal" % name,
              "%d answers, Connection: %s" % (
                  len(resp), resp[0][1].get("connection")))

    extra = resp[1:]
    check(len(extra) <= 1 and all(r[0] == 200 and b"operative_summary"
                                  in r[2] for r in extra),
          "%s: nothing answered but the intended request" % name,
          "answers after the refusal: %r" % [(r[0], r[2][:80])
                                             for r in extra])

    reqs = mock(a.mock_port, "requests")
    smuggled = [r for r in reqs if "x-smuggled" in r["headers"]]
    intended = [r for r in reqs if "x-intended" in r["headers"]]
    check(not smuggled, "%s: the hidden request never reached the upstream"
          % name, "the mock received %r" % smuggled)
    check(len(intended) == len(extra)
          and len(reqs) == len(intended) + expect_upstream,
          "%s: the upstream saw only the intended requests" % name,
          "the mock received %r" % [(r["method"], r["path"]) for r in reqs])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mock-port", type=int, required=True)
    a = ap.parse_args()
    a.token = mint()
    no_perm = mint({"permissions": []})
    purger = mint({"permissions": ["ticketing.cache.purge"]})
    hidden = hidden_request(a.token)
    json_post = ("POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: x\r\n"
                 "Content-Type: application/json\r\n"
                 "ticketing-provider: JAM\r\n")
    auth = "Authorization: Bearer %s\r\n" % a.token

    for framing in ("content-length", "chunked"):
        if framing == "chunked":
            te, body = "Transfer-Encoding: chunked", chunked(hidden)
        else:
            te, body = "Content-Length: %d" % len(hidden), hidden

        def c(name, head, status, **kw):
            case(a, "%s, %s body" % (name, framing), head + te, body,
                 status, **kw)

        c("401 no token", json_post, 401)
        c("403 no permission",
          json_post + "Authorization: Bearer %s\r\n" % no_perm, 403)
        c("404 unknown path",
          "POST /v2/no/such/thing HTTP/1.1\r\nHost: x\r\n" + auth, 404)
        c("405 wrong method",
          "DELETE /v2/ticket/metadata/types HTTP/1.1\r\nHost: x\r\n"
          + auth, 405)
        c("400 bad path parameter",
          "POST /v2/ticket/%2Fx/comment HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: application/json\r\n" + auth, 400,
          must_close=True)
        c("415 not JSON",
          "POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: text/plain\r\n" + auth, 415)
        c("400 invalid JSON body (read whole)", json_post + auth, 400,
          must_close=True)
        c("401 on the purge endpoint",
          "DELETE /purge HTTP/1.1\r\nHost: x\r\n", 401)
        c("405 on the metrics endpoint",
          "POST /metrics HTTP/1.1\r\nHost: x\r\n", 405,
          uniform_body=False)

    # a body nginx itself refuses before any module runs (a declared
    # length above client_max_body_size): the request is not read at all
    big = b"x" * 5000
    case(a, "413 declared length above client_max_body_size",
         json_post + auth + "Content-Length: %d" % len(big), big, 413,
         must_close=True)

    # malformed and oversized chunks, read ahead with the headers, that
    # the validate step finds while reading the body
    te = "Transfer-Encoding: chunked"
    case(a, "400 invalid chunk-size line (validate step)",
         json_post + auth + te, b"zz\r\n" + hidden, 400, must_close=True)
    case(a, "413 chunk above client_max_body_size (validate step)",
         json_post + auth + te, b"2000\r\n" + hidden, 413,
         must_close=True)
    case(a, "400 chunk without its CRLF (validate step)",
         json_post + auth + te, b"2\r\n{}XX" + hidden, 400,
         must_close=True)

    # the malformed chunk arrives after the body reading has begun
    case(a, "400 invalid chunk-size line in a later packet (validate step)",
         json_post + auth + te, b"2\r\n{}\r\n", 400, must_close=True,
         later=b"zz\r\n" + hidden)
    case(a, "413 oversized chunk in a later packet (validate step)",
         json_post + auth + te, b"2\r\n{}\r\n", 413, must_close=True,
         later=b"2000\r\n" + hidden)

    # the same malformed bodies refused before the body is read (401):
    # nginx's discard finds them malformed, the connection must close
    case(a, "401 with an invalid chunk-size line", json_post + te,
         b"zz\r\n" + hidden, 401, must_close=True)
    case(a, "401 on the purge endpoint, invalid chunk-size line",
         "DELETE /purge HTTP/1.1\r\nHost: x\r\n" + te,
         b"zz\r\n" + hidden, 401, must_close=True)
    case(a, "purge with an invalid chunk-size line (authorized)",
         "DELETE /purge HTTP/1.1\r\nHost: x\r\n"
         "Authorization: Bearer %s\r\n" % purger + te,
         b"zz\r\n" + hidden, 400, must_close=True)

    # a cache hit answered by the gateway itself, the GET carrying a body
    warm = ("GET /v2/issueLinkType HTTP/1.1\r\nHost: x\r\n" + auth
            + "ticketing-provider: JAM\r\nConnection: close\r\n\r\n").encode()
    hit = False
    for _ in range(50):
        resp = parse_responses(exchange(a.port, warm)[0])
        if resp and resp[0][1].get("x-cache-status") == "HIT":
            hit = True
            break
        time.sleep(0.1)
    check(hit, "the cache answers issueLinkType from Redis (HIT)")
    cache_get = ("GET /v2/issueLinkType HTTP/1.1\r\nHost: x\r\n" + auth
                 + "ticketing-provider: JAM\r\n")
    case(a, "cache hit, content-length body",
         cache_get + "Content-Length: %d" % len(hidden), hidden, 200,
         uniform_body=False)
    case(a, "cache hit, invalid chunk-size line", cache_get + te,
         b"zz\r\n" + hidden, 200, uniform_body=False, must_close=True)

    failed = RESULTS.count(False)
    print("1..%d" % len(RESULTS))
    if failed:
        print("# %d of %d checks failed" % (failed, len(RESULTS)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
