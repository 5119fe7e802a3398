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
 * Handlers run with the queue lock dropped, so they may re-arm themselves.
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
};

static struct timer_queue queues[NR_TIMER_CPUS];

void timer_init(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
    BUG_ON(cpu >= NR_TIMER_CPUS);
    *t = (struct timer){ .fn = fn, .data = data, .cpu = cpu };
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
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags;
    bool was_head = false;

    BUG_ON(t->cpu != arch_cpu_id());
    flags = spin_lock_irqsave(&q->lock);
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
    struct timer_queue *q = &queues[t->cpu];
    unsigned long flags = spin_lock_irqsave(&q->lock);

    if (t->active && dequeue(q, t) && t->cpu == arch_cpu_id())
        program_head(q);
    spin_unlock_irqrestore(&q->lock, flags);
}

void timer_run_expired(void)
{
    struct timer_queue *q = &queues[arch_cpu_id()];
    unsigned long flags = spin_lock_irqsave(&q->lock);

    while (q->head && q->head->expires <= now()) {
        struct timer *t = q->head;

        dequeue(q, t);
        spin_unlock_irqrestore(&q->lock, flags);
        t->fn(t->data);
        flags = spin_lock_irqsave(&q->lock);
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
