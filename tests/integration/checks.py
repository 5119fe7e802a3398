# SPDX-License-Identifier: MIT
"""Assertions on a BootLog that several test files share. Each reads what
Keel printed and compares it with what the scenario asked QEMU for."""
import re

BANNER = r"^Keel (\S+) ready: (\d+) CPUs? online, (\d+) MiB RAM, TSC (\d+) kHz$"
STARTING = r"^Keel (\S+) starting$"
LOADED = r"^Loaded by (.+) \((multiboot1|multiboot2)\)$"
COMMAND_LINE = r"^Command line: ?(.*)$"
MEMORY = (r"^Memory: (\d+) MiB RAM, (\d+) MiB free for the heap and domains, "
          r"frame table (\d+) KiB$")
CPU_ONLINE = r"^CPU(\d+): online \(APIC ID (\d+)\)$"
TIMER = r"^Timer: one-shot fired after (\d+) us$"
NO_DOM0 = r"^No dom0 kernel given: nothing to run\.$"
POWER_OFF = r"^Powering off \(status (\d+): ([^)]*)\)$"


def banner(boot):
    """(version, cpus, mib, tsc_khz) from the ready banner."""
    m = boot.expect(BANNER, "ready banner")
    return m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))


def loaded_by(boot, protocol):
    m = boot.expect(LOADED, "'Loaded by' line")
    assert m.group(2) == protocol, (
        f"loaded with {m.group(2)}, expected {protocol}{boot.context()}")
    return m.group(1)


def command_line(boot, expected):
    m = boot.expect(COMMAND_LINE, "'Command line:' line")
    assert m.group(1) == expected, (
        f"Keel reports command line {m.group(1)!r}, the loader passed {expected!r}"
        f"{boot.context()}")


def cpus_online(boot, expected):
    """Banner CPU count and the AP 'online' lines both say expected CPUs."""
    _, cpus, _, _ = banner(boot)
    assert cpus == expected, f"banner says {cpus} CPUs, expected {expected}{boot.context()}"
    online = boot.search_all(CPU_ONLINE)
    numbers = sorted(int(m.group(1)) for m in online)
    apic_ids = [int(m.group(2)) for m in online]
    assert numbers == list(range(1, expected)), (
        f"application processors reported online: {numbers}, expected CPU1..CPU{expected - 1}"
        f"{boot.context()}")
    assert len(set(apic_ids)) == len(apic_ids), (
        f"APs report duplicate APIC IDs {apic_ids}{boot.context()}")


def clean_power_off(boot):
    """The boot reached the end of the no-dom0 path and powered off cleanly,
    QEMU exited by itself with code 0, and nothing fatal was printed."""
    banner(boot)
    boot.expect(NO_DOM0, "'No dom0 kernel given' line")
    m = boot.expect(POWER_OFF, "'Powering off' line")
    assert (m.group(1), m.group(2)) == ("0", "clean"), (
        f"powered off with status {m.group(1)} ({m.group(2)}), expected 0 (clean)"
        f"{boot.context()}")
    bad = [line for line in boot.raw.splitlines() if re.search(r"(?i)\b(fatal|panic)", line)]
    assert not bad, f"fatal/panic lines in a clean boot: {bad}{boot.context()}"
    assert boot.exited_by_itself and boot.exit_code == 0, (
        f"QEMU did not exit cleanly by itself{boot.context()}")
    assert re.search(POWER_OFF, boot.lines[-1]), (
        f"Keel printed after its power-off line{boot.context()}")


def well_formed(boot):
    """Every Keel line ends with \\r\\n and holds one message (no
    interleaving between CPUs); messages come in the contract's order."""
    segments = boot.raw.split("\n")
    for seg in segments[:-1]:
        if "(keel) " in seg:
            assert seg.endswith("\r"), f"line not ended by \\r\\n: {seg!r}{boot.context()}"
            assert seg.count("(keel) ") == 1, f"interleaved lines: {seg!r}{boot.context()}"
    order = [(STARTING, "'Keel ... starting'"), (LOADED, "'Loaded by'"),
             (COMMAND_LINE, "'Command line:'"), (BANNER, "ready banner"),
             (POWER_OFF, "'Powering off'")]
    positions = []
    for pattern, what in order:
        i = boot.index(pattern)
        assert i >= 0, f"no {what} line{boot.context()}"
        positions.append(i)
    assert positions[0] == 0, f"'Keel ... starting' is not Keel's first line{boot.context()}"
    assert positions == sorted(positions), (
        f"contract lines out of order ({[w for _, w in order]} at {positions}){boot.context()}")
    version = boot.search(STARTING).group(1)
    assert banner(boot)[0] == version, f"banner and start line disagree on the version{boot.context()}"
