#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz_ptwr_decode: the PTE instructions Linux emits, each after
the 9-byte header (register pattern, old entry) of tests/fuzz/fuzz_ptwr_decode.c.

Usage: ptwr_seeds.py OUTDIR
"""
import os
import sys

PTE = (0x800000012345F067).to_bytes(8, "little")
INSNS = {
    "mov_rsi": "48 89 37",
    "movq_imm0": "48 c7 07 00 00 00 00",
    "movl_rip": "89 05 10 00 00 00",
    "movb_ah": "88 27",
    "xchg_rax": "48 87 07",
    "xchg_r8_sib": "4e 87 04 a7",
    "lock_andb": "f0 80 27 fd",
    "ds_andb": "3e 80 27 fd",
    "lock_and_r": "f0 48 21 37",
    "lock_and_ibs": "f0 48 83 27 fd",
    "lock_orb": "f0 80 0f 40",
    "lock_or_iz": "f0 66 81 0f 00 01",
    "lock_btr_imm": "f0 48 0f ba 37 05",
    "lock_btr_reg": "f0 48 0f b3 37",
    "lock_bts_imm": "f0 0f ba 2f 01",
    "lock_bts_reg_disp": "f0 4c 0f ab 47 f8",
    "lock_cmpxchg": "f0 48 0f b1 37",
    "lock_cmpxchg8": "f0 40 0f b0 37",
    "lock_cmpxchg_r13": "f0 4d 0f b1 6d 00",
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for pattern, (name, hexbytes) in enumerate(INSNS.items()):
        data = bytes([pattern * 13 & 0xff]) + PTE + bytes.fromhex(hexbytes)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
