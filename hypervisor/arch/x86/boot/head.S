/* SPDX-License-Identifier: MIT */
/*
 * Keel's first instructions. The boot loader (GRUB through multiboot2, or
 * QEMU's -kernel through multiboot1) enters start32 in 32-bit protected mode
 * with paging off, EAX = boot-protocol magic and EBX = physical address of
 * the boot information. This file runs at physical addresses: it checks for
 * long mode, builds just enough paging to run the linked image (identity map
 * of the low 4 GiB, the image at KEEL_VIRT_START, the same 4 GiB at
 * DIRECTMAP_VIRT_START), enters 64-bit mode and calls start_keel(magic, mbi)
 * on the boot stack. setup.c then builds the real page tables.
 *
 * boot_l4 stays alive after boot: application processors use it from the
 * trampoline to reach the high image before loading the idle page tables.
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/long_mode.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/processor.h>

#define MB1_MAGIC       0x1badb002
#define MB1_FLAGS       0x00000003      /* page-aligned modules, memory info */
#define MB2_MAGIC       0xe85250d6

#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_PS          0x080
#define L4_INDEX(va)    (((va) >> 39) & 511)
#define L3_INDEX(va)    (((va) >> 30) & 511)

#define COM1            0x3f8

        .section .multiboot, "a"
        .balign 4
mb1_header:
        .long MB1_MAGIC
        .long MB1_FLAGS
        .long -(MB1_MAGIC + MB1_FLAGS)

        .balign 8
mb2_header:
        .long MB2_MAGIC
        .long 0                          /* i386 protected mode */
        .long mb2_header_end - mb2_header
        .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
        /* Module alignment tag: page-align modules. */
        .balign 8
        .short 6, 0
        .long 8
        /* End tag. */
        .balign 8
        .short 0, 0
        .long 8
mb2_header_end:

        .section .text.boot, "ax"
        .code32
        .globl start32
start32:
        cli
        cld
        mov     %eax, %edi              /* magic, kept for start_keel */
        mov     %ebx, %esi              /* boot information */
        mov     $boot_stack32_top, %esp

        /* Long mode and NX are required. */
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      .Lno_long_mode
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx               /* LM */
        jnc     .Lno_long_mode
        bt      $20, %edx               /* NX */
        jnc     .Lno_nx

        /* Paging: PAE, long mode with NX and SYSCALL, then paging on. */
        enter_long_mode_paging

        lgdt    boot_gdtr
        ljmp    $0x08, $start64_low

.Lno_long_mode:
        mov     $msg_no_lm, %ebx
        jmp     .Lfail32
.Lno_nx:
        mov     $msg_no_nx, %ebx
.Lfail32:
        /* Minimal COM1 output: 115200 8N1, then the message, then stop. */
        mov     $(COM1 + 1), %dx
        xor     %al, %al
        out     %al, %dx                /* no interrupts */
        mov     $(COM1 + 3), %dx
        mov     $0x80, %al
        out     %al, %dx                /* DLAB */
        mov     $(COM1 + 0), %dx
        mov     $1, %al
        out     %al, %dx                /* divisor 1 = 115200 */
        mov     $(COM1 + 1), %dx
        xor     %al, %al
        out     %al, %dx
        mov     $(COM1 + 3), %dx
        mov     $0x03, %al
        out     %al, %dx                /* 8N1 */
1:      movb    (%ebx), %al
        test    %al, %al
        jz      2f
        mov     %al, %ah
        mov     $(COM1 + 5), %dx
3:      in      %dx, %al
        test    $0x20, %al
        jz      3b
        mov     $COM1, %dx
        mov     %ah, %al
        out     %al, %dx
        inc     %ebx
        jmp     1b
2:      hlt
        jmp     2b

        .code64
start64_low:
        movabs  $start64_high, %rax
        jmp     *%rax

        .section .data.boot, "aw"
msg_no_lm:
        .asciz  "Keel: this CPU has no 64-bit long mode; Keel needs an x86-64 CPU.\r\n"
msg_no_nx:
        .asciz  "Keel: this CPU has no NX (execute-disable) support; Keel needs it.\r\n"

        .balign 8
boot_gdt:
        .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit ring-0 code */
        .quad   0x00cf92000000ffff      /* 0x10: flat ring-0 data */
boot_gdt_end:
        .globl  boot_gdtr
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   boot_gdt

        .balign 16
        .space  256
boot_stack32_top:

        /* Early page tables, all at physical addresses. */
        .balign PAGE_SIZE
        .globl  boot_l4
boot_l4:
        .quad   boot_l3_low + (PTE_P | PTE_RW)
        .fill   L4_INDEX(KEEL_VIRT_START) - 1, 8, 0
        .quad   boot_l3_high + (PTE_P | PTE_RW)
        .quad   boot_l3_low + (PTE_P | PTE_RW)  /* DIRECTMAP_VIRT_START */
        .fill   511 - L4_INDEX(DIRECTMAP_VIRT_START), 8, 0

boot_l3_low:
        .quad   boot_l2_low + 0 * PAGE_SIZE + (PTE_P | PTE_RW)
        .quad   boot_l2_low + 1 * PAGE_SIZE + (PTE_P | PTE_RW)
        .quad   boot_l2_low + 2 * PAGE_SIZE + (PTE_P | PTE_RW)
        .quad   boot_l2_low + 3 * PAGE_SIZE + (PTE_P | PTE_RW)
        .fill   508, 8, 0

boot_l3_high:
        .fill   L3_INDEX(KEEL_VIRT_START), 8, 0
        .quad   boot_l2_image + (PTE_P | PTE_RW)
        .fill   511 - L3_INDEX(KEEL_VIRT_START), 8, 0

boot_l2_image:                          /* 1 GiB from KEEL_PHYS_START */
        .set    i, 0
        .rept   512
        .quad   KEEL_PHYS_START + (i << 21) + (PTE_P | PTE_RW | PTE_PS)
        .set    i, i + 1
        .endr

boot_l2_low:                            /* 4 GiB identity */
        .set    i, 0
        .rept   2048
        .quad   (i << 21) + (PTE_P | PTE_RW | PTE_PS)
        .set    i, i + 1
        .endr

        .text
        .code64
start64_high:
        /* Zero .bss (the loaders may not), then run C on the boot CPU's stack. */
        mov     %edi, %r12d             /* zero-extends: multiboot magic */
        mov     %esi, %r13d             /* boot information, physical */
        lea     __bss_start(%rip), %rdi
        lea     __bss_end(%rip), %rcx
        sub     %rdi, %rcx
        xor     %eax, %eax
        rep stosb
        lea     cpu0_stack(%rip), %rsp
        add     $STACK_START_OFFSET, %rsp
        xor     %ebp, %ebp              /* terminates backtraces */
        mov     %r12, %rdi
        mov     %r13, %rsi
        call    start_keel
        ud2
