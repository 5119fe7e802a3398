/* SPDX-License-Identifier: MIT */
/* The fake machine for the event-channel tests: see evtchn_fake.h. */
#include <stdlib.h>
#include <string.h>

#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/sched.h>
#include <keel/timer.h>
#include <keel/vcpu.h>

#include "evtchn_fake.h"

struct fake_machine fake;
struct domain *dom0;
s_time_t fake_now;
unsigned int fake_heap_fail_after;
long fake_heap_pages;
static struct vcpu *current;

/* ---- Heap ---- */

void *alloc_xenheap_pages(unsigned int order)
{
    void *p;

    if (fake_heap_fail_after && !--fake_heap_fail_after)
        return NULL;
    p = aligned_alloc(4096, 4096UL << order);
    if (!p)
        abort();
    memset(p, 0, 4096UL << order);
    fake_heap_pages += 1L << order;
    return p;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    if (!va)
        return;
    fake_heap_pages -= 1L << order;
    free(va);
}

/* ---- Arch and scheduler hooks ---- */

static unsigned int dom_index(const struct domain *d)
{
    unsigned int i = (unsigned int)(d - fake.dom);

    if (i >= FAKE_NR_DOMS)
        abort();
    return i;
}

struct vcpu_info *arch_vcpu_info(struct vcpu *v)
{
    return &fake.shared[dom_index(v->domain)].vcpu_info[v->vcpu_id];
}

struct shared_info *arch_shared_info(struct domain *d)
{
    return &fake.shared[dom_index(d)];
}

void vcpu_kick(struct vcpu *v)
{
    fake.kicks[dom_index(v->domain)][v->vcpu_id]++;
    fake.blocked[dom_index(v->domain)][v->vcpu_id] = false;
}

void vcpu_wake(struct vcpu *v)
{
    fake.wakes[dom_index(v->domain)][v->vcpu_id]++;
    fake.blocked[dom_index(v->domain)][v->vcpu_id] = false;
}

void (*fake_during_block)(void);

void vcpu_block(void)
{
    void (*hook)(void) = fake_during_block;
    struct vcpu *v = current;

    fake_during_block = NULL;
    if (hook)
        hook();
    fake.blocked[dom_index(v->domain)][v->vcpu_id] = true;
}

struct vcpu *current_vcpu(void)
{
    return current;
}

/* References follow struct domain's rules; each fake domain's existence holds one. */
struct domain *get_domain_by_id(domid_t id)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        if (fake.alive[i] && fake.dom[i].domain_id == id) {
            fake.dom[i].refcnt++;
            return &fake.dom[i];
        }
    return NULL;
}

void get_domain(struct domain *d)
{
    if (d->refcnt == 0)
        abort();
    d->refcnt++;
}

void put_domain(struct domain *d)
{
    /* The existence reference is the fake's own: a hypercall never drops it. */
    if (d->refcnt <= 1)
        abort();
    d->refcnt--;
}

s_time_t now(void)
{
    return fake_now;
}

void arch_timer_program(s_time_t deadline)
{
    (void)deadline;
}

unsigned int arch_cpu_id(void)
{
    return 0;
}

/* ---- The machine ---- */

void fake_machine_init(void)
{
    memset(&fake, 0, sizeof(fake));
    fake_now = 1000;
    fake_heap_fail_after = 0;
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++) {
        struct domain *d = &fake.dom[i];

        d->domain_id = i == FAKE_D0 ? 0 : FAKE_D1_ID;
        d->is_privileged = i == FAKE_D0;
        d->max_vcpus = FAKE_MAX_VCPUS;
        d->vcpus = fake.vcpus[i];
        for (unsigned int v = 0; v < FAKE_MAX_VCPUS; v++) {
            if (v == FAKE_ABSENT_VCPU)
                continue;
            fake.vcpu[i][v].vcpu_id = v;
            fake.vcpu[i][v].domain = d;
            fake.vcpus[i][v] = &fake.vcpu[i][v];
            fake.vcpu[i][v].is_up = true;
            /* As Linux starts: everything masked. */
            fake.shared[i].vcpu_info[v].evtchn_upcall_mask = 1;
        }
        if (evtchn_domain_init(d))
            abort();
        d->refcnt = 1;
        fake.alive[i] = true;
    }
    dom0 = &fake.dom[FAKE_D0];
    current = &fake.vcpu[FAKE_D0][0];
}

void fake_domain_destroy(unsigned int dom)
{
    if (!fake.alive[dom])
        return;
    fake.alive[dom] = false;
    fake.dom[dom].is_dying = true;
    evtchn_domain_destroy(&fake.dom[dom]);
}

void fake_machine_fini(void)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++)
        fake_domain_destroy(i);
    dom0 = NULL;
    current = NULL;
}

struct domain *fake_dom(unsigned int dom)
{
    return &fake.dom[dom];
}

struct vcpu *fake_vcpu(unsigned int dom, unsigned int vcpu)
{
    return fake.vcpus[dom][vcpu];
}

void fake_set_current(struct vcpu *v)
{
    current = v;
}

struct vcpu_info *fake_vcpu_info(unsigned int dom, unsigned int vcpu)
{
    return &fake.shared[dom].vcpu_info[vcpu];
}

void fake_clear_counts(void)
{
    memset(fake.kicks, 0, sizeof(fake.kicks));
    memset(fake.wakes, 0, sizeof(fake.wakes));
}
