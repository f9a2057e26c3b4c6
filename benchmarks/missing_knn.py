#!/usr/bin/python3
"""The imputation baselines for examples/missing_values.cpp, on the very cells it removed:
scikit-learn's KNNImputer (k = 5, distances over the present features, nan_euclidean) and
SimpleImputer (column mean), each run on the raw and on the standardised data (the means and
deviations of the present values, as the map's Scaling::standard). RMSE over the removed cells,
in the data's units and in standard deviations, as the example prints them.

Run examples/missing_values first (it writes wine_missing_10.csv and wine_missing_30.csv into
its working directory), then, from that directory, with Debian's python3 (scikit-learn 1.2.1):
    /usr/bin/python3 PATH/TO/benchmarks/missing_knn.py PATH/TO/examples/data/wine.csv
"""
import sys

import numpy as np
from sklearn.impute import KNNImputer, SimpleImputer

truth = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1)[:, :-1]
sd = truth.std(axis=0)
for pct in (10, 30):
    X = np.genfromtxt(f"wine_missing_{pct}.csv", delimiter=",")
    holes = np.isnan(X)
    mu, s = np.nanmean(X, axis=0), np.nanstd(X, axis=0)
    out = []
    for name, imputer in (("KNNImputer(5)", KNNImputer(n_neighbors=5)), ("column mean", SimpleImputer())):
        for scaled in (False, True):
            Z = (X - mu) / s if scaled else X
            F = imputer.fit_transform(Z)
            F = F * s + mu if scaled else F
            e = (F - truth)[holes]
            ez = ((F - truth) / sd)[holes]
            out.append(f"{name}{' on standardised data' if scaled else ''} "
                       f"{np.sqrt(np.mean(e ** 2)):.2f} | {np.sqrt(np.mean(ez ** 2)):.3f}")
    print(f"{pct}% missing ({holes.sum()} cells): " + "; ".join(out))
