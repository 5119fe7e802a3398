#!/bin/sh
# SPDX-License-Identifier: MIT
# Compile every public header on its own: with each compiler, hosted and
# freestanding (only the compiler's own <stdint.h>/<stddef.h> reachable),
# in the guest view and the toolstack view, as strict C11 with warnings
# as errors.  A tools-only header (its guard line below directly followed by
# an #error, as domctl.h and sysctl.h have) must instead be refused in the
# guest view, by that #error first.
# Usage: build_headers.sh <include/public> <out-dir> <cc>...
set -eu

tools_guard='#if !defined(__XEN__) && !defined(__XEN_TOOLS__)'
tools_only() {
    grep -A1 -xF "$tools_guard" "$pub/$1" | grep -q '^#error'
}

pub=$(cd "$1" && pwd)
out=$2
shift 2
mkdir -p "$out"

flags="-std=c11 -pedantic -Wall -Wextra -Werror -Wshadow -Wformat=2
       -Wpointer-arith -Wwrite-strings -Wmissing-prototypes -Wundef
       -fsyntax-only"
n=0
fail=0
refused=0
for cc in "$@"; do
    ccinc=$("$cc" -print-file-name=include)
    for env in hosted freestanding; do
        case $env in
        hosted) envflags= ;;
        freestanding) envflags="-ffreestanding -nostdinc -isystem $ccinc" ;;
        esac
        for view in guest tools; do
            case $view in
            guest) viewflags= ;;
            tools) viewflags=-D__XEN_TOOLS__ ;;
            esac
            for h in $(cd "$pub" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort); do
                tu="$out/$(echo "$h" | tr '/.' '__')-$cc-$env-$view.c"
                printf '#include "%s/%s"\ntypedef int abi_tu_not_empty;\n' "$pub" "$h" >"$tu"
                n=$((n + 1))
                if [ "$view" = guest ] && tools_only "$h"; then
                    # Expected: the first error is the header's own #error.
                    errline=$(grep -n '^#error' "$pub/$h" | head -n 1 | cut -d: -f1)
                    # shellcheck disable=SC2086
                    if "$cc" $flags $envflags $viewflags "$tu" 2>"$tu.err"; then
                        echo "FAIL  $h ($cc, $env, $view): tools-only header compiled"
                        fail=$((fail + 1))
                    elif ! grep -m 1 'error:' "$tu.err" | grep -q "/$h:$errline:"; then
                        echo "FAIL  $h ($cc, $env, $view): not refused by its #error"
                        cat "$tu.err"
                        fail=$((fail + 1))
                    else
                        refused=$((refused + 1))
                    fi
                    continue
                fi
                # shellcheck disable=SC2086
                if ! "$cc" $flags $envflags $viewflags "$tu" 2>"$tu.err"; then
                    echo "FAIL  $h ($cc, $env, $view)"
                    cat "$tu.err"
                    fail=$((fail + 1))
                fi
            done
        done
    done
done
echo "abi-headers-build: $((n - fail)) passed, $fail failed ($refused passes: tools-only headers refused in the guest view)"
[ "$fail" -eq 0 ]
