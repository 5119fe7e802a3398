/* SPDX-License-Identifier: MIT */
/* The host facts sysctl physinfo reports (common/sysctl.c). */
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/time.h>
#include <keel/domctl.h>

uint32_t arch_cpu_khz(void)
{
    return (uint32_t)tsc_khz;
}

unsigned long arch_max_mfn(void)
{
    return max_page - 1;
}

/*
 * Xen's featureset words: 0 = CPUID.1:EDX, 1 = CPUID.1:ECX,
 * 2 = CPUID.0x80000001:EDX, 3 = CPUID.0x80000001:ECX, 4 = CPUID.0xD.1:EAX,
 * 5 = CPUID.7.0:EBX, 6 = CPUID.7.0:ECX, 7 = CPUID.0x80000007:EDX.
 */
void arch_cpu_features(uint32_t *words, unsigned int n)
{
    uint32_t r[8][4] = { { 0 } };

    cpuid(1, &r[0][0], &r[0][1], &r[0][2], &r[0][3]);
    cpuid(0x80000001, &r[1][0], &r[1][1], &r[1][2], &r[1][3]);
    cpuid_count(0xd, 1, &r[2][0], &r[2][1], &r[2][2], &r[2][3]);
    cpuid_count(7, 0, &r[3][0], &r[3][1], &r[3][2], &r[3][3]);
    cpuid(0x80000007, &r[4][0], &r[4][1], &r[4][2], &r[4][3]);
    {
        uint32_t w[8] = { r[0][3], r[0][2], r[1][3], r[1][2], r[2][0], r[3][1], r[3][2],
                          r[4][3] };

        for (unsigned int i = 0; i < n && i < 8; i++)
            words[i] = w[i];
    }
}
