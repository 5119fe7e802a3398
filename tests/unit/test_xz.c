/* SPDX-License-Identifier: MIT */
/*
 * XZ decoder: the real hypervisor/common/xz.c against
 *  - vectors the host's xz made at build time (tests/unit/xz_vectors.sh,
 *    listed in XZ_VECTOR_DIR/manifest.txt): every check type, presets,
 *    lc/lp/pb, x86 BCJ, multiple blocks and streams, stream padding, and
 *    features that must be refused;
 *  - containers built here byte by byte, one documented rule per row;
 *  - truncation at every length and bit flips of small streams;
 *  - a Debian kernel, if one is cached in cache/linux/ (or named by
 *    $XZ_VMLINUZ): its bzImage payload must decode to an ELF64 image.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/xz.h>

#include "host_shim.h"

#ifndef XZ_VECTOR_DIR
#error "XZ_VECTOR_DIR must name the directory xz_vectors.sh filled"
#endif

#define KERNEL_CACHE_DIR "cache/linux"

/* Workspace with room to test misaligned pointers. */
static uint8_t work_buf[XZ_WORKSPACE_SIZE + 16] __attribute__((aligned(16)));

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len)
{
    return xz_decode(in, in_len, out, cap, out_len, work_buf, XZ_WORKSPACE_SIZE);
}

static int errno_by_name(const char *name)
{
    if (strcmp(name, "0") == 0)
        return 0;
    if (strcmp(name, "EINVAL") == 0)
        return -EINVAL;
    if (strcmp(name, "ENOSPC") == 0)
        return -ENOSPC;
    fail_msg("manifest: unknown result '%s'", name);
    return 1;
}

/* ---- Vectors from the host's xz ------------------------------------------ */

static void check_vector(const char *name, const char *raw_name, int expect, unsigned int idx)
{
    char path[512];
    uint8_t *in, *raw = NULL, *out;
    size_t in_len, raw_len = 0, out_len = 0, size = 0;
    int ret;

    snprintf(path, sizeof(path), "%s/%s", XZ_VECTOR_DIR, name);
    in = read_file(path, &in_len);
    if (!in)
        fail_msg("%s: cannot read (run via 'make unit')", path);
    if (strcmp(raw_name, "-") != 0) {
        snprintf(path, sizeof(path), "%s/%s", XZ_VECTOR_DIR, raw_name);
        raw = read_file(path, &raw_len);
        assert_non_null(raw);
    }

    if (expect != 0) {
        out = malloc(raw_len + 1);
        ret = decode(in, in_len, out, raw_len + 1, &out_len);
        if (ret != expect)
            fail_msg("%s: got %d, want %d", name, ret, expect);
        goto out;
    }

    ret = xz_uncompressed_size(in, in_len, &size);
    if (ret != 0 || size != raw_len)
        fail_msg("%s: xz_uncompressed_size %d, %zu (want %zu)", name, ret, size, raw_len);

    /* Exactly sized output (ASan catches a byte too far); workspace misaligned
     * by a different amount per vector. */
    out = malloc(raw_len ? raw_len : 1);
    ret = xz_decode(in, in_len, out, raw_len, &out_len, work_buf + idx % 8, XZ_WORKSPACE_SIZE);
    if (ret != 0 || out_len != raw_len || memcmp(out, raw, raw_len) != 0)
        fail_msg("%s: decode %d, %zu bytes (want %zu), %s", name, ret, out_len, raw_len,
                 ret == 0 && out_len == raw_len ? "content differs" : "");
    if (raw_len > 0) {
        ret = decode(in, in_len, out, raw_len - 1, &out_len);
        if (ret != -ENOSPC)
            fail_msg("%s: one byte short gave %d, want -ENOSPC", name, ret);
    }
out:
    free(out);
    free(raw);
    free(in);
}

static void test_vectors(void **state)
{
    char line[512], name[200], raw[200], result[32];
    unsigned int n = 0;
    FILE *f;

    (void)state;
    f = fopen(XZ_VECTOR_DIR "/manifest.txt", "r");
    if (!f)
        fail_msg("%s/manifest.txt missing: run via 'make unit'", XZ_VECTOR_DIR);
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%199s %199s %31s", name, raw, result) != 3)
            fail_msg("manifest: bad line '%s'", line);
        check_vector(name, raw, errno_by_name(result), n++);
    }
    fclose(f);
    assert_true(n > 50);
}

/* ---- Containers built byte by byte --------------------------------------- */

static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint64_t ref_crc64(const uint8_t *p, size_t n)
{
    uint64_t c = ~0ull;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xC96C5795D7870F42ull & (0ull - (c & 1)));
    }
    return ~c;
}

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof(b->b));
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put8(struct buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_le(struct buf *b, uint64_t v, unsigned int bytes)
{
    while (bytes--) {
        put8(b, (uint8_t)v);
        v >>= 8;
    }
}

static void put_vli(struct buf *b, uint64_t v)
{
    while (v >= 0x80) {
        put8(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put8(b, (uint8_t)v);
}

enum mutation {
    M_NONE,
    M_HDR_PAD,          /* non-zero block header padding */
    M_BLOCK_PAD,        /* non-zero block padding */
    M_PACKED,           /* block header: packed size given, one too big */
    M_UNPACKED,         /* block header: unpacked size given, one too small */
    M_SIZES,            /* block header: both sizes given, correct */
    M_INDEX_UNPACKED,   /* index: uncompressed size off by one */
    M_INDEX_COUNT,      /* index: no records */
    M_BACKWARD,         /* footer: backward size off by one */
    M_FOOTER_FLAGS,     /* footer: check type differs from the header's */
    M_CHECK,            /* the block's check value is wrong */
    M_RESERVED_FLAG,    /* block flags: a reserved bit */
    M_STREAM_FLAGS,     /* stream flags: a reserved bit (CRC made to match) */
};

struct hand_case {
    const char *name;
    uint8_t check;
    uint8_t filters;                /* count */
    const char *filter_bytes;       /* ID, props size, props... per filter */
    size_t filter_len;
    const char *lzma2;              /* the block's data */
    size_t lzma2_len;
    const char *out;                /* decoded */
    size_t out_len;
    enum mutation mut;
    int ret;
};

#define S(lit)  lit, sizeof(lit) - 1
#define LZMA2_DEFAULT   S("\x21\x01\x16")
#define HELLO           S("\x01\x00\x04hello\x00")
/* "abcabcabcabcabcabcabcabcXYZabcabcXYZXYZ" by xz --format=raw --lzma2=preset=0 */
#define ABC_CHUNK(ctrl, props) ctrl "\x00\x26\x00\x0f" props \
    "\x00\x30\x98\x88\xaa\xed\x9d\x11\x47\x4f\x49\x4d\xd2\xde\xfc\x00"
#define ABC_OUT S("abcabcabcabcabcabcabcabcXYZabcabcXYZXYZ")

static const struct hand_case hand_cases[] = {
    { "copy chunk", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_NONE, 0 },
    { "check none", 0, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_NONE, 0 },
    { "check crc64", 4, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_NONE, 0 },
    { "check sha256 unsupported", 10, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_NONE, -EINVAL },
    { "check reserved 2", 2, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_NONE, -EINVAL },
    { "wrong check value", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_CHECK, -EINVAL },
    { "wrong crc64 value", 4, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_CHECK, -EINVAL },
    { "empty lzma2", 1, 1, LZMA2_DEFAULT, S("\x00"), S(""), M_NONE, 0 },
    { "copy then copy", 1, 1, LZMA2_DEFAULT, S("\x01\x00\x01" "ab\x02\x00\x00" "c\x00"), S("abc"),
      M_NONE, 0 },
    { "first chunk keeps dict", 1, 1, LZMA2_DEFAULT, S("\x02\x00\x00" "a\x00"), S("a"), M_NONE,
      -EINVAL },
    { "control 0x03", 1, 1, LZMA2_DEFAULT, S("\x03\x00\x00" "a\x00"), S("a"), M_NONE, -EINVAL },
    { "no end marker", 1, 1, LZMA2_DEFAULT, S("\x01\x00\x00" "a"), S("a"), M_NONE, -EINVAL },
    { "copy past input", 1, 1, LZMA2_DEFAULT, S("\x01\x00\x09" "ab"), S("ab"), M_NONE, -EINVAL },
    { "lzma chunk", 1, 1, LZMA2_DEFAULT, S(ABC_CHUNK("\xe0", "\x5d") "\x00"), ABC_OUT, M_NONE, 0 },
    { "lzma chunk, 64-bit check", 4, 1, LZMA2_DEFAULT, S(ABC_CHUNK("\xe0", "\x5d") "\x00"),
      ABC_OUT, M_NONE, 0 },
    { "copy, then lzma with dict reset", 1, 1, LZMA2_DEFAULT,
      S("\x01\x00\x01xy" ABC_CHUNK("\xe0", "\x5d") "\x00"),
      S("xyabcabcabcabcabcabcabcabcXYZabcabcXYZXYZ"), M_NONE, 0 },
    { "lzma chunk, no dict reset first", 1, 1, LZMA2_DEFAULT,
      S(ABC_CHUNK("\xc0", "\x5d") "\x00"), ABC_OUT, M_NONE, -EINVAL },
    { "lzma after dict reset needs props", 1, 1, LZMA2_DEFAULT,
      S("\x01\x00\x01xy" ABC_CHUNK("\xa0", "") "\x00"), ABC_OUT, M_NONE, -EINVAL },
    { "lzma props lc+lp > 4", 1, 1, LZMA2_DEFAULT, S(ABC_CHUNK("\xe0", "\x0d") "\x00"), ABC_OUT,
      M_NONE, -EINVAL },
    { "lzma props > 224", 1, 1, LZMA2_DEFAULT, S(ABC_CHUNK("\xe0", "\xe1") "\x00"), ABC_OUT,
      M_NONE, -EINVAL },
    { "lzma unpacked size short", 1, 1, LZMA2_DEFAULT,
      S("\xe0\x00\x25\x00\x0f\x5d\x00\x30\x98\x88\xaa\xed\x9d\x11\x47\x4f\x49\x4d\xd2\xde\xfc"
        "\x00\x00"), ABC_OUT, M_NONE, -EINVAL },
    { "lzma packed size short", 1, 1, LZMA2_DEFAULT,
      S("\xe0\x00\x26\x00\x0e\x5d\x00\x30\x98\x88\xaa\xed\x9d\x11\x47\x4f\x49\x4d\xd2\xde\xfc"
        "\x00\x00"), ABC_OUT, M_NONE, -EINVAL },
    { "range coder first byte", 1, 1, LZMA2_DEFAULT,
      S("\xe0\x00\x26\x00\x0f\x5d\x01\x30\x98\x88\xaa\xed\x9d\x11\x47\x4f\x49\x4d\xd2\xde\xfc"
        "\x00\x00"), ABC_OUT, M_NONE, -EINVAL },
    { "lzma chunk, dict 4 KiB", 1, 1, S("\x21\x01\x00"), S(ABC_CHUNK("\xe0", "\x5d") "\x00"),
      ABC_OUT, M_NONE, 0 },
    { "x86 + lzma2", 1, 2, S("\x04\x00\x21\x01\x16"), HELLO, S("hello"), M_NONE, 0 },
    { "x86 start offset", 1, 2, S("\x04\x04\x00\x10\x00\x00\x21\x01\x16"), HELLO, S("hello"),
      M_NONE, 0 },
    { "x86 props size 1", 1, 2, S("\x04\x01\x00\x21\x01\x16"), HELLO, S("hello"), M_NONE,
      -EINVAL },
    { "x86 last", 1, 1, S("\x04\x00"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "x86 twice", 1, 3, S("\x04\x00\x04\x00\x21\x01\x16"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "delta filter", 1, 2, S("\x03\x01\x00\x21\x01\x16"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "lzma2 twice", 1, 2, S("\x21\x01\x16\x21\x01\x16"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "lzma2 dict byte 40", 1, 1, S("\x21\x01\x28"), HELLO, S("hello"), M_NONE, 0 },
    { "lzma2 dict byte 41", 1, 1, S("\x21\x01\x29"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "lzma2 props size 2", 1, 1, S("\x21\x02\x16\x00"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "filter id not minimal", 1, 1, S("\xa1\x00\x01\x16"), HELLO, S("hello"), M_NONE, -EINVAL },
    { "header padding", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_HDR_PAD, -EINVAL },
    { "block padding", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_BLOCK_PAD, -EINVAL },
    { "reserved block flag", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_RESERVED_FLAG, -EINVAL },
    { "reserved stream flag", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_STREAM_FLAGS, -EINVAL },
    { "sizes in header", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_SIZES, 0 },
    { "packed size wrong", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_PACKED, -EINVAL },
    { "unpacked size wrong", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_UNPACKED, -EINVAL },
    { "index size wrong", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_INDEX_UNPACKED, -EINVAL },
    { "index count wrong", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_INDEX_COUNT, -EINVAL },
    { "backward size wrong", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_BACKWARD, -EINVAL },
    { "footer flags differ", 1, 1, LZMA2_DEFAULT, HELLO, S("hello"), M_FOOTER_FLAGS, -EINVAL },
};

static const size_t check_sizes[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 };

static void build(const struct hand_case *c, struct buf *b)
{
    struct buf hdr = { .n = 0 }, idx = { .n = 0 };
    uint8_t flags[2] = { 0, c->check };
    size_t hdr_size, unpadded, index_start;
    uint32_t crc;

    b->n = 0;
    if (c->mut == M_STREAM_FLAGS)
        flags[0] = 0x01;
    put(b, "\xfd" "7zXZ\x00", 6);
    put(b, flags, 2);
    put_le(b, ref_crc32(flags, 2), 4);

    /* Block header: size byte, flags, optional sizes, filters, padding, CRC32. */
    put8(&hdr, 0);
    put8(&hdr, (uint8_t)((c->filters - 1) | (c->mut == M_PACKED || c->mut == M_SIZES ? 0x40 : 0) |
                         (c->mut == M_UNPACKED || c->mut == M_SIZES ? 0x80 : 0) |
                         (c->mut == M_RESERVED_FLAG ? 0x04 : 0)));
    if (c->mut == M_PACKED || c->mut == M_SIZES)
        put_vli(&hdr, c->lzma2_len + (c->mut == M_PACKED));
    if (c->mut == M_UNPACKED || c->mut == M_SIZES)
        put_vli(&hdr, c->out_len - (c->mut == M_UNPACKED));
    put(&hdr, c->filter_bytes, c->filter_len);
    if (c->mut == M_HDR_PAD)
        put(&hdr, "\x00\x00\x00\x01", 4);
    while ((hdr.n + 4) % 4)
        put8(&hdr, 0);
    hdr.b[0] = (uint8_t)((hdr.n + 4) / 4 - 1);
    put_le(&hdr, ref_crc32(hdr.b, hdr.n), 4);
    hdr_size = hdr.n;
    put(b, hdr.b, hdr.n);

    put(b, c->lzma2, c->lzma2_len);
    if (c->mut == M_BLOCK_PAD)
        assert_true((hdr_size + c->lzma2_len) % 4 != 0);
    while ((b->n - 12) % 4) /* header and data, padded together */
        put8(b, c->mut == M_BLOCK_PAD ? 1 : 0);
    if (c->check == 1)
        put_le(b, ref_crc32((const uint8_t *)c->out, c->out_len) ^ (c->mut == M_CHECK), 4);
    else if (c->check == 4)
        put_le(b, ref_crc64((const uint8_t *)c->out, c->out_len) ^ (c->mut == M_CHECK), 8);
    else
        for (size_t i = 0; i < check_sizes[c->check & 15]; i++)
            put8(b, 0);
    unpadded = hdr_size + c->lzma2_len + check_sizes[c->check & 15];

    /* Index: indicator, count, records, padding, CRC32. */
    index_start = b->n;
    put8(&idx, 0);
    if (c->mut == M_INDEX_COUNT) {
        put_vli(&idx, 0);
    } else {
        put_vli(&idx, 1);
        put_vli(&idx, unpadded);
        put_vli(&idx, c->out_len + (c->mut == M_INDEX_UNPACKED));
    }
    while (idx.n % 4)
        put8(&idx, 0);
    put_le(&idx, ref_crc32(idx.b, idx.n), 4);
    put(b, idx.b, idx.n);

    /* Footer: CRC32, backward size, flags, magic. */
    {
        uint8_t f[6];

        f[0] = f[1] = f[2] = f[3] = 0;
        for (int i = 0; i < 4; i++)
            f[i] = (uint8_t)(((b->n - index_start) / 4 - 1 + (c->mut == M_BACKWARD)) >> (8 * i));
        f[4] = flags[0];
        f[5] = c->mut == M_FOOTER_FLAGS ? (c->check == 1 ? 4 : 1) : flags[1];
        crc = ref_crc32(f, 6);
        put_le(b, crc, 4);
        put(b, f, 6);
        put(b, "YZ", 2);
    }
}

static void test_hand_built(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(hand_cases); i++) {
        const struct hand_case *c = &hand_cases[i];
        struct buf b;
        uint8_t out[64];
        size_t out_len = 0, size = 0;
        int ret;

        build(c, &b);
        ret = decode(b.b, b.n, out, sizeof(out), &out_len);
        if (ret != c->ret)
            fail_msg("'%s': got %d, want %d", c->name, ret, c->ret);
        if (ret == 0) {
            if (out_len != c->out_len || memcmp(out, c->out, out_len) != 0)
                fail_msg("'%s': wrong output", c->name);
            ret = xz_uncompressed_size(b.b, b.n, &size);
            if (ret != 0 || size != c->out_len)
                fail_msg("'%s': xz_uncompressed_size %d, %zu", c->name, ret, size);
        }
    }
}

/* ---- Argument errors ------------------------------------------------------ */

static void test_arguments(void **state)
{
    struct buf b;
    uint8_t out[16];
    size_t out_len = 99, size = 99;

    (void)state;
    build(&hand_cases[0], &b);
    assert_int_equal(xz_decode(b.b, b.n, out, sizeof(out), &out_len, work_buf,
                               XZ_WORKSPACE_SIZE - 1), -ENOMEM);
    assert_int_equal(xz_decode(NULL, b.n, out, sizeof(out), &out_len, work_buf,
                               XZ_WORKSPACE_SIZE), -EINVAL);
    assert_int_equal(xz_decode(b.b, b.n, NULL, sizeof(out), &out_len, work_buf,
                               XZ_WORKSPACE_SIZE), -EINVAL);
    assert_int_equal(xz_decode(b.b, b.n, out, sizeof(out), NULL, work_buf, XZ_WORKSPACE_SIZE),
                     -EINVAL);
    assert_int_equal(xz_decode(b.b, b.n, out, sizeof(out), &out_len, NULL, XZ_WORKSPACE_SIZE),
                     -EINVAL);
    assert_int_equal(out_len, 99);
    assert_int_equal(decode(b.b, b.n, out, 4, &out_len), -ENOSPC);
    assert_int_equal(decode(b.b, 0, out, sizeof(out), &out_len), -EINVAL);
    assert_int_equal(out_len, 99);
    assert_int_equal(decode(b.b, b.n, out, 5, &out_len), 0);
    assert_int_equal(out_len, 5);

    assert_int_equal(xz_uncompressed_size(NULL, b.n, &size), -EINVAL);
    assert_int_equal(xz_uncompressed_size(b.b, b.n, NULL), -EINVAL);
    assert_int_equal(xz_uncompressed_size(b.b, 0, &size), -EINVAL);
    assert_int_equal(xz_uncompressed_size(b.b, b.n - 1, &size), -EINVAL);
    assert_int_equal(size, 99);
    assert_int_equal(xz_uncompressed_size(b.b, b.n, &size), 0);
    assert_int_equal(size, 5);
}

/* ---- Truncation and bit flips --------------------------------------------- */

static const char *const small_vectors[] = { "small.crc64.xz", "small.x86blocks.xz" };

static void test_truncated(void **state)
{
    (void)state;
    for (size_t v = 0; v < ARRAY_SIZE(small_vectors); v++) {
        char path[512];
        size_t len, cap = 1 << 16, out_len, size;
        uint8_t *in, *out = malloc(cap);

        snprintf(path, sizeof(path), "%s/%s", XZ_VECTOR_DIR, small_vectors[v]);
        in = read_file(path, &len);
        assert_non_null(in);
        assert_int_equal(decode(in, len, out, cap, &out_len), 0);
        for (size_t n = 0; n < len; n++) {
            /* A copy of exactly n bytes, so ASan sees any read past it. */
            uint8_t *cut = malloc(n ? n : 1);

            memcpy(cut, in, n);
            if (decode(cut, n, out, cap, &out_len) == 0)
                fail_msg("%s cut to %zu bytes decoded", small_vectors[v], n);
            if (xz_uncompressed_size(cut, n, &size) == 0)
                fail_msg("%s cut to %zu bytes sized", small_vectors[v], n);
            free(cut);
        }
        free(in);
        free(out);
    }
}

/*
 * Every bit of the first and last 128 bytes (stream header, block headers,
 * index, footer), and one bit of every byte in between (data, checks).
 * Every small vector has a CRC, so each flip must be caught.
 */
static void test_bit_flips(void **state)
{
    (void)state;
    for (size_t v = 0; v < ARRAY_SIZE(small_vectors); v++) {
        char path[512];
        size_t len, cap = 1 << 16, out_len, size;
        uint8_t *in, *out = malloc(cap);

        snprintf(path, sizeof(path), "%s/%s", XZ_VECTOR_DIR, small_vectors[v]);
        in = read_file(path, &len);
        assert_non_null(in);
        for (size_t i = 0; i < len; i++) {
            bool edge = i < 128 || i + 128 >= len;

            for (unsigned int bit = 0; bit < 8; bit++) {
                if (!edge && bit != i % 8)
                    continue;
                in[i] ^= (uint8_t)(1u << bit);
                if (decode(in, len, out, cap, &out_len) == 0)
                    fail_msg("%s: flip of byte %zu bit %u decoded", small_vectors[v], i, bit);
                (void)xz_uncompressed_size(in, len, &size);
                in[i] ^= (uint8_t)(1u << bit);
            }
        }
        free(in);
        free(out);
    }
}

/* ---- A real Debian kernel ------------------------------------------------- */

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool find_vmlinuz(char *path, size_t size)
{
    const char *env = getenv("XZ_VMLINUZ");
    struct dirent *de;
    bool found = false;
    DIR *d;

    if (env && *env) {
        snprintf(path, size, "%s", env);
        return true;
    }
    d = opendir(KERNEL_CACHE_DIR);
    if (!d)
        return false;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "vmlinuz-", 8) == 0) {
            snprintf(path, size, "%s/%s", KERNEL_CACHE_DIR, de->d_name);
            found = true;
            break;
        }
    }
    closedir(d);
    return found;
}

/*
 * bzImage: setup_sects at 0x1f1 (0 means 4), "HdrS" at 0x202, boot protocol
 * version at 0x206 (>= 2.08 has payload_offset at 0x248 and payload_length
 * at 0x24c, relative to the protected-mode part after (setup_sects+1)*512
 * bytes). The payload ends with the uncompressed size as LE32.
 */
static void test_vmlinuz(void **state)
{
    char path[512];
    uint8_t *img, *out;
    size_t len, size = 0, out_len = 0, setup, off, plen, xz_len;
    struct timespec t0, t1;
    uint32_t appended;
    double secs;

    (void)state;
    if (!find_vmlinuz(path, sizeof(path))) {
        print_message("[  SKIP    ] no %s/vmlinuz-* (nor $XZ_VMLINUZ)\n", KERNEL_CACHE_DIR);
        skip();
    }
    img = read_file(path, &len);
    if (!img)
        fail_msg("%s: cannot read", path);
    assert_true(len > 0x250);
    assert_memory_equal(img + 0x202, "HdrS", 4);
    assert_true((img[0x206] | img[0x207] << 8) >= 0x208);
    setup = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
    off = le32_at(img + 0x248);
    plen = le32_at(img + 0x24c);
    assert_true(plen > 4 && setup + off <= len && plen <= len - setup - off);
    appended = le32_at(img + setup + off + plen - 4);
    xz_len = plen - 4;

    assert_int_equal(xz_uncompressed_size(img + setup + off, xz_len, &size), 0);
    assert_int_equal(size, appended);
    out = malloc(size);
    assert_non_null(out);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(decode(img + setup + off, xz_len, out, size, &out_len), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(out_len, size);
    assert_memory_equal(out, "\x7f" "ELF", 4);
    assert_int_equal(out[4], 2); /* ELFCLASS64 */
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("%s: %zu bytes of xz -> %zu bytes of ELF64 in %.2f s (ASan build)\n", path,
                  xz_len, out_len, secs);
    free(out);
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_hand_built),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_vmlinuz),
    };

    return cmocka_run_group_tests_name("xz", tests, NULL, NULL);
}
