#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Emits an assembly symbol table (see hypervisor/common/symbols.c) for the
# text symbols of the ELF given, or an empty table with no argument.
set -euo pipefail
echo '        .section .rodata.symbols, "a"'
echo '        .globl symbols_count, symbols_addrs, symbols_name_offsets, symbols_names'
echo '        .p2align 3'
if [ $# -eq 0 ]; then
  echo 'symbols_count: .quad 0'
  echo 'symbols_addrs:'
  echo 'symbols_name_offsets:'
  echo 'symbols_names: .byte 0'
  exit 0
fi
nm -n --defined-only "$1" | awk '
  BEGIN { n = 0 }
  $2 ~ /^[tT]$/ { addr[n] = $1; name[n] = $3; n++ }
  END {
    printf "symbols_count: .quad %d\n", n
    printf "symbols_addrs:\n"
    for (i = 0; i < n; i++) printf "        .quad 0x%s\n", addr[i]
    printf "symbols_name_offsets:\n"
    off = 0
    for (i = 0; i < n; i++) { printf "        .long %d\n", off; off += length(name[i]) + 1 }
    printf "symbols_names:\n"
    for (i = 0; i < n; i++) printf "        .asciz \"%s\"\n", name[i]
  }'
