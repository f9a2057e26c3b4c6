#!/usr/bin/python3
"""Reference colours for tests/test_viz.cpp: entries of matplotlib's 256-entry viridis and magma
tables, and ColorBrewer RdBu via matplotlib, at table positions the C++ maps interpolate between.

Run with Debian's python3-matplotlib: /usr/bin/python3 tests/reference/viz_colormaps.py
"""
import pathlib

import matplotlib

out = pathlib.Path(__file__).with_name("viz_colormaps.txt")
lines = ["# name t r g b   (t = i / 255 for table entry i; RdBu reversed so that t = 0 is blue)"]
for name in ("viridis", "magma"):
    table = matplotlib.colormaps[name].colors
    for i in (0, 1, 7, 33, 64, 100, 127, 128, 171, 200, 222, 254, 255):
        r, g, b = table[i]
        lines.append(f"{name} {i / 255:.10f} {r:.6f} {g:.6f} {b:.6f}")
rdbu = matplotlib.colormaps["RdBu_r"]
for t in (0.0, 0.1, 0.25, 0.5, 0.7, 0.9, 1.0):
    r, g, b, _ = rdbu(t)
    lines.append(f"blue_red {t:.10f} {r:.6f} {g:.6f} {b:.6f}")
out.write_text("\n".join(lines) + "\n")
