/* SPDX-License-Identifier: MIT */
/*
 * Link map of the hypervisor image. The .boot part (multiboot headers,
 * 32-bit entry, early page tables) is linked and loaded at physical
 * addresses from KEEL_PHYS_START; everything after it is linked at
 * KEEL_VIRT_START + (physical - KEEL_PHYS_START) and loaded right behind
 * .boot, so one mapping of [KEEL_PHYS_START, __image_end) covers it all.
 */
#include <asm/config.h>

#define VIRT_OFFSET (KEEL_VIRT_START - KEEL_PHYS_START)

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(start32)

PHDRS
{
    boot PT_LOAD;
    text PT_LOAD;
    rodata PT_LOAD;
    data PT_LOAD;
}

SECTIONS
{
    . = KEEL_PHYS_START;
    __image_phys_start = .;
    .boot : {
        KEEP(*(.multiboot))
        *(.text.boot)
        *(.data.boot)
    } :boot
    . = ALIGN(PAGE_SIZE);

    . += VIRT_OFFSET;
    __text_start = .;
    .text : AT(ADDR(.text) - VIRT_OFFSET) {
        *(.text.entry)
        *(.text .text.*)
        *(.fixup)
    } :text
    . = ALIGN(PAGE_SIZE);
    __text_end = .;

    __rodata_start = .;
    .rodata : AT(ADDR(.rodata) - VIRT_OFFSET) {
        *(.rodata .rodata.*)
    } :rodata
    .ex_table : AT(ADDR(.ex_table) - VIRT_OFFSET) {
        . = ALIGN(8);
        __ex_table_start = .;
        KEEP(*(.ex_table))
        __ex_table_end = .;
    } :rodata
    .trampoline : AT(ADDR(.trampoline) - VIRT_OFFSET) {
        . = ALIGN(16);
        __trampoline_start = .;
        KEEP(*(.trampoline))
        __trampoline_end = .;
    } :rodata
    . = ALIGN(PAGE_SIZE);
    __rodata_end = .;

    __data_start = .;
    .data : AT(ADDR(.data) - VIRT_OFFSET) {
        *(.data.page_aligned)
        *(.data .data.*)
    } :data
    .bss : AT(ADDR(.bss) - VIRT_OFFSET) {
        . = ALIGN(PAGE_SIZE);
        __bss_start = .;
        *(.bss.page_aligned)
        *(.bss .bss.*)
        *(COMMON)
        . = ALIGN(PAGE_SIZE);
        __bss_end = .;
    } :data
    __image_end = .;
    __image_phys_end = __image_end - VIRT_OFFSET;

    /DISCARD/ : {
        *(.note.gnu.*)
        *(.note.GNU-stack)
        *(.comment)
        *(.eh_frame)
        *(.interp)
        *(.dynamic) *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash)
    }
}

ASSERT(__image_end - VIRT_OFFSET < KEEL_PHYS_START + (1 << 30), "image larger than its 1 GiB window")
