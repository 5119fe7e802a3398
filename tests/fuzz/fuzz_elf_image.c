/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the kernel-image parser (hypervisor/common/
 * elf_image.c and bzimage.c, compiled unchanged): every input goes through
 * what a builder does with a boot module -- bzImage probe, ELF parse, Xen
 * note checks, the dom0 check and a load into a bounded buffer -- and the
 * results are checked against the contracts in keel/elf_image.h. ASan and
 * UBSan catch out-of-bounds reads and arithmetic overflow; the contract
 * checks trap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/elf_image.h>
#include <keel/errno.h>

/* Largest kernel the harness loads; bigger ones must fail with -ENOSPC. */
#define LOAD_MAX    (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* An error line is present, ends inside the buffer and is a single line. */
static void check_err(const char *err)
{
    size_t n = strnlen(err, ELF_IMAGE_ERR_LEN);

    CHECK(n > 0 && n < ELF_IMAGE_ERR_LEN);
    CHECK(memchr(err, '\n', n) == NULL);
}

static void check_strings(const struct elf_image_info *ei)
{
    CHECK(strnlen(ei->guest_os, ELF_IMAGE_STR_LEN) < ELF_IMAGE_STR_LEN);
    CHECK(strnlen(ei->loader, ELF_IMAGE_STR_LEN) < ELF_IMAGE_STR_LEN);
    CHECK(strnlen(ei->xen_version, ELF_IMAGE_STR_LEN) < ELF_IMAGE_STR_LEN);
    CHECK(strnlen(ei->guest_version, ELF_IMAGE_STR_LEN) < ELF_IMAGE_STR_LEN);
}

static void run_elf(const uint8_t *elf, size_t len)
{
    static uint8_t dest[LOAD_MAX];
    struct elf_image_info ei;
    uint64_t span;
    int rc;

    rc = elf_image_init(&ei, elf, len);
    if (rc) {
        CHECK(rc == -ENOEXEC || rc == -EINVAL);
        check_err(ei.err);
        return;
    }
    CHECK(ei.nr_load > 0 && ei.pstart <= ei.pend);
    span = ei.pend - ei.pstart;

    rc = elf_image_xen_parse(&ei);
    if (rc) {
        CHECK(rc == -EINVAL || rc == -EOPNOTSUPP);
        check_err(ei.err);
    } else {
        check_strings(&ei);
        CHECK(ei.virt_base <= ei.virt_kstart && ei.virt_kstart <= ei.virt_kend);
        CHECK(ei.virt_entry >= ei.virt_kstart && ei.virt_entry <= ei.virt_kend);
        CHECK(!ei.has_init_p2m || ei.init_p2m < ei.virt_kstart || ei.init_p2m >= ei.virt_kend);
        CHECK((ei.f_required & ~ei.f_supported) == 0);
        rc = elf_image_check_dom0(&ei, 1u << 0 | 1u << 4);
        CHECK(rc == 0 || rc == -EINVAL);
    }

    /* Loading needs only a successful init; cap the work per input. */
    ei.err[0] = '\0';
    rc = elf_image_load(&ei, dest, span <= sizeof(dest) ? (size_t)span : sizeof(dest));
    if (span > sizeof(dest))
        CHECK(rc == -ENOSPC);
    else
        CHECK(rc == 0);     /* the image did not change since init */
    if (rc)
        check_err(ei.err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bzimage_info bz;
    int rc;

    rc = bzimage_probe(data, size, &bz);
    switch (rc) {
    case 0:
        CHECK(bz.payload >= data && bz.payload_len <= size &&
              (size_t)(bz.payload - data) <= size - bz.payload_len);
        CHECK(bz.format == BZ_PAYLOAD_ELF || bz.format == BZ_PAYLOAD_XZ);
        if (bz.format == BZ_PAYLOAD_ELF)
            run_elf(bz.payload, bz.payload_len);
        break;
    case -ENOENT:
        run_elf(data, size);
        break;
    default:
        CHECK(rc == -EINVAL || rc == -EOPNOTSUPP);
        check_err(bz.err);
        CHECK(bzimage_payload_name(bz.format) != NULL);
        break;
    }
    return 0;
}
