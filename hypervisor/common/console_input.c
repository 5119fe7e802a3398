/* SPDX-License-Identifier: MIT */
/*
 * Console input for dom0. A timer on the boot CPU polls the console device
 * every CONSOLE_POLL_MS, moves what arrived into a ring, and raises
 * VIRQ_CONSOLE on dom0, whose console driver then reads the ring with
 * CONSOLEIO_read. Polling keeps Keel free of an interrupt-controller
 * driver for one UART; at 115200 baud a 20 ms poll sees at most ~230
 * characters, well inside the ring.
 *
 * Locking: input_lock guards the ring; taken with interrupts off (the
 * poll runs in the timer interrupt).
 */
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/event.h>
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <keel/timer.h>
#include <public/xen.h>

#define CONSOLE_POLL_MS   20
#define INPUT_RING_SIZE   1024     /* a power of two */

static char ring[INPUT_RING_SIZE];
static unsigned int ring_prod, ring_cons;   /* free-running; input_lock */
static spinlock_t input_lock = SPINLOCK_INIT;
static struct timer poll_timer;

static void poll_input(void *unused)
{
    unsigned long flags = spin_lock_irqsave(&input_lock);
    bool got = false;
    char c;

    (void)unused;
    while (ring_prod - ring_cons < INPUT_RING_SIZE && arch_console_read(&c)) {
        ring[ring_prod++ % INPUT_RING_SIZE] = c;
        got = true;
    }
    spin_unlock_irqrestore(&input_lock, flags);
    if (got && dom0)
        send_guest_global_virq(dom0, VIRQ_CONSOLE);
    timer_set(&poll_timer, now() + MILLISECS(CONSOLE_POLL_MS));
}

void console_input_start(void)
{
    timer_init(&poll_timer, poll_input, NULL, arch_cpu_id());
    timer_set(&poll_timer, now() + MILLISECS(CONSOLE_POLL_MS));
}

bool console_read_char(char *c)
{
    unsigned long flags = spin_lock_irqsave(&input_lock);
    bool got = ring_prod != ring_cons;

    if (got)
        *c = ring[ring_cons++ % INPUT_RING_SIZE];
    spin_unlock_irqrestore(&input_lock, flags);
    return got;
}
