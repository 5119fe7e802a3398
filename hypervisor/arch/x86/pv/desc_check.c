/* SPDX-License-Identifier: MIT */
/*
 * Descriptor rules for 64-bit PV guests (see asm/pv/desc_check.h). Pure
 * logic on descriptor values: host unit tests compile it unchanged.
 *
 * Layout of an 8-byte descriptor: bits 40-43 type, 44 S (code/data),
 * 45-46 DPL, 47 P; for a call gate bits 16-31 are the target selector.
 */
#include <asm/pv/desc_check.h>

#define DESC_TYPE(d)    (((d) >> 40) & 0xf)
#define DESC_S          (1ULL << 44)
#define DESC_DPL_SHIFT  45
#define DESC_DPL_MASK   (3ULL << DESC_DPL_SHIFT)
#define DESC_P          (1ULL << 47)
#define SYS_CALL_GATE   0xc
#define GATE_SELECTOR(d) ((uint16_t)((d) >> 16))

#define FIRST_RESERVED_SELECTOR 0xe000
#define FLAT_RING3_CS32_SEL     0xe023
#define FLAT_RING3_CS64_SEL     0xe033

static bool guest_code_selector(uint16_t sel)
{
    uint16_t index = sel & ~7;

    if (sel & 4)                        /* LDT selectors: the guest's own */
        return true;
    return (index && index < FIRST_RESERVED_SELECTOR) ||
           index == (FLAT_RING3_CS32_SEL & ~7) || index == (FLAT_RING3_CS64_SEL & ~7);
}

bool pv_check_descriptor(uint64_t *desc)
{
    uint64_t d = *desc;

    if (!(d & DESC_P))
        return true;
    if (d & DESC_S) {
        *desc = d | DESC_DPL_MASK;
        return true;
    }
    switch (DESC_TYPE(d)) {
    case 0:
        return true;
    case SYS_CALL_GATE:
        if (!guest_code_selector(GATE_SELECTOR(d)))
            return false;
        *desc = d & ~DESC_DPL_MASK;
        return true;
    default:
        return false;
    }
}
