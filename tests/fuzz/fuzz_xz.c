/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the XZ decoder (hypervisor/common/xz.c, compiled
 * unchanged). An input whose first byte is odd (every .xz file: 0xFD) is a
 * candidate .xz file; an even first byte selects "wrapped" mode, where the
 * rest is raw LZMA2 data the harness wraps in a valid container (correct
 * CRCs, and with liblzma the index of what liblzma decodes), so mutations
 * reach LZMA2 and BCJ instead of dying at a header CRC. For .xz files:
 *  - xz_uncompressed_size() sizes it; xz_decode() decodes it into a buffer
 *    of exactly that size (capped), allocated to the byte so ASan sees any
 *    write past it, with a misaligned workspace;
 *  - contracts: only 0, -EINVAL or -ENOSPC; a success writes at most
 *    out_cap bytes, the index walk agrees with it, and one byte less of
 *    output is -ENOSPC;
 *  - with FUZZ_XZ_LIBLZMA (liblzma found at build time), differential: every
 *    file Keel accepts, liblzma must accept with identical output; in
 *    wrapped mode also the converse, when liblzma's raw decoder accepts the
 *    LZMA2 data.
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

static int check_file(const uint8_t *data, size_t size, const uint8_t **out_p, size_t *out_len_p);

/* ---- Wrapped mode: raw LZMA2 in a container built here ------------------ */

/* Mode byte of wrapped inputs: bit 0 clear, then these. */
#define WRAP_X86            0x02    /* x86 BCJ before LZMA2 */
#define WRAP_X86_START      0x04    /* ... with a start offset */
#define WRAP_DICT_SHIFT     3       /* bits 3-5: LZMA2 dict byte / 3 */
#define WRAP_X86_OFFSET     0xFFFFF000u

struct wbuf {
    uint8_t *b;
    size_t n, cap;
};

static void wput(struct wbuf *w, const void *p, size_t n)
{
    CHECK(w->n + n <= w->cap);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void wput8(struct wbuf *w, uint8_t v)
{
    wput(w, &v, 1);
}

static void wput_le32(struct wbuf *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        wput8(w, (uint8_t)(v >> (8 * i)));
}

static void wput_vli(struct wbuf *w, uint64_t v)
{
    while (v >= 0x80) {
        wput8(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    wput8(w, (uint8_t)v);
}

static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

/*
 * One stream, check "none", one block holding @lzma2[0..len) whose index
 * record claims @unpacked bytes.
 */
static size_t wrap(struct wbuf *w, uint8_t mode, const uint8_t *lzma2, size_t len,
                   uint64_t unpacked)
{
    static const uint8_t flags[2] = { 0, 0 };
    uint8_t hdr[32];
    struct wbuf h = { hdr, 0, sizeof(hdr) };
    size_t hdr_size, index_start, i;

    wput(w, "\xfd" "7zXZ\x00", 6);
    wput(w, flags, 2);
    wput_le32(w, crc32_ref(flags, 2));

    wput8(&h, 0);
    wput8(&h, mode & WRAP_X86 ? 1 : 0);
    if (mode & WRAP_X86) {
        wput8(&h, 0x04);
        if (mode & WRAP_X86_START) {
            wput8(&h, 4);
            wput_le32(&h, WRAP_X86_OFFSET);
        } else {
            wput8(&h, 0);
        }
    }
    wput8(&h, 0x21);
    wput8(&h, 1);
    wput8(&h, (uint8_t)(((mode >> WRAP_DICT_SHIFT) & 7) * 3));
    while ((h.n + 4) % 4)
        wput8(&h, 0);
    hdr[0] = (uint8_t)((h.n + 4) / 4 - 1);
    wput_le32(&h, crc32_ref(hdr, h.n));
    hdr_size = h.n;
    wput(w, hdr, h.n);

    wput(w, lzma2, len);
    while (w->n % 4)    /* block padding: the stream header is 12 bytes */
        wput8(w, 0);

    index_start = w->n;
    wput8(w, 0);
    wput_vli(w, 1);
    wput_vli(w, hdr_size + len);
    wput_vli(w, unpacked);
    while ((w->n - index_start) % 4)
        wput8(w, 0);
    wput_le32(w, crc32_ref(w->b + index_start, w->n - index_start));

    i = w->n;
    wput_le32(w, 0);
    wput_le32(w, (uint32_t)((i - index_start) / 4 - 1));
    wput(w, flags, 2);
    wput(w, "YZ", 2);
    /* The footer CRC covers backward size and flags. */
    {
        uint32_t c = crc32_ref(w->b + i + 4, 6);

        for (int k = 0; k < 4; k++)
            w->b[i + k] = (uint8_t)(c >> (8 * k));
    }
    return w->n;
}

static void wrapped(uint8_t mode, const uint8_t *lzma2, size_t len)
{
    size_t cap = len + 128, used = len, out_len = 0;
    uint64_t unpacked = 0;
    uint8_t *file = malloc(cap);
    const uint8_t *out;
    struct wbuf w = { file, 0, cap };
    int ret;
#ifdef FUZZ_XZ_LIBLZMA
    lzma_options_lzma lz = { .dict_size = 0 };
    lzma_options_bcj bcj = { .start_offset = mode & WRAP_X86_START ? WRAP_X86_OFFSET : 0 };
    lzma_filter filters[3];
    uint8_t *ref = malloc(OUT_MAX);
    size_t in_pos = 0, ref_len = 0, f = 0;
    unsigned int dict_byte = ((mode >> WRAP_DICT_SHIFT) & 7) * 3;
    lzma_ret r;

    CHECK(file != NULL && ref != NULL);
    lz.dict_size = (2u | (dict_byte & 1u)) << (dict_byte / 2 + 11);
    if (mode & WRAP_X86)
        filters[f++] = (lzma_filter){ LZMA_FILTER_X86, &bcj };
    filters[f++] = (lzma_filter){ LZMA_FILTER_LZMA2, &lz };
    filters[f] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
    r = lzma_raw_buffer_decode(filters, NULL, lzma2, &in_pos, len, ref, &ref_len, OUT_MAX);
    if (r == LZMA_OK) {
        used = in_pos;
        unpacked = ref_len;
    }
#else
    CHECK(file != NULL);
#endif
    wrap(&w, mode, lzma2, used, unpacked);
    ret = check_file(file, w.n, &out, &out_len);
#ifdef FUZZ_XZ_LIBLZMA
    /* liblzma decoded it, so Keel must, identically. */
    if (r == LZMA_OK) {
        CHECK(ret == 0);
        CHECK(out_len == ref_len && memcmp(out, ref, ref_len) == 0);
    }
    free(ref);
#endif
    (void)ret;
    free(file);
}

/* ---- Entry ---------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *out;
    size_t out_len;

    if (size > 0 && !(data[0] & 1))
        wrapped(data[0], data + 1, size - 1);
    else
        (void)check_file(data, size, &out, &out_len);
    return 0;
}

/*
 * Decode @data as an .xz file and check the contracts. On success *@out_p
 * is the output (valid until the next call) and *@out_len_p its length.
 */
static int check_file(const uint8_t *data, size_t size, const uint8_t **out_p, size_t *out_len_p)
{
    static uint8_t *last;
    size_t want = 0, out_len = 0, cap, size2 = 0;
    uint8_t *out;
    bool sized;
    int ret;

    free(last);
    last = NULL;
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
        /* One byte less must be refused as too small (an exact-size buffer). */
        if (out_len > 0) {
            uint8_t *small = malloc(out_len - 1 ? out_len - 1 : 1);

            CHECK(small != NULL);
            CHECK(xz_decode(data, size, small, out_len - 1, &size2, work, XZ_WORKSPACE_SIZE) ==
                  -ENOSPC);
            free(small);
        }
        last = out;
        *out_p = out;
        *out_len_p = out_len;
        return 0;
    }
    free(out);
    return ret;
}
