/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU software timer queues.
 *
 * Each CPU has a singly linked queue sorted by deadline, guarded by its own
 * lock (timer_queue.lock). A timer belongs to exactly one queue (t->cpu);
 * its next/active fields are protected by that queue's lock. The hardware
 * one-shot timer of a CPU is programmed only by that CPU, for the head of
 * its queue, so timers are only armed for the calling CPU's queue; arming
 * another CPU's timer would need an IPI, which comes with the scheduler.
 *
 * Migration: timer_migrate() changes t->cpu holding both queues' locks
 * (lower CPU number first), so t->cpu is stable under either lock. Whoever
 * else locks a timer's queue reads t->cpu, locks that queue and checks
 * t->cpu again (lock_timer()). An active timer moves only to the calling
 * CPU, which reprograms its hardware; the old CPU's hardware may then fire
 * once for nothing and reprograms itself for its own head.
 *
 * Handlers run with the queue lock dropped, so they may re-arm themselves.
 * timer_queue.running names the timer whose handler is running on that
 * CPU (queue lock), which timer_kill() waits for.
 */
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <keel/timer.h>

#ifndef NR_TIMER_CPUS
#define NR_TIMER_CPUS 64
#endif

struct timer_queue {
    spinlock_t lock;
    struct timer *head;
    struct timer *running;      /* handler in progress on this CPU, or NULL */
};

static struct timer_queue queues[NR_TIMER_CPUS];

void timer_init(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
    BUG_ON(cpu >= NR_TIMER_CPUS);
    *t = (struct timer){ .fn = fn, .data = data, .cpu = cpu };
}

/* Lock the queue t is on, whatever timer_migrate() does meanwhile. */
static struct timer_queue *lock_timer(struct timer *t, unsigned long *flags)
{
    for (;;) {
        unsigned int cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
        struct timer_queue *q = &queues[cpu];

        *flags = spin_lock_irqsave(&q->lock);
        if (t->cpu == cpu)
            return q;
        spin_unlock_irqrestore(&q->lock, *flags);
    }
}

/* Unlink t from q. Lock held. Returns true if t was the head. */
static bool dequeue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;

    while (*pp != t) {
        BUG_ON(!*pp); /* active timers are always on their queue */
        pp = &(*pp)->next;
    }
    *pp = t->next;
    t->next = NULL;
    t->active = false;
    return pp == &q->head;
}

/* Insert t in deadline order; equal deadlines keep arrival order. Lock held. */
static void enqueue(struct timer_queue *q, struct timer *t)
{
    struct timer **pp = &q->head;

    while (*pp && (*pp)->expires <= t->expires)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->active = true;
}

/*
 * Program this CPU's hardware timer for the head of q. Lock held. A deadline
 * of 0 would read as "stop" to the hardware hook, so it is sent as 1, which
 * is just as far in the past.
 */
static void program_head(const struct timer_queue *q)
{
    arch_timer_program(q->head ? max(q->head->expires, (s_time_t)1) : 0);
}

void timer_set(struct timer *t, s_time_t expires)
{
    struct timer_queue *q;
    unsigned long flags;
    bool was_head = false;

    BUG_ON(t->cpu != arch_cpu_id());
    q = lock_timer(t, &flags);
    if (t->active)
        was_head = dequeue(q, t);
    t->expires = expires;
    enqueue(q, t);
    /* The old head may have moved behind another timer: program the new head. */
    if (was_head || q->head == t)
        program_head(q);
    spin_unlock_irqrestore(&q->lock, flags);
}

void timer_stop(struct timer *t)
{
    unsigned long flags;
    struct timer_queue *q = lock_timer(t, &flags);

    if (t->active && dequeue(q, t) && t->cpu == arch_cpu_id())
        program_head(q);
    spin_unlock_irqrestore(&q->lock, flags);
}

void timer_migrate(struct timer *t, unsigned int cpu)
{
    struct timer_queue *from, *to = &queues[cpu];
    unsigned long flags;
    unsigned int old;

    BUG_ON(cpu >= NR_TIMER_CPUS);
    for (;;) {
        old = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
        if (old == cpu)
            return;     /* only our own migrations change it, and we are not */
        from = &queues[old];
        flags = spin_lock_irqsave(&queues[min(old, cpu)].lock);
        spin_lock(&queues[max(old, cpu)].lock);
        if (t->cpu == old)
            break;
        spin_unlock(&queues[max(old, cpu)].lock);
        spin_unlock_irqrestore(&queues[min(old, cpu)].lock, flags);
    }
    if (t->active && cpu != arch_cpu_id()) {
        spin_unlock(&queues[max(old, cpu)].lock);
        spin_unlock_irqrestore(&queues[min(old, cpu)].lock, flags);
        BUG();          /* only the target CPU could program its hardware */
    }
    if (t->active) {
        dequeue(from, t);
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELAXED);
        enqueue(to, t);
        if (to->head == t)
            program_head(to);
    } else {
        __atomic_store_n(&t->cpu, cpu, __ATOMIC_RELAXED);
    }
    spin_unlock(&queues[max(old, cpu)].lock);
    spin_unlock_irqrestore(&queues[min(old, cpu)].lock, flags);
}

void timer_kill(struct timer *t)
{
    BUG_ON(__atomic_load_n(&queues[arch_cpu_id()].running, __ATOMIC_ACQUIRE) == t);
    timer_stop(t);
    /*
     * Stopped, nobody re-arms it: no handler can start. One may still be
     * running, on the CPU it fired on, which need not be t->cpu any more.
     */
    for (unsigned int cpu = 0; cpu < NR_TIMER_CPUS; cpu++)
        while (__atomic_load_n(&queues[cpu].running, __ATOMIC_ACQUIRE) == t)
            __builtin_ia32_pause();
}

void timer_run_expired(void)
{
    struct timer_queue *q = &queues[arch_cpu_id()];
    unsigned long flags = spin_lock_irqsave(&q->lock);

    while (q->head && q->head->expires <= now()) {
        struct timer *t = q->head;

        dequeue(q, t);
        __atomic_store_n(&q->running, t, __ATOMIC_RELAXED);
        spin_unlock_irqrestore(&q->lock, flags);
        t->fn(t->data);
        flags = spin_lock_irqsave(&q->lock);
        /* Release pairs with the acquire in timer_kill(): the handler is done with t. */
        __atomic_store_n(&q->running, NULL, __ATOMIC_RELEASE);
    }
    program_head(q);
    spin_unlock_irqrestore(&q->lock, flags);
}

unsigned int timer_pending(unsigned int cpu)
{
    unsigned int n = 0;

    for (struct timer *t = queues[cpu].head; t; t = t->next)
        n++;
    return n;
}
