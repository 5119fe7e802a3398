/* SPDX-License-Identifier: MIT */
/*
 * SYSCALL from a PV guest. From guest kernel mode it is a hypercall: RAX
 * holds the number, RDI, RSI, RDX, R10, R8 the arguments, and the result
 * goes back in RAX; every other register is preserved (RCX and R11 are the
 * instruction's own). From guest user mode it is the guest's own system
 * call, bounced to the kernel's syscall callback.
 *
 * A continuation rewinds RIP over the 2-byte SYSCALL and rewrites the
 * argument registers, so the guest re-issues the rest of the work.
 */
#include <asm/processor.h>
#include <asm/pv/pv.h>
#include <asm/traps.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <public/xen.h>

#define SYSCALL_INSN_LEN 2

void do_syscall(struct cpu_regs *regs);

long hypercall_continue(unsigned long nr, unsigned long a1, unsigned long a2,
                        unsigned long a3, unsigned long a4, unsigned long a5)
{
    struct cpu_regs *regs = guest_regs();

    regs->rip -= SYSCALL_INSN_LEN;
    regs->rdi = a1;
    regs->rsi = a2;
    regs->rdx = a3;
    regs->r10 = a4;
    regs->r8 = a5;
    /* do_syscall() stores the return value in RAX: the number to re-issue. */
    return (long)nr;
}

static void bounce_user_syscall(struct vcpu *v, struct cpu_regs *regs)
{
    const struct pv_callback *cb = regs->entry_vector == TRAP_SYSCALL32 ?
                                   &v->arch->syscall32_callback : &v->arch->syscall_callback;

    if (!cb->address) {
        /* As Xen: no callback makes SYSCALL an invalid opcode for the guest. */
        regs->rip -= SYSCALL_INSN_LEN;
        pv_inject_trap(regs, TRAP_INVALID_OP, false, 0);
    } else {
        pv_inject_callback(regs, cb);
    }
    /* Xen's virtual SFMASK: the kernel is entered with DF clear (the frame keeps the user's). */
    regs->rflags &= ~X86_EFLAGS_DF;
}

void do_syscall(struct cpu_regs *regs)
{
    struct vcpu *v = current_vcpu();

    if (!v->arch->in_kernel)
        bounce_user_syscall(v, regs);
    else if (regs->entry_vector == TRAP_SYSCALL32)
        domain_crash(v->domain, "32-bit SYSCALL from a 64-bit PV kernel at %#lx", regs->rip);
    else
        regs->rax = (unsigned long)hypercall_dispatch(regs->rax, regs->rdi, regs->rsi,
                                                      regs->rdx, regs->r10, regs->r8);
    pv_return_to_guest(regs);
}

/* Xen's hypercall page: entry i at 32*i calls hypercall i; entry 23 is the iret stub. */
void pv_fill_hypercall_page(uint8_t *page)
{
    memset(page, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
        uint8_t *p = page + i * 32;

        if (i == __HYPERVISOR_iret) {
            static const uint8_t iret_stub[] = {
                0x51, 0x41, 0x53, 0x50, 0xb8, __HYPERVISOR_iret, 0, 0, 0, 0x0f, 0x05,
            };

            memcpy(p, iret_stub, sizeof(iret_stub));
            continue;
        }
        /* push %rcx; push %r11; mov $i,%eax; syscall; pop %r11; pop %rcx; ret */
        p[0] = 0x51;
        p[1] = 0x41, p[2] = 0x53;
        p[3] = 0xb8, p[4] = (uint8_t)i, p[5] = p[6] = p[7] = 0;
        p[8] = 0x0f, p[9] = 0x05;
        p[10] = 0x41, p[11] = 0x5b;
        p[12] = 0x59;
        p[13] = 0xc3;
    }
}
