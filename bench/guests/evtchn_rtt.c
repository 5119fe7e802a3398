/* SPDX-License-Identifier: MIT */
/*
 * evtchn_rtt: the round trip of an event between two vCPUs of one domain,
 * in guest TSC cycles, against a null hypercall measured in the same boot.
 *
 * Booted as dom0 with two vCPUs (QEMU -smp 2). vCPU 0 brings up vCPU 1
 * with the framework's SMP helpers (lib/smp.h), giving it an event
 * callback of its own, and hands it vcpu1_serve(). Each vCPU binds an IPI
 * port to itself (EVTCHNOP_bind_ipi). Then, per sample:
 *
 *   vCPU 0: rdtsc, EVTCHNOP_send(port 1), spin until its own upcall has
 *           counted the reply, rdtsc;
 *   vCPU 1: spins with events enabled; its upcall sends on port 0.
 *
 * So one sample is two sends, two cross-CPU notifications and two upcalls
 * (each returning by the iret hypercall). The baseline is one
 * xen_version(XENVER_version) round trip on vCPU 0, timed the same way
 * (rdtsc pair per call), interleaved with the RTT samples in rounds so
 * that drift in the emulator's speed hits both alike.
 *
 * Each upcall handles only its own vCPU's port: both ports share the
 * first pending word, and a handler that cleared the other vCPU's bit
 * would lose that event (Linux avoids it the same way, with per-CPU
 * masks).
 *
 * Output, parsed by bench/run:
 *   BENCH null_hypercall: n=N min=A median=B mean=C cycles
 *   BENCH evtchn_rtt: n=N min=A median=B mean=C cycles
 *   BENCH ratio evtchn_rtt/null_hypercall: R.RR (medians)
 * then the framework's RESULT line (FAIL if any setup step failed).
 */
#include "bench.h"
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "smp.h"
#include "test.h"

#define ROUNDS          10
#define PER_ROUND       500
#define SAMPLES         (ROUNDS * PER_ROUND)
#define WARMUP          200
/* Spins before a wait is declared lost (the guest must not hang the bench). */
#define SPIN_LIMIT      2000000000UL

/* ---- Upcall entry stubs (one per vCPU, so neither needs to ask who it is) ---- */

void upcall0_entry(void);
void upcall1_entry(void);
void upcall0(void);
void upcall1(void);

/*
 * Entered with Xen's bounce frame RCX, R11, RIP, CS, RFLAGS, RSP, SS;
 * leaves through iret_to_guest (lib/traps.S), which wants RSP at RIP and
 * the guest's RCX and R11 in their registers.
 */
#define UPCALL_STUB(name, handler)                                             \
    asm(".pushsection .text\n"                                                 \
        ".globl " #name "\n" #name ":\n\t"                                     \
        "pop %rcx\n\tpop %r11\n\t"                                             \
        "push %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"    \
        "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbx\n\t"      \
        "mov %rsp, %rbx\n\tand $-16, %rsp\n\tcld\n\t"                          \
        "call " #handler "\n\t"                                                \
        "mov %rbx, %rsp\n\t"                                                   \
        "pop %rbx\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"           \
        "pop %rax\n\tpop %rcx\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n\t"         \
        "jmp iret_to_guest\n"                                                  \
        ".popsection")

UPCALL_STUB(upcall0_entry, upcall0);
UPCALL_STUB(upcall1_entry, upcall1);

/* ---- State shared by the two vCPUs ---- */

static volatile uint32_t port0, port1;          /* IPI ports bound to vCPU 0 / 1 */
static volatile unsigned long pongs;            /* replies vCPU 0's upcall counted */
static volatile unsigned long pings;            /* events vCPU 1's upcall answered */
static volatile long vcpu1_rc = 1;              /* 1 until vCPU 1 reports its setup */
static volatile long vcpu1_send_rc;             /* first failed send from vCPU 1 */
static volatile bool vcpu1_stop;                /* vCPU 1 leaves vcpu1_serve() */
static uint64_t rtt[SAMPLES], nullhc[SAMPLES];

/* Clears @port's pending bit; true if it was set. */
static bool take_pending(uint32_t port)
{
    unsigned long bit = 1UL << (port % 64);

    return __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~bit,
                              __ATOMIC_SEQ_CST) & bit;
}

/* Linux's order: the upcall flag, then the selector, then the word. */
static bool upcall_take(struct vcpu_info *vi, uint32_t port)
{
    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    (void)__atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    return take_pending(port);
}

void upcall0(void)
{
    if (upcall_take(&shared_info->vcpu_info[0], port0))
        pongs++;
}

void upcall1(void)
{
    long rc;

    if (!upcall_take(&shared_info->vcpu_info[1], port1))
        return;
    pings++;
    rc = event_send(port0);
    if (rc && !vcpu1_send_rc)
        vcpu1_send_rc = rc;
}

/* Events on for the calling vCPU; the hypercall delivers anything pending. */
static void events_on(struct vcpu_info *vi)
{
    barrier();
    vi->evtchn_upcall_mask = 0;
    barrier();
    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
}

/* On vCPU 1 (smp_call): bind its port, take events, spin until told to stop. */
static void vcpu1_serve(void *unused)
{
    struct evtchn_bind_ipi b = { .vcpu = 1 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

    (void)unused;
    if (!rc)
        port1 = b.port;
    __atomic_store_n(&vcpu1_rc, rc, __ATOMIC_SEQ_CST);
    if (rc)
        return;
    events_on(&shared_info->vcpu_info[1]);
    while (!__atomic_load_n(&vcpu1_stop, __ATOMIC_SEQ_CST))
        asm volatile("pause");
    shared_info->vcpu_info[1].evtchn_upcall_mask = 1;
}

/* Waits for @cond; false if it did not come within SPIN_LIMIT spins. */
#define spin_until(cond)                                                       \
    ({                                                                         \
        unsigned long _n = 0;                                                  \
        while (!(cond) && ++_n < SPIN_LIMIT)                                   \
            asm volatile("pause");                                             \
        (bool)(cond);                                                          \
    })

/* One round trip; 0 if the reply never came. */
static uint64_t one_rtt(void)
{
    unsigned long want = pongs + 1;
    uint64_t t0 = bench_rdtsc();

    if (event_send(port1) != 0 || !spin_until(pongs == want))
        return 0;
    return bench_rdtsc() - t0;
}

static uint64_t one_null_hypercall(void)
{
    uint64_t t0 = bench_rdtsc();

    (void)HYPERVISOR_xen_version(XENVER_version, NULL);
    return bench_rdtsc() - t0;
}

/* In-place heapsort: no recursion, no allocation. */
void guest_main(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)upcall0_entry,
    };
    uint64_t med_rtt, med_null, ratio100;
    long rc;

    if (smp_init() < 2)
        test_skip(guest_name, "no second vCPU (boot with -smp 2)");
    expect_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    expect_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b), 0);
    port0 = b.port;

    smp_event_callback = (unsigned long)upcall1_entry;
    rc = smp_bring_up(1);
    expect_eq(rc, 0);
    if (rc)
        return;
    smp_call(1, vcpu1_serve, NULL);
    if (!spin_until(__atomic_load_n(&vcpu1_rc, __ATOMIC_SEQ_CST) != 1))
        test_fail(guest_name, "vCPU 1 did not run vcpu1_serve()");
    expect_eq(vcpu1_rc, 0);
    if (check_failures())
        return;
    events_on(&shared_info->vcpu_info[0]);

    for (unsigned int i = 0; i < WARMUP; i++) {
        if (!one_rtt())
            test_fail(guest_name, "no reply to ping %u (vCPU 1 answered %lu, send rc %ld)",
                      i, pings, vcpu1_send_rc);
        (void)one_null_hypercall();
    }
    for (unsigned int r = 0; r < ROUNDS; r++) {
        for (unsigned int i = 0; i < PER_ROUND; i++)
            nullhc[r * PER_ROUND + i] = one_null_hypercall();
        for (unsigned int i = 0; i < PER_ROUND; i++) {
            uint64_t c = one_rtt();

            if (!c)
                test_fail(guest_name, "no reply in round %u (vCPU 1 answered %lu, send rc %ld)",
                          r, pings, vcpu1_send_rc);
            rtt[r * PER_ROUND + i] = c;
        }
    }
    __atomic_store_n(&vcpu1_stop, true, __ATOMIC_SEQ_CST);
    smp_wait(1);
    expect_eq(vcpu1_send_rc, 0);

    med_null = bench_report("null_hypercall", nullhc, SAMPLES);
    med_rtt = bench_report("evtchn_rtt", rtt, SAMPLES);
    if (med_null) {
        ratio100 = (med_rtt * 100 + med_null / 2) / med_null;
        printf("BENCH ratio evtchn_rtt/null_hypercall: %lu.%02lu (medians)\n",
               (unsigned long)(ratio100 / 100), (unsigned long)(ratio100 % 100));
    }
}
