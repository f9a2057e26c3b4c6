#pragma once
// Module: preparing data. StandardScaler and MinMaxScaler (as scikit-learn's), the Scaler a
// model carries (SomParams::scaling), and train_test_split.

#include "somtile/preprocessing/min_max_scaler.hpp"
#include "somtile/preprocessing/scaler.hpp"
#include "somtile/preprocessing/split.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"
