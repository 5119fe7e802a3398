/* SPDX-License-Identifier: MIT */
/* Grant tables from a guest's side (see grant.h). */
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"

static volatile grant_entry_v1_t *table;

long grant_setup(unsigned int nr_frames)
{
    xen_pfn_t frames[GRANT_MAX_FRAMES];
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = nr_frames };
    long rc;

    if (nr_frames == 0 || nr_frames > GRANT_MAX_FRAMES)
        return -XEN_EINVAL;
    set_xen_guest_handle(setup.frame_list, frames);
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
    if (rc || setup.status)
        return rc ? rc : setup.status;
    for (unsigned int i = 0; i < nr_frames; i++) {
        rc = mmu_win_map(GRANT_WIN_SLOT + i, frames[i], L1_RW | PTE_NX);
        if (rc)
            return rc;
    }
    table = (volatile grant_entry_v1_t *)mmu_win(GRANT_WIN_SLOT);
    return 0;
}

volatile grant_entry_v1_t *grant_entry(grant_ref_t ref)
{
    return &table[ref];
}

void grant_access(grant_ref_t ref, domid_t domid, unsigned long mfn, bool ro)
{
    volatile grant_entry_v1_t *e = grant_entry(ref);

    e->frame = (uint32_t)mfn;
    e->domid = domid;
    /* The hypervisor reads frame and domid once it sees the flags. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (ro ? GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
}

bool grant_end(grant_ref_t ref)
{
    uint16_t *flags = (uint16_t *)&grant_entry(ref)->flags;
    uint16_t old = __atomic_load_n(flags, __ATOMIC_ACQUIRE);

    do {
        if (old & (GTF_reading | GTF_writing))
            return false;
    } while (!__atomic_compare_exchange_n(flags, &old, 0, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return true;
}

int16_t grant_map(domid_t dom, grant_ref_t ref, unsigned int slot, bool ro,
                  grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = (unsigned long)mmu_win(slot),
        .flags = GNTMAP_host_map | (ro ? GNTMAP_readonly : 0),
        .ref = ref,
        .dom = dom,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

    if (rc)
        return (int16_t)GNTST_general_error;
    *handle = op.handle;
    return op.status;
}

int16_t grant_unmap(unsigned int slot, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = (unsigned long)mmu_win(slot),
        .handle = handle,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    return rc ? (int16_t)GNTST_general_error : op.status;
}

struct gnttab_copy grant_copy_op(domid_t granter, uint16_t flags, uint64_t src, uint16_t soff,
                                 uint64_t dst, uint16_t doff, uint16_t len)
{
    struct gnttab_copy c = { .len = len, .flags = flags };

    if (flags & GNTCOPY_source_gref) {
        c.source.u.ref = (grant_ref_t)src;
        c.source.domid = granter;
    } else {
        c.source.u.gmfn = src;
        c.source.domid = DOMID_SELF;
    }
    if (flags & GNTCOPY_dest_gref) {
        c.dest.u.ref = (grant_ref_t)dst;
        c.dest.domid = granter;
    } else {
        c.dest.u.gmfn = dst;
        c.dest.domid = DOMID_SELF;
    }
    c.source.offset = soff;
    c.dest.offset = doff;
    return c;
}

long grant_copy(struct gnttab_copy *op)
{
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, op, 1);

    return rc ? rc : op->status;
}
