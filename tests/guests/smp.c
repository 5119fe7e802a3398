/* SPDX-License-Identifier: MIT */
/*
 * smp: secondary vCPUs as Linux's smp_pv.c brings them up, with Xen's
 * results and Keel's documented errors (include/public/vcpu.h).
 *
 * Module argument "vcpus=N": how many vCPUs Keel must have given dom0
 * (one per physical CPU by default); counted with VCPUOP_is_up.
 *
 * Before vCPU 1 runs: is_up 0, runstate offline with no running time;
 * VCPUOP_up -EINVAL (no context); refused contexts, each -EINVAL (-EFAULT
 * for an unreadable one) leaving it down and uninitialised: non-canonical
 * RIP or callback, a kernel root that is not an L4 (a writable frame, a
 * page table of another level, a frame whose entries do not validate,
 * MFN 0, an MFN past RAM, flag bits in CR3), GDT frames that are not the
 * guest's (Keel's image, past RAM, or the second of two), a GDT frame
 * still mapped writable, too many GDT entries, an LDT.
 *
 * Then every vCPU comes up (smp.h: per-vCPU stack, GS base and GDT from
 * the context) and reports in on a shared counter; VCPUOP_initialise again
 * is -EEXIST (vCPU 0 too). IPIs: each vCPU binds an IPI port to itself and
 * unmasks events; for every ordered pair (a, b) a sends to b's port and
 * the upcall runs on b (the callback's %gs id is b, b's count grows, no
 * other vCPU's does, and no upcall comes with nothing of its own
 * pending). TLB shootdown: every other vCPU keeps reading a VA while
 * vCPU 0 moves it between two frames with mmu_update + MMUEXT_TLB_FLUSH_ALL,
 * update_va_mapping UVMF_INVLPG|UVMF_ALL and UVMF_TLB_FLUSH|UVMF_ALL, and
 * mmu_update + MMUEXT_INVLPG_ALL; each reader must see the new frame as
 * soon as the hypercall has returned. Runstate: every vCPU spinning is
 * running and its running time grows with the interval; after
 * VCPUOP_down it is offline, offline time grows, running time does not;
 * VCPUOP_up brings vCPU 1 back where it went down.
 */
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "smp.h"
#include "test.h"

#define EEXIST    (-XEN_EEXIST)
#define ENOENT    (-XEN_ENOENT)
#define PAST_RAM  (1UL << 38)   /* an MFN no machine Keel runs on has */
#define MS(n)     ((uint64_t)(n) * 1000000ULL)
#define WAIT_LONG MS(20000)     /* QEMU TCG is slow; a hung vCPU is still caught */

static unsigned int nr;

/* ---- The upcall ---- */

void smp_upcall_entry(void);
void smp_upcall(void);

/* Bounce frame RCX, R11, RIP, CS, RFLAGS, RSP, SS; out through iret_to_guest (lib/traps.S). */
asm(".pushsection .text\n"
    ".globl smp_upcall_entry\n"
    "smp_upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbx\n\t"
    "mov %rsp, %rbx\n\tand $-16, %rsp\n\tcld\n\t"
    "call smp_upcall\n\t"
    "mov %rbx, %rsp\n\t"
    "pop %rbx\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rax\n\tpop %rcx\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n\t"
    "jmp iret_to_guest\n"
    ".popsection");

static uint32_t ipi_port[SMP_MAX_VCPUS];
static volatile unsigned int ipis_seen[SMP_MAX_VCPUS];  /* own port handled, by vCPU */
static volatile unsigned int upcalls[SMP_MAX_VCPUS];
static volatile unsigned int stray[SMP_MAX_VCPUS];      /* upcalls with nothing of its own */
static volatile unsigned int unmasked_inside[SMP_MAX_VCPUS];

/*
 * Linux's 2-level upcall, for the one port this vCPU owns: the other
 * vCPUs' ports share the pending words and are theirs to clear.
 */
void smp_upcall(void)
{
    unsigned int me = smp_id();
    struct vcpu_info *vi = smp_this()->vcpu_info;
    uint32_t port = ipi_port[me];
    xen_ulong_t sel;
    bool mine = false;

    upcalls[me]++;
    if (!vi->evtchn_upcall_mask)
        unmasked_inside[me]++;
    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    if (port && (sel & (1UL << (port / 64)))) {
        xen_ulong_t bit = 1UL << (port % 64);

        if (__atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~bit,
                               __ATOMIC_SEQ_CST) & bit) {
            ipis_seen[me]++;
            mine = true;
        }
    }
    if (!mine)
        stray[me]++;
}

/* ---- Helpers ---- */

static long initialise(unsigned int id, struct vcpu_guest_context *c)
{
    return HYPERVISOR_vcpu_op(VCPUOP_initialise, id, c);
}

static void runstate(unsigned int id, struct vcpu_runstate_info *r)
{
    memset(r, 0, sizeof(*r));
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, id, r), 0);
}

static void spin_ns(uint64_t ns)
{
    uint64_t end = smp_clock_ns() + ns;

    while (smp_clock_ns() < end)
        asm volatile("pause");
}

/* ---- Before vCPU 1 runs: refused contexts ---- */

static struct vcpu_guest_context bad;
static char writable_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));

struct bad_context {
    const char *what;
    void (*spoil)(struct vcpu_guest_context *c);
};

static void rip_noncanonical(struct vcpu_guest_context *c)
{
    c->user_regs.rip = 0x8000000000000000UL;
}
static void callback_noncanonical(struct vcpu_guest_context *c)
{
    c->event_callback_eip = 0x0000800000000000UL;
}
static void trap_noncanonical(struct vcpu_guest_context *c)
{
    c->trap_ctxt[14].address = 0xff00000000000000UL;
}
static void root_writable(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] = mmu_mfn_of(writable_page) << PAGE_SHIFT;
}
static void root_l2(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] = mmu_l2_mfn << PAGE_SHIFT;
}
static unsigned long garbage_l4;
static void root_garbage(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] = garbage_l4 << PAGE_SHIFT;
}
static void root_zero(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] = 0;
}
static void root_past_ram(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] = PAST_RAM << PAGE_SHIFT;
}
static void root_flag_bits(struct vcpu_guest_context *c)
{
    c->ctrlreg[3] |= 0x8;
}
static void gdt_keel(struct vcpu_guest_context *c)
{
    c->gdt_frames[0] = KEEL_IMAGE_MFN;
}
static void gdt_past_ram(struct vcpu_guest_context *c)
{
    c->gdt_frames[0] = PAST_RAM;
}
static void gdt_second_foreign(struct vcpu_guest_context *c)
{
    c->gdt_ents = 1024;
    c->gdt_frames[1] = KEEL_IMAGE_MFN;
}
static void gdt_writable(struct vcpu_guest_context *c)
{
    c->gdt_frames[0] = mmu_mfn_of(writable_page);
}
static void gdt_too_many(struct vcpu_guest_context *c)
{
    c->gdt_ents = FIRST_RESERVED_GDT_ENTRY + 1;
}
static void ldt(struct vcpu_guest_context *c)
{
    c->ldt_base = (unsigned long)writable_page;
    c->ldt_ents = 1;
}

static const struct bad_context bad_contexts[] = {
    { "non-canonical RIP", rip_noncanonical },
    { "non-canonical event callback", callback_noncanonical },
    { "non-canonical #PF handler", trap_noncanonical },
    { "kernel root a writable frame", root_writable },
    { "kernel root an L2 table", root_l2 },
    { "kernel root not a valid L4 (maps Keel's image)", root_garbage },
    { "kernel root MFN 0", root_zero },
    { "kernel root past RAM", root_past_ram },
    { "kernel root with flag bits in CR3", root_flag_bits },
    { "GDT frame of Keel's image", gdt_keel },
    { "GDT frame past RAM", gdt_past_ram },
    { "second GDT frame Keel's", gdt_second_foreign },
    { "GDT frame mapped writable", gdt_writable },
    { "GDT entries into the reserved ones", gdt_too_many },
    { "an LDT", ldt },
};

/* A spare frame whose L4 entry 0 maps Keel's image: it cannot validate as an L4. */
static void make_garbage_l4(void)
{
    static uint64_t entries[PT_ENTRIES];

    garbage_l4 = mmu_spare();
    entries[0] = mmu_pte(KEEL_IMAGE_MFN, UPPER);
    expect_eq(mmu_fill(0, garbage_l4, entries), 0);
}

static void test_before_up(void)
{
    struct vcpu_runstate_info r;

    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    runstate(1, &r);
    expect_eq(r.state, RUNSTATE_offline);
    expect_eq(r.time[RUNSTATE_running], 0);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), EINVAL);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);

    make_garbage_l4();
    for (size_t i = 0; i < ARRAY_SIZE(bad_contexts); i++) {
        const struct bad_context *b = &bad_contexts[i];

        smp_fill_context(&bad, 1);
        b->spoil(&bad);
        expect_eq_what(b->what, initialise(1, &bad), EINVAL);
        expect_eq_what(b->what, HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
        /* Still no context: up is refused. */
        expect_eq_what(b->what, HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), EINVAL);
    }
    expect_eq(initialise(1, NULL), EFAULT);
    expect_eq(initialise(1, (void *)0xffff830000000000UL), EFAULT);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_initialise, nr, &bad), ENOENT);
    runstate(1, &r);
    expect_eq(r.state, RUNSTATE_offline);
    expect_eq(r.time[RUNSTATE_running], 0);
}

/* ---- Bring-up and reporting in ---- */

static volatile unsigned int reported;
static volatile unsigned long reported_mask;

static void report_in(void *arg)
{
    unsigned int me = smp_id();

    (void)arg;
    check(smp_this() == &smp_cpus[me], "vCPU %u: %%gs:0 is %p", me, (void *)smp_this());
    __atomic_fetch_add(&reported, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_or(&reported_mask, 1UL << me, __ATOMIC_SEQ_CST);
}

static void test_bring_up(void)
{
    unsigned int online = smp_bring_up_all();

    expect_eq(online, nr);
    for (unsigned int id = 0; id < nr; id++)
        expect_eq_what("is_up after bring-up", HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL), 1);
    smp_fill_context(&bad, 1);
    expect_eq(initialise(1, &bad), EEXIST);
    smp_fill_context(&bad, 0);
    expect_eq(initialise(0, &bad), EEXIST);

    smp_call_all(report_in, NULL);
    expect_eq(reported, nr);
    expect_eq(reported_mask, (nr >= 64 ? ~0UL : (1UL << nr) - 1));
    printf("smp: %u vCPUs reported in (mask %#lx)\n", reported, reported_mask);
}

/* ---- IPIs ---- */

static void bind_own_ipi(void *arg)
{
    unsigned int me = smp_id();
    struct evtchn_bind_ipi b = { .vcpu = me };

    (void)arg;
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b), 0);
    ipi_port[me] = b.port;
    /* Events on: a hypercall returns through delivery (Linux's check_events). */
    barrier();
    smp_this()->vcpu_info->evtchn_upcall_mask = 0;
    barrier();
    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

static void events_off(void *arg)
{
    (void)arg;
    smp_this()->vcpu_info->evtchn_upcall_mask = 1;
    barrier();
}

static void send_ipi(void *arg)
{
    struct evtchn_send s = { .port = (uint32_t)(unsigned long)arg };

    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0);
}

static void test_ipis(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)smp_upcall_entry,
    };
    unsigned int pairs = 0;

    expect_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    smp_call_all(bind_own_ipi, NULL);
    for (unsigned int id = 0; id < nr; id++)
        for (unsigned int j = 0; j < id; j++)
            check(ipi_port[id] && ipi_port[id] != ipi_port[j], "IPI ports %u and %u: %u, %u",
                  j, id, ipi_port[j], ipi_port[id]);

    for (unsigned int to = 0; to < nr; to++) {
        for (unsigned int from = 0; from < nr; from++) {
            unsigned int before[SMP_MAX_VCPUS];
            uint64_t deadline;

            if (from == to)
                continue;
            for (unsigned int id = 0; id < nr; id++)
                before[id] = ipis_seen[id];
            if (from == 0) {
                send_ipi((void *)(unsigned long)ipi_port[to]);
            } else {
                smp_call(from, send_ipi, (void *)(unsigned long)ipi_port[to]);
                smp_wait(from);
            }
            deadline = smp_clock_ns() + WAIT_LONG;
            while (ipis_seen[to] == before[to] && smp_clock_ns() < deadline)
                smp_yield();
            check(ipis_seen[to] == before[to] + 1, "IPI %u -> %u: vCPU %u handled it %u times",
                  from, to, to, ipis_seen[to] - before[to]);
            for (unsigned int id = 0; id < nr; id++)
                if (id != to)
                    check(ipis_seen[id] == before[id], "IPI %u -> %u arrived on vCPU %u", from,
                          to, id);
            pairs++;
        }
    }
    smp_call_all(events_off, NULL);
    for (unsigned int id = 0; id < nr; id++) {
        expect_eq_what("upcalls with nothing of the vCPU's own pending", stray[id], 0);
        expect_eq_what("upcalls entered with events unmasked", unmasked_inside[id], 0);
    }
    printf("smp: %u IPIs, each on its target vCPU\n", pairs);
}

/* ---- TLB shootdown ---- */

#define TLB_SLOT  7
#define TLB_DONE  (~0UL)

static char frame_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
static char frame_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
static volatile unsigned long tlb_phase;
static volatile unsigned long tlb_ack[SMP_MAX_VCPUS];
static volatile uint64_t tlb_seen[SMP_MAX_VCPUS];

/* Reads the VA over and over (keeping it in the TLB); one answer per phase. */
static void tlb_reader(void *arg)
{
    volatile uint64_t *va = arg;
    unsigned int me = smp_id();

    for (;;) {
        unsigned long phase = __atomic_load_n(&tlb_phase, __ATOMIC_ACQUIRE);
        uint64_t v = *va;

        if (phase == TLB_DONE)
            return;
        if (tlb_ack[me] != phase) {
            tlb_seen[me] = v;
            __atomic_store_n(&tlb_ack[me], phase, __ATOMIC_RELEASE);
        }
    }
}

/* Every reader's first read in @phase: true if all saw @want. */
static void tlb_expect(unsigned long phase, uint64_t want, const char *how)
{
    /* Release: the remap and its flush before the phase (acquire in tlb_reader). */
    __atomic_store_n(&tlb_phase, phase, __ATOMIC_RELEASE);
    for (unsigned int id = 1; id < nr; id++) {
        uint64_t deadline = smp_clock_ns() + WAIT_LONG;

        while (__atomic_load_n(&tlb_ack[id], __ATOMIC_ACQUIRE) != phase &&
               smp_clock_ns() < deadline)
            smp_yield();
        check(tlb_ack[id] == phase && tlb_seen[id] == want,
              "after %s: vCPU %u read %#lx through the VA, expected %#lx (%s)", how, id,
              (unsigned long)tlb_seen[id], (unsigned long)want,
              tlb_ack[id] != phase ? "no answer" : "stale TLB entry");
    }
}

static void test_tlb_shootdown(void)
{
    const uint64_t mark_a = 0xaaaa0000aaaa0001UL, mark_b = 0xbbbb0000bbbb0002UL;
    unsigned long mfn_a = mmu_mfn_of(frame_a), mfn_b = mmu_mfn_of(frame_b);
    unsigned long va = (unsigned long)mmu_win(TLB_SLOT);
    unsigned long phase = 1;
    struct mmuext_op op;
    unsigned int done;

    *(volatile uint64_t *)frame_a = mark_a;
    *(volatile uint64_t *)frame_b = mark_b;
    expect_eq(HYPERVISOR_update_va_mapping(va, mmu_pte(mfn_a, L1_RW), UVMF_INVLPG | UVMF_ALL), 0);
    tlb_phase = phase;
    for (unsigned int id = 1; id < nr; id++)
        smp_call(id, tlb_reader, (void *)va);
    tlb_expect(phase++, mark_a, "the first mapping");

    /* 1: mmu_update, then MMUEXT_TLB_FLUSH_ALL. */
    expect_eq(mmu_set(mmu_win_l1_mfn, TLB_SLOT, mmu_pte(mfn_b, L1_RW)), 0);
    op = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_ALL };
    expect_eq(HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF), 0);
    tlb_expect(phase++, mark_b, "mmu_update + MMUEXT_TLB_FLUSH_ALL");

    /* 2: update_va_mapping, INVLPG on all vCPUs. */
    expect_eq(HYPERVISOR_update_va_mapping(va, mmu_pte(mfn_a, L1_RW), UVMF_INVLPG | UVMF_ALL), 0);
    tlb_expect(phase++, mark_a, "update_va_mapping UVMF_INVLPG|UVMF_ALL");

    /* 3: update_va_mapping, full flush on all vCPUs. */
    expect_eq(HYPERVISOR_update_va_mapping(va, mmu_pte(mfn_b, L1_RW), UVMF_TLB_FLUSH | UVMF_ALL),
              0);
    tlb_expect(phase++, mark_b, "update_va_mapping UVMF_TLB_FLUSH|UVMF_ALL");

    /* 4: mmu_update, then MMUEXT_INVLPG_ALL of the VA. */
    expect_eq(mmu_set(mmu_win_l1_mfn, TLB_SLOT, mmu_pte(mfn_a, L1_RW)), 0);
    op = (struct mmuext_op){ .cmd = MMUEXT_INVLPG_ALL, .arg1.linear_addr = va };
    expect_eq(HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF), 0);
    tlb_expect(phase++, mark_a, "mmu_update + MMUEXT_INVLPG_ALL");

    __atomic_store_n(&tlb_phase, TLB_DONE, __ATOMIC_RELEASE);
    for (unsigned int id = 1; id < nr; id++)
        smp_wait(id);
    expect_eq(mmu_win_unmap(TLB_SLOT), 0);
    printf("smp: TLB shootdown seen by %u other vCPU%s, 4 ways\n", nr - 1, nr == 2 ? "" : "s");
}

/* ---- Runstate and down ---- */

static volatile bool spinning_stop;

static void spin_until_told(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&spinning_stop, __ATOMIC_ACQUIRE))
        asm volatile("pause");
}

static void test_runstate_running(void)
{
    struct vcpu_runstate_info a[SMP_MAX_VCPUS], b[SMP_MAX_VCPUS];
    const uint64_t interval = MS(200);
    uint64_t t0, t1;

    spinning_stop = false;
    for (unsigned int id = 1; id < nr; id++)
        smp_call(id, spin_until_told, NULL);
    spin_ns(MS(20));
    t0 = smp_clock_ns();
    for (unsigned int id = 0; id < nr; id++)
        runstate(id, &a[id]);
    spin_ns(interval);
    for (unsigned int id = 0; id < nr; id++)
        runstate(id, &b[id]);
    t1 = smp_clock_ns();
    __atomic_store_n(&spinning_stop, true, __ATOMIC_RELEASE);
    for (unsigned int id = 1; id < nr; id++)
        smp_wait(id);

    for (unsigned int id = 0; id < nr; id++) {
        uint64_t ran = b[id].time[RUNSTATE_running] - a[id].time[RUNSTATE_running];
        uint64_t sum = 0;

        for (unsigned int s = 0; s < 4; s++) {
            check(b[id].time[s] >= a[id].time[s], "vCPU %u: time[%u] went backwards", id, s);
            sum += b[id].time[s];
        }
        printf("smp: vCPU %u ran %lu us of %lu us\n", id, (unsigned long)(ran / 1000),
               (unsigned long)((t1 - t0) / 1000));
        /* One vCPU per physical CPU: each keeps its CPU (slack for Keel's own work). */
        expect_eq_what("state while spinning", b[id].state, RUNSTATE_running);
        check(ran >= interval / 2 && ran <= t1 - t0 + MS(1),
              "vCPU %u: running time grew %lu us over a %lu us interval", id,
              (unsigned long)(ran / 1000), (unsigned long)((t1 - t0) / 1000));
        check(sum <= b[id].state_entry_time, "vCPU %u: runstate times %lu ns exceed system time %lu",
              id, (unsigned long)sum, (unsigned long)b[id].state_entry_time);
    }
}

static void test_down(void)
{
    struct vcpu_runstate_info a, b;

    /* vCPU 1 down and back up: it resumes where it went down. */
    expect_eq(smp_down(1), 0);
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), 0);
    runstate(1, &a);
    spin_ns(MS(50));
    runstate(1, &b);
    expect_eq(b.state, RUNSTATE_offline);
    expect_eq(b.time[RUNSTATE_running], a.time[RUNSTATE_running]);
    check(b.time[RUNSTATE_offline] >= a.time[RUNSTATE_offline] + MS(40),
          "offline time grew only %lu us in 50 ms down",
          (unsigned long)((b.time[RUNSTATE_offline] - a.time[RUNSTATE_offline]) / 1000));
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL), 0);
    {
        uint64_t deadline = smp_clock_ns() + WAIT_LONG;

        while (!__atomic_load_n(&smp_cpus[1].online, __ATOMIC_ACQUIRE) &&
               smp_clock_ns() < deadline)
            smp_yield();
    }
    check(smp_cpus[1].online, "vCPU 1 did not resume after VCPUOP_up");
    reported = 0;
    smp_call_all(report_in, NULL);
    expect_eq(reported, nr);

    /* All down for good, as at the end of Linux's halt. */
    smp_down_all();
    for (unsigned int id = 1; id < nr; id++) {
        expect_eq_what("is_up after down", HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL), 0);
        runstate(id, &b);
        expect_eq_what("state after down", b.state, RUNSTATE_offline);
    }
    expect_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
}

void guest_main(void)
{
    unsigned int want = guest_arg_uint("vcpus", 0);

    smp_event_callback = (unsigned long)smp_upcall_entry;
    nr = smp_init();
    printf("smp: dom0 has %u vCPUs\n", nr);
    if (want)
        expect_eq(nr, want);
    if (nr < 2)
        test_skip(guest_name, "one vCPU: boot with -smp 2 or more");
    if (!mmu_init())
        return;
    test_before_up();
    test_bring_up();
    test_ipis();
    test_tlb_shootdown();
    test_runstate_running();
    test_down();
}
