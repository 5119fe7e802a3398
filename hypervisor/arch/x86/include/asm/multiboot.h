/* SPDX-License-Identifier: MIT */
#ifndef ASM_MULTIBOOT_H
#define ASM_MULTIBOOT_H
#include <stdint.h>

/*
 * Fill boot_info from the loader's information at physical mbi_pa.
 * Needs the early direct map. Returns 0, or -1 if magic names no protocol
 * Keel knows.
 */
int multiboot_parse(uint32_t magic, uint32_t mbi_pa);

#endif
