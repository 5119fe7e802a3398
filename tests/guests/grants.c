/* SPDX-License-Identifier: MIT */
/*
 * Grant tables between two domains: dom0 builds the domU of its second
 * module (domu.c) and works with the pages it grants.
 *
 *  - ring: the domU grants a ring page (io/ring.h, lib/test_ring.h); dom0
 *    maps it and answers rounds=N requests (default 100000), checking
 *    every payload; the domU checks every answer;
 *  - grants: the domU grants refs 8 (writable), 9 (read-only), 10
 *    (writable, for copies), 11 (to another domain), 12 (mapped, then
 *    ended). dom0 maps and reads them; the hostile cases: a grant meant
 *    for another domain, a read-only grant mapped writable, refs out of
 *    range, a bad domain, unmapping twice, forged handles; grant copy in
 *    both directions (gref -> own frame, own frame -> gref, gref -> gref)
 *    at every offset/length edge, into a read-only grant, across a page
 *    end; the domU cannot end ref 12 while dom0 maps it, and can after;
 *  - the granter destroyed while dom0 maps its page: the page stays
 *    readable, the domain stays (dying) until dom0 unmaps, then goes;
 *  - free memory back to its start at the end (measured once dom0's own
 *    grant table and maptrack exist: those live as long as dom0).
 */
#define __XEN_TOOLS__ 1

#include "builder.h"
#include "event.h"
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"
#include "test_ring.h"

#define DOMU_MEM_KB     (8 * 1024)
#define WAIT_MS         30000
/* Window slots for the domU's pages (the builder uses 0..399, grant.h 400..403). */
#define SLOT_RING       464
#define SLOT_A          465
#define SLOT_B          466
#define SLOT_C          467
#define SLOT_D          468

enum { MODE_RING = 4, MODE_GRANTS = 5 };

static struct builder_domain domu;
static const void *domu_elf;
static size_t domu_len;
static evtchn_port_t port;      /* ours, bound to the domU's console port */

static void expect_status(const char *what, long got, long want)
{
    check(got == want, "%s: got %ld, expected %ld", what, got, want);
}

/* Wait for the domU's next event (consumed); false after WAIT_MS. */
static bool wait_domu(void)
{
    bool got = event_wait(port, WAIT_MS);

    check(got, "no event from d%u in %u ms", domu.domid, WAIT_MS);
    return got;
}

static void notify_domu(void)
{
    check(event_send(port) == 0, "send to d%u", domu.domid);
}

/* Build and start the domU in mode, bound to our port; false on failure. */
static bool start_domu(const char *cmdline)
{
    long rc = builder_build(&domu, domu_elf, domu_len, DOMU_MEM_KB, cmdline);

    if (!rc)
        rc = builder_bind_console(&domu, &port);
    if (!rc)
        rc = builder_unpause(&domu);
    return rc == 0;
}

/* The domU powers off (its checks passed), then is destroyed. */
static void finish_domu(const char *what)
{
    int reason = builder_wait_shutdown(domu.domid, WAIT_MS);
    long rc;

    check(reason == SHUTDOWN_poweroff, "%s domU shut down with reason %d (its checks: the "
          "'(d%u)' lines)", what, reason, domu.domid);
    rc = builder_destroy(domu.domid);
    check(rc == 0, "destroy d%u: %ld%s", domu.domid, rc, errno_name(rc));
}

/* ---- the ring --------------------------------------------------------- */

static void test_ring(unsigned int rounds)
{
    test_back_ring_t back;
    grant_handle_t handle;
    uint32_t served = 0, bad = 0;
    char cmdline[48];
    int16_t st;

    snprintf(cmdline, sizeof(cmdline), "mode=%u rounds=%u", MODE_RING, rounds);
    if (!start_domu(cmdline) || !wait_domu())
        return;
    st = grant_map(domu.domid, TEST_RING_REF, SLOT_RING, false, &handle);
    expect_status("map the ring", st, GNTST_okay);
    if (st) {
        (void)builder_destroy(domu.domid);
        return;
    }
    BACK_RING_INIT(&back, (test_sring_t *)mmu_win(SLOT_RING), PAGE_SIZE);
    while (served < rounds) {
        int more, notify;

        do {
            while (RING_HAS_UNCONSUMED_REQUESTS(&back)) {
                struct test_req req;
                struct test_rsp *rsp;

                RING_COPY_REQUEST(&back, back.req_cons, &req);
                back.req_cons++;
                rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
                rsp->id = req.id;
                rsp->status = req.id != served || req.value != test_req_value(req.id);
                rsp->value = test_rsp_value(req.value);
                bad += rsp->status;
                back.rsp_prod_pvt++;
                served++;
            }
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
            if (notify)
                notify_domu();
            RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
        } while (more);
        if (served < rounds && !wait_domu())
            break;
    }
    expect_eq(served, rounds);
    expect_eq(bad, 0);
    printf("grants: served %u ring requests from d%u\n", served, domu.domid);
    finish_domu("ring");
    expect_status("unmap the ring of a destroyed granter", grant_unmap(SLOT_RING, handle),
                  GNTST_okay);
}

/* ---- the grants script ---------------------------------------------------- */

static uint8_t pattern(unsigned int page, unsigned int b)
{
    return (uint8_t)(b * (page + 3) + page);
}

static bool page_has(unsigned int slot, unsigned int page)
{
    const volatile uint8_t *p = mmu_win(slot);

    for (unsigned int b = 0; b < PAGE_SIZE; b++)
        if (p[b] != pattern(page, b))
            return false;
    return true;
}

static struct gnttab_copy copy_op(uint16_t flags, uint64_t src, uint16_t soff, uint64_t dst,
                                  uint16_t doff, uint16_t len)
{
    return grant_copy_op(domu.domid, flags, src, soff, dst, doff, len);
}

static long copy1(struct gnttab_copy c)
{
    return grant_copy(&c);
}

/* Copies in every direction and at every edge; ref 10 ends up as b ^ 0xa5. */
static void copies(void)
{
    unsigned long own = mmu_spare();
    volatile uint8_t *mine;
    long rc = own ? mmu_win_map(SLOT_D, own, L1_RW | PTE_NX) : -XEN_ENOMEM;

    check(rc == 0, "map a frame of our own: %ld", rc);
    if (rc)
        return;
    mine = mmu_win(SLOT_D);

    /* gref -> own frame: all of ref 9 (read-only is fine as a source), in pieces. */
    expect_status("copy ref 9, first byte", copy1(copy_op(GNTCOPY_source_gref, 9, 0, own, 0, 1)),
                  GNTST_okay);
    expect_status("copy ref 9, bytes 1..4094",
                  copy1(copy_op(GNTCOPY_source_gref, 9, 1, own, 1, 4094)), GNTST_okay);
    expect_status("copy ref 9, last byte",
                  copy1(copy_op(GNTCOPY_source_gref, 9, 4095, own, 4095, 1)), GNTST_okay);
    expect_status("copy of 0 bytes", copy1(copy_op(GNTCOPY_source_gref, 9, 0, own, 0, 0)),
                  GNTST_okay);
    {
        bool same = true;

        for (unsigned int b = 0; b < PAGE_SIZE; b++)
            same &= mine[b] == pattern(1, b);
        check(same, "ref 9 copied piecewise differs from what the domU wrote");
    }
    /* Edges that cross the page end: refused, nothing copied. */
    expect_status("source offset + len past the page",
                  copy1(copy_op(GNTCOPY_source_gref, 9, 4095, own, 0, 2)), GNTST_bad_copy_arg);
    expect_status("dest offset + len past the page",
                  copy1(copy_op(GNTCOPY_source_gref, 9, 0, own, 1, 4096)), GNTST_bad_copy_arg);
    expect_status("copy into a read-only grant",
                  copy1(copy_op(GNTCOPY_dest_gref, own, 0, 9, 0, 8)), GNTST_general_error);
    expect_status("copy from a grant meant for another domain",
                  copy1(copy_op(GNTCOPY_source_gref, 11, 0, own, 0, 8)), GNTST_general_error);
    expect_status("copy from a ref out of range",
                  copy1(copy_op(GNTCOPY_source_gref, 100000, 0, own, 0, 8)), GNTST_bad_gntref);
    expect_status("copy from a frame not ours",
                  copy1(copy_op(0, KEEL_IMAGE_MFN, 0, own, 0, 8)), GNTST_bad_page);

    /* own frame -> gref: ref 10 becomes b ^ 0xa5, the halves from different places. */
    for (unsigned int b = 0; b < PAGE_SIZE; b++)
        mine[b] = (uint8_t)(b ^ 0xa5);
    expect_status("copy own frame into ref 10, first half",
                  copy1(copy_op(GNTCOPY_dest_gref, own, 0, 10, 0, 2048)), GNTST_okay);
    /* gref -> gref: ref 8's second half into ref 10 first, then the right bytes over it. */
    expect_status("copy ref 8 into ref 10", copy1(copy_op(GNTCOPY_source_gref | GNTCOPY_dest_gref,
                                                          8, 2048, 10, 2048, 2048)), GNTST_okay);
    expect_status("copy own frame into ref 10, second half",
                  copy1(copy_op(GNTCOPY_dest_gref, own, 2048, 10, 2048, 2048)), GNTST_okay);
    (void)mmu_win_unmap(SLOT_D);
}

static void hostile_maps(void)
{
    grant_handle_t h, h2;

    expect_status("map a grant meant for another domain",
                  grant_map(domu.domid, 11, SLOT_C, false, &h), GNTST_general_error);
    expect_status("map a read-only grant writable",
                  grant_map(domu.domid, 9, SLOT_C, false, &h), GNTST_general_error);
    expect_status("map a ref out of range", grant_map(domu.domid, 100000, SLOT_C, true, &h),
                  GNTST_bad_gntref);
    expect_status("map from a domain that does not exist", grant_map(0x7000, 8, SLOT_C, true, &h),
                  GNTST_bad_domain);
    expect_status("map ref 8 read-only", grant_map(domu.domid, 8, SLOT_C, true, &h), GNTST_okay);
    expect_status("unmap with a forged handle", grant_unmap(SLOT_C, 0x7fffffff),
                  GNTST_bad_handle);
    expect_status("map ref 8 again, writable", grant_map(domu.domid, 8, SLOT_D, false, &h2),
                  GNTST_okay);
    expect_status("unmap the second", grant_unmap(SLOT_D, h2), GNTST_okay);
    expect_status("unmap it twice", grant_unmap(SLOT_D, h2), GNTST_bad_handle);
    expect_status("unmap the first", grant_unmap(SLOT_C, h), GNTST_okay);
}

static void test_grants(void)
{
    grant_handle_t ha, hb, hd;
    char cmdline[16];

    snprintf(cmdline, sizeof(cmdline), "mode=%u", MODE_GRANTS);
    if (!start_domu(cmdline) || !wait_domu())
        return;
    expect_status("map ref 8", grant_map(domu.domid, 8, SLOT_A, false, &ha), GNTST_okay);
    expect_status("map ref 9 read-only", grant_map(domu.domid, 9, SLOT_B, true, &hb), GNTST_okay);
    check(page_has(SLOT_A, 0), "ref 8 does not show the domU's data");
    check(page_has(SLOT_B, 1), "ref 9 does not show the domU's data");
    hostile_maps();
    copies();
    expect_status("unmap ref 8", grant_unmap(SLOT_A, ha), GNTST_okay);
    expect_status("unmap ref 9", grant_unmap(SLOT_B, hb), GNTST_okay);

    /* Ref 12: mapped while the domU tries to end it, then unmapped. */
    expect_status("map ref 12", grant_map(domu.domid, 12, SLOT_D, false, &hd), GNTST_okay);
    notify_domu();
    if (!wait_domu())
        return;
    expect_status("unmap ref 12", grant_unmap(SLOT_D, hd), GNTST_okay);
    notify_domu();
    if (wait_domu())
        finish_domu("grants");
}

/* ---- the granter dies first ---------------------------------------------- */

static void test_granter_destroyed_while_mapped(void)
{
    struct xen_domctl_getdomaininfo info;
    grant_handle_t h;
    domid_t id;
    char cmdline[16];

    snprintf(cmdline, sizeof(cmdline), "mode=%u", MODE_GRANTS);
    if (!start_domu(cmdline) || !wait_domu())
        return;
    id = domu.domid;
    expect_status("map ref 8", grant_map(id, 8, SLOT_A, false, &h), GNTST_okay);
    check(builder_destroy(id) == 0, "destroy the granter");
    check(builder_domain_info(id, &info) == 0 && info.domain == id &&
          (info.flags & XEN_DOMINF_dying),
          "a destroyed granter whose page is mapped stays, dying (flags %#x)",
          (unsigned int)info.flags);
    check(page_has(SLOT_A, 0), "the mapped page changed when its granter died");
    ((volatile uint8_t *)mmu_win(SLOT_A))[0] = 0x5a;      /* still ours to write */
    expect_status("unmap after the granter died", grant_unmap(SLOT_A, h), GNTST_okay);
    check(builder_domain_info(id, &info) != 0 || info.domain != id,
          "d%u still listed after its last mapped page was unmapped", id);
}

/*
 * dom0's own grant state comes into being on first use (its table frame,
 * its maptrack) and lives as long as dom0: create it before the free-page
 * baseline by granting one of our pages to ourselves and mapping it once.
 */
static void warm_up(void)
{
    unsigned long mfn = mmu_spare();
    grant_handle_t h;

    check(grant_setup(1) == 0, "dom0's grant_setup");
    grant_access(GRANT_FIRST_REF, 0, mfn, true);
    expect_status("map our own grant", grant_map(0, GRANT_FIRST_REF, SLOT_A, true, &h),
                  GNTST_okay);
    expect_status("unmap it", grant_unmap(SLOT_A, h), GNTST_okay);
    check(grant_end(GRANT_FIRST_REF), "end our own grant");
}

void guest_main(void)
{
    unsigned long free_before, free_after;

    if (!builder_guest_init(&domu_elf, &domu_len))
        return;
    warm_up();
    free_before = builder_free_pages();
    test_ring(guest_arg_uint("rounds", 100000));
    test_grants();
    test_granter_destroyed_while_mapped();
    free_after = builder_free_pages();
    check(free_after == free_before, "free pages %lu after, %lu before", free_after,
          free_before);
}
