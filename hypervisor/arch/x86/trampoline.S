/* SPDX-License-Identifier: MIT */
/*
 * Application-processor start-up. smpboot.c copies this blob to a page
 * below 1 MiB; a STARTUP IPI starts the AP there in real mode with CS =
 * page >> 4. The code is position independent: it computes its physical
 * base from CS and reaches its data relative to it. It enters long mode on
 * head.S's boot_l4 (identity map of the low 4 GiB plus the image) and jumps
 * to ap_entry64 in the image, which switches to the AP's own stack.
 */
#include <asm/long_mode.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/processor.h>

#define OFF(sym) ((sym) - trampoline_start)

        .section .trampoline, "a"
        .code16
        .globl  trampoline_start, trampoline_end
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        mov     %ax, %ss
        mov     $OFF(tramp_stack_top), %sp
        xor     %ebx, %ebx
        mov     %cs, %bx
        shl     $4, %ebx                        /* physical base */

        lea     OFF(tramp_gdt)(%ebx), %eax
        mov     %eax, OFF(tramp_gdtr) + 2
        lgdtl   OFF(tramp_gdtr)

        mov     %cr0, %eax
        or      $X86_CR0_PE, %eax
        mov     %eax, %cr0
        lea     OFF(tramp32)(%ebx), %eax
        pushl   $0x08
        pushl   %eax
        lretl

        .code32
tramp32:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        enter_long_mode_paging
        lea     OFF(tramp64)(%ebx), %eax
        lea     OFF(tramp_stack_top)(%ebx), %esp
        pushl   $0x18
        pushl   %eax
        lret

        .code64
tramp64:
        movabs  $ap_entry64, %rax
        jmp     *%rax

        .balign 8
tramp_gdt:
        .quad   0
        .quad   0x00cf9b000000ffff              /* 0x08: 32-bit ring-0 code */
        .quad   0x00cf93000000ffff              /* 0x10: flat ring-0 data */
        .quad   0x00af9b000000ffff              /* 0x18: 64-bit ring-0 code */
tramp_gdt_end:
tramp_gdtr:
        .short  tramp_gdt_end - tramp_gdt - 1
        .long   0                               /* patched: physical tramp_gdt */
        .balign 16
        .space  64
tramp_stack_top:
trampoline_end:

        .text
        .code64
/* In the image, on boot_l4: take the stack smpboot.c prepared for this AP. */
ap_entry64:
        mov     ap_boot_stack(%rip), %rsp
        xor     %ebp, %ebp
        call    start_secondary
        ud2
