/* SPDX-License-Identifier: MIT */
/*
 * Single-call XZ decoder: the .xz container, LZMA2/LZMA, the x86 BCJ filter
 * and the CRC32/CRC64 integrity checks. Written from the published .xz file
 * format specification and the public description of LZMA/LZMA2.
 *
 * Model. The whole input is in memory and the whole output buffer too, so
 * nothing is streamed: each layer reads @in directly with explicit bounds,
 * and the LZMA2 dictionary is the output buffer itself. A dictionary reset
 * only moves `dict_start` (the output position where the current dictionary
 * begins); match distances are checked against the bytes written since then.
 * The x86 BCJ filter runs in place over a block's output once the block's
 * LZMA2 data is decoded (a block always starts with a dictionary reset, so
 * LZMA2 never reads back across a block boundary and never sees filtered
 * bytes), and the block's integrity check is computed after that.
 *
 * File layout (all integers little-endian unless said otherwise):
 *   file    = stream (stream-padding stream)* stream-padding
 *   stream  = header(12) block* index footer(12)
 *   block   = block-header data padding-to-4 check(0/4/8 bytes)
 *   index   = 0x00 count (unpadded-size uncompressed-size)* padding crc32
 *   padding = zero bytes; stream padding comes in multiples of four.
 * The index must describe the blocks exactly. Forward decoding cannot know
 * where the index is until it reaches it, so both the blocks as decoded and
 * the index records as read are folded into a summary (count, size sums and
 * a CRC32 over the records) and the two summaries must be equal.
 * xz_uncompressed_size() instead walks backwards from the end, footer to
 * index to header, and decodes no data.
 *
 * Untrusted input: every multi-byte read is preceded by a length check
 * against the end of its enclosing structure; sizes are 64-bit and every sum
 * is overflow-checked; loops over counts taken from the input consume input
 * on each iteration. The LZMA decoder produces at least one byte per symbol
 * and stops at the chunk's declared size, which was checked against the
 * output space first, so total work is linear in in_len + out_cap. The range
 * decoder never reads past its chunk: past the end it shifts in zeros and
 * records an overrun, which fails the chunk.
 *
 * No global state (the tables below are const), no locks: callers may
 * decode concurrently with separate workspaces.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/xz.h>

/* ---- Byte order ---------------------------------------------------------- */

static inline uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline uint32_t get_be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- Integrity checks ---------------------------------------------------- */

#define CRC32_POLY      0xEDB88320u                 /* reflected IEEE 802.3 */
#define CRC64_POLY      0xC96C5795D7870F42ull       /* reflected ECMA-182 */

/*
 * Lookup tables, built in the workspace at the start of a decode. CRC32
 * (every Linux kernel image uses it) goes eight bytes a step: crc32[k][b]
 * is the CRC contribution of byte b followed by k zero bytes, so the eight
 * lookups of a step are independent. CRC64 goes a byte a step.
 */
#define CRC32_SLICES    8

struct xz_crc_tables {
    uint32_t crc32[CRC32_SLICES][256];
    uint64_t crc64[256];
};

static void crc_tables_init(struct xz_crc_tables *t)
{
    unsigned int i, k;

    for (i = 0; i < 256; i++) {
        uint32_t c32 = i;
        uint64_t c64 = i;

        for (k = 0; k < 8; k++) {
            c32 = (c32 >> 1) ^ (CRC32_POLY & (0u - (c32 & 1)));
            c64 = (c64 >> 1) ^ (CRC64_POLY & (0ull - (c64 & 1)));
        }
        t->crc32[0][i] = c32;
        t->crc64[i] = c64;
    }
    for (k = 1; k < CRC32_SLICES; k++)
        for (i = 0; i < 256; i++)
            t->crc32[k][i] = (t->crc32[k - 1][i] >> 8) ^ t->crc32[0][t->crc32[k - 1][i] & 0xFF];
}

/*
 * CRC32 of @p[0..n), continuing from @crc (0 to start). Without a table
 * (xz_uncompressed_size(), which has no workspace and only checksums
 * headers and indexes) it runs bit by bit.
 */
static uint32_t crc32_update(const struct xz_crc_tables *t, uint32_t crc, const uint8_t *p,
                             size_t n)
{
    unsigned int k;

    crc = ~crc;
    if (!t) {
        for (; n > 0; n--, p++) {
            crc ^= *p;
            for (k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
        }
        return ~crc;
    }
    for (; n >= CRC32_SLICES; n -= CRC32_SLICES, p += CRC32_SLICES) {
        uint32_t lo = crc ^ get_le32(p), hi = get_le32(p + 4);

        crc = t->crc32[7][lo & 0xFF] ^ t->crc32[6][(lo >> 8) & 0xFF] ^
              t->crc32[5][(lo >> 16) & 0xFF] ^ t->crc32[4][lo >> 24] ^
              t->crc32[3][hi & 0xFF] ^ t->crc32[2][(hi >> 8) & 0xFF] ^
              t->crc32[1][(hi >> 16) & 0xFF] ^ t->crc32[0][hi >> 24];
    }
    for (; n > 0; n--, p++)
        crc = t->crc32[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static uint64_t crc64_calc(const struct xz_crc_tables *t, const uint8_t *p, size_t n)
{
    uint64_t crc = ~0ull;
    size_t i;

    for (i = 0; i < n; i++)
        crc = t->crc64[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

/* ---- LZMA ---------------------------------------------------------------- */

/*
 * Range decoder. Probabilities are 11-bit estimates that the next bit is 0,
 * adapted by 1/32 of the distance to the bound after each bit. The decoder
 * normalises before each bit (keeping range >= 2^24); after a chunk's last
 * symbol one more normalisation must leave the input exactly consumed and
 * the code at zero, which is how the encoder's flush ends a chunk.
 */
#define RC_TOP_VALUE        (1u << 24)
#define RC_PROB_BITS        11
#define RC_PROB_ONE         (1u << RC_PROB_BITS)
#define RC_PROB_INIT        (RC_PROB_ONE / 2)
#define RC_ADAPT_SHIFT      5
#define RC_INIT_BYTES       5

struct rc_dec {
    const uint8_t *in;
    size_t pos;
    size_t end;
    uint32_t range;
    uint32_t code;
    bool overrun;           /* a byte past @end was wanted */
};

static inline void rc_normalize(struct rc_dec *rc)
{
    if (rc->range < RC_TOP_VALUE) {
        rc->range <<= 8;
        rc->code <<= 8;
        if (likely(rc->pos < rc->end))
            rc->code |= rc->in[rc->pos++];
        else
            rc->overrun = true;
    }
}

static inline uint32_t rc_bit(struct rc_dec *rc, uint16_t *prob)
{
    uint32_t p = *prob, bound;

    rc_normalize(rc);
    bound = (rc->range >> RC_PROB_BITS) * p;
    if (rc->code < bound) {
        rc->range = bound;
        *prob = (uint16_t)(p + ((RC_PROB_ONE - p) >> RC_ADAPT_SHIFT));
        return 0;
    }
    rc->range -= bound;
    rc->code -= bound;
    *prob = (uint16_t)(p - (p >> RC_ADAPT_SHIFT));
    return 1;
}

/* A symbol below @limit (a power of two), most significant bit first. */
static inline uint32_t rc_bittree(struct rc_dec *rc, uint16_t *probs, uint32_t limit)
{
    uint32_t sym = 1;

    do
        sym = (sym << 1) | rc_bit(rc, &probs[sym]);
    while (sym < limit);
    return sym - limit;
}

/* A @bits-bit value, least significant bit first; uses probs[1..2^bits). */
static inline uint32_t rc_bittree_reverse(struct rc_dec *rc, uint16_t *probs, unsigned int bits)
{
    uint32_t node = 1, val = 0;
    unsigned int i;

    for (i = 0; i < bits; i++) {
        uint32_t bit = rc_bit(rc, &probs[node]);

        node = (node << 1) | bit;
        val |= bit << i;
    }
    return val;
}

/* @bits equiprobable bits, most significant first. */
static inline uint32_t rc_direct(struct rc_dec *rc, unsigned int bits)
{
    uint32_t val = 0;

    while (bits--) {
        rc_normalize(rc);
        rc->range >>= 1;
        val <<= 1;
        if (rc->code >= rc->range) {
            rc->code -= rc->range;
            val |= 1;
        }
    }
    return val;
}

/*
 * The LZMA model. The state (0..11) summarises the last few symbols:
 * states below LZMA_LIT_STATES follow a literal.
 */
#define LZMA_STATES             12
#define LZMA_LIT_STATES         7
#define LZMA_PB_MAX             4
#define LZMA_POS_STATES_MAX     (1u << LZMA_PB_MAX)
#define LZMA_LCLP_MAX           4       /* LZMA2 limits lc + lp to 4 */
#define LZMA_LIT_CODERS_MAX     (1u << LZMA_LCLP_MAX)
#define LZMA_LIT_PROBS          0x300   /* plain and match-guided trees */
#define LZMA_PROPS_MAX          ((LZMA_PB_MAX * 5 + 4) * 9 + 8)

#define LZMA_MATCH_LEN_MIN      2
#define LZMA_LEN_LOW_SYMS       8
#define LZMA_LEN_MID_SYMS       8
#define LZMA_LEN_HIGH_SYMS      256

#define LZMA_DIST_STATES        4       /* distance model by min(len - 2, 3) */
#define LZMA_DIST_SLOTS         64
#define LZMA_DIST_MODEL_START   4       /* slots below: the distance itself */
#define LZMA_DIST_MODEL_END     14      /* slots below: low bits modelled */
#define LZMA_FULL_DISTANCES     128     /* 2 << (LZMA_DIST_MODEL_END / 2 - 1) */
#define LZMA_ALIGN_BITS         4

struct lzma_len_probs {
    uint16_t choice;
    uint16_t choice2;
    uint16_t low[LZMA_POS_STATES_MAX][LZMA_LEN_LOW_SYMS];
    uint16_t mid[LZMA_POS_STATES_MAX][LZMA_LEN_MID_SYMS];
    uint16_t high[LZMA_LEN_HIGH_SYMS];
};

/* Only uint16_t members, so reset can treat it as one array (literal last). */
struct lzma_probs {
    uint16_t is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t is_rep[LZMA_STATES];
    uint16_t is_rep0[LZMA_STATES];
    uint16_t is_rep1[LZMA_STATES];
    uint16_t is_rep2[LZMA_STATES];
    uint16_t is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
    uint16_t dist_slot[LZMA_DIST_STATES][LZMA_DIST_SLOTS];
    /*
     * Reverse bit trees for the low bits of slots 4..13, packed back to
     * back. Slot s's tree is indexed from (its base distance - s), and
     * reverse trees use entries from 1, so entry 0 is unused.
     */
    uint16_t dist_special[1 + LZMA_FULL_DISTANCES - LZMA_DIST_MODEL_END];
    uint16_t dist_align[1u << LZMA_ALIGN_BITS];
    struct lzma_len_probs match_len;
    struct lzma_len_probs rep_len;
    uint16_t literal[LZMA_LIT_CODERS_MAX][LZMA_LIT_PROBS];
};

/* Decoder state kept across the LZMA chunks of one LZMA2 stream. */
struct lzma_dec {
    uint32_t state;
    uint32_t rep[4];            /* the last four distances, rep[0] newest */
    uint32_t lc, lp, pb;
    uint32_t dict_size;         /* from the LZMA2 filter properties */
    struct lzma_probs probs;
};

/* The output buffer, which is also the dictionary. */
struct xz_out {
    uint8_t *buf;
    size_t pos;                 /* bytes written */
    size_t cap;
    size_t dict_start;          /* where the current dictionary begins */
};

/* Decode the lc/lp/pb byte; LZMA2 requires lc + lp <= 4. */
static int lzma_set_props(struct lzma_dec *s, uint8_t props)
{
    uint32_t v = props;

    if (v > LZMA_PROPS_MAX)
        return -EINVAL;
    s->lc = v % 9;
    v /= 9;
    s->lp = v % 5;
    s->pb = v / 5;
    if (s->lc + s->lp > LZMA_LCLP_MAX)
        return -EINVAL;
    return 0;
}

static void lzma_reset(struct lzma_dec *s)
{
    uint16_t *p = (uint16_t *)&s->probs;
    size_t i, n;

    /* Only the literal coders lc + lp can select are ever read. */
    n = offsetof(struct lzma_probs, literal) / sizeof(uint16_t) +
        ((size_t)LZMA_LIT_PROBS << (s->lc + s->lp));
    for (i = 0; i < n; i++)
        p[i] = RC_PROB_INIT;
    s->state = 0;
    s->rep[0] = s->rep[1] = s->rep[2] = s->rep[3] = 0;
}

static inline uint32_t lzma_len(struct rc_dec *rc, struct lzma_len_probs *l, uint32_t pos_state)
{
    if (!rc_bit(rc, &l->choice))
        return LZMA_MATCH_LEN_MIN + rc_bittree(rc, l->low[pos_state], LZMA_LEN_LOW_SYMS);
    if (!rc_bit(rc, &l->choice2))
        return LZMA_MATCH_LEN_MIN + LZMA_LEN_LOW_SYMS +
               rc_bittree(rc, l->mid[pos_state], LZMA_LEN_MID_SYMS);
    return LZMA_MATCH_LEN_MIN + LZMA_LEN_LOW_SYMS + LZMA_LEN_MID_SYMS +
           rc_bittree(rc, l->high, LZMA_LEN_HIGH_SYMS);
}

/*
 * A match distance (0 = the previous byte). Slots 0..3 are the distance;
 * above, the slot gives the top two bits and the bit count, the low bits
 * come from a per-slot reverse tree (slots < 14) or as direct bits plus
 * four modelled alignment bits. 0xFFFFFFFF is LZMA's end marker, which
 * LZMA2 forbids; the caller's dictionary-size check rejects it.
 */
static inline uint32_t lzma_dist(struct rc_dec *rc, struct lzma_probs *p, uint32_t len)
{
    uint32_t dist_state = len - LZMA_MATCH_LEN_MIN, slot, bits, dist;

    if (dist_state >= LZMA_DIST_STATES)
        dist_state = LZMA_DIST_STATES - 1;
    slot = rc_bittree(rc, p->dist_slot[dist_state], LZMA_DIST_SLOTS);
    if (slot < LZMA_DIST_MODEL_START)
        return slot;
    bits = (slot >> 1) - 1;
    dist = (2 | (slot & 1)) << bits;
    if (slot < LZMA_DIST_MODEL_END)
        return dist + rc_bittree_reverse(rc, &p->dist_special[dist - slot], bits);
    dist += rc_direct(rc, bits - LZMA_ALIGN_BITS) << LZMA_ALIGN_BITS;
    return dist + rc_bittree_reverse(rc, p->dist_align, LZMA_ALIGN_BITS);
}

/* Slot 13 (the last modelled slot) has base 3 << 5 and a 5-bit tree. */
_Static_assert((3u << 5) - 13 + (1u << 5) - 1 <
                   ARRAY_SIZE(((struct lzma_probs *)0)->dist_special),
               "dist_special holds slot 13's tree");

static inline uint32_t lzma_state_after_literal(uint32_t state)
{
    if (state < 4)
        return 0;
    if (state < 10)
        return state - 3;
    return state - 6;
}

/*
 * Decode one LZMA chunk: @in[0..in_len) is its whole compressed data and it
 * must produce exactly @unpacked bytes at o->pos, which the caller checked
 * fit in the output. Matches may not run past the chunk's end.
 */
static int lzma_chunk(struct lzma_dec *s, const uint8_t *in, size_t in_len, struct xz_out *o,
                      size_t unpacked)
{
    struct lzma_probs *p = &s->probs;
    uint8_t *buf = o->buf;
    const size_t start = o->dict_start, end = o->pos + unpacked;
    const uint32_t lc = s->lc, lp_mask = (1u << s->lp) - 1, pb_mask = (1u << s->pb) - 1;
    const uint32_t dict_size = s->dict_size;
    uint32_t state = s->state, rep0 = s->rep[0], rep1 = s->rep[1], rep2 = s->rep[2],
             rep3 = s->rep[3];
    size_t pos = o->pos;
    struct rc_dec rc;

    if (in_len < RC_INIT_BYTES || in[0] != 0)
        return -EINVAL;
    rc.in = in;
    rc.pos = RC_INIT_BYTES;
    rc.end = in_len;
    rc.range = 0xFFFFFFFFu;
    rc.code = get_be32(in + 1);
    rc.overrun = false;

    while (pos < end) {
        uint32_t pos_state = (uint32_t)(pos - start) & pb_mask, len;
        size_t avail;

        if (unlikely(rc.overrun))
            return -EINVAL;

        if (!rc_bit(&rc, &p->is_match[state][pos_state])) {
            uint32_t prev = pos > start ? buf[pos - 1] : 0, sym = 1;
            uint16_t *lit = p->literal[((((uint32_t)(pos - start)) & lp_mask) << lc) +
                                       (prev >> (8 - lc))];

            if (state < LZMA_LIT_STATES) {
                do
                    sym = (sym << 1) | rc_bit(&rc, &lit[sym]);
                while (sym < 0x100);
            } else {
                /*
                 * After a match, the byte at rep0 guides the tree until
                 * the first bit that differs from it.
                 */
                uint32_t match, offs = 0x100;

                if (unlikely(rep0 >= pos - start))
                    return -EINVAL;
                match = buf[pos - rep0 - 1];
                do {
                    uint32_t mbit, bit;

                    match <<= 1;
                    mbit = match & offs;
                    bit = rc_bit(&rc, &lit[offs + mbit + sym]);
                    sym = (sym << 1) | bit;
                    offs &= bit ? mbit : ~mbit;
                } while (sym < 0x100);
            }
            buf[pos++] = (uint8_t)sym;
            state = lzma_state_after_literal(state);
            continue;
        }

        if (!rc_bit(&rc, &p->is_rep[state])) {
            /* A new match. */
            len = lzma_len(&rc, &p->match_len, pos_state);
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            rep0 = lzma_dist(&rc, p, len);
            state = state < LZMA_LIT_STATES ? 7 : 10;
        } else if (!rc_bit(&rc, &p->is_rep0[state])) {
            if (!rc_bit(&rc, &p->is_rep0_long[state][pos_state])) {
                /* One byte from rep0. */
                len = 1;
                state = state < LZMA_LIT_STATES ? 9 : 11;
            } else {
                len = lzma_len(&rc, &p->rep_len, pos_state);
                state = state < LZMA_LIT_STATES ? 8 : 11;
            }
        } else {
            /* Reuse rep1..rep3, moving it to the front. */
            uint32_t dist;

            if (!rc_bit(&rc, &p->is_rep1[state])) {
                dist = rep1;
            } else {
                if (!rc_bit(&rc, &p->is_rep2[state])) {
                    dist = rep2;
                } else {
                    dist = rep3;
                    rep3 = rep2;
                }
                rep2 = rep1;
            }
            rep1 = rep0;
            rep0 = dist;
            len = lzma_len(&rc, &p->rep_len, pos_state);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        }

        /* rep0 must point into this dictionary, within its declared size. */
        avail = pos - start;
        if (unlikely(rep0 >= avail || rep0 >= dict_size || len > end - pos))
            return -EINVAL;
        {
            const uint8_t *src = buf + pos - rep0 - 1;
            uint8_t *dst = buf + pos;
            uint32_t i;

            /* Overlapping copies (rep0 < len) repeat a pattern; go bytewise. */
            for (i = 0; i < len; i++)
                dst[i] = src[i];
            pos += len;
        }
    }

    rc_normalize(&rc);
    if (rc.overrun || rc.pos != rc.end || rc.code != 0)
        return -EINVAL;
    s->state = state;
    s->rep[0] = rep0;
    s->rep[1] = rep1;
    s->rep[2] = rep2;
    s->rep[3] = rep3;
    o->pos = pos;
    return 0;
}

/* ---- LZMA2 --------------------------------------------------------------- */

/*
 * An LZMA2 stream is a sequence of chunks, each opened by a control byte:
 *   0x00        end of the stream
 *   0x01        uncompressed chunk, dictionary reset
 *   0x02        uncompressed chunk
 *   0x80..0xFF  LZMA chunk; bits 0-4 are bits 16-20 of (unpacked size - 1),
 *               bits 5-6 what is reset first: 0 nothing, 1 the LZMA state,
 *               2 the state with new lc/lp/pb, 3 that and the dictionary
 * then big-endian 16-bit (size - 1) fields: uncompressed chunks give their
 * size, LZMA chunks the low bits of their unpacked size and their packed
 * size, then the properties byte if new ones are set. Every LZMA chunk
 * restarts the range decoder. The first chunk must reset the dictionary,
 * and the first LZMA chunk after a dictionary reset must set properties.
 */
#define LZMA2_CTRL_END              0x00
#define LZMA2_CTRL_COPY_RESET       0x01
#define LZMA2_CTRL_COPY             0x02
#define LZMA2_CTRL_LZMA             0x80
#define LZMA2_CTRL_STATE_RESET      0xA0
#define LZMA2_CTRL_NEW_PROPS        0xC0
#define LZMA2_CTRL_DICT_RESET       0xE0
#define LZMA2_DICT_BITS_MAX         40

/* Dictionary size from the LZMA2 filter's property byte. */
static int lzma2_dict_size(uint8_t props, uint32_t *size)
{
    if (props > LZMA2_DICT_BITS_MAX)
        return -EINVAL;
    if (props == LZMA2_DICT_BITS_MAX)
        *size = 0xFFFFFFFFu;
    else
        *size = (2u | (props & 1u)) << (props / 2 + 11);
    return 0;
}

/*
 * Decode the LZMA2 stream at in[*in_pos..in_end) into @o, leaving *in_pos
 * just past its end marker.
 */
static int lzma2_decode(struct lzma_dec *s, const uint8_t *in, size_t in_end, size_t *in_pos,
                        struct xz_out *o)
{
    bool need_dict_reset = true, need_props = true;
    size_t ip = *in_pos;
    int ret;

    for (;;) {
        uint32_t ctrl, unpacked, packed;

        if (ip >= in_end)
            return -EINVAL;
        ctrl = in[ip++];
        if (ctrl == LZMA2_CTRL_END)
            break;

        if (ctrl >= LZMA2_CTRL_DICT_RESET || ctrl == LZMA2_CTRL_COPY_RESET) {
            o->dict_start = o->pos;
            need_dict_reset = false;
            need_props = true;
        } else if (need_dict_reset) {
            return -EINVAL;
        }

        if (ctrl < LZMA2_CTRL_LZMA) {
            if (ctrl > LZMA2_CTRL_COPY)
                return -EINVAL;
            if (in_end - ip < 2)
                return -EINVAL;
            unpacked = get_be16(in + ip) + 1;
            ip += 2;
            if (in_end - ip < unpacked)
                return -EINVAL;
            if (o->cap - o->pos < unpacked)
                return -ENOSPC;
            memcpy(o->buf + o->pos, in + ip, unpacked);
            o->pos += unpacked;
            ip += unpacked;
            continue;
        }

        if (in_end - ip < 4)
            return -EINVAL;
        unpacked = ((ctrl & 0x1F) << 16) + get_be16(in + ip) + 1;
        packed = get_be16(in + ip + 2) + 1;
        ip += 4;
        if (ctrl >= LZMA2_CTRL_NEW_PROPS) {
            if (ip >= in_end)
                return -EINVAL;
            ret = lzma_set_props(s, in[ip++]);
            if (ret)
                return ret;
            need_props = false;
        } else if (need_props) {
            return -EINVAL;
        }
        if (ctrl >= LZMA2_CTRL_STATE_RESET)
            lzma_reset(s);
        if (in_end - ip < packed)
            return -EINVAL;
        if (o->cap - o->pos < unpacked)
            return -ENOSPC;
        ret = lzma_chunk(s, in + ip, packed, o, unpacked);
        if (ret)
            return ret;
        ip += packed;
    }
    *in_pos = ip;
    return 0;
}

/* ---- x86 BCJ ------------------------------------------------------------- */

/*
 * The encoder turned the rel32 operand of E8 (call) and E9 (jmp) opcodes into
 * an absolute address (operand + offset of the next instruction), when the
 * operand's top byte is 0x00 or 0xFF, so repeated calls to one function
 * compress well. Decoding subtracts the offset again. To avoid converting
 * bytes that merely look like opcodes inside another instruction's
 * operand, each candidate is judged by which of the three bytes before it
 * were themselves E8/E9 candidates left unconverted (`recent`, bit k for the
 * byte k+1 positions back); some patterns veto the candidate, and the
 * others decide which byte of the address is re-examined when undoing a
 * conversion. The decoder must mirror the encoder's decisions exactly.
 *
 * Bytes in the last four positions of a block are never candidates; the
 * encoder left them alone too (it cannot know the operand is complete).
 */
static inline bool bcj_x86_top_byte(uint8_t b)
{
    return b == 0x00 || b == 0xFF;
}

static void bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start_offset)
{
    /* By `recent` pattern: may the candidate convert; which byte to test. */
    static const bool pattern_ok[8] = { true, true, true, false, true, false, false, false };
    static const uint8_t pattern_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
    uint32_t recent = 0;
    size_t last = (size_t)0 - 4;    /* previous candidate; none: 4 back */
    size_t i;

    if (size < 5)
        return;
    for (i = 0; i < size - 4; i++) {
        uint32_t pc, rel;
        size_t gap;

        if ((buf[i] & 0xFE) != 0xE8)
            continue;
        gap = i - last;
        last = i;
        if (gap > 3) {
            recent = 0;
        } else {
            recent = (recent << (gap - 1)) & 7;
            if (recent != 0 && (!pattern_ok[recent] ||
                                bcj_x86_top_byte(buf[i + 4 - pattern_byte[recent]]))) {
                recent = (recent << 1) | 1;
                continue;
            }
        }
        if (!bcj_x86_top_byte(buf[i + 4])) {
            recent = (recent << 1) | 1;
            continue;
        }

        /*
         * Undo the conversion. If unconverted candidates precede this one,
         * the encoder re-examined one byte of its result (byte k, chosen by
         * the pattern) and, when that byte came out 0x00/0xFF, converted
         * again from the value with bytes 0..k complemented. Undo that too.
         * A further round cannot be needed: over bytes 0..k, complementing
         * then subtracting the offset again gives the complement of the
         * stored bytes, and the veto above already required the stored
         * byte k not to be 0x00/0xFF.
         */
        pc = start_offset + (uint32_t)i + 5;
        rel = get_le32(buf + i + 1) - pc;
        if (recent != 0) {
            uint32_t shift = 24 - pattern_byte[recent] * 8u;

            if (bcj_x86_top_byte((uint8_t)(rel >> shift)))
                rel = (rel ^ ((1u << (shift + 8)) - 1)) - pc;
        }
        /* Bits 25..31 copy bit 24: the operand is a sign-extended 25-bit value. */
        rel &= 0x01FFFFFFu;
        rel |= 0u - (rel & 0x01000000u);
        put_le32(buf + i + 1, rel);
        i += 4;
    }
}

/* ---- .xz container ------------------------------------------------------- */

#define XZ_HEADER_SIZE          12
#define XZ_FOOTER_SIZE          12
#define XZ_STREAM_FLAGS_SIZE    2
#define XZ_VLI_BYTES_MAX        9
#define XZ_VLI_MAX              (UINT64_MAX / 2)
#define XZ_VLI_UNKNOWN          UINT64_MAX
#define XZ_UNPADDED_MIN         5
#define XZ_BLOCK_HDR_MIN        8
#define XZ_BLOCK_FLAG_FILTERS   0x03
#define XZ_BLOCK_FLAG_RESERVED  0x3C
#define XZ_BLOCK_FLAG_PACKED    0x40
#define XZ_BLOCK_FLAG_UNPACKED  0x80
#define XZ_FILTER_X86           0x04
#define XZ_FILTER_LZMA2         0x21

enum xz_check {
    XZ_CHECK_NONE = 0,
    XZ_CHECK_CRC32 = 1,
    XZ_CHECK_CRC64 = 4,
    XZ_CHECK_SHA256 = 10,
};

static const uint8_t xz_header_magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t xz_footer_magic[2] = { 'Y', 'Z' };

/* Check size by check ID (the format fixes sizes even for reserved IDs). */
static size_t xz_check_size(unsigned int check)
{
    static const uint8_t size[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64 };

    return size[check & 0xF];
}

/* Everything the decoder needs, in the caller's workspace. */
struct xz_work {
    struct xz_crc_tables crc;
    struct lzma_dec lzma;
};

/* Alignment slack: the workspace pointer is rounded up to this. */
#define XZ_WORK_ALIGN   _Alignof(struct xz_work)

_Static_assert(sizeof(struct xz_work) + XZ_WORK_ALIGN <= XZ_WORKSPACE_SIZE,
               "XZ_WORKSPACE_SIZE too small");

/*
 * What the index says about a stream's blocks, or what decoding them found:
 * the two must be equal.
 */
struct xz_index_sum {
    uint64_t count;
    uint64_t unpadded;          /* sum of unpadded sizes */
    uint64_t blocks_size;       /* bytes the blocks occupy (padded to 4) */
    uint64_t uncompressed;
    uint32_t crc;               /* CRC32 over each record's sizes, LE64 each */
};

static int index_sum_add(const struct xz_crc_tables *t, struct xz_index_sum *sum,
                         uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];
    uint64_t padded = ROUNDUP(unpadded, 4);
    unsigned int i;

    if (unpadded < XZ_UNPADDED_MIN || unpadded > (XZ_VLI_MAX & ~3ull) ||
        uncompressed > XZ_VLI_MAX)
        return -EINVAL;
    if (padded > XZ_VLI_MAX - sum->blocks_size ||
        uncompressed > XZ_VLI_MAX - sum->uncompressed)
        return -EINVAL;
    sum->count++;
    sum->unpadded += unpadded;
    sum->blocks_size += padded;
    sum->uncompressed += uncompressed;
    for (i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    sum->crc = crc32_update(t, sum->crc, rec, sizeof(rec));
    return 0;
}

/* A variable-length integer: 7 bits per byte, low first, minimally encoded. */
static int vli_read(const uint8_t *in, size_t end, size_t *pos, uint64_t *val)
{
    uint64_t v = 0;
    size_t p = *pos;
    unsigned int i;

    for (i = 0; i < XZ_VLI_BYTES_MAX; i++) {
        uint8_t b;

        if (p >= end)
            return -EINVAL;
        b = in[p++];
        if (b == 0 && i > 0)
            return -EINVAL;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            *pos = p;
            *val = v;
            return 0;
        }
    }
    return -EINVAL;
}

/* Stream flags: a zero byte, then the check ID in the low nibble. */
static int stream_flags_check(const uint8_t *flags)
{
    return flags[0] != 0 || (flags[1] & 0xF0) ? -EINVAL : 0;
}

static int stream_header_parse(const struct xz_crc_tables *t, const uint8_t *in, size_t in_len,
                               size_t pos, unsigned int *check)
{
    const uint8_t *h = in + pos;

    if (in_len - pos < XZ_HEADER_SIZE || memcmp(h, xz_header_magic, sizeof(xz_header_magic)))
        return -EINVAL;
    if (stream_flags_check(h + 6) || crc32_update(t, 0, h + 6, XZ_STREAM_FLAGS_SIZE) !=
                                         get_le32(h + 8))
        return -EINVAL;
    *check = h[7];
    return 0;
}

/* The footer at @pos; sets *@index_size from its backward-size field. */
static int stream_footer_parse(const struct xz_crc_tables *t, const uint8_t *in, size_t in_len,
                               size_t pos, unsigned int *check, uint64_t *index_size)
{
    const uint8_t *f = in + pos;

    if (in_len - pos < XZ_FOOTER_SIZE || memcmp(f + 10, xz_footer_magic, 2))
        return -EINVAL;
    if (stream_flags_check(f + 8) || crc32_update(t, 0, f + 4, 6) != get_le32(f))
        return -EINVAL;
    *check = f[9];
    *index_size = ((uint64_t)get_le32(f + 4) + 1) * 4;
    return 0;
}

/*
 * The index starting at @pos and ending at or before @end: sum its records
 * into *@sum and set *@size to its length.
 */
static int index_parse(const struct xz_crc_tables *t, const uint8_t *in, size_t end, size_t pos,
                       struct xz_index_sum *sum, size_t *size)
{
    const size_t start = pos;
    uint64_t count, i;
    int ret;

    if (pos >= end || in[pos] != 0)
        return -EINVAL;
    pos++;
    ret = vli_read(in, end, &pos, &count);
    if (ret)
        return ret;
    /* Each record takes at least two bytes, so the loop ends with the input. */
    for (i = 0; i < count; i++) {
        uint64_t unpadded, uncompressed;

        ret = vli_read(in, end, &pos, &unpadded);
        if (!ret)
            ret = vli_read(in, end, &pos, &uncompressed);
        if (!ret)
            ret = index_sum_add(t, sum, unpadded, uncompressed);
        if (ret)
            return ret;
    }
    while ((pos - start) & 3) {
        if (pos >= end || in[pos] != 0)
            return -EINVAL;
        pos++;
    }
    if (end - pos < 4 || crc32_update(t, 0, in + start, pos - start) != get_le32(in + pos))
        return -EINVAL;
    *size = pos + 4 - start;
    return 0;
}

/* A parsed block header. */
struct xz_block {
    size_t header_size;
    uint64_t packed;            /* XZ_VLI_UNKNOWN if not given */
    uint64_t unpacked;          /* XZ_VLI_UNKNOWN if not given */
    bool x86;                   /* x86 BCJ before LZMA2 */
    uint32_t x86_start;         /* BCJ start offset */
    uint32_t dict_size;
};

/*
 * The block header at @pos (whose first byte, non-zero, the caller read).
 * Accepts the filter chains LZMA2 and x86 BCJ + LZMA2.
 */
static int block_header_parse(const struct xz_crc_tables *t, const uint8_t *in, size_t in_len,
                              size_t pos, struct xz_block *b)
{
    size_t size = ((size_t)in[pos] + 1) * 4, end, p;
    unsigned int flags, filters, i;
    int ret;

    if (in_len - pos < size)
        return -EINVAL;
    end = pos + size - 4;
    if (crc32_update(t, 0, in + pos, size - 4) != get_le32(in + end))
        return -EINVAL;
    b->header_size = size;
    b->packed = XZ_VLI_UNKNOWN;
    b->unpacked = XZ_VLI_UNKNOWN;
    b->x86 = false;
    b->x86_start = 0;

    p = pos + 1;
    flags = in[p++];
    if (flags & XZ_BLOCK_FLAG_RESERVED)
        return -EINVAL;
    filters = (flags & XZ_BLOCK_FLAG_FILTERS) + 1;
    if (flags & XZ_BLOCK_FLAG_PACKED) {
        ret = vli_read(in, end, &p, &b->packed);
        if (ret)
            return ret;
        if (b->packed == 0)
            return -EINVAL;
    }
    if (flags & XZ_BLOCK_FLAG_UNPACKED) {
        ret = vli_read(in, end, &p, &b->unpacked);
        if (ret)
            return ret;
    }
    for (i = 0; i < filters; i++) {
        uint64_t id, props;

        ret = vli_read(in, end, &p, &id);
        if (!ret)
            ret = vli_read(in, end, &p, &props);
        if (ret)
            return ret;
        if (props > end - p)
            return -EINVAL;
        if (i + 1 < filters) {
            /* Only one non-last filter is supported: x86 BCJ. */
            if (i > 0 || id != XZ_FILTER_X86)
                return -EINVAL;
            b->x86 = true;
            if (props == 4)
                b->x86_start = get_le32(in + p);
            else if (props != 0)
                return -EINVAL;
        } else {
            if (id != XZ_FILTER_LZMA2 || props != 1)
                return -EINVAL;
            ret = lzma2_dict_size(in[p], &b->dict_size);
            if (ret)
                return ret;
        }
        p += props;
    }
    for (; p < end; p++)
        if (in[p] != 0)
            return -EINVAL;
    return 0;
}

/* One decode in progress. */
struct xz_dec {
    const uint8_t *in;
    size_t in_len;
    size_t pos;                 /* input position */
    struct xz_out out;
    struct xz_work *w;
};

static int block_check_verify(struct xz_dec *d, unsigned int check, const uint8_t *data,
                              size_t len)
{
    const uint8_t *sum = d->in + d->pos;

    switch (check) {
    case XZ_CHECK_NONE:
        return 0;
    case XZ_CHECK_CRC32:
        return crc32_update(&d->w->crc, 0, data, len) == get_le32(sum) ? 0 : -EINVAL;
    case XZ_CHECK_CRC64:
        return crc64_calc(&d->w->crc, data, len) == get_le64(sum) ? 0 : -EINVAL;
    default:
        return -EINVAL;
    }
}

/* Decode the block at d->pos, folding its sizes into *@sum. */
static int block_decode(struct xz_dec *d, unsigned int check, struct xz_index_sum *sum)
{
    const size_t block_start = d->pos, out_start = d->out.pos;
    size_t data_start, data_end, ip, packed, unpacked, check_size = xz_check_size(check);
    struct xz_block b;
    int ret;

    ret = block_header_parse(&d->w->crc, d->in, d->in_len, block_start, &b);
    if (ret)
        return ret;
    data_start = block_start + b.header_size;
    data_end = d->in_len;
    if (b.packed != XZ_VLI_UNKNOWN) {
        if (b.packed > d->in_len - data_start)
            return -EINVAL;
        data_end = data_start + b.packed;
    }

    d->w->lzma.dict_size = b.dict_size;
    ip = data_start;
    ret = lzma2_decode(&d->w->lzma, d->in, data_end, &ip, &d->out);
    if (ret)
        return ret;
    packed = ip - data_start;
    unpacked = d->out.pos - out_start;
    if ((b.packed != XZ_VLI_UNKNOWN && b.packed != packed) ||
        (b.unpacked != XZ_VLI_UNKNOWN && b.unpacked != unpacked))
        return -EINVAL;

    if (b.x86)
        bcj_x86_decode(d->out.buf + out_start, unpacked, b.x86_start);

    while ((ip - data_start) & 3) {
        if (ip >= d->in_len || d->in[ip] != 0)
            return -EINVAL;
        ip++;
    }
    if (d->in_len - ip < check_size)
        return -EINVAL;
    d->pos = ip;
    ret = block_check_verify(d, check, d->out.buf + out_start, unpacked);
    if (ret)
        return ret;
    d->pos += check_size;
    return index_sum_add(&d->w->crc, sum, b.header_size + packed + check_size, unpacked);
}

/* Decode the stream at d->pos, leaving d->pos just past its footer. */
static int stream_decode(struct xz_dec *d)
{
    const struct xz_crc_tables *t = &d->w->crc;
    struct xz_index_sum blocks = { 0 }, index = { 0 };
    unsigned int check, footer_check;
    uint64_t backward;
    size_t index_size;
    int ret;

    ret = stream_header_parse(t, d->in, d->in_len, d->pos, &check);
    if (ret)
        return ret;
    if (check != XZ_CHECK_NONE && check != XZ_CHECK_CRC32 && check != XZ_CHECK_CRC64)
        return -EINVAL;
    d->pos += XZ_HEADER_SIZE;

    /* Blocks until the index indicator, a zero where a header size would be. */
    for (;;) {
        if (d->pos >= d->in_len)
            return -EINVAL;
        if (d->in[d->pos] == 0)
            break;
        ret = block_decode(d, check, &blocks);
        if (ret)
            return ret;
    }

    ret = index_parse(t, d->in, d->in_len, d->pos, &index, &index_size);
    if (ret)
        return ret;
    if (index.count != blocks.count || index.unpadded != blocks.unpadded ||
        index.uncompressed != blocks.uncompressed || index.crc != blocks.crc)
        return -EINVAL;
    d->pos += index_size;

    ret = stream_footer_parse(t, d->in, d->in_len, d->pos, &footer_check, &backward);
    if (ret)
        return ret;
    if (footer_check != check || backward != index_size)
        return -EINVAL;
    d->pos += XZ_FOOTER_SIZE;
    return 0;
}

int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
              size_t *out_len, void *work, size_t work_len)
{
    struct xz_dec d;
    uintptr_t base;
    int ret;

    if (!in || !out_len || !work || (!out && out_cap))
        return -EINVAL;
    if (work_len < XZ_WORKSPACE_SIZE)
        return -ENOMEM;
    base = ROUNDUP((uintptr_t)work, XZ_WORK_ALIGN);

    d.in = in;
    d.in_len = in_len;
    d.pos = 0;
    d.out.buf = out;
    d.out.pos = 0;
    d.out.cap = out_cap;
    d.out.dict_start = 0;
    d.w = (struct xz_work *)base;
    crc_tables_init(&d.w->crc);

    /* One stream, then any number of (padding, stream) pairs, then padding. */
    ret = stream_decode(&d);
    while (!ret && d.pos < in_len) {
        size_t pad = d.pos;

        while (d.pos < in_len && in[d.pos] == 0)
            d.pos++;
        if ((d.pos - pad) & 3)
            ret = -EINVAL;
        else if (d.pos < in_len)
            ret = stream_decode(&d);
    }
    if (ret)
        return ret;
    *out_len = d.out.pos;
    return 0;
}

int xz_uncompressed_size(const uint8_t *in, size_t in_len, size_t *size)
{
    uint64_t total = 0;
    size_t end = in_len;

    if (!in || !size || (in_len & 3))
        return -EINVAL;
    /* Streams from last to first; each iteration consumes at least 24 bytes. */
    do {
        struct xz_index_sum sum = { 0 };
        unsigned int check, header_check;
        uint64_t index_size;
        size_t footer, index_start, parsed, header;
        int ret;

        while (end >= 4 && get_le32(in + end - 4) == 0)
            end -= 4;
        if (end < XZ_HEADER_SIZE + XZ_FOOTER_SIZE)
            return -EINVAL;
        footer = end - XZ_FOOTER_SIZE;
        ret = stream_footer_parse(NULL, in, in_len, footer, &check, &index_size);
        if (ret)
            return ret;
        if (index_size > footer - XZ_HEADER_SIZE)
            return -EINVAL;
        index_start = footer - index_size;
        ret = index_parse(NULL, in, footer, index_start, &sum, &parsed);
        if (ret)
            return ret;
        if (parsed != index_size || sum.blocks_size > index_start - XZ_HEADER_SIZE)
            return -EINVAL;
        header = index_start - sum.blocks_size - XZ_HEADER_SIZE;
        ret = stream_header_parse(NULL, in, in_len, header, &header_check);
        if (ret)
            return ret;
        if (header_check != check || sum.uncompressed > UINT64_MAX - total)
            return -EINVAL;
        total += sum.uncompressed;
        end = header;
    } while (end > 0);

    if (total > SIZE_MAX)
        return -EINVAL;
    *size = (size_t)total;
    return 0;
}
