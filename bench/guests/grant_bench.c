/* SPDX-License-Identifier: MIT */
/*
 * Grant-table and domain-building costs, each against a baseline measured
 * in the same boot, in TSC cycles (booted as dom0 with the domU image,
 * tests/guests/domu.c, as its second module):
 *
 *   grant_copy_4k     GNTTABOP_copy of a whole granted page into one of
 *                     dom0's frames          vs memcpy_4k: the same 4 KiB
 *                                            between two mapped pages;
 *   grant_copy_64k    16 such copies in one call (16 granted pages to 16
 *                     frames)                vs memcpy_64k;
 *   grant_map_unmap   map_grant_ref + unmap_grant_ref of one page
 *                     vs uvm_map_unmap: update_va_mapping map + unmap of
 *                     one of dom0's own frames;
 *   domain_start      createdomain to the domU's first event (build,
 *                     memory, tables, start_info, unpause; the domU has
 *                     8 MiB) vs clear_domu_memory: MMUEXT_CLEAR_PAGE over
 *                     as many pages, the floor any builder pays.
 *
 * Prints BENCH lines (bench.h) and RESULT: PASS once every call succeeded.
 */
#define __XEN_TOOLS__ 1

#include "bench.h"
#include "builder.h"
#include "event.h"
#include "grant.h"
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"

#define SAMPLES         1000
#define DOMU_MEM_KB     (8 * 1024)
#define DOMU_PAGES      (DOMU_MEM_KB / 4)
#define START_SAMPLES   10
#define SERVE_PAGES     16
#define CLEAR_BATCH     64
/* Window slots: source and destination pages (the builder has 0..399, grant.h 400..403). */
#define SLOT_SRC        420
#define SLOT_DST        440

static struct builder_domain domu;
static const void *domu_elf;
static size_t domu_len;
static uint64_t samples[SAMPLES], base[SAMPLES];
static unsigned long own[SERVE_PAGES];

static struct gnttab_copy copy_from(grant_ref_t ref, unsigned long dst)
{
    struct gnttab_copy c = { .len = PAGE_SIZE, .flags = GNTCOPY_source_gref };

    c.source.u.ref = ref;
    c.source.domid = domu.domid;
    c.dest.u.gmfn = dst;
    c.dest.domid = DOMID_SELF;
    return c;
}

static void bench_copies(void)
{
    static struct gnttab_copy ops[SERVE_PAGES];
    long rc = 0;

    for (unsigned int i = 0; i < SERVE_PAGES && !rc; i++) {
        own[i] = mmu_spare();
        rc = mmu_win_map(SLOT_DST + i, own[i], L1_RW | PTE_NX) ||
             mmu_win_map(SLOT_SRC + i, mmu_spare(), L1_RW | PTE_NX);
    }
    check(rc == 0, "map the copy buffers");
    for (unsigned int s = 0; s < SAMPLES && !rc; s++) {
        uint64_t t0;

        ops[0] = copy_from(GRANT_FIRST_REF, own[0]);
        t0 = bench_rdtsc();
        rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, 1);
        samples[s] = bench_rdtsc() - t0;
        rc = rc ? rc : ops[0].status;
        t0 = bench_rdtsc();
        memcpy(mmu_win(SLOT_DST), mmu_win(SLOT_SRC), PAGE_SIZE);
        base[s] = bench_rdtsc() - t0;
    }
    check(rc == 0, "grant copy 4 KiB: %ld", rc);
    bench_report("grant_copy_4k", samples, SAMPLES);
    bench_report("memcpy_4k", base, SAMPLES);

    for (unsigned int s = 0; s < SAMPLES && !rc; s++) {
        uint64_t t0;

        for (unsigned int i = 0; i < SERVE_PAGES; i++)
            ops[i] = copy_from(GRANT_FIRST_REF + i, own[i]);
        t0 = bench_rdtsc();
        rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, ops, SERVE_PAGES);
        samples[s] = bench_rdtsc() - t0;
        for (unsigned int i = 0; i < SERVE_PAGES && !rc; i++)
            rc = ops[i].status;
        t0 = bench_rdtsc();
        for (unsigned int i = 0; i < SERVE_PAGES; i++)
            memcpy(mmu_win(SLOT_DST + i), mmu_win(SLOT_SRC + i), PAGE_SIZE);
        base[s] = bench_rdtsc() - t0;
    }
    check(rc == 0, "grant copy 64 KiB: %ld", rc);
    bench_report("grant_copy_64k", samples, SAMPLES);
    bench_report("memcpy_64k", base, SAMPLES);
}

static void bench_map_unmap(void)
{
    long rc = 0;

    for (unsigned int s = 0; s < SAMPLES && !rc; s++) {
        grant_handle_t h;
        uint64_t t0 = bench_rdtsc();

        rc = grant_map(domu.domid, GRANT_FIRST_REF, SLOT_SRC, false, &h);
        if (!rc)
            rc = grant_unmap(SLOT_SRC, h);
        samples[s] = bench_rdtsc() - t0;
        t0 = bench_rdtsc();
        rc = rc ? rc : mmu_win_map(SLOT_DST, own[0], L1_RW | PTE_NX);
        rc = rc ? rc : mmu_win_unmap(SLOT_DST);
        base[s] = bench_rdtsc() - t0;
    }
    check(rc == 0, "map/unmap: %ld", rc);
    bench_report("grant_map_unmap", samples, SAMPLES);
    bench_report("uvm_map_unmap", base, SAMPLES);
}

static void bench_domain_start(void)
{
    static struct mmuext_op clear[CLEAR_BATCH];
    unsigned int n = 0;

    for (unsigned int i = 0; i < CLEAR_BATCH; i++) {
        clear[i].cmd = MMUEXT_CLEAR_PAGE;
        clear[i].arg1.mfn = mmu_spare();
    }
    for (unsigned int s = 0; s < START_SAMPLES; s++) {
        uint64_t t0 = bench_rdtsc();
        evtchn_port_t port;
        long rc = builder_build(&domu, domu_elf, domu_len, DOMU_MEM_KB, "mode=1 rounds=1");

        if (rc)
            break;
        if (builder_bind_console(&domu, &port) || builder_unpause(&domu) ||
            !event_wait(port, 20000)) {
            check(false, "d%u did not start", domu.domid);
            (void)builder_destroy(domu.domid);
            break;
        }
        samples[n] = bench_rdtsc() - t0;
        (void)event_send(port);     /* its one round trip */
        check(builder_wait_shutdown(domu.domid, 20000) == SHUTDOWN_poweroff, "d%u's end",
              domu.domid);
        check(builder_destroy(domu.domid) == 0, "destroy d%u", domu.domid);

        t0 = bench_rdtsc();
        for (unsigned int done = 0; done < DOMU_PAGES && !rc; done += CLEAR_BATCH)
            rc = HYPERVISOR_mmuext_op(clear, CLEAR_BATCH, NULL, DOMID_SELF);
        base[n++] = bench_rdtsc() - t0;
        check(rc == 0, "MMUEXT_CLEAR_PAGE: %ld", rc);
    }
    if (n) {
        bench_report("domain_start", samples, n);
        bench_report("clear_domu_memory", base, n);
    }
}

void guest_main(void)
{
    evtchn_port_t port;

    if (!builder_guest_init(&domu_elf, &domu_len))
        return;
    bench_domain_start();
    if (builder_build(&domu, domu_elf, domu_len, DOMU_MEM_KB, "mode=6"))
        return;
    if (builder_bind_console(&domu, &port) || builder_unpause(&domu) ||
        !event_wait(port, 20000)) {
        check(false, "the serving domU did not start");
        return;
    }
    bench_copies();
    bench_map_unmap();
    check(builder_destroy(domu.domid) == 0, "destroy the serving domU");
}
