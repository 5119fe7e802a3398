/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors with INIT-SIPI-SIPI.
 *
 * APs start one at a time: the boot CPU publishes the AP's stack in
 * ap_boot_stack, sends the IPIs, and waits until the AP marks its
 * cpu_info online. Only then is the next AP started, so ap_boot_stack
 * needs no lock. An AP, once up, enters its idle loop and waits for work.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/config.h>
#include <asm/desc_setup.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <keel/arch.h>
#include <keel/buddy.h>
#include <keel/lib.h>
#include <keel/mm.h>
#include <keel/timer.h>

#define AP_START_TIMEOUT MILLISECS(5000)

unsigned int nr_cpus_online = 1;
struct cpu_info *cpu_infos[NR_CPUS];

unsigned int arch_nr_cpus(void)
{
    return nr_cpus_online;
}
unsigned long ap_boot_stack;   /* read by trampoline.S (ap_entry64) */

extern const char trampoline_start[], trampoline_end[];

void start_secondary(void);

void cpu_init(struct cpu_info *ci, uint64_t *gdt_page, struct tss64 *tss, unsigned long stack)
{
    cpu_desc_init(ci, gdt_page, tss, stack, ci->gdt_window);
    syscall_msrs_init();
    pv_syscall_stubs_load(ci);
    wrmsr(MSR_PAT, KEEL_PAT);
    wrmsr(MSR_FS_BASE, 0);
    wrmsr(MSR_GS_BASE, 0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    apic_cpu_init();
    ci->apic_id = apic_id();
}

/* Zeroed pages below 4 GiB, where boot_l4 (the AP's first page tables) maps them. */
static void *alloc_low_pages(unsigned int order)
{
    return alloc_xenheap_pages_below(order, 1UL << (32 - PAGE_SHIFT));
}

/* Runs on the AP, on its own stack, still on boot_l4. */
void start_secondary(void)
{
    struct cpu_info *ci = get_cpu_info();
    unsigned long stack = current_stack_base();

    write_cr3(__pa(idle_l4));
    cpu_init(ci, ci->gdt, ci->tss, stack);
    ci->tsc_khz = tsc_khz;
    /* Release pairs with the acquire in start_one_cpu(). */
    __atomic_store_n(&ci->online, true, __ATOMIC_RELEASE);
    arch_idle();
}

static bool start_one_cpu(unsigned int cpu, uint32_t apic)
{
    void *stack = alloc_low_pages(STACK_ORDER);
    uint64_t *gdt = alloc_low_pages(0);
    struct tss64 *tss = alloc_low_pages(0);
    struct cpu_info *ci;
    s_time_t deadline;

    if (!stack || !gdt || !tss) {
        printk(LOG_WARN "CPU%u: out of memory for its stack and tables\n", cpu);
        return false;
    }
    ci = stack_cpu_info(stack);
    ci->cpu_id = cpu;
    ci->gdt = gdt;
    ci->tss = tss;
    ci->syscall_stubs = pv_syscall_stubs_create(ci);
    ci->gdt_window = gdt_window_create(cpu, gdt);
    ap_boot_stack = (unsigned long)stack + STACK_START_OFFSET;
    cpu_infos[cpu] = ci;

    apic_send_init(apic);
    deadline = now() + MILLISECS(10);
    while (now() < deadline)
        cpu_relax();
    for (int i = 0; i < 2; i++) {
        apic_send_startup(apic, trampoline_phys >> PAGE_SHIFT);
        deadline = now() + MICROSECS(200);
        while (now() < deadline)
            cpu_relax();
    }
    deadline = now() + AP_START_TIMEOUT;
    while (!__atomic_load_n(&ci->online, __ATOMIC_ACQUIRE)) {
        if (now() > deadline) {
            printk(LOG_WARN "CPU%u (APIC ID %u) did not start\n", cpu, apic);
            /* Its memory stays allocated: the AP might still wake up and use it. */
            return false;
        }
        cpu_relax();
    }
    printk("CPU%u: online (APIC ID %u)\n", cpu, ci->apic_id);
    return true;
}

void smp_boot_cpus(unsigned int max_cpus)
{
    uint32_t self = apic_id();
    unsigned int cpu = 1;

    memcpy(__va(trampoline_phys), trampoline_start, trampoline_end - trampoline_start);
    for (unsigned int i = 0; i < acpi_info.nr_cpus && cpu < min(max_cpus, (unsigned int)NR_CPUS); i++) {
        if (acpi_info.cpu_apic_ids[i] == self)
            continue;
        if (start_one_cpu(cpu, acpi_info.cpu_apic_ids[i])) {
            cpu++;
            nr_cpus_online++;
        }
    }
}
