/* SPDX-License-Identifier: MIT */
/*
 * set_segment_base: the PV replacement for writing FS/GS base MSRs and for
 * SWAPGS. The active bases live in the MSRs; the inactive GS base (of the
 * guest mode not running) in arch_vcpu.
 */
#include <asm/desc.h>
#include <asm/extable.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/pv/pv.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <public/xen.h>

/* Load sel into %gs, or the null selector if that faults. Returns the base it gives. */
static unsigned long load_user_gs(uint16_t sel)
{
    __asm__ volatile("1: mov %w0, %%gs\n"
                     "2:\n"
                     ".pushsection .fixup, \"ax\"\n"
                     "3: xor %k0, %k0\n"
                     "   mov %k0, %%gs\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ".pushsection .ex_table, \"a\"\n"
                     ".balign 8\n"
                     ".quad 1b, 3b\n"
                     ".popsection\n"
                     : "+r"(sel));
    return rdmsr(MSR_GS_BASE);
}

/* set_segment_base(which, base) */
long do_set_segment_base(unsigned long which, unsigned long base, unsigned long unused3,
                         unsigned long unused4, unsigned long unused5)
{
    struct vcpu *v = current_vcpu();
    struct arch_vcpu *a = v->arch;

    (void)unused3, (void)unused4, (void)unused5;
    switch (which) {
    case SEGBASE_FS:
        if (!is_canonical_address(base))
            return -EINVAL;
        wrmsr(MSR_FS_BASE, base);
        a->fs_base = base;
        return 0;
    case SEGBASE_GS_USER:
        if (!is_canonical_address(base))
            return -EINVAL;
        if (a->in_kernel)
            a->gs_base_user = base;
        else
            wrmsr(MSR_GS_BASE, base);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!is_canonical_address(base))
            return -EINVAL;
        if (a->in_kernel)
            wrmsr(MSR_GS_BASE, base);
        else
            a->gs_base_kernel = base;
        return 0;
    case SEGBASE_GS_USER_SEL: {
        /* Loading a selector replaces the active base: keep the kernel's. */
        unsigned long kernel_base = rdmsr(MSR_GS_BASE);

        a->gs_base_user = load_user_gs((uint16_t)(base | 3));
        wrmsr(MSR_GS_BASE, kernel_base);
        return 0;
    }
    default:
        return -EINVAL;
    }
}
