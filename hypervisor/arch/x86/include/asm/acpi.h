/* SPDX-License-Identifier: MIT */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64

struct acpi_info {
    unsigned int nr_cpus;                   /* enabled processors in the MADT */
    uint32_t cpu_apic_ids[ACPI_MAX_CPUS];   /* in MADT order */
    uint16_t pm1a_cnt, pm1b_cnt;            /* PM1 control ports, 0 = none */
    uint16_t slp_typ_s5a, slp_typ_s5b;      /* SLP_TYP values for S5 */
    bool s5_found;
};

extern struct acpi_info acpi_info;

/*
 * Find the RSDP (boot loader copy, EBDA, BIOS area), then read the MADT
 * and FADT/DSDT. Missing or corrupt tables leave fields zero and print a
 * warning: Keel still boots on one CPU and halts instead of powering off.
 */
void acpi_init(void);

/*
 * Request S5. Returns false at once if ACPI described no way to; true once
 * the request is written (the machine may take a moment to act on it).
 */
bool acpi_power_off(void);

#endif
