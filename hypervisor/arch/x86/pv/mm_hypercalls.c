/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU hypercalls: mmu_update, mmuext_op and update_va_mapping. They
 * decode and bound the guest's requests and hand each one to the page-table
 * engine (pt_validate.c, pt_update.c), which validates before it changes
 * anything.
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

/* Only requests on one's own domain exist so far (no foreign mappings). */
static int check_foreigndom(const struct domain *d, unsigned long foreigndom)
{
    unsigned int pt_owner = (foreigndom >> 16) & 0xffff;
    unsigned int pg_owner = foreigndom & 0xffff;

    if (pt_owner && pt_owner != d->domain_id + 1u)
        return -ESRCH;
    if (pg_owner != DOMID_SELF && pg_owner != d->domain_id)
        return d->is_privileged ? -ESRCH : -EPERM;
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

static int mmu_update_one(struct domain *d, const struct mmu_update *req)
{
    unsigned long mfn = req->ptr >> PAGE_SHIFT;
    unsigned long cmd = req->ptr & MMU_CMD_MASK;

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
        return pv_mod_entry(d, _mfn(mfn), (req->ptr & (PAGE_SIZE - 1)) >> 3, req->val,
                            cmd == MMU_PT_UPDATE_PRESERVE_AD ? PV_MOD_PRESERVE_AD : 0, NULL);
    case MMU_MACHPHYS_UPDATE:
        return pv_machphys_update(d, _mfn(mfn), req->val);
    default:
        /* MMU_PT_UPDATE_NO_TRANSLATE is for foreign mappings, which do not exist yet. */
        return -ENOSYS;
    }
}

/* mmu_update(reqs, count, done, foreigndom) */
long do_mmu_update(unsigned long reqs, unsigned long count, unsigned long pdone,
                   unsigned long foreigndom, unsigned long unused5)
{
    struct domain *d = current_vcpu()->domain;
    unsigned int done, i;
    int rc;

    (void)unused5;
    if ((rc = batch_start(&count, pdone, &done)) ||
        (rc = batch_range_ok(reqs, count, sizeof(struct mmu_update))) ||
        (rc = check_foreigndom(d, foreigndom)))
        return rc;
    for (i = 0; i < count; i++) {
        struct mmu_update req;

        if (i == MMU_BATCH) {
            if (batch_report(pdone, done))
                return -EFAULT;
            return hypercall_continue(__HYPERVISOR_mmu_update, reqs + i * sizeof(req),
                                      (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
        }
        if (copy_from_guest(&req, reqs + i * sizeof(req), sizeof(req))) {
            rc = -EFAULT;
            break;
        }
        rc = mmu_update_one(d, &req);
        if (rc) {
            if (printk_ratelimit())
                printk(LOG_WARN "d%u: mmu_update refused (ptr %#lx, val %#lx): %d\n",
                       d->domain_id, (unsigned long)req.ptr, (unsigned long)req.val, rc);
            break;
        }
        done++;
    }
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

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pv_pin_table(d, _mfn(op->arg1.mfn), op->cmd - MMUEXT_PIN_L1_TABLE + 1);
    case MMUEXT_UNPIN_TABLE:
        return pv_unpin_table(d, _mfn(op->arg1.mfn));
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
    unsigned int done, i;
    int rc;

    (void)unused5;
    if ((rc = batch_start(&count, pdone, &done)) ||
        (rc = batch_range_ok(ops, count, sizeof(struct mmuext_op))) ||
        (rc = check_foreigndom(v->domain, foreigndom & 0xffff)))
        return rc;
    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (i == MMU_BATCH) {
            if (batch_report(pdone, done))
                return -EFAULT;
            return hypercall_continue(__HYPERVISOR_mmuext_op, ops + i * sizeof(op),
                                      (count - i) | MMU_UPDATE_PREEMPTED, pdone, foreigndom, 0);
        }
        if (copy_from_guest(&op, ops + i * sizeof(op), sizeof(op))) {
            rc = -EFAULT;
            break;
        }
        rc = mmuext_one(v, &op);
        if (rc) {
            if (printk_ratelimit())
                printk(LOG_WARN "d%u: mmuext_op %u refused (arg1 %#lx): %d\n",
                       v->domain->domain_id, op.cmd, (unsigned long)op.arg1.mfn, rc);
            break;
        }
        done++;
    }
    if (batch_report(pdone, done))
        return -EFAULT;
    return rc;
}

/*
 * The L1 frame and index mapping va in the current root, found by walking
 * the validated tables. -EINVAL if va is not mapped through an L1.
 */
static int find_l1(const struct vcpu *v, unsigned long va, mfn_t *l1, unsigned int *index)
{
    const struct arch_vcpu *a = v->arch;
    unsigned long table = a->in_kernel ? a->guest_table : a->guest_table_user;

    for (unsigned int shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
        const pte_t *t = __va(table << PAGE_SHIFT);
        pte_t e = __atomic_load_n(&t[pt_index(va, shift)], __ATOMIC_RELAXED);

        if (!(e & _PAGE_PRESENT) || (shift != L4_SHIFT && (e & _PAGE_PSE)))
            return -EINVAL;
        table = pte_paddr(e) >> PAGE_SHIFT;
        if (!mfn_valid(_mfn(table)))
            return -EINVAL;
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
    if (!is_canonical_address(va) || (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END))
        return -EINVAL;
    rc = find_l1(v, va, &l1, &index);
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
