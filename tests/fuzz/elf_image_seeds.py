#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seed corpus for fuzz_elf_image: a few small valid PV kernel images.

Usage: elf_image_seeds.py OUTDIR

Writes a Debian-6.1-like ELF64 kernel in miniature (three PT_LOADs, the
second with vaddr 0, a PT_NOTE with GNU, Linux and Xen notes, section
headers), the same with notes only in an SHT_NOTE section, one with 4-byte
numeric notes and a hypercall page, and bzImages wrapping an ELF and an xz
stub.
"""
import os
import struct
import sys

KBASE = 0xFFFFFFFF80000000
PSTART = 0x1000000


def note(name, ntype, desc):
    name_b = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name_b), len(desc), ntype) + pad(name_b) + pad(desc)


def xen_notes(small=False, hypercall=False):
    q = (lambda v: struct.pack("<I", v)) if small else (lambda v: struct.pack("<Q", v))
    base = 0 if small else KBASE
    n = [
        note("GNU", 3, bytes(20)),
        note("Linux", 6, b"6.1.0\0"),
        note("Xen", 6, b"linux\0"),
        note("Xen", 7, b"2.6\0"),
        note("Xen", 5, b"xen-3.0\0"),
        note("Xen", 3, q(base)),
        note("Xen", 1, q(base + PSTART + 0x1C0)),
        note("Xen", 4, q(0)),
        note("Xen", 10, b"!writable_page_tables|pae_pgdir_above_4gb\0"),
        note("Xen", 17, struct.pack("<I", 0x8801)),
        note("Xen", 9, b"yes\0"),
        note("Xen", 8, b"generic\0"),
        note("Xen", 13, struct.pack("<QQ", 1, 1)),
        note("Xen", 14, struct.pack("<I", 1)),
        note("Xen", 12, struct.pack("<Q", 0xFFFF800000000000)),
        note("Xen", 15, struct.pack("<Q", 0x8000000000)),
        note("Xen", 16, struct.pack("<I", 1)),
        note("Xen", 18, struct.pack("<I", 0x1000850)),
    ]
    if hypercall:
        n.append(note("Xen", 2, q(base + PSTART + 0x1000)))
    return b"".join(n)


def elf(notes, note_segment=True, small=False):
    base = 0 if small else KBASE
    segs = [  # offset, paddr, vaddr, filesz, memsz, flags, fill
        (0x1000, PSTART, base + PSTART, 0x1800, 0x2000, 5, 0x11),
        (0x2800, PSTART + 0x2000, 0, 0x100, 0x1000, 6, 0x22),
        (0x2900, PSTART + 0x3000, base + PSTART + 0x3000, 0x800, 0x3000, 7, 0x33),
    ]
    shoff, nph, nsh = 0x3100, 4, 3
    shstr = b"\0.notes\0__xen_guest\0.shstrtab\0"
    img = bytearray(shoff + nsh * 64 + len(shstr))
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    img[0:64] = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, PSTART, 0x40, shoff, 0,
                                    64, 56, nph, 64, nsh, 2)
    for i, (off, pa, va, fs, ms, fl, fill) in enumerate(segs):
        img[0x40 + i * 56:0x40 + (i + 1) * 56] = struct.pack("<IIQQQQQQ", 1, fl, off, va, pa,
                                                             fs, ms, 0x1000)
        img[off:off + fs] = bytes([fill]) * fs
    img[0x200:0x200 + len(notes)] = notes
    ptype = 4 if note_segment else 0
    img[0x40 + 3 * 56:0x40 + 4 * 56] = struct.pack("<IIQQQQQQ", ptype, 4, 0x200,
                                                   base + PSTART + 0x200, PSTART + 0x200,
                                                   len(notes), len(notes), 4)
    sh = bytes(64)
    sh += struct.pack("<IIQQQQIIQQ", 1, 7, 2, 0, 0x200, len(notes), 0, 0, 4, 0)
    sh += struct.pack("<IIQQQQIIQQ", 20, 3, 0, 0, shoff + nsh * 64, len(shstr), 0, 0, 1, 0)
    img[shoff:shoff + len(sh)] = sh
    img[shoff + len(sh):] = shstr
    return bytes(img)


def bzimage(payload, setup_sects=3):
    start = (setup_sects + 1) * 512
    img = bytearray(start)
    img[0x1F1] = setup_sects
    img[0x1FE:0x200] = b"\x55\xaa"
    img[0x202:0x206] = b"HdrS"
    img[0x206:0x208] = struct.pack("<H", 0x020F)
    img[0x248:0x250] = struct.pack("<II", 0, len(payload))
    return bytes(img) + payload


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    xz_stub = b"\xfd7zXZ\0" + bytes(26) + struct.pack("<I", 0x6000)
    seeds = {
        "elf-debian-like": elf(xen_notes()),
        "elf-shnote-only": elf(xen_notes(), note_segment=False),
        "elf-small-hypercall": elf(xen_notes(small=True, hypercall=True), small=True),
        "bzimage-elf": bzimage(elf(xen_notes())),
        "bzimage-xz": bzimage(xz_stub, setup_sects=0),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
