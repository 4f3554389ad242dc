#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A raw BGP peer for integration tests: listens on ADDR PORT, lets cutoverd connect,
brings the session up with a minimal OPEN, then sends one crafted (mostly malformed)
message per case and reports what cutoverd answered, one line per case:
    CASE marker NOTIFICATION 1 1 DATA ''
Cases run in the order given. Case "taw" (treat-as-withdraw) instead keeps the
session up after sending its UPDATEs: it creates DIR/taw-sent and waits for
DIR/taw-done (the test checks cutoverd's routes in between).
Usage: bgp_raw_peer.py ADDR PORT MY_AS MY_ID DIR CASE...
"""
import os
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def msg(mtype, body, length=None, marker=MARKER):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, mtype) + body


def open_msg(my_as, my_id):
    caps = b""
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)      # MP ipv4 unicast
    caps += bytes([65, 4]) + struct.pack("!I", my_as)         # 4-octet AS
    params = bytes([2, len(caps)]) + caps
    body = struct.pack("!BHH4sB", 4, my_as if my_as < 65536 else 23456, 9,
                       socket.inet_aton(my_id), len(params)) + params
    return msg(1, body)


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(prefixes, my_as, nh, origin=0):
    attrs = attr(0x40, 1, bytes([origin]))
    attrs += attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", my_as))
    attrs += attr(0x40, 3, socket.inet_aton(nh))
    nlri = b""
    for p in prefixes:
        a, ln = p.split("/")
        ln = int(ln)
        nlri += bytes([ln]) + socket.inet_aton(a)[: (ln + 7) // 8]
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_msg(s):
    hdr = read_exact(s, 19)
    length, mtype = struct.unpack("!HB", hdr[16:19])
    return mtype, read_exact(s, length - 19)


def handshake(s, my_as, my_id, send_open=True):
    mtype, _ = read_msg(s)
    assert mtype == 1, "expected OPEN, got %d" % mtype
    if not send_open:
        return
    s.sendall(open_msg(my_as, my_id))
    s.sendall(msg(4, b""))
    while True:                     # until cutoverd's KEEPALIVE: it is Established
        mtype, _ = read_msg(s)
        if mtype == 4:
            return
        if mtype == 3:
            raise RuntimeError("NOTIFICATION during handshake")


def wait_notification(s, timeout=10):
    s.settimeout(timeout)
    try:
        while True:
            mtype, body = read_msg(s)
            if mtype == 3:
                return "NOTIFICATION %d %d DATA '%s'" % (body[0], body[1], body[2:].hex())
    except (EOFError, ConnectionResetError):
        return "CLOSED"
    except socket.timeout:
        return "NONE"


def main():
    addr, port, my_as, my_id, wdir = sys.argv[1:6]
    my_as = int(my_as)
    cases = sys.argv[6:]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, int(port)))
    ls.listen(4)
    ls.settimeout(30)
    for case in cases:
        s, _ = ls.accept()
        s.settimeout(10)
        if case == "truncated-open":
            handshake(s, my_as, my_id, send_open=False)
            # OPEN whose length (25) is below the OPEN minimum (29): RFC 4271 6.1
            s.sendall(msg(1, bytes(6), length=25))
            print("CASE", case, wait_notification(s), flush=True)
            s.close()
            continue
        handshake(s, my_as, my_id)
        if case == "marker":
            s.sendall(msg(4, b"", marker=b"\xff" * 15 + b"\x00"))
        elif case == "length":
            s.sendall(msg(4, b"", length=18))
        elif case == "type":
            s.sendall(msg(9, b""))
        elif case == "attrlist":
            # Total Path Attribute Length (200) runs past the end of the message.
            s.sendall(msg(2, struct.pack("!HH", 0, 200) + bytes([0x40, 1, 1, 0])))
        elif case == "mp-reach-nh":
            # MP_REACH_NLRI for IPv4 unicast with a 5-octet next hop: RFC 7606 7.11
            mp = struct.pack("!HBB", 1, 1, 5) + bytes(5) + b"\x00" + bytes([24, 203, 0, 113])
            attrs = attr(0x40, 1, b"\x00") + attr(0x40, 2, b"") + attr(0x80, 14, mp)
            s.sendall(msg(2, struct.pack("!HH", 0, len(attrs)) + attrs))
            # Either a session reset or AFI/SAFI disable is RFC-correct: keep the
            # session alive for 3 s and report what happened.
            result = "NONE"
            for _ in range(3):
                s.sendall(msg(4, b""))
                r = wait_notification(s, timeout=1)
                if r != "NONE":
                    result = r
                    break
            print("CASE", case, result, flush=True)
            s.close()
            continue
        elif case == "maxpfx":
            # Three prefixes against max-prefix 2 with action stop: Cease/1 (RFC 4486)
            s.sendall(update(["192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26"], my_as, addr))
        elif case == "taw":
            s.sendall(update(["203.0.113.0/24"], my_as, addr))
            s.sendall(update(["203.0.113.0/24"], my_as, addr, origin=5))   # bad ORIGIN
            s.sendall(update(["203.0.114.0/24"], my_as, addr))
            open(os.path.join(wdir, "taw-sent"), "w").close()
            deadline = time.time() + 30
            result = "TIMEOUT"
            while time.time() < deadline:
                if os.path.exists(os.path.join(wdir, "taw-done")):
                    result = "ALIVE"
                    break
                s.sendall(msg(4, b""))
                s.settimeout(0.2)
                try:
                    mtype, body = read_msg(s)
                    if mtype == 3:
                        result = "NOTIFICATION %d %d" % (body[0], body[1])
                        break
                except socket.timeout:
                    pass
                except EOFError:
                    result = "CLOSED"
                    break
            print("CASE", case, result, flush=True)
            s.close()
            continue
        else:
            print("CASE", case, "UNKNOWN", flush=True)
            s.close()
            continue
        print("CASE", case, wait_notification(s), flush=True)
        s.close()
    ls.close()


if __name__ == "__main__":
    main()
