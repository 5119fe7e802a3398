#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Test vectors for the XZ decoder (tests/unit/test_xz.c, tests/fuzz/fuzz_xz.c):
# deterministic raw data from a seeded generator, compressed with the host's
# xz (xz-utils) under many option sets. Usage: xz_vectors.sh OUTDIR
# Writes OUTDIR/*.raw, OUTDIR/*.xz and OUTDIR/manifest.txt, one line per
# vector: "<file.xz> <expected output file or -> <expected result>", where
# the result is 0 or an errno name the decoder must return.
set -euo pipefail

out=$1
python=${PYTHON:-python3}
command -v xz >/dev/null || { echo "xz_vectors: the 'xz' tool (xz-utils) is required" >&2; exit 1; }
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cd "$out.tmp"

# Raw inputs. xorshift64 so every host generates the same bytes.
"$python" - <<'EOF'
import struct

state = 0x9E3779B97F4A7C15
def rnd():
    global state
    state ^= (state << 13) & 0xFFFFFFFFFFFFFFFF
    state ^= state >> 7
    state ^= (state << 17) & 0xFFFFFFFFFFFFFFFF
    return state

def rbytes(n):
    return bytes(rnd() & 0xFF for _ in range(n))

def write(name, data):
    with open(name + ".raw", "wb") as f:
        f.write(data)

write("empty", b"")
write("byte", b"K")
write("zeros", bytes(1 << 20))
write("random", rbytes(96 * 1024))

words = [b"keel", b"hypervisor", b"grant", b"event", b"channel", b"page", b"frame",
         b"domain", b"vcpu", b"the", b"a", b"of", b"xen", b"paravirtual", b"\n"]
text = bytearray()
while len(text) < 300 * 1024:
    text += words[rnd() % len(words)] + b" "
write("text", bytes(text))

# Code-like blob: an ELF-looking header, then instruction-ish bytes with
# many calls and jumps to a few hundred targets (what BCJ x86 is for).
targets = [(rnd() % (1 << 20)) for _ in range(300)]
code = bytearray(b"\x7fELF\x02\x01\x01" + bytes(57))
while len(code) < 384 * 1024:
    r = rnd() % 16
    if r < 5:
        op = 0xE8 if r < 4 else 0xE9
        rel = (targets[rnd() % len(targets)] - (len(code) + 5)) & 0xFFFFFFFF
        code += bytes([op]) + struct.pack("<I", rel)
    elif r < 7:
        code += bytes([0x48, 0x89, 0xC0 | (rnd() & 0x3F)])
    elif r < 8:
        code += bytes([0x48, 0x8B, 0x05]) + struct.pack("<I", rnd() & 0xFFFF)
    else:
        code += rbytes(1 + rnd() % 6)
write("code", bytes(code))

# BCJ torture: dense E8/E9 and 0x00/0xFF bytes, every neighbourhood pattern.
pick = [0xE8, 0xE9, 0x00, 0xFF, 0xE8, 0x00, 0xFF]
write("bcj", bytes(pick[rnd() % len(pick)] if rnd() % 3 else rnd() & 0xFF
                   for _ in range(128 * 1024)))

# Mixed: random runs and repeats of earlier data (matches, rep matches).
mixed = bytearray()
while len(mixed) < 256 * 1024:
    if mixed and rnd() % 3:
        d = 1 + rnd() % min(len(mixed), 70000)
        n = 2 + rnd() % 300
        for _ in range(n):
            mixed.append(mixed[-d])
    else:
        mixed += rbytes(1 + rnd() % 40)
write("mixed", bytes(mixed))

# Small enough to truncate at every length and flip every bit.
write("small", bytes(text[:3000]) + bytes(code[4096:6144]))
EOF

manifest=()
# vec NAME RAW EXPECT XZ-OPTIONS...
vec() {
    local name=$1 raw=$2 expect=$3
    shift 3
    xz -c -q "$@" "$raw.raw" > "$name.xz"
    manifest+=("$name.xz $raw.raw $expect")
}

for d in empty byte zeros random text code bcj mixed; do
    vec "$d.default"   "$d" 0
    vec "$d.crc32"     "$d" 0 --check=crc32
    vec "$d.none"      "$d" 0 --check=none -1
    vec "$d.x86"       "$d" 0 --check=crc32 --x86 --lzma2
done
for d in text code mixed; do
    vec "$d.p0"        "$d" 0 -0
    vec "$d.p9e"       "$d" 0 -9e --check=crc64
    vec "$d.blocks"    "$d" 0 --block-size=40000 --check=crc32
    vec "$d.x86blocks" "$d" 0 --block-size=50000 --x86 --lzma2=preset=6
    vec "$d.mt"        "$d" 0 -T2 --block-size=65536
    vec "$d.lclp"      "$d" 0 --lzma2=lc=0,lp=4,pb=0
    vec "$d.lc4"       "$d" 0 --lzma2=lc=4,lp=0,pb=4
    vec "$d.fast"      "$d" 0 --lzma2=mode=fast,mf=hc3,nice=8,dict=4KiB
    vec "$d.nice"      "$d" 0 --lzma2=mode=normal,mf=bt2,nice=273,depth=0
done
vec small.crc64   small 0 --check=crc64
vec small.x86blocks small 0 --check=crc32 --x86 --lzma2=preset=1 --block-size=1500
vec code.x86start code 0 --x86=start=4096 --lzma2
vec bcj.x86start  bcj  0 --x86=start=4294967280 --lzma2
vec bcj.x86blocks bcj  0 --x86 --lzma2=preset=0 --block-size=7777
# Unsupported features must be refused, not mis-decoded.
vec text.sha256   text EINVAL --check=sha256
vec text.delta    text EINVAL --delta=dist=4 --lzma2
vec code.arm      code EINVAL --arm --lzma2
vec code.x86x86   code EINVAL --x86 --x86 --lzma2
xz -c -q --format=lzma text.raw > text.lzma
manifest+=("text.lzma text.raw EINVAL")

# Several streams with stream padding between and after them.
{ cat text.crc32.xz; head -c 8 /dev/zero; cat code.x86.xz; cat empty.default.xz;
  head -c 4 /dev/zero; } > multi.xz
cat text.raw code.raw empty.raw > multi.raw
manifest+=("multi.xz multi.raw 0")
{ cat byte.default.xz; head -c 3 /dev/zero; } > badpad.xz
manifest+=("badpad.xz - EINVAL")
{ head -c 4 /dev/zero; cat byte.default.xz; } > leadpad.xz
manifest+=("leadpad.xz - EINVAL")
{ cat byte.default.xz; printf 'junk'; } > trailing.xz
manifest+=("trailing.xz - EINVAL")

# Seeds for fuzz_xz's wrapped mode: a mode byte (even; bit 1 x86, bit 2 x86
# start offset 0xFFFFF000, bits 3-5 the dict byte / 3), then raw LZMA2.
seed() {
    local name=$1 mode=$2
    shift 2
    { printf "\\$(printf '%03o' "$mode")"; xz -c -q --format=raw "$@" small.raw; } > "$name.lzma2seed"
}
seed plain    0  --lzma2=preset=0,dict=4KiB
seed x86      2  --x86 --lzma2=preset=0,dict=4KiB
seed x86start 6  --x86=start=4294963200 --lzma2=preset=0,dict=4KiB
seed bigdict  56 --lzma2=preset=6,dict=6MiB,lc=1,lp=3,pb=1

printf '%s\n' "${manifest[@]}" > manifest.txt
cd - >/dev/null
rm -rf "$out"
mv "$out.tmp" "$out"
