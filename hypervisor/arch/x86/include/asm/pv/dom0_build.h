/* SPDX-License-Identifier: MIT */
#ifndef ASM_PV_DOM0_BUILD_H
#define ASM_PV_DOM0_BUILD_H

#include <asm/regs.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/frame_types.h>
#include <keel/vcpu.h>

/* dom0_mem= from the command line (CMDLINE_SIZE_UNSET where not given). */
extern struct cmdline_size_range opt_dom0_mem;
/* dom0_max_vcpus= (0: one vCPU per physical CPU). */
extern unsigned int opt_dom0_max_vcpus;

/*
 * Build domain 0 from boot module 1 (kernel) and 2 (initrd, optional).
 * On success returns 0 with *vcpu0 and its initial registers in *regs.
 * On failure prints one line naming the problem and returns a negative
 * errno (-EINVAL bad image, -EOPNOTSUPP unsupported compression, -ENOMEM).
 */
int dom0_build(struct vcpu **vcpu0, struct cpu_regs *regs);

/* Pin dom0's initial L4 and make it the root: validates and types the tree. */
int pv_mm_dom0_take_root(struct domain *d, mfn_t l4);

/* Connect the PV page-table engine to this machine. Once, after mm_init(). */
void pv_mm_setup(void);

#endif
