/* SPDX-License-Identifier: MIT */
/*
 * The 2-level event-channel ABI: pending and mask bitmaps in shared_info
 * (one bit per port, 64 words of 64 bits), a selector word in each
 * vcpu_info (one bit per bitmap word) and the vcpu_info's upcall flag.
 *
 * Raising port p (Linux's events_2l.c is the consumer that defines what
 * must hold):
 *   1. set pending[p]; if it was already set, stop (the guest has not
 *      consumed the previous event; nothing new to say);
 *   2. if mask[p] is clear and selector bit p/64 was clear, set it, then
 *      set evtchn_upcall_pending and, if that was clear, kick the vCPU.
 * Unmasking re-runs step 2 for a port that is pending, so an event that
 * arrived while masked is delivered when it is unmasked.
 *
 * The guest reads and writes all of these words concurrently (it clears
 * pending bits and the selector, sets and clears mask bits), so every
 * update here is an atomic read-modify-write, never a plain store, and
 * the steps happen in the order above. The sequentially consistent atomics
 * are also the barriers: the guest clears upcall_pending, then exchanges
 * the selector, then scans pending & ~mask; our set of pending[p] is
 * ordered before the selector and upcall writes, so a guest that sees
 * the upcall also sees the bits.
 *
 * Callers hold the lock that keeps the port's binding stable (see
 * event_internal.h); these functions take no locks.
 */
#include <keel/arch.h>
#include <keel/lib.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#include "event_internal.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

_Static_assert(sizeof(((struct shared_info *)0)->evtchn_pending) * 8 == EVTCHN_NR_PORTS,
               "one pending bit per port");
_Static_assert(sizeof(((struct shared_info *)0)->evtchn_mask) * 8 == EVTCHN_NR_PORTS,
               "one mask bit per port");
_Static_assert(sizeof(((struct vcpu_info *)0)->evtchn_pending_sel) * 8 ==
               EVTCHN_NR_PORTS / BITS_PER_WORD, "one selector bit per pending word");

static inline xen_ulong_t bit_of(unsigned int nr)
{
    return (xen_ulong_t)1 << (nr % BITS_PER_WORD);
}

/* Atomically set bit nr of the bitmap; returns its old value. */
static bool test_and_set(xen_ulong_t *map, unsigned int nr)
{
    return __atomic_fetch_or(&map[nr / BITS_PER_WORD], bit_of(nr), __ATOMIC_SEQ_CST) &
           bit_of(nr);
}

static bool test_and_clear(xen_ulong_t *map, unsigned int nr)
{
    return __atomic_fetch_and(&map[nr / BITS_PER_WORD], ~bit_of(nr), __ATOMIC_SEQ_CST) &
           bit_of(nr);
}

static bool test(const xen_ulong_t *map, unsigned int nr)
{
    return __atomic_load_n(&map[nr / BITS_PER_WORD], __ATOMIC_SEQ_CST) & bit_of(nr);
}

/*
 * Selector bit for port's word, then the upcall flag; kick v only on the
 * flag's 0 -> 1 edge (a vCPU with the flag already set has an upcall on
 * its way and will scan every selected word).
 */
static void mark_pending_for(struct vcpu *v, unsigned int port)
{
    struct vcpu_info *vi = arch_vcpu_info(v);

    if (test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD))
        return;
    if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        vcpu_kick(v);
}

bool evtchn_2l_set_pending(struct domain *d, struct vcpu *v, unsigned int port)
{
    struct shared_info *s = arch_shared_info(d);

    ASSERT(port < EVTCHN_NR_PORTS && v->domain == d);
    if (test_and_set(s->evtchn_pending, port))
        return false;
    if (!test(s->evtchn_mask, port))
        mark_pending_for(v, port);
    return true;
}

void evtchn_2l_clear_pending(struct domain *d, unsigned int port)
{
    ASSERT(port < EVTCHN_NR_PORTS);
    test_and_clear(arch_shared_info(d)->evtchn_pending, port);
}

void evtchn_2l_unmask(struct domain *d, struct vcpu *v, unsigned int port)
{
    struct shared_info *s = arch_shared_info(d);

    ASSERT(port < EVTCHN_NR_PORTS && v->domain == d);
    /* Only an unmask that clears the bit can owe the guest an upcall. */
    if (test_and_clear(s->evtchn_mask, port) && test(s->evtchn_pending, port))
        mark_pending_for(v, port);
}

bool evtchn_2l_is_pending(struct domain *d, unsigned int port)
{
    ASSERT(port < EVTCHN_NR_PORTS);
    return test(arch_shared_info(d)->evtchn_pending, port);
}

bool evtchn_2l_is_masked(struct domain *d, unsigned int port)
{
    ASSERT(port < EVTCHN_NR_PORTS);
    return test(arch_shared_info(d)->evtchn_mask, port);
}
