#!/usr/bin/env python3
"""Helpers of the topology test bed (tests/topology/run.sh); standard
library only.

    tool.py burst URL[,URL...] N [HEADER ...]
        N GETs at once, spread round-robin over the URLs (one thread and
        one connection each, released together); one line per answer:
        "URL STATUS X-CACHE-STATUS SHA256-OF-BODY" (X-CACHE-STATUS "-"
        when absent).

    tool.py kidburst URL N
        N GETs with bearer tokens whose kid is random (unsigned: the kid
        is what is looked up first), sent by 50 threads on keep-alive
        connections; prints "STATUS COUNT" lines and "seconds S".

    tool.py dns PORT NAME
        the IPv4 addresses 127.0.0.1:PORT answers for NAME (an A query
        over UDP), one a line; exit 1 on no answer or an error rcode.

    tool.py ports N
        N distinct TCP ports, one a line, free on every address, chosen at
        random below the kernel's ephemeral range (ip_local_port_range):
        no outgoing connection, of ours or of anything else running on
        the machine, takes one of them between the choice and its use.

    tool.py idp PORT CERT KEY FILE
        an HTTPS server on 127.0.0.1:PORT answering GET /jwks.json with
        FILE, read again on every request (replace the file to rotate
        the keys), anything else 404; one line per request on stderr.
"""

import base64
import hashlib
import http.client
import json
import time
import http.server
import random
import socket
import ssl
import struct
import sys
import threading
from urllib.parse import urlsplit


def burst(urls, n, headers):
    hdrs = {}
    for h in headers:
        name, _, value = h.partition(":")
        hdrs[name.strip()] = value.strip()
    go = threading.Barrier(n)
    out = [None] * n

    def one(i):
        u = urlsplit(urls[i % len(urls)])
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            c.connect()
            go.wait(timeout=10)
            c.request("GET", u.path + ("?" + u.query if u.query else ""),
                      headers=hdrs)
            r = c.getresponse()
            body = r.read()
            out[i] = "%s %d %s %s" % (
                urls[i % len(urls)], r.status,
                r.getheader("X-Cache-Status", "-"),
                hashlib.sha256(body).hexdigest())
        except Exception as e:          # reported, counted as a failure
            out[i] = "%s 000 - %s" % (urls[i % len(urls)],
                                      type(e).__name__)
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for line in out:
        print(line or "- 000 - unfinished")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def kidburst(url, n, nthreads=50):
    u = urlsplit(url)
    counts = {}
    lock = threading.Lock()

    def one(k):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
        for _ in range(k, n, nthreads):
            head = {"alg": "RS256", "typ": "JWT",
                    "kid": "random-%016x" % random.getrandbits(64)}
            body = {"sub": "burst", "exp": int(time.time()) + 300}
            tok = ".".join([b64url(json.dumps(head).encode()),
                            b64url(json.dumps(body).encode()),
                            b64url(bytes(256))])
            try:
                c.request("GET", u.path, headers={
                    "Authorization": "Bearer " + tok,
                    "ticketing-provider": "JAM"})
                r = c.getresponse()
                r.read()
                st = r.status
            except Exception:
                c.close()
                c = http.client.HTTPConnection(u.hostname, u.port,
                                               timeout=15)
                st = 0
            with lock:
                counts[st] = counts.get(st, 0) + 1
        c.close()

    start = time.monotonic()
    threads = [threading.Thread(target=one, args=(k,))
               for k in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for st in sorted(counts):
        print("%d %d" % (st, counts[st]))
    print("seconds %.2f" % (time.monotonic() - start))


def dns(port, name):
    tid = random.randrange(65536)
    q = struct.pack(">HHHHHH", tid, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    q += b"\0" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    s.sendto(q, ("127.0.0.1", port))
    d, _ = s.recvfrom(4096)
    if struct.unpack(">H", d[:2])[0] != tid or d[3] & 15:
        return 1
    count = struct.unpack(">H", d[6:8])[0]
    i = 12
    while d[i]:
        i += 1 + d[i]
    i += 5
    found = 0
    for _ in range(count):
        if d[i] & 0xC0 == 0xC0:
            i += 2
        else:
            while d[i]:
                i += 1 + d[i]
            i += 1
        rtype, _, _, size = struct.unpack(">HHIH", d[i:i + 10])
        i += 10
        if rtype == 1 and size == 4:
            print(socket.inet_ntoa(d[i:i + 4]))
            found += 1
        i += size
    return 0 if found else 1


def ports(n):
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    candidates = list(range(10000, low))
    random.shuffle(candidates)
    held = []
    for port in candidates:
        if len(held) == n:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            s.close()
            continue
        held.append(s)
    if len(held) < n:
        sys.stderr.write("tool.py ports: only %d free ports below %d\n"
                         % (len(held), low))
        return 1
    for s in held:
        print(s.getsockname()[1])
        s.close()
    return 0


def idp(port, cert, key, path):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if self.path.split("?")[0] != "/jwks.json":
                body, status = b"not found\n", 404
            else:
                with open(path, "rb") as f:
                    body, status = f.read(), 200
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def log_message(self, fmt, *args):
            sys.stderr.write("idp: %s\n" % (fmt % args))
            sys.stderr.flush()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.daemon_threads = True
    srv.serve_forever()


def main(argv):
    if len(argv) == 3 and argv[0] == "kidburst":
        kidburst(argv[1], int(argv[2]))
        return 0
    if len(argv) >= 3 and argv[0] == "burst":
        burst(argv[1].split(","), int(argv[2]), argv[3:])
        return 0
    if len(argv) == 3 and argv[0] == "dns":
        try:
            return dns(int(argv[1]), argv[2])
        except OSError:
            return 1
    if len(argv) == 2 and argv[0] == "ports":
        return ports(int(argv[1]))
    if len(argv) == 5 and argv[0] == "idp":
        idp(int(argv[1]), argv[2], argv[3], argv[4])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
