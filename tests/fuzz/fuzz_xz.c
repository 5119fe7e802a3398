/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the XZ decoder (hypervisor/common/xz.c, compiled
 * unchanged). Each input is a candidate .xz file:
 *  - xz_uncompressed_size() sizes it; xz_decode() decodes it into a buffer
 *    of exactly that size (capped), allocated to the byte so ASan sees any
 *    write past it, with a misaligned workspace;
 *  - contracts: only 0, -EINVAL or -ENOSPC; a success writes at most
 *    out_cap bytes, the index walk agrees with it, and one byte less of
 *    output is -ENOSPC;
 *  - with FUZZ_XZ_LIBLZMA (liblzma found at build time), differential: every
 *    file Keel accepts, liblzma must accept with identical output.
 * ASan and UBSan catch out-of-bounds accesses and undefined arithmetic.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/xz.h>

#ifdef FUZZ_XZ_LIBLZMA
#include <lzma.h>
#endif

/* Output bound per input: keeps each run fast; larger files get -ENOSPC. */
#define OUT_MAX     (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static uint8_t work[XZ_WORKSPACE_SIZE + 8];

#ifdef FUZZ_XZ_LIBLZMA
static void compare_liblzma(const uint8_t *data, size_t size, const uint8_t *out, size_t out_len)
{
    uint64_t memlimit = 128u << 20;
    size_t in_pos = 0, ref_pos = 0;
    uint8_t *ref = malloc(out_len + 1);
    lzma_ret r;

    CHECK(ref != NULL);
    r = lzma_stream_buffer_decode(&memlimit, LZMA_CONCATENATED, NULL, data, &in_pos, size, ref,
                                  &ref_pos, out_len + 1);
    /* Keel needs no dictionary allocation; liblzma may hit its memlimit. */
    if (r != LZMA_MEMLIMIT_ERROR && r != LZMA_MEM_ERROR) {
        CHECK(r == LZMA_OK);
        CHECK(in_pos == size);
        CHECK(ref_pos == out_len);
        CHECK(memcmp(ref, out, out_len) == 0);
    }
    free(ref);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t want = 0, out_len = 0, cap, size2 = 0;
    uint8_t *out;
    bool sized;
    int ret;

    sized = xz_uncompressed_size(data, size, &want) == 0;
    cap = sized && want <= OUT_MAX ? want : OUT_MAX;
    out = malloc(cap ? cap : 1);
    CHECK(out != NULL);

    ret = xz_decode(data, size, out, cap, &out_len, work + (size & 7), XZ_WORKSPACE_SIZE);
    CHECK(ret == 0 || ret == -EINVAL || ret == -ENOSPC);
    if (ret == 0) {
        CHECK(out_len <= cap);
        /* A file that decodes is well-formed, so its index walk agrees. */
        CHECK(sized && want == out_len);
        CHECK(xz_uncompressed_size(data, size, &size2) == 0 && size2 == out_len);
#ifdef FUZZ_XZ_LIBLZMA
        compare_liblzma(data, size, out, out_len);
#endif
        /* One byte less must be refused as too small, not half-written. */
        if (out_len > 0)
            CHECK(xz_decode(data, size, out, out_len - 1, &size2, work, XZ_WORKSPACE_SIZE) ==
                  -ENOSPC);
    }
    free(out);
    return 0;
}
