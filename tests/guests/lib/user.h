/* SPDX-License-Identifier: MIT */
/*
 * Guest user mode: a user address space, entry by the iret hypercall, and
 * the kernel side of every way back (SYSCALL, exceptions, INT n).
 *
 * user_init() builds a user root the way Linux does for a process: its own
 * L4 whose lower half (slots 0-255) maps three pages and nothing of the
 * kernel (the hypervisor fills its own slots when the L4 is pinned):
 *     USER_CODE_VA   the guest's user code, copied there (read-only, exec)
 *     USER_DATA_VA   a data page (RW, NX); the kernel sees the same frame
 *                    at user_data_page
 *     USER_STACK_VA  the user stack (RW, NX), top at USER_STACK_TOP
 *     USER_HOLE_VA   the next page: never mapped
 * It pins the L4, installs it with MMUEXT_NEW_USER_BASEPTR, gives Keel a
 * kernel stack for bounces from user mode (stack_switch) and registers
 * the syscall callback (CALLBACKF_mask_events, as Linux does).
 *
 * user_run() enters user mode with the registers of a struct user_frame
 * (iret with CS = FLAT_USER_CS, SS = FLAT_USER_SS) and returns when the
 * guest's handler says so.  Every entry from user mode, a SYSCALL bounced
 * to the callback or a trap bounced through the trap table (traps.c hands
 * those over when the frame's CS has RPL 3), calls the handler in guest
 * kernel mode on the stack_switch stack with the registers as the kernel
 * received them.  The handler returns USER_RESUME (iret to user with the
 * frame as it left it: RIP, RSP, RFLAGS and all general registers) or
 * USER_EXIT (user_run() returns, with that frame in *io).  Events are
 * masked again when user_run() returns.
 *
 * One vCPU, one user_run() at a time: the state here is unlocked.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include "guest.h"

#define USER_CODE_VA   0x400000UL
#define USER_DATA_VA   0x401000UL
#define USER_STACK_VA  0x402000UL
#define USER_STACK_TOP (USER_STACK_VA + PAGE_SIZE)
#define USER_HOLE_VA   0x403000UL

/* The vector a SYSCALL entry reports (no trap-table vector has it). */
#define USER_VECTOR_SYSCALL 256

/* Handler results. */
#define USER_RESUME 0
#define USER_EXIT   1

/*
 * The registers on an entry from user mode, lowest address first (the
 * assembly in user.S and traps.S depends on this order).  For a trap, RCX
 * and R11 are the bounce frame's slots (the stub restored them); for a
 * SYSCALL they are the live values at the callback, and frame_rcx /
 * frame_r11 the frame's slots.  rip .. ss are the hardware-style part of
 * the bounce frame (CS bits 32-39: the saved upcall mask).
 */
struct user_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector, error_code;   /* USER_VECTOR_SYSCALL, 0 for a SYSCALL */
    uint64_t frame_rcx, frame_r11;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Called in guest kernel mode for each entry from user mode. */
typedef int (*user_handler_t)(struct user_frame *f);

/* The kernel's alias of the user data page (the same frame). */
extern uint8_t user_data_page[PAGE_SIZE];

/* Machine frames of the user root and of the kernel's root. */
extern unsigned long user_l4_mfn, kernel_l4_mfn;

/* The kernel stack stack_switch names: [user_kstack, user_kstack_top). */
extern uint8_t user_kstack[];
extern const unsigned long user_kstack_top;

/*
 * Flags for the iret that resumes user mode after a SYSCALL (0, or
 * VGCF_in_syscall: RCX and R11 are then not restored from the frame).
 */
extern uint64_t user_iret_flags;

/* RFLAGS as the syscall callback's first instruction saw them (pushfq). */
extern uint64_t user_callback_rflags;

/* How many entries from user mode the handlers saw since user_init(). */
extern unsigned int user_entries;

/* user_init() flags: leave out a step (for tests of what Keel does then). */
#define USER_INIT_NO_ROOT             1u /* no MMUEXT_NEW_USER_BASEPTR */
#define USER_INIT_NO_SYSCALL_CALLBACK 2u /* no syscall callback yet */

/*
 * Builds, pins and installs the user root, copies the user code
 * [code, code_end) (at most a page) to USER_CODE_VA, sets the kernel stack
 * and registers the syscall callback, less what flags leave out.
 * Returns 0, or the first failing hypercall's result (printed).
 */
long user_init(const char *code, const char *code_end, unsigned int flags);

/* Registers the syscall callback (mask events); the callback_op result. */
long user_register_syscall_callback(void);

/* The user VA of sym, a label inside the code user_init() copied. */
unsigned long user_va(const char *sym);

/* Sets the handler for entries from user mode (NULL: every entry exits). */
void user_set_handler(user_handler_t h);

/*
 * Enters user mode with io's general registers, RIP, RSP and RFLAGS (CS
 * and SS are the flat user ones); returns when the handler answers
 * USER_EXIT, with *io = the frame of that entry.
 */
void user_run(struct user_frame *io);

/* A user_frame with RIP = rip, RSP = USER_STACK_TOP, RFLAGS = IF, others 0. */
struct user_frame user_start(unsigned long rip);

/*
 * User code: one block per guest, copied as a whole; labels inside it are
 * reached with user_va().  It must be position independent (absolute
 * references only to user VAs).
 */
#define USER_TEXT(body)                                                        \
    extern const char user_text[], user_text_end[];                            \
    asm(".pushsection .rodata.user_text, \"a\"\n"                              \
        ".balign 16\n"                                                         \
        "user_text:\n" body "\n"                                               \
        "user_text_end:\n"                                                     \
        ".popsection")

#endif /* GUEST_USER_H */
