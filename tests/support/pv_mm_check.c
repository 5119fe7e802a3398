/* SPDX-License-Identifier: MIT */
/*
 * Invariant checker for the PV page-table engine; see pv_mm_check.h. It
 * recomputes every holder of every reference from the table contents and
 * compares with the counts, with its own statement of the entry rules (an
 * oracle independent of pt_validate.c, apart from pv_mfn_is_io()).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/domain.h>
#include <keel/page_info.h>

#include <asm/pv_mm.h>

#include "pv_mm_check.h"

#define AVL         0x0000000000000e00UL
#define AVL_HIGH    0x7ff0000000000000UL
#define CACHE       (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)
#define L1_OK       (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | \
                     _PAGE_GLOBAL | AVL | AVL_HIGH | _PAGE_NX)
#define UPPER_OK    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | \
                     AVL | AVL_HIGH | _PAGE_NX)
#define PGC_RESERVED (~(PGC_ALLOCATED | PGC_FREE | PGC_COUNT_MASK))
#define PGT_RESERVED (~(PGT_TYPE_MASK | PGT_PINNED | PGT_VALIDATED | PGT_COUNT_MASK))

static char msg[256];

struct tally {
    unsigned long general;      /* general refs held by present entries */
    unsigned long type;         /* page-table type refs held by parent entries */
    unsigned long writable;     /* writable type refs held by RW L1 entries */
    unsigned int child_level;   /* level the parents expect, 0 if none */
};

static bool is_table(unsigned long type)
{
    return type >= PGT_L1 && type <= PGT_L4;
}

static const char *fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return msg;
}

static const char *check_entry(const struct pv_check_env *env, struct tally *tl,
                               unsigned long mfn, unsigned int level, unsigned int i,
                               uint64_t e)
{
    const struct page_info *pg = &frame_table[mfn];
    const struct domain *d = pg->owner;
    uint64_t reserved = PTE_ADDR_MASK & ~((1UL << env->ops->paddr_bits) - 1);
    uint64_t allowed = level == 1 ? L1_OK | (d->has_io_caps ? CACHE : 0) : UPPER_OK;
    unsigned long target = (unsigned long)(pte_paddr(e) >> PAGE_SHIFT);

    if (e & ~(allowed | PTE_ADDR_MASK))
        return fail("frame %lu L%u[%u]: forbidden flags", mfn, level, i);
    if (e & reserved)
        return fail("frame %lu L%u[%u]: reserved address bits", mfn, level, i);
    if (!(e & _PAGE_USER) || (level == 4 && !(e & _PAGE_ACCESSED)))
        return fail("frame %lu L%u[%u]: not adjusted (US/A)", mfn, level, i);
    if (pv_mfn_is_io(_mfn(target))) {
        if (level != 1)
            return fail("frame %lu L%u[%u]: upper entry maps I/O", mfn, level, i);
        if (!env->ops->iomem_permitted(d, _mfn(target)))
            return fail("frame %lu L1[%u]: I/O frame %lu not permitted", mfn, i, target);
        if (pv_adjust_entry(1, e) != e)
            return fail("frame %lu L1[%u]: I/O frame %lu mapped cacheable", mfn, i, target);
        return NULL;
    }
    if (frame_table[target].owner != d && !(level == 1 && env->foreign_l1_ok))
        return fail("frame %lu L%u: entry maps frame %lu of another owner", mfn, level, target);
    tl[target].general++;
    if (level == 1) {
        if (e & _PAGE_RW)
            tl[target].writable++;
        return NULL;
    }
    if (tl[target].child_level && tl[target].child_level != level - 1)
        return fail("frame %lu is the child of tables of two levels (L%u, L%u)", target,
                    tl[target].child_level, level - 1);
    tl[target].child_level = level - 1;
    tl[target].type++;
    return NULL;
}

static const char *scan_table(const struct pv_check_env *env, struct tally *tl,
                              unsigned long mfn, unsigned int level)
{
    uint64_t *t = env->ops->map_frame(_mfn(mfn));
    const char *err = NULL;
    unsigned int i;

    for (i = 0; i < PT_ENTRIES && !err; i++) {
        if (level == 4 && !pv_is_guest_l4_slot(i)) {
            uint64_t want = env->ops->hypervisor_l4_slots[i - HYPERVISOR_SLOT_FIRST];

            if (i == env->ops->linear_slot)
                want = (want & ~PTE_ADDR_MASK) | (mfn << PAGE_SHIFT);
            if (t[i] != want)
                err = fail("frame %lu L4[%u]: hypervisor slot is %#lx", mfn, i, (unsigned long)t[i]);
            continue;
        }
        if (t[i] & _PAGE_PRESENT)
            err = check_entry(env, tl, mfn, level, i, t[i]);
    }
    env->ops->unmap_frame(t);
    return err;
}

static const char *check_counts(const struct pv_check_env *env, const struct tally *tl,
                                unsigned long mfn)
{
    const struct page_info *pg = &frame_table[mfn];
    unsigned long c = pg->count_info, x = pg->u.type_info;
    unsigned long gcount = c & PGC_COUNT_MASK, tcount = x & PGT_COUNT_MASK;
    unsigned long type = page_type(x);
    unsigned long pinned = !!(x & PGT_PINNED);
    unsigned long roots = env->roots ? env->roots[mfn] : 0;
    unsigned long want;

    if (c & PGC_FREE)
        return NULL;
    /* A wrapped count shows up as a huge one: bound it by every holder. */
    if ((c & PGC_RESERVED) || gcount > 1 + 2 * PT_ENTRIES * frame_table_nr + 64)
        return fail("frame %lu: general count wrapped or corrupt (%#lx)", mfn, c);
    if ((x & PGT_RESERVED) || tcount > PT_ENTRIES * frame_table_nr + 64)
        return fail("frame %lu: type count wrapped or corrupt (%#lx)", mfn, x);
    if (tcount > gcount)
        return fail("frame %lu: type count %lu above general count %lu", mfn, tcount, gcount);
    if (gcount == 0 && (c & PGC_ALLOCATED))
        return fail("frame %lu: allocated with count 0 (%#lx)", mfn, c);
    if (pinned && (!is_table(type) || tcount == 0))
        return fail("frame %lu: pinned but not a table in use (%#lx)", mfn, x);
    if (is_table(type) && !!tcount != !!(x & PGT_VALIDATED))
        return fail("frame %lu: table validated iff in use broken (%#lx)", mfn, x);
    if (type == PGT_WRITABLE && !(x & PGT_VALIDATED))
        return fail("frame %lu: writable frame not validated (%#lx)", mfn, x);

    if (tl[mfn].writable) {
        if (type != PGT_WRITABLE)
            return fail("frame %lu: RW-mapped %lu times but typed %#lx", mfn, tl[mfn].writable,
                        x);
        if (tcount != tl[mfn].writable)
            return fail("frame %lu: writable count %lu, RW entries %lu", mfn, tcount,
                        tl[mfn].writable);
    } else if (type == PGT_WRITABLE && tcount) {
        return fail("frame %lu: writable count %lu without RW entries", mfn, tcount);
    }

    if (tl[mfn].type || pinned || roots) {
        if (!is_table(type) || !(x & PGT_VALIDATED))
            return fail("frame %lu: referenced as a table but typed %#lx", mfn, x);
        if (tl[mfn].type && type != pv_level_type(tl[mfn].child_level))
            return fail("frame %lu: parents expect L%u, typed %#lx", mfn, tl[mfn].child_level,
                        x);
        if (roots && type != PGT_L4)
            return fail("frame %lu: root typed %#lx", mfn, x);
    }
    if (is_table(type) && tcount != tl[mfn].type + pinned + roots)
        return fail("frame %lu: table type count %lu, holders %lu", mfn, tcount,
                    tl[mfn].type + pinned + roots);

    want = !!(c & PGC_ALLOCATED) + tl[mfn].general + pinned + roots;
    if (gcount != want)
        return fail("frame %lu: general count %lu, holders %lu", mfn, gcount, want);
    return NULL;
}

const char *pv_check_invariants(const struct pv_check_env *env)
{
    struct tally *tl = calloc(frame_table_nr, sizeof(*tl));
    const char *err = NULL;
    unsigned long mfn;

    if (tl == NULL)
        return "out of memory";
    for (mfn = 0; mfn < frame_table_nr && !err; mfn++) {
        unsigned long x = frame_table[mfn].u.type_info;

        if (frame_table[mfn].count_info & PGC_FREE)
            continue;
        if (is_table(page_type(x)) && (x & PGT_VALIDATED) && (x & PGT_COUNT_MASK))
            err = scan_table(env, tl, mfn, page_type(x) >> PGT_TYPE_SHIFT);
    }
    for (mfn = 0; mfn < frame_table_nr && !err; mfn++)
        err = check_counts(env, tl, mfn);
    free(tl);
    return err;
}

const char *pv_check_all_released(void)
{
    unsigned long mfn;

    for (mfn = 0; mfn < frame_table_nr; mfn++) {
        const struct page_info *pg = &frame_table[mfn];

        if (pg->count_info || (pg->u.type_info & (PGT_COUNT_MASK | PGT_PINNED)))
            return fail("frame %lu not released: count %#lx type %#lx", mfn, pg->count_info,
                        pg->u.type_info);
    }
    return NULL;
}
