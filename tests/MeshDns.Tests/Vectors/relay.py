#!/usr/bin/env python3
"""Recording DNS relay used by capture.sh (stdlib only).

Listens on a loopback UDP port (and the same TCP port), forwards every DNS
message unchanged to an upstream server, relays the answer back and appends
one JSON line per exchange to a log file:

    {"seq": 1, "proto": "udp", "query": "<hex>", "response": "<hex>"|null}

For TCP the two-byte length prefix is stripped, i.e. "query"/"response" are
always bare DNS messages.  The relay never modifies a byte.
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import threading

LOCK = threading.Lock()
SEQ = [0]


def record(log, proto, query, response):
    with LOCK:
        SEQ[0] += 1
        entry = {
            "seq": SEQ[0],
            "proto": proto,
            "query": query.hex(),
            "response": response.hex() if response is not None else None,
        }
        log.write(json.dumps(entry) + "\n")
        log.flush()


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def recv_tcp_msg(sock):
    hdr = recv_exact(sock, 2)
    if hdr is None:
        return None
    (length,) = struct.unpack("!H", hdr)
    return recv_exact(sock, length)


def handle_udp(usock, log, upstream, timeout):
    data, client = usock.recvfrom(65535)
    response = None
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        up.settimeout(timeout)
        up.sendto(data, upstream)
        while True:
            resp, src = up.recvfrom(65535)
            if src == upstream:
                response = resp
                break
    except (socket.timeout, OSError) as exc:
        print(f"relay: udp upstream error: {exc}", file=sys.stderr)
    finally:
        up.close()
    record(log, "udp", data, response)
    if response is not None:
        usock.sendto(response, client)


def handle_tcp_client(conn, log, upstream, timeout):
    up = None
    try:
        conn.settimeout(timeout * 3)
        up = socket.create_connection(upstream, timeout=timeout)
        while True:
            query = recv_tcp_msg(conn)
            if query is None:
                break
            up.sendall(struct.pack("!H", len(query)) + query)
            try:
                response = recv_tcp_msg(up)
            except (socket.timeout, OSError) as exc:
                print(f"relay: tcp upstream error: {exc}", file=sys.stderr)
                response = None
            record(log, "tcp", query, response)
            if response is None:
                break
            conn.sendall(struct.pack("!H", len(response)) + response)
    except (socket.timeout, OSError) as exc:
        print(f"relay: tcp client error: {exc}", file=sys.stderr)
    finally:
        if up is not None:
            up.close()
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", default="127.0.0.1")
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--ready-file", help="created once the sockets are bound")
    ap.add_argument("--no-tcp", action="store_true")
    args = ap.parse_args()

    upstream = (args.upstream, args.upstream_port)
    log = open(args.log, "a", encoding="ascii")

    usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    usock.bind((args.listen, args.port))
    tsock = None
    if not args.no_tcp:
        tsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tsock.bind((args.listen, args.port))
        tsock.listen(16)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(str(os.getpid()) + "\n")

    socks = [usock] + ([tsock] if tsock else [])
    while not stop.is_set():
        try:
            readable, _, _ = select.select(socks, [], [], 0.5)
        except InterruptedError:
            continue
        for s in readable:
            if s is usock:
                handle_udp(usock, log, upstream, args.timeout)
            else:
                conn, _ = tsock.accept()
                threading.Thread(
                    target=handle_tcp_client,
                    args=(conn, log, upstream, args.timeout),
                    daemon=True,
                ).start()

    usock.close()
    if tsock:
        tsock.close()
    log.close()


if __name__ == "__main__":
    main()
