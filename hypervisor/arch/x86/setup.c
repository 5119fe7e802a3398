/* SPDX-License-Identifier: MIT */
/*
 * The boot CPU's path from head.S to a running system, in order: console,
 * boot information, command line, CPU tables, memory, ACPI, APIC and time,
 * the other CPUs, then whatever there is to run.
 */
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/config.h>
#include <asm/desc_setup.h>
#include <asm/ipi.h>
#include <asm/mm.h>
#include <asm/multiboot.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <asm/pv/dom0_build.h>
#include <asm/pv/pv.h>
#include <asm/serial.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/cmdline.h>
#include <keel/grant_table.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/sched.h>
#include <public/xen.h>

unsigned char cpu0_stack[STACK_SIZE] __attribute__((aligned(STACK_SIZE), section(".bss.page_aligned")));
static uint64_t cpu0_gdt[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE), section(".bss.page_aligned")));
static struct tss64 cpu0_tss __attribute__((aligned(128)));

/* Command-line options. */
static uint16_t opt_console_port = COM1_PORT;
static unsigned int opt_loglvl = CONSOLE_DEFAULT_LOGLEVEL;
static unsigned int opt_maxcpus = NR_CPUS;
unsigned int opt_dom0_max_vcpus;
struct cmdline_size_range opt_dom0_mem = {
    CMDLINE_SIZE_UNSET, CMDLINE_SIZE_UNSET, CMDLINE_SIZE_UNSET
};
static char opt_test_fault[8];
/* dom0's credit-scheduler weight and cap (% of one CPU, 0 = none): keel/sched.h. */
static unsigned int opt_dom0_weight = 256;
static unsigned int opt_dom0_cap;

/* "console=" takes a comma-separated list, as Xen's does: com1, com2, none. */
static int parse_console(const char *value)
{
    uint16_t port = 0;

    if (!value || !*value)
        return -EINVAL;
    for (const char *p = value; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == 4 && !strncmp(p, "com1", 4))
            port = port ? port : COM1_PORT;
        else if (len == 4 && !strncmp(p, "com2", 4))
            port = port ? port : COM2_PORT;
        else if (len == 3 && !strncmp(p, "vga", 3))
            printk(LOG_WARN "console: Keel has no VGA console; 'vga' ignored\n");
        else if (!(len == 4 && !strncmp(p, "none", 4)))
            return -EINVAL;
        p += len + (end ? 1 : 0);
    }
    opt_console_port = port;
    return 0;
}

static const struct cmdline_param keel_params[] = {
    CMDLINE_PARAM_CUSTOM("console", parse_console),
    CMDLINE_PARAM_UINT("loglvl", &opt_loglvl, 0, 9),
    CMDLINE_PARAM_UINT("maxcpus", &opt_maxcpus, 1, NR_CPUS),
    CMDLINE_PARAM_UINT("dom0_max_vcpus", &opt_dom0_max_vcpus, 1, XEN_LEGACY_MAX_VCPUS),
    CMDLINE_PARAM_SIZE_RANGE("dom0_mem", &opt_dom0_mem),
    CMDLINE_PARAM_UINT("dom0_weight", &opt_dom0_weight, 1, 65535),
    CMDLINE_PARAM_UINT("dom0_cap", &opt_dom0_cap, 0, 100 * NR_CPUS),
    /* Grant-table frames a domain may have (Xen's option and default, 64). */
    CMDLINE_PARAM_UINT("gnttab_max_frames", &opt_gnttab_max_frames, 1, GNTTAB_MAX_FRAMES_LIMIT),
    /* Test only: make the hypervisor fault on purpose (pf, gp, ud, de). */
    CMDLINE_PARAM_STRING("test_fault", opt_test_fault),
    /* Test only: enable keel_test_op (common/test_hypercall.c). */
    CMDLINE_PARAM_BOOL("test_hypercalls", &opt_test_hypercalls),
};

/*
 * Multiboot loaders put the image's path first (QEMU always, GRUB for
 * multiboot1); a first word without '=' that names a file is not an option.
 */
static const char *skip_image_name(const char *cmdline)
{
    const char *end = cmdline;
    bool is_path = false;

    while (*end && *end != ' ') {
        if (*end == '/' || *end == '=')
            is_path = *end == '/';
        if (*end == '=')
            return cmdline;
        end++;
    }
    if (!is_path && !(end - cmdline > 4 && !strncmp(end - 4, ".elf", 4)))
        return cmdline;
    while (*end == ' ')
        end++;
    return end;
}

void __attribute__((noinline)) trigger_test_fault(const char *kind);
void __attribute__((noinline)) trigger_test_fault(const char *kind)
{
    unsigned long unmapped = 0x8, non_canonical = 0x8000000000000000UL;

    /* Hide the addresses from the optimiser, which would reject or drop the stores. */
    __asm__ volatile("" : "+r"(unmapped), "+r"(non_canonical));
    printk("Test fault requested: %s\n", kind);
    if (!strcmp(kind, "pf"))
        *(volatile uint64_t *)unmapped = 0;
    else if (!strcmp(kind, "gp"))
        *(volatile uint64_t *)non_canonical = 0;
    else if (!strcmp(kind, "ud"))
        __asm__ volatile("ud2");
    else if (!strcmp(kind, "de"))
        __asm__ volatile("xor %%ecx, %%ecx; div %%ecx" ::: "eax", "ecx", "edx");
    printk(LOG_WARN "test_fault=%s: unknown kind (pf, gp, ud, de): ignored\n", kind);
}

/* Build dom0 and run it on this CPU; stops the machine if that fails. */
static void __noreturn start_dom0(void)
{
    static struct cpu_regs regs;
    struct vcpu *v;
    int rc = dom0_build(&v, &regs);

    if (rc) {
        printk(LOG_ERR "Cannot build dom0 (error %d): nothing to run.\n", rc);
        arch_power_off(POWER_OFF_FATAL);
    }
    /* The cap's upper bound depends on the CPUs that came up: checked here. */
    rc = sched_set_domain_params(v->domain, opt_dom0_weight, opt_dom0_cap);
    if (rc)
        printk(LOG_WARN "dom0_weight=%u dom0_cap=%u refused (error %d; the cap is at most "
                        "100 x %u CPUs): dom0 keeps weight 256, no cap\n",
               opt_dom0_weight, opt_dom0_cap, rc, nr_cpus_online);
    else if (opt_dom0_weight != 256 || opt_dom0_cap)
        printk("Dom0 scheduling: weight %u, cap %u%%\n", opt_dom0_weight, opt_dom0_cap);
    pv_update_wallclock(v->domain);
    console_input_start();
    pv_start_vcpu(v, &regs);
    arch_idle();
}

void start_keel(uint32_t magic, uint32_t mbi_pa);

void start_keel(uint32_t magic, uint32_t mbi_pa)
{
    struct cpu_info *ci = get_cpu_info();
    const char *options;

    serial_init(COM1_PORT);
    printk("Keel %s starting\n", KEEL_VERSION);
    if (multiboot_parse(magic, mbi_pa))
        panic("entered with boot magic %#x: boot Keel with multiboot or multiboot2", magic);
    printk("Loaded by %s (%s)\n", boot_info.loader[0] ? boot_info.loader : "an unnamed loader",
           boot_info.protocol);
    options = skip_image_name(boot_info.cmdline);
    printk("Command line: %s\n", options);
    cmdline_parse(options, keel_params, ARRAY_SIZE(keel_params));
    console_set_loglevel(opt_loglvl);
    if (opt_console_port != COM1_PORT)
        serial_init(opt_console_port);

    idt_init();
    ci->cpu_id = 0;
    cpu_infos[0] = ci;
    cpu_init(ci, cpu0_gdt, &cpu0_tss, (unsigned long)cpu0_stack);
    ci->online = true;

    mm_init();
    pv_mm_setup();
    ci->syscall_stubs = pv_syscall_stubs_create(ci);
    pv_syscall_stubs_load(ci);
    ci->gdt_window = gdt_window_create(0, cpu0_gdt);
    gdt_window_load(ci->gdt_window);
    acpi_init();
    apic_early_init();
    apic_cpu_init();
    ci->apic_id = apic_id();
    time_init();
    ipi_init();
    time_selftest();
    smp_boot_cpus(opt_maxcpus);
    scheduler_init(nr_cpus_online);
    domain_subsys_init();

    printk("Keel %s ready: %u CPU%s online, %lu MiB RAM, TSC %lu kHz\n", KEEL_VERSION,
           nr_cpus_online, nr_cpus_online == 1 ? "" : "s", (unsigned long)(total_ram_bytes >> 20),
           (unsigned long)tsc_khz);

    if (opt_test_fault[0])
        trigger_test_fault(opt_test_fault);

    if (!boot_info.nr_modules) {
        printk("No dom0 kernel given: nothing to run.\n");
        arch_power_off(POWER_OFF_CLEAN);
    }
    start_dom0();
}

unsigned int arch_cpu_id(void)
{
    return get_cpu_info()->cpu_id;
}
