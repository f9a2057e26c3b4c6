#!/usr/bin/python3
"""Reference values for test_cluster and test_clustering_metrics, computed by scikit-learn.

Run from the repository root with Debian's python3 (scikit-learn 1.2.1):
    /usr/bin/python3 tests/reference/make_cluster_reference.py > tests/reference/cluster_reference.txt
Each output line is `name v1 v2 ...` (17 significant digits). The label sets are rebuilt by
the tests with the same rules (see `label_sets`), so only scores are stored here.
"""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_samples, silhouette_score
from sklearn.mixture import GaussianMixture


def load(name):
    data = np.genfromtxt(f"examples/data/{name}.csv", delimiter=",", skip_header=1)
    return data[:, :-1], data[:, -1].astype(int)


def standardised(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def label_sets(y):
    """Label sets shared with the C++ tests; -1 marks noise (dropped before scoring)."""
    n = len(y)
    idx = np.arange(n)
    noisy = y.copy()
    noisy[idx % 7 == 3] = -1                     # true classes with every 7th sample (from 3) as noise
    modular = (idx * 5) % 4                      # four arbitrary, interleaved groups
    singleton = y.copy()
    singleton[0] = 10                            # a one-sample cluster (silhouette 0 there)
    return {"true": y, "noisy": noisy, "modular": modular, "singleton": singleton}


def out(name, values):
    values = np.atleast_1d(np.asarray(values, dtype=float))
    print(name, " ".join(f"{v:.17g}" for v in values))


for data_name in ("iris", "wine"):
    X, y = load(data_name)
    for set_name, labels in label_sets(y).items():
        keep = labels >= 0
        Xk, lk = X[keep], labels[keep]
        out(f"{data_name}.{set_name}.silhouette", silhouette_score(Xk, lk))
        out(f"{data_name}.{set_name}.davies_bouldin", davies_bouldin_score(Xk, lk))
        out(f"{data_name}.{set_name}.calinski_harabasz", calinski_harabasz_score(Xk, lk))
    out(f"{data_name}.true.silhouette_samples", silhouette_samples(X, y))

# k-means: the best inertia of many restarts.
for data_name, k in (("iris", 3), ("iris", 5), ("wine", 3)):
    X, _ = load(data_name)
    for scaled in (False, True):
        Z = standardised(X) if scaled else X
        km = KMeans(n_clusters=k, n_init=50, random_state=0).fit(Z)
        out(f"kmeans.{data_name}.{'std' if scaled else 'raw'}.k{k}.inertia", km.inertia_)

# Gaussian mixtures: mean log-likelihood of the best of 10 EM runs (as the tests), per covariance type.
for data_name, k, scaled in (("iris", 3, False), ("wine", 3, True)):
    X, _ = load(data_name)
    Z = standardised(X) if scaled else X
    for cov in ("full", "diag", "spherical", "tied"):
        gm = GaussianMixture(n_components=k, covariance_type=cov, n_init=10, random_state=0).fit(Z)
        out(f"gmm.{data_name}.{cov}.k{k}.score", gm.score(Z))
        out(f"gmm.{data_name}.{cov}.k{k}.bic", gm.bic(Z))
        out(f"gmm.{data_name}.{cov}.k{k}.aic", gm.aic(Z))
