/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU hypercalls: mmu_update, mmuext_op and update_va_mapping. They
 * decode and bound the guest's requests and hand each one to the page-table
 * engine (pt_validate.c, pt_update.c), which validates before it changes
 * anything.
 *
 * A batch may act for another domain (the foreigndom argument, see
 * owners_get()): the control domain builds a new domain's page tables and
 * maps its frames this way.
 *
 * Batches are preemptible: after MMU_BATCH requests the call continues
 * itself with the progress so far in *done and MMU_UPDATE_PREEMPTED set in
 * the count, Xen's encoding, so an arbitrarily long batch never holds the
 * CPU. Guest TLB flushes that name other vCPUs (MULTI, ALL) flush every
 * CPU: simple, and a superset of the CPUs the domain's vCPUs ran on.
 */
#include <asm/config.h>
#include <asm/ipi.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/pv_mm.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/page_info.h>
#include <public/xen.h>

#define MMU_UPDATE_PREEMPTED (~(~0U >> 1))
#define MMU_BATCH            512
#define MAX_LDT_ENTRIES      8192

/*
 * The domains a batch acts on (Xen's foreigndom argument): pt is the domain
 * whose page tables mmu_update changes (the caller, or with
 * (foreigndom >> 16) = id + 1 another domain, for the control domain); pg
 * is the domain whose frames new L1 entries may map and mmuext_op pins
 * (foreigndom & 0xffff: DOMID_SELF, another domain for the control
 * domain, DOMID_IO (NULL: I/O frames only) for a control domain with I/O
 * capabilities; as in Xen, one's own id is not a foreign domain). Both are held with references (owners_put()).
 */
struct mmu_owners {
    struct domain *pt;
    struct domain *pg;
};

/* Xen's get_pg_owner() and XSM check: an unknown domain (or one's own id) -ESRCH, then -EPERM. */
static int get_pg_owner(struct domain *cur, domid_t id, struct domain **pg)
{
    if (id == DOMID_SELF) {
        get_domain(cur);
        *pg = cur;
        return 0;
    }
    if (id == DOMID_IO) {
        *pg = NULL;
        return cur->is_privileged && cur->has_io_caps ? 0 : -EPERM;
    }
    if (id == cur->domain_id)
        return -ESRCH;      /* as Xen: not "itself as foreign domain" */
    *pg = get_domain_by_id(id);
    if (!*pg)
        return -ESRCH;
    if (!cur->is_privileged) {
        put_domain(*pg);
        return -EPERM;
    }
    return 0;
}

static void owners_put(struct mmu_owners *o)
{
    if (o->pg)
        put_domain(o->pg);
    put_domain(o->pt);
}

static int owners_get(struct domain *cur, unsigned long foreigndom, bool with_pt,
                      struct mmu_owners *o)
{
    unsigned int pt_id = with_pt ? (foreigndom >> 16) & 0xffff : 0;
    int rc;

    if (pt_id && pt_id - 1 != cur->domain_id) {
        o->pt = get_domain_by_id((domid_t)(pt_id - 1));
        if (!o->pt)
            return -ESRCH;
        if (!cur->is_privileged) {
            put_domain(o->pt);
            return -EPERM;
        }
    } else {
        get_domain(cur);
        o->pt = cur;
    }
    rc = get_pg_owner(cur, foreigndom & 0xffff, &o->pg);
    if (rc) {
        put_domain(o->pt);
        return rc;
    }
    return 0;
}

/* The whole request array must be guest memory before any of it is used. */
static int batch_range_ok(unsigned long array, unsigned long count, size_t size)
{
    if (count > ~0UL / size || !guest_range_ok(array, count * size))
        return -EFAULT;
    return 0;
}

/* Resume point of a preempted batch: the count without the flag, *done so far. */
static int batch_start(unsigned long *count, unsigned long pdone, unsigned int *done)
{
    *done = 0;
    if (!(*count & MMU_UPDATE_PREEMPTED))
        return 0;
    *count &= ~(unsigned long)MMU_UPDATE_PREEMPTED;
    if (pdone && copy_from_guest(done, pdone, sizeof(*done)))
        return -EFAULT;
    return 0;
}

static int batch_report(unsigned long pdone, unsigned int done)
{
    return pdone ? copy_to_guest(pdone, &done, sizeof(done)) : 0;
}

/*
 * The command is ptr & 7, as Xen decodes it (sizeof(l1_pgentry_t) - 1): a
 * slot address has bits 0-2 clear, so a ptr with bit 2 set is one of the
 * commands 4..7, which do not exist (-ENOSYS), not a misaligned slot.
 */
#define MMU_CMD_MASK         7UL

static int mmu_update_one(const struct mmu_owners *o, const struct mmu_update *req)
{
    unsigned long mfn = req->ptr >> PAGE_SHIFT;
    unsigned long cmd = req->ptr & MMU_CMD_MASK;

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_NO_TRANSLATE:    /* a PV domain's frame numbers are MFNs either way */
    case MMU_PT_UPDATE_PRESERVE_AD:
        return pv_mod_entry_foreign(o->pt, o->pg, _mfn(mfn), (req->ptr & (PAGE_SIZE - 1)) >> 3,
                                    req->val,
                                    cmd == MMU_PT_UPDATE_PRESERVE_AD ? PV_MOD_PRESERVE_AD : 0,
                                    NULL);
    case MMU_MACHPHYS_UPDATE:
        return o->pg ? pv_machphys_update(o->pg, _mfn(mfn), req->val) : -EINVAL;
    default:
        return -ENOSYS;
    }
}

/* mmu_update(reqs, count, done, foreigndom) */
long do_mmu_update(unsigned long reqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;
    struct mmu_owners o;
    unsigned int done, i;
    int rc;

    (void)unused5;
    if ((rc = batch_start(&count, pdone, &done)) ||
        (rc = batch_range_ok(reqs, count, sizeof(struct mmu_update))) ||
        (rc = owners_get(d, foreigndom, true, &o)))
        return rc;
    for (i = 0; i < count; i++) {
        struct mmu_update req;

        if (i == MMU_BATCH) {
            owners_put(&o);
            if (batch_report(pdone, done))
                return -EFAULT;
            return hypercall_continue(__HYPERVISOR_mmu_update, reqs + i * sizeof(req),
                                      (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
        }
        if (copy_from_guest(&req, reqs + i * sizeof(req), sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        rc = mmu_update_one(&o, &req);
        if (rc) {
            if (printk_ratelimit())
                printk(LOG_WARN "d%u: mmu_update refused (ptr %#lx, val %#lx): %d\n",
                       d->domain_id, (unsigned long)req.ptr, (unsigned long)req.val, rc);
            break;
        }
        done++;
    }
    owners_put(&o);
    /* Updated entries may be cached by any CPU that ran this domain. */
    flush_tlb_all_cpus();
    if (batch_report(pdone, done))
        return -EFAULT;
    return rc;
}

static int new_baseptr(struct vcpu *v, unsigned long mfn, bool user)
{
    struct arch_vcpu *a = v->arch;
    unsigned long *slot = user ? &a->guest_table_user : &a->guest_table;
    unsigned long old = *slot;
    int rc;

    if (user && !mfn) {
        *slot = 0;
    } else {
        rc = pv_get_root(v->domain, _mfn(mfn));
        if (rc)
            return rc;
        *slot = mfn;
    }
    /* Hypercalls come from kernel mode: the user root takes effect at the next switch. */
    if (!user)
        write_cr3(*slot << PAGE_SHIFT);
    if (old)
        pv_put_root(_mfn(old));
    return 0;
}

/* CLEAR_PAGE and COPY_PAGE: the destination must be a writable frame of d. */
static int page_op(struct domain *d, unsigned long dst, unsigned long src, bool copy)
{
    struct page_info *dpg, *spg = NULL;
    int rc;

    if (!mfn_valid(_mfn(dst)) || (copy && !mfn_valid(_mfn(src))))
        return -EINVAL;
    dpg = mfn_to_page(_mfn(dst));
    rc = get_page_and_type(dpg, d, PGT_WRITABLE);
    if (rc)
        return rc;
    if (copy) {
        spg = mfn_to_page(_mfn(src));
        rc = get_page(spg, d);
        if (rc) {
            put_page_and_type(dpg);
            return rc;
        }
        memcpy(__va(dst << PAGE_SHIFT), __va(src << PAGE_SHIFT), PAGE_SIZE);
        put_page(spg);
    } else {
        memset(__va(dst << PAGE_SHIFT), 0, PAGE_SIZE);
    }
    put_page_and_type(dpg);
    return 0;
}

/*
 * MMUEXT_PIN_L*_TABLE on pg_owner's frame. A pin of another domain's table
 * may race that domain's teardown, whose unpin pass (arch_domain_relinquish())
 * may already have passed the frame: a pin left behind would keep the frame
 * and the dying domain forever. As Xen, the pin is then dropped again and
 * the op still succeeds. domain_kill() sets is_dying before it takes and
 * drops page_lock and starts its walk; so either the walk sees our pin, or
 * we see is_dying under page_lock, and page_unpin() lets only one of the
 * two drop it.
 */
static int pin_table(struct domain *d, struct domain *pg_owner, mfn_t mfn, unsigned int level)
{
    bool dying;
    int rc = pv_pin_table(pg_owner, mfn, level);

    if (rc || pg_owner == d)
        return rc;
    spin_lock(&pg_owner->page_lock);
    dying = __atomic_load_n(&pg_owner->is_dying, __ATOMIC_RELAXED);
    spin_unlock(&pg_owner->page_lock);
    if (dying)
        (void)pv_unpin_table(pg_owner, mfn);    /* -EINVAL: the walk was first */
    return 0;
}

/* One mmuext_op on v's behalf; pins act on pg_owner's frames (NULL: DOMID_IO). */
static int mmuext_one(struct vcpu *v, struct domain *pg_owner, const struct mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        if (!pg_owner)
            return -EINVAL;
        return pin_table(d, pg_owner, _mfn(op->arg1.mfn), op->cmd - MMUEXT_PIN_L1_TABLE + 1);
    case MMUEXT_UNPIN_TABLE:
        if (!pg_owner)
            return -EINVAL;
        return pv_unpin_table(pg_owner, _mfn(op->arg1.mfn));
    case MMUEXT_NEW_BASEPTR:
        return new_baseptr(v, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_baseptr(v, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_tlb_local();
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_all_cpus();
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (!is_canonical_address(op->arg1.linear_addr))
            return -EINVAL;
        invlpg(op->arg1.linear_addr);
        return 0;
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
        if (!is_canonical_address(op->arg1.linear_addr))
            return -EINVAL;
        flush_tlb_all_cpus();
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if (!d->has_io_caps)
            return -EPERM;
        __asm__ volatile("wbinvd" ::: "memory");
        return 0;
    case MMUEXT_SET_LDT:
        /* Only the empty LDT exists so far: Linux loads (0, 0) at every CPU init. */
        if (op->arg2.nr_ents > MAX_LDT_ENTRIES || (op->arg1.linear_addr & (PAGE_SIZE - 1)))
            return -EINVAL;
        return op->arg2.nr_ents ? -EOPNOTSUPP : 0;
    case MMUEXT_CLEAR_PAGE:
        return page_op(d, op->arg1.mfn, 0, false);
    case MMUEXT_COPY_PAGE:
        return page_op(d, op->arg1.mfn, op->arg2.src_mfn, true);
    default:
        return -ENOSYS;
    }
}

/* mmuext_op(ops, count, done, foreigndom) */
long do_mmuext_op(unsigned long ops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom, unsigned long unused5)
{
    struct vcpu *v = current_vcpu();
    struct mmu_owners o;
    unsigned int done, i;
    int rc;

    (void)unused5;
    if ((rc = batch_start(&count, pdone, &done)) ||
        (rc = batch_range_ok(ops, count, sizeof(struct mmuext_op))) ||
        (rc = owners_get(v->domain, foreigndom, false, &o)))
        return rc;
    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (i == MMU_BATCH) {
            owners_put(&o);
            if (batch_report(pdone, done))
                return -EFAULT;
            return hypercall_continue(__HYPERVISOR_mmuext_op, ops + i * sizeof(op),
                                      (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
        }
        if (copy_from_guest(&op, ops + i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        rc = mmuext_one(v, o.pg, &op);
        if (rc) {
            if (printk_ratelimit())
                printk(LOG_WARN "d%u: mmuext_op %u refused (arg1 %#lx): %d\n",
                       v->domain->domain_id, op.cmd, (unsigned long)op.arg1.mfn, rc);
            break;
        }
        done++;
    }
    owners_put(&o);
    if (batch_report(pdone, done))
        return -EFAULT;
    return rc;
}

int pv_find_l1(const struct vcpu *v, unsigned long va, mfn_t *l1, unsigned int *index)
{
    const struct arch_vcpu *a = v->arch;
    unsigned long table = a->in_kernel ? a->guest_table : a->guest_table_user;

    if (!is_canonical_address(va) || (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return -EINVAL;
    for (unsigned int shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
        const pte_t *t;
        pte_t e;

        if (!table || !mfn_valid(_mfn(table)))
            return -EINVAL;
        t = __va(table << PAGE_SHIFT);
        e = __atomic_load_n(&t[pt_index(va, shift)], __ATOMIC_RELAXED);
        if (!(e & _PAGE_PRESENT) || (shift != L4_SHIFT && (e & _PAGE_PSE)))
            return -EINVAL;
        table = pte_paddr(e) >> PAGE_SHIFT;
    }
    *l1 = _mfn(table);
    *index = pt_index(va, L1_SHIFT);
    return 0;
}

/* update_va_mapping(va, pte, flags) */
long do_update_va_mapping(unsigned long va, unsigned long val, unsigned long flags,
                          unsigned long unused4, unsigned long unused5)
{
    struct vcpu *v = current_vcpu();
    unsigned int index;
    mfn_t l1;
    int rc;

    (void)unused4, (void)unused5;
    rc = pv_find_l1(v, va, &l1, &index);
    if (!rc)
        rc = pv_mod_entry(v->domain, l1, index, val, PV_MOD_L1_ONLY, NULL);
    if (rc) {
        if (printk_ratelimit())
            printk(LOG_WARN "d%u: update_va_mapping refused (va %#lx, pte %#lx): %d\n",
                   v->domain->domain_id, va, val, rc);
        return rc;
    }
    /* Other vCPUs named (UVMF_ALL or a vCPU bitmap): flush every CPU. */
    if ((flags & UVMF_FLUSHTYPE_MASK) && (flags & ~UVMF_FLUSHTYPE_MASK) != UVMF_LOCAL)
        flush_tlb_all_cpus();
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        flush_tlb_local();
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg(va);
    return 0;
}
