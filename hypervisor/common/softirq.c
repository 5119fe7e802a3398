/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU softirq bits. Raising sets the bit atomically (any CPU, any
 * context); only the owning CPU clears and runs them, with interrupts off,
 * so a handler never runs twice at once on one CPU.
 */
#include <keel/arch.h>
#include <keel/lib.h>
#include <keel/softirq.h>

#ifndef NR_SOFTIRQ_CPUS
#define NR_SOFTIRQ_CPUS 64
#endif

static unsigned long pending[NR_SOFTIRQ_CPUS];
static softirq_handler_t handlers[NR_SOFTIRQS];

void softirq_register(enum softirq nr, softirq_handler_t fn)
{
    BUG_ON(nr >= NR_SOFTIRQS || handlers[nr]);
    handlers[nr] = fn;
}

void raise_softirq(unsigned int cpu, enum softirq nr)
{
    BUG_ON(cpu >= NR_SOFTIRQ_CPUS || nr >= NR_SOFTIRQS);
    /* Release pairs with the acquire exchange in do_softirq(). */
    if (__atomic_fetch_or(&pending[cpu], 1UL << nr, __ATOMIC_RELEASE) & (1UL << nr))
        return;
    if (cpu != arch_cpu_id())
        arch_softirq_kick(cpu);
}

bool softirq_pending(void)
{
    return __atomic_load_n(&pending[arch_cpu_id()], __ATOMIC_RELAXED) != 0;
}

/*
 * One bit at a time, lowest first, cleared just before its handler runs: a
 * handler that never returns (a vCPU switch) leaves the others pending.
 */
void do_softirq(void)
{
    unsigned int cpu = arch_cpu_id();
    unsigned long bits;

    while ((bits = __atomic_load_n(&pending[cpu], __ATOMIC_ACQUIRE))) {
        unsigned int nr = (unsigned int)__builtin_ctzl(bits);

        /* Acquire pairs with the release in raise_softirq(). */
        __atomic_fetch_and(&pending[cpu], ~(1UL << nr), __ATOMIC_ACQUIRE);
        if (handlers[nr])
            handlers[nr]();
    }
}
