/* SPDX-License-Identifier: MIT */
/*
 * Time as PV guests read it: the pvclock fields of each vcpu_info and the
 * wall clock in shared_info, both under Xen's version protocol (odd while
 * being written, even when stable; the guest retries on change).
 */
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/time.h>
#include <keel/arch.h>
#include <public/xen.h>

/* Order the version bumps against the field writes (pairs with the guest's reads). */
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

void pv_update_vcpu_time(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->arch->vcpu_info->time;
    uint64_t tsc = rdtsc();

    t->version++;
    wmb();
    t->tsc_timestamp = tsc;
    t->system_time = tsc_to_system_time(tsc);
    time_pvclock_params(&t->tsc_to_system_mul, &t->tsc_shift);
    t->flags = 0;   /* not TSC_STABLE: no cross-CPU TSC synchronisation check yet */
    wmb();
    t->version++;
}

void arch_update_vcpu_time(struct vcpu *v)
{
    pv_update_vcpu_time(v);
}

void pv_update_wallclock(struct domain *d)
{
    struct shared_info *s = pv_domain(d)->shared_info;
    /* settimeoffset moves a domain's clock; a clock before 1970 reads as 1970. */
    int64_t offset_ns = d->time_offset_seconds * 1000000000LL;
    uint64_t boot_ns = wallclock_at_boot_ns();
    uint64_t ns = offset_ns < 0 && (uint64_t)-offset_ns > boot_ns ? 0 : boot_ns + offset_ns;

    s->wc_version++;
    wmb();
    s->wc_sec = (uint32_t)(ns / 1000000000ULL);
    s->wc_sec_hi = (uint32_t)((ns / 1000000000ULL) >> 32);
    s->wc_nsec = (uint32_t)(ns % 1000000000ULL);
    wmb();
    s->wc_version++;
}
