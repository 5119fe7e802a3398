/* SPDX-License-Identifier: MIT */
/*
 * A fake machine for the event-channel code (hypervisor/common/event_*.c),
 * shared by the unit tests and the fuzzer; host code, not in the
 * hypervisor build.
 *
 * Two domains: FAKE_D0 (id 0, privileged, the hardware domain `dom0`) and
 * FAKE_D1 (id FAKE_D1_ID, unprivileged), each with FAKE_MAX_VCPUS vCPU
 * slots of which all but FAKE_ABSENT_VCPU exist, and its own shared_info
 * (vcpu_info in the legacy slots). The arch and scheduler hooks are fakes
 * that count: vcpu_kick() and vcpu_wake() per vCPU, vcpu_block() marks the
 * current vCPU blocked; a kick or wake unblocks it, as the real ones do.
 * Guest memory is host memory: a guest address is a host pointer, except
 * that [0, FAKE_BAD_VA_END) fails every copy and fake_ro_page fails copies
 * to the guest (for -EFAULT paths). The heap is calloc'd pages; set
 * fake_heap_fail_after to make the n-th next allocation fail.
 * The clock (now()) is fake_now; the CPU is 0.
 */
#ifndef TESTS_SUPPORT_EVTCHN_FAKE_H
#define TESTS_SUPPORT_EVTCHN_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/domain.h>
#include <keel/timer.h>
#include <keel/vcpu.h>
#include <public/xen.h>

#include "guest_memory_fake.h"

#define FAKE_NR_DOMS     2
#define FAKE_D0          0       /* index into fake.dom[] */
#define FAKE_D1          1
#define FAKE_D1_ID       5       /* domain id of FAKE_D1 */
#define FAKE_MAX_VCPUS   4
#define FAKE_ABSENT_VCPU 3       /* a slot below max_vcpus with no vCPU */


struct fake_machine {
    struct domain dom[FAKE_NR_DOMS];
    struct vcpu *vcpus[FAKE_NR_DOMS][FAKE_MAX_VCPUS];   /* domain.vcpus */
    struct vcpu vcpu[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
    struct shared_info shared[FAKE_NR_DOMS];
    bool alive[FAKE_NR_DOMS];   /* not destroyed: get_domain_by_id() finds it */
    unsigned int kicks[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
    unsigned int wakes[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
    bool blocked[FAKE_NR_DOMS][FAKE_MAX_VCPUS];
};

extern struct fake_machine fake;
/*
 * Called (once, then cleared) from inside vcpu_block(), just before the
 * block takes effect: what another CPU does at that moment (its wake-up
 * comes before the block, which then stands).
 */
extern void (*fake_during_block)(void);
extern s_time_t fake_now;
/* 0: allocations succeed; n > 0: the n-th allocation from now fails. */
extern unsigned int fake_heap_fail_after;
/* Pages the fake heap has handed out and not had back. */
extern long fake_heap_pages;

/* Build both domains (evtchn_domain_init() included); current = D0 vCPU 0. */
void fake_machine_init(void);
/* Destroy the domains still alive (evtchn_domain_destroy()). */
void fake_machine_fini(void);
/* Destroy one domain (evtchn_domain_destroy(), then unreachable). */
void fake_domain_destroy(unsigned int dom);

struct domain *fake_dom(unsigned int dom);
struct vcpu *fake_vcpu(unsigned int dom, unsigned int vcpu);
void fake_set_current(struct vcpu *v);
/* The vCPU's vcpu_info (its legacy shared_info slot). */
struct vcpu_info *fake_vcpu_info(unsigned int dom, unsigned int vcpu);
void fake_clear_counts(void);

#endif
