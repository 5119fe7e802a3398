# SPDX-License-Identifier: MIT
"""Plain boots with no dom0: through QEMU's multiboot1 loader (-kernel) at
several CPU counts and memory sizes, and through GRUB from the ISO
(multiboot2). Each boot must reach the ready banner describing the machine
QEMU emulates, then power off cleanly and make QEMU exit by itself."""
import pytest

import checks
import keelqemu
from keelqemu import Scenario

KERNEL_BOOTS = [Scenario(f"kernel-smp{smp}-{mem}M", "kernel", smp, mem)
                for mem in (256, 1024) for smp in (1, 2, 4)]
ISO_BOOTS = [Scenario("iso-smp2-512M", "iso", 2, 512, append=None)]
ALL_BOOTS = KERNEL_BOOTS + ISO_BOOTS

boots = pytest.mark.parametrize("boot", ALL_BOOTS, indirect=True, ids=lambda s: s.name)


@pytest.mark.parametrize("boot", KERNEL_BOOTS, indirect=True, ids=lambda s: s.name)
def test_kernel_loader_and_command_line(boot):
    checks.loaded_by(boot, "multiboot1")
    # QEMU puts the image path first on a multiboot1 command line; Keel
    # must strip it and report exactly what -append gave.
    checks.command_line(boot, boot.scenario.append)


@pytest.mark.parametrize("boot", ISO_BOOTS, indirect=True, ids=lambda s: s.name)
def test_iso_loader_and_command_line(boot):
    loader = checks.loaded_by(boot, "multiboot2")
    assert loader.startswith("GRUB"), f"loader {loader!r} is not GRUB{boot.context()}"
    checks.command_line(boot, keelqemu.iso_command_line(boot.scenario.image()))


@boots
def test_cpus_online(boot):
    checks.cpus_online(boot, boot.scenario.smp)


@boots
def test_memory(boot):
    m = boot.expect(checks.MEMORY, "'Memory:' line")
    ram, free, frame_table_kib = (int(g) for g in m.groups())
    size = boot.scenario.mem
    # QEMU keeps a little of the guest RAM for the BIOS (below 1 MiB and the
    # top of low memory), so Keel sees slightly less than -m.
    assert size - 8 <= ram <= size, f"{ram} MiB RAM with -m {size}{boot.context()}"
    assert checks.banner(boot)[2] == ram, f"banner and Memory line disagree{boot.context()}"
    assert 0 < free <= ram, f"{free} MiB free out of {ram} MiB{boot.context()}"
    assert free >= ram * 3 // 4, (
        f"the hypervisor keeps {ram - free} of {ram} MiB for itself{boot.context()}")
    # At least 8 bytes of page_info for each 4 KiB frame of RAM.
    assert frame_table_kib * 1024 >= ram * 256 * 8, (
        f"a {frame_table_kib} KiB frame table cannot describe {ram} MiB{boot.context()}")


@boots
def test_timer_and_tsc(boot):
    m = boot.expect(checks.TIMER, "timer self-check line")
    assert int(m.group(1)) > 0, f"one-shot fired after {m.group(1)} us{boot.context()}"
    tsc_khz = checks.banner(boot)[3]
    assert tsc_khz > 0, f"TSC {tsc_khz} kHz{boot.context()}"


@boots
def test_console_lines(boot):
    checks.well_formed(boot)


@boots
def test_clean_power_off(boot):
    checks.clean_power_off(boot)
