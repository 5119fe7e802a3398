/* SPDX-License-Identifier: MIT */
/*
 * The framework's virtual IDT and trap bookkeeping (see traps.h).
 *
 * Probes are vCPU 0's alone (other vCPUs share the table, smp.h, but not
 * the probe), with events masked: trap_handle() for a probe runs with
 * nothing else concurrent, so the probe state needs no locking, only
 * compiler barriers around the probe call (the trap happens "inside" an
 * ordinary call).
 */
#include "guest.h"
#include "mm.h"
#include "test.h"
#include "traps.h"

_Static_assert(__HYPERVISOR_iret == 23, "traps.S hard-codes the iret hypercall number");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "traps.S pushes 22 slots");

extern const char trap_stubs[], trap_stubs_end[];
void trap_handle(struct trap_frame *f);

/* 256 vectors and the terminating entry (address 0). */
static struct trap_info trap_table[257];
long traps_load_rc = 1; /* not loaded yet */
struct trap_record last_trap;
void (*trap_user_hook)(struct trap_frame *f);

/* Armed by trap_probe(); cleared when a trap consumes it. */
static struct trap_record *volatile probe_rec;
static const char *volatile probe_resume;

unsigned long trap_stub(unsigned int vector)
{
    return (unsigned long)trap_stubs + 16UL * vector;
}

static long traps_load(void)
{
    traps_load_rc = HYPERVISOR_set_trap_table(trap_table);
    return traps_load_rc;
}

long traps_init(void)
{
    if ((size_t)(trap_stubs_end - trap_stubs) != 256 * 16)
        test_fail(guest_name, "trap stubs are %ld bytes, not 4096",
                  (long)(trap_stubs_end - trap_stubs));
    for (unsigned int v = 0; v < 256; v++) {
        trap_table[v].vector = (uint8_t)v;
        trap_table[v].flags = (v == TRAP_BP || v == TRAP_OF) ? 3 : 0;
        trap_table[v].cs = FLAT_KERNEL_CS;
        trap_table[v].address = trap_stub(v);
    }
    memset(&trap_table[256], 0, sizeof(trap_table[256]));
    return traps_load();
}

const struct trap_info *traps_table(void)
{
    return trap_table;
}

long traps_set_dpl(unsigned int vector, unsigned int dpl)
{
    trap_table[vector & 255].flags = (uint8_t)((trap_table[vector & 255].flags & ~3) | (dpl & 3));
    return traps_load();
}

static void record(struct trap_record *r, const struct trap_frame *f)
{
    struct vcpu_info *vi = vcpu0_info();

    r->taken = true;
    r->vector = (unsigned int)f->vector;
    r->error_code = f->error_code;
    r->rip = f->rip;
    r->cs = f->cs;
    r->rflags = f->rflags;
    r->rsp = f->rsp;
    r->ss = f->ss;
    r->cr2 = vi ? vi->arch.cr2 : 0;
    r->rcx = f->rcx;
    r->r11 = f->r11;
}

void trap_handle(struct trap_frame *f)
{
    struct trap_record *r = probe_rec;

    record(&last_trap, f);
    /* RPL 3 in the frame's CS: the trap came from guest user mode. */
    if ((f->cs & 3) == 3 && trap_user_hook) {
        trap_user_hook(f);
        return;
    }
    if (r) {
        *r = last_trap;
        f->rip = (unsigned long)probe_resume;
        probe_rec = NULL;
        return;
    }
    console_newline();
    printf("unexpected trap: vector %lu error code %#lx at RIP %#lx CS %#lx RFLAGS %#lx "
           "RSP %#lx SS %#lx CR2 %#lx\n",
           f->vector, f->error_code, f->rip, f->cs, f->rflags, f->rsp, f->ss, last_trap.cr2);
    test_fail(guest_name, "unexpected trap %lu (error code %#lx) at RIP %#lx", f->vector,
              f->error_code, f->rip);
}

bool trap_probe(const char *probe, unsigned long arg, const char *resume,
                struct trap_record *rec)
{
    uint64_t ret;

    memset(rec, 0, sizeof(*rec));
    probe_resume = resume;
    probe_rec = rec;
    barrier();
    ret = ((uint64_t(*)(unsigned long))(unsigned long)probe)(arg);
    barrier();
    probe_rec = NULL;
    rec->ret = ret;
    return rec->taken;
}
