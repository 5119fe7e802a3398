/* SPDX-License-Identifier: MIT */
/*
 * SMP for the test guests: secondary vCPUs brought up the way Linux does
 * it (smp_pv.c: cpu_initialize_context, then VCPUOP_up), per-vCPU data,
 * running a function on other vCPUs, and taking them down again.
 *
 * Per-vCPU data: struct smp_cpu, one per vCPU id, whose address is the
 * vCPU's kernel GS base (vCPU 0 sets it with set_segment_base, the others
 * get it from their vcpu_guest_context), so smp_id() is one %gs load that
 * works in any context: upcalls, trap handlers, the main line.
 *
 * A secondary's context: RIP the framework's entry with RDI = its id, RSP
 * the top of a 16 KiB stack of its own (also kernel_sp), the kernel root
 * vCPU 0 started with, the framework's trap table (traps.h), the event
 * callback smp_event_callback names (0: none), a GDT of one zeroed frame
 * mapped read-only (16 entries, as Linux's per-CPU GDT), IOPL 1 in the
 * flags as Linux sets it, events masked (the builder masks every
 * vcpu_info). Once in, it publishes itself online and waits for work:
 * smp_call() gives it one function at a time, smp_wait() waits for it
 * to finish. smp_down() has it make VCPUOP_down on itself (as Linux's
 * play_dead does) and waits until VCPUOP_is_up says 0.
 *
 * Only vCPU 0 may use trap probes (traps.h keeps one probe at a time);
 * check() and printf() are safe from any vCPU (one console_io per line).
 */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include "guest.h"

#define SMP_MAX_VCPUS   32      /* XEN_LEGACY_MAX_VCPUS: vcpu_info in shared_info */
#define SMP_STACK_SIZE  (4 * PAGE_SIZE)
#define SMP_GDT_ENTRIES 16

typedef void (*smp_fn_t)(void *arg);

/* One vCPU's record; the kernel GS base points at it. */
struct smp_cpu {
    struct smp_cpu *self;           /* %gs:0 */
    unsigned int id;                /* %gs:8 */
    struct vcpu_info *vcpu_info;    /* shared_info->vcpu_info[id] */
    volatile bool online;           /* running the framework's loop */
    /* Work: vCPU 0 writes fn and arg, then bumps call_seq; the vCPU runs
     * it and sets done_seq = call_seq. */
    smp_fn_t volatile fn;
    void *volatile arg;
    volatile unsigned long call_seq, done_seq;
    volatile bool stop;             /* take yourself down */
};
extern struct smp_cpu smp_cpus[SMP_MAX_VCPUS];

/* Event callback put in every secondary's context (0: none). */
extern unsigned long smp_event_callback;

/*
 * On vCPU 0 before anything else: maps shared_info, sets vCPU 0's GS base
 * to smp_cpus[0], counts the domain's vCPUs (VCPUOP_is_up >= 0 for ids
 * 0..SMP_MAX_VCPUS-1) and maps the GDT frame read-only. Returns the number
 * of vCPUs (records failed checks and returns 1 if a step failed).
 */
unsigned int smp_init(void);
/* The number of vCPUs smp_init() found. */
unsigned int smp_nr_vcpus(void);

/* The calling vCPU's id (%gs). */
static inline unsigned int smp_id(void)
{
    unsigned int id;

    asm volatile("movl %%gs:%c1, %0" : "=r"(id) : "i"(offsetof(struct smp_cpu, id)));
    return id;
}

/* The calling vCPU's record, read through %gs:0. */
static inline struct smp_cpu *smp_this(void)
{
    struct smp_cpu *c;

    asm volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

/* System time in ns from the calling vCPU's pvclock (Linux's pvclock_clocksource_read). */
uint64_t smp_clock_ns(void);

/* Fills *c with the context the framework gives vCPU @id (see above). */
void smp_fill_context(struct vcpu_guest_context *c, unsigned int id);

/*
 * VCPUOP_initialise with smp_fill_context()'s context, VCPUOP_up, then
 * waits (bounded) for the vCPU to come online. Returns 0, the hypercall's
 * error, or -XEN_ETIMEDOUT.
 */
long smp_bring_up(unsigned int id);
/* smp_bring_up() for every vCPU but 0; returns how many are online, 0 included. */
unsigned int smp_bring_up_all(void);

/* Runs fn(arg) on online vCPU @id, which must be idle (not for vCPU 0). */
void smp_call(unsigned int id, smp_fn_t fn, void *arg);
/* Waits until vCPU @id finished the last function given to it. */
void smp_wait(unsigned int id);
/* fn(arg) on every online vCPU, the caller's last; returns when all are done. */
void smp_call_all(smp_fn_t fn, void *arg);

/* Has online vCPU @id take itself down and waits for is_up == 0. Returns 0 or -XEN_ETIMEDOUT. */
long smp_down(unsigned int id);
/* smp_down() for every online vCPU but 0. */
void smp_down_all(void);

/* SCHEDOP_yield. */
static inline void smp_yield(void)
{
    (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

#endif /* GUEST_SMP_H */
