/* SPDX-License-Identifier: MIT */
/*
 * Trap entry stubs and the return through the iret hypercall.
 *
 * Every stub is 16 bytes at trap_stubs + 16 * vector.  On entry the guest
 * stack holds Xen's bounce frame: RCX, R11, [error code], RIP, CS, RFLAGS,
 * RSP, SS.  The stub restores RCX and R11, makes the frame uniform (a zero
 * error code where the vector has none), pushes the vector and joins
 * trap_common, which saves the registers as struct trap_frame (traps.h).
 */

#include "frame.h"

/* Hypercall number of iret; public/xen.h cannot be included in assembly.
 * traps.c checks it against __HYPERVISOR_iret. */
#define HYPERCALL_IRET 23

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                        (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .balign 16
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    pop     %rcx
    pop     %r11
    .if HAS_ERRCODE(vec) == 0
    pushq   $0
    .endif
    pushq   $vec
    jmp     trap_common
    .set vec, vec + 1
    .endr
    .balign 16
    .globl trap_stubs_end
trap_stubs_end:

trap_common:
    call_with_gpr_frame trap_handle
    /* fall through */

/*
 * iret_to_guest: RSP points at RIP, CS, RFLAGS, RSP, SS.  Builds the rest
 * of struct iret_context below it (flags 0: restore RCX and R11 too; then
 * RCX, R11, RAX) and makes the iret hypercall, which does not return.
 */
    .globl iret_to_guest
iret_to_guest:
    pushq   $0
#ifdef GUEST_HYPERCALL_PAGE
    /* The page's iret entry pushes RCX, R11, RAX itself. */
    jmp     hypercall_page + HYPERCALL_IRET * 32
#else
    push    %rcx
    push    %r11
    push    %rax
    mov     $HYPERCALL_IRET, %eax
    syscall
#endif
    ud2                         /* iret returned: the hypervisor is broken */
