#!/usr/bin/python3
"""dbgsom 1.1.0 on the digits job (not run by the tests; its numbers are quoted in
benchmarks/bench_growing_digits.cpp and the README).

Needs dbgsom 1.1.0 (the public repository's head, setup.py version 1.1.0) importable, with its
dependencies (numpy, scikit-learn, networkx, numba, pandas, seaborn, tqdm), and is run from the
repository root:
    /usr/bin/python3 tests/reference/dbgsom110_digits.py
SomClassifier with its defaults and max_neurons = 80 on scikit-learn's 75/25 splits
(random_state 0..4) with random_state 42, 0, 1. Prints per fit: split, seed, neurons, epochs,
test accuracy (dbgsom's predict), test accuracy of the nearest prototype's majority class.
Result (2026-12): 18.1 neurons and accuracy 0.850 on average (nearest prototype 0.831).
"""
import numpy as np
from sklearn.model_selection import train_test_split
from dbgsom.SomClassifier import SomClassifier

d = np.loadtxt("examples/data/digits.csv", delimiter=",", skiprows=1)
X, y = d[:, :-1], d[:, -1].astype(int)
acc, near, neurons = [], [], []
for split in range(5):
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=split)
    for seed in (42, 0, 1):
        c = SomClassifier(max_neurons=80, random_state=seed).fit(Xtr, ytr)
        _, wtr = c._get_winning_neurons(Xtr, n_bmu=1)
        _, wte = c._get_winning_neurons(Xte, n_bmu=1)
        K = len(c.neurons_)
        lab = np.array([np.bincount(ytr[wtr == k], minlength=10).argmax() if (wtr == k).any() else -1
                        for k in range(K)])
        acc.append(c.score(Xte, yte))
        near.append((lab[wte] == yte).mean())
        neurons.append(K)
        print(split, seed, K, c.n_iter_, round(acc[-1], 4), round(near[-1], 4), flush=True)
print("mean neurons", np.mean(neurons), "accuracy", round(np.mean(acc), 4), "nearest prototype", round(np.mean(near), 4))
