/* SPDX-License-Identifier: MIT */
/*
 * evtchn_hostile: a guest that abuses event_channel_op and SCHEDOP_poll.
 * Every call must fail with Xen 4.17's error (or succeed harmlessly) and
 * leave Keel and the port table sound; the guest checks the table is still
 * usable at the end.
 *
 * Out-of-range ports (beyond the table, beyond 4096, ~0) for every op that
 * names one; VIRQs out of range, on an absent vCPU, global ones off vCPU 0;
 * binding a VIRQ twice (-EEXIST); closing twice; sending on a free port,
 * on port 0, on a VIRQ port; unknown domains (-ESRCH) and commands
 * (-ENOSYS, including the internal reset continuation); bind_pirq
 * (-EPERM); unmask storms (20000 unmask calls on pending, masked, free and
 * invalid ports, with events enabled: exactly one upcall per real event);
 * allocating until -ENOSPC (4095 ports: port 0 is never handed out), then
 * reset; bad argument pointers (NULL, the hypervisor's range,
 * non-canonical, the last byte before an unmapped page) for every command
 * (-EFAULT); SCHEDOP_poll with too many ports, a bad port, a bad array.
 */
#include "event.h"
#include "guest.h"
#include "mm.h"
#include "test.h"

#define EEXIST (-XEN_EEXIST)
#define EFAULT (-XEN_EFAULT)
#define EINVAL (-XEN_EINVAL)
#define ENOENT (-XEN_ENOENT)
#define ENOSPC (-XEN_ENOSPC)
#define ENOSYS (-XEN_ENOSYS)
#define EPERM  (-XEN_EPERM)
#define ESRCH  (-XEN_ESRCH)

#define NR_PORTS 4096

void hostile_upcall_entry(void);
void hostile_upcall(void);

/* Same shape as evtchn.c's: bounce frame in, iret_to_guest out. */
asm(".pushsection .text\n"
    ".globl hostile_upcall_entry\n"
    "hostile_upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rdi\n\tpush %rsi\n\tpush %rdx\n\tpush %rcx\n\tpush %rax\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbx\n\t"
    "mov %rsp, %rbx\n\tand $-16, %rsp\n\tcld\n\t"
    "call hostile_upcall\n\t"
    "mov %rbx, %rsp\n\t"
    "pop %rbx\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rax\n\tpop %rcx\n\tpop %rdx\n\tpop %rsi\n\tpop %rdi\n\t"
    "jmp iret_to_guest\n"
    ".popsection");

static volatile unsigned int upcalls;
static volatile unsigned int handled;
static struct vcpu_info *vi;

void hostile_upcall(void)
{
    xen_ulong_t sel;

    upcalls++;
    __atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    while (sel) {
        unsigned int w = (unsigned int)__builtin_ctzl(sel);
        xen_ulong_t bits;

        sel &= sel - 1;
        bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
        while (bits) {
            unsigned int b = (unsigned int)__builtin_ctzl(bits);

            bits &= bits - 1;
            __atomic_fetch_and(&shared_info->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST);
            handled++;
        }
    }
}

static long op(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static long reset_self(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };

    return op(EVTCHNOP_reset, &r);
}

static const uint32_t bad_ports[] = { 128, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000,
                                      0xffffffff };

static void test_bad_ports(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_ports); i++) {
        uint32_t p = bad_ports[i];
        struct evtchn_status s = { .dom = DOMID_SELF, .port = p };
        struct evtchn_bind_vcpu bv = { .port = p, .vcpu = 0 };
        struct evtchn_set_priority sp = { .port = p, .priority = 0 };
        struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF, .remote_port = p };

        expect_eq_what("close", event_close(p), EINVAL);
        expect_eq_what("send", event_send(p), EINVAL);
        expect_eq_what("unmask", event_unmask(p), EINVAL);
        expect_eq_what("status", op(EVTCHNOP_status, &s), EINVAL);
        expect_eq_what("bind_vcpu", op(EVTCHNOP_bind_vcpu, &bv), EINVAL);
        expect_eq_what("set_priority", op(EVTCHNOP_set_priority, &sp), EINVAL);
        expect_eq_what("bind_interdomain", op(EVTCHNOP_bind_interdomain, &bi), EINVAL);
    }
    /* Port 0 is reserved: never closed, never sent on. */
    expect_eq(event_close(0), EINVAL);
    expect_eq(event_send(0), EINVAL);
    expect_eq(event_unmask(0), 0);
    /* A free port inside the table: closed, not sendable, not closable. */
    expect_eq(event_send(77), EINVAL);
    expect_eq(event_close(77), EINVAL);
}

static void test_bad_virqs(void)
{
    static const struct { uint32_t virq, vcpu; long rc; } cases[] = {
        { NR_VIRQS, 0, EINVAL },
        { 0xffffffff, 0, EINVAL },
        { 0x80000000, 0, EINVAL },
        { VIRQ_TIMER, 1, ENOENT },          /* one vCPU */
        { VIRQ_TIMER, 0xffffffff, ENOENT },
        { VIRQ_CONSOLE, 1, EINVAL },        /* global: vCPU 0 only */
        { VIRQ_ARCH_0, 5, EINVAL },
    };
    struct evtchn_bind_virq b;
    uint32_t first;

    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        b = (struct evtchn_bind_virq){ .virq = cases[i].virq, .vcpu = cases[i].vcpu };
        expect_eq_what("bind_virq", op(EVTCHNOP_bind_virq, &b), cases[i].rc);
    }
    /* The same VIRQ twice. */
    b = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    expect_eq(op(EVTCHNOP_bind_virq, &b), 0);
    first = b.port;
    expect_eq(op(EVTCHNOP_bind_virq, &b), EEXIST);
    b = (struct evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 0 };
    expect_eq(op(EVTCHNOP_bind_virq, &b), 0);
    expect_eq(op(EVTCHNOP_bind_virq, &b), EEXIST);
    /* A VIRQ port is not for sending; closing twice fails the second time. */
    expect_eq(event_send(first), EINVAL);
    expect_eq(event_close(first), 0);
    expect_eq(event_close(first), EINVAL);
    expect_eq(event_send(first), EINVAL);
    expect_eq(reset_self(), 0);
}

static void test_bad_domains_and_commands(void)
{
    struct evtchn_alloc_unbound a = { .dom = 7, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi = { .remote_dom = 7, .remote_port = 1 };
    struct evtchn_status s = { .dom = 1, .port = 1 };
    struct evtchn_reset r = { .dom = 1 };
    struct evtchn_bind_pirq bp = { .pirq = 0 };
    struct evtchn_expand_array ea = { .array_gfn = 0 };
    struct evtchn_send sd = { .port = 1 };

    expect_eq(op(EVTCHNOP_alloc_unbound, &a), ESRCH);
    a.dom = DOMID_IO;
    expect_eq(op(EVTCHNOP_alloc_unbound, &a), ESRCH);
    expect_eq(op(EVTCHNOP_bind_interdomain, &bi), ESRCH);
    expect_eq(op(EVTCHNOP_status, &s), ESRCH);
    expect_eq(op(EVTCHNOP_reset, &r), ESRCH);
    for (uint32_t pirq = 0; pirq < 300; pirq += 37) {
        bp.pirq = pirq;
        expect_eq_what("bind_pirq", op(EVTCHNOP_bind_pirq, &bp), EPERM);
    }
    bp.pirq = 0xffffffff;
    expect_eq(op(EVTCHNOP_bind_pirq, &bp), EPERM);
    expect_eq(op(EVTCHNOP_expand_array, &ea), ENOSYS);
    expect_eq(op(14, &sd), ENOSYS);             /* Xen's internal reset continuation */
    expect_eq(op(15, &sd), ENOSYS);
    expect_eq(op(-1, &sd), ENOSYS);
    expect_eq(hypercall_raw(__HYPERVISOR_event_channel_op, 0x7fffffff, (unsigned long)&sd, 0,
                            0, 0), ENOSYS);
}

static void test_bad_pointers(void)
{
    static const unsigned long bad[] = {
        0, 1, 0xffff800000000000UL, 0xffff830000000000UL, 0x0000800000000000UL,
        0x8000000000000000UL, 0xfffffffffffffff8UL,
    };
    long rc;
    char *guard = map_guard_page(&rc);

    expect_eq(rc, 0);
    for (int cmd = EVTCHNOP_bind_interdomain; cmd <= EVTCHNOP_set_priority; cmd++) {
        for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
            expect_eq_what("bad pointer", hypercall_raw(__HYPERVISOR_event_channel_op,
                                                        (unsigned long)cmd, bad[i], 0, 0, 0),
                           EFAULT);
        /* One byte before an unmapped page: every argument is bigger (reset's is 2). */
        if (guard) {
            long r = HYPERVISOR_event_channel_op(cmd, guard - 1);

            check(r == EFAULT, "cmd %d, argument across the guard page: %ld%s", cmd, r,
                  errno_name(r));
        }
    }
}

static void test_exhaust(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    unsigned int got = 0;
    long rc = 0;

    for (unsigned int i = 0; i < 5000; i++) {
        rc = op(EVTCHNOP_bind_ipi, &b);
        if (rc)
            break;
        got++;
    }
    expect_eq(rc, ENOSPC);
    expect_eq(got, NR_PORTS - 1);
    expect_eq(b.port, NR_PORTS - 1);
    {
        struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
        struct evtchn_bind_virq v = { .virq = VIRQ_DEBUG, .vcpu = 0 };

        expect_eq(op(EVTCHNOP_alloc_unbound, &a), ENOSPC);
        expect_eq(op(EVTCHNOP_bind_virq, &v), ENOSPC);
    }
    /* One freed port is the next one handed out. */
    expect_eq(event_close(2049), 0);
    expect_eq(op(EVTCHNOP_bind_ipi, &b), 0);
    expect_eq(b.port, 2049);
    expect_eq(reset_self(), 0);
    expect_eq(op(EVTCHNOP_bind_ipi, &b), 0);
    expect_eq(b.port, 1);
    expect_eq(reset_self(), 0);
}

static void test_unmask_storm(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)hostile_upcall_entry,
    };
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    uint32_t p;

    expect_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0);
    for (unsigned int w = 0; w < 64; w++)
        shared_info->evtchn_mask[w] = ~0UL;
    expect_eq(op(EVTCHNOP_bind_ipi, &b), 0);
    p = b.port;
    vi->evtchn_upcall_mask = 0;
    barrier();
    /* Masked and pending: the first unmask delivers, the rest find nothing. */
    expect_eq(event_send(p), 0);
    expect_eq(upcalls, 0);
    for (unsigned int i = 0; i < 5000; i++)
        expect_eq_what("unmask", event_unmask(p), 0);
    expect_eq(upcalls, 1);
    expect_eq(handled, 1);
    /* Remask and unmask 5000 times with one event: still one upcall. */
    expect_eq(event_send(p), 0);
    expect_eq(handled, 2);
    for (unsigned int i = 0; i < 5000; i++) {
        __atomic_fetch_or(&shared_info->evtchn_mask[p / 64], 1UL << (p % 64), __ATOMIC_SEQ_CST);
        expect_eq_what("remask/unmask", event_unmask(p), 0);
    }
    expect_eq(handled, 2);
    /* Free, reserved and invalid ports. */
    for (unsigned int i = 0; i < 5000; i++) {
        expect_eq_what("unmask free", event_unmask(100 + i % 20), 0);
        expect_eq_what("unmask port 0", event_unmask(0), 0);
        if (i % 10 == 0)
            expect_eq_what("unmask invalid", event_unmask(4096 + i), EINVAL);
    }
    expect_eq(handled, 2);
    /* A flood of sends: one event each, none lost, none doubled. */
    for (unsigned int i = 0; i < 2000; i++)
        expect_eq_what("send", event_send(p), 0);
    expect_eq(handled, 2002);
    vi->evtchn_upcall_mask = 1;
    barrier();
    expect_eq(reset_self(), 0);
}

static void test_poll_abuse(void)
{
    static uint32_t ports[129];
    struct sched_poll sp;
    long rc;
    char *guard = map_guard_page(&rc);
    struct evtchn_bind_ipi b = { .vcpu = 0 };

    expect_eq(op(EVTCHNOP_bind_ipi, &b), 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
        ports[i] = b.port;
    memset(&sp, 0, sizeof(sp));
    set_xen_guest_handle(sp.ports, ports);
    sp.nr_ports = 129;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EINVAL);
    sp.nr_ports = 0xffffffff;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EINVAL);
    sp.nr_ports = 2;
    ports[1] = 4096;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EINVAL);
    ports[1] = 0xffffffff;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EINVAL);
    ports[1] = b.port;
    set_xen_guest_handle(sp.ports, (uint32_t *)0xffff800000000000UL);
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EFAULT);
    if (guard) {
        set_xen_guest_handle(sp.ports, (uint32_t *)(guard - 4));
        expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), EFAULT);
    }
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, NULL), EFAULT);
    /* 128 ports, one pending: back at once. */
    ports[0] = b.port;
    expect_eq(event_send(b.port), 0);
    set_xen_guest_handle(sp.ports, ports);
    sp.nr_ports = 128;
    expect_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &sp), 0);
    expect_eq(reset_self(), 0);
}

void guest_main(void)
{
    long rc = map_shared_info();

    if (rc)
        test_fail(guest_name, "map_shared_info: %ld", rc);
    vi = vcpu0_info();
    test_bad_ports();
    test_bad_virqs();
    test_bad_domains_and_commands();
    test_bad_pointers();
    test_exhaust();
    test_unmask_storm();
    test_poll_abuse();
    /* Still sound: a fresh IPI works. */
    {
        struct evtchn_bind_ipi b = { .vcpu = 0 };
        struct evtchn_status s = { .dom = DOMID_SELF };

        expect_eq(op(EVTCHNOP_bind_ipi, &b), 0);
        s.port = b.port;
        expect_eq(op(EVTCHNOP_status, &s), 0);
        expect_eq(s.status, EVTCHNSTAT_ipi);
    }
}
