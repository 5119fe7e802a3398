# SPDX-License-Identifier: MIT
"""Debian's unmodified kernel booted as a 64-bit PV dom0, checked from inside.

One boot: Keel from -kernel with "console=com1 dom0_mem=512M
test_hypercalls" on a 2-CPU machine (so dom0 gets 2 vCPUs), multiboot
module 1 the cached Debian bzImage with its command line, module 2 the
busybox initramfs (scripts/fetch-linux.sh, scripts/mkinitramfs.sh; 'make
linux-image linux-initramfs'). Linux's console (early printk and hvc0) goes
through console_io, which Keel prints raw, so Linux's lines are looked for
in the whole serial log, not only in Keel's tagged lines.

The first tests assert the boot's milestones in order:
  1. Keel unpacked the bzImage ("Dom0 kernel: bzImage ... xz payload ...");
  2. Linux printed its first line (the "Linux version" banner, or
     xen_start_kernel's "mapping kernel into physical memory");
  3. Linux sized its memory ("Memory: <n>K/<m>K available").
The initramfs's /init then loads the Xen modules, mounts xenfs and runs the
checks named by keel.test= in one go, each printing one line
"KEEL-DOM0: RESULT: PASS|FAIL <check>: key=value ..." (the checks are in
scripts/mkinitramfs.sh and tests/dom0/keel-check.c), and powers off. The
other tests read those lines: the Xen modules and their devices, vCPUs and
memory against what Keel gave, the hypervisor's identity in sysfs and
xenfs, a hypercall through privcmd, VIRQ and loopback event channels
through evtchn, and Keel's count of typed page-table frames around a
fork/exec storm and a memory stress (keel_test_op, enabled by
test_hypercalls); last, the power-off ends QEMU by itself.

Every failure message says how far the boot got: the furthest milestone
(later ones too: init started, the init's RESULT lines), Keel's last line,
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

DOM0_MEM_MIB = 512
CPUS = 2
KEEL_ARGS = f"console=com1 dom0_mem={DOM0_MEM_MIB}M test_hypercalls"
# The checks /init runs, in this order, each printing one RESULT line, then
# it powers off (scripts/mkinitramfs.sh).
CHECKS = ["boot", "modules", "cpus", "mem", "xen", "hypercall", "evtchn", "grants", "storm"]
# The storm: fork/exec children, MiB touched per round, rounds. Sized to keep
# this boot under about two minutes under TCG on two host cores: a
# fork+exec+exit costs about 20 ms there with both vCPUs busy (each page-type
# change is a TLB shootdown of every CPU), a 256 MiB round about 6 s.
STORM = (2000, 256, 3)
LINUX_ARGS = ("console=hvc0 earlyprintk=xen loglevel=8 acpi=off xen.fifo_events=0 "
              "swiotlb=noforce nosmap noapictimer "
              f"keel.test={','.join(CHECKS)} keel.storm={':'.join(map(str, STORM))}")
XEN_MODULES = ["xen-privcmd", "xenfs", "xen-evtchn", "xen-gntdev", "xen-gntalloc"]
TAIL = 40

DOM0_KERNEL = r"^Dom0 kernel: bzImage.*xz payload"
LINUX_FIRST = r"Linux version \S+|mapping kernel into physical memory"
LINUX_MEMORY = r"Memory: \d+K/\d+K available"
INIT_STARTED = r"KEEL-DOM0: init started"
INIT_RESULT = r"KEEL-DOM0: RESULT: (PASS|FAIL) .*"
RESULT_LINE = re.compile(r"KEEL-DOM0: RESULT: (PASS|FAIL) ([\w-]+)(?:: (.*))?$")
MODULES_LINE = r"^KEEL-DOM0: modules: (.*)$"
XENFS_MOUNTED = r"^KEEL-DOM0: xenfs mounted at /proc/xen"
DOM0_VCPUS = r"^Dom0 has (\d+) vCPUs?,"
DOM0_PAGES = r"^Dom0 memory: (\d+) pages"
# xen_memory_setup's map: "Xen: [mem 0x...-0x...] usable".
E820_USABLE = re.compile(r"Xen: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\] usable")
# mem_init_print_info(): free/present pages, then the parts; "reserved" is
# present pages not given to the page allocator (kernel image, initrd, the
# p2m and page tables Keel built, memblock allocations).
MEMORY_LINE = re.compile(r"Memory: (\d+)K/(\d+)K available \(.*?(\d+)K reserved")
POWER_OFF = r"^Powering off \(status 0: clean\)"
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


# Up to ~3 minutes on a loaded host; KEEL_TEST_TIMEOUT raises it, never lowers it.
SCENARIO = LinuxScenario("linux-dom0", "kernel", CPUS, 1024, append=KEEL_ARGS, timeout=300)

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


# ---- What /init and keel-check printed ----------------------------------------


def results(boot):
    """{check: (status, fields, text)} of /init's RESULT lines. fields are
    the key=value words; a why= takes the rest of the line."""
    out = {}
    for line in boot.raw.split("\n"):
        m = RESULT_LINE.search(printable(line).strip())
        if not m:
            continue
        status, check, text = m.group(1), m.group(2), m.group(3) or ""
        fields = {}
        head, _, why = text.partition("why=")
        for word in head.split():
            key, eq, value = word.partition("=")
            if eq:
                fields[key] = value
        if why:
            fields["why"] = why.strip()
        out.setdefault(check, []).append((status, fields, text))
    return out


def check_result(linux, check):
    """The fields of check's one RESULT line, which must say PASS."""
    boot, report = linux
    found = results(boot).get(check)
    if not found:
        pytest.fail(f"/init printed no RESULT line for check {check!r}\n{report}", pytrace=False)
    if len(found) != 1:
        pytest.fail(f"{len(found)} RESULT lines for check {check!r}: {found}\n{report}",
                    pytrace=False)
    status, fields, text = found[0]
    if status != "PASS":
        pytest.fail(f"check {check}: FAIL: {text}\n{report}", pytrace=False)
    return fields


def _fail(linux, message):
    pytest.fail(f"{message}\n{linux[1]}", pytrace=False)


def _keel_number(linux, pattern, what):
    m = linux[0].search(pattern)
    if not m:
        _fail(linux, f"no {what} (regex {pattern!r}) from Keel")
    return int(m.group(1))


def test_init_runs_every_check(linux):
    """One RESULT line per requested check, in order, none unknown."""
    boot, _ = linux
    got = [m.group(2) for m in map(RESULT_LINE.search,
                                   (printable(l).strip() for l in boot.raw.split("\n"))) if m]
    if got != CHECKS:
        _fail(linux, f"/init's RESULT lines name {got}, expected {CHECKS}")


def test_xen_modules_loaded(linux):
    """xenfs, xen-evtchn, xen-gntdev, xen-gntalloc, xen-privcmd insmod'ed
    from the initramfs; their /dev/xen nodes exist and xenfs is mounted."""
    fields = check_result(linux, "modules")
    loaded = fields.get("loaded", "").split(",")
    missing = [m for m in XEN_MODULES if m not in loaded]
    if missing or fields.get("failed") != "none":
        _fail(linux, f"modules not loaded: {missing or fields.get('failed')}")
    if fields.get("devices") != "privcmd,evtchn,gntdev,gntalloc":
        _fail(linux, f"/dev/xen nodes: {fields.get('devices')}")
    if not re.search(XENFS_MOUNTED, linux[0].raw, re.MULTILINE):
        _fail(linux, "/init did not mount xenfs at /proc/xen")


def test_vcpus_match_keel(linux):
    """nproc, /proc/cpuinfo and the online mask all show the vCPUs Keel gave
    dom0 (one per CPU of the machine)."""
    fields = check_result(linux, "cpus")
    keel = _keel_number(linux, DOM0_VCPUS, "'Dom0 has N vCPUs' line")
    if keel != CPUS:
        _fail(linux, f"Keel gave dom0 {keel} vCPUs on a {CPUS}-CPU machine")
    want = {"nproc": str(keel), "cpuinfo": str(keel), "online": f"0-{keel - 1}" if keel > 1 else "0"}
    got = {k: fields.get(k) for k in want}
    if got != want:
        _fail(linux, f"Linux sees {got}, Keel gave dom0 {keel} vCPUs: expected {want}")


def test_memory_matches_dom0_mem(linux):
    """Keel gave dom0 exactly dom0_mem; Linux's memory map holds exactly that
    much RAM (xen_memory_setup moves the RAM behind holes above them, so the
    usable ranges add up to the domain's pages); and MemTotal lies between
    what Linux's "Memory:" line left after its reservations (present pages
    minus reserved ones: MemTotal only grows from there, as init memory and
    the initrd are freed) and the present pages."""
    boot, _ = linux
    fields = check_result(linux, "mem")
    dom0_kib = DOM0_MEM_MIB * 1024
    pages = _keel_number(linux, DOM0_PAGES, "'Dom0 memory: N pages' line")
    if pages * 4 != dom0_kib:
        _fail(linux, f"Keel gave dom0 {pages} pages ({pages * 4} KiB), dom0_mem is {dom0_kib} KiB")
    usable = sum(int(b, 16) + 1 - int(a, 16) for a, b in E820_USABLE.findall(boot.raw))
    if usable != dom0_kib * 1024:
        _fail(linux, f"Linux's usable RAM (Xen: [mem ...] usable) is {usable // 1024} KiB, "
                     f"dom0_mem is {dom0_kib} KiB")
    m = MEMORY_LINE.search(boot.raw)
    if not m:
        _fail(linux, "no 'Memory: <free>K/<present>K available (... <n>K reserved ...)' line")
    present, reserved = int(m.group(2)), int(m.group(3))
    total = int(fields.get("memtotal_kb", "0") or 0)
    if not present <= dom0_kib:
        _fail(linux, f"Linux has {present} KiB present, more than dom0_mem's {dom0_kib} KiB")
    if not present - reserved <= total <= present:
        _fail(linux, f"MemTotal {total} kB is outside [{present - reserved}, {present}]: "
                     f"{present}K present minus {reserved}K reserved, dom0_mem {dom0_kib} KiB")


def test_hypervisor_identity(linux):
    """/sys/hypervisor says Xen 4.17 (Keel's ABI version) and xenfs, mounted
    at /proc/xen, says this is the control domain."""
    fields = check_result(linux, "xen")
    want = {"type": "xen", "major": "4", "minor": "17", "xenfs": "yes",
            "capabilities": "control_d"}
    got = {k: fields.get(k) for k in want}
    if got != want:
        _fail(linux, f"sysfs/xenfs say {got}, expected {want}")


def test_privcmd_hypercall(linux):
    """xen_version(XENVER_version) through /dev/xen/privcmd returns 4.17's
    encoding; XENVER_extraversion copies Keel's string out to user memory;
    an unused hypercall number is -ENOSYS."""
    fields = check_result(linux, "hypercall")
    if fields.get("version") != hex(4 << 16 | 17):
        _fail(linux, f"xen_version gave {fields.get('version')}, expected {hex(4 << 16 | 17)}")
    if not fields.get("extraversion", "").endswith("keel"):
        _fail(linux, f"XENVER_extraversion is {fields.get('extraversion')!r}")
    if fields.get("unused_nr") != "ENOSYS":
        _fail(linux, f"hypercall 63 gave {fields.get('unused_nr')}, expected ENOSYS")


def test_grant_drivers(linux):
    """Linux's own grant drivers on Keel: a page dom0 grants itself through
    /dev/xen/gntalloc and maps through /dev/xen/gntdev (GNTTABOP_map_grant_ref
    into the process's page tables) shows the same bytes both ways, and
    unmaps and ends cleanly."""
    fields = check_result(linux, "grants")
    for key in ("granter_to_grantee", "grantee_to_granter"):
        if fields.get(key) != "ok":
            _fail(linux, f"{key}: {fields.get(key)} ({fields})")
    if fields.get("unmapped") != "yes":
        _fail(linux, f"the grant was not unmapped and ended: {fields}")


def test_evtchn_device(linux):
    """Through /dev/xen/evtchn: VIRQ_TIMER is refused with EEXIST (Linux
    bound it on vCPU 0, where the device binds); VIRQ_DOM_EXC binds and
    unbinds; an unbound port and a port bound to it form a loopback pair
    whose notifications each arrive once, at the other end."""
    fields = check_result(linux, "evtchn")
    if fields.get("virq_timer") != "EEXIST":
        _fail(linux, f"binding VIRQ_TIMER gave {fields.get('virq_timer')}, expected EEXIST")
    if not re.fullmatch(r"port\d+", fields.get("virq_dom_exc", "")):
        _fail(linux, f"binding VIRQ_DOM_EXC gave {fields.get('virq_dom_exc')}")
    m = re.fullmatch(r"(\d+)<->(\d+)", fields.get("loopback", ""))
    if not m:
        _fail(linux, f"no loopback pair: {fields}")
    a, b = m.groups()
    for key in (f"notify_{b}_{a}", f"notify_{a}_{b}"):
        if fields.get(key) != "ok":
            _fail(linux, f"{key}: {fields.get(key)}")


def _storm(linux):
    fields = check_result(linux, "storm")
    try:
        numbers = {k: int(fields[k]) for k in ("cold", "baseline", "after_forkexec",
                                               "after_memstress", "forks", "mem_mib", "rounds")}
    except (KeyError, ValueError):
        _fail(linux, f"storm line lacks a number: {fields}")
    if numbers["baseline"] <= 0:
        _fail(linux, f"Keel counts {numbers['baseline']} page-table frames: dom0 has some")
    if (numbers["forks"], numbers["mem_mib"], numbers["rounds"]) != STORM:
        _fail(linux, f"the storm ran {numbers}, not {STORM}")
    return numbers


# Page-table frames Linux may keep after its processes are gone: none here.
# The storms run in children of keel-check, which reads the count before and
# after with the same mappings of its own; every child's tables are unpinned
# at exit_mmap (type count back to 0). What Linux does keep for good are
# kernel page tables, e.g. the L1s under new vmalloc areas such as kernel
# stacks: keel-check pins each worker and its children to one CPU, so every
# child's stack comes from and returns to that CPU's stack cache and no new
# area is made (unpinned, children migrating between CPUs made a few new L1s
# per few hundred forks), and a small warm-up round of both storms runs
# before the baseline (its "cold" count is printed too).
PT_FRAME_SLACK = 0


def test_pt_frames_after_fork_exec_storm(linux):
    """Keel's count of frames typed L1-L4 returns to the baseline after the
    fork/exec children are reaped: no page-table type reference leaked."""
    n = _storm(linux)
    if abs(n["after_forkexec"] - n["baseline"]) > PT_FRAME_SLACK:
        _fail(linux, f"page-table frames: baseline {n['baseline']}, after {n['forks']} "
                     f"fork/exec {n['after_forkexec']}")


def test_pt_frames_after_memory_stress(linux):
    """The same after rounds of children touching and freeing memory."""
    n = _storm(linux)
    if abs(n["after_memstress"] - n["baseline"]) > PT_FRAME_SLACK:
        _fail(linux, f"page-table frames: baseline {n['baseline']}, after "
                     f"{n['rounds']} x {n['mem_mib']} MiB {n['after_memstress']}")


def test_poweroff_ends_qemu(linux):
    """/init's poweroff -f reaches Keel (SCHEDOP_shutdown), Keel powers the
    machine off cleanly and QEMU exits by itself."""
    boot, _ = linux
    if not boot.search(POWER_OFF):
        _fail(linux, "no 'Powering off (status 0: clean)' from Keel")
    if not boot.exited_by_itself or boot.exit_code != 0:
        _fail(linux, f"QEMU did not exit by itself with 0: {boot.outcome()}")
