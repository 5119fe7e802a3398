#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz_xenstored: step sequences (see tests/fuzz/fuzz_xenstored.c)
covering each message type from each connection, transactions, watches,
raw split input and ring traffic."""
import os
import struct
import sys

TYPES = ["CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
         "TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE",
         "GET_DOMAIN_PATH", "WRITE", "MKDIR", "RM", "SET_PERMS", "WATCH_EVENT",
         "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", "RETIRED",
         "RESET_WATCHES", "DIRECTORY_PART"]
T = {n: i for i, n in enumerate(TYPES)}


def msg(conn, typ, payload, tx=0):
    return bytes([conn, T[typ], tx]) + struct.pack("<H", len(payload)) + payload


def main(out):
    os.makedirs(out, exist_ok=True)
    seeds = {
        "write_read": msg(0, "WRITE", b"/a/b\0v") + msg(0, "READ", b"/a/b\0") +
        msg(0, "DIRECTORY", b"/a\0") + msg(0, "DIRECTORY_PART", b"/a\0" b"0\0"),
        "perms": msg(1, "WRITE", b"x/y\0v") + msg(1, "SET_PERMS", b"x/y\0n1\0r2\0") +
        msg(2, "READ", b"/local/domain/1/x/y\0") + msg(1, "GET_PERMS", b"x/y\0") +
        msg(2, "WRITE", b"/local/domain/1/x/y\0no"),
        "txn": msg(0, "TRANSACTION_START", b"\0") + msg(0, "WRITE", b"/t\0" b"1", tx=1) +
        msg(0, "WRITE", b"/t\0" b"2") + msg(0, "TRANSACTION_END", b"T\0", tx=1) +
        msg(1, "TRANSACTION_START", b"\0") + msg(1, "RM", b"x\0", tx=1) +
        msg(1, "TRANSACTION_END", b"F\0", tx=1),
        "watch": msg(0, "WATCH", b"/w\0tok\0") + msg(1, "WATCH", b"rel\0t\0") +
        msg(0, "WRITE", b"/w/x\0" b"1") + msg(0, "RM", b"/w\0") +
        msg(0, "WATCH", b"@releaseDomain\0r\0") + msg(0, "RELEASE", b"3\0") +
        msg(0, "RESET_WATCHES", b""),
        "domains": msg(0, "INTRODUCE", b"5\0" b"1\0" b"2\0") +
        msg(0, "IS_DOMAIN_INTRODUCED", b"5\0") + msg(0, "SET_TARGET", b"5\0" b"3\0") +
        msg(0, "RESUME", b"5\0") + msg(0, "GET_DOMAIN_PATH", b"5\0") +
        msg(0, "CONTROL", b"quota\0set\0nodes\0" b"3\0") + msg(0, "CONTROL", b"help\0"),
        "raw_split": bytes([3, 0, 7]) + struct.pack("<IIII", 2, 1, 0, 6)[:7] +
        bytes([3, 0, 15]) + struct.pack("<IIII", 2, 1, 0, 6)[7:] + b"/tool\0",
        "raw_huge": bytes([3, 1, 16]) + struct.pack("<IIII", 2, 1, 0, 0x10000),
        "ring": bytes([6, 10, 2]) + b"/local/d\0\0" + bytes([6, 7, 12]) +
        b"x\0y\0\0\0\0" + bytes([4, 0x10, 0x08, 0xff]),
        "stall": bytes([5, 0]) + msg(0, "READ", b"/tool\0") * 30 + bytes([5, 0, 7]),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
