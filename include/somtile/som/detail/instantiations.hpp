#pragma once
// The classic map's precompiled instantiations (see core/detail/precompiled.hpp), including the
// BMU search every trainer shares and impute.
#define SOMTILE_SOM_INSTANTIATIONS(X, S)                                                                               \
  X(class Som<S>)                                                                                                      \
  X(class BatchStatistics<S>)                                                                                          \
  X(class MapClassifier<S>)                                                                                            \
  X(BmuResult<S> find_bmus<S>(ConstRowRef<S>, ConstRowRef<S>, const BmuSearch&))                                       \
  X(BmuResult<S> detail::dense_bmus<S>(ConstRowRef<S>, ConstRowRef<S>, Distance, bool, int))                           \
  X(BmuResult<S> detail::masked_bmus<S>(ConstRowRef<S>, ConstRowRef<S>, Distance, bool, int, Missing))                 \
  X(RowMatrix<double> hit_map<S>(const Som<S>&, DataRef<S>))                                                           \
  X(RowMatrix<double> u_matrix<S>(const Som<S>&, const UMatrixOptions&))                                               \
  X(BmuDataMap bmus_data_map<S>(const Som<S>&, DataRef<S>))                                                            \
  X(RowMatrix<double> classification_map<S>(const Som<S>&, const BmuDataMap&, const Labels&, Index))                   \
  X(RowMatrix<double> metric_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&,        \
                                    Reduction))                                                                        \
  X(RowMatrix<double> score_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&, Index)) \
  X(RowMatrix<double> rank_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&))         \
  X(RowMatrix<double> component_plane<S>(const Som<S>&, Index))                                                        \
  X(std::vector<RowMatrix<double>> component_planes<S>(const Som<S>&))                                                 \
  X(std::vector<Index> high_variance_features<S>(const Som<S>&, Index))                                                \
  X(std::vector<Index> collect_samples<S>(const Som<S>&, DataRef<S>, DataRef<S>, const BmuDataMap&, Index, Retrieval))
