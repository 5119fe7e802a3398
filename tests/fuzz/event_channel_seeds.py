#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed programs for fuzz_event_channel (encoding in tests/fuzz/fuzz_event_channel.c).

Usage: event_channel_seeds.py OUTDIR
"""
import os
import sys

D1 = 0x10                     # acting domain bit
SELF, ID0, ID5, UNKNOWN = 0, 1, 2, 3


def op(code, *args, dom=0, vcpu=0):
    return bytes([code | (D1 if dom else 0) | (vcpu << 5)] + list(args) + [0] * (4 - len(args)))


def alloc(target, remote, dom=0):
    return op(0, target, remote, dom=dom)


def bind_inter(rdom, rport, dom=0):
    return op(1, rdom, rport, dom=dom)


def virq(v, vcpu, dom=0):
    return op(2, v, vcpu, dom=dom)


def ipi(vcpu, dom=0):
    return op(3, vcpu, dom=dom)


def close(port, dom=0):
    return op(4, port, dom=dom)


def send(port, dom=0):
    return op(5, port, dom=dom)


def status(target, port, dom=0):
    return op(6, target, port, dom=dom)


def guest(kind, port, dom=0, vcpu=0):
    return op(10, kind, port, dom=dom, vcpu=vcpu)


SEEDS = {
    # D1 offers a port to D0, D0 binds, both send, both close.
    "interdomain": alloc(SELF, ID0, dom=1) + bind_inter(ID5, 1) + send(1, dom=1) + send(1) +
    status(SELF, 1) + status(ID5, 1) + close(1, dom=1) + bind_inter(ID0, 1, dom=1) + close(1),
    # Linux dom0's start: IPIs, VIRQs, alloc_unbound(SELF, SELF), masks.
    "dom0_boot": ipi(0) + ipi(0) + ipi(0) + ipi(0) + virq(0, 0) + virq(1, 0) + virq(2, 0) +
    virq(9, 0) + alloc(SELF, SELF) + guest(1, 1) + send(1) + op(8, 1) + op(11, 0) + op(11, 2),
    # Polls: pending port, a timeout, a wake by send.
    "poll": ipi(1) + op(12 | (1 << 5), 1, 1) + op(12 | (1 << 5), 0x81, 1, 50) + op(13, 60) +
    op(12 | (2 << 5), 1, 1) + send(1),
    # Loopback and reset.
    "loopback": alloc(SELF, SELF) + bind_inter(SELF, 1) + send(1) + send(2) + op(9, SELF) +
    status(SELF, 2),
    # Destroy D1 with links to D0.
    "destroy": alloc(SELF, ID0, dom=1) + bind_inter(ID5, 1) + virq(0, 1, dom=1) + op(15, 0) +
    status(SELF, 1) + send(1),
    # Errors: bad ports, twice-bound VIRQs, bad pointers.
    "errors": close(0) + close(250) + send(3) + virq(0, 0) + virq(0, 0) + virq(2, 1) +
    virq(25, 0) + op(15, 4, 5, 0) + op(15, 4, 200, 0) + op(15, 1, 3) + op(15, 2, 1, 3),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
