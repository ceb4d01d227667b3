#!/usr/bin/env python3
"""A tiny authoritative DNS responder for the host-name tests.

    dns_responder.py --port N --zone FILE [--pidfile F]

Answers UDP queries on 127.0.0.1:N from FILE, read again for every query
so that a test can move a name by rewriting it. Each line of FILE is

    NAME ADDRESS TTL        e.g.  redis.test 127.0.0.1 1

A query for a listed name gets its A record (type A) or an empty answer
(any other type, AAAA included); a name not listed gets NXDOMAIN. Every
query is appended to FILE.log ("NAME TYPE") so tests can count lookups.
"""

import argparse
import os
import socket
import struct


def load_zone(path):
    zone = {}
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and not parts[0].startswith("#"):
                    zone[parts[0].lower().rstrip(".")] = (parts[1],
                                                          int(parts[2]))
    except OSError:
        pass
    return zone


def parse_question(packet):
    """(id, flags, name, qtype, end of the question) or None."""
    if len(packet) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1:
        return None
    labels, pos = [], 12
    while pos < len(packet):
        n = packet[pos]
        pos += 1
        if n == 0:
            break
        if n > 63 or pos + n > len(packet):
            return None
        labels.append(packet[pos:pos + n].decode("ascii", "replace"))
        pos += n
    if pos + 4 > len(packet):
        return None
    qtype, _qclass = struct.unpack("!HH", packet[pos:pos + 4])
    return qid, flags, ".".join(labels).lower(), qtype, pos + 4


def answer(packet, zone):
    q = parse_question(packet)
    if q is None:
        return None, None
    qid, flags, name, qtype, end = q
    question = packet[12:end]
    rd = flags & 0x0100
    entry = zone.get(name)
    rcode = 0 if entry else 3
    answers = b""
    ancount = 0
    if entry and qtype == 1:
        addr, ttl = entry
        # a pointer to the name in the question (offset 12)
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, ttl, 4) \
            + socket.inet_aton(addr)
        ancount = 1
    header = struct.pack("!HHHHHH", qid, 0x8400 | rd | rcode, 1, ancount,
                         0, 0)
    return header + question + answers, (name, qtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--zone", required=True)
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.port))
    if args.pidfile:
        with open(args.pidfile, "w", encoding="ascii") as f:
            f.write("%d\n" % os.getpid())

    while True:
        packet, peer = sock.recvfrom(4096)
        reply, asked = answer(packet, load_zone(args.zone))
        if reply is None:
            continue
        with open(args.zone + ".log", "a", encoding="ascii") as log:
            log.write("%s %d\n" % asked)
        sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
