/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables: the per-CPU reserved GDT page and TSS, the shared IDT,
 * and the SYSCALL selector and flag-mask MSRs (the entry points are per-CPU
 * stubs, pv/syscall_stub.c).
 *
 * Each CPU's GDT is a 64 KiB window (GDT_WINDOWS_VIRT_START + cpu * 64 KiB):
 * pages 0-13 are the guest's part (a read-only zero page until a guest
 * installs its own GDT frames there), page 14 is the CPU's reserved page.
 * A selector below 0xe000 therefore always names a descriptor Keel
 * controls: zero (not present) or the guest's validated ones. Each CPU has
 * its own reserved page because the busy TSS descriptor differs. Before
 * memory is set up the boot CPU runs on a plain GDT of only the reserved
 * page (no guest runs then).
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/processor.h>
#include <asm/regs.h>
#include <keel/lib.h>
#include <keel/mm.h>

#include <asm/desc_setup.h>

/* 64-bit gate descriptor types and attributes. */
#define GATE_INTERRUPT   0xe
#define GATE_PRESENT     0x80
#define GATE_DPL(d)      ((d) << 5)

/* Code/data descriptors (accessed bit pre-set so the CPU never writes them). */
#define DESC_CODE64_R0   0x00af9b000000ffffUL
#define DESC_DATA_R0     0x00cf93000000ffffUL
#define DESC_CODE32_R3   0x00cffb000000ffffUL
#define DESC_DATA_R3     0x00cff3000000ffffUL
#define DESC_CODE64_R3   0x00affb000000ffffUL
#define DESC_CODE32_R0   0x00cf9b000000ffffUL
#define DESC_TSS_AVAIL   0x89UL

/* RFLAGS bits cleared on SYSCALL entry into the hypervisor. */
#define SYSCALL_RFLAGS_MASK (X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF | \
                             X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_IOPL)

struct gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct gate) == 16, "IDT gate");

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(PAGE_SIZE)));

extern const char trap_stubs[];

static void set_gate(unsigned int vec, unsigned int dpl, unsigned int ist)
{
    unsigned long addr = (unsigned long)trap_stubs + vec * TRAP_STUB_SIZE;

    idt[vec] = (struct gate){
        .offset_low = (uint16_t)addr,
        .selector = __HYPERVISOR_CS64,
        .ist = (uint8_t)ist,
        .type_attr = GATE_PRESENT | GATE_DPL(dpl) | GATE_INTERRUPT,
        .offset_mid = (uint16_t)(addr >> 16),
        .offset_high = (uint32_t)(addr >> 32),
    };
}

void idt_init(void)
{
    for (unsigned int v = 0; v < 256; v++)
        set_gate(v, 0, 0);
    /* int3 and into may be raised from guest mode. */
    set_gate(3, 3, 0);
    set_gate(4, 3, 0);
    set_gate(2, 0, IST_NMI);
    set_gate(8, 0, IST_DF);
    set_gate(18, 0, IST_MCE);
}

static void write_tss_descriptor(uint64_t *slot, const struct tss64 *tss)
{
    unsigned long base = (unsigned long)tss;
    unsigned long limit = sizeof(*tss) - 1;

    slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (DESC_TSS_AVAIL << 40) |
              (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    slot[1] = base >> 32;
}

static void load_gdt(unsigned long base)
{
    struct desc_ptr gdtr = {
        .limit = FIRST_RESERVED_GDT_BYTE + PAGE_SIZE - 1,
        .base = base,
    };

    __asm__ volatile("lgdt %0" :: "m"(gdtr));
}

static unsigned long zero_page;

unsigned long gdt_zero_page_pa(void)
{
    return zero_page;
}

unsigned long gdt_window_create(unsigned int cpu, uint64_t *gdt_page)
{
    unsigned long va = GDT_WINDOWS_VIRT_START + cpu * GDT_WINDOW_SIZE;

    if (!zero_page) {
        void *z = alloc_xenheap_pages(0);

        if (!z)
            panic("no memory for the guest GDT zero page");
        zero_page = __pa(z);
    }
    for (unsigned int i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        map_pages(va + i * PAGE_SIZE, zero_page, 1, PAGE_HYPERVISOR_RO);
    map_pages(va + FIRST_RESERVED_GDT_BYTE, __pa(gdt_page), 1, PAGE_HYPERVISOR_RW);
    return va;
}

void gdt_window_load(unsigned long window)
{
    load_gdt(window);
}

void cpu_desc_init(struct cpu_info *ci, uint64_t *gdt_page, struct tss64 *tss,
                   unsigned long stack_base, unsigned long gdt_window)
{
    struct desc_ptr idtr;

    memset(gdt_page, 0, PAGE_SIZE);
    memset(tss, 0, sizeof(*tss));
    gdt_page[GDT_SLOT(__HYPERVISOR_CS64)] = DESC_CODE64_R0;
    gdt_page[GDT_SLOT(__HYPERVISOR_DS)] = DESC_DATA_R0;
    gdt_page[GDT_SLOT(FLAT_RING3_CS32)] = DESC_CODE32_R3;
    gdt_page[GDT_SLOT(FLAT_RING3_DS32)] = DESC_DATA_R3;
    gdt_page[GDT_SLOT(FLAT_RING3_CS64)] = DESC_CODE64_R3;
    gdt_page[GDT_SLOT(0xe038)] = DESC_CODE32_R0;

    /* IST stacks occupy the bottom pages of the CPU's stack block. */
    tss->ist[IST_DF - 1] = stack_base + IST_DF * PAGE_SIZE;
    tss->ist[IST_NMI - 1] = stack_base + IST_NMI * PAGE_SIZE;
    tss->ist[IST_MCE - 1] = stack_base + IST_MCE * PAGE_SIZE;
    tss->rsp[0] = (unsigned long)ci;
    tss->iomap_base = sizeof(*tss);   /* no I/O bitmap: ring 3 port access faults */
    write_tss_descriptor(&gdt_page[GDT_SLOT(TSS_SELECTOR)], tss);

    ci->gdt = gdt_page;
    ci->tss = tss;

    load_gdt(gdt_window ? gdt_window : (unsigned long)gdt_page - FIRST_RESERVED_GDT_BYTE);
    /* Reload every segment register from the new table. */
    __asm__ volatile(
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "mov %[ds], %%eax\n\t"
        "mov %%eax, %%ss\n\t"
        "xor %%eax, %%eax\n\t"
        "mov %%eax, %%ds\n\t"
        "mov %%eax, %%es\n\t"
        "mov %%eax, %%fs\n\t"
        "mov %%eax, %%gs\n\t"
        :: [cs] "i"(__HYPERVISOR_CS64), [ds] "i"(__HYPERVISOR_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" :: "r"(TSS_SELECTOR));

    idtr.limit = sizeof(idt) - 1;
    idtr.base = (unsigned long)idt;
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

void syscall_msrs_init(void)
{
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)__HYPERVISOR_CS64 << 32));
    wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
}
