# SPDX-License-Identifier: MIT
"""The fatal-exception path. The test-only option test_fault=<kind> makes
the boot CPU raise that exception in trigger_test_fault(); Keel must print
the dump (exception, registers, CR2 for #PF, a symbolised backtrace), power
off with the fatal status, and QEMU must exit by itself."""
import re

import pytest

import checks
from keelqemu import Scenario

# Architectural vector numbers and the names the contract gives them.
FAULTS = {
    "pf": ("#PF page fault", 14),
    "gp": ("#GP general protection", 13),
    "ud": ("#UD invalid opcode", 6),
    "de": ("#DE divide error", 0),
}
FAULT_BOOTS = [Scenario(f"fault-{kind}", "kernel", 1, 256,
                        append=f"console=com1 loglvl=3 test_fault={kind}") for kind in FAULTS]
TRIGGER = "trigger_test_fault"

HEADER = (r"^\*\*\* Fatal exception in hypervisor on CPU(\d+): (.+) \(vector (\d+)\), "
          r"error code (\S+) \*\*\*$")
HEX16 = r"([0-9a-f]{16})"
FRAME = r"^  \[<" + HEX16 + r">\] (\S+)\+0x([0-9a-f]+)$"

faults = pytest.mark.parametrize("boot", FAULT_BOOTS, indirect=True, ids=lambda s: s.name)


def kind(boot):
    return re.search(r"test_fault=(\w+)", boot.scenario.append).group(1)


def registers(boot):
    """RIP, and CR0/CR2/CR3/CR4 as ints, from the register dump."""
    rip = int(boot.expect(r"^RIP:.*?" + HEX16, "RIP line").group(1), 16)
    boot.expect(r"^RAX: " + HEX16 + r"\s+RBX: " + HEX16 + r"\s+RCX: " + HEX16, "RAX/RBX/RCX line")
    m = boot.expect(r"^CR0: " + HEX16 + r"\s+CR2: " + HEX16 + r"\s+CR3: " + HEX16
                    + r"\s+CR4: " + HEX16, "CR0/CR2/CR3/CR4 line")
    return rip, [int(g, 16) for g in m.groups()]


def frames(boot):
    start = boot.index(r"^Backtrace:$")
    assert start >= 0, f"no 'Backtrace:' line{boot.context()}"
    out = []
    for line in boot.lines[start + 1:]:
        m = re.match(FRAME, line)
        if not m:
            break
        out.append((int(m.group(1), 16), m.group(2), int(m.group(3), 16)))
    assert out, f"no frames under 'Backtrace:'{boot.context()}"
    return out


def assert_triggered(boot, symbols):
    """The fault reported is the one test_fault= asked for, not another bug."""
    rip, _ = registers(boot)
    where = symbols.lookup(rip)
    assert where and where[0] == TRIGGER, (
        f"RIP {rip:016x} is in {where}, not {TRIGGER}: the dump is not of the "
        f"test fault{boot.context()}")


@faults
def test_fault_header(boot, symbols):
    name, vector = FAULTS[kind(boot)]
    m = boot.expect(HEADER, "'*** Fatal exception in hypervisor' line")
    assert len(boot.search_all(HEADER)) == 1, f"more than one fault report{boot.context()}"
    assert_triggered(boot, symbols)
    assert (m.group(1), m.group(2), int(m.group(3))) == ("0", name, vector), (
        f"reported CPU{m.group(1)} {m.group(2)!r} vector {m.group(3)}, "
        f"expected CPU0 {name!r} vector {vector}{boot.context()}")
    assert re.fullmatch(r"0x[0-9a-f]+", m.group(4)), (
        f"error code printed as {m.group(4)!r}, not 0x<hex>{boot.context()}")


@faults
def test_fault_registers(boot, symbols):
    _rip, (cr0, cr2, _cr3, cr4) = registers(boot)
    assert cr0 & 1 and cr0 & (1 << 31), f"CR0 {cr0:#x} lacks PE/PG{boot.context()}"
    assert cr4 & (1 << 5), f"CR4 {cr4:#x} lacks PAE{boot.context()}"
    assert_triggered(boot, symbols)
    if kind(boot) == "pf":
        m = boot.expect(r"^Faulting address \(CR2\): " + HEX16 + r" \(.+\)$",
                        "'Faulting address (CR2):' line")
        assert int(m.group(1), 16) == cr2, (
            f"faulting address {m.group(1)} differs from CR2 {cr2:016x}{boot.context()}")
    else:
        assert boot.index(r"^Faulting address") < 0, (
            f"a CR2 line for a fault other than #PF{boot.context()}")


@faults
def test_fault_backtrace(boot, symbols):
    rip, _ = registers(boot)
    trace = frames(boot)
    addr, name, _ = trace[0]
    assert name == TRIGGER, f"first frame is {name}, expected {TRIGGER}{boot.context()}"
    assert addr == rip, f"first frame {addr:016x} is not RIP {rip:016x}{boot.context()}"
    for addr, name, off in trace:
        assert symbols.lookup(addr) == (name, off), (
            f"frame {addr:016x} printed as {name}+{off:#x}, keel-syms says "
            f"{symbols.lookup(addr)}{boot.context()}")


@faults
def test_fault_powers_off(boot):
    m = boot.expect(checks.POWER_OFF, "'Powering off' line")
    assert (m.group(1), m.group(2)) == ("1", "fatal error"), (
        f"powered off with status {m.group(1)} ({m.group(2)}), expected 1 (fatal error)"
        f"{boot.context()}")
    assert boot.index(HEADER) < boot.index(checks.POWER_OFF), (
        f"power-off before the fault report{boot.context()}")
    assert re.search(checks.POWER_OFF, boot.lines[-1]), (
        f"Keel printed after its power-off line{boot.context()}")
    assert boot.exited_by_itself and boot.exit_code == 0, (
        f"QEMU did not exit by itself after the fatal power-off{boot.context()}")
