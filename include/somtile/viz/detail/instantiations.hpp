#pragma once
// The model plots' precompiled instantiations (see core/detail/precompiled.hpp); namespace
// somtile::viz.
#define SOMTILE_VIZ_INSTANTIATIONS(X, S)                                                                            \
  X(void plot_u_matrix<S>(const Som<S>&, const std::string&, const UMatrixOptions&, MapPlotOptions))                \
  X(void plot_u_matrix<S>(const Som<S>&, const std::string&, MapPlotOptions))                                       \
  X(void plot_hit_map<S>(const Som<S>&, DataRef<S>, const std::string&, MapPlotOptions))                            \
  X(void plot_component_planes<S>(const Som<S>&, const std::string&, ComponentPlaneOptions))                        \
  X(void plot_classification_map<S>(const Som<S>&, const BmuDataMap&, const Labels&, const std::string&,            \
                                    CategoryPlotOptions))                                                           \
  X(void plot_metric_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&,             \
                            const std::string&, MapPlotOptions, Reduction))                                         \
  X(void plot_score_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&,              \
                           const std::string&, MapPlotOptions, Index))                                              \
  X(void plot_rank_map<S>(const Som<S>&, const BmuDataMap&, const Eigen::Ref<const Eigen::VectorXd>&,               \
                          const std::string&, MapPlotOptions))                                                      \
  X(void plot_cluster_map<S>(const Som<S>&, const ClusterResult&, const std::string&, CategoryPlotOptions))         \
  X(void plot_elbow<S>(const Som<S>&, const std::string&, Index, FeatureSpace, std::uint64_t, const ChartOptions&)) \
  X(std::vector<std::string> plot_all<S>(const Som<S>&, DataRef<S>, const Labels&, const std::string&,              \
                                         const PlotAllOptions&))                                                    \
  X(void plot_prototypes<S>(const Som<S>&, const std::string&, const PrototypePlotOptions&))                        \
  X(void plot_prototypes<S>(const GrowingSomEstimator<S>&, const std::string&, const PrototypePlotOptions&))        \
  X(void plot_growing_som<S>(const SomVQ<S>&, const std::string&, const GrowingSomPlotOptions&))                    \
  X(void plot_growing_som<S>(const SomClassifier<S>&, const std::string&, const GrowingSomPlotOptions&))            \
  X(void plot_u_matrix<S>(const Lattice<S>&, const std::string&, MapPlotOptions))                                   \
  X(void plot_rgb_map<S>(const Lattice<S>&, const std::string&, RgbPlotOptions))                                    \
  X(void plot_activation_maps<S>(const Lattice<S>&, DataRef<S>, const std::string&, const MultiMapPlotOptions&, double))
