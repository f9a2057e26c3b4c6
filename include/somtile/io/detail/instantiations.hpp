#pragma once
// Model files' precompiled instantiations (see core/detail/precompiled.hpp).
#define SOMTILE_IO_INSTANTIATIONS(X, S)                              \
  X(void save<S>(const Som<S>&, const std::string&))                 \
  X(Som<S> load_som<S>(const std::string&))                          \
  X(void save<S>(const MapClassifier<S>&, const std::string&))       \
  X(MapClassifier<S> load_map_classifier<S>(const std::string&))     \
  X(void save<S>(const OnlineSom<S>&, const std::string&))           \
  X(OnlineSom<S> load_online_som<S>(const std::string&))             \
  X(void save<S>(const SomVQ<S>&, const std::string&))               \
  X(SomVQ<S> load_som_vq<S>(const std::string&))                     \
  X(void save<S>(const SomClassifier<S>&, const std::string&))       \
  X(SomClassifier<S> load_som_classifier<S>(const std::string&))     \
  X(void save<S>(const KMeans<S>&, const std::string&))              \
  X(KMeans<S> load_kmeans<S>(const std::string&))                    \
  X(void save<S>(const GaussianMixture<S>&, const std::string&))     \
  X(GaussianMixture<S> load_gaussian_mixture<S>(const std::string&)) \
  X(void save<S>(const StandardScaler<S>&, const std::string&))      \
  X(StandardScaler<S> load_standard_scaler<S>(const std::string&))   \
  X(void save<S>(const MinMaxScaler<S>&, const std::string&))        \
  X(MinMaxScaler<S> load_min_max_scaler<S>(const std::string&))      \
  X(void save_som_pak<S>(const Som<S>&, const std::string&))         \
  X(Som<S> load_som_pak<S>(const std::string&, SomParams))
