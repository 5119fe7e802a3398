/* SPDX-License-Identifier: MIT */
/*
 * GNTTABOP_copy: copy bytes between two frames, each named by a grant ref
 * of some domain (GNTCOPY_*_gref) or by a frame of the caller's own
 * (DOMID_SELF and an MFN: a 64-bit PV domain's "gfn"), in either direction.
 * Xen's gnttab_copy(), without its caching of the previous op's frames.
 *
 * Each op, in Xen's order of checks: both domains (a frame, not a ref,
 * only for DOMID_SELF: GNTST_permission_denied; an unknown domain:
 * GNTST_bad_domain); the source (a ref pinned for host reading through
 * the GTF protocol, grant_table.c; a frame: the caller's own RAM, else
 * GNTST_bad_page), the destination likewise for writing, plus a
 * PGT_WRITABLE type reference (a page table or descriptor page of its
 * owner: GNTST_general_error); then the range: offset + len beyond the
 * page on either side is GNTST_bad_copy_arg. Pins and references are held
 * only for the op. The caller's domain id is the grantee every ref must
 * name, its own grants included.
 */
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/nospec.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>
#include <public/grant_table.h>

#include "grant_internal.h"

/* One side of a copy and what it holds. */
struct copy_buf {
    struct domain *d;       /* with a reference */
    bool pinned;            /* a pin on ref */
    grant_ref_t ref;
    struct page_info *pg;   /* with a general reference */
    bool typed;             /* and a writable type reference */
    bool readonly;
};

static int claim(const struct gnttab_copy_ptr *p, bool is_gref, struct copy_buf *b)
{
    domid_t ldomid = current_vcpu()->domain->domain_id;
    mfn_t mfn;
    int rc;

    if (is_gref) {
        rc = gnttab_pin(b->d, p->u.ref, ldomid, b->readonly ? GNTPIN_HSTR_INC : GNTPIN_HSTW_INC,
                        false, &mfn);
        if (rc != GNTST_okay)
            return rc;
        b->pinned = true;
        b->ref = p->u.ref;
        /* Pinned: the frame is b->d's and referenced, so only overflow fails. */
        if (get_page(mfn_to_page(mfn), b->d))
            return GNTST_general_error;
    } else {
        if (p->u.gmfn >= frame_table_nr)
            return GNTST_bad_page;
        mfn = _mfn(array_index_nospec(p->u.gmfn, frame_table_nr));
        if (!arch_gnttab_frame_ok(mfn) || get_page(mfn_to_page(mfn), b->d))
            return GNTST_bad_page;
    }
    b->pg = mfn_to_page(mfn);
    if (!b->readonly) {
        if (get_page_type(b->pg, PGT_WRITABLE))
            return GNTST_general_error;
        b->typed = true;
    }
    return GNTST_okay;
}

static void release(struct copy_buf *b)
{
    if (b->typed)
        put_page_type(b->pg);
    if (b->pg)
        put_page(b->pg);
    if (b->pinned)
        gnttab_unpin(b->d, b->ref, b->readonly ? GNTPIN_HSTR_INC : GNTPIN_HSTW_INC);
    if (b->d)
        put_domain(b->d);
}

static int get_side(const struct gnttab_copy_ptr *p, bool is_gref, struct copy_buf *b)
{
    if (!is_gref && p->domid != DOMID_SELF)
        return GNTST_permission_denied;
    b->d = gnttab_get_domain(p->domid, true);
    return b->d ? GNTST_okay : GNTST_bad_domain;
}

static int16_t copy_one(const struct gnttab_copy *op)
{
    struct copy_buf src = { .readonly = true }, dst = { .readonly = false };
    bool src_gref = op->flags & GNTCOPY_source_gref;
    bool dst_gref = op->flags & GNTCOPY_dest_gref;
    uint8_t *s, *t;
    int rc;

    if ((rc = get_side(&op->source, src_gref, &src)) != GNTST_okay ||
        (rc = get_side(&op->dest, dst_gref, &dst)) != GNTST_okay ||
        (rc = claim(&op->source, src_gref, &src)) != GNTST_okay ||
        (rc = claim(&op->dest, dst_gref, &dst)) != GNTST_okay)
        goto out;
    if (op->source.offset + op->len > GNTTAB_PAGE_SIZE ||
        op->dest.offset + op->len > GNTTAB_PAGE_SIZE) {
        rc = GNTST_bad_copy_arg;
        goto out;
    }
    s = arch_gnttab_map_frame(page_to_mfn(src.pg));
    t = arch_gnttab_map_frame(page_to_mfn(dst.pg));
    /* The two sides may be one frame. */
    memmove(t + op->dest.offset, s + op->source.offset, op->len);
    arch_gnttab_unmap_frame(t);
    arch_gnttab_unmap_frame(s);
    rc = GNTST_okay;
out:
    release(&dst);
    release(&src);
    return (int16_t)rc;
}

long gnttab_copy(unsigned long uop, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        unsigned long p = uop + i * sizeof(struct gnttab_copy);
        struct gnttab_copy op;

        if (i == GNTTAB_BATCH)
            return i;
        if (copy_from_guest(&op, p, sizeof(op)))
            return -EFAULT;
        op.status = copy_one(&op);
        if (copy_to_guest(p + offsetof(struct gnttab_copy, status), &op.status,
                          sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}
