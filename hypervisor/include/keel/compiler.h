/* SPDX-License-Identifier: MIT */
/*
 * Included before every hypervisor translation unit. The image is linked far
 * above 4 GiB and compiled position-independent, so every symbol is hidden:
 * references become RIP-relative instead of going through a GOT.
 */
#pragma GCC visibility push(hidden)
