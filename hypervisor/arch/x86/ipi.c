/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts between Keel's CPUs.
 *
 * The event-check IPI only interrupts the target: on its way back to a
 * guest or in its idle loop the target runs its softirqs and delivers
 * pending events, which is all a "kick" needs.
 *
 * TLB shootdown: the initiator sets flush_pending[cpu] for every other
 * CPU running a vCPU, sends the flush IPI and waits for each flag to clear.
 * An idle CPU holds no guest translations (its CR3 is the idle tables),
 * and a CPU that starts running a vCPU loads a new CR3, which flushes:
 * both are skipped. A CPU
 * may be waiting with interrupts off (in a hypercall) while another CPU
 * wants it to flush, so every waiter also services its own flag: two CPUs
 * flushing each other cannot deadlock.
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/ipi.h>
#include <asm/smp.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/lib.h>
#include <keel/softirq.h>

static bool flush_pending[NR_CPUS];

/* Flush this CPU's TLB if another CPU asked for it. */
static void service_flush_request(void)
{
    unsigned int cpu = arch_cpu_id();

    /* Acquire pairs with the initiator's release store. */
    if (__atomic_load_n(&flush_pending[cpu], __ATOMIC_ACQUIRE)) {
        flush_tlb_local();
        /* Release pairs with the initiator's acquire wait. */
        __atomic_store_n(&flush_pending[cpu], false, __ATOMIC_RELEASE);
    }
}

static void flush_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    service_flush_request();
    apic_eoi();
}

void flush_tlb_all_cpus(void)
{
    unsigned int self = arch_cpu_id();

    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++) {
        if (cpu == self || !cpu_infos[cpu] ||
            !__atomic_load_n(&cpu_infos[cpu]->current, __ATOMIC_ACQUIRE))
            continue;
        __atomic_store_n(&flush_pending[cpu], true, __ATOMIC_RELEASE);
        apic_send_fixed(cpu_infos[cpu]->apic_id, FLUSH_VECTOR);
    }
    flush_tlb_local();
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++) {
        while (cpu != self && __atomic_load_n(&flush_pending[cpu], __ATOMIC_ACQUIRE)) {
            service_flush_request();
            cpu_relax();
        }
    }
}

static void event_check_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    apic_eoi();
}

void ipi_init(void)
{
    set_irq_handler(EVENT_CHECK_VECTOR, event_check_interrupt);
    set_irq_handler(FLUSH_VECTOR, flush_interrupt);
}

void arch_softirq_kick(unsigned int cpu)
{
    const struct cpu_info *ci = cpu < NR_CPUS ? cpu_infos[cpu] : NULL;

    if (ci && __atomic_load_n(&ci->online, __ATOMIC_ACQUIRE))
        apic_send_fixed(ci->apic_id, EVENT_CHECK_VECTOR);
}
