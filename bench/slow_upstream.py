#!/usr/bin/env python3
"""The "20 ms upstream" of `make bench`: answers every HTTP/1.1 request
with a fixed JSON body after a fixed delay (default 20 ms), keeping the
connection open. Standard library only (asyncio): one event loop, so the
delay is concurrent across connections, never a sleep that blocks others.

    slow_upstream.py --port N [--delay-ms 20] [--pidfile F]

Enough HTTP for nginx's proxy: reads the request head, skips a body of
Content-Length bytes, answers with Content-Length. Not a general server.
"""

import argparse
import asyncio
import os
import signal

BODY = (b'{"values":[{"id":"10000","name":"Incidencia","subtask":false},'
        b'{"id":"10001","name":"Peticion","subtask":false}],"total":2}')


async def handle(reader, writer, delay):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value.strip() or 0)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: " + str(len(BODY)).encode()
                         + b"\r\n\r\n" + BODY)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    delay = args.delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, delay), args.host, args.port, backlog=1024)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
