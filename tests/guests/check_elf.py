#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Static checks of PV test-guest images, the ones a Xen-compatible loader
applies (Xen libelf: elf_xen_note_check, elf_xen_addr_calc_check) plus the
layout the framework promises: segments placed by p_paddr = p_vaddr -
VIRT_BASE, the Xen notes in a PT_NOTE, a HYPERCALL_PAGE note exactly in the
-hcpage variants.  binutils' readelf -n does not decode the "Xen" notes, so
this prints them decoded.  Usage: check_elf.py IMAGE..."""
import struct
import sys
from pathlib import Path

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
NOTES = {1: "ENTRY", 2: "HYPERCALL_PAGE", 3: "VIRT_BASE", 4: "PADDR_OFFSET",
         5: "XEN_VERSION", 6: "GUEST_OS", 7: "GUEST_VERSION", 8: "LOADER",
         9: "PAE_MODE", 10: "FEATURES", 11: "BSD_SYMTAB", 12: "HV_START_LOW",
         13: "L1_MFN_VALID", 14: "SUSPEND_CANCEL", 15: "INIT_P2M",
         16: "MOD_START_PFN", 17: "SUPPORTED_FEATURES", 18: "PHYS32_ENTRY"}
STRING_NOTES = {"XEN_VERSION", "GUEST_OS", "GUEST_VERSION", "LOADER", "PAE_MODE",
                "FEATURES", "BSD_SYMTAB"}
XENFEAT_DOM0 = 11


def parse(path):
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian ELF64 file")
    (e_type, e_machine, _, e_entry, e_phoff, _, _, _, e_phentsize,
     e_phnum) = struct.unpack_from("<HHIQQQIHHH", data, 16)
    phdrs = [struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)
             for i in range(e_phnum)]
    notes = {}
    for p_type, _, off, _, _, filesz, _, _ in phdrs:
        if p_type != PT_NOTE:
            continue
        pos, end = off, off + filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0").decode()
            dpos = pos + 12 + ((namesz + 3) & ~3)
            desc = data[dpos:dpos + descsz]
            pos = dpos + ((descsz + 3) & ~3)
            if name != "Xen":
                continue
            key = NOTES.get(ntype, f"type {ntype}")
            if key in notes:
                raise ValueError(f"duplicate Xen note {key}")
            if key in STRING_NOTES:
                if not desc.endswith(b"\0"):
                    raise ValueError(f"Xen note {key} is not NUL-terminated")
                notes[key] = desc[:-1].decode()
            elif descsz in (4, 8):
                notes[key] = int.from_bytes(desc, "little")
            else:
                notes[key] = desc
    return e_type, e_machine, e_entry, phdrs, notes


def check(path):
    errors = []
    e_type, e_machine, e_entry, phdrs, notes = parse(path)
    if e_type != 2 or e_machine != 62:
        errors.append(f"not an x86-64 ET_EXEC (type {e_type}, machine {e_machine})")
    if any(p[0] in (PT_DYNAMIC, PT_INTERP) for p in phdrs):
        errors.append("has PT_DYNAMIC or PT_INTERP: must be static")
    loads = [p for p in phdrs if p[0] == PT_LOAD]
    if not any(p[0] == PT_NOTE for p in phdrs):
        errors.append("no PT_NOTE segment")
    for key in ("ENTRY", "VIRT_BASE", "PADDR_OFFSET", "XEN_VERSION", "SUPPORTED_FEATURES"):
        if key not in notes:
            errors.append(f"Xen note {key} missing")
    if errors:
        return errors, notes
    # Xen: LOADER "generic" or GUEST_OS "linux"; XEN_VERSION "xen-3.0*".
    if not notes.get("LOADER", "").startswith("generic") and \
            not notes.get("GUEST_OS", "").startswith("linux"):
        errors.append("neither LOADER=generic nor GUEST_OS=linux: Xen refuses the image")
    if not notes["XEN_VERSION"].startswith("xen-3.0"):
        errors.append(f"XEN_VERSION {notes['XEN_VERSION']!r} is not xen-3.0*")
    if not notes["SUPPORTED_FEATURES"] & (1 << XENFEAT_DOM0):
        errors.append("SUPPORTED_FEATURES lacks XENFEAT_dom0: Xen refuses it as dom0")
    if notes["ENTRY"] != e_entry:
        errors.append(f"ENTRY note {notes['ENTRY']:#x} != e_entry {e_entry:#x}")
    virt_base, paddr_offset = notes["VIRT_BASE"], notes["PADDR_OFFSET"]
    virt_offset = (virt_base - paddr_offset) % 2**64
    for (_, flags, _, vaddr, paddr, filesz, memsz, _) in loads:
        if (paddr + virt_offset) % 2**64 != vaddr:
            errors.append(f"segment at {vaddr:#x}: p_paddr {paddr:#x} is not p_vaddr - "
                          f"VIRT_BASE + PADDR_OFFSET")
        if vaddr % 4096 or paddr % 4096:
            errors.append(f"segment at {vaddr:#x} is not page aligned")
        if memsz < filesz:
            errors.append(f"segment at {vaddr:#x}: memsz < filesz")
    pstart = min(p[4] for p in loads)
    pend = max(p[4] + p[6] for p in loads)
    kstart, kend = (pstart + virt_offset) % 2**64, (pend + virt_offset) % 2**64
    if not virt_base <= kstart <= notes["ENTRY"] < kend:
        errors.append(f"not VIRT_BASE <= kernel start {kstart:#x} <= ENTRY < end {kend:#x}")
    hcpage = "HYPERCALL_PAGE" in notes
    if hcpage != Path(path).stem.endswith("-hcpage"):
        errors.append("HYPERCALL_PAGE note present" if hcpage else "HYPERCALL_PAGE note missing")
    if hcpage:
        va = notes["HYPERCALL_PAGE"]
        if va % 4096 or not kstart <= va < kend:
            errors.append(f"HYPERCALL_PAGE {va:#x} not a page inside the image")
    return errors, notes


def show(value):
    return f"{value:#x}" if isinstance(value, int) else repr(value)


def main(paths):
    failed = False
    for path in paths:
        try:
            errors, notes = check(path)
        except (OSError, ValueError, struct.error) as err:
            errors, notes = [str(err)], {}
        status = "FAIL" if errors else "ok"
        print(f"{status:4} {path}: " + ", ".join(f"{k}={show(v)}" for k, v in notes.items()))
        for err in errors:
            print(f"     {err}")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
