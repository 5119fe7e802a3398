# SPDX-License-Identifier: MIT
"""Smoke test of build/tools/xenstored over a real Unix socket, speaking the
xenstore wire protocol with the standard library only (no QEMU):
  /usr/bin/python3 -m pytest tests/integration/test_xenstored_daemon.py
Needs 'make build/tools/xenstored' first (skipped otherwise)."""
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("KEEL_BUILD", "build"), "tools", "xenstored")
READ, DIRECTORY, WRITE, WATCH, WATCH_EVENT, ERROR, RM = 2, 1, 11, 4, 15, 16, 13

pytestmark = pytest.mark.skipif(not os.path.exists(BIN), reason="xenstored not built")


class Client:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(5)
        self.s.connect(path)
        self.rid = 0
        self.events = []

    def recv_msg(self):
        hdr = b""
        while len(hdr) < 16:
            hdr += self.s.recv(16 - len(hdr))
        typ, rid, tx, length = struct.unpack("<IIII", hdr)
        data = b""
        while len(data) < length:
            data += self.s.recv(length - len(data))
        return typ, rid, data

    def req(self, typ, payload):
        self.rid += 1
        self.s.sendall(struct.pack("<IIII", typ, self.rid, 0, len(payload)) + payload)
        while True:
            t, rid, data = self.recv_msg()
            if t == WATCH_EVENT:
                self.events.append(data)
                continue
            assert rid == self.rid
            return t, data


@pytest.fixture
def daemon():
    d = tempfile.mkdtemp()
    sock = os.path.join(d, "socket")
    p = subprocess.Popen([BIN, "--foreground", "--socket", sock,
                          "--journal", os.path.join(d, "journal")])
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    yield sock, p, d
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        assert p.wait(5) == 0


def test_write_read_directory_error(daemon):
    c = Client(daemon[0])
    assert c.req(WRITE, b"/a/b\0hello") == (WRITE, b"OK\0")
    assert c.req(READ, b"/a/b\0") == (READ, b"hello")
    assert c.req(DIRECTORY, b"/a\0") == (DIRECTORY, b"b\0")
    assert c.req(READ, b"/missing\0") == (ERROR, b"ENOENT\0")
    assert c.req(READ, b"/bad//path\0") == (ERROR, b"EINVAL\0")
    assert c.req(99, b"") == (ERROR, b"ENOSYS\0")


def test_watch_between_clients(daemon):
    w, c = Client(daemon[0]), Client(daemon[0])
    assert w.req(WATCH, b"/w\0tok\0") == (WATCH, b"OK\0")
    assert w.recv_msg()[2] == b"/w\0tok\0"          # the initial event
    assert c.req(WRITE, b"/w/x\0" b"1") == (WRITE, b"OK\0")
    assert w.recv_msg() == (WATCH_EVENT, 0, b"/w/x\0tok\0")
    # RM fires the removed root's watches (descendants fire only watches on
    # exactly themselves, as in Xen).
    assert c.req(RM, b"/w\0") == (RM, b"OK\0")
    assert w.recv_msg() == (WATCH_EVENT, 0, b"/w\0tok\0")


def test_oversized_message_disconnects(daemon):
    c = Client(daemon[0])
    c.s.sendall(struct.pack("<IIII", READ, 1, 0, 5000))
    assert c.s.recv(16) == b""
    assert Client(daemon[0]).req(READ, b"/tool\0") == (READ, b"")


def test_journal_survives_restart(daemon):
    sock, p, d = daemon
    assert Client(sock).req(WRITE, b"/keep/me\0value") == (WRITE, b"OK\0")
    p.send_signal(signal.SIGTERM)
    assert p.wait(5) == 0
    p2 = subprocess.Popen([BIN, "-N", "--socket", sock, "--journal", os.path.join(d, "journal")])
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        assert Client(sock).req(READ, b"/keep/me\0") == (READ, b"value")
    finally:
        p2.send_signal(signal.SIGTERM)
        assert p2.wait(5) == 0


def test_bad_option():
    r = subprocess.run([BIN, "--entry-nb", "x"], capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.count("\n") == 1 and "entry-nb" in r.stderr


def start(args, *socks):
    """xenstored with args; waits until every socket in socks exists."""
    p = subprocess.Popen([BIN, "--foreground", *args])
    for _ in range(100):
        if all(os.path.exists(s) for s in socks):
            break
        time.sleep(0.05)
    return p


def stop(p):
    p.send_signal(signal.SIGTERM)
    assert p.wait(5) == 0


SET_PERMS = 14


def test_quota_options_apply():
    """--entry-nb and --watch-nb set domain 7's limits (seen through
    --unprivileged-socket); dom0 is not limited by them."""
    d = tempfile.mkdtemp()
    sock, dom7 = os.path.join(d, "socket"), os.path.join(d, "dom7")
    p = start(["--socket", sock, "--unprivileged-socket", f"7:{dom7}", "--entry-nb", "3",
               "--watch-nb", "2"], sock, dom7)
    try:
        dom0, guest = Client(sock), Client(dom7)
        assert dom0.req(WRITE, b"/local/domain/7\0") == (WRITE, b"OK\0")
        assert dom0.req(SET_PERMS, b"/local/domain/7\0n7\0") == (SET_PERMS, b"OK\0")
        # The handed-over home counts as one of its 3 nodes: two more fit.
        for i in range(2):
            assert guest.req(WRITE, b"/local/domain/7/n%d\0v" % i) == (WRITE, b"OK\0")
        assert guest.req(WRITE, b"/local/domain/7/n9\0v") == (ERROR, b"ENOSPC\0")
        for i in range(2):
            t, _ = guest.req(WATCH, b"/local/domain/7\0tok%d\0" % i)
            assert t == WATCH
        assert guest.req(WATCH, b"/local/domain/7\0tok9\0") == (ERROR, b"E2BIG\0")
        for i in range(5):
            assert dom0.req(WRITE, b"/dom0/n%d\0v" % i) == (WRITE, b"OK\0")
    finally:
        stop(p)
