/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. Fair (FIFO) and small. Callers that may race with an
 * interrupt handler taking the same lock use the _irqsave forms.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint16_t next;   /* ticket handed to the next arrival */
    uint16_t owner;  /* ticket currently allowed in */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

    /* Acquire pairs with the release in spin_unlock(). */
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        __builtin_ia32_pause();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    uint16_t expect = owner;

    return __atomic_compare_exchange_n(&l->next, &expect, (uint16_t)(owner + 1), false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

/*
 * Interrupt masking around a lock. Host unit tests (a hosted build) have no
 * interrupts to mask, so there the flags are a dummy.
 */
static inline unsigned long local_irq_save(void)
{
    unsigned long flags = 0;
#if !__STDC_HOSTED__
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags) :: "memory");
#endif
    return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
#if !__STDC_HOSTED__
    __asm__ volatile("push %0; popf" :: "r"(flags) : "memory", "cc");
#else
    (void)flags;
#endif
}

static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
    unsigned long flags = local_irq_save();

    spin_lock(l);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
    spin_unlock(l);
    local_irq_restore(flags);
}

#endif
