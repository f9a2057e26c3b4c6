#!/usr/bin/python3
"""Reference values for the scalers in test_core ([preprocessing]), computed by scikit-learn.

Run with Debian's python3 (scikit-learn 1.2.1):
    /usr/bin/python3 tests/reference/make_scaler_reference.py
and paste the printed values into tests/test_core.cpp.
"""
import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

np.set_printoptions(precision=17, floatmode="unique")
X = np.array([[1.0, 5.0, 1200.0, -3.0],
              [2.0, 5.0, 800.0, -1.0],
              [4.0, 5.0, 1500.0, -2.5],
              [7.0, 5.0, 900.0, 0.5],
              [11.0, 5.0, 1000.0, -0.25]])
Q = np.array([[3.0, 6.0, 1100.0, 1.0]])

def show(name, a):
    print(name, ", ".join(repr(float(v)) for v in np.ravel(a)))

s = StandardScaler().fit(X)
show("standard mean_", s.mean_)
show("standard var_", s.var_)
show("standard scale_", s.scale_)
show("standard transform(Q)", s.transform(Q))
m = MinMaxScaler().fit(X)
show("minmax data_min_", m.data_min_)
show("minmax data_max_", m.data_max_)
show("minmax scale_", m.scale_)
show("minmax min_", m.min_)
show("minmax transform(Q)", m.transform(Q))
r = MinMaxScaler(feature_range=(-1, 2)).fit(X)
show("minmax(-1,2) scale_", r.scale_)
show("minmax(-1,2) min_", r.min_)
show("minmax(-1,2) transform(Q)", r.transform(Q))
