/* SPDX-License-Identifier: MIT */
/* The x86 PV guest machinery shared between the files under arch/x86/pv/. */
#ifndef ASM_PV_PV_H
#define ASM_PV_PV_H

#include <asm/percpu.h>
#include <asm/pv/domain.h>
#include <asm/pv/vcpu.h>
#include <asm/regs.h>
#include <keel/domain.h>
#include <keel/page_info.h>
#include <keel/vcpu.h>

_Static_assert(sizeof(struct cpu_regs) == GUEST_FRAME_SIZE, "the guest frame's reserved space");

/* Power-on values of the debug status and control registers. */
#define DR6_DEFAULT 0xffff0ff0UL
#define DR7_DEFAULT 0x00000400UL

/* Device frames no domain may map (Keel's interrupt controllers), sorted. */
extern const unsigned long pv_denied_iomem_frames[];
extern const unsigned int pv_nr_denied_iomem_frames;

/* The guest register frame at the top of this CPU's stack. */
static inline struct cpu_regs *guest_regs(void)
{
    return (struct cpu_regs *)((char *)get_cpu_info() - sizeof(struct cpu_regs));
}

static inline struct arch_domain *pv_domain(const struct domain *d)
{
    return d->arch;
}

/* Load frame (the guest frame at the top of this stack) and IRET to the guest. */
void pv_resume_guest(struct cpu_regs *frame) __attribute__((noreturn));

/*
 * Write and map the SYSCALL stubs for the CPU owning ci; returns their
 * address. Boot CPU, before that CPU starts.
 */
unsigned long pv_syscall_stubs_create(struct cpu_info *ci);
/* Point this CPU's LSTAR/CSTAR at its stubs. */
void pv_syscall_stubs_load(const struct cpu_info *ci);

/*
 * Deliver an exception or software interrupt to the current vCPU through
 * its trap table: build Xen's bounce frame on the guest kernel stack and
 * redirect regs there. Crashes the domain if there is no handler or the
 * frame cannot be written.
 */
void pv_inject_trap(struct cpu_regs *regs, unsigned int vector, bool has_error_code,
                    uint32_t error_code);

/* Bounce to a registered callback (event, failsafe, syscall) without error code. */
void pv_inject_callback(struct cpu_regs *regs, const struct pv_callback *cb);

/* Switch the vCPU between guest kernel and guest user mode (root + GS bases). */
void pv_toggle_guest_mode(struct vcpu *v);

/* Handle an exception raised in guest context. */
void pv_handle_exception(struct cpu_regs *regs);

/* Try to emulate the privileged instruction behind a #GP. True if done. */
enum pv_emul {
    PV_EMUL_DONE,       /* emulated; RIP advanced */
    PV_EMUL_UNHANDLED,  /* not an instruction Keel emulates: bounce the #GP */
    PV_EMUL_REFUSED,    /* one Keel refuses by design (an MSR it does not offer) */
};
enum pv_emul pv_emulate_privileged(struct cpu_regs *regs);
/* Try to emulate a forced-emulation prefix behind a #UD. True if done. */
bool pv_emulate_invalid_op(struct cpu_regs *regs);

/* page_ops hook for PGT_SEG_DESC: validate (and fix up) a descriptor page. */
int pv_validate_desc_page(struct page_info *pg);

/* Refresh v's pvclock fields in its vcpu_info. */
void pv_update_vcpu_time(struct vcpu *v);
/* Publish the wall clock at system time 0 in d's shared_info. */
void pv_update_wallclock(struct domain *d);

/* CPUID as a PV guest sees it. */
void pv_cpuid(const struct domain *d, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/*
 * Take n GDT frames of d as descriptor pages (validating them). Returns 0,
 * or -EINVAL / the validation error with none taken.
 */
int pv_take_gdt_frames(struct domain *d, const unsigned long *frames, unsigned int n);
/* Drop the vCPU's GDT frames (and forget them). */
void pv_release_gdt_frames(struct arch_vcpu *a);

/* Map the vCPU's GDT frames into this CPU's GDT window. */
void pv_load_guest_gdt(const struct arch_vcpu *a);

/*
 * The way back to a guest from any entry: run softirqs (which may switch
 * vCPUs), deliver a pending event to the current vCPU's event callback,
 * then IRET through regs (the frame at the top of this stack).
 */
void pv_return_to_guest(struct cpu_regs *regs) __attribute__((noreturn));

/* Leave guest context for this CPU's idle loop, on a fresh stack. */
void arch_idle(void) __attribute__((noreturn));

/*
 * The L1 frame and index that map linear address va in v's current root
 * (kernel or user), found by walking its validated tables (update_va_mapping,
 * grant host mappings). Returns 0, or -EINVAL if va is non-canonical, in
 * the hypervisor's range, or not mapped through an L1.
 */
int pv_find_l1(const struct vcpu *v, unsigned long va, mfn_t *l1, unsigned int *index);

/* Write Xen's hypercall page (entry i at 32 * i calls hypercall i) into page. */
void pv_fill_hypercall_page(uint8_t *page);

/* Drop what v holds (roots, GDT frames, a registered vcpu_info); v is off every CPU. */
void pv_vcpu_release(struct vcpu *v);

/* Give the built vCPU v its initial frame and make it runnable. */
void pv_start_vcpu(struct vcpu *v, const struct cpu_regs *initial);

#endif
