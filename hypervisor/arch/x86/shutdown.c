/* SPDX-License-Identifier: MIT */
/*
 * Stopping the machine: every other CPU is halted, the final status line is
 * printed, and ACPI S5 powers the machine off (under QEMU this ends the
 * QEMU process). The S5 write takes effect asynchronously (QEMU finishes the
 * current instruction stream first), so the CPU halts right after it; only
 * when ACPI offers no S5 at all is that said on the console.
 */
#include <asm/acpi.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/lib.h>

void arch_power_off(enum power_off_status status)
{
    local_irq_disable();
    stop_other_cpus();
    printk("Powering off (status %d: %s)\n", status,
           status == POWER_OFF_CLEAN ? "clean" : "fatal error");
    if (!acpi_power_off())
        printk("No ACPI S5 to power off with: halting\n");
    for (;;)
        halt();
}
