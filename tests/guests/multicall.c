/* SPDX-License-Identifier: MIT */
/*
 * multicall: batches of hypercalls behave as Xen's common/multicall.c.
 *
 * Each entry's return value lands in its result and nothing else of the
 * entry changes; an entry's failure is only its result; a nested
 * multicall entry gets -EINVAL and the batch goes on; an array that cannot
 * be read is -EFAULT (entries before the fault have run); a batch far
 * larger than one invocation handles continues itself until every entry
 * ran; a sub-call that continues itself (an mmu_update of more requests
 * than one call handles) finishes inside the batch; and iret, as in Xen,
 * runs and ends the batch: the multicall returns to the iret frame with
 * its RAX and the entries after it do not run.
 */
#include "guest.h"
#include "mm.h"
#include "test.h"

#define EFAULT (-XEN_EFAULT)
#define EINVAL (-XEN_EINVAL)
#define ENOSYS (-XEN_ENOSYS)

#define BIG_BATCH   1000
#define MMU_REQS    600     /* more than one mmu_update invocation does */
#define NOT_WRITTEN 0x5a5a5a5a5a5a5a5aUL

static struct multicall_entry big[BIG_BATCH];
static struct mmu_update reqs[MMU_REQS];
/* Two pages; the second is unmapped by test_bad_arrays(). */
static char pages[2][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));

static void set_entry(struct multicall_entry *e, unsigned long op, unsigned long a0,
                      unsigned long a1, unsigned long a2)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->result = NOT_WRITTEN;
    e->args[0] = a0;
    e->args[1] = a1;
    e->args[2] = a2;
}

static void test_basic(void)
{
    static const char line[] = "multicall: console_io from inside a batch\n";
    struct multicall_entry calls[5];
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    set_entry(&calls[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_entry(&calls[1], __HYPERVISOR_console_io, CONSOLEIO_write, sizeof(line) - 1,
              (unsigned long)line);
    set_entry(&calls[2], __HYPERVISOR_xen_version, 0x7fff, 0, 0);
    set_entry(&calls[3], 63, 0, 0, 0); /* no such hypercall */
    set_entry(&calls[4], __HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0, 0);
    expect_eq(HYPERVISOR_multicall(calls, 5), 0);
    expect_eq(calls[0].result, version);
    expect_eq(calls[1].result, 0);
    expect_eq(calls[2].result, ENOSYS);
    expect_eq(calls[3].result, ENOSYS);
    check((long)calls[4].result > 0, "maximum_ram_page in a batch gave %ld",
          (long)calls[4].result);
    /* Only result is written: op and args are as the guest left them. */
    expect_eq(calls[1].op, __HYPERVISOR_console_io);
    expect_eq(calls[1].args[1], sizeof(line) - 1);
    expect_eq(calls[2].args[0], 0x7fff);

    /* An empty batch does nothing, wherever it points. */
    expect_eq(HYPERVISOR_multicall(NULL, 0), 0);
}

static void test_nested(void)
{
    struct multicall_entry inner, calls[3];

    set_entry(&inner, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_entry(&calls[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_entry(&calls[1], __HYPERVISOR_multicall, (unsigned long)&inner, 1, 0);
    set_entry(&calls[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    expect_eq(HYPERVISOR_multicall(calls, 3), 0);
    check((long)calls[0].result > 0, "entry before the nested multicall did not run");
    expect_eq(calls[1].result, EINVAL);
    check((long)calls[2].result > 0, "entry after the nested multicall did not run");
    /* The nested batch never ran. */
    expect_eq(inner.result, NOT_WRITTEN);
}

static void test_bad_arrays(void)
{
    struct multicall_entry *tail = (struct multicall_entry *)(pages[1]) - 2;
    long rc;

    expect_eq(HYPERVISOR_multicall(NULL, 1), EFAULT);
    expect_eq(HYPERVISOR_multicall((void *)0xffff830000000000UL, 1), EFAULT);
    expect_eq(HYPERVISOR_multicall((void *)0x8000000000000000UL, 1), EFAULT);
    expect_eq(HYPERVISOR_multicall(big, 0x10000000), EFAULT); /* wraps the address space */
    expect_eq(HYPERVISOR_multicall(big, ~0U), EFAULT);

    rc = HYPERVISOR_update_va_mapping((unsigned long)pages[1], 0, UVMF_INVLPG | UVMF_LOCAL);
    expect_eq(rc, 0);
    if (rc)
        return;
    expect_eq(HYPERVISOR_multicall((void *)pages[1], 1), EFAULT);
    /* Two readable entries, then the hole: both run, then -EFAULT. */
    set_entry(&tail[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_entry(&tail[1], __HYPERVISOR_xen_version, 0x7fff, 0, 0);
    expect_eq(HYPERVISOR_multicall(tail, 3), EFAULT);
    check((long)tail[0].result > 0, "entry 0 before the hole did not run");
    expect_eq(tail[1].result, ENOSYS);
}

static void test_big_batch(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    unsigned int wrong = 0;

    for (unsigned int i = 0; i < BIG_BATCH; i++)
        set_entry(&big[i], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    /* Far more than one invocation runs: the call continues itself. */
    expect_eq(HYPERVISOR_multicall(big, BIG_BATCH), 0);
    for (unsigned int i = 0; i < BIG_BATCH; i++)
        if ((long)big[i].result != version || big[i].op != __HYPERVISOR_xen_version)
            wrong++;
    expect_eq(wrong, 0);
}

/* A sub-call that continues itself finishes inside the batch. */
static void test_subcall_continuation(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    struct multicall_entry calls[3];
    unsigned int done = 0;

    if (start_info->nr_pages < MMU_REQS) {
        check(false, "only %lu pages", start_info->nr_pages);
        return;
    }
    /* Rewrite M2P entries of our own frames with the values they have. */
    for (unsigned int pfn = 0; pfn < MMU_REQS; pfn++) {
        reqs[pfn].ptr = (p2m[pfn] << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
        reqs[pfn].val = pfn;
    }
    set_entry(&calls[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    set_entry(&calls[1], __HYPERVISOR_mmu_update, (unsigned long)reqs, MMU_REQS,
              (unsigned long)&done);
    calls[1].args[3] = DOMID_SELF;
    set_entry(&calls[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    expect_eq(HYPERVISOR_multicall(calls, 3), 0);
    expect_eq(calls[1].result, 0);
    expect_eq(done, MMU_REQS);
    check((long)calls[2].result > 0, "entry after the continued mmu_update did not run");
}

/*
 * multicall([iret, xen_version]) with an iret frame on the stack that
 * resumes at label 1 with RAX 0x1234 and events still masked. Returns RAX
 * there: the multicall's value.
 */
static long multicall_with_iret_frame(struct multicall_entry *calls, unsigned long nr)
{
    register long rax asm("rax");
    register unsigned long rdi asm("rdi") = (unsigned long)calls;
    register unsigned long rsi asm("rsi") = nr;

    asm volatile("mov %%rsp, %%rbx\n\t"
                 "pushq $0xe02b\n\t"            /* ss: FLAT_KERNEL_SS */
                 "pushq %%rbx\n\t"              /* rsp: as before */
                 "pushq $0x2\n\t"               /* rflags: IF clear keeps events masked */
                 "pushq $0xe030\n\t"            /* cs: FLAT_KERNEL_CS, RPL 0 = kernel */
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"              /* rip */
                 "pushq $0\n\t"                 /* flags */
                 "pushq $0\n\t"                 /* rcx */
                 "pushq $0\n\t"                 /* r11 */
                 "pushq $0x1234\n\t"            /* rax */
                 "mov %[nr], %%eax\n\t"
                 "syscall\n\t"
                 "ud2\n"                        /* the multicall must not return here */
                 "1:\n\t"
                 "mov %%rbx, %%rsp\n\t"
                 : "=a"(rax), "+r"(rdi), "+r"(rsi)
                 : [nr] "i"(__HYPERVISOR_multicall)
                 : "rbx", "rcx", "rdx", "r8", "r10", "r11", "memory");
    return rax;
}

static void test_iret(void)
{
    struct multicall_entry calls[2];
    long rc;

    set_entry(&calls[0], __HYPERVISOR_iret, 0, 0, 0);
    set_entry(&calls[1], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    rc = multicall_with_iret_frame(calls, 2);
    expect_eq(rc, 0x1234);
    expect_eq(calls[0].result, 0x1234);
    expect_eq(calls[1].result, NOT_WRITTEN);
}

void guest_main(void)
{
    test_basic();
    test_nested();
    test_bad_arrays();
    test_big_batch();
    test_subcall_continuation();
    test_iret();
}
