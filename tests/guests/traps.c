/* SPDX-License-Identifier: MIT */
/*
 * traps: exceptions and software interrupts reach the guest's trap table
 * as Xen's bounce frame, and the iret hypercall returns from them.
 *
 * For each: the vector, the error code (present exactly when the vector
 * has one), RIP (at the faulting instruction for faults, after it for
 * int3 and INT n), the frame's CS (FLAT_KERNEL_CS with RPL 0, meaning
 * "kernel context", and the saved upcall mask in bits 32-39), RFLAGS.IF
 * mirroring the mask, RSP and SS of the interrupted context, RCX/R11 in
 * the frame and all registers back after iret.  #PF also reports CR2 in
 * vcpu_info.arch.cr2.  INT n obeys the trap table's DPL: allowed (DPL >= 1
 * from the guest kernel) it is a software interrupt, forbidden it is #GP
 * with error code vector << 3 | 2.  Finally, CPUID by the forced-emulation
 * prefix (ud2; .ascii "xen"; cpuid) returns the hypervisor's leaves rather
 * than raising #UD.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"

#define RFLAGS_CF 0x001UL
#define RFLAGS_IF 0x200UL

#define UNMAPPED_VA     0x10000123UL          /* below VIRT_BASE: never mapped */
#define NONCANONICAL_VA 0x8000000000000000UL

/* int3 with marker values in RCX, R11, RDX and CF; returns the RSP at the
 * trap if all of them survived the round trip, else 0. */
TRAP_PROBE(probe_int3,
           "mov %rsp, %rax; mov $0x1111, %ecx; mov $0x2222, %r11d; mov $0x3333, %edx; stc",
           "int3",
           "jnc 1f; cmp $0x1111, %rcx; jne 1f; cmp $0x2222, %r11; jne 1f;"
           "cmp $0x3333, %rdx; je 2f; 1: xor %eax, %eax; 2:");
/* int3 on a stack that is 8 mod 16: the frame must still describe it. */
TRAP_PROBE(probe_int3_misaligned, "sub $8, %rsp; mov %rsp, %rax", "int3", "add $8, %rsp");
TRAP_PROBE(probe_ud2, "", "ud2", "");
TRAP_PROBE(probe_de, "xor %ecx, %ecx; mov $1, %eax; xor %edx, %edx", "div %ecx", "");
TRAP_PROBE(probe_pf_read, "", "movb (%rdi), %al", "");
TRAP_PROBE(probe_pf_write, "", "movb $1, (%rdi)", "");
TRAP_PROBE(probe_gp_noncanonical, "", "movb (%rdi), %al", "");
TRAP_PROBE(probe_int80, "", "int $0x80", "");
TRAP_PROBE(probe_int81, "", "int $0x81", "");
TRAP_PROBE(probe_int82, "", "int $0x82", "");
/* Forced-emulation CPUID; RDI -> struct cpuid_probe.  RBX is callee-saved. */
TRAP_PROBE(probe_cpuid,
           "push %rbx; mov %rdi, %r8; mov (%r8), %eax; mov 4(%r8), %ecx",
           "ud2; .ascii \"xen\"; cpuid",
           "mov %eax, 8(%r8); mov %ebx, 12(%r8); mov %ecx, 16(%r8); mov %edx, 20(%r8); pop %rbx");

struct cpuid_probe {
    uint32_t leaf, subleaf;
    uint32_t eax, ebx, ecx, edx;
};

/* The checks every bounce from guest-kernel context must pass. */
static void check_frame(const char *what, const struct trap_record *r, unsigned int vector,
                        uint64_t error_code, const char *rip)
{
    check(r->taken, "%s: no trap", what);
    if (!r->taken)
        return;
    expect_eq_what(what, r->vector, vector);
    expect_eq_what(what, r->error_code, error_code);
    check(r->rip == (uint64_t)rip, "%s: RIP %#lx, expected %p", what, r->rip, (const void *)rip);
    /* Kernel context: RPL cleared in the frame; events were masked. */
    check((r->cs & 0xffff) == (FLAT_KERNEL_CS & ~3),
          "%s: frame CS %#lx, expected %#x (FLAT_KERNEL_CS, RPL 0 = kernel context)", what,
          r->cs & 0xffff, FLAT_KERNEL_CS & ~3);
    check(((r->cs >> 32) & 0xff) == 1, "%s: saved upcall mask (CS bits 32-39) %lu, expected 1",
          what, (r->cs >> 32) & 0xff);
    check(!(r->rflags & RFLAGS_IF), "%s: RFLAGS.IF set in the frame while events were masked",
          what);
    check((r->ss & 0xffff) == FLAT_KERNEL_SS, "%s: frame SS %#lx, expected %#x", what, r->ss,
          FLAT_KERNEL_SS);
}

static void test_int3(void)
{
    struct trap_record r;

    run_probe(probe_int3, 0, &r);
    check_frame("int3", &r, TRAP_BP, 0, probe_int3_resume);
    check(r.ret != 0, "int3: RCX, R11, RDX or CF not restored by iret");
    check(r.rsp == r.ret, "int3: frame RSP %#lx, RSP at the trap %#lx", r.rsp, r.ret);
    expect_eq_what("int3 frame RCX", r.rcx, 0x1111);
    expect_eq_what("int3 frame R11", r.r11, 0x2222);
    check(r.rflags & RFLAGS_CF, "int3: CF lost in the frame's RFLAGS %#lx", r.rflags);

    run_probe(probe_int3_misaligned, 0, &r);
    check_frame("int3 (RSP 8 mod 16)", &r, TRAP_BP, 0, probe_int3_misaligned_resume);
    check(r.rsp == r.ret, "int3 (RSP 8 mod 16): frame RSP %#lx, RSP at the trap %#lx", r.rsp,
          r.ret);
}

static void test_faults(void)
{
    struct trap_record r;

    run_probe(probe_ud2, 0, &r);
    check_frame("ud2", &r, TRAP_UD, 0, probe_ud2_fault);

    run_probe(probe_de, 0, &r);
    check_frame("div by 0", &r, TRAP_DE, 0, probe_de_fault);

    run_probe(probe_gp_noncanonical, NONCANONICAL_VA, &r);
    check_frame("non-canonical load", &r, TRAP_GP, 0, probe_gp_noncanonical_fault);
}

static void test_page_fault(void)
{
    struct trap_record r;
    long rc = map_shared_info();

    expect_eq_what("map_shared_info (needed for CR2)", rc, 0);

    /* Error code: not present; U/S clear because the guest kernel made
     * the access (the hardware CPL is 3, the guest must not see that). */
    run_probe(probe_pf_read, UNMAPPED_VA, &r);
    check_frame("#PF read", &r, TRAP_PF, 0, probe_pf_read_fault);
    if (!rc)
        check(r.cr2 == UNMAPPED_VA, "#PF read: vcpu_info.arch.cr2 %#lx, expected %#lx", r.cr2,
              UNMAPPED_VA);

    run_probe(probe_pf_write, UNMAPPED_VA + 8, &r);
    check_frame("#PF write", &r, TRAP_PF, PFEC_WRITE, probe_pf_write_fault);
    if (!rc)
        check(r.cr2 == UNMAPPED_VA + 8, "#PF write: vcpu_info.arch.cr2 %#lx, expected %#lx",
              r.cr2, UNMAPPED_VA + 8);
}

static void test_soft_int(void)
{
    struct trap_record r;

    /* DPL 3: the int80 fast path; DPL 1 is enough from guest kernel. */
    expect_eq(traps_set_dpl(0x80, 3), 0);
    expect_eq(traps_set_dpl(0x82, 1), 0);

    run_probe(probe_int80, 0, &r);
    check_frame("int $0x80 (DPL 3)", &r, 0x80, 0, probe_int80_resume);
    run_probe(probe_int82, 0, &r);
    check_frame("int $0x82 (DPL 1)", &r, 0x82, 0, probe_int82_resume);
    /* DPL 0 (the framework's default): #GP naming the IDT entry. */
    run_probe(probe_int81, 0, &r);
    check_frame("int $0x81 (DPL 0)", &r, TRAP_GP, 0x81 << 3 | 2, probe_int81_fault);

    expect_eq(traps_set_dpl(0x80, 0), 0);
    run_probe(probe_int80, 0, &r);
    check_frame("int $0x80 (DPL 0)", &r, TRAP_GP, 0x80 << 3 | 2, probe_int80_fault);
}

static void cpuid_leaf(struct cpuid_probe *c, struct trap_record *r, uint32_t leaf)
{
    memset(c, 0, sizeof(*c));
    c->leaf = leaf;
    run_probe(probe_cpuid, (unsigned long)c, r);
    check(!r->taken, "forced-emulation CPUID %#x trapped: vector %u at RIP %#lx", leaf,
          r->vector, r->rip);
}

static void test_forced_cpuid(void)
{
    struct cpuid_probe c;
    struct trap_record r;
    char sig[13];
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);

    cpuid_leaf(&c, &r, 0x40000000);
    if (r.taken)
        return;
    memcpy(sig, &c.ebx, 4);
    memcpy(sig + 4, &c.ecx, 4);
    memcpy(sig + 8, &c.edx, 4);
    sig[12] = '\0';
    printf("traps: CPUID 0x40000000: max leaf %#x, signature \"%s\"\n", c.eax, sig);
    check(!memcmp(sig, "XenVMMXenVMM", 12), "CPUID 0x40000000 signature \"%s\"", sig);
    check(c.eax >= 0x40000002 && c.eax < 0x40000100,
          "CPUID 0x40000000 max leaf %#x, Linux needs >= 0x40000002", c.eax);

    cpuid_leaf(&c, &r, 0x40000001);
    if (!r.taken && ver >= 0)
        check(c.eax == (uint32_t)ver, "CPUID 0x40000001 version %#x, XENVER_version %#lx",
              c.eax, ver);
}

void guest_main(void)
{
    if (traps_load_rc)
        test_fail(guest_name, "set_trap_table returned %ld%s", traps_load_rc,
                  errno_name(traps_load_rc));
    test_int3();
    test_faults();
    test_page_fault();
    test_soft_int();
    test_forced_cpuid();
}
