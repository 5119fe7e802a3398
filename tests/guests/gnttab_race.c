/* SPDX-License-Identifier: MIT */
/*
 * A granter that rewrites its grant entry while the grantee maps and copies
 * through it, from another vCPU on another physical CPU: dom0 grants a
 * frame to itself; vCPU 1 flips the entry's flags (read-only, ended,
 * another domain, even the GTF_reading/GTF_writing bits Keel owns) as fast
 * as it can, while vCPU 0 maps, unmaps and copies 20,000 times. Keel must
 * answer every call with success or GNTST_general_error (Xen's answer for
 * an entry that changed under it), map read-only only what it may, keep
 * running, and leave nothing behind: afterwards the frame carries no
 * reference but its allocation (decrease_reservation takes it back, which
 * Keel refuses for a frame anyone still holds).
 *
 * Booted with -smp 2 (dom0 gets a vCPU per CPU).
 */
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "smp.h"
#include "test.h"

#define ROUNDS      20000
#define REF         GRANT_FIRST_REF
#define SLOT_MAP    470

static volatile bool stop_flipping;
static volatile unsigned long flips;

/* vCPU 1: the hostile granter. */
static void flip(void *arg)
{
    volatile grant_entry_v1_t *e = grant_entry(REF);
    static const uint16_t flags[] = {
        GTF_permit_access, GTF_permit_access | GTF_readonly, 0,
        GTF_permit_access | GTF_reading | GTF_writing, GTF_permit_access | GTF_writing,
        GTF_accept_transfer,
    };
    unsigned int i = 0;

    (void)arg;
    while (!stop_flipping) {
        uint16_t f = flags[i % ARRAY_SIZE(flags)];

        e->domid = (i % 7 == 3) ? 0x1234 : 0;
        __atomic_store_n(&e->flags, f, __ATOMIC_RELEASE);
        i++;
    }
    flips = i;
}

void guest_main(void)
{
    unsigned long frame, own;
    unsigned int mapped = 0, refused = 0, copied = 0, other = 0;
    long rc = map_shared_info();

    check(rc == 0, "map shared_info: %ld%s", rc, errno_name(rc));
    if (rc || !mmu_init())
        return;
    if (smp_init() < 2 || smp_bring_up_all() < 2) {
        test_skip(guest_name, "needs two vCPUs (-smp 2)");
        return;
    }
    check(grant_setup(1) == 0, "grant_setup");
    frame = mmu_spare();
    own = mmu_spare();
    grant_access(REF, 0, frame, false);
    smp_call(1, flip, NULL);

    for (unsigned int r = 0; r < ROUNDS; r++) {
        bool ro = r & 1;
        grant_handle_t h;
        int16_t st = grant_map(0, REF, SLOT_MAP, ro, &h);
        struct gnttab_copy c = grant_copy_op(0, (r & 2) ? GNTCOPY_source_gref : GNTCOPY_dest_gref,
                                             (r & 2) ? REF : own, 0, (r & 2) ? own : REF, 0, 64);
        long cst;

        if (st == GNTST_okay) {
            mapped++;
            st = grant_unmap(SLOT_MAP, h);
            if (st != GNTST_okay) {
                check(false, "round %u: unmap of a successful map gave %d", r, st);
                break;
            }
        } else if (st == GNTST_general_error) {
            refused++;
        } else {
            other++;
            check(false, "round %u: map gave %d", r, st);
        }
        cst = grant_copy(&c);
        if (cst == GNTST_okay)
            copied++;
        else if (cst != GNTST_general_error)
            check(false, "round %u: copy gave %ld", r, cst);
    }
    stop_flipping = true;
    smp_wait(1);
    printf("gnttab_race: %u maps, %u refused, %u copies, %lu flips by vCPU 1\n", mapped, refused,
           copied, flips);
    check(mapped > 0 && refused > 0, "the race never went both ways (%u maps, %u refused)",
          mapped, refused);
    expect_eq(other, 0);

    /* A sane entry again: it maps; then it ends, and the frame is ours alone. */
    grant_access(REF, 0, frame, false);
    {
        grant_handle_t h;

        expect_eq(grant_map(0, REF, SLOT_MAP, false, &h), GNTST_okay);
        expect_eq(grant_unmap(SLOT_MAP, h), GNTST_okay);
    }
    check(grant_end(REF), "the entry is still marked in use");
    {
        xen_pfn_t f = frame;
        struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };

        set_xen_guest_handle(r.extent_start, &f);
        check(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r) == 1,
              "the raced frame %#lx is still referenced after every unmap", frame);
    }
    smp_down_all();
}
