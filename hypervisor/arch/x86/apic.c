/* SPDX-License-Identifier: MIT */
/*
 * Local APIC access. x2APIC mode (MSRs) is used whenever the CPU supports
 * it; otherwise the xAPIC page is mapped uncached through ioremap(). The
 * mode is chosen once on the boot CPU and every CPU follows it.
 * The timer runs in one-shot mode with divide-by-1, counting bus clocks.
 */
#include <asm/apic.h>
#include <asm/io.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/traps.h>
#include <keel/lib.h>

#define APIC_ID         0x020
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define  SVR_ENABLE     0x100
#define APIC_ICR        0x300
#define APIC_ICR2       0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0
#define  TDCR_DIV_1     0xb
#define LVT_MASKED      (1u << 16)

#define ICR_DELIVERY_NMI        (4u << 8)
#define ICR_DELIVERY_INIT       (5u << 8)
#define ICR_DELIVERY_STARTUP    (6u << 8)
#define ICR_BUSY                (1u << 12)
#define ICR_LEVEL_ASSERT        (1u << 14)

static bool x2apic;
static volatile uint32_t *xapic_regs;

bool apic_x2apic_mode(void)
{
    return x2apic;
}

static uint32_t apic_read(unsigned int reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(0x800 + (reg >> 4));
    return xapic_regs[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t val)
{
    if (x2apic)
        wrmsr(0x800 + (reg >> 4), val);
    else
        xapic_regs[reg / 4] = val;
}

static void apic_send_ipi(uint32_t dest, uint32_t icr)
{
    if (x2apic) {
        /* Order earlier memory writes before the IPI (WRMSR to x2APIC is not serialising). */
        __asm__ volatile("mfence" ::: "memory");
        wrmsr(0x800 + (APIC_ICR >> 4), ((uint64_t)dest << 32) | icr);
        return;
    }
    apic_write(APIC_ICR2, dest << 24);
    apic_write(APIC_ICR, icr);
    for (int spins = 0; spins < 1000000 && (apic_read(APIC_ICR) & ICR_BUSY); spins++)
        cpu_relax();
}

static void spurious_interrupt(struct cpu_regs *regs)
{
    (void)regs;
}

/*
 * Silence the legacy 8259 PICs: remap them away from the exception vectors
 * (in case one fires before the mask lands) and mask every line. The local
 * APIC is Keel's only interrupt source.
 */
static void i8259_disable(void)
{
    static const struct { uint16_t cmd, data; uint8_t base, cascade; } pics[] = {
        { 0x20, 0x21, 0x20, 0x04 },   /* master: vectors 0x20-0x27, slave on IRQ2 */
        { 0xa0, 0xa1, 0x28, 0x02 },   /* slave: vectors 0x28-0x2f, cascade identity 2 */
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(pics); i++) {
        outb(pics[i].cmd, 0x11);          /* ICW1: init, ICW4 follows */
        outb(pics[i].data, pics[i].base); /* ICW2: vector base */
        outb(pics[i].data, pics[i].cascade);
        outb(pics[i].data, 0x01);         /* ICW4: 8086 mode */
        outb(pics[i].data, 0xff);         /* mask everything */
    }
}

void apic_early_init(void)
{
    uint32_t a, b, c, d;
    uint64_t base = rdmsr(MSR_APIC_BASE);

    cpuid(1, &a, &b, &c, &d);
    if (!(d & (1u << 9)))
        panic("this CPU has no local APIC");
    i8259_disable();
    x2apic = c & (1u << 21);
    if (!x2apic)
        xapic_regs = ioremap(base & APIC_BASE_ADDR_MASK, PAGE_SIZE);
    set_irq_handler(SPURIOUS_VECTOR, spurious_interrupt);
}

void apic_cpu_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE) | APIC_BASE_ENABLE;

    if (x2apic)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);
    apic_write(APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_LVT_LINT0, LVT_MASKED);
    apic_write(APIC_LVT_LINT1, LVT_MASKED);
    apic_write(APIC_LVT_ERROR, LVT_MASKED);
    apic_write(APIC_TDCR, TDCR_DIV_1);
    apic_write(APIC_TMICT, 0);
}

uint32_t apic_id(void)
{
    return x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_timer_oneshot(uint32_t ticks)
{
    apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
    apic_write(APIC_TMICT, ticks);
}

uint32_t apic_timer_current(void)
{
    return apic_read(APIC_TMCCT);
}

void apic_timer_start_calibration(void)
{
    apic_write(APIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
    apic_write(APIC_TMICT, 0xffffffff);
}

void apic_send_init(uint32_t id)
{
    apic_send_ipi(id, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_startup(uint32_t id, unsigned int vector)
{
    apic_send_ipi(id, ICR_DELIVERY_STARTUP | ICR_LEVEL_ASSERT | (vector & 0xff));
}

void apic_send_fixed(uint32_t id, unsigned int vector)
{
    apic_send_ipi(id, ICR_LEVEL_ASSERT | (vector & 0xff));
}

void apic_send_nmi(uint32_t id)
{
    apic_send_ipi(id, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT);
}
