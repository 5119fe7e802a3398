/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine: every other CPU is halted, the final status line is
 * printed, and ACPI S5 powers the machine off (under QEMU this ends the
 * QEMU process). Reboot tries the PCI reset-control port, then the keyboard
 * controller, then a triple fault. The S5 write takes effect asynchronously (QEMU finishes the
 * current instruction stream first), so the CPU halts right after it; only
 * when ACPI offers no S5 at all is that said on the console.
 */
#include <asm/acpi.h>
#include <asm/io.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/lib.h>

void arch_power_off(enum power_off_status status)
{
    local_irq_disable();
    stop_other_cpus();
    printk("Powering off (status %d: %s)\n", status,
           status == POWER_OFF_CLEAN ? "clean" :
           status == POWER_OFF_DOM0_CRASHED ? "dom0 crashed" : "fatal error");
    if (!acpi_power_off())
        printk("No ACPI S5 to power off with: halting\n");
    for (;;)
        halt();
}

void arch_reboot(void)
{
    static const struct { uint64_t limit_and_base[2]; } null_idt;

    local_irq_disable();
    stop_other_cpus();
    printk("Rebooting\n");
    outb(0xcf9, 0x02);              /* PCI reset control: prepare hard reset */
    outb(0xcf9, 0x06);              /* ... and do it */
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        cpu_relax();
    outb(0x64, 0xfe);               /* keyboard controller: pulse reset */
    __asm__ volatile("lidt %0; int3" :: "m"(null_idt));
    for (;;)
        halt();
}
