#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed programs for fuzz_pv_mm (encoding in tests/fuzz/fuzz_pv_mm.c).

Usage: pv_mm_seeds.py OUTDIR
"""
import os
import sys

P, RW, US, A = 0x01, 0x02, 0x04, 0x20
PCD, PWT, PAT, PSE = 0x10, 0x08, 0x80, 0x80
IDX = {255: 192, 256: 193, 258: 194, 271: 195, 272: 196, 511: 197, 300: 198, 510: 199}


def idx(i):
    return i if i < 8 else IDX[i]


def store(frame, i, target, lo, ext=0):
    return bytes([0, frame, idx(i), target, lo, ext])


def mod(dom, frame, i, target, lo, ext=0, flags=0):
    return bytes([1, dom | flags, frame, idx(i), target, lo, ext])


def pin(dom, frame, level):
    return bytes([2, dom | (level << 1), frame])


def unpin(dom, frame):
    return bytes([3, dom, frame])


def baseptr(dom, slot, frame):
    return bytes([4, dom | (slot << 1), frame])


def unroot(dom, slot):
    return bytes([5, dom | (slot << 1)])


def m2p(dom, frame, pfn):
    return bytes([6, dom, frame, pfn])


def tree(l4, l3, l2, l1, data, extra=b""):
    return (store(l4, 511, l3, P | RW) + store(l3, 510, l2, P | RW) +
            store(l2, 0, l1, P | RW) + store(l1, 0, data, P | RW) + extra)


def start_of_day():
    s = tree(1, 2, 3, 4, 5)
    s += b"".join(store(4, f, f, P) for f in (1, 2, 3))
    s += pin(0, 1, 4) + baseptr(0, 0, 1)
    s += store(8, 0, 4, P | RW) + store(7, 510, 8, P | RW) + store(6, 511, 7, P | RW)
    s += pin(0, 6, 4) + unpin(0, 1) + baseptr(0, 0, 6)
    s += b"".join(mod(0, 4, f, f, P | RW, flags=4) for f in (1, 2, 3))
    s += mod(0, 1, 511, 0, 0) + pin(0, 1, 4)
    return s


def cross_domain():
    s = tree(24, 25, 26, 27, 28) + pin(1, 24, 4) + baseptr(1, 1, 24)
    s += mod(1, 27, 1, 5, P) + mod(1, 27, 1, 49, P) + mod(1, 26, 1, 4, P)
    s += pin(0, 4, 1) + mod(1, 26, 1, 4, P) + mod(1, 27, 2, 24, P | RW)
    s += mod(1, 27, 3, 24, P) + m2p(1, 27, 7) + m2p(1, 3, 7)
    return s


def io_and_flags():
    s = pin(0, 10, 1)
    s += mod(0, 10, 0, 56, P | RW) + mod(0, 10, 1, 64, P | PAT) + mod(0, 10, 2, 60, P)
    s += mod(0, 10, 3, 11, P | PCD | PWT) + mod(1, 30, 0, 56, P)
    s += store(12, 0, 13, P | PSE) + pin(0, 12, 2) + store(12, 0, 13, P, 0x40) + pin(0, 12, 2)
    s += store(12, 0, 12, P) + pin(0, 12, 2) + store(12, 0, 13, P) + pin(0, 12, 2)
    s += mod(0, 12, 1, 12, P) + mod(0, 12, 256, 13, P) + unpin(0, 12) + unpin(0, 12)
    return s


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in (("start_of_day", start_of_day()), ("cross_domain", cross_domain()),
                       ("io_and_flags", io_and_flags())):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
