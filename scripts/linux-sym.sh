#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Names the Linux text symbols holding addresses, from the System.map of the
# cached Debian kernel (scripts/fetch-linux.sh --dbg fetches it).
# Usage: linux-sym.sh [-m System.map] ADDR...   ADDR in hex, 0x optional.
# Prints "ADDR symbol+0xoff" per address, or "ADDR ?" below the first symbol.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
map=${KEEL_LINUX_CACHE:-$repo/cache/linux}/System.map
if [ "${1:-}" = -m ]; then
  map=${2:?linux-sym: -m needs a file}
  shift 2
fi
[ $# -gt 0 ] || { echo "usage: linux-sym.sh [-m System.map] ADDR..." >&2; exit 2; }
[ -r "$map" ] || { echo "linux-sym: no $map: run 'scripts/fetch-linux.sh --dbg'" >&2; exit 1; }

for arg in "$@"; do
  hex=${arg#0x}
  hex=${hex#0X}
  hex=${hex,,}
  [[ $hex =~ ^[0-9a-f]{1,16}$ ]] || { echo "linux-sym: '$arg' is not a hex address" >&2; exit 2; }
  addr=$(printf '%016s' "$hex" | tr ' ' 0)
  # System.map addresses are 16 lower-case hex digits, so string order is
  # numeric order (awk's numbers would lose the low bits of 64-bit values).
  best=$(awk -v a="$addr" '$2 ~ /^[tTwW]$/ && ($1 "") <= (a "") { b = $1 " " $3 } END { print b }' "$map")
  if [ -z "$best" ]; then
    echo "$arg ?"
    continue
  fi
  # Bash arithmetic wraps at 64 bits: the difference is still exact.
  printf '%s %s+%#x\n' "$arg" "${best#* }" $(( 0x$addr - 0x${best%% *} ))
done
