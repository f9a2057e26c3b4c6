#!/usr/bin/env python3
"""Counts the lines inside `namespace detail` blocks of public headers (outside detail/ folders).
Usage: tools/detail-lines.py [include-dir] [--max N]   (exit 1 above N lines)"""
import re, sys, pathlib
args = sys.argv[1:]
limit = None
if "--max" in args:
    i = args.index("--max"); limit = int(args[i + 1]); del args[i:i + 2]
root = pathlib.Path(args[0] if args else "include")
total = 0
rows = []
for p in sorted(root.rglob("*.hpp")):
    if "detail" in p.parts: continue
    depth = 0; det_depth = None; n = 0
    for line in p.read_text().splitlines():
        code = re.sub(r'//.*', '', line)
        code = re.sub(r'"([^"\\]|\\.)*"', '""', code)
        code = re.sub(r"'([^'\\]|\\.)*'", "''", code)
        if det_depth is None and re.search(r'namespace\s+(\w+::)*detail\s*\{', code):
            det_depth = depth
        if det_depth is not None: n += 1
        depth += code.count('{') - code.count('}')
        if det_depth is not None and depth <= det_depth:
            det_depth = None
    if n: rows.append((n, str(p)))
    total += n
for n, p in sorted(rows): print(f"{n:5d} {p}")
print(f"{total:5d} total in {len(rows)} public headers")
if limit is not None and total > limit:
    sys.exit(f"{total} lines of namespace detail in public headers, more than {limit}: move them to a detail/ folder")
