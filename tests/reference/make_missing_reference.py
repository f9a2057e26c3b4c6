#!/usr/bin/python3
"""Reference values for the scalers with missing values in test_missing ([missing][scaler]),
computed by scikit-learn, which ignores NaN in fit and keeps it in transform.

Run with Debian's python3 (scikit-learn 1.2.1):
    /usr/bin/python3 tests/reference/make_missing_reference.py
and paste the printed values into tests/test_missing.cpp.
"""
import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

nan = np.nan
# Column 2 is constant over its present values; column 3 has one present value.
X = np.array([[1.0, nan, 3.0, nan],
              [2.0, 5.0, nan, nan],
              [nan, 7.0, 3.0, nan],
              [4.0, 8.0, 3.0, nan],
              [0.5, nan, 3.0, 1.0]])
Q = np.array([[3.0, nan, 2.0, 4.0]])

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
