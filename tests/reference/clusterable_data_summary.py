#!/usr/bin/python3
"""Reference values for the .npy reader test: NumPy's own view of clusterable_data.npy.

Run from the repository root with Debian's python3 (NumPy):
    /usr/bin/python3 tests/reference/clusterable_data_summary.py > tests/reference/clusterable_data_summary.txt
Output: rows cols, then the first row, the last row and the column sums (17 significant digits).
"""
import numpy as np

X = np.load("examples/data/clusterable_data.npy")
print(X.shape[0], X.shape[1])
for row in (X[0], X[-1], X.sum(axis=0)):
    print(" ".join(f"{v:.17g}" for v in row))
