/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor console: printk with log levels, line prefixes and the
 * panic path.
 *
 * Everything printed is also kept in a ring (the last CONSOLE_RING_SIZE
 * bytes) that the control domain reads with sysctl readconsole (xl dmesg).
 *
 * Locking: console_lock serialises whole messages so lines from different
 * CPUs do not interleave, and guards the ring. panic() takes it with a bounded wait and then
 * writes regardless: a CPU that died holding it must not silence the crash
 * report.
 */
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <keel/timer.h>

static spinlock_t console_lock = SPINLOCK_INIT;
static unsigned int console_loglevel = CONSOLE_DEFAULT_LOGLEVEL;
static bool at_line_start = true;
static bool panicking;

#define CONSOLE_RING_SIZE 16384     /* a power of two */
static char ring[CONSOLE_RING_SIZE];
/* Bytes ever written (ring_prod) and the oldest one readconsole still returns. */
static uint32_t ring_prod, ring_cleared;

/* Lock held. */
static void ring_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[ring_prod++ & (CONSOLE_RING_SIZE - 1)] = s[i];
}

/* The console output, to the machine's console and the ring. Lock held. */
static void console_out(const char *s, size_t n)
{
    arch_console_write(s, n);
    ring_write(s, n);
}

uint32_t console_ring_read(char *buf, uint32_t count, uint32_t *index, bool incremental,
                           bool clear)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);
    uint32_t oldest = ring_prod - CONSOLE_RING_SIZE;
    uint32_t start = incremental ? *index : ring_cleared;
    uint32_t n = 0;

    /* Unsigned distances: anything older than the ring holds or cleared is skipped. */
    if (ring_prod - start > ring_prod - ring_cleared)
        start = ring_cleared;
    if (ring_prod - start > CONSOLE_RING_SIZE)
        start = oldest;
    while (n < count && start + n != ring_prod) {
        buf[n] = ring[(start + n) & (CONSOLE_RING_SIZE - 1)];
        n++;
    }
    *index = start + n;
    if (clear)
        ring_cleared = start + n;
    spin_unlock_irqrestore(&console_lock, flags);
    return n;
}

void console_set_loglevel(unsigned int level)
{
    console_loglevel = level;
}

static unsigned int parse_level(const char **fmt)
{
    const char *f = *fmt;

    if (f[0] == '<' && f[1] >= '0' && f[1] <= '9' && f[2] == '>') {
        *fmt = f + 3;
        return (unsigned int)(f[1] - '0');
    }
    return 3; /* LOG_INFO */
}

/* Emits text, starting every line with tag. Lock held. */
static void emit_tagged(const char *tag, const char *s, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        if (at_line_start) {
            console_out(tag, strlen(tag));
            at_line_start = false;
        }
        if (s[i] == '\n') {
            console_out(s + start, i - start);
            console_out("\r\n", 2);
            start = i + 1;
            at_line_start = true;
        }
    }
    if (start < n)
        console_out(s + start, n - start);
}

static void emit(const char *s, size_t n)
{
    emit_tagged("(keel) ", s, n);
}

void console_guest_write(uint16_t domid, const char *buf, size_t len)
{
    char tag[16] = "";
    unsigned long flags;

    if (domid)
        snprintf(tag, sizeof(tag), "(d%u) ", domid);
    flags = spin_lock_irqsave(&console_lock);
    emit_tagged(tag, buf, len);
    spin_unlock_irqrestore(&console_lock, flags);
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    unsigned long flags;
    unsigned int level = parse_level(&fmt);
    int n;

    if (level > console_loglevel)
        return;
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(buf))
        n = sizeof(buf) - 1;
    flags = spin_lock_irqsave(&console_lock);
    emit(buf, (size_t)n);
    spin_unlock_irqrestore(&console_lock, flags);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/*
 * Token bucket for guest-triggered messages: a burst of RATELIMIT_BURST,
 * then RATELIMIT_PER_SEC a second. Racy updates between CPUs can only let
 * a message more or less through, which is harmless.
 */
#define RATELIMIT_BURST   10
#define RATELIMIT_PER_SEC 5

bool printk_ratelimit(void)
{
    static s_time_t last;
    static unsigned int tokens = RATELIMIT_BURST;
    static unsigned long suppressed;
    s_time_t t = now();
    unsigned int refill = (unsigned int)min((t - last) / (1000000000ULL / RATELIMIT_PER_SEC),
                                            (s_time_t)RATELIMIT_BURST);

    if (refill) {
        tokens = min(tokens + refill, (unsigned int)RATELIMIT_BURST);
        last = t;
    }
    if (!tokens) {
        suppressed++;
        return false;
    }
    tokens--;
    if (suppressed) {
        printk(LOG_WARN "(%lu guest messages suppressed)\n", suppressed);
        suppressed = 0;
    }
    return true;
}

void console_force_unlock(void)
{
    for (int spins = 0; spins < 1000000 && spin_is_locked(&console_lock); spins++)
        __builtin_ia32_pause();
    console_lock = (spinlock_t)SPINLOCK_INIT;
    console_loglevel = 9;
}

void panic(const char *fmt, ...)
{
    va_list ap;

    __asm__ volatile("cli");
    if (__atomic_exchange_n(&panicking, true, __ATOMIC_ACQ_REL))
        arch_power_off(POWER_OFF_FATAL); /* nested: the first report stands */
    console_force_unlock();
    printk("\n****************************************\n");
    printk("Panic on CPU%u: ", arch_cpu_id());
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n****************************************\n");
    arch_dump_stack();
    arch_power_off(POWER_OFF_FATAL);
}

void bug_at(const char *file, int line, const char *cond)
{
    panic("BUG at %s:%d: %s", file, line, cond);
}
