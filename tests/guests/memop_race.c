/* SPDX-License-Identifier: MIT */
/*
 * memop_race: increase_reservation of a 2 MiB extent with an extent list
 * Keel cannot write (our own page tables, mapped read-only), so it gives
 * the fresh frames back one by one, while another vCPU of ours keeps
 * releasing the extent's last frame with decrease_reservation (the
 * allocator hands out the same extent each round, so we know its MFNs).
 * The frames are ours from their assignment until Keel takes them back:
 * releasing one in between is the guest's right, and must neither crash
 * Keel nor make it release a frame no longer ours. At the end tot_pages
 * is where it was (no frame lost, none counted twice).
 *
 * Module arguments: rounds=N (default 200: a round takes ~10 ms under
 * TCG, and vCPU 1 wins the race in most). Needs two vCPUs.
 */
#include "guest.h"
#include "mm.h"
#include "smp.h"
#include "test.h"

static volatile unsigned long target;
static volatile bool stop;
static volatile unsigned long released;

#define ORDER   9
#define EXTENT  (1UL << ORDER)

static unsigned long top[EXTENT];

static long reservation(unsigned int cmd, unsigned long *extents, unsigned long nr,
                        unsigned int order)
{
    struct xen_memory_reservation r = {
        .nr_extents = nr, .extent_order = order, .domid = DOMID_SELF,
    };

    set_xen_guest_handle(r.extent_start, extents);
    return HYPERVISOR_memory_op(cmd, &r);
}

static long tot_pages(void)
{
    domid_t self = DOMID_SELF;

    return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

/* On vCPU 1: release the target frame, over and over. */
static void releaser(void *arg)
{
    (void)arg;
    while (!stop) {
        unsigned long m = target;

        if (reservation(XENMEM_decrease_reservation, &m, 1, 0) == 1)
            released++;
    }
}

void guest_main(void)
{
    const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
    unsigned long nr = start_info->nr_pages, rounds = guest_arg_uint("rounds", 200);
    unsigned long *ro_list = (unsigned long *)start_info->pt_base;
    unsigned long m, i;
    long base;

    if (smp_init() < 2) {
        test_skip("memop_race", "needs two vCPUs");
        return;
    }
    if (smp_bring_up_all() < 2) {
        check(false, "vCPU 1 did not come up");
        return;
    }
    base = tot_pages();
    /* Room for an extent: give back our top frames (past the initial mapping, unused). */
    for (i = 0; i < EXTENT; i++)
        top[i] = p2m[nr - EXTENT + i];
    expect_eq(reservation(XENMEM_decrease_reservation, top, EXTENT, 0), EXTENT);
    /* Which extent the allocator hands out next: it hands out the same one again. */
    expect_eq(reservation(XENMEM_increase_reservation, &m, 1, ORDER), 1);
    target = m + EXTENT - 1;
    expect_eq(reservation(XENMEM_decrease_reservation, &m, 1, ORDER), 1);
    expect_eq(tot_pages(), base - (long)EXTENT);

    /* Alone first: the list is unwritable, nothing done, the frames given back. */
    expect_eq(reservation(XENMEM_increase_reservation, ro_list, 1, ORDER), 0);
    expect_eq(tot_pages(), base - (long)EXTENT);

    smp_call(1, releaser, NULL);
    for (i = 0; i < rounds; i++) {
        long rc = reservation(XENMEM_increase_reservation, ro_list, 1, ORDER);

        if (rc != 0) {
            check(false, "round %lu: increase_reservation with an unwritable list: %ld", i, rc);
            break;
        }
    }
    stop = true;
    smp_wait(1);
    printf("memop_race: %lu rounds, vCPU 1 released the frame %lu times\n", i,
           (unsigned long)released);
    expect_eq(tot_pages(), base - (long)EXTENT);

    for (i = 0; i < EXTENT; i++)
        top[i] = nr - EXTENT + i;
    expect_eq(reservation(XENMEM_populate_physmap, top, EXTENT, 0), EXTENT);
    expect_eq(tot_pages(), base);
}
