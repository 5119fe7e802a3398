/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt dispatch. An exception raised by the hypervisor
 * itself is a bug: it is reported with the registers, control registers and
 * a backtrace, every other CPU is stopped, and the machine powers off.
 * Interrupt vectors go to the handler registered for them.
 *
 * Invariant: irq_handlers[] is written only during boot, before interrupts
 * are enabled on any CPU, and read-only afterwards.
 */
#include <asm/apic.h>
#include <asm/percpu.h>
#include <asm/extable.h>
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/smp.h>
#include <asm/traps.h>
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/symbols.h>

static irq_handler_t irq_handlers[256];
static bool cpus_stopping;

static const char *const trap_names[32] = {
    [TRAP_DIVIDE_ERROR] = "#DE divide error",
    [TRAP_DEBUG] = "#DB debug",
    [TRAP_NMI] = "NMI",
    [TRAP_INT3] = "#BP breakpoint",
    [TRAP_OVERFLOW] = "#OF overflow",
    [TRAP_BOUNDS] = "#BR bound range",
    [TRAP_INVALID_OP] = "#UD invalid opcode",
    [TRAP_NO_DEVICE] = "#NM device not available",
    [TRAP_DOUBLE_FAULT] = "#DF double fault",
    [TRAP_INVALID_TSS] = "#TS invalid TSS",
    [TRAP_NO_SEGMENT] = "#NP segment not present",
    [TRAP_STACK_ERROR] = "#SS stack fault",
    [TRAP_GP_FAULT] = "#GP general protection",
    [TRAP_PAGE_FAULT] = "#PF page fault",
    [TRAP_X87_ERROR] = "#MF x87 error",
    [TRAP_ALIGNMENT] = "#AC alignment check",
    [TRAP_MACHINE_CHECK] = "#MC machine check",
    [TRAP_SIMD_ERROR] = "#XM SIMD error",
};

void set_irq_handler(unsigned int vector, irq_handler_t handler)
{
    BUG_ON(vector < FIRST_IRQ_VECTOR || vector > 255);
    irq_handlers[vector] = handler;
}

static void print_frame(unsigned long addr)
{
    char name[64];
    unsigned long offset;

    if (symbol_lookup(addr, name, sizeof(name), &offset))
        printk("  [<%016lx>] %s+%#lx\n", addr, name, offset);
    else
        printk("  [<%016lx>] ?\n", addr);
}

/*
 * Walks saved frame pointers. Every frame must lie inside this CPU's stack
 * block and move strictly upwards, so a corrupt chain ends the walk instead
 * of faulting.
 */
static void backtrace(unsigned long rip, unsigned long rbp)
{
    unsigned long lo = current_stack_base(), hi = lo + STACK_SIZE;

    printk("Backtrace:\n");
    print_frame(rip);
    for (int depth = 0; depth < 32; depth++) {
        const unsigned long *frame = (const unsigned long *)rbp;

        if (rbp < lo || rbp + 16 > hi || (rbp & 7))
            break;
        if (!frame[1])
            break;
        print_frame(frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

void arch_dump_stack(void)
{
    backtrace((unsigned long)__builtin_return_address(0),
              (unsigned long)__builtin_frame_address(0));
}

static void dump_registers(const struct cpu_regs *r)
{
    printk("RIP:    %04lx:[<%016lx>]  RFLAGS: %016lx  %s\n", r->cs, r->rip, r->rflags,
           regs_from_guest(r) ? "(guest)" : "(hypervisor)");
    printk("RAX: %016lx  RBX: %016lx  RCX: %016lx\n", r->rax, r->rbx, r->rcx);
    printk("RDX: %016lx  RSI: %016lx  RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
    printk("RBP: %016lx  RSP: %016lx  R8:  %016lx\n", r->rbp, r->rsp, r->r8);
    printk("R9:  %016lx  R10: %016lx  R11: %016lx\n", r->r9, r->r10, r->r11);
    printk("R12: %016lx  R13: %016lx  R14: %016lx\n", r->r12, r->r13, r->r14);
    printk("R15: %016lx  SS: %04lx\n", r->r15, r->ss);
    printk("CR0: %016lx  CR2: %016lx  CR3: %016lx  CR4: %016lx\n", read_cr0(), read_cr2(),
           read_cr3(), read_cr4());
}

static void __noreturn fatal_trap(const struct cpu_regs *regs)
{
    unsigned int vec = regs->entry_vector;

    local_irq_disable();
    console_force_unlock();
    stop_other_cpus();
    printk("*** Fatal exception in hypervisor on CPU%u: %s (vector %u), error code 0x%x ***\n",
           arch_cpu_id(), vec < 32 && trap_names[vec] ? trap_names[vec] : "reserved", vec,
           regs->error_code);
    if (vec == TRAP_PAGE_FAULT)
        printk("Faulting address (CR2): %016lx (%s, %s, %s)\n", read_cr2(),
               regs->error_code & 1 ? "protection violation" : "not present",
               regs->error_code & 2 ? "write" : "read",
               regs->error_code & 16 ? "instruction fetch" : "data access");
    dump_registers(regs);
    backtrace(regs->rip, regs->rbp);
    arch_power_off(POWER_OFF_FATAL);
}

static void __noreturn stop_this_cpu(void)
{
    get_cpu_info()->online = false;
    for (;;)
        __asm__ volatile("cli; hlt");
}

/*
 * Only CPUs Keel started get the NMI: a CPU still parked in firmware has no
 * IDT to take it and would triple-fault the machine.
 */
void stop_other_cpus(void)
{
    __atomic_store_n(&cpus_stopping, true, __ATOMIC_SEQ_CST);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
        const struct cpu_info *ci = cpu_infos[cpu];

        if (ci && cpu != arch_cpu_id() && __atomic_load_n(&ci->online, __ATOMIC_ACQUIRE))
            apic_send_nmi(ci->apic_id);
    }
}

void do_trap(struct cpu_regs *regs)
{
    unsigned int vec = regs->entry_vector;

    if (vec == TRAP_NMI && __atomic_load_n(&cpus_stopping, __ATOMIC_SEQ_CST))
        stop_this_cpu();
    if (vec >= FIRST_IRQ_VECTOR) {
        irq_handler_t h = irq_handlers[vec];

        if (h)
            h(regs);
        else
            printk(LOG_WARN "CPU%u: unexpected interrupt, vector %u\n", arch_cpu_id(), vec);
        if (regs_from_guest(regs))
            pv_return_to_guest(regs);
        return;
    }
    if (regs_from_guest(regs)) {
        pv_handle_exception(regs);
        pv_return_to_guest(regs);
    }
    if (extable_fixup(regs))
        return;
    fatal_trap(regs);
}
