# SPDX-License-Identifier: MIT
"""PV test guests (tests/guests/) booted as dom0.

Each boot passes one guest image as multiboot module 1 (QEMU -initrd "image
args"); Keel builds dom0 from it and runs it.  A guest prints exactly one
line "RESULT: PASS|FAIL|SKIP <name>[: <why>]" through console_io and powers
the machine off; Keel must then power off cleanly.  The crash guest faults
with no trap table instead: Keel must report the domain crash and still
power off by itself, with no fatal exception in the hypervisor.

While Keel prints "cannot run guests yet" for a dom0 module, every boot
test skips with that line as the reason; once Keel runs guests they must
pass.  Guest images come from 'make guests' (tests/guests/guests.mk); if
one is missing its tests skip and say so.
"""
import re
import sys
from pathlib import Path

import pytest

import checks
from keelqemu import BUILD, REPO, Scenario

sys.path.insert(0, str(REPO / "tests" / "guests"))
import check_elf  # noqa: E402  (tests/guests/check_elf.py)

GUEST_DIR = BUILD / "guests"
# What hello expects on its command line (tests/guests/hello.c).
HELLO_ARGS = "keel.test=hello two words"
# Guests that must print RESULT: PASS, with their module arguments.
PASSING = {
    "hello": HELLO_ARGS,
    "hello-hcpage": HELLO_ARGS,
    "traps": "",
    "traps-hcpage": "",
    "bad_pointers": "",
    "bad_pointers-hcpage": "",
    "multicall": "",
    "memory_op": "",
    "vcpu_op": "",
    "ptwr": "",
    "mmu_hostile": "",
    "mmu_pinning": "",
    "mmu_batch": "",
    "user_mode": "",
    "syscall": "",
    "fpu": "",
    "timer": "",
    "evtchn": "",
    "evtchn_hostile": "",
    "gnttab": "",
}
# Guests that need several CPUs or Keel options, each boot one scenario:
# (scenario id, guest, module arguments, QEMU -smp, Keel options).
SMP_PASSING = [
    # dom0 gets one vCPU per physical CPU: all must come up.
    ("smp-2", "smp", "vcpus=2", 2, ""),
    ("smp-4", "smp", "vcpus=4", 4, ""),
    # A granter rewriting its entry from vCPU 1 while vCPU 0 maps through it.
    ("gnttab-race", "gnttab_race", "", 2, ""),
    # increase_reservation giving a frame back while another vCPU releases it.
    ("memop-race", "memop_race", "", 2, ""),
    # Twice as many spinning vCPUs as CPUs: equal shares, no CPU idle.
    ("fairness-share", "fairness", "pcpus=2", 2, "dom0_max_vcpus=4 dom0_weight=512"),
    # Capped at half a CPU: the domain runs half the time, the CPU idles the rest.
    ("fairness-cap", "fairness", "pcpus=1 cap=50", 1, "dom0_max_vcpus=2 dom0_cap=50"),
]
# Guests that build other domains from further modules, each boot one scenario:
# (scenario id, guest, module arguments, the domU guests it is given, QEMU -smp,
# Keel options). dom0_mem leaves Keel memory to give the domUs.
DOMAIN_PASSING = [
    ("domains", "domains", "", ("domu",), 1, "dom0_mem=64M"),
    ("domains-smp", "domains", "cycles=20", ("domu",), 2, "dom0_mem=64M"),
    # Grants between two domains: a 100,000-request ring, copies, hostile maps.
    ("grants", "grants", "", ("domu",), 1, "dom0_mem=64M"),
    ("grants-smp", "grants", "rounds=20000", ("domu",), 2, "dom0_mem=64M"),
    # Two domains of different weights share one CPU by weight.
    ("weights", "weights", "weight=512", ("domu",), 1, "dom0_mem=64M"),
]
# Guests only ever built by another guest, never booted as dom0.
DOMU_ONLY = {"domu"}
# crash kind -> the vector it raises (tests/guests/crash.c).
CRASH_KINDS = {"ud": 6, "pf": 14, "gp": 13, "de": 0, "bp": 3}

CANNOT_RUN = r"cannot run guests yet"
CANNOT_BUILD = r"^Cannot build dom0"
FATAL = r"^\*\*\* Fatal exception in hypervisor"
# Unanchored: a hypervisor may prefix dom0's console lines.
RESULT = re.compile(r"(?:^|\s)RESULT: (PASS|FAIL|SKIP) (\S+?)(?:: (.*))?$")
CHECK_FAILED = re.compile(r"check failed at .*")
CRASHED = r"\bcrashed\b"
# A failed check whose hypercall answered -ENOSYS: a feature not in yet.
NOT_IMPLEMENTED = re.compile(r": (got|is) -38 \(-ENOSYS\)")
# Known differences from Xen, each a check the guest prints and why it is
# wrong; remove an entry when Keel is fixed (the test then passes).
KNOWN_GAPS = []


# Guests that measure CPU-time shares or timer latency boot alone (see Scenario).
TIME_SENSITIVE = {"fairness", "timer", "weights"}


def guest_scenario(image, args="", name=None, hypervisor="keel.elf", smp=1, options="",
                   domus=()):
    initrd = f"guests/{image}.elf" + (f" {args}" if args else "")
    sc = Scenario(name or f"guest-{image}", "kernel", smp, 256,
                  append=" ".join(filter(None, ["console=com1 loglvl=3", options])),
                  initrd=initrd, hypervisor=hypervisor, exclusive=image in TIME_SENSITIVE,
                  modules=tuple(f"guests/{d}.elf" for d in domus))
    if not sc.initrd_path().exists():
        return pytest.param(sc, id=sc.name, marks=pytest.mark.skip(
            reason=f"{sc.initrd_path()} is missing: run 'make guests' (the top-level Makefile "
                   f"must include tests/guests/guests.mk)"))
    return pytest.param(sc, id=sc.name)


def serial_lines(boot):
    return [line.rstrip("\r") for line in boot.raw.split("\n")]


def results(boot):
    out = []
    for line in serial_lines(boot):
        m = RESULT.search(line)
        if m:
            out.append(m.groups())
    return out


def guest_context(boot, tail=15):
    """The guest's failed checks and the serial tail, for messages."""
    lines = serial_lines(boot)
    failed = [m.group(0) for m in map(CHECK_FAILED.search, lines) if m]
    shown = "\n".join("    " + line for line in failed[:40])
    more = f"\n    ... {len(failed) - 40} more" if len(failed) > 40 else ""
    last = "\n".join("    " + line for line in lines[-tail:])
    return (f"\n  guest checks failed ({len(failed)}):\n{shown}{more}" if failed else "") + \
        f"\n  serial tail:\n{last}{boot.context()}"


def require_guests_run(boot):
    """Skips while Keel cannot run guests; fails if it broke trying."""
    assert not boot.search(FATAL), f"fatal exception in the hypervisor{guest_context(boot)}"
    m = boot.search(CANNOT_RUN)
    if m:
        pytest.skip(f"Keel says: {m.string}")
    m = boot.search(CANNOT_BUILD)
    assert not m, f"Keel could not build dom0 from the guest: {m.string}{guest_context(boot)}"


def powered_off_by_itself(boot, status=None):
    m = boot.expect(checks.POWER_OFF, "'Powering off' line")
    if status is not None:
        assert m.group(1) == str(status), (
            f"powered off with status {m.group(1)} ({m.group(2)}), expected {status}"
            f"{guest_context(boot)}")
    assert boot.exited_by_itself, f"QEMU did not exit by itself{guest_context(boot)}"
    return m


def xfail_if_only_known_gaps(boot, name):
    """A guest that failed only checks of hypercalls Keel does not
    implement yet (-ENOSYS) or of KNOWN_GAPS is an expected failure, with
    every such check in the reason; any other failed check fails the test."""
    failed = [m.group(0) for m in map(CHECK_FAILED.search, serial_lines(boot)) if m]
    if not failed:
        return
    missing, known, other = set(), set(), []
    for line in failed:
        gap = next((why for rx, why in KNOWN_GAPS if re.search(rx, line)), None)
        if gap:
            known.add(gap)
        elif NOT_IMPLEMENTED.search(line):
            what = line.split(": ", 1)[-1]
            missing.add(re.sub(r" with .* pointer .*|: (got|is) .*", "", what))
        else:
            other.append(line)
    if other:
        return
    reasons = []
    if missing:
        reasons.append("not implemented yet (-ENOSYS): " + ", ".join(sorted(missing)))
    if known:
        reasons.append("known differences from Xen: " + "; ".join(sorted(known)))
    pytest.xfail(f"guest {name}: " + " | ".join(reasons))


# The same guests on the clang-built hypervisor: both compilers' images must run them
# (for a guest in SMP_PASSING, every one of its scenarios).
CLANG_GUESTS = ["hello", "traps", "ptwr", "multicall", "smp", "fairness"]


def passing_scenarios(prefix="guest", hypervisor="keel.elf", only=None):
    out = [guest_scenario(g, a, name=f"{prefix}-{g}", hypervisor=hypervisor)
           for g, a in PASSING.items() if only is None or g in only]
    out += [guest_scenario(g, a, name=f"{prefix}-{sid}", hypervisor=hypervisor, smp=smp,
                           options=opts)
            for sid, g, a, smp, opts in SMP_PASSING if only is None or g in only]
    out += [guest_scenario(g, a, name=f"{prefix}-{sid}", hypervisor=hypervisor, smp=smp,
                           options=opts, domus=domus)
            for sid, g, a, domus, smp, opts in DOMAIN_PASSING if only is None or g in only]
    return out


def check_sched_options(boot):
    """dom0_weight= / dom0_cap= on Keel's command line: Keel says it applied them."""
    opts = dict(re.findall(r"\b(dom0_weight|dom0_cap)=(\d+)", boot.scenario.append or ""))
    if not opts:
        return
    m = boot.expect(r"Dom0 scheduling: weight (\d+), cap (\d+)%", "'Dom0 scheduling' line")
    assert (m.group(1), m.group(2)) == (opts.get("dom0_weight", "256"), opts.get("dom0_cap", "0")), (
        f"Keel applied {m.group(0)!r} for {opts}{guest_context(boot)}")


@pytest.mark.parametrize("boot", passing_scenarios() +
                         passing_scenarios("clang-guest", "clang/keel.elf", CLANG_GUESTS),
                         indirect=True)
def test_guest_passes(boot):
    """One RESULT line, PASS, naming the guest; then a clean power-off."""
    require_guests_run(boot)
    check_sched_options(boot)
    name = boot.scenario.initrd.split()[0].removeprefix("guests/").removesuffix(".elf")
    found = results(boot)
    assert found, f"guest {name} printed no RESULT line{guest_context(boot)}"
    assert len(found) == 1, f"{len(found)} RESULT lines, expected one: {found}{guest_context(boot)}"
    status, got_name, why = found[0]
    if status == "SKIP":
        pytest.skip(f"guest {name} skipped itself: {why}")
    assert got_name == name, f"RESULT names {got_name!r}, expected {name!r}{guest_context(boot)}"
    if status == "FAIL":
        xfail_if_only_known_gaps(boot, name)
    assert status == "PASS", f"guest {name}: RESULT: {status}: {why}{guest_context(boot)}"
    powered_off_by_itself(boot, status=0)


@pytest.mark.parametrize("boot", [guest_scenario("crash", f"kind={k}", f"guest-crash-{k}")
                                  for k in CRASH_KINDS], indirect=True)
def test_guest_crash_is_contained(boot):
    """A fault with no trap table crashes dom0, not Keel: Keel reports the
    crash after the guest's last words and powers off by itself."""
    require_guests_run(boot)
    kind = re.search(r"kind=(\w+)", boot.scenario.initrd).group(1)
    found = results(boot)
    assert not found, f"the guest kept running after its fault: {found}{guest_context(boot)}"
    raw = boot.raw
    said = raw.find(f"crash: faulting (kind={kind})")
    assert said >= 0, f"the crash guest never ran (no 'crash: faulting' line){guest_context(boot)}"
    m = boot.expect(CRASHED, "line reporting the domain crash (containing 'crashed')")
    assert raw.find(m.string) > said, f"crash reported before the guest faulted{guest_context(boot)}"
    vector = re.search(r"\bvector (\d+)", m.string)
    if vector:
        assert int(vector.group(1)) == CRASH_KINDS[kind], (
            f"crash report names vector {vector.group(1)}, the guest raised "
            f"{CRASH_KINDS[kind]}{guest_context(boot)}")
    power = powered_off_by_itself(boot)
    assert boot.index(CRASHED) < boot.index(checks.POWER_OFF), (
        f"'Powering off' before the crash report{guest_context(boot)}")
    assert power.group(2) != "fatal error", (
        f"a guest crash powered off as a hypervisor fatal error{guest_context(boot)}")


@pytest.mark.parametrize("boot", [guest_scenario("user_mode", "noroot", "guest-user_mode-noroot")],
                         indirect=True)
def test_guest_iret_to_user_without_user_root(boot):
    """iret to user mode with no user root installed (MMUEXT_NEW_USER_BASEPTR
    never made): Keel crashes the domain, as Xen does, and powers off."""
    require_guests_run(boot)
    found = results(boot)
    assert not found, f"the guest kept running: {found}{guest_context(boot)}"
    said = boot.raw.find("user_mode: entering user mode with no user root")
    assert said >= 0, f"the guest never tried (no 'entering user mode' line){guest_context(boot)}"
    m = boot.expect(CRASHED, "line reporting the domain crash (containing 'crashed')")
    assert boot.raw.find(m.string) > said, f"crash reported before the iret{guest_context(boot)}"
    assert "user" in m.string, f"the crash report does not say why: {m.string}{guest_context(boot)}"
    power = powered_off_by_itself(boot)
    assert power.group(2) != "fatal error", (
        f"a guest crash powered off as a hypervisor fatal error{guest_context(boot)}")


def test_guest_images():
    """Every built guest image carries the Xen notes a loader needs and is
    placed by paddr (tests/guests/check_elf.py)."""
    images = sorted(GUEST_DIR.glob("*.elf"))
    if not images:
        pytest.skip(f"no guest images in {GUEST_DIR}: run 'make guests'")
    problems = []
    for image in images:
        errors, _ = check_elf.check(image)
        problems += [f"{image.name}: {e}" for e in errors]
    assert not problems, "bad guest images:\n  " + "\n  ".join(problems)
    missing = [g for g in list(PASSING) + [g for _, g, *_ in SMP_PASSING] + ["crash"]
               if not (GUEST_DIR / f"{g}.elf").exists()]
    assert not missing, f"guest images not built: {missing}"


def test_harness_knows_every_guest():
    """A new tests/guests/<name>.c needs a scenario here, or it never runs."""
    sources = {p.stem for p in (REPO / "tests" / "guests").glob("*.c")}
    known = ({g.removesuffix("-hcpage") for g in PASSING} | {g for _, g, *_ in SMP_PASSING} |
             {g for _, g, *_ in DOMAIN_PASSING} | DOMU_ONLY | {"crash"})
    assert sources <= known, f"guests without a test in test_guests.py: {sorted(sources - known)}"
