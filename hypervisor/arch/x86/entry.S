/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt entry. Every vector has a stub that makes the
 * frame uniform (a zero error code where the CPU pushes none, the vector
 * number in the upper half of the error-code slot), saves the general
 * registers as struct cpu_regs and calls do_trap(). The frame is restored
 * from memory afterwards, so handlers may edit it to change how execution
 * resumes.
 */
#include <asm/desc.h>
#include <asm/regs.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        .section .text.entry, "ax"
        .code64
common_trap:
        cld
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, %rdi
        mov     %rsp, %rbx              /* callee-saved: the frame */
        and     $-16, %rsp              /* ABI alignment for the call */
        call    do_trap
        mov     %rbx, %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        add     $8, %rsp                /* error code and vector */
        iretq

/*
 * 256 stubs of exactly TRAP_STUB_SIZE bytes each, so the stub for vector v
 * is at trap_stubs + v * TRAP_STUB_SIZE.
 */
        .p2align 4
        .globl  trap_stubs
trap_stubs:
        .set    vec, 0
        .rept   256
        .p2align 4
        .if     HAS_ERROR_CODE(vec) == 0
        pushq   $0
        .endif
        movl    $vec, 4(%rsp)
        jmp     common_trap
        .set    vec, vec + 1
        .endr

/*
 * SYSCALL lands here with the caller's stack still loaded. Only a PV guest
 * can execute SYSCALL toward Keel, and the PV entry path (with its stack
 * switch) arrives together with PV guests; until then these halt the CPU
 * rather than run on an untrusted stack.
 */
        .section .text.entry, "ax"
        .globl  syscall_entry, syscall32_entry
syscall_entry:
syscall32_entry:
1:      cli
        hlt
        jmp     1b
