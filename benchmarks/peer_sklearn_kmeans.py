#!/usr/bin/python3
"""scikit-learn's KMeans on bench_kmeans's data, from the same starting centres.

    build/bench/benchmarks/bench_kmeans 2 3 /tmp/km      # writes X.npy, init.npy, labels.npy
    /usr/bin/python3 benchmarks/peer_sklearn_kmeans.py /tmp/km [threads] [repeats]

Debian's python3-sklearn. Prints each algorithm's median time, iterations, inertia and how many
labels agree with somtile's (the same starting centres, n_init=1, tol=1e-4, max_iter=300).
"""
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

folder = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
X = np.load(folder + "/X.npy")
init = np.load(folder + "/init.npy")
ours = np.load(folder + "/labels.npy")
for algorithm in ("elkan", "lloyd"):
    times = []
    with threadpool_limits(limits=threads):
        for _ in range(repeats):
            km = KMeans(n_clusters=init.shape[0], init=init, n_init=1, algorithm=algorithm, tol=1e-4, max_iter=300)
            t0 = time.perf_counter()
            km.fit(X)
            times.append(time.perf_counter() - t0)
    agree = float(np.mean(km.labels_ == ours))
    print(f"scikit-learn {algorithm}, {threads} threads: median {sorted(times)[len(times) // 2]:.3f} s, "
          f"{km.n_iter_} iterations, inertia {km.inertia_:.10g}, labels equal to somtile's: {agree:.6f}")
