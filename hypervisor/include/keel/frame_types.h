/* SPDX-License-Identifier: MIT */
/*
 * Distinct wrapper types for the three kinds of frame numbers, so the
 * compiler rejects a machine frame passed where a guest frame is expected.
 * Pure C: no arch includes, shared by the hypervisor and host unit tests.
 */
#ifndef KEEL_FRAME_TYPES_H
#define KEEL_FRAME_TYPES_H

#include <stdbool.h>
#include <stdint.h>

/* Machine frame: an index into host physical memory. */
typedef struct { unsigned long m; } mfn_t;
/* Guest frame: a frame number as a guest names it. */
typedef struct { unsigned long g; } gfn_t;
/* Pseudo-physical frame: an index into a PV guest's P2M. */
typedef struct { unsigned long p; } pfn_t;

#define INVALID_MFN_RAW (~0UL)

static inline mfn_t _mfn(unsigned long m) { return (mfn_t){ m }; }
static inline unsigned long mfn_x(mfn_t mfn) { return mfn.m; }
static inline gfn_t _gfn(unsigned long g) { return (gfn_t){ g }; }
static inline unsigned long gfn_x(gfn_t gfn) { return gfn.g; }
static inline pfn_t _pfn(unsigned long p) { return (pfn_t){ p }; }
static inline unsigned long pfn_x(pfn_t pfn) { return pfn.p; }

static inline bool mfn_eq(mfn_t a, mfn_t b) { return a.m == b.m; }
static inline mfn_t mfn_add(mfn_t mfn, unsigned long n) { return _mfn(mfn.m + n); }

#define INVALID_MFN _mfn(INVALID_MFN_RAW)

#endif
