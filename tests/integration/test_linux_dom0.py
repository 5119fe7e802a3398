# SPDX-License-Identifier: MIT
"""Debian's unmodified kernel booted as a 64-bit PV dom0.

One boot: Keel from -kernel with "console=com1 dom0_mem=512M", multiboot
module 1 the cached Debian bzImage with its command line, module 2 the
busybox initramfs (scripts/fetch-linux.sh, scripts/mkinitramfs.sh; 'make
linux-image linux-initramfs'). Linux's console (early printk and hvc0) goes
through console_io, which Keel prints raw, so Linux's lines are looked for
in the whole serial log, not only in Keel's tagged lines.

The tests assert the milestones in order, each on the same boot:
  1. Keel unpacked the bzImage ("Dom0 kernel: bzImage ... xz payload ...");
  2. Linux printed its first line (the "Linux version" banner, or
     xen_start_kernel's "mapping kernel into physical memory");
  3. Linux sized its memory ("Memory: <n>K/<m>K available") — the pass
     condition for now.
Every failure message says how far the boot got: the furthest milestone
(later ones too: init started, the init's RESULT line), Keel's last line,
any "Domain 0 crashed" reason with the faulting RIP named from
cache/linux/System.map when 'scripts/fetch-linux.sh --dbg' has fetched it,
and the serial log's last lines. The full log is
build/test-logs/linux-dom0.log; the same summary is written beside it as
linux-dom0.summary.

These tests carry the linux_dom0 marker: 'make integration' runs them with
the rest, 'make test-linux-dom0' runs them alone (with a longer boot
timeout). They fail, never skip, when Linux does not get there.
"""
import bisect
import re

import pytest

from keelqemu import LOG_DIR, REPO, Scenario

LINUX_CACHE = REPO / "cache" / "linux"
VMLINUZ = LINUX_CACHE / "vmlinuz"
INITRAMFS = LINUX_CACHE / "initramfs.cpio.gz"
SYSTEM_MAP = LINUX_CACHE / "System.map"

KEEL_ARGS = "console=com1 dom0_mem=512M"
# keel.test=boot: the initramfs's /init prints its RESULT line and powers
# off once it runs (scripts/mkinitramfs.sh).
LINUX_ARGS = ("console=hvc0 earlyprintk=xen loglevel=8 acpi=off xen.fifo_events=0 "
              "swiotlb=noforce nosmap noapictimer keel.test=boot")
TAIL = 40

DOM0_KERNEL = r"^Dom0 kernel: bzImage.*xz payload"
LINUX_FIRST = r"Linux version \S+|mapping kernel into physical memory"
LINUX_MEMORY = r"Memory: \d+K/\d+K available"
INIT_STARTED = r"KEEL-DOM0: init started"
INIT_RESULT = r"KEEL-DOM0: RESULT: (PASS|FAIL) .*"
CRASHED = r"^Domain 0 crashed: (.*)$"
FATAL = r"^\*\*\* Fatal exception in hypervisor"

# (what, where, regex): where is "keel" (Keel's tagged lines) or "serial".
MILESTONES = [
    ("Keel unpacked the bzImage", "keel", DOM0_KERNEL),
    ("Linux printed its first line", "serial", LINUX_FIRST),
    ("Linux sized its memory", "serial", LINUX_MEMORY),
    ("the initramfs /init started", "serial", INIT_STARTED),
    ("/init printed its result", "serial", INIT_RESULT),
]


class LinuxScenario(Scenario):
    """A Scenario whose -initrd carries two multiboot modules, the kernel
    and its initramfs, from cache/linux/ (Scenario's own initrd names one
    file under the build directory)."""

    def qemu_argv(self):
        modules = [f"{VMLINUZ} {LINUX_ARGS}", str(INITRAMFS)]
        # QEMU splits -initrd at commas; a comma inside one is doubled.
        return super().qemu_argv() + ["-initrd", ",".join(m.replace(",", ",,") for m in modules)]


SCENARIO = LinuxScenario("linux-dom0", "kernel", 1, 1024, append=KEEL_ARGS)

pytestmark = [pytest.mark.linux_dom0,
              pytest.mark.parametrize("boot", [pytest.param(SCENARIO, id=SCENARIO.name)],
                                      indirect=True)]


class LinuxSymbols:
    """Text symbols of the kernel's System.map."""

    def __init__(self, path):
        self.addrs, self.names = [], []
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addrs.append(int(parts[0], 16))
                self.names.append(parts[2])

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return f"{self.names[i]}+{addr - self.addrs[i]:#x}" if i >= 0 else "?"


def _find(boot, where, pattern):
    if where == "keel":
        return boot.search(pattern)
    return re.search(pattern, boot.raw, re.MULTILINE)


def printable(line):
    """A serial line without terminal escapes (SeaBIOS clears the screen) or
    carriage returns."""
    return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|.)|\r", "", line)


def summary(boot):
    """How far the boot got, for failure messages and linux-dom0.summary."""
    out = [f"linux-dom0: {boot.outcome()}; serial log {boot.log_path}"]
    reached = [what for what, where, rx in MILESTONES if _find(boot, where, rx)]
    out.append("milestones reached: " + (", ".join(reached) or "none"))
    m = _find(boot, "serial", INIT_RESULT)
    if m:
        out.append("init: " + m.group(0).strip())
    out.append("last Keel line: " + (boot.lines[-1] if boot.lines else "(none)"))
    crash = boot.search(CRASHED)
    if crash:
        out.append("dom0 crash: " + crash.group(1))
        rips = re.findall(r"RIP (0x[0-9a-f]+)", crash.group(1))
        if rips and SYSTEM_MAP.exists():
            syms = LinuxSymbols(SYSTEM_MAP)
            out += [f"  RIP {r} is {syms.name(int(r, 16))}" for r in rips]
        elif rips:
            out.append("  (no cache/linux/System.map to name the RIP: "
                       "run 'scripts/fetch-linux.sh --dbg')")
    if boot.search(FATAL):
        out.append("Keel itself took a fatal exception")
    tail = [printable(line) for line in boot.raw.rstrip("\n").split("\n")][-TAIL:]
    out.append(f"last {len(tail)} serial lines:")
    out += ["    " + line for line in tail]
    if boot.stderr.strip():
        out.append("QEMU stderr: " + boot.stderr.strip())
    return "\n".join(out)


@pytest.fixture
def linux(boot):
    for path, how in [(VMLINUZ, "make linux-image"), (INITRAMFS, "make linux-initramfs")]:
        assert path.exists(), f"{path} is missing: run '{how}'"
    report = summary(boot)
    (LOG_DIR / f"{SCENARIO.name}.summary").write_text(report + "\n")
    return boot, report


def _expect(linux, where, pattern, what):
    boot, report = linux
    if not _find(boot, where, pattern):
        # The summary says it all; pytest's locals would repeat the log.
        pytest.fail(f"no {what} (regex {pattern!r})\n{report}", pytrace=False)


def test_keel_unpacks_bzimage(linux):
    _expect(linux, "keel", DOM0_KERNEL, "'Dom0 kernel: bzImage ... xz payload' line from Keel")


def test_linux_starts(linux):
    _expect(linux, "serial", LINUX_FIRST, "first Linux line")


def test_linux_sizes_memory(linux):
    """The pass condition for now: Linux got through its early memory setup
    as a PV guest (xen_memory_setup, the initial page tables, memblock)."""
    _expect(linux, "serial", LINUX_MEMORY, "Linux 'Memory: <n>K/<m>K available' line")
