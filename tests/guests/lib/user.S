/* SPDX-License-Identifier: MIT */
/*
 * Guest user mode, the assembly half (see user.h): entering user mode by
 * the iret hypercall, the syscall callback, and the way back to
 * user_run()'s caller.
 *
 * user_enter() saves the callee-saved registers and RSP of the kernel
 * context that called it; user_leave() (called on the stack_switch stack
 * by a handler that ends the run) drops whatever that stack holds and
 * returns from user_enter() with them restored.
 */

#include "frame.h"

/* public/xen.h cannot be included in assembly; user.c checks these. */
#define HYPERCALL_IRET      23
#define USER_CS             0xe033
#define USER_SS             0xe02b
#define USER_VECTOR_SYSCALL 256

/* struct user_frame offsets (user.c checks them). */
#define UF_R15 0
#define UF_R14 8
#define UF_R13 16
#define UF_R12 24
#define UF_RBP 32
#define UF_RBX 40
#define UF_R11 48
#define UF_R10 56
#define UF_R9  64
#define UF_R8  72
#define UF_RAX 80
#define UF_RCX 88
#define UF_RDX 96
#define UF_RSI 104
#define UF_RDI 112
#define UF_RIP 152
#define UF_RFLAGS 168
#define UF_RSP 176

    .text
/* void user_enter(const struct user_frame *start): returns by user_leave(). */
    .globl user_enter
user_enter:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, user_kernel_rsp(%rip)
    mov     %rdi, %rbx
    /* struct iret_context: RAX, R11, RCX, flags, RIP, CS, RFLAGS, RSP, SS */
    pushq   $USER_SS
    pushq   UF_RSP(%rbx)
    pushq   UF_RFLAGS(%rbx)
    pushq   $USER_CS
    pushq   UF_RIP(%rbx)
    pushq   $0
    pushq   UF_RCX(%rbx)
    pushq   UF_R11(%rbx)
    pushq   UF_RAX(%rbx)
    mov     UF_R15(%rbx), %r15
    mov     UF_R14(%rbx), %r14
    mov     UF_R13(%rbx), %r13
    mov     UF_R12(%rbx), %r12
    mov     UF_RBP(%rbx), %rbp
    mov     UF_R10(%rbx), %r10
    mov     UF_R9(%rbx), %r9
    mov     UF_R8(%rbx), %r8
    mov     UF_RDX(%rbx), %rdx
    mov     UF_RSI(%rbx), %rsi
    mov     UF_RDI(%rbx), %rdi
    mov     UF_RBX(%rbx), %rbx
    mov     $HYPERCALL_IRET, %eax
    syscall
    ud2                             /* iret returned */

/* void user_leave(void): back to user_enter()'s caller, in kernel mode. */
    .globl user_leave
user_leave:
    mov     user_kernel_rsp(%rip), %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret

/*
 * The syscall callback.  Keel's frame on the stack_switch stack: RCX, R11,
 * RIP, CS, RFLAGS, RSP, SS.  Completed to a struct user_frame for
 * user_syscall_handle(), which returns only to resume user mode, having
 * put RCX in the frame's RCX slot and the iret flags in its R11 slot:
 * with R11 and RAX pushed below them that is the iret_context.
 */
    .globl user_syscall_entry
user_syscall_entry:
    pushfq
    popq    user_callback_rflags(%rip)
    pushq   $0
    pushq   $USER_VECTOR_SYSCALL
    call_with_gpr_frame user_syscall_handle
    push    %r11
    push    %rax
    mov     $HYPERCALL_IRET, %eax
    syscall
    ud2

    .bss
    .balign 8
user_kernel_rsp:
    .quad   0
