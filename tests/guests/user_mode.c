/* SPDX-License-Identifier: MIT */
/*
 * user_mode: the guest kernel runs code in guest user mode under a user
 * root of its own, takes it back on every fault and resumes it.
 *
 * The user root (lib/user.c) maps a code, a data and a stack page in the
 * lower half and nothing of the kernel.  The kernel enters user mode with
 * the iret hypercall (CS FLAT_USER_CS, RPL 3).  First run: the user code
 * writes a value to its data page (the kernel reads it through its own
 * alias of the frame), uses its stack, reads %gs:0 through the user GS
 * base, and leaves by SYSCALL.  Second run: one instruction after another
 * traps, and the kernel resumes the code after each: #PF reading and
 * writing an unmapped user page (error code with the U bit, CR2 in
 * vcpu_info), #PF writing the read-only code page (U|W|P), #UD (ud2),
 * #BP (int3, RIP after it), INT $0x80 with a DPL-3 trap entry (a software
 * interrupt) and INT $0x81 with DPL 0 (#GP, error code 0x81 << 3 | 2),
 * privileged instructions (mov %cr3, cli: #GP(0), not emulated for user
 * mode), and reads and writes of kernel addresses (the guest's image and
 * the kernel's alias of the user data page), which the user root does not
 * map: #PF, not present, U bit.  Every bounce must arrive in guest kernel
 * mode (kernel root in CR3, kernel GS base, on the stack_switch stack)
 * with a frame saying user mode: CS 0xe033 (RPL 3), SS 0xe02b, the user
 * RSP, RFLAGS.IF set and a saved upcall mask of 0; the user's registers
 * survive every round trip, and the user GS base is back after each.
 *
 * With the module argument "noroot" the guest enters user mode without
 * installing a user root: Keel must crash the domain (there is no RESULT
 * line; the harness checks the crash report).
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"
#include "user.h"

#define RFLAGS_IF      0x200UL
#define USER_MAGIC     0x5553455255534552UL /* "RESUSERU" */
#define USER_GS_MAGIC  0x75676775676775UL
#define KERNEL_GS_MAGIC 0x6b676b676b676bUL
#define USER_GS_OFFSET 0x800
#define SYS_EXIT       60

/* Data page layout (user VA USER_DATA_VA + offset). */
#define D_RESULT   0x00  /* run 1: USER_MAGIC */
#define D_STACK    0x08  /* run 1: popped from the user stack */
#define D_RESUMES  0x10  /* run 2: resumed instructions */
#define D_GS_FIRST 0x18  /* run 2: %gs:0 before the faults */
#define D_GS_LAST  0x20  /* run 2: %gs:0 after them */

/* Register patterns the faulting run carries through every round trip. */
#define PAT(n) (0x1010101010101010UL * (n) + 0x0123456789abcdefUL)

/*
 * User code.  In run 2, RBX holds a kernel VA, RBP the kernel's alias of
 * the data page; the other registers hold patterns they must keep.
 */
USER_TEXT(
    "u_hello:\n"
    "    movabs $0x5553455255534552, %rax\n"
    "    mov    %rax, 0x401000\n"
    "    pushq  $0x77\n"
    "    popq   0x401008\n"
    "    mov    %gs:0, %r12\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n"

    "u_faults:\n"
    "    mov    %gs:0, %rax\n"
    "    mov    %rax, 0x401018\n"
    "u_pf_read:\n"
    "    mov    0x403000, %rax\n"
    "u_pf_read_resume:\n"
    "    incq   0x401010\n"
    "u_pf_write:\n"
    "    movq   $1, 0x403008\n"
    "u_pf_write_resume:\n"
    "    incq   0x401010\n"
    "u_pf_code:\n"
    "    movb   $1, 0x400000\n"
    "u_pf_code_resume:\n"
    "    incq   0x401010\n"
    "u_ud:\n"
    "    ud2\n"
    "u_ud_resume:\n"
    "    incq   0x401010\n"
    "    int3\n"
    "u_bp_after:\n"
    "    incq   0x401010\n"
    "    int    $0x80\n"
    "u_int80_after:\n"
    "    incq   0x401010\n"
    "u_int81:\n"
    "    int    $0x81\n"
    "u_int81_resume:\n"
    "    incq   0x401010\n"
    "u_cr3:\n"
    "    mov    %cr3, %rax\n"
    "u_cr3_resume:\n"
    "    incq   0x401010\n"
    "u_cli:\n"
    "    cli\n"
    "u_cli_resume:\n"
    "    incq   0x401010\n"
    "u_kread:\n"
    "    mov    (%rbx), %rax\n"
    "u_kread_resume:\n"
    "    incq   0x401010\n"
    "u_kwrite:\n"
    "    mov    %rax, (%rbx)\n"
    "u_kwrite_resume:\n"
    "    incq   0x401010\n"
    "u_kalias:\n"
    "    mov    (%rbp), %rax\n"
    "u_kalias_resume:\n"
    "    incq   0x401010\n"
    "    mov    %gs:0, %rax\n"
    "    mov    %rax, 0x401020\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n");

extern const char u_hello[], u_faults[];
extern const char u_pf_read[], u_pf_read_resume[], u_pf_write[], u_pf_write_resume[];
extern const char u_pf_code[], u_pf_code_resume[], u_ud[], u_ud_resume[], u_bp_after[];
extern const char u_int80_after[], u_int81[], u_int81_resume[], u_cr3[], u_cr3_resume[];
extern const char u_cli[], u_cli_resume[], u_kread[], u_kread_resume[], u_kwrite[];
extern const char u_kwrite_resume[], u_kalias[], u_kalias_resume[];

/* A kernel variable the user code must not reach. */
static volatile uint64_t kernel_secret = 0x5345435245544b4bUL;
/* What the kernel GS base points at. */
static uint64_t kernel_gs_area[2] = { KERNEL_GS_MAGIC, 0 };

/* One expected trap of run 2, in order. */
struct expected_trap {
    const char *what;
    unsigned int vector;
    uint64_t error_code;
    const char *rip;     /* where the frame must say it happened */
    const char *resume;  /* where the kernel resumes the user code */
    unsigned long cr2;   /* #PF only */
};

static struct expected_trap expected[16];
static unsigned int nr_expected, nr_seen;

static uint64_t read_gs0(void)
{
    uint64_t v;

    asm volatile("mov %%gs:0, %0" : "=r"(v));
    return v;
}

static uint64_t read_cr3(void)
{
    uint64_t v;

    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static const volatile uint64_t *data_at(unsigned int off)
{
    return (const volatile uint64_t *)(user_data_page + off);
}

/* What every bounce from user mode must look like, whatever the vector. */
static void check_kernel_side(const char *what, const struct user_frame *f)
{
    unsigned long sp = (unsigned long)f;

    check(sp >= (unsigned long)user_kstack && sp < user_kstack_top,
          "%s: handler runs on %#lx, not on the stack_switch stack [%p, %#lx)", what, sp,
          (void *)user_kstack, user_kstack_top);
    check(read_cr3() == kernel_l4_mfn << PAGE_SHIFT,
          "%s: CR3 reads %#lx in the handler, expected the kernel root %#lx", what, read_cr3(),
          kernel_l4_mfn << PAGE_SHIFT);
    check(read_gs0() == KERNEL_GS_MAGIC, "%s: %%gs:0 in the handler is %#lx, expected %#lx "
          "(the kernel GS base)", what, read_gs0(), KERNEL_GS_MAGIC);
    check((f->cs & 0xffff) == FLAT_USER_CS, "%s: frame CS %#lx, expected %#x (RPL 3: user)", what,
          f->cs & 0xffff, FLAT_USER_CS);
    check(((f->cs >> 32) & 0xff) == 0, "%s: saved upcall mask %lu, expected 0 (user mode runs "
          "with events enabled)", what, (f->cs >> 32) & 0xff);
    check(f->rflags & RFLAGS_IF, "%s: frame RFLAGS %#lx without IF", what, f->rflags);
    check((f->ss & 0xffff) == FLAT_USER_SS, "%s: frame SS %#lx, expected %#x", what, f->ss,
          FLAT_USER_SS);
    check(f->rsp == USER_STACK_TOP, "%s: frame RSP %#lx, expected %#lx", what, f->rsp,
          USER_STACK_TOP);
}

/* Run 1: everything exits. */
static int hello_handler(struct user_frame *f)
{
    check_kernel_side("hello: SYSCALL", f);
    return USER_EXIT;
}

static void check_patterns(const char *what, const struct user_frame *f)
{
    const uint64_t got[] = { f->rcx, f->rdx, f->rsi, f->rdi, f->r8, f->r9, f->r10, f->r11,
                             f->r12, f->r13, f->r14, f->r15 };
    static const char *const names[] = { "RCX", "RDX", "RSI", "RDI", "R8", "R9", "R10", "R11",
                                         "R12", "R13", "R14", "R15" };

    for (unsigned int i = 0; i < ARRAY_SIZE(got); i++)
        check(got[i] == PAT(i + 1), "%s: user %s is %#lx, expected %#lx", what, names[i], got[i],
              PAT(i + 1));
    check(f->rbx == (unsigned long)&kernel_secret, "%s: user RBX %#lx changed", what, f->rbx);
    check(f->rbp == (unsigned long)user_data_page, "%s: user RBP %#lx changed", what, f->rbp);
}

/* Run 2: check each trap against the list, resume where it says. */
static int fault_handler(struct user_frame *f)
{
    const struct expected_trap *e;
    uint64_t cr2 = vcpu0_info()->arch.cr2;

    if (f->vector == USER_VECTOR_SYSCALL) {
        check_kernel_side("faults: final SYSCALL", f);
        return USER_EXIT;
    }
    if (nr_seen >= nr_expected) {
        check(false, "unexpected trap %lu (error code %#lx) at user RIP %#lx", f->vector,
              f->error_code, f->rip);
        return USER_EXIT;
    }
    e = &expected[nr_seen++];
    check_kernel_side(e->what, f);
    expect_eq_what(e->what, f->vector, e->vector);
    expect_eq_what(e->what, f->error_code, e->error_code);
    check(f->rip == user_va(e->rip), "%s: frame RIP %#lx, expected %#lx", e->what, f->rip,
          user_va(e->rip));
    if (e->vector == TRAP_PF)
        check(cr2 == e->cr2, "%s: CR2 %#lx, expected %#lx", e->what, cr2, e->cr2);
    check_patterns(e->what, f);
    check(*data_at(D_RESUMES) == nr_seen - 1, "%s: the user code resumed %lu times before it, "
          "expected %u", e->what, *data_at(D_RESUMES), nr_seen - 1);
    if (f->rip != user_va(e->rip))
        return USER_EXIT;
    f->rip = user_va(e->resume);
    return USER_RESUME;
}

static void expect_trap(const char *what, unsigned int vector, uint64_t error_code,
                        const char *rip, const char *resume, unsigned long cr2)
{
    expected[nr_expected++] = (struct expected_trap){ what, vector, error_code, rip, resume, cr2 };
}

static void run_hello(void)
{
    struct user_frame f = user_start(user_va(u_hello));

    user_set_handler(hello_handler);
    user_run(&f);
    expect_eq_what("hello: exit by SYSCALL", f.vector, USER_VECTOR_SYSCALL);
    expect_eq_what("hello: syscall number", f.rax, SYS_EXIT);
    check(*data_at(D_RESULT) == USER_MAGIC,
          "hello: the user's store to its data page reads %#lx in the kernel, expected %#lx",
          *data_at(D_RESULT), USER_MAGIC);
    expect_eq_what("hello: value through the user stack", *data_at(D_STACK), 0x77);
    check(f.r12 == USER_GS_MAGIC, "hello: user %%gs:0 is %#lx, expected %#lx (the user GS base)",
          f.r12, USER_GS_MAGIC);
    check(read_gs0() == KERNEL_GS_MAGIC, "hello: %%gs:0 back in the kernel is %#lx, expected %#lx",
          read_gs0(), KERNEL_GS_MAGIC);
}

static void run_faults(void)
{
    struct user_frame f = user_start(user_va(u_faults));
    unsigned long kva = (unsigned long)&kernel_secret;
    unsigned long alias = (unsigned long)user_data_page;

    expect_trap("user read of an unmapped page", TRAP_PF, PFEC_USER, u_pf_read, u_pf_read_resume,
                USER_HOLE_VA);
    expect_trap("user write of an unmapped page", TRAP_PF, PFEC_USER | PFEC_WRITE, u_pf_write,
                u_pf_write_resume, USER_HOLE_VA + 8);
    expect_trap("user write of its read-only code page", TRAP_PF,
                PFEC_USER | PFEC_WRITE | PFEC_PRESENT, u_pf_code, u_pf_code_resume, USER_CODE_VA);
    expect_trap("user ud2", TRAP_UD, 0, u_ud, u_ud_resume, 0);
    expect_trap("user int3", TRAP_BP, 0, u_bp_after, u_bp_after, 0);
    expect_trap("user int $0x80 (DPL 3)", 0x80, 0, u_int80_after, u_int80_after, 0);
    expect_trap("user int $0x81 (DPL 0)", TRAP_GP, 0x81 << 3 | 2, u_int81, u_int81_resume, 0);
    expect_trap("user mov %cr3", TRAP_GP, 0, u_cr3, u_cr3_resume, 0);
    expect_trap("user cli", TRAP_GP, 0, u_cli, u_cli_resume, 0);
    expect_trap("user read of a kernel page", TRAP_PF, PFEC_USER, u_kread, u_kread_resume, kva);
    expect_trap("user write of a kernel page", TRAP_PF, PFEC_USER | PFEC_WRITE, u_kwrite,
                u_kwrite_resume, kva);
    expect_trap("user read of the kernel's alias of its data page", TRAP_PF, PFEC_USER, u_kalias,
                u_kalias_resume, alias);

    expect_eq_what("trap table: int $0x80 DPL 3", traps_set_dpl(0x80, 3), 0);
    f.rcx = PAT(1), f.rdx = PAT(2), f.rsi = PAT(3), f.rdi = PAT(4);
    f.r8 = PAT(5), f.r9 = PAT(6), f.r10 = PAT(7), f.r11 = PAT(8);
    f.r12 = PAT(9), f.r13 = PAT(10), f.r14 = PAT(11), f.r15 = PAT(12);
    f.rbx = kva;
    f.rbp = alias;
    user_set_handler(fault_handler);
    user_run(&f);

    expect_eq_what("faults: exit by SYSCALL", f.vector, USER_VECTOR_SYSCALL);
    expect_eq_what("faults: traps taken", nr_seen, nr_expected);
    expect_eq_what("faults: instructions resumed", *data_at(D_RESUMES), nr_expected);
    check(*data_at(D_GS_FIRST) == USER_GS_MAGIC && *data_at(D_GS_LAST) == USER_GS_MAGIC,
          "faults: user %%gs:0 was %#lx before and %#lx after the faults, expected %#lx",
          *data_at(D_GS_FIRST), *data_at(D_GS_LAST), USER_GS_MAGIC);
    check(kernel_secret == 0x5345435245544b4bUL, "faults: the user code changed a kernel page");
    check(read_gs0() == KERNEL_GS_MAGIC, "faults: %%gs:0 back in the kernel is %#lx, expected %#lx",
          read_gs0(), KERNEL_GS_MAGIC);
}

static bool arg_present(const char *arg)
{
    const char *s = (const char *)start_info->cmd_line;
    size_t n = strlen(arg);

    for (; *s; s++)
        if ((s == (const char *)start_info->cmd_line || s[-1] == ' ') && !strncmp(s, arg, n) &&
            (s[n] == '\0' || s[n] == ' '))
            return true;
    return false;
}

void guest_main(void)
{
    bool noroot = arg_present("noroot");
    long rc = user_init(user_text, user_text_end, noroot ? USER_INIT_NO_ROOT : 0);

    expect_eq_what("user_init", rc, 0);
    if (rc)
        return;
    *(volatile uint64_t *)(user_data_page + USER_GS_OFFSET) = USER_GS_MAGIC;
    expect_eq_what("set_segment_base(GS_KERNEL)",
                   HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)kernel_gs_area),
                   0);
    expect_eq_what("set_segment_base(GS_USER)",
                   HYPERVISOR_set_segment_base(SEGBASE_GS_USER, USER_DATA_VA + USER_GS_OFFSET), 0);
    check(read_gs0() == KERNEL_GS_MAGIC, "%%gs:0 in the kernel is %#lx, expected %#lx", read_gs0(),
          KERNEL_GS_MAGIC);
    if (noroot) {
        struct user_frame f = user_start(user_va(u_hello));

        printf("user_mode: entering user mode with no user root installed\n");
        user_run(&f);
        test_fail(guest_name, "iret to user mode without a user root returned to the kernel "
                  "(vector %lu)", f.vector);
    }
    run_hello();
    run_faults();
    expect_eq_what("entries from user mode", user_entries, 2 + nr_expected);
}
