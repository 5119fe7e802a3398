/* SPDX-License-Identifier: MIT */
/*
 * syscall: SYSCALL from guest user mode reaches the kernel's syscall
 * callback as Xen delivers it, and SYSCALL from guest kernel mode is a
 * hypercall.
 *
 * 1. No callback registered: SYSCALL from user mode is #UD at the SYSCALL
 *    instruction (RIP rewound to it; the frame's RCX/R11 slots hold what
 *    the instruction put there: the next RIP and RFLAGS).
 * 2. With the callback (CALLBACKF_mask_events): many round trips.  Each
 *    time the callback sees the user's registers untouched, RCX and R11
 *    (live and in the frame) = the return RIP and the user's RFLAGS, a
 *    frame with RIP = the return address, RFLAGS = the user's (CF varies
 *    per call), the user RSP, a saved upcall mask of 0, events masked now,
 *    the kernel GS base.  It answers with RAX, RCX, R11 and CF of its own
 *    through the iret hypercall (flags 0); a second SYSCALL reports what
 *    the user saw: exactly those, and its other registers preserved.
 * 3. DF and AC set in user mode: the callback runs with both clear (Xen
 *    clears DF for the syscall callback, AC for every bounce) while the
 *    frame keeps them, and the iret gives them back to the user.
 * 4. iret with VGCF_in_syscall: RCX and R11 are not restored from the
 *    frame; the user gets RCX = its return RIP and R11 = its RFLAGS, as
 *    SYSRET leaves them in Xen (never the guest kernel's own values).
 * 5. SYSCALL from the guest kernel with hypercall numbers nobody has
 *    (gaps in the table, past its end, bits above 32): -ENOSYS, with RBX,
 *    RBP, R9 and R12-R15 preserved.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"
#include "user.h"

#define RFLAGS_CF   0x001UL
#define RFLAGS_TF   0x100UL
#define RFLAGS_IF   0x200UL
#define RFLAGS_DF   0x400UL
#define RFLAGS_IOPL 0x3000UL
#define RFLAGS_VM   0x20000UL
#define RFLAGS_AC   0x40000UL
#define RFLAGS_BASE 0x202UL /* IF and the always-one bit */

#define SYS_ECHO   1
#define SYS_CHECK  2
#define SYS_SYSRET 3
#define SYS_FLAGS  4
#define SYS_EXIT   60

#define ROUND_TRIPS 500

#define KERNEL_GS_MAGIC 0x6b676b676b676bUL

/* Data page: what the user saw after an answered SYSCALL. */
#define D_RAX    0x100
#define D_RCX    0x108
#define D_R11    0x110
#define D_RFLAGS 0x118

#define PAT(n) (0x0f0e0d0c0b0a0908UL * (n) + 0x1122334455667788UL)

/*
 * u_loop: R15 = i from 0 to R14, the preserved registers hold PAT(1..7):
 * RBX, RBP, R8, R9, R10, R12, R13.  ECHO carries RDI = i, RSI = ~i,
 * RDX = 3i, RFLAGS = IF | CF = bit 0 of i; the answer's RAX, RCX, R11 and RFLAGS go to
 * the data page for CHECK.
 */
USER_TEXT(
    "u_loop:\n"
    "    mov    %r15, %rdi\n"
    "    mov    %r15, %rsi\n"
    "    not    %rsi\n"
    "    lea    (%r15,%r15,2), %rdx\n"
    "    mov    %r15, %rax\n"
    "    and    $1, %eax\n"
    "    or     $0x202, %eax\n"
    "    push   %rax\n"
    "    popfq\n"
    "    mov    $1, %eax\n"
    "    syscall\n"
    "u_loop_ret:\n"
    "    pushfq\n"
    "    popq   0x401118\n"
    "    mov    %rax, 0x401100\n"
    "    mov    %rcx, 0x401108\n"
    "    mov    %r11, 0x401110\n"
    "    mov    $2, %eax\n"
    "    syscall\n"
    "    inc    %r15\n"
    "    cmp    %r14, %r15\n"
    "    jb     u_loop\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n"

    "u_nocb:\n"
    "    mov    $1, %eax\n"
    "u_nocb_syscall:\n"
    "    syscall\n"
    "u_nocb_after:\n"
    "    int3\n"
    "u_nocb_int3_after:\n"
    "    ud2\n"

    "u_flags:\n"
    "    pushfq\n"
    "    orq    $0x40400, (%rsp)\n"
    "    popfq\n"
    "    mov    $4, %eax\n"
    "    syscall\n"
    "    pushfq\n"
    "    popq   0x401118\n"
    "    cld\n"
    "    pushfq\n"
    "    andq   $~0x40000, (%rsp)\n"
    "    popfq\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n"

    "u_sysret:\n"
    "    mov    $3, %eax\n"
    "    syscall\n"
    "u_sysret_ret:\n"
    "    pushfq\n"
    "    popq   0x401118\n"
    "    mov    %rcx, 0x401108\n"
    "    mov    %r11, 0x401110\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n");

extern const char u_loop[], u_loop_ret[], u_nocb[], u_nocb_syscall[], u_nocb_after[];
extern const char u_nocb_int3_after[], u_flags[], u_sysret[], u_sysret_ret[];

static uint64_t kernel_gs_area[2] = { KERNEL_GS_MAGIC, 0 };

static uint64_t read_gs0(void)
{
    uint64_t v;

    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static uint64_t data(unsigned int off)
{
    return *(const volatile uint64_t *)(user_data_page + off);
}

/* ---- 1: no callback ----------------------------------------------------- */

static struct user_frame nocb_ud;
static unsigned int nocb_traps;

static int nocb_handler(struct user_frame *f)
{
    if (nocb_traps++ == 0 && f->vector == TRAP_UD) {
        nocb_ud = *f;
        f->rip += 2;
        return USER_RESUME;
    }
    return USER_EXIT;
}

static void test_no_callback(void)
{
    struct user_frame f = user_start(user_va(u_nocb));

    user_set_handler(nocb_handler);
    user_run(&f);
    expect_eq_what("SYSCALL without a callback: traps", nocb_traps, 2);
    expect_eq_what("SYSCALL without a callback: vector", nocb_ud.vector, TRAP_UD);
    expect_eq_what("SYSCALL without a callback: error code", nocb_ud.error_code, 0);
    check(nocb_ud.rip == user_va(u_nocb_syscall),
          "SYSCALL without a callback: #UD at %#lx, expected the SYSCALL at %#lx", nocb_ud.rip,
          user_va(u_nocb_syscall));
    check((nocb_ud.cs & 0xffff) == FLAT_USER_CS, "SYSCALL without a callback: frame CS %#lx",
          nocb_ud.cs);
    expect_eq_what("SYSCALL without a callback: frame RSP", nocb_ud.rsp, USER_STACK_TOP);
    check(nocb_ud.frame_rcx == user_va(u_nocb_after),
          "SYSCALL without a callback: frame RCX %#lx, expected the next RIP %#lx",
          nocb_ud.frame_rcx, user_va(u_nocb_after));
    check(nocb_ud.frame_r11 == RFLAGS_BASE,
          "SYSCALL without a callback: frame R11 %#lx, expected the RFLAGS %#lx",
          nocb_ud.frame_r11, RFLAGS_BASE);
    expect_eq_what("SYSCALL without a callback: then int3", f.vector, TRAP_BP);
    check(f.rip == user_va(u_nocb_int3_after), "SYSCALL without a callback: resumed to %#lx, "
          "expected %#lx", f.rip, user_va(u_nocb_int3_after));
}

/* ---- 2: round trips ------------------------------------------------------ */

static uint64_t iter;
static uint64_t answer_rax, answer_rcx, answer_r11, answer_rflags;
static unsigned int loop_failures;

/* What the callback must see on every SYSCALL from user mode. */
static void check_callback_entry(const char *what, const struct user_frame *f, uint64_t ret_rip,
                                 uint64_t rflags)
{
    struct vcpu_info *vi = vcpu0_info();

    check(f->rip == ret_rip && f->rcx == ret_rip && f->frame_rcx == ret_rip,
          "%s: RIP %#lx, RCX %#lx, frame RCX %#lx; expected the return address %#lx", what,
          f->rip, f->rcx, f->frame_rcx, ret_rip);
    check(f->rflags == rflags && f->r11 == rflags && f->frame_r11 == rflags,
          "%s: RFLAGS %#lx, R11 %#lx, frame R11 %#lx; expected the user's RFLAGS %#lx", what,
          f->rflags, f->r11, f->frame_r11, rflags);
    check(f->rsp == USER_STACK_TOP, "%s: frame RSP %#lx, expected %#lx", what, f->rsp,
          USER_STACK_TOP);
    check(((f->cs >> 32) & 0xff) == 0, "%s: saved upcall mask %lu, expected 0", what,
          (f->cs >> 32) & 0xff);
    check(vi->evtchn_upcall_mask == 1, "%s: events not masked in a callback registered with "
          "CALLBACKF_mask_events", what);
    check(!(user_callback_rflags & (RFLAGS_DF | RFLAGS_AC | RFLAGS_TF)),
          "%s: the callback runs with RFLAGS %#lx (DF, AC or TF set)", what, user_callback_rflags);
    check(read_gs0() == KERNEL_GS_MAGIC, "%s: %%gs:0 is %#lx, expected the kernel's %#lx", what,
          read_gs0(), KERNEL_GS_MAGIC);
}

static void check_preserved(const char *what, const struct user_frame *f)
{
    const uint64_t got[] = { f->rbx, f->rbp, f->r8, f->r9, f->r10, f->r12, f->r13 };
    static const char *const names[] = { "RBX", "RBP", "R8", "R9", "R10", "R12", "R13" };

    for (unsigned int i = 0; i < ARRAY_SIZE(got); i++)
        check(got[i] == PAT(i + 1), "%s: %s is %#lx, expected %#lx", what, names[i], got[i],
              PAT(i + 1));
    check(f->r14 == ROUND_TRIPS && f->r15 == iter, "%s: R14 %#lx R15 %#lx, expected %#x %#lx",
          what, f->r14, f->r15, ROUND_TRIPS, iter);
}

static int loop_handler(struct user_frame *f)
{
    unsigned int failed = check_failures();

    if (f->vector != USER_VECTOR_SYSCALL || f->rax == SYS_EXIT)
        return USER_EXIT;
    if (f->rax == SYS_ECHO) {
        check_callback_entry("ECHO", f, user_va(u_loop_ret), RFLAGS_BASE | (iter & 1));
        check(f->rdi == iter && f->rsi == ~iter && f->rdx == 3 * iter,
              "ECHO %lu: arguments RDI %#lx RSI %#lx RDX %#lx", iter, f->rdi, f->rsi, f->rdx);
        check_preserved("ECHO", f);
        answer_rax = 7 * iter + 1;
        answer_rcx = 0xc0c0000000000000UL + iter;
        answer_r11 = 0x1111000000000000UL + iter;
        answer_rflags = (f->rflags & ~RFLAGS_CF) | (~iter & 1);
        f->rax = answer_rax;
        f->rcx = answer_rcx;
        f->r11 = answer_r11;
        f->rflags = answer_rflags;
    } else if (f->rax == SYS_CHECK) {
        check(data(D_RAX) == answer_rax, "round trip %lu: user RAX %#lx, expected %#lx", iter,
              data(D_RAX), answer_rax);
        check(data(D_RCX) == answer_rcx, "round trip %lu: user RCX %#lx, expected %#lx (iret "
              "restores RCX from the frame)", iter, data(D_RCX), answer_rcx);
        check(data(D_R11) == answer_r11, "round trip %lu: user R11 %#lx, expected %#lx (iret "
              "restores R11 from the frame)", iter, data(D_R11), answer_r11);
        check(data(D_RFLAGS) == answer_rflags, "round trip %lu: user RFLAGS %#lx, expected %#lx",
              iter, data(D_RFLAGS), answer_rflags);
        check_preserved("CHECK", f);
        f->rax = 0;
        iter++;
    } else {
        check(false, "unexpected system call %#lx", f->rax);
        return USER_EXIT;
    }
    if (check_failures() != failed) {
        loop_failures++;
        return USER_EXIT;
    }
    return USER_RESUME;
}

static void test_round_trips(void)
{
    struct user_frame f = user_start(user_va(u_loop));
    const uint64_t pats[] = { PAT(1), PAT(2), PAT(3), PAT(4), PAT(5), PAT(6), PAT(7) };

    f.rbx = pats[0], f.rbp = pats[1], f.r8 = pats[2], f.r9 = pats[3], f.r10 = pats[4];
    f.r12 = pats[5], f.r13 = pats[6];
    f.r14 = ROUND_TRIPS;
    f.r15 = 0;
    user_set_handler(loop_handler);
    user_run(&f);
    expect_eq_what("round trips: exit by SYSCALL", f.rax, SYS_EXIT);
    expect_eq_what("round trips completed", iter, ROUND_TRIPS);
    expect_eq_what("round trips that failed a check", loop_failures, 0);
}

/* ---- 3: DF and AC -------------------------------------------------------- */

static struct user_frame flags_entry;

static int flags_handler(struct user_frame *f)
{
    if (f->vector == USER_VECTOR_SYSCALL && f->rax == SYS_FLAGS) {
        flags_entry = *f;
        check(!(user_callback_rflags & (RFLAGS_DF | RFLAGS_AC)),
              "DF/AC: the callback runs with RFLAGS %#lx; Xen clears DF (and AC) for it",
              user_callback_rflags);
        f->rax = 0;
        return USER_RESUME;
    }
    return USER_EXIT;
}

static void test_flags(void)
{
    struct user_frame f = user_start(user_va(u_flags));
    const uint64_t user_flags = RFLAGS_BASE | RFLAGS_DF | RFLAGS_AC;

    user_set_handler(flags_handler);
    user_run(&f);
    expect_eq_what("DF/AC: exit by SYSCALL", f.rax, SYS_EXIT);
    check(flags_entry.rflags == user_flags && flags_entry.frame_r11 == user_flags,
          "DF/AC: frame RFLAGS %#lx, R11 %#lx; expected the user's %#lx", flags_entry.rflags,
          flags_entry.frame_r11, user_flags);
    check(data(D_RFLAGS) == user_flags, "DF/AC: user RFLAGS after the iret %#lx, expected %#lx",
          data(D_RFLAGS), user_flags);
}

/* ---- 4: VGCF_in_syscall --------------------------------------------------- */

static uint64_t sysret_rflags;

static int sysret_handler(struct user_frame *f)
{
    if (f->vector == USER_VECTOR_SYSCALL && f->rax == SYS_SYSRET) {
        f->rax = 0;
        f->rcx = 0xdead0000dead0000UL;
        f->r11 = 0xbeef0000beef0000UL;
        f->rflags |= RFLAGS_CF | RFLAGS_IOPL;
        sysret_rflags = (f->rflags & ~(RFLAGS_IOPL | RFLAGS_VM)) | RFLAGS_IF;
        user_iret_flags = VGCF_in_syscall;
        return USER_RESUME;
    }
    user_iret_flags = 0;
    return USER_EXIT;
}

static void test_in_syscall(void)
{
    struct user_frame f = user_start(user_va(u_sysret));

    user_set_handler(sysret_handler);
    user_run(&f);
    expect_eq_what("VGCF_in_syscall: exit by SYSCALL", f.rax, SYS_EXIT);
    check(data(D_RFLAGS) == sysret_rflags, "VGCF_in_syscall: user RFLAGS %#lx, expected %#lx",
          data(D_RFLAGS), sysret_rflags);
    check(data(D_RCX) == user_va(u_sysret_ret),
          "VGCF_in_syscall: user RCX %#lx, expected its return RIP %#lx (SYSRET semantics)",
          data(D_RCX), user_va(u_sysret_ret));
    check(data(D_R11) == sysret_rflags,
          "VGCF_in_syscall: user R11 %#lx, expected its RFLAGS %#lx (SYSRET semantics)",
          data(D_R11), sysret_rflags);
}

/* ---- 5: unknown hypercalls from the kernel ------------------------------- */

/* Every general register, in and out of one SYSCALL from kernel mode. */
struct kregs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
void kernel_syscall_regs(struct kregs *io);
asm(".pushsection .text.kernel_syscall_regs, \"ax\", @progbits\n"
    ".globl kernel_syscall_regs\n"
    "kernel_syscall_regs:\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    push %rdi\n"
    "    mov 0(%rdi), %rax; mov 8(%rdi), %rbx; mov 16(%rdi), %rcx; mov 24(%rdi), %rdx\n"
    "    mov 32(%rdi), %rsi; mov 48(%rdi), %rbp; mov 56(%rdi), %r8; mov 64(%rdi), %r9\n"
    "    mov 72(%rdi), %r10; mov 80(%rdi), %r11; mov 88(%rdi), %r12; mov 96(%rdi), %r13\n"
    "    mov 104(%rdi), %r14; mov 112(%rdi), %r15; mov 40(%rdi), %rdi\n"
    "    syscall\n"
    "    xchg %rdi, (%rsp)\n"
    "    mov %rax, 0(%rdi); mov %rbx, 8(%rdi); mov %rcx, 16(%rdi); mov %rdx, 24(%rdi)\n"
    "    mov %rsi, 32(%rdi); mov %rbp, 48(%rdi); mov %r8, 56(%rdi); mov %r9, 64(%rdi)\n"
    "    mov %r10, 72(%rdi); mov %r11, 80(%rdi); mov %r12, 88(%rdi); mov %r13, 96(%rdi)\n"
    "    mov %r14, 104(%rdi); mov %r15, 112(%rdi)\n"
    "    pop %rax; mov %rax, 40(%rdi)\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    ret\n"
    ".popsection");

static void test_kernel_unknown(void)
{
    /* Gaps in Xen 4.17's table, the first numbers past it, and beyond 32 bits. */
    static const uint64_t numbers[] = { 6, 11, 16, 19, 64, 65, 999, 0xffffffffUL,
                                        (1UL << 32) | __HYPERVISOR_xen_version, ~0UL };

    for (unsigned int i = 0; i < ARRAY_SIZE(numbers); i++) {
        struct kregs r = {
            .rax = numbers[i], .rbx = PAT(11), .rcx = PAT(12), .rdx = PAT(13), .rsi = PAT(14),
            .rdi = PAT(15), .rbp = PAT(16), .r8 = PAT(17), .r9 = PAT(18), .r10 = PAT(19),
            .r11 = PAT(20), .r12 = PAT(21), .r13 = PAT(22), .r14 = PAT(23), .r15 = PAT(24),
        };

        kernel_syscall_regs(&r);
        check(r.rax == (uint64_t)-XEN_ENOSYS, "kernel SYSCALL with RAX %#lx returned %ld%s, "
              "expected -ENOSYS", numbers[i], (long)r.rax, errno_name((long)r.rax));
        check(r.rbx == PAT(11) && r.rbp == PAT(16) && r.r9 == PAT(18) && r.r12 == PAT(21) &&
              r.r13 == PAT(22) && r.r14 == PAT(23) && r.r15 == PAT(24),
              "kernel SYSCALL with RAX %#lx: a preserved register changed (RBX %#lx RBP %#lx "
              "R9 %#lx R12 %#lx R13 %#lx R14 %#lx R15 %#lx)", numbers[i], r.rbx, r.rbp, r.r9,
              r.r12, r.r13, r.r14, r.r15);
    }
}

void guest_main(void)
{
    long rc = user_init(user_text, user_text_end, USER_INIT_NO_SYSCALL_CALLBACK);

    expect_eq_what("user_init", rc, 0);
    if (rc)
        return;
    expect_eq_what("set_segment_base(GS_KERNEL)",
                   HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)kernel_gs_area),
                   0);
    test_kernel_unknown();
    test_no_callback();
    rc = user_register_syscall_callback();
    expect_eq_what("register the syscall callback", rc, 0);
    if (rc)
        return;
    test_round_trips();
    test_flags();
    test_in_syscall();
}
