/* SPDX-License-Identifier: MIT */
/*
 * Inter-processor interrupts between Keel's CPUs. The event-check IPI only
 * interrupts the target: on its way back to a guest or in its idle loop the
 * target runs its softirqs and delivers pending events, which is all a
 * "kick" needs.
 */
#include <asm/apic.h>
#include <asm/ipi.h>
#include <asm/smp.h>
#include <asm/traps.h>
#include <keel/lib.h>
#include <keel/softirq.h>

static void event_check_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    apic_eoi();
}

void ipi_init(void)
{
    set_irq_handler(EVENT_CHECK_VECTOR, event_check_interrupt);
}

void arch_softirq_kick(unsigned int cpu)
{
    const struct cpu_info *ci = cpu < NR_CPUS ? cpu_infos[cpu] : NULL;

    if (ci && __atomic_load_n(&ci->online, __ATOMIC_ACQUIRE))
        apic_send_fixed(ci->apic_id, EVENT_CHECK_VECTOR);
}
