/* SPDX-License-Identifier: MIT */
/*
 * The 32-bit steps into long mode shared by the boot CPU (head.S) and the
 * AP trampoline: load boot_l4, enable PAE (and FXSR/XMM exceptions), set
 * EFER.LME/NXE/SCE, then turn on paging with write protection. Execution
 * continues in compatibility mode until a far jump to a 64-bit segment.
 * Clobbers EAX, ECX, EDX.
 */
#ifndef ASM_LONG_MODE_H
#define ASM_LONG_MODE_H

#include <asm/msr.h>
#include <asm/processor.h>

#ifdef __ASSEMBLER__
        .macro  enter_long_mode_paging
        mov     $boot_l4, %eax
        mov     %eax, %cr3
        mov     %cr4, %eax
        or      $(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT), %eax
        mov     %eax, %cr4
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $(EFER_LME | EFER_NXE | EFER_SCE), %eax
        wrmsr
        mov     $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_ET | X86_CR0_MP | X86_CR0_PE), %eax
        mov     %eax, %cr0
        .endm
#endif

#endif
