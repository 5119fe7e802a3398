/* SPDX-License-Identifier: MIT */
/*
 * The boot CPU's path from head.S to a running system, in order: console,
 * boot information, command line, CPU tables, memory, ACPI, time, other
 * CPUs, then whatever there is to run.
 */
#include <asm/config.h>
#include <asm/multiboot.h>
#include <asm/serial.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/lib.h>

unsigned char cpu0_stack[STACK_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));

void start_keel(uint32_t magic, uint32_t mbi_pa);

void start_keel(uint32_t magic, uint32_t mbi_pa)
{
    serial_init(COM1_PORT);
    printk("Keel %s starting\n", KEEL_VERSION);
    if (multiboot_parse(magic, mbi_pa))
        panic("entered with boot magic %#x: boot Keel with multiboot or multiboot2", magic);
    printk("Loaded by %s (%s)\n", boot_info.loader[0] ? boot_info.loader : "unknown loader",
           boot_info.protocol);
    printk("Command line: %s\n", boot_info.cmdline);
    for (unsigned int i = 0; i < boot_info.nr_memmap; i++)
        printk(" %016llx-%016llx type %u\n", (unsigned long long)boot_info.memmap[i].addr,
               (unsigned long long)(boot_info.memmap[i].addr + boot_info.memmap[i].size),
               boot_info.memmap[i].type);
    arch_power_off(POWER_OFF_CLEAN);
}

unsigned int arch_cpu_id(void)
{
    return 0;
}

void arch_dump_stack(void)
{
}

void arch_power_off(enum power_off_status status)
{
    printk("Powering off (status %d)\n", status);
    for (;;)
        __asm__ volatile("cli; hlt");
}
