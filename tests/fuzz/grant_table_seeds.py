#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed programs for fuzz_grant_table (encoding in tests/fuzz/fuzz_grant_table.c).

Usage: grant_table_seeds.py OUTDIR
"""
import os
import sys

ID0, ID5, SELF, OTHER = 0, 1, 2, 3          # dom_of() indices
PA, PA_RO, INVALID, SUBPAGE = 0, 1, 2, 3    # grant flag choices
DEV, HOST, RO, APP = 1, 2, 4, 8             # GNTMAP_* bits in the map byte
VA, PTE, NOADDR = 0x00, 0x10, 0x20          # addr_of() modes (| slot)


def op(code, dom, a=0, b=0, c=0, d=0):
    return bytes([code, dom, a, b, c, d])


def grant(dom, ref, flags, to, frame):
    return op(0, dom, ref, flags, to, frame)


def map_(dom, rdom, ref, flags, addr):
    return op(1, dom, rdom, ref, flags, addr)


def unmap(dom, handle, addr, bus=0):
    return op(2, dom, handle, addr, bus)


# Frames: frame_of(b) < 64 is a domain frame (0-15 D0, 16-31 D1).
D0F, D1F = 3, 19

SEEDS = {
    # D1 grants to D0; D0 maps host RW by VA, RO by PTE, device; unmaps all.
    "cross": grant(1, 1, PA, ID0, D1F) + map_(0, ID5, 1, HOST, VA | 1) +
    map_(0, ID5, 1, HOST | RO, PTE | 2) + map_(0, ID5, 1, DEV, NOADDR) +
    unmap(0, 0, VA | 1) + unmap(0, 1, PTE | 2) + unmap(0, 2, NOADDR, 0x80 + D1F),
    # Self grants and copies in every direction.
    "self_copy": grant(0, 2, PA, ID0, D0F) + op(4, 0, 1, 2, D0F + 1, 0x41) +
    op(4, 0, 2, D0F + 1, 2, 0x09) + op(4, 0, 3, 2, 2, 0xc2) + op(4, 0, 0, D0F, D0F + 2, 0x80),
    # A read-only grant mapped writable, the grant ended while mapped.
    "hostile": grant(1, 3, PA_RO, ID0, D1F) + map_(0, ID5, 3, HOST, VA | 3) +
    map_(0, ID5, 3, HOST | RO, VA | 3) + grant(1, 3, INVALID, ID0, D1F + 1) +
    unmap(0, 0, VA | 3) + unmap(0, 0, VA | 3) + map_(0, SELF, 3, DEV, NOADDR),
    # The grantee overwrites its grant PTE, then the granter dies, then the grantee.
    "teardown": grant(1, 4, PA, ID0, D1F) + map_(0, ID5, 4, HOST, VA | 4) +
    op(5, 0, 4, 0x42) + unmap(0, 0, VA | 4) + map_(0, ID5, 4, DEV, NOADDR) + op(9, 1) +
    unmap(0, 1, NOADDR, 0x80 + D1F) + op(9, 0),
    # Table growth, swaps, cache flushes, unmap_and_replace.
    "misc": op(6, 1, 4, SELF) + grant(1, 5, PA, ID0, D1F) + op(7, 1, 5, 6) +
    map_(0, ID5, 6, HOST, VA | 5) + op(5, 0, 6, 0x43) + op(3, 0, 0, VA | 5, 6) +
    op(8, 0, D1F, 1) + op(8, 0, D0F, 2) + op(6, 0, 3, ID5),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
