/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt entry. Every vector has a stub that makes the
 * frame uniform (a zero error code where the CPU pushes none, the vector
 * number in the upper half of the error-code slot), saves the general
 * registers as struct cpu_regs and calls do_trap(). The frame is restored
 * from memory afterwards, so handlers may edit it to change how execution
 * resumes.
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/extable.h>
#include <asm/percpu.h>
#include <asm/regs.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

/* Save the general registers below the error-code slot: a struct cpu_regs. */
        .macro  save_gprs_from_rcx
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
        .endm

        .section .text.entry, "ax"
        .code64
common_trap:
        cld
        push    %rdi
        push    %rsi
        push    %rdx
        save_gprs_from_rcx
        mov     %rsp, %rdi
        mov     %rsp, %rbx              /* callee-saved: the frame */
        and     $-16, %rsp              /* ABI alignment for the call */
        call    do_trap
        mov     %rbx, %rsp
        .globl  restore_all
restore_all:
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
iret_to_guest:
        iretq
        /* IRETQ can fault only on a guest frame Keel built from guest data. */
        extable iret_to_guest, iret_fault

iret_fault:
        /* The faulting IRET's frame was pushed on top of the guest frame. */
        mov     %rsp, %rdi
        and     $-16, %rsp
        call    pv_iret_fault
        ud2

/*
 * SYSCALL from a PV guest, reached through this CPU's stub (pv/syscall_stub.c)
 * with the stack switched to the top of this CPU's stack and the hardware
 * part of the frame (SS, RSP, RFLAGS, CS, RIP) pushed. The guest's RAX is
 * parked in cpu_info.scratch.
 */
        .globl  syscall_entry64, syscall_entry32
syscall_entry32:
        pushq   $0
        movl    $TRAP_SYSCALL32, 4(%rsp)
        jmp     1f
syscall_entry64:
        pushq   $0
        movl    $TRAP_SYSCALL, 4(%rsp)
1:      cld
        push    %rdi
        push    %rsi
        push    %rdx
        mov     %rsp, %rax
        or      $(STACK_SIZE - 1), %rax
        mov     (1 - CPU_INFO_SIZE + CPU_INFO_SCRATCH)(%rax), %rax
        save_gprs_from_rcx
        mov     %rsp, %rdi
        mov     %rsp, %rbx
        and     $-16, %rsp
        call    do_syscall
        mov     %rbx, %rsp
        jmp     restore_all

/* void pv_resume_guest(struct cpu_regs *frame): run a guest from its frame. */
        .globl  pv_resume_guest
pv_resume_guest:
        mov     %rdi, %rsp
        jmp     restore_all

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

