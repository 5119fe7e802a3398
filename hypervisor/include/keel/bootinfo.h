/* SPDX-License-Identifier: MIT */
/*
 * What the boot loader told us, copied out of its structures into
 * hypervisor memory before anything can overwrite them.
 */
#ifndef KEEL_BOOTINFO_H
#define KEEL_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#define E820_RAM        1
#define E820_RESERVED   2
#define E820_ACPI       3
#define E820_NVS        4
#define E820_UNUSABLE   5

#define BOOT_MAX_MEMMAP   128
#define BOOT_MAX_MODULES  8
#define BOOT_CMDLINE_MAX  1024

struct memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;      /* E820_* */
};

struct boot_module {
    uint64_t start;     /* physical, inclusive */
    uint64_t end;       /* physical, exclusive */
    char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
    const char *protocol;                 /* "multiboot1" or "multiboot2" */
    char loader[64];
    char cmdline[BOOT_CMDLINE_MAX];
    unsigned int nr_memmap;
    struct memmap_entry memmap[BOOT_MAX_MEMMAP];
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
    uint8_t acpi_rsdp[36];                /* the loader's copy of the RSDP */
    bool has_acpi_rsdp;
};

extern struct boot_info boot_info;

#endif
