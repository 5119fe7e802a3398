#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Prove abi_check.py can fail.

For each drift below: copy our public headers to a scratch tree, apply the
drift, run the checker on the copy, and require that it exits non-zero,
reports the drifted item as FAIL and closes with a non-zero failure count.
This test passes only if the checker catches every drift.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# (description, header, old text, new text, item that must be reported)
DRIFTS = [
    ("constant value", "xen.h",
     "#define __HYPERVISOR_mmu_update            1 ",
     "#define __HYPERVISOR_mmu_update            99 ",
     "[tools] __HYPERVISOR_mmu_update"),
    ("field offset", "xen.h",
     "uint16_t cursor_x, cursor_y; /* column, row */",
     "uint16_t cursor_y, cursor_x; /* column, row */",
     "[tools] struct dom0_vga_console_info.u.text_mode_3.cursor_x"),
    ("field size", "xen.h",
     "uint8_t evtchn_upcall_mask;    /* IN: guest's \"interrupts off\" */",
     "uint16_t evtchn_upcall_mask;   /* IN: guest's \"interrupts off\" */",
     "[tools] struct vcpu_info.evtchn_upcall_mask"),
    ("tools-only header constant", "domctl.h",
     "#define XEN_DOMCTL_getdomaininfo               5\n",
     "#define XEN_DOMCTL_getdomaininfo               6\n",
     "[tools] XEN_DOMCTL_getdomaininfo"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--theirs", default="/usr/include/xen")
    ap.add_argument("--build", required=True)
    ap.add_argument("--allowlist")
    ap.add_argument("--cc", default="clang")
    args = ap.parse_args()

    ok = 0
    for n, (what, hdr, old, new, item) in enumerate(DRIFTS):
        work = os.path.abspath(os.path.join(args.build, "drift%d" % n))
        tree = os.path.join(work, "public")
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(args.ours, tree)
        path = os.path.join(tree, hdr)
        with open(path) as fh:
            text = fh.read()
        if text.count(old) != 1:
            print("FAIL  %s: drift anchor not found once in %s: %r" % (what, hdr, old))
            continue
        with open(path, "w") as fh:
            fh.write(text.replace(old, new))
        cmd = [sys.executable, os.path.join(HERE, "abi_check.py"),
               "--ours", tree, "--theirs", args.theirs,
               "--build", os.path.join(work, "check"), "--cc", args.cc,
               "--modes", "tools"]
        if args.allowlist:
            cmd += ["--allowlist", args.allowlist]
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
        lines = res.stdout.splitlines()
        flagged = any(l.startswith("FAIL  ") and l[6:].startswith(item + " ")
                      for l in lines)
        summary = re.fullmatch(r"abi-check: \d+ passed, ([1-9]\d*) failed",
                               lines[-1] if lines else "")
        if res.returncode != 0 and flagged and summary:
            print("PASS  drift caught: %s (%s)" % (what, item))
            ok += 1
        else:
            print("FAIL  drift NOT caught: %s (%s): exit %d, last line %r"
                  % (what, item, res.returncode, lines[-1] if lines else ""))
            print("\n".join(l for l in lines if l.startswith("FAIL")))
    failed = len(DRIFTS) - ok
    print("abi-negative: %d passed, %d failed" % (ok, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
