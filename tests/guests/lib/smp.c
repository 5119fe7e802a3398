/* SPDX-License-Identifier: MIT */
/*
 * Secondary vCPUs for the test guests (see smp.h for the model).
 *
 * Hand-offs between vCPUs are single-writer fields: vCPU 0 writes a
 * record's fn, arg and stop and bumps call_seq; the record's own vCPU
 * writes online and done_seq. Each store that publishes something is a
 * release paired with an acquire load on the other side (named below);
 * x86 would keep the order anyway, the compiler would not.
 *
 * Waiting is bounded by system time (the caller's pvclock): a vCPU that
 * never answers fails the test instead of hanging the boot.
 */
#include "guest.h"
#include "mm.h"
#include "pvclock.h"
#include "smp.h"
#include "test.h"
#include "traps.h"

#define VIRT_BASE        0xffffffff80000000UL
#define BRING_UP_NS      (10ULL * 1000000000ULL)
#define WAIT_NS          (60ULL * 1000000000ULL)

struct smp_cpu smp_cpus[SMP_MAX_VCPUS];
unsigned long smp_event_callback;

static unsigned int nr_vcpus = 1;
static unsigned long gdt_mfn;
static struct vcpu_guest_context context;

static char smp_stacks[SMP_MAX_VCPUS][SMP_STACK_SIZE]
    __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
/* The secondaries' GDT: zero descriptors, mapped read-only so Keel can type it. */
static char smp_gdt[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));

_Static_assert(offsetof(struct smp_cpu, self) == 0, "smp_this() reads %gs:0");
_Static_assert(SMP_GDT_ENTRIES * 8 <= PAGE_SIZE, "the GDT is one frame");

void smp_secondary_entry(void);
void smp_secondary_main(unsigned long id);

/* RSP is the top of the vCPU's stack (16-byte aligned), RDI its id. */
asm(".pushsection .text\n"
    ".globl smp_secondary_entry\n"
    "smp_secondary_entry:\n\t"
    "cld\n\t"
    "xor %ebp, %ebp\n\t"
    "call smp_secondary_main\n"
    "1:\tpause\n\t"
    "jmp 1b\n"
    ".popsection");

static unsigned long mfn_of(const void *va)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;

    return p2m[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

uint64_t smp_clock_ns(void)
{
    return pvclock_ns(&smp_this()->vcpu_info->time);
}

static void cpu_record_init(unsigned int id)
{
    struct smp_cpu *c = &smp_cpus[id];

    c->self = c;
    c->id = id;
    c->vcpu_info = &shared_info->vcpu_info[id];
}

unsigned int smp_init(void)
{
    long rc = map_shared_info();

    expect_eq(rc, 0);
    if (rc)
        return 1;
    cpu_record_init(0);
    smp_cpus[0].online = true;
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&smp_cpus[0]);
    expect_eq(rc, 0);
    if (rc)
        return 1;
    expect_eq(smp_id(), 0);

    /* Linux's get_smp_config: ids answering is_up exist (a negative answer: no such vCPU). */
    nr_vcpus = 0;
    while (nr_vcpus < SMP_MAX_VCPUS && HYPERVISOR_vcpu_op(VCPUOP_is_up, nr_vcpus, NULL) >= 0)
        nr_vcpus++;
    check(nr_vcpus >= 1, "VCPUOP_is_up refused vCPU 0");
    if (!nr_vcpus)
        nr_vcpus = 1;

    gdt_mfn = mfn_of(smp_gdt);
    rc = HYPERVISOR_update_va_mapping((unsigned long)smp_gdt,
                                      (gdt_mfn << PAGE_SHIFT) | PTE_PRESENT | PTE_ACCESSED,
                                      UVMF_INVLPG | UVMF_ALL);
    expect_eq(rc, 0);
    return nr_vcpus;
}

unsigned int smp_nr_vcpus(void)
{
    return nr_vcpus;
}

void smp_fill_context(struct vcpu_guest_context *c, unsigned int id)
{
    const struct trap_info *traps = traps_table();
    unsigned long stack_top = (unsigned long)smp_stacks[id % SMP_MAX_VCPUS] + SMP_STACK_SIZE;

    memset(c, 0, sizeof(*c));
    /* Linux's cpu_initialize_context(): kernel mode, IOPL 1 in the flags. */
    c->flags = VGCF_in_kernel | VGCF_online;
    c->user_regs.rip = (unsigned long)smp_secondary_entry;
    c->user_regs.rsp = stack_top;
    c->user_regs.rdi = id;
    c->user_regs.rflags = 0x1000;
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    /* trap_ctxt is indexed by vector, as Xen reads it. */
    for (unsigned int v = 0; v < 256; v++)
        c->trap_ctxt[v] = traps[v];
    c->gdt_frames[0] = gdt_mfn;
    c->gdt_ents = SMP_GDT_ENTRIES;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = stack_top;
    c->ctrlreg[3] = mfn_of((const void *)start_info->pt_base) << PAGE_SHIFT;
    c->event_callback_eip = smp_event_callback;
    c->gs_base_kernel = (unsigned long)&smp_cpus[id % SMP_MAX_VCPUS];
}

void smp_secondary_main(unsigned long id)
{
    struct smp_cpu *c = &smp_cpus[id];

    /* The GS base came from the context: a wrong one fails here, visibly. */
    check(smp_this() == c && smp_id() == id, "vCPU %lu: GS base is not its record (%p)", id,
          (void *)smp_this());
    /* Release: the record's setup before vCPU 0 sees it online (acquire in smp_bring_up). */
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    for (;;) {
        unsigned long seq = __atomic_load_n(&c->call_seq, __ATOMIC_ACQUIRE);

        if (__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
            __atomic_store_n(&c->online, false, __ATOMIC_RELEASE);
            expect_eq(HYPERVISOR_vcpu_op(VCPUOP_down, (unsigned int)id, NULL), 0);
            /* Brought up again (VCPUOP_up): carry on from here. */
            __atomic_store_n(&c->stop, false, __ATOMIC_RELAXED);
            __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
            continue;
        }
        if (seq == c->done_seq) {
            smp_yield();
            continue;
        }
        /* The acquire of call_seq above pairs with smp_call()'s release: fn and arg are set. */
        c->fn(c->arg);
        __atomic_store_n(&c->done_seq, seq, __ATOMIC_RELEASE);
    }
}

long smp_bring_up(unsigned int id)
{
    struct smp_cpu *c = &smp_cpus[id % SMP_MAX_VCPUS];
    uint64_t deadline;
    long rc;

    if (id == 0 || id >= nr_vcpus)
        return -XEN_EINVAL;
    cpu_record_init(id);
    smp_fill_context(&context, id);
    rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, id, &context);
    if (rc)
        return rc;
    rc = HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
    if (rc)
        return rc;
    deadline = smp_clock_ns() + BRING_UP_NS;
    while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
        if (smp_clock_ns() > deadline)
            return -XEN_ETIMEDOUT;
        else
            smp_yield();
    return 0;
}

unsigned int smp_bring_up_all(void)
{
    unsigned int online = 1;

    for (unsigned int id = 1; id < nr_vcpus; id++) {
        long rc = smp_bring_up(id);

        check(rc == 0, "bringing up vCPU %u: %ld%s", id, rc, errno_name(rc));
        online += rc == 0;
    }
    return online;
}

void smp_call(unsigned int id, smp_fn_t fn, void *arg)
{
    struct smp_cpu *c = &smp_cpus[id % SMP_MAX_VCPUS];

    c->fn = fn;
    c->arg = arg;
    /* Release: fn and arg before the new sequence number (acquire in smp_secondary_main). */
    __atomic_add_fetch(&c->call_seq, 1, __ATOMIC_RELEASE);
}

void smp_wait(unsigned int id)
{
    struct smp_cpu *c = &smp_cpus[id % SMP_MAX_VCPUS];
    uint64_t deadline = smp_clock_ns() + WAIT_NS;

    /* Acquire: what fn wrote is visible once done_seq says it ran. */
    while (__atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE) != c->call_seq) {
        if (smp_clock_ns() > deadline)
            test_fail(guest_name, "vCPU %u did not finish its work in %llu s", id,
                      WAIT_NS / 1000000000ULL);
        smp_yield();
    }
}

void smp_call_all(smp_fn_t fn, void *arg)
{
    unsigned int self = smp_id();

    for (unsigned int id = 0; id < nr_vcpus; id++)
        if (id != self && smp_cpus[id].online)
            smp_call(id, fn, arg);
    fn(arg);
    for (unsigned int id = 0; id < nr_vcpus; id++)
        if (id != self && smp_cpus[id].online)
            smp_wait(id);
}

long smp_down(unsigned int id)
{
    struct smp_cpu *c = &smp_cpus[id % SMP_MAX_VCPUS];
    uint64_t deadline = smp_clock_ns() + BRING_UP_NS;

    /* Release pairs with the acquire of stop in smp_secondary_main. */
    __atomic_store_n(&c->stop, true, __ATOMIC_RELEASE);
    while (HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL) != 0) {
        if (smp_clock_ns() > deadline)
            return -XEN_ETIMEDOUT;
        smp_yield();
    }
    return 0;
}

void smp_down_all(void)
{
    for (unsigned int id = 1; id < nr_vcpus; id++) {
        long rc;

        if (!smp_cpus[id].online)
            continue;
        rc = smp_down(id);
        check(rc == 0, "taking vCPU %u down: %ld%s", id, rc, errno_name(rc));
    }
}
