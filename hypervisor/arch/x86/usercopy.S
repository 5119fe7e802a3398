/* SPDX-License-Identifier: MIT */
/*
 * Raw copies between hypervisor memory and a PV guest's address space (the
 * guest's page tables are loaded while Keel runs on its behalf). A fault
 * on the guest side ends the copy; the return value is the number of bytes
 * NOT copied, as callers turn any shortfall into -EFAULT. Range checks
 * against the hypervisor hole are the caller's (guest_access.c).
 *
 * unsigned long raw_copy_guest(void *dst, const void *src, unsigned long n)
 */
#include <asm/extable.h>

        .text
        .globl  raw_copy_guest
raw_copy_guest:
        mov     %rdx, %rcx
1:      rep movsb
        xor     %eax, %eax
        ret
2:      mov     %rcx, %rax              /* bytes left when it faulted */
        ret
        extable 1b, 2b
