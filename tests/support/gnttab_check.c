/* SPDX-License-Identifier: MIT */
/*
 * Invariant checker for grant tables: see gnttab_check.h. It recomputes
 * every holder of every pin, frame reference and domain reference from the
 * maptracks, the fake PTEs and the tables, and compares with the counts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/grant_table.h>
#include <keel/page_info.h>

#include "gnttab_check.h"
#include "grant_internal.h"

unsigned int gcheck_extra_general[FAKE_NR_FRAMES];
unsigned int gcheck_extra_type[FAKE_NR_FRAMES];
bool gcheck_skip_status;

static char msg[256];

struct tally {
    uint32_t *pin[FAKE_NR_DOMS];        /* per ref of each granter's table */
    int *pin_dom[FAKE_NR_DOMS];         /* mapper index, -1 none */
    unsigned long general[FAKE_NR_FRAMES];
    unsigned long writable[FAKE_NR_FRAMES];
    unsigned long dom_refs[FAKE_NR_DOMS];
};

static const char *fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return msg;
}

static int dom_index(const struct domain *d)
{
    for (int i = 0; i < FAKE_NR_DOMS; i++)
        if (&gfake.dom[i].d == d)
            return i;
    return -1;
}

static uint32_t incr(uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;
    uint32_t n = 0;

    if (flags & GNTMAP_device_map)
        n += ro ? GNTPIN_DEVR_INC : GNTPIN_DEVW_INC;
    if (flags & GNTMAP_host_map)
        n += ro ? GNTPIN_HSTR_INC : GNTPIN_HSTW_INC;
    return n;
}

static const char *scan_maptrack(struct tally *t, int li)
{
    struct grant_table *gt = gfake.dom[li].d.grant_table;
    unsigned int used = 0, free_len = 0;

    for (unsigned int h = 0; h < gt->maptrack_limit; h++) {
        struct gnttab_maptrack *e = gnttab_maptrack_entry(gt, h);
        int ri;

        if (!e->flags)
            continue;
        used++;
        if (!(e->flags & (GNTMAP_host_map | GNTMAP_device_map)))
            return fail("d%d handle %u: flags %#x without a mapping", li, h, e->flags);
        ri = dom_index(e->rd);
        if (ri < 0 || gfake.dom[ri].freed)
            return fail("d%d handle %u: granter gone", li, h);
        if (e->ref >= gnttab_nr_entries(e->rd->grant_table))
            return fail("d%d handle %u: ref %u beyond the table", li, h, e->ref);
        t->dom_refs[ri]++;
        t->pin[ri][e->ref] += incr(e->flags);
        if (t->pin_dom[ri][e->ref] >= 0 && t->pin_dom[ri][e->ref] != li)
            return fail("d%d ref %u mapped by two domains", ri, e->ref);
        t->pin_dom[ri][e->ref] = li;
        if (e->flags & GNTMAP_device_map) {
            unsigned long mfn = gnttab_active_entry(e->rd->grant_table, e->ref)->mfn;

            t->general[mfn]++;
            if (!(e->flags & GNTMAP_readonly))
                t->writable[mfn]++;
        }
    }
    if (used != gt->maptrack_in_use)
        return fail("d%d: maptrack in use %u, entries %u", li, gt->maptrack_in_use, used);
    for (unsigned int h = gt->maptrack_free; h != GNTTAB_MAPTRACK_TAIL;
         h = gnttab_maptrack_entry(gt, h)->next_free) {
        if (h >= gt->maptrack_limit || ++free_len > gt->maptrack_limit)
            return fail("d%d: maptrack free list corrupt", li);
        if (gnttab_maptrack_entry(gt, h)->flags)
            return fail("d%d: handle %u free and in use", li, h);
    }
    if (free_len + used != gt->maptrack_limit)
        return fail("d%d: %u free + %u used != %u handles", li, free_len, used,
                    gt->maptrack_limit);
    return NULL;
}

static const char *check_table(struct tally *t, int ri)
{
    struct grant_table *gt = gfake.dom[ri].d.grant_table;

    if (!gt->released)
        for (unsigned int i = 0; i < gt->nr_frames; i++)
            t->general[gt->shared_mfn[i]]++;    /* the table's own reference */
    for (grant_ref_t ref = 0; ref < gnttab_nr_entries(gt); ref++) {
        struct gnttab_active *act = gnttab_active_entry(gt, ref);

        if (act->pin != t->pin[ri][ref])
            return fail("d%d ref %u: pin %#x, mappings %#x", ri, ref, act->pin,
                        t->pin[ri][ref]);
        if (!act->pin)
            continue;
        if (act->domid != gfake.dom[t->pin_dom[ri][ref]].d.domain_id)
            return fail("d%d ref %u: pinned for d%u, mapped by index %d", ri, ref, act->domid,
                        t->pin_dom[ri][ref]);
        t->general[act->mfn]++;
        if (gt->released || gcheck_skip_status)
            continue;
        {
            uint16_t flags = gnttab_shared_entry(gt, ref)->flags;

            if (!(flags & GTF_reading))
                return fail("d%d ref %u pinned without GTF_reading", ri, ref);
            if (!!(flags & GTF_writing) != !!(act->pin & GNTPIN_WRITE_MASK))
                return fail("d%d ref %u: GTF_writing %d, write pins %#x", ri, ref,
                            !!(flags & GTF_writing), act->pin & GNTPIN_WRITE_MASK);
        }
    }
    if (!gt->released && !gcheck_skip_status)
        for (grant_ref_t ref = 0; ref < gnttab_nr_entries(gt); ref++)
            if (!gnttab_active_entry(gt, ref)->pin &&
                (gnttab_shared_entry(gt, ref)->flags & (GTF_reading | GTF_writing)))
                return fail("d%d ref %u unpinned with GTF_reading/writing", ri, ref);
    return NULL;
}

static const char *check_frames(const struct tally *t)
{
    for (unsigned long m = 0; m < FAKE_NR_FRAMES; m++) {
        const struct page_info *pg = &frame_table[m];
        unsigned long c = pg->count_info, x = pg->u.type_info;
        unsigned long want = !!(c & PGC_ALLOCATED) + t->general[m] + gcheck_extra_general[m];
        unsigned long tc = x & PGT_COUNT_MASK;

        if ((c & PGC_COUNT_MASK) != want)
            return fail("frame %lu: count %lu, holders %lu", m, c & PGC_COUNT_MASK, want);
        if (page_type(x) == PGT_WRITABLE) {
            if (tc != t->writable[m])
                return fail("frame %lu: writable count %lu, holders %lu", m, tc, t->writable[m]);
        } else if (t->writable[m]) {
            return fail("frame %lu: %lu writable holders, typed %#lx", m, t->writable[m], x);
        } else if (tc != gcheck_extra_type[m]) {
            return fail("frame %lu: type count %lu, harness holds %u", m, tc,
                        gcheck_extra_type[m]);
        }
    }
    return NULL;
}

const char *gnttab_check_invariants(void)
{
    struct tally *t = calloc(1, sizeof(*t));
    const char *err = NULL;

    if (!t)
        return "out of memory";
    for (int i = 0; i < FAKE_NR_DOMS; i++) {
        struct grant_table *gt = gfake.dom[i].d.grant_table;
        size_t n = gt && !gfake.dom[i].freed ? gnttab_nr_entries(gt) : 1;

        t->pin[i] = calloc(n, sizeof(*t->pin[i]));
        t->pin_dom[i] = malloc(n * sizeof(*t->pin_dom[i]));
        if (!t->pin[i] || !t->pin_dom[i])
            abort();
        memset(t->pin_dom[i], 0xff, n * sizeof(*t->pin_dom[i]));
    }
    for (int i = 0; i < FAKE_NR_DOMS && !err; i++)
        if (!gfake.dom[i].freed)
            err = scan_maptrack(t, i);
    for (int i = 0; i < FAKE_NR_DOMS && !err; i++) {
        if (gfake.dom[i].freed)
            continue;
        err = check_table(t, i);
        if (!gfake.dom[i].killed)
            for (unsigned int s = 0; s < FAKE_NR_SLOTS; s++) {
                uint64_t e = gfake.dom[i].slots[s];

                if (!(e & 1))
                    continue;
                t->general[(e >> 12) & 0xffffffffffUL]++;
                if (e & 2)
                    t->writable[(e >> 12) & 0xffffffffffUL]++;
            }
    }
    if (!err)
        err = check_frames(t);
    for (int i = 0; i < FAKE_NR_DOMS && !err; i++) {
        const struct fake_dom *fd = &gfake.dom[i];
        unsigned long want;

        if (fd->freed)
            continue;
        want = !fd->killed + !!(fd->d.tot_pages + fd->d.xenheap_pages) + t->dom_refs[i];
        if (fd->d.refcnt != want)
            err = fail("d%d: refcnt %lu, holders %lu", i, fd->d.refcnt, want);
    }
    for (int i = 0; i < FAKE_NR_DOMS; i++) {
        free(t->pin[i]);
        free(t->pin_dom[i]);
    }
    free(t);
    return err;
}
