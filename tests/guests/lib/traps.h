/* SPDX-License-Identifier: MIT */
/*
 * Traps: the framework's virtual IDT and "this must fault" probes.
 *
 * traps_init() registers a stub for every vector with set_trap_table
 * (DPL 0, except #BP and #OF with DPL 3 as a native kernel has them).
 * A PV exception arrives as Xen's bounce frame on the current stack:
 * RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS.  The stub pops RCX and
 * R11, pushes a zero error code where the CPU has none, the vector, and
 * the registers, and calls trap_handle(); the return is the iret
 * hypercall with the (possibly edited) frame.
 *
 * A trap nobody expects fails the test (RESULT: FAIL with vector, RIP and
 * error code).  A probe arms the handler first: the trap is recorded and
 * execution resumes at the probe's resume label.
 *
 * Software interrupts (INT n allowed by DPL) arrive without an error code
 * whatever the vector, so tests must only allow INT n on vectors that
 * have no hardware error code.
 *
 * A trap from guest user mode (the frame's CS has RPL 3) goes to
 * trap_user_hook instead, once user.c has set it (see user.h).
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include "guest.h"

#define TRAP_DE   0
#define TRAP_DB   1
#define TRAP_NMI  2
#define TRAP_BP   3
#define TRAP_OF   4
#define TRAP_BR   5
#define TRAP_UD   6
#define TRAP_NM   7
#define TRAP_DF   8
#define TRAP_TS   10
#define TRAP_NP   11
#define TRAP_SS   12
#define TRAP_GP   13
#define TRAP_PF   14
#define TRAP_MF   16
#define TRAP_AC   17
#define TRAP_MC   18
#define TRAP_XM   19

/* #PF error code bits. */
#define PFEC_PRESENT 0x01
#define PFEC_WRITE   0x02
#define PFEC_USER    0x04
#define PFEC_RSVD    0x08
#define PFEC_INSN    0x10

/* The registers as trap_handle() sees them, lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector, error_code; /* error_code 0 if the vector has none */
    /* The hardware-style part of the bounce frame; CS bits 32-39 carry
     * the saved upcall mask. */
    uint64_t rip, cs, rflags, rsp, ss;
};

/* What one trap looked like. */
struct trap_record {
    bool taken;
    unsigned int vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t cr2;      /* vcpu_info.arch.cr2 at delivery (#PF); 0 if shared_info is unmapped */
    uint64_t rcx, r11; /* as the bounce frame carried them */
    uint64_t ret;      /* the probe's return value (trap_probe) */
};

/* Registers the framework's table.  Returns the set_trap_table result. */
long traps_init(void);
/* Changes one vector's DPL (0-3) in the framework's table and reloads it. */
long traps_set_dpl(unsigned int vector, unsigned int dpl);
/* The result of the last set_trap_table the framework made. */
extern long traps_load_rc;
/* The framework's table, indexed by vector (256 entries; smp.c copies it). */
const struct trap_info *traps_table(void);
/* The entry stub of a vector (for tests comparing trap_info). */
unsigned long trap_stub(unsigned int vector);
/* The most recent trap, expected or not. */
extern struct trap_record last_trap;
/* Called instead of the probe logic for traps from guest user mode. */
extern void (*trap_user_hook)(struct trap_frame *f);

/*
 * A probe: an asm function "name" of the form
 *     name:          <setup>
 *     name_fault:    <insn>          (the instruction expected to trap)
 *     name_resume:   <after>
 *                    ret
 * called as a C function with one argument in RDI, returning RAX (which
 * trap_probe() stores in the record's ret).  The code may use only
 * call-clobbered registers, or must restore the others in <after> (the
 * handler resumes at name_resume with RSP as it was at the trap).
 */
#define TRAP_PROBE(name, setup, insn, after)                               \
    extern const char name[], name##_fault[], name##_resume[];              \
    asm(".pushsection .text.probe." #name ",\"ax\",@progbits\n"             \
        ".globl " #name ", " #name "_fault, " #name "_resume\n"             \
        #name ":\n\t" setup "\n"                                             \
        #name "_fault:\n\t" insn "\n"                                        \
        #name "_resume:\n\t" after "\n\tret\n"                               \
        ".popsection")

/*
 * Runs probe(arg) with the handler armed to resume at resume; fills *rec
 * (rec->ret = the probe's RAX).  Returns true if a trap was taken.
 */
bool trap_probe(const char *probe, unsigned long arg, const char *resume,
                struct trap_record *rec);

#define run_probe(name, arg, rec) trap_probe(name, (arg), name##_resume, (rec))

#endif /* GUEST_TRAPS_H */
