#!/usr/bin/env python3
"""Malformed and refused requests over raw sockets (tests/demo/run.sh).

    rawcheck.py PORT FIRST_TEST_NUMBER

Sends each request below to 127.0.0.1:PORT exactly as written (no client
library rewrites it), reads what comes back until the server closes the
connection, and checks that the client received the uniform error: the
expected status line, Content-Type application/json, a Content-Length that
matches, and a body that is a JSON object with exactly the keys code,
status, message, detailMsg whose code and status name match the HTTP
status (docs/how-it-works.md, "Errors"). Prints one "ok N - ..." / "not ok N - ..." line
per request, numbered from FIRST_TEST_NUMBER; exits 1 if any failed.
Standard library only; every socket operation has a timeout.
"""

import json
import socket
import sys

# HTTP status -> (code, status name) of the table in docs/how-it-works.md
UNIFORM = {
    400: ("0015", "BAD_REQUEST"),
    401: ("0003", "UNAUTHORIZED"),
    404: ("0004", "NOT_FOUND"),
    405: ("0017", "METHOD_NOT_ALLOWED"),
    413: ("0022", "PAYLOAD_TOO_LARGE"),
    414: ("0023", "URI_TOO_LONG"),
    431: ("0027", "HEADERS_TOO_LARGE"),
    501: ("0028", "NOT_IMPLEMENTED"),
    505: ("0002", "UNEXPECTED"),
}

H = b"Host: localhost\r\n"
BIG = b"a" * 9000           # above large_client_header_buffers' 8k

# (name, raw request, expected status, nginx closes the connection)
# status None: an HTTP/0.9 request, answered with a bare body (of a 404)
CASES = [
    ("request line that is not HTTP", b"GARBAGE\r\n\r\n", 400, True),
    ("request line with a fourth field",
     b"GET /v2/issueLinkType HTTP/1.1 x\r\n" + H + b"\r\n", 400, True),
    ("header line without a colon",
     b"GET /v2/issueLinkType HTTP/1.1\r\n" + H + b"Bad Header\r\n\r\n",
     400, True),
    ("HTTP/1.1 without Host", b"GET /v2/issueLinkType HTTP/1.1\r\n\r\n",
     400, True),
    ("two Host headers",
     b"GET /v2/issueLinkType HTTP/1.1\r\n" + H + b"Host: other\r\n\r\n",
     400, True),
    ("invalid Host", b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, True),
    ("%00 in the URI",
     b"GET /v2/ticket/%00/assignee HTTP/1.1\r\n" + H + b"\r\n", 400, True),
    ("/.. above the root", b"GET /../etc/passwd HTTP/1.1\r\n" + H + b"\r\n",
     400, True),
    ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n", 400, True),
    ("CONNECT", b"CONNECT example.com:443 HTTP/1.1\r\n" + H + b"\r\n",
     400, True),
    ("Transfer-Encoding and Content-Length",
     b"POST /v2/issueLink HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
     400, True),
    ("a header over 8 KB (nginx's 494)",
     b"GET /v2/issueLinkType HTTP/1.1\r\n" + H + b"X-Big: " + BIG
     + b"\r\n\r\n", 431, True),
    ("a URI over 8 KB", b"GET /v2/" + BIG + b" HTTP/1.1\r\n" + H + b"\r\n",
     414, True),
    ("TRACE", b"TRACE / HTTP/1.1\r\n" + H + b"\r\n", 405, False),
    ("TRACE on an operation",
     b"TRACE /v2/ticket/metadata/types HTTP/1.1\r\n" + H + b"\r\n",
     405, False),
    ("unknown method on an operation",
     b"FOO /v2/ticket/metadata/types HTTP/1.1\r\n" + H + b"\r\n",
     405, False),
    ("/V2/ (not the API)",
     b"GET /V2/ticket/metadata/types HTTP/1.1\r\n" + H + b"\r\n",
     404, False),
    ("/ (not the API)", b"GET / HTTP/1.1\r\n" + H + b"\r\n", 404, False),
    ("absolute URI for another host",
     b"GET http://example.com/ HTTP/1.1\r\n" + H + b"\r\n", 404, False),
    ("unknown operation",
     b"GET /v2/no/such/operation HTTP/1.1\r\n" + H + b"\r\n", 404, False),
    ("no token", b"GET /v2/issueLinkType HTTP/1.1\r\n" + H + b"\r\n",
     401, False),
    ("HTTP/2.0 request line", b"GET / HTTP/2.0\r\n" + H + b"\r\n",
     505, True),
    ("Transfer-Encoding: gzip",
     b"POST /v2/issueLink HTTP/1.1\r\n" + H
     + b"Transfer-Encoding: gzip\r\n\r\n", 501, True),
    ("Content-Length above client_max_body_size",
     b"POST /v2/issueLink HTTP/1.1\r\n" + H
     + b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n",
     413, True),
    ("HTTP/0.9 request", b"GET /\r\n", None, True),
]


def exchange(port, raw):
    """Send raw, half-close, read until the server closes (bounded)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s.sendall(raw)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        s.close()


def check_body(body, status):
    """None if body is the uniform error of status, else what is wrong."""
    try:
        pairs = json.loads(body.decode("utf-8"), object_pairs_hook=list)
    except (UnicodeDecodeError, ValueError):
        return "body is not JSON: %r" % body[:80]
    if not isinstance(pairs, list) or \
            [k for k, _ in pairs] != ["code", "status", "message",
                                      "detailMsg"]:
        return "not the uniform keys: %r" % body[:120]
    obj = dict(pairs)
    if not all(isinstance(obj[k], str) for k in ("code", "status",
                                                   "message")):
        return "code/status/message not strings: %r" % body[:120]
    if obj["detailMsg"] is not None and not isinstance(obj["detailMsg"],
                                                       str):
        return "detailMsg neither string nor null"
    if (obj["code"], obj["status"]) != UNIFORM[status]:
        return "code/status %s/%s, expected %s/%s" % (
            (obj["code"], obj["status"]) + UNIFORM[status])
    return None


def check(port, raw, status, closes):
    try:
        resp = exchange(port, raw)
    except OSError as e:
        return "no answer: %s" % e
    if status is None:
        # HTTP/0.9: no status line, no headers, only the body
        if resp.startswith(b"HTTP/"):
            return "HTTP/0.9 answered with a status line"
        return check_body(resp, 404)
    head, sep, body = resp.partition(b"\r\n\r\n")
    if not sep:
        return "no complete header: %r" % resp[:80]
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[0] != "HTTP/1.1" or parts[1] != str(status):
        return "status line %r, expected %d" % (lines[0], status)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if headers.get("content-type") != ["application/json"]:
        return "Content-Type %r" % headers.get("content-type")
    if headers.get("content-length") != [str(len(body))]:
        return "Content-Length %r for a body of %d bytes" % (
            headers.get("content-length"), len(body))
    if closes and headers.get("connection") != ["close"]:
        return "Connection %r, expected close" % headers.get("connection")
    return check_body(body, status)


def main():
    port, n = int(sys.argv[1]), int(sys.argv[2])
    failed = 0
    for name, raw, status, closes in CASES:
        what = "%s -> %s" % (name, status or "HTTP/0.9 body")
        err = check(port, raw, status, closes)
        if err is None:
            print("ok %d - %s, uniform" % (n, what))
        else:
            print("not ok %d - %s: %s" % (n, what, err))
            failed = 1
        n += 1
    sys.stdout.flush()
    return failed


if __name__ == "__main__":
    sys.exit(main())
