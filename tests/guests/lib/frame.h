/* SPDX-License-Identifier: MIT */
/*
 * Assembly only: the general-register frame shared by traps.S and user.S.
 *
 * call_with_gpr_frame saves the fifteen general registers below the two
 * words already pushed (error code, vector), in the order of struct
 * trap_frame / struct user_frame, calls `handler` with RDI pointing at the
 * frame, restores the registers and drops the two words.  RSP is realigned
 * for the call and recovered from RBX, which the C ABI preserves.
 */
#ifndef GUEST_FRAME_H
#define GUEST_FRAME_H

.macro call_with_gpr_frame handler
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
    cld
    mov     %rsp, %rdi
    mov     %rsp, %rbx
    and     $-16, %rsp
    call    \handler
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
    add     $16, %rsp
.endm

#endif
