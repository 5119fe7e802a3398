/* SPDX-License-Identifier: MIT */
/*
 * System time and the per-CPU one-shot timer.
 *
 * System time (ns since boot) is derived from the TSC, which must run at a
 * constant rate; the scale is measured once against PIT channel 2. The
 * local APIC timer, measured over the same interval, provides the one-shot
 * interrupt. Every CPU shares the scale (the calibration constants are
 * written once by the boot CPU before others start and are read-only
 * after).
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <asm/rtc.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <keel/lib.h>
#include <keel/timer.h>

#define PIT_HZ          1193182UL
#define PIT_CH2_DATA    0x42
#define PIT_MODE        0x43
#define PIT_GATE_PORT   0x61
#define  GATE_CH2       0x01
#define  SPEAKER        0x02
#define  OUT_CH2        0x20
#define CALIBRATE_MS    50

uint64_t tsc_khz;
static uint64_t tsc_at_boot;
static uint64_t ns_per_tsc_mul;     /* ns = (delta * mul) >> 32 */
static uint64_t boot_unix_ns;       /* wall-clock time at system time 0 */
static uint64_t apic_ticks_per_ms;

void time_pvclock_params(uint32_t *mul, int8_t *shift)
{
    uint64_t m = ns_per_tsc_mul;
    int8_t sh = 0;

    /* ns = ((tsc delta << shift) * mul) >> 32 with mul in 32 bits. */
    while (m >= (1ULL << 32)) {
        m >>= 1;
        sh++;
    }
    *mul = (uint32_t)m;
    *shift = sh;
}

s_time_t tsc_to_system_time(uint64_t tsc)
{
    return (s_time_t)(((unsigned __int128)(tsc - tsc_at_boot) * ns_per_tsc_mul) >> 32);
}

uint64_t wallclock_at_boot_ns(void)
{
    return boot_unix_ns;
}

s_time_t now(void)
{
    return (s_time_t)(((unsigned __int128)(rdtsc() - tsc_at_boot) * ns_per_tsc_mul) >> 32);
}

/* Busy-wait CALIBRATE_MS on PIT channel 2; returns false if it never ends. */
static bool pit_wait(void)
{
    uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);

    outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~SPEAKER) | GATE_CH2);
    outb(PIT_MODE, 0xb0);   /* channel 2, lobyte/hibyte, mode 0 */
    outb(PIT_CH2_DATA, count & 0xff);
    outb(PIT_CH2_DATA, count >> 8);
    for (unsigned long spins = 0; spins < 1000000000UL; spins++)
        if (inb(PIT_GATE_PORT) & OUT_CH2)
            return true;
    return false;
}

static void timer_interrupt(struct cpu_regs *regs)
{
    (void)regs;
    apic_eoi();
    timer_run_expired();
}

void arch_timer_program(s_time_t deadline)
{
    s_time_t t = now();
    uint64_t ticks;

    if (!deadline) {
        apic_timer_oneshot(0);
        return;
    }
    /* A past deadline still needs an interrupt: the shortest one. */
    ticks = deadline > t ? (deadline - t) * apic_ticks_per_ms / 1000000 : 1;
    apic_timer_oneshot((uint32_t)min(max(ticks, (uint64_t)1), (uint64_t)UINT32_MAX));
}

void time_init(void)
{
    uint64_t t0, t1;
    uint32_t apic0, apic1;

    apic_timer_start_calibration();
    /* Let the PIT gate settle before measuring. */
    outb(PIT_GATE_PORT, inb(PIT_GATE_PORT) & ~GATE_CH2);
    t0 = rdtsc();
    apic0 = apic_timer_current();
    if (!pit_wait())
        panic("PIT channel 2 never counted down: cannot calibrate the TSC");
    t1 = rdtsc();
    apic1 = apic_timer_current();

    tsc_khz = (t1 - t0) / CALIBRATE_MS;
    apic_ticks_per_ms = (apic0 - apic1) / CALIBRATE_MS;
    if (!tsc_khz || !apic_ticks_per_ms)
        panic("TSC or APIC timer did not advance during calibration");
    ns_per_tsc_mul = (uint64_t)(((unsigned __int128)1000000 << 32) / tsc_khz);
    tsc_at_boot = rdtsc();
    get_cpu_info()->tsc_khz = tsc_khz;
    boot_unix_ns = rtc_unix_time() * 1000000000ULL;
    set_irq_handler(TIMER_VECTOR, timer_interrupt);
    apic_timer_oneshot(0);
    printk("TSC: %lu.%03lu MHz, APIC timer: %lu kHz (calibrated against the PIT)\n",
           (unsigned long)(tsc_khz / 1000), (unsigned long)(tsc_khz % 1000),
           (unsigned long)apic_ticks_per_ms);
}

static void selftest_fired(void *data)
{
    *(s_time_t *)data = now();
}

void time_selftest(void)
{
    struct timer t;
    s_time_t start, fired = 0;

    timer_init(&t, selftest_fired, &fired, arch_cpu_id());
    start = now();
    timer_set(&t, start + MILLISECS(10));
    local_irq_enable();
    while (!__atomic_load_n(&fired, __ATOMIC_ACQUIRE) && now() - start < MILLISECS(5000))
        cpu_relax();
    local_irq_disable();
    if (!fired)
        panic("the one-shot timer did not fire within 5 s");
    printk("Timer: one-shot fired after %lu us\n", (unsigned long)((fired - start) / 1000));
}
