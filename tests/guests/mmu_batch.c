/* SPDX-License-Identifier: MIT */
/*
 * mmu_batch: batch semantics of mmu_update and mmuext_op (xen/arch/x86/mm.c:
 * do_mmu_update, do_mmuext_op). Requests apply in order and stop at the
 * first failure, which is the return value; *done counts the requests that
 * succeeded, across continuations; nothing after the failure is applied.
 *
 *   3rd bad        a batch of five whose third request fails (a frame not
 *                  owned, a hypervisor L4 slot, a ptr in a frame not owned,
 *                  a ptr with command bits 4): done = 2, the first two
 *                  applied, the last three not; mmuext_op likewise
 *   bad arrays     a huge count with a NULL, hypervisor or non-canonical
 *                  array: -EFAULT; Xen writes *done (0) only when it got as
 *                  far as reading a request (NULL), not when the array's
 *                  address is refused up front
 *   long batches   2500 mmu_update requests and 2000 mmuext_ops run through
 *                  the preemption path (Keel continues every 512) with the
 *                  right done and final state; a long batch failing at
 *                  request 1500 reports done = 1500, with the earlier ones
 *                  applied and no later one
 */
#include "guest.h"
#include "mm.h"
#include "mmu.h"
#include "test.h"
#include "traps.h"

#define DATA_SLOT   0   /* a spare frame mapped RW */
#define BATCH_SLOT  10  /* first window slot the short batches write */
#define LONG_SLOTS  500 /* window slots 0..499 the long batches cycle through */
#define LONG_COUNT  2500
#define MARKER      0x5afe5afe00000000UL
#define PREEMPTED   0x80000000U  /* MMU_UPDATE_PREEMPTED: a continuation's count flag */

static unsigned long data_mfn;
static struct mmu_update reqs[LONG_COUNT];
static struct mmuext_op ops[LONG_COUNT];

static uint64_t slot_ma(unsigned int slot)
{
    return ((uint64_t)mmu_win_l1_mfn << PAGE_SHIFT) + slot * 8UL;
}

/* A read-only data mapping tagged with @tag (AVL 9-11 and AVL_HIGH 52-61: 13 bits). */
static uint64_t tagged(unsigned int tag)
{
    return mmu_pte(data_mfn, L1_RO | PTE_NX) | PTE_AVL_HIGH(tag & 0x3ff) |
           (uint64_t)((tag >> 10) & 7) << 9;
}

static void clear_slots(unsigned int first, unsigned int n)
{
    for (unsigned int i = first; i < first + n; i++)
        if (mmu_win_l1()[i])
            expect_eq_what("clear a window slot", mmu_set(mmu_win_l1_mfn, i, 0), 0);
    expect_eq_what("TLB flush", mmu_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
}

/* ---- the third request is bad ---------------------------------------------- */

static void third_bad(const char *what, struct mmu_update bad, long err)
{
    const volatile uint64_t *l1 = mmu_win_l1();
    unsigned int done = 0xdead;
    char how[96];
    long rc;

    for (unsigned int i = 0; i < 5; i++) {
        reqs[i].ptr = slot_ma(BATCH_SLOT + i);
        reqs[i].val = tagged(i + 1);
    }
    reqs[2] = bad;
    rc = HYPERVISOR_mmu_update(reqs, 5, &done, DOMID_SELF);
    snprintf(how, sizeof(how), "batch with a bad 3rd request (%s)", what);
    expect_eq_what(how, rc, err);
    expect_eq_what(how, done, 2);
    for (unsigned int i = 0; i < 5; i++) {
        uint64_t want = i < 2 ? mmu_stored(tagged(i + 1)) : 0;

        check(l1[BATCH_SLOT + i] == want, "%s: request %u's entry is %#lx, expected %#lx", how,
              i + 1, l1[BATCH_SLOT + i], want);
    }
    if (l1[BATCH_SLOT] == mmu_stored(tagged(1)))
        check(*(volatile uint64_t *)mmu_win(BATCH_SLOT) == (MARKER | data_mfn),
              "%s: request 1's mapping does not reach the data page", how);
    clear_slots(BATCH_SLOT, 5);
}

static void test_third_bad(void)
{
    unsigned long foreign = mmu_foreign_ram_mfn();
    struct mmu_update bad;
    unsigned int done = 0xdead;
    long rc;

    bad.ptr = slot_ma(BATCH_SLOT + 2);
    bad.val = mmu_pte(KEEL_IMAGE_MFN, L1_RO);
    third_bad("maps Keel's image", bad, EBUSY);
    if (foreign) {
        bad.val = mmu_pte(foreign, L1_RW);
        third_bad("maps free RAM", bad, EBUSY);
    }
    bad.ptr = ((uint64_t)mmu_l4_mfn << PAGE_SHIFT) + 256 * 8;
    bad.val = 0;
    third_bad("hypervisor L4 slot", bad, EINVAL);
    bad.ptr = (uint64_t)KEEL_IMAGE_MFN << PAGE_SHIFT;
    third_bad("ptr in Keel's image", bad, EINVAL);
    bad.ptr = slot_ma(BATCH_SLOT + 2) | 4;
    bad.val = tagged(3);
    third_bad("command 4", bad, ENOSYS);

    /* All five good: done = 5. */
    for (unsigned int i = 0; i < 5; i++) {
        reqs[i].ptr = slot_ma(BATCH_SLOT + i);
        reqs[i].val = tagged(i + 1);
    }
    rc = HYPERVISOR_mmu_update(reqs, 5, &done, DOMID_SELF);
    expect_eq_what("batch of five good requests", rc, 0);
    expect_eq_what("batch of five good requests: done", done, 5);
    expect_eq_what("batch of five: the 5th entry", mmu_win_l1()[BATCH_SLOT + 4],
                   mmu_stored(tagged(5)));
    clear_slots(BATCH_SLOT, 5);
}

static void test_mmuext_third_bad(void)
{
    unsigned long x = mmu_spare(), y = mmu_spare(), z = mmu_spare();
    unsigned int done = 0xdead;
    long rc;

    if (!x || !y || !z)
        return;
    memset(ops, 0, 5 * sizeof(ops[0]));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_PIN_L1_TABLE;
    ops[1].arg1.mfn = x;
    ops[2].cmd = MMUEXT_UNPIN_TABLE;    /* y is not pinned */
    ops[2].arg1.mfn = y;
    ops[3].cmd = MMUEXT_PIN_L1_TABLE;
    ops[3].arg1.mfn = z;
    ops[4].cmd = MMUEXT_PIN_L1_TABLE;
    ops[4].arg1.mfn = y;
    rc = HYPERVISOR_mmuext_op(ops, 5, &done, DOMID_SELF);
    expect_eq_what("mmuext_op batch with a bad 3rd op", rc, EINVAL);
    expect_eq_what("mmuext_op batch with a bad 3rd op: done", done, 2);
    expect_eq_what("op 2 applied: x is pinned", mmu_ext(MMUEXT_UNPIN_TABLE, x, 0), 0);
    expect_eq_what("op 4 not applied: z is not pinned", mmu_ext(MMUEXT_UNPIN_TABLE, z, 0),
                   EINVAL);
    expect_eq_what("op 5 not applied: y is not pinned", mmu_ext(MMUEXT_UNPIN_TABLE, y, 0),
                   EINVAL);
}

/* ---- bad arrays ----------------------------------------------------------------- */

static void test_bad_arrays(void)
{
    static const struct {
        const char *what;
        unsigned long va;
        bool done_written;  /* Xen reads a request first, then reports done = 0 */
    } arrays[] = {
        { "NULL", 0, true },
        { "the hypervisor's range", HV_START, false },
        { "Keel's text", 0xffff82d040000000UL, false },
        { "a non-canonical address", 0x0000800000000000UL, false },
    };
    static const unsigned int counts[] = { 1, 0x7fffffff };
    unsigned int done;
    char what[96];
    long rc;

    for (unsigned int a = 0; a < ARRAY_SIZE(arrays); a++) {
        for (unsigned int c = 0; c < ARRAY_SIZE(counts); c++) {
            unsigned int want_done = arrays[a].done_written ? 0 : 0xdead;

            done = 0xdead;
            rc = HYPERVISOR_mmu_update((const struct mmu_update *)arrays[a].va, counts[c], &done,
                                       DOMID_SELF);
            snprintf(what, sizeof(what), "mmu_update of %u requests at %s", counts[c],
                     arrays[a].what);
            expect_eq_what(what, rc, EFAULT);
            expect_eq_what(what, done, want_done);

            done = 0xdead;
            rc = HYPERVISOR_mmuext_op((struct mmuext_op *)arrays[a].va, counts[c], &done,
                                      DOMID_SELF);
            snprintf(what, sizeof(what), "mmuext_op of %u ops at %s", counts[c],
                     arrays[a].what);
            expect_eq_what(what, rc, EFAULT);
            expect_eq_what(what, done, want_done);
        }
    }
    /* Still fine afterwards. */
    reqs[0].ptr = slot_ma(BATCH_SLOT);
    reqs[0].val = tagged(1);
    done = 0xdead;
    expect_eq_what("a good request after the bad arrays",
                   HYPERVISOR_mmu_update(reqs, 1, &done, DOMID_SELF), 0);
    expect_eq_what("a good request after the bad arrays: done", done, 1);
    clear_slots(BATCH_SLOT, 1);
}

/* ---- long batches ---------------------------------------------------------------- */

static void test_long_batches(void)
{
    const volatile uint64_t *l1 = mmu_win_l1();
    unsigned int done = 0xdead, bad_at = 1500, wrong = 0;
    unsigned long x = mmu_spare();
    long rc;

    /* Request i writes slot i % 500 with tag i: the last pass wins. */
    for (unsigned int i = 0; i < LONG_COUNT; i++) {
        reqs[i].ptr = slot_ma(i % LONG_SLOTS);
        reqs[i].val = tagged(i);
    }
    /* Slot 0 is the data slot: keep its mapping writable in every pass. */
    for (unsigned int i = 0; i < LONG_COUNT; i += LONG_SLOTS)
        reqs[i].val = mmu_pte(data_mfn, L1_RW | PTE_NX);
    rc = HYPERVISOR_mmu_update(reqs, LONG_COUNT, &done, DOMID_SELF);
    expect_eq_what("2500 mmu_update requests", rc, 0);
    expect_eq_what("2500 mmu_update requests: done", done, LONG_COUNT);
    for (unsigned int s = 1; s < LONG_SLOTS; s++)
        wrong += l1[s] != mmu_stored(tagged(LONG_COUNT - LONG_SLOTS + s));
    expect_eq_what("2500 mmu_update requests: slots not as the last pass wrote them", wrong, 0);
    expect_eq_what("TLB flush", mmu_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    check(*(volatile uint64_t *)mmu_win(LONG_SLOTS - 1) == (MARKER | data_mfn),
          "the last slot's mapping does not reach the data page");
    clear_slots(1, LONG_SLOTS - 1);

    /* Without a done pointer. */
    expect_eq_what("2500 mmu_update requests, no done pointer",
                   HYPERVISOR_mmu_update(reqs, LONG_COUNT, NULL, DOMID_SELF), 0);
    clear_slots(1, LONG_SLOTS - 1);

    /* Failing at request 1500 (past two continuations): done = 1500. */
    reqs[bad_at].val = mmu_pte(KEEL_IMAGE_MFN, L1_RO);
    done = 0xdead;
    rc = HYPERVISOR_mmu_update(reqs, LONG_COUNT, &done, DOMID_SELF);
    expect_eq_what("2500 requests, the 1501st bad", rc, EBUSY);
    expect_eq_what("2500 requests, the 1501st bad: done", done, bad_at);
    wrong = 0;
    for (unsigned int s = 1; s < LONG_SLOTS; s++) {
        /* Slots below 500 saw requests 1000+s (applied) and 1500+s (not, from s = 0). */
        wrong += l1[s] != mmu_stored(tagged(1000 + s));
    }
    expect_eq_what("2500 requests, the 1501st bad: slots not as request 1000+s wrote them",
                   wrong, 0);
    clear_slots(1, LONG_SLOTS - 1);
    reqs[bad_at].val = mmu_pte(data_mfn, L1_RW | PTE_NX);

    /* A continuation's encoding from the guest itself: resumes from *done. */
    done = 7;
    rc = HYPERVISOR_mmu_update(&reqs[1], 3 | PREEMPTED, &done, DOMID_SELF);
    expect_eq_what("count with MMU_UPDATE_PREEMPTED", rc, 0);
    expect_eq_what("count with MMU_UPDATE_PREEMPTED: done continues from 7", done, 10);
    clear_slots(1, 3);

    /* 2000 mmuext_ops: pin and unpin x alternately, ending unpinned. */
    if (!x)
        return;
    memset(ops, 0, sizeof(ops));
    for (unsigned int i = 0; i < 2000; i++) {
        ops[i].cmd = i % 2 ? MMUEXT_UNPIN_TABLE : MMUEXT_PIN_L1_TABLE;
        ops[i].arg1.mfn = x;
    }
    done = 0xdead;
    rc = HYPERVISOR_mmuext_op(ops, 2000, &done, DOMID_SELF);
    expect_eq_what("2000 mmuext_ops", rc, 0);
    expect_eq_what("2000 mmuext_ops: done", done, 2000);
    expect_eq_what("2000 mmuext_ops: x ends unpinned", mmu_ext(MMUEXT_UNPIN_TABLE, x, 0), EINVAL);
    /* Failing at op 1301 (an unpin of an unpinned frame): done = 1300, x unpinned. */
    ops[1300].cmd = MMUEXT_UNPIN_TABLE;
    done = 0xdead;
    rc = HYPERVISOR_mmuext_op(ops, 2000, &done, DOMID_SELF);
    expect_eq_what("2000 mmuext_ops, the 1301st bad", rc, EINVAL);
    expect_eq_what("2000 mmuext_ops, the 1301st bad: done", done, 1300);
    expect_eq_what("the 1301st bad: x unpinned", mmu_ext(MMUEXT_UNPIN_TABLE, x, 0), EINVAL);
}

void guest_main(void)
{
    if (traps_load_rc)
        test_fail(guest_name, "set_trap_table returned %ld%s", traps_load_rc,
                  errno_name(traps_load_rc));
    if (!mmu_init())
        return;
    data_mfn = mmu_spare();
    if (!data_mfn || mmu_win_map(DATA_SLOT, data_mfn, L1_RW | PTE_NX))
        test_fail(guest_name, "cannot map a data frame");
    *(volatile uint64_t *)mmu_win(DATA_SLOT) = MARKER | data_mfn;

    test_third_bad();
    test_mmuext_third_bad();
    test_bad_arrays();
    test_long_batches();
    check(*(volatile uint64_t *)mmu_win(DATA_SLOT) == (MARKER | data_mfn),
          "the data page reads %#lx at the end", *(volatile uint64_t *)mmu_win(DATA_SLOT));
}
