/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for grant tables (common/grant_table.c, grant_map.c,
 * grant_copy.c with the real frame_table.c) on the fake two-domain machine
 * of tests/support/gnttab_fake.h. The input is a program of guest actions
 * by D0 (id 0) and D1 (id 5): write a grant entry (the granter never
 * touches GTF_reading/GTF_writing, which are the hypervisor's), map,
 * unmap, unmap_and_replace, copy, overwrite a PTE, grow the table, swap,
 * cache_flush, and kill a domain. After every action the invariant checker
 * (tests/support/gnttab_check.c: pins = maptrack entries, GTF bits iff
 * pinned, frame references and domain references balanced) must pass and
 * every status must be one the op documents; at the end both domains are
 * killed and every frame, heap page and domain must come back. Any
 * violation aborts. FUZZ_TRACE=1 prints each action and its result.
 *
 * Encoding (tests/fuzz/grant_table_seeds.py writes seeds): each action is
 * 6 bytes: op, dom, a, b, c, d.
 *   op%10=0 grant     ref=a%16 flags=b domid=c frame=d
 *   op%10=1 map       rdom=a ref=b%16 flags=c slot=d
 *   op%10=2 unmap     handle=a addr=b bus=c
 *   op%10=3 replace   handle=a slot=b new=c
 *   op%10=4 copy      flags=a src=b dst=c off/len=d
 *   op%10=5 pte       slot=a val=b
 *   op%10=6 setup     nr=a%5
 *   op%10=7 swap      a%16 b%16
 *   op%10=8 flush     frame=a op=b
 *   op%10=9 kill      (dom)
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <public/grant_table.h>

#include "gnttab_check.h"
#include "gnttab_fake.h"
#include "grant_internal.h"

#define STEP        6
#define MAX_STEPS   400

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool trace;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "fuzz_grant_table: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* Whether @mfn is a frame of a live grant table. */
static bool is_table_frame(unsigned long mfn)
{
    for (unsigned int i = 0; i < FAKE_NR_DOMS; i++) {
        struct grant_table *gt = gfake.dom[i].freed ? NULL : gfake_dom(i)->grant_table;

        for (unsigned int f = 0; gt && !gt->released && f < gt->nr_frames; f++)
            if (gt->shared_mfn[f] == mfn)
                return true;
    }
    return false;
}

static domid_t dom_of(uint8_t b)
{
    static const domid_t ids[] = { 0, FAKE_D1_ID, DOMID_SELF, 7 };

    return ids[b % 4];
}

/* A frame: the domains' own, the table frames, the heap, I/O, beyond. */
static uint32_t frame_of(uint8_t b)
{
    if (b < 64)
        return b % (2 * FAKE_DOM_FRAMES);
    if (b < 128) {
        unsigned int dom = b & 1;
        struct grant_table *gt = gfake_dom(dom)->grant_table;

        return gt ? (uint32_t)gt->shared_mfn[0] : 0;
    }
    if (b < 250)
        return FAKE_HEAP_FIRST + b;
    return b == 255 ? 0xffffff : FAKE_IO_MFN;
}

static uint64_t addr_of(uint8_t b, uint32_t *flags)
{
    unsigned int slot = b % FAKE_NR_SLOTS;

    switch ((b >> 4) % 4) {
    case 0:
        *flags &= ~GNTMAP_contains_pte;
        return FAKE_VA(slot);
    case 1:
        *flags |= GNTMAP_contains_pte;
        return FAKE_PTE_MA(slot);
    case 2:
        return 0;
    default:
        return FAKE_VA(slot) + 8;
    }
}

static void expect_status(const char *what, int16_t st, const int16_t *ok, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (st == ok[i])
            return;
    die("%s: undocumented status %d", what, st);
}

static long call(unsigned int dom, unsigned int cmd, void *arg, unsigned int count)
{
    long rc;

    gfake_set_current(dom);
    rc = do_grant_table_op(cmd, (unsigned long)arg, count, 0, 0);
    if (rc != 0)
        die("op %u from d%u: hypercall returned %ld", cmd, dom, rc);
    return rc;
}

static void do_step(const uint8_t *s)
{
    unsigned int dom = s[1] & 1;
    uint8_t a = s[2], b = s[3], c = s[4], d = s[5];

    if (gfake.dom[dom].killed)
        return;
    switch (s[0] % 10) {
    case 0: {
        static const uint16_t fl[] = { GTF_permit_access, GTF_permit_access | GTF_readonly, 0,
                                       GTF_permit_access | GTF_sub_page, GTF_accept_transfer,
                                       GTF_permit_access | GTF_PCD };
        struct grant_entry_v1 *e;
        uint16_t keep;

        if (a % 16 >= gfake_dom(dom)->grant_table->nr_frames * GNTTAB_ENTRIES_PER_FRAME)
            return;
        e = gfake_entry(dom, a % 16);
        keep = e->flags & (GTF_reading | GTF_writing);
        e->domid = dom_of(c);
        e->frame = frame_of(d);
        e->flags = fl[b % ARRAY_SIZE(fl)] | keep;
        if (trace)
            fprintf(stderr, "d%u grant %u flags %#x dom %u frame %#x\n", dom, a % 16, e->flags,
                    e->domid, e->frame);
        break;
    }
    case 1: {
        static const int16_t ok[] = { GNTST_okay, GNTST_general_error, GNTST_bad_domain,
                                      GNTST_bad_gntref, GNTST_bad_page, GNTST_no_space };
        struct gnttab_map_grant_ref m = { .ref = b % 16, .dom = dom_of(a) };

        m.flags = c & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly |
                       GNTMAP_application_map);
        m.flags |= (uint32_t)(c >> 5) << _GNTMAP_guest_avail0;
        m.host_addr = addr_of(d, &m.flags);
        call(dom, GNTTABOP_map_grant_ref, &m, 1);
        if (trace)
            fprintf(stderr, "d%u map d%u ref %u flags %#x addr %#lx: %d handle %u\n", dom,
                    m.dom, m.ref, m.flags, (unsigned long)m.host_addr, m.status, m.handle);
        expect_status("map", m.status, ok, ARRAY_SIZE(ok));
        break;
    }
    case 2: {
        static const int16_t ok[] = { GNTST_okay, GNTST_general_error, GNTST_bad_handle,
                                      GNTST_bad_dev_addr };
        struct gnttab_unmap_grant_ref u = { .handle = a % 24 };
        uint32_t fl = 0;

        u.host_addr = addr_of(b, &fl);
        if (!(fl & GNTMAP_contains_pte) && (b & 0x40))
            u.host_addr = FAKE_PTE_MA(b % FAKE_NR_SLOTS);
        u.dev_bus_addr = c < 128 ? 0 : (uint64_t)frame_of(c) << 12;
        call(dom, GNTTABOP_unmap_grant_ref, &u, 1);
        if (trace)
            fprintf(stderr, "d%u unmap %u addr %#lx bus %#lx: %d\n", dom, u.handle,
                    (unsigned long)u.host_addr, (unsigned long)u.dev_bus_addr, u.status);
        expect_status("unmap", u.status, ok, ARRAY_SIZE(ok));
        break;
    }
    case 3: {
        static const int16_t ok[] = { GNTST_okay, GNTST_general_error, GNTST_bad_handle };
        struct gnttab_unmap_and_replace r = { .handle = a % 24 };
        uint32_t fl = 0;

        r.host_addr = addr_of(b, &fl);
        r.new_addr = c & 0x80 ? 0 : FAKE_VA(c % FAKE_NR_SLOTS);
        call(dom, GNTTABOP_unmap_and_replace, &r, 1);
        if (trace)
            fprintf(stderr, "d%u replace %u: %d\n", dom, r.handle, r.status);
        expect_status("unmap_and_replace", r.status, ok, ARRAY_SIZE(ok));
        break;
    }
    case 4: {
        static const int16_t ok[] = { GNTST_okay, GNTST_general_error, GNTST_bad_domain,
                                      GNTST_bad_gntref, GNTST_bad_page, GNTST_bad_copy_arg,
                                      GNTST_permission_denied };
        struct gnttab_copy cp = { .flags = a & 3 };
        static const uint16_t offs[] = { 0, 1, 8, 2048, 4095, 4096 };

        if (cp.flags & GNTCOPY_source_gref)
            cp.source.u.ref = b % 16;
        else
            cp.source.u.gmfn = frame_of(b);
        cp.source.domid = dom_of(a >> 2);
        if (cp.flags & GNTCOPY_dest_gref)
            cp.dest.u.ref = c % 16;
        else
            cp.dest.u.gmfn = frame_of(c);
        cp.dest.domid = dom_of(a >> 4);
        cp.source.offset = offs[d % 6];
        cp.dest.offset = offs[(d >> 3) % 6];
        cp.len = (d & 0x40) ? 4096 - cp.source.offset : (d >> 6) * 3;
        call(dom, GNTTABOP_copy, &cp, 1);
        /* A copy into a grant table is the guest writing its entries,
         * GTF_reading/GTF_writing included: from here on the status bits
         * are the guest's scribbles, not the hypervisor's. */
        if (cp.status == GNTST_okay && cp.len) {
            unsigned long dst = cp.dest.u.gmfn;

            if (cp.flags & GNTCOPY_dest_gref) {
                struct domain *rd = cp.dest.domid == DOMID_SELF ? gfake_dom(dom) : NULL;

                for (unsigned int i = 0; !rd && i < FAKE_NR_DOMS; i++)
                    if (gfake_id(i) == cp.dest.domid)
                        rd = gfake_dom(i);
                dst = gnttab_active_entry(rd->grant_table, cp.dest.u.ref)->mfn;
            }
            if (is_table_frame(dst))
                gcheck_skip_status = true;
        }
        if (trace)
            fprintf(stderr, "d%u copy flags %u: %d\n", dom, cp.flags, cp.status);
        expect_status("copy", cp.status, ok, ARRAY_SIZE(ok));
        break;
    }
    case 5: {
        unsigned int slot = a % FAKE_BAD_SLOT;
        unsigned long first = dom == FAKE_D0 ? FAKE_D0_FIRST : FAKE_D1_FIRST;
        uint64_t val = (b & 0x80) ? 0 : ((uint64_t)(first + b % FAKE_DOM_FRAMES) << 12) |
                                             1 | (b & 0x40 ? 2 : 0);

        gfake_pte_write(dom, slot, val);
        if (trace)
            fprintf(stderr, "d%u pte %u = %#lx\n", dom, slot, (unsigned long)val);
        break;
    }
    case 6: {
        struct gnttab_setup_table st = { .dom = dom_of(b), .nr_frames = a % 5 };
        xen_pfn_t list[4];

        st.frame_list.p = list;
        call(dom, GNTTABOP_setup_table, &st, 1);
        if (trace)
            fprintf(stderr, "d%u setup_table d%u %u: %d\n", dom, st.dom, st.nr_frames, st.status);
        break;
    }
    case 7: {
        struct gnttab_swap_grant_ref sw = { .ref_a = a % 16, .ref_b = b % 16 };

        call(dom, GNTTABOP_swap_grant_ref, &sw, 1);
        break;
    }
    case 8: {
        struct gnttab_cache_flush cf = { .offset = 0, .length = 64, .op = b % 4 };
        long rc;

        cf.a.dev_bus_addr = (uint64_t)frame_of(a) << 12;
        gfake_set_current(dom);
        rc = do_grant_table_op(GNTTABOP_cache_flush, (unsigned long)&cf, 1, 0, 0);
        if (rc && rc != -EINVAL && rc != -EPERM && rc != -EOPNOTSUPP)
            die("cache_flush: %ld", rc);
        break;
    }
    default:
        if (trace)
            fprintf(stderr, "kill d%u\n", dom);
        gfake_domain_kill(dom);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err;
    size_t steps = size / STEP;

    trace = getenv("FUZZ_TRACE") != NULL;
    opt_gnttab_max_frames = 4;
    gfake_init();
    memset(gcheck_extra_general, 0, sizeof(gcheck_extra_general));
    memset(gcheck_extra_type, 0, sizeof(gcheck_extra_type));
    gcheck_skip_status = false;
    if (steps > MAX_STEPS)
        steps = MAX_STEPS;
    for (size_t i = 0; i < steps; i++) {
        do_step(data + i * STEP);
        err = gnttab_check_invariants();
        if (err)
            die("after step %zu: %s", i, err);
    }
    err = gfake_fini();
    if (err)
        die("after teardown: %s", err);
    return 0;
}
