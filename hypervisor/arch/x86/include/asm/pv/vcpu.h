/* SPDX-License-Identifier: MIT */
/*
 * A 64-bit PV vCPU's architectural state: everything the guest set up
 * through hypercalls and the context Keel restores when it runs it again.
 * Touched only by the CPU running the vCPU (or the builder before it runs).
 */
#ifndef ASM_PV_VCPU_H
#define ASM_PV_VCPU_H

#include <asm/regs.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu_info;

/* One trap-table entry as set_trap_table installed it. */
struct pv_trap_entry {
    unsigned long address;      /* 0 = no handler */
    uint16_t cs;
    uint8_t flags;              /* bits 0-1 DPL for int n; bit 2 mask events */
};

#define PV_TRAP_DPL_MASK    3u
#define PV_TRAP_MASK_EVENTS 4u

/* A guest callback registered with callback_op. */
struct pv_callback {
    unsigned long address;      /* 0 = none */
    bool mask_events;
};

struct arch_vcpu {
    bool in_kernel;             /* guest kernel mode (vs guest user mode) */
    unsigned long guest_table;  /* kernel root: MFN of an L4, 0 = none */
    unsigned long guest_table_user; /* user root, 0 = none */
    unsigned long kernel_sp;    /* stack_switch: kernel stack for bounces from user */
    unsigned long kernel_ss;

    struct pv_trap_entry traps[256];
    struct pv_callback event_callback;
    struct pv_callback failsafe_callback;
    struct pv_callback syscall_callback;
    struct pv_callback syscall32_callback;
    struct pv_callback sysenter_callback;
    struct pv_callback nmi_callback;

    /* Segment bases of the inactive mode are kept here; active ones are in the MSRs. */
    unsigned long fs_base;
    unsigned long gs_base_kernel;
    unsigned long gs_base_user;

    unsigned int iopl;          /* virtual IOPL (physdev set_iopl) */
    unsigned long debugreg[8];  /* set_debugreg values (DR4/DR5 unused) */
    bool fpu_ts;                /* virtual CR0.TS (fpu_taskswitch) */
    uint64_t vm_assist;

    struct vcpu_info *vcpu_info;    /* hypervisor view of the guest's vcpu_info */

    /* set_gdt: the guest's GDT frames (each typed PGT_SEG_DESC). */
    unsigned long gdt_frames[14];
    unsigned int gdt_nr_frames;
    unsigned long gdt_entries;

    /* The guest register frame while the vCPU is not running on a CPU. */
    struct cpu_regs saved_regs;
    bool fpu_initialised;       /* fpu_state holds a saved image */

    /* FXSAVE image, used once the vCPU is switched out. */
    uint8_t fpu_state[512] __attribute__((aligned(16)));
};

#endif
