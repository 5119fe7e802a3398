#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check Keel's public headers against Xen's installed public headers.

The list of items is derived from *our* headers, so coverage is complete by
construction:

  * records   - every struct/union tag and every typedef of an anonymous
                record: size and alignment, then every field (nested and
                anonymous members included): offset and size;
  * typedefs  - size, alignment and, for integer types, signedness;
  * enum constants - value;
  * macros    - every macro our headers define (found by diffing `cc -dM -E`
                against a baseline of <stdint.h>/<stddef.h>): integer
                constants by value, width and signedness; string constants
                by contents; anything else (function-like, empty, type-like)
                only by presence in Xen, and listed as skipped.

A C file with one printing statement per item is compiled once against our
tree and once against Xen's (both reached as <xen/...>), both are run, and the
outputs are compared, in the toolstack view (__XEN_TOOLS__) and the guest
view; tools-only headers (domctl.h, sysctl.h) refuse the guest view, as Xen's
do, and are compared in the toolstack view only.  An item whose statement does
not compile against Xen's headers does not exist there: that is a failure
unless the item is listed in the Keel-only allowlist with a reason.  Stale
allowlist entries fail too.

Only the Python standard library is used; run it with /usr/bin/python3.
"""

import argparse
import json
import os
import re
import subprocess
import sys

INT_BUILTINS = {
    "char", "signed char", "unsigned char", "short", "unsigned short",
    "int", "unsigned int", "long", "unsigned long", "long long",
    "unsigned long long", "_Bool",
}

PRELUDE = r"""
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
static void pi(const char *n, int s, unsigned w, unsigned long long v)
{
    if (s)
        printf("%s\t%lld (s%u)\n", n, (long long)v, w * 8);
    else
        printf("%s\t%llu (u%u)\n", n, v, w * 8);
}
static void ps(const char *n, const char *v)
{
    printf("%s\t\"%s\"\n", n, v);
}
static void pr(const char *n, size_t a, size_t b)
{
    printf("%s\t%zu %zu\n", n, a, b);
}
#define ISINT(e) (__builtin_classify_type(e) >= 1 && __builtin_classify_type(e) <= 4)
#define SIGNED(e) ((__typeof__(e))-1 < (__typeof__(e))0)
"""


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


class Item:
    """One checked item: a key (its report name) and one C statement."""

    def __init__(self, key, kind, stmt, top=None):
        self.key = key
        self.kind = kind
        self.stmt = stmt
        self.top = top  # file-scope line (macro probes), or None


def clip(text, n=40):
    lines = text.splitlines()
    more = "\n... (%d more lines)" % (len(lines) - n) if len(lines) > n else ""
    return "\n".join(lines[:n]) + more


def list_headers(root):
    hdrs = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if f.endswith(".h"):
                hdrs.append(os.path.relpath(os.path.join(dirpath, f), root))
    # xen.h first: several of Xen's headers rely on it being included already.
    return sorted(hdrs, key=lambda h: (h != "xen.h", h))


# A tools-only header opens with this guard and an #error (build_headers.sh
# checks the guest view is refused); it is compared in the tools view only.
TOOLS_ONLY_RE = re.compile(
    r"^#if !defined\(__XEN__\) && !defined\(__XEN_TOOLS__\)\n#error", re.M)


def tools_only(root, hdr):
    with open(os.path.join(root, hdr)) as fh:
        return TOOLS_ONLY_RE.search(fh.read()) is not None


def write(path, text):
    with open(path, "w") as fh:
        fh.write(text)


# ---------------------------------------------------------------- AST walk

class AstScan:
    """Collect records, typedefs and enum constants declared under `root`."""

    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.cur_file = None
        self.records = []        # (c_type_name, record_node)
        self.typedefs = []       # (name, node)
        self.enumconsts = []     # name
        self.anon_typedef = {}   # record id -> typedef name
        self.anon_records = {}   # record id -> node (top-level unnamed)

    def _track(self, obj, parent_key=None):
        """Follow clang's 'file only when it changes' location encoding."""
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "file" and parent_key != "includedFrom" and isinstance(v, str):
                    self.cur_file = v
                elif k != "inner":
                    self._track(v, k)
        elif isinstance(obj, list):
            for v in obj:
                self._track(v, parent_key)

    def _ours(self):
        if self.cur_file is None:
            return False
        return os.path.realpath(self.cur_file).startswith(self.root + os.sep)

    def _walk(self, node):
        # Locations of the node itself, then its children, in dump order.
        for k in ("loc", "range"):
            if k in node:
                self._track(node[k], k)
        ours = self._ours()
        kind = node.get("kind")
        if ours and kind == "RecordDecl" and node.get("completeDefinition"):
            if node.get("name"):
                self.records.append(("%s %s" % (node["tagUsed"], node["name"]), node))
            else:
                self.anon_records[node["id"]] = node
        elif ours and kind == "TypedefDecl" and not node.get("isImplicit"):
            self.typedefs.append((node["name"], node))
            for sub in node.get("inner", []):
                owned = sub.get("ownedTagDecl")
                if owned and not owned.get("name"):
                    self.anon_typedef[owned["id"]] = node["name"]
        elif ours and kind == "EnumConstantDecl":
            self.enumconsts.append(node["name"])
        if kind in ("RecordDecl", "FieldDecl", "IndirectFieldDecl"):
            # Track locations inside records without re-registering members.
            self._track(node.get("inner", []), "inner")
            return
        for child in node.get("inner", []):
            self._walk(child)

    def scan(self, ast):
        for child in ast.get("inner", []):
            self._walk(child)
        for rid, name in self.anon_typedef.items():
            if rid in self.anon_records:
                self.records.append((name, self.anon_records[rid]))


def record_fields(node, prefix=""):
    """Yield (path, kind) for every field of a record, recursively.

    kind is "bitfield", "flex" (flexible array member) or "" (plain)."""
    pending = None
    for child in node.get("inner", []):
        kind = child.get("kind")
        if kind == "RecordDecl":
            pending = child if child.get("completeDefinition") else None
            continue
        if kind != "FieldDecl":
            continue
        name = child.get("name")
        qt = child.get("type", {}).get("qualType", "")
        inline = pending is not None and ("(unnamed" in qt or "(anonymous" in qt)
        if not name:
            # Anonymous struct/union member: its fields are reached directly.
            if inline:
                yield from record_fields(pending, prefix)
            pending = None
            continue
        path = prefix + name
        if child.get("isBitfield"):
            yield path, "bitfield"
        elif qt.endswith("[]"):
            yield path, "flex"
        else:
            yield path, ""
        if inline:
            sub = path + ("[0]" if qt.endswith("]") else "")
            yield from record_fields(pending, sub + ".")
        pending = None


def typedef_is_integer(node):
    t = node.get("type", {})
    base = t.get("desugaredQualType", t.get("qualType", ""))
    return base in INT_BUILTINS


# ---------------------------------------------------------------- macros

MACRO_RE = re.compile(r"#define\s+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?\s?(.*)$")


def macro_table(cc, flags, src):
    out = run([cc] + flags + ["-dM", "-E", src])
    if out.returncode:
        sys.exit("abi-check: preprocessing %s failed:\n%s" % (src, out.stderr))
    table = {}
    for line in out.stdout.splitlines():
        m = MACRO_RE.match(line)
        if m:
            table[m.group(1)] = (m.group(2) is not None, m.group(3).strip())
    return table


# ---------------------------------------------------------------- compile loop

def build_tu(items, includes):
    """Return the C text and a map from 1-based line number to item."""
    lines = PRELUDE.split("\n") + ["#include <xen/%s>" % h for h in includes]
    where = {}
    for it in items:
        if it.top:
            lines.append(it.top)
            where[len(lines)] = it
    lines += ["int main(void)", "{"]
    for it in items:
        lines.append("    " + it.stmt)
        where[len(lines)] = it
    lines += ["    return 0;", "}"]
    return "\n".join(lines) + "\n", where


def prune(cc, flags, items, includes, path, limit=8):
    """Drop items whose statement fails to compile; return (kept, dropped)."""
    dropped = []
    for _ in range(limit):
        text, where = build_tu(items, includes)
        write(path, text)
        out = run([cc] + flags + ["-w", "-ferror-limit=0", "-fsyntax-only", path])
        if out.returncode == 0:
            return items, dropped
        bad = set()
        base = os.path.basename(path)
        for line in out.stderr.splitlines():
            m = re.match(r"(.*?):(\d+):\d+: (fatal )?error:", line)
            if m and os.path.basename(m.group(1)) == base and int(m.group(2)) in where:
                bad.add(id(where[int(m.group(2))]))
            elif m:
                # An error outside the item lines: report it as is.
                sys.exit("abi-check: compile failed outside item lines:\n" + clip(out.stderr))
        if not bad:
            sys.exit("abi-check: compile failed:\n" + clip(out.stderr))
        dropped += [it for it in items if id(it) in bad]
        items = [it for it in items if id(it) not in bad]
    sys.exit("abi-check: could not converge on a compilable item list")


def compile_and_run(cc, flags, items, includes, src, exe):
    text, _ = build_tu(items, includes)
    write(src, text)
    out = run([cc] + flags + ["-w", "-o", exe, src])
    if out.returncode:
        sys.exit("abi-check: building %s failed:\n%s" % (exe, out.stderr))
    res = run([exe])
    if res.returncode:
        sys.exit("abi-check: %s failed to run" % exe)
    vals = {}
    for line in res.stdout.splitlines():
        k, _, v = line.partition("\t")
        vals[k] = v
    return vals


def load_allowlist(path):
    allow = {}
    if not path or not os.path.exists(path):
        return allow
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, reason = line.partition("#")
            if not sep or not reason.strip():
                sys.exit("abi-check: %s:%d: entry needs '# reason'" % (path, n))
            allow[key.strip()] = reason.strip()
    return allow


MODES = {
    # Toolstack view: everything, including the tools-only parts.
    "tools": ["-D__XEN_TOOLS__"],
    # Guest view at the latest interface: catches tools-only items that
    # leaked out of their guard, and guest-only spellings.
    "guest": ["-D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__"],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="our include/public")
    ap.add_argument("--theirs", default="/usr/include/xen")
    ap.add_argument("--build", required=True, help="scratch directory")
    ap.add_argument("--allowlist")
    ap.add_argument("--cc", default="clang")
    ap.add_argument("--modes", default="tools,guest")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    os.makedirs(build, exist_ok=True)
    allow = load_allowlist(args.allowlist)

    # Both trees are reached as <xen/...> through a directory holding one link.
    trees = {}
    for side, root in (("ours", args.ours), ("theirs", args.theirs)):
        inc = os.path.join(build, side + "-inc")
        os.makedirs(inc, exist_ok=True)
        link = os.path.join(inc, "xen")
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(os.path.abspath(root), link)
        trees[side] = inc

    results = []
    for mode in args.modes.split(","):
        flags = {s: ["-std=gnu11", "-m64"] + MODES[mode] + ["-I", trees[s]]
                 for s in trees}
        mbuild = os.path.join(build, mode)
        os.makedirs(mbuild, exist_ok=True)
        results += [(st, "[%s] %s" % (mode, k), k, d)
                    for st, k, d in check_mode(args, mode, flags, mbuild)]
    return report(results, allow)


def check_mode(args, mode, flags, build):
    """Run every check in one compilation mode; return (status, key, detail)."""
    results = []  # (status, key, detail)

    headers = []
    for h in list_headers(args.ours):
        if mode != "tools" and tools_only(args.ours, h):
            results.append(("skip", "header " + h, "tools-only: compared in the tools view"))
        else:
            headers.append(h)
    xen_headers = []
    for h in headers:
        if os.path.exists(os.path.join(args.theirs, h)):
            results.append(("ok", "header " + h, "present"))
            xen_headers.append(h)
        else:
            results.append(("missing", "header " + h, "not in Xen"))

    # Umbrella TUs and the macro tables.
    umb = os.path.join(build, "umbrella.c")
    write(umb, "".join("#include <xen/%s>\n" % h for h in headers))
    base = os.path.join(build, "baseline.c")
    write(base, "#include <stdint.h>\n#include <stddef.h>\n#include <stdio.h>\n#include <string.h>\n")
    base_m = macro_table(args.cc, flags["ours"], base)
    ours_m = {k: v for k, v in macro_table(args.cc, flags["ours"], umb).items()
              if k not in base_m}
    umb_x = os.path.join(build, "umbrella-xen.c")
    write(umb_x, "#include <stdint.h>\n" + "".join("#include <xen/%s>\n" % h for h in xen_headers))
    theirs_m = macro_table(args.cc, flags["theirs"], umb_x)

    # AST of our headers.
    out = run([args.cc] + flags["ours"] + ["-Xclang", "-ast-dump=json", "-fsyntax-only", umb])
    if out.returncode:
        sys.exit("abi-check: clang AST dump failed:\n" + out.stderr)
    scan = AstScan(args.ours)
    scan.scan(json.loads(out.stdout))

    items = []
    seen = set()

    def add(key, kind, stmt, top=None):
        if key not in seen:
            seen.add(key)
            items.append(Item(key, kind, stmt, top))

    for tname, node in scan.records:
        add("%s" % tname, "record",
            'pr("%s", sizeof(%s), _Alignof(%s));' % (tname, tname, tname))
        for path, fkind in record_fields(node):
            key = "%s.%s" % (tname, path)
            if fkind == "bitfield":
                results.append(("skip", key, "bit-field (offset not addressable)"))
                continue
            if fkind == "flex":
                add(key, "field", 'pr("%s", offsetof(%s, %s), 0);' % (key, tname, path))
                continue
            add(key, "field", 'pr("%s", offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                % (key, tname, path, tname, path))
    covered = set(scan.anon_typedef.values())
    for name, node in scan.typedefs:
        if name in covered:
            continue
        if typedef_is_integer(node):
            add("typedef " + name, "typedef",
                'pi("typedef %s", SIGNED((%s)0), sizeof(%s), _Alignof(%s));'
                % (name, name, name, name))
        else:
            add("typedef " + name, "typedef",
                'pr("typedef %s", sizeof(%s), _Alignof(%s));' % (name, name, name))
    for name in scan.enumconsts:
        add("enum " + name, "enum",
            'pi("enum %s", SIGNED(%s), sizeof(%s), (unsigned long long)(%s));'
            % (name, name, name, name))

    # Macros: classify against our own headers first.
    probes = []
    for name in sorted(ours_m):
        fnlike, body = ours_m[name]
        if fnlike or body == "":
            continue
        probes.append(Item(name, "int",
                           'pi("%s", SIGNED(%s), sizeof(%s), (unsigned long long)(%s));'
                           % (name, name, name, name),
                           top='_Static_assert(ISINT(%s) && ((%s) || 1), "int");'
                           % (name, name)))
    ints, non_int = prune(args.cc, flags["ours"], probes, headers,
                          os.path.join(build, "probe-int.c"))
    strs = [Item(it.key, "str", 'ps("%s", %s);' % (it.key, it.key),
                 top='_Static_assert(_Generic((%s), char *: 1, const char *: 1, default: 0), "str");'
                 % it.key) for it in non_int]
    strs, other = prune(args.cc, flags["ours"], strs, headers,
                        os.path.join(build, "probe-str.c"))
    other_keys = {it.key for it in other}

    # Constants are looked up in Xen by compiling, not by macro name: Xen
    # spells some (the XEN_E* error numbers) as enumerators.
    for it in ints + strs:
        add(it.key, it.kind, it.stmt)
    for name in sorted(ours_m):
        fnlike, body = ours_m[name]
        if not (fnlike or body == "" or name in other_keys):
            continue
        why = "function-like" if fnlike else ("empty" if body == "" else "not a constant")
        if name in theirs_m:
            results.append(("skip", name, "%s macro; present in Xen" % why))
        else:
            results.append(("missing", name, "%s macro; not defined by Xen" % why))

    # Items that do not compile against Xen do not exist there.
    kept, gone = prune(args.cc, flags["theirs"], items, xen_headers,
                       os.path.join(build, "probe-xen.c"))
    for it in gone:
        results.append(("missing", it.key, "not in Xen's headers"))

    ours_v = compile_and_run(args.cc, flags["ours"], kept, headers,
                             os.path.join(build, "dump-ours.c"),
                             os.path.join(build, "dump-ours"))
    theirs_v = compile_and_run(args.cc, flags["theirs"], kept, xen_headers,
                               os.path.join(build, "dump-xen.c"),
                               os.path.join(build, "dump-xen"))
    for it in kept:
        a, b = ours_v.get(it.key), theirs_v.get(it.key)
        if a is None or b is None:
            results.append(("fail", it.key, "no value printed (ours=%s xen=%s)" % (a, b)))
        elif a == b:
            results.append(("ok", it.key, a))
        else:
            results.append(("fail", it.key, "keel=%s xen=%s" % (a, b)))

    return results


def report(results, allow):
    passed = failed = 0
    used_allow = set()
    for status, label, key, detail in sorted(results, key=lambda r: r[1]):
        if status == "missing" and key in allow:
            used_allow.add(key)
            print("PASS  %-64s keel-only: %s" % (label, allow[key]))
            passed += 1
        elif status in ("missing", "fail"):
            print("FAIL  %-64s %s" % (label, detail))
            failed += 1
        elif status == "skip":
            print("SKIP  %-64s %s" % (label, detail))
        else:
            print("PASS  %-64s %s" % (label, detail))
            passed += 1
    for key in sorted(set(allow) - used_allow):
        print("FAIL  %-64s stale allowlist entry (item exists in Xen or not in Keel)" % key)
        failed += 1
    print("abi-check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
