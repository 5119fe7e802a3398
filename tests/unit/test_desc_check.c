// SPDX-License-Identifier: MIT
/*
 * The descriptor rules a 64-bit PV guest's GDT and update_descriptor go
 * through: every descriptor class, accepted (with its fixup) or refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <asm/pv/desc_check.h>

/* type(40-43) S(44) DPL(45-46) P(47); for gates the selector is bits 16-31. */
#define P            (1ULL << 47)
#define S            (1ULL << 44)
#define DPL(n)       ((uint64_t)(n) << 45)
#define TYPE(t)      ((uint64_t)(t) << 40)
#define SEL(s)       ((uint64_t)(s) << 16)
#define CODE64       (P | S | TYPE(0xb) | (1ULL << 53) | 0xffff)
#define DATA         (P | S | TYPE(0x3) | 0xffff)

struct desc_case {
    const char *name;
    uint64_t in;
    bool accepted;
    uint64_t out;       /* the fixed-up value when accepted */
};

static const struct desc_case cases[] = {
    { "null", 0, true, 0 },
    { "not present, any content", 0x00ff1234567890abULL & ~P, true, 0x00ff1234567890abULL & ~P },
    { "code DPL0 raised to 3", CODE64 | DPL(0), true, CODE64 | DPL(3) },
    { "code DPL3 kept", CODE64 | DPL(3), true, CODE64 | DPL(3) },
    { "data DPL1 raised to 3", DATA | DPL(1), true, DATA | DPL(3) },
    { "upper half of a system descriptor (type 0)", P | TYPE(0), true, P | TYPE(0) },
    { "call gate to a guest selector, DPL forced to 0", P | TYPE(0xc) | DPL(3) | SEL(0x10), true,
      P | TYPE(0xc) | SEL(0x10) },
    { "call gate to the flat ring-3 CS", P | TYPE(0xc) | SEL(0xe033), true,
      P | TYPE(0xc) | SEL(0xe033) },
    { "call gate to an LDT selector", P | TYPE(0xc) | SEL(0x0f), true, P | TYPE(0xc) | SEL(0x0f) },
    { "call gate to the hypervisor CS", P | TYPE(0xc) | SEL(0xe008), false, 0 },
    { "call gate to the null selector", P | TYPE(0xc) | SEL(0), false, 0 },
    { "available TSS", P | TYPE(0x9), false, 0 },
    { "busy TSS", P | TYPE(0xb), false, 0 },
    { "LDT descriptor", P | TYPE(0x2), false, 0 },
    { "interrupt gate", P | TYPE(0xe) | SEL(0x10), false, 0 },
    { "trap gate", P | TYPE(0xf) | SEL(0x10), false, 0 },
};

static void test_descriptor_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t d = cases[i].in;
        bool ok = pv_check_descriptor(&d);

        if (ok != cases[i].accepted)
            fail_msg("%s: %s, expected %s", cases[i].name, ok ? "accepted" : "refused",
                     cases[i].accepted ? "accepted" : "refused");
        if (ok && d != cases[i].out)
            fail_msg("%s: fixed up to %#llx, expected %#llx", cases[i].name,
                     (unsigned long long)d, (unsigned long long)cases[i].out);
        if (!ok && d != cases[i].in)
            fail_msg("%s: refused but modified", cases[i].name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_cases),
    };

    return cmocka_run_group_tests_name("desc_check", tests, NULL, NULL);
}
