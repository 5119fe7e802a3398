/* SPDX-License-Identifier: MIT */
/*
 * fpu: the guest's x87/SSE state is the guest's alone, and the virtual
 * CR0.TS works as in Xen.
 *
 * The guest loads distinctive values into XMM0-XMM15, ST0-ST7, the x87
 * control word (truncating rounding) and MXCSR (truncating, flush to
 * zero), takes a snapshot with FXSAVE and compares later snapshots with
 * it (FCW, FSW, FTW, MXCSR, the eight ST registers and sixteen XMM
 * registers; not the last-instruction pointers) after: a #BP and a #PF
 * bounced to the guest and returned from with iret; a series of
 * hypercalls; a user-mode run that takes a #PF and a SYSCALL, in which
 * the user code's own FXSAVE must show the kernel's values (one FPU
 * context per vCPU, not per guest mode) and whose change to XMM15 the
 * kernel must see afterwards.
 *
 * fpu_taskswitch(1) sets the virtual TS (CR0 reads it back): the next SSE
 * or x87 instruction raises #NM in the guest, at that instruction, with
 * no error code; delivering it clears TS again (Xen's ABI), so the same
 * instruction then runs.  The same from guest user mode, where the kernel
 * simply resumes the faulting instruction.  fpu_taskswitch(1) then (0):
 * no #NM.  The state survives all of it.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"
#include "user.h"

#define CR0_TS 0x8UL
#define UNMAPPED_VA 0x10000123UL /* below VIRT_BASE: never mapped */

/* What fpu_load() loads. */
struct fpu_values {
    uint64_t xmm[16][2];
    uint64_t st[8];      /* doubles, pushed st[0] first: ST0 = st[7] */
    uint32_t mxcsr;
    uint16_t fcw;
    uint16_t pad;
};
_Static_assert(offsetof(struct fpu_values, st) == 256 &&
               offsetof(struct fpu_values, mxcsr) == 320 && offsetof(struct fpu_values, fcw) == 324,
               "fpu_load hard-codes the layout");

void fpu_load(const struct fpu_values *v);
void fpu_save(uint8_t *area);
asm(".pushsection .text.fpu_helpers, \"ax\", @progbits\n"
    ".globl fpu_load, fpu_save\n"
    "fpu_load:\n"
    "    movdqu 0(%rdi), %xmm0\n    movdqu 16(%rdi), %xmm1\n"
    "    movdqu 32(%rdi), %xmm2\n   movdqu 48(%rdi), %xmm3\n"
    "    movdqu 64(%rdi), %xmm4\n   movdqu 80(%rdi), %xmm5\n"
    "    movdqu 96(%rdi), %xmm6\n   movdqu 112(%rdi), %xmm7\n"
    "    movdqu 128(%rdi), %xmm8\n  movdqu 144(%rdi), %xmm9\n"
    "    movdqu 160(%rdi), %xmm10\n movdqu 176(%rdi), %xmm11\n"
    "    movdqu 192(%rdi), %xmm12\n movdqu 208(%rdi), %xmm13\n"
    "    movdqu 224(%rdi), %xmm14\n movdqu 240(%rdi), %xmm15\n"
    "    fninit\n"
    "    fldcw  324(%rdi)\n"
    "    fldl   256(%rdi)\n fldl 264(%rdi)\n fldl 272(%rdi)\n fldl 280(%rdi)\n"
    "    fldl   288(%rdi)\n fldl 296(%rdi)\n fldl 304(%rdi)\n fldl 312(%rdi)\n"
    "    ldmxcsr 320(%rdi)\n"
    "    ret\n"
    "fpu_save:\n"
    "    fxsaveq (%rdi)\n"
    "    ret\n"
    ".popsection");

/* FXSAVE image offsets. */
#define FX_FCW   0
#define FX_FSW   2
#define FX_FTW   4
#define FX_MXCSR 24
#define FX_ST0   32
#define FX_XMM0  160

static const struct fpu_values values = {
    .xmm = {
        { 0x0001020304050607UL, 0x08090a0b0c0d0e0fUL },
        { 0x1011121314151617UL, 0x18191a1b1c1d1e1fUL },
        { 0x2021222324252627UL, 0x28292a2b2c2d2e2fUL },
        { 0x3031323334353637UL, 0x38393a3b3c3d3e3fUL },
        { 0x4041424344454647UL, 0x48494a4b4c4d4e4fUL },
        { 0x5051525354555657UL, 0x58595a5b5c5d5e5fUL },
        { 0x6061626364656667UL, 0x68696a6b6c6d6e6fUL },
        { 0x7071727374757677UL, 0x78797a7b7c7d7e7fUL },
        { 0x8081828384858687UL, 0x88898a8b8c8d8e8fUL },
        { 0x9091929394959697UL, 0x98999a9b9c9d9e9fUL },
        { 0xa0a1a2a3a4a5a6a7UL, 0xa8a9aaabacadaeafUL },
        { 0xb0b1b2b3b4b5b6b7UL, 0xb8b9babbbcbdbebfUL },
        { 0xc0c1c2c3c4c5c6c7UL, 0xc8c9cacbcccdcecfUL },
        { 0xd0d1d2d3d4d5d6d7UL, 0xd8d9dadbdcdddedfUL },
        { 0xe0e1e2e3e4e5e6e7UL, 0xe8e9eaebecedeeefUL },
        { 0xf0f1f2f3f4f5f6f7UL, 0xf8f9fafbfcfdfeffUL },
    },
    /* 1.0, 2.5, -3.0, 1e10, pi, e, -0.5, 12345.678 */
    .st = { 0x3ff0000000000000UL, 0x4004000000000000UL, 0xc008000000000000UL,
            0x4202a05f20000000UL, 0x400921fb54442d18UL, 0x4005bf0a8b145769UL,
            0xbfe0000000000000UL, 0x40c81cd6c8b43958UL },
    .mxcsr = 0xff80, /* exceptions masked, round toward zero, flush to zero */
    .fcw = 0x0f7f,   /* exceptions masked, extended precision, round toward zero */
};

static uint8_t snapshot[512] __attribute__((aligned(16)));
static uint8_t now[512] __attribute__((aligned(16)));

/* Loads the values and takes the reference snapshot. */
static void load(void)
{
    fpu_load(&values);
    fpu_save(snapshot);
}

/* Compares an FXSAVE image with the snapshot; ignore_xmm skips one XMM register (-1: none). */
static void compare_image(const char *what, const uint8_t *img, int ignore_xmm)
{
    static const struct {
        const char *name;
        unsigned int off, len;
    } fields[] = {
        { "FCW", FX_FCW, 2 }, { "FSW", FX_FSW, 2 }, { "FTW", FX_FTW, 1 }, { "MXCSR", FX_MXCSR, 4 },
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
        check(!memcmp(img + fields[i].off, snapshot + fields[i].off, fields[i].len),
              "%s: %s changed", what, fields[i].name);
    for (unsigned int i = 0; i < 8; i++)
        check(!memcmp(img + FX_ST0 + 16 * i, snapshot + FX_ST0 + 16 * i, 10),
              "%s: ST%u changed", what, i);
    for (int i = 0; i < 16; i++) {
        const uint64_t *got = (const uint64_t *)(img + FX_XMM0 + 16 * i);

        if (i == ignore_xmm)
            continue;
        check(got[0] == values.xmm[i][0] && got[1] == values.xmm[i][1],
              "%s: XMM%d is %#018lx%016lx, expected %#018lx%016lx", what, i, got[1], got[0],
              values.xmm[i][1], values.xmm[i][0]);
    }
}

static void compare(const char *what)
{
    fpu_save(now);
    compare_image(what, now, -1);
}

static uint64_t read_cr0(void)
{
    uint64_t v;

    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}

TRAP_PROBE(probe_int3, "", "int3", "");
TRAP_PROBE(probe_pf, "", "movb (%rdi), %al", "");
TRAP_PROBE(probe_nm_sse, "", "movaps %xmm0, %xmm0", "");
TRAP_PROBE(probe_nm_x87, "", "fnop", "");

static void test_snapshot(void)
{
    load();
    expect_eq_what("FCW as loaded", *(const uint16_t *)(snapshot + FX_FCW), values.fcw);
    expect_eq_what("MXCSR as loaded", *(const uint32_t *)(snapshot + FX_MXCSR), values.mxcsr);
    compare("straight after loading");
}

static void test_traps(void)
{
    struct trap_record r;

    load();
    run_probe(probe_int3, 0, &r);
    check(r.taken && r.vector == TRAP_BP, "int3 did not bounce as #BP");
    compare("after a #BP and iret");

    load();
    run_probe(probe_pf, UNMAPPED_VA, &r);
    check(r.taken && r.vector == TRAP_PF, "a read of %#lx did not bounce as #PF", UNMAPPED_VA);
    compare("after a #PF and iret");
}

static void test_hypercalls(void)
{
    static const char msg[] = "fpu: hypercalls with live FPU state\n";
    xen_feature_info_t fi = { .submap_idx = 0 };
    unsigned int done;
    struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    long rc;

    load();
    rc = HYPERVISOR_xen_version(XENVER_version, NULL);
    check(rc > 0, "xen_version returned %ld", rc);
    expect_eq_what("xen_version(get_features)", HYPERVISOR_xen_version(XENVER_get_features, &fi),
                   0);
    expect_eq_what("console_io(write)",
                   HYPERVISOR_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0);
    expect_eq_what("sched_op(yield)", HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    expect_eq_what("mmuext_op(TLB_FLUSH_LOCAL)",
                   HYPERVISOR_mmuext_op(&flush, 1, &done, DOMID_SELF), 0);
    expect_eq_what("vcpu_op(is_up, 0)", HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
    expect_eq_what("unknown hypercall", hypercall_raw(999, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    compare("after hypercalls");
}

/* ---- user mode ------------------------------------------------------------- */

USER_TEXT(
    "u_fpu:\n"
    "u_fpu_pf:\n"
    "    mov    0x403000, %rax\n"
    "u_fpu_pf_resume:\n"
    "    fxsaveq 0x401000\n"
    "    pcmpeqd %xmm15, %xmm15\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n"

    "u_nm:\n"
    "u_nm_insn:\n"
    "    movaps %xmm0, %xmm0\n"
    "    mov    $60, %eax\n"
    "    syscall\n"
    "    ud2\n");

extern const char u_fpu[], u_fpu_pf[], u_fpu_pf_resume[], u_nm[], u_nm_insn[];

static unsigned int user_pf, user_nm;
static uint64_t user_nm_rip, user_nm_cs;

static int fpu_user_handler(struct user_frame *f)
{
    if (f->vector == TRAP_PF && f->rip == user_va(u_fpu_pf)) {
        user_pf++;
        f->rip = user_va(u_fpu_pf_resume);
        return USER_RESUME;
    }
    if (f->vector == TRAP_NM) {
        user_nm_rip = f->rip;
        user_nm_cs = f->cs;
        if (++user_nm > 1) {
            /* TS still set: stop the loop rather than spin. */
            check(false, "user #NM delivered %u times at %#lx: TS not cleared by the first",
                  user_nm, f->rip);
            HYPERVISOR_fpu_taskswitch(0);
        }
        return USER_RESUME; /* retry the instruction */
    }
    return USER_EXIT;
}

static void test_user(void)
{
    struct user_frame f = user_start(user_va(u_fpu));

    user_set_handler(fpu_user_handler);
    load();
    user_run(&f);
    expect_eq_what("user run: exit by SYSCALL", f.rax, 60);
    expect_eq_what("user run: #PF taken and resumed", user_pf, 1);
    compare_image("user mode's FXSAVE", user_data_page, -1);
    fpu_save(now);
    compare_image("after the user run", now, 15);
    check(((const uint64_t *)(now + FX_XMM0 + 16 * 15))[0] == ~0UL &&
              ((const uint64_t *)(now + FX_XMM0 + 16 * 15))[1] == ~0UL,
          "after the user run: XMM15 is not the user's all-ones value");

    /* #NM in user mode; the kernel resumes the instruction itself. */
    f = user_start(user_va(u_nm));
    load();
    expect_eq_what("fpu_taskswitch(1) before user mode", HYPERVISOR_fpu_taskswitch(1), 0);
    user_run(&f);
    expect_eq_what("user #NM: exit by SYSCALL", f.rax, 60);
    expect_eq_what("user #NM: deliveries", user_nm, 1);
    check(user_nm_rip == user_va(u_nm_insn), "user #NM at %#lx, expected %#lx", user_nm_rip,
          user_va(u_nm_insn));
    check((user_nm_cs & 0xffff) == FLAT_USER_CS, "user #NM: frame CS %#lx, expected user",
          user_nm_cs);
    compare("after a user #NM");
}

/* ---- TS ---------------------------------------------------------------------- */

static void expect_nm(const char *what, const char *probe, const char *fault, const char *resume)
{
    struct trap_record r;

    expect_eq_what("fpu_taskswitch(1)", HYPERVISOR_fpu_taskswitch(1), 0);
    check(read_cr0() & CR0_TS, "%s: CR0 reads %#lx after fpu_taskswitch(1), TS clear", what,
          read_cr0());
    trap_probe(probe, 0, resume, &r);
    check(r.taken, "%s: no #NM with TS set", what);
    if (!r.taken)
        return;
    expect_eq_what(what, r.vector, TRAP_NM);
    expect_eq_what(what, r.error_code, 0);
    check(r.rip == (uint64_t)fault, "%s: #NM at %#lx, expected %p", what, r.rip,
          (const void *)fault);
    check(!(read_cr0() & CR0_TS), "%s: CR0 reads %#lx after the #NM, TS still set (Xen clears "
          "it on delivery)", what, read_cr0());
    /* TS is clear again: the same instruction runs. */
    trap_probe(probe, 0, resume, &r);
    check(!r.taken, "%s: #NM again after the first one (vector %u)", what, r.vector);
    if (read_cr0() & CR0_TS)
        HYPERVISOR_fpu_taskswitch(0); /* so the rest of the test can run */
}

static void test_ts(void)
{
    struct trap_record r;

    load();
    expect_nm("SSE with TS", probe_nm_sse, probe_nm_sse_fault, probe_nm_sse_resume);
    expect_nm("x87 with TS", probe_nm_x87, probe_nm_x87_fault, probe_nm_x87_resume);
    expect_eq_what("fpu_taskswitch(1)", HYPERVISOR_fpu_taskswitch(1), 0);
    expect_eq_what("fpu_taskswitch(0)", HYPERVISOR_fpu_taskswitch(0), 0);
    check(!(read_cr0() & CR0_TS), "CR0 reads %#lx after fpu_taskswitch(0), TS set", read_cr0());
    run_probe(probe_nm_sse, 0, &r);
    check(!r.taken, "SSE after fpu_taskswitch(0) trapped (vector %u)", r.vector);
    run_probe(probe_nm_x87, 0, &r);
    check(!r.taken, "x87 after fpu_taskswitch(0) trapped (vector %u)", r.vector);
    compare("after the TS tests");
}

void guest_main(void)
{
    long rc;

    expect_eq_what("map_shared_info", map_shared_info(), 0);
    test_snapshot();
    test_traps();
    test_hypercalls();
    test_ts();
    rc = user_init(user_text, user_text_end, 0);
    expect_eq_what("user_init", rc, 0);
    if (!rc)
        test_user();
}
