/* SPDX-License-Identifier: MIT */
/*
 * Shared between the PV page-table engine's files (pt_validate.c,
 * pt_update.c); not for other users, who go through asm/pv_mm.h.
 */
#ifndef PV_PT_INTERNAL_H
#define PV_PT_INTERNAL_H

#include <stdint.h>

#include <asm/pv_mm.h>

struct domain;

/* The environment pv_mm_init() installed. */
extern const struct pv_mm_ops *pv_ops;

static inline bool pte_present(uint64_t e)
{
    return e & _PAGE_PRESENT;
}

static inline mfn_t pte_mfn(uint64_t e)
{
    return _mfn(pte_paddr(e) >> PAGE_SHIFT);
}

/* Single-copy-atomic accessors for entries: the guest's other vCPUs and
 * the MMU (A/D bits) may touch a live table while the engine reads it. */
static inline uint64_t pte_read(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void pte_write(uint64_t *p, uint64_t e)
{
    __atomic_store_n(p, e, __ATOMIC_RELAXED);
}

/*
 * Check present entry @e of a level-@level table owned by @d and take the
 * references it holds while installed. Returns 0 or the refusal's errno;
 * on error nothing is held.
 */
int pv_get_entry_refs(struct domain *d, struct domain *pg_owner, unsigned int level,
                      uint64_t e);

/* Drop the references entry @e of a validated level-@level table holds
 * (nothing if @e is not present). */
void pv_put_entry_refs(unsigned int level, uint64_t e);

#endif
