/* SPDX-License-Identifier: MIT */
/*
 * The sched_op hypercall. With a single vCPU per CPU yield returns at once;
 * block and poll wait for events (their workers are in event_wait.c);
 * shutdown ends the domain (for dom0: the machine).
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include <public/sched.h>

/* sched_op(cmd, arg) */
long do_sched_op(unsigned long cmd, unsigned long arg, unsigned long unused3,
                 unsigned long unused4, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;

    (void)unused3, (void)unused4, (void)unused5;
    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield();
        return 0;
    case SCHEDOP_block:
        return evtchn_sched_block(current_vcpu());
    case SCHEDOP_poll: {
        struct sched_poll p;

        if (copy_from_guest(&p, arg, sizeof(p)))
            return -EFAULT;
        return evtchn_sched_poll(current_vcpu(), &p);
    }
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (copy_from_guest(&s, arg, sizeof(s)))
            return -EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -EINVAL;
        domain_shutdown(d, s.reason);
        return 0;
    }
    default:
        return -ENOSYS;
    }
}
