#!/usr/bin/python3
"""Map size and training schedule as the SOM Toolbox's som_make chooses them, re-implemented
with numpy from the MATLAB source, for tests/test_som.cpp ("suggest_som_params").

Source: github.com/ilarinieminen/SOM-Toolbox, commit f2597abc1ae33c2060e0443d49e854011ff21831,
som/som_make.m, som/som_topol_struct.m, som/som_train_struct.m (the code, not som_make's help
text, which still says 5*dlen^0.54321: som_topol_struct computes ceil(5 * dlen^0.5)).

Run from the repository root:  /usr/bin/python3 tests/reference/som_toolbox_map_size.py
"""
import math
import numpy as np


def matlab_round(x):
    # MATLAB's round: halves away from zero
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def som_make_size(D, lattice="hexa"):
    dlen, dim = D.shape
    # som_topol_struct('dlen', dlen): no data, so a square guess
    munits = math.ceil(5 * dlen ** 0.5)
    s1 = matlab_round(math.sqrt(munits))
    msize = [s1, matlab_round(munits / s1)]
    munits = msize[0] * msize[1]
    # som_topol_struct('data', D, 'munits', munits)
    if dim == 1:
        return [1, math.ceil(munits)], munits
    if dlen < 2:
        s1 = matlab_round(math.sqrt(munits))
        return [s1, matlab_round(munits / s1)], munits
    Dc = D - D.mean(axis=0)
    A = Dc.T @ Dc / dlen
    eigval = np.sort(np.linalg.eigvalsh(A))
    if eigval[-1] == 0 or eigval[-2] * munits < eigval[-1]:
        ratio = 1.0
    else:
        ratio = math.sqrt(eigval[-1] / eigval[-2])
    if lattice == "hexa":
        m2 = min(munits, matlab_round(math.sqrt(munits / ratio * math.sqrt(0.75))))
    else:
        m2 = min(munits, matlab_round(math.sqrt(munits / ratio)))
    m1 = matlab_round(munits / m2)
    msize = [m1, m2]
    if min(msize) == 1:
        msize = [1, max(msize)]
    return msize, munits, ratio


def schedule(msize, dlen):
    munits = msize[0] * msize[1]
    ms = max(msize)
    mpd = munits / dlen
    # rough phase after lininit
    r0 = max(1, math.ceil(ms / 8))
    r1 = max(1, r0 / 4)
    rough = max(1, math.ceil(10 * mpd))
    # finetune phase: from the rough phase's final radius to 1
    fine = max(1, math.ceil(40 * mpd))
    return r0, r1, rough, fine


def load(name):
    D = np.genfromtxt(f"examples/data/{name}.csv", delimiter=",", skip_header=1)
    return D[:, :-1]


for name in ["iris", "wine", "breast_cancer", "digits"]:
    X = load(name)
    for scaled in [False, True]:
        Z = X
        if scaled:
            sd = X.std(axis=0)
            sd[sd == 0] = 1
            Z = (X - X.mean(axis=0)) / sd
        msize, munits, ratio = som_make_size(Z)
        r0, r1, rough, fine = schedule(msize, len(Z))
        print(f"{name:14s} standardised={scaled!s:5s} n={len(Z):5d} munits={munits:4d} ratio={ratio:.6f} "
              f"msize=[{msize[0]}, {msize[1]}] radius {r0} -> {r1} -> 1, epochs rough {rough} + finetune {fine}")
