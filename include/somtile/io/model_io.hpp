#pragma once
// Saving and loading fitted models: Som, MapClassifier, OnlineSom, SomVQ, SomClassifier, KMeans,
// GaussianMixture, StandardScaler and MinMaxScaler. A model with a scaling (SomParams::scaling,
// ...) carries its fitted scaler in the file (version 2; version 1 files load as Scaling::none);
// version 3 adds the missing-value setting (SomParams::missing; older files load as
// Missing::reject); version 4 adds notes to the header (ModelNotes; older files have none).
//
// File format (version 4; versions 1 to 3 still load), all integers little-endian:
//   magic    8 bytes  "SOMTILE\0"
//   version  u32      4
//   kind     string   the model's name, e.g. "Som"     (string = u32 length + bytes)
//   scalar   u8       4 = float, 8 = double
//   notes    list     u64 count + strings: key, value, key, value, ... (version 4)
//   payload  bytes    the model's fields in the order of its serialize() member: parameters,
//                     then state; numbers raw, bool as u8, enums as i32, lists as u64 length +
//                     items, matrices as u64 rows + u64 cols + row-major values
//   check    u64      FNV-1a 64 of every byte before it
// Files are written to "<path>.tmp" and renamed over <path>, so a crash never leaves a
// half-written model. Loading checks magic, version, kind, scalar type, checksum, every length
// and the model's own rules, and throws InputError naming the file and the problem. A loaded
// model is the saved one: same predictions, same random stream for further training.
// Also: the codebook of a Som in SOM_PAK's .cod text format (export and import).

#include "somtile/cluster/gaussian_mixture.hpp"
#include "somtile/cluster/kmeans.hpp"
#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/growing/som_classifier.hpp"
#include "somtile/growing/som_vq.hpp"
#include "somtile/io/detail/archive.hpp"
#include "somtile/online/online_som.hpp"
#include "somtile/preprocessing/min_max_scaler.hpp"
#include "somtile/preprocessing/standard_scaler.hpp"
#include "somtile/som/map_classifier.hpp"
#include "somtile/som/som.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace somtile {

/// The kind of model a file holds ("Som", "MapClassifier", "OnlineSom", "SomVQ", "SomClassifier", "KMeans",
/// "GaussianMixture", "StandardScaler", "MinMaxScaler"), after checking magic, version and
/// checksum.
inline std::string model_kind(const std::string& path) { return detail::ModelReader(path).kind(); }

/// Whether the file holds float (4) or double (8) values.
inline int model_scalar_size(const std::string& path) { return detail::ModelReader(path).scalar_size(); }

/// Text kept with a model in its file, beside the model itself: what a program needs to read
/// new data as it read the training data (the somtile program keeps an svmlight file's index
/// base and feature count here). The library itself writes none and reads none.
using ModelNotes = std::map<std::string, std::string>;

/// The notes of a model file (empty for files without, and for files older than format 4).
inline ModelNotes model_notes(const std::string& path) {
  const detail::ModelReader r(path);
  const std::vector<std::string>& flat = r.notes();
  ModelNotes notes;
  for (std::size_t k = 0; k + 1 < flat.size(); k += 2) notes[flat[k]] = flat[k + 1];
  return notes;
}

/// Replaces the notes of the model file at `path` (written by save(), format 3 or newer; the
/// file is rewritten in the current format, the model unchanged).
/// \throws InputError when the file is not a valid model file of format 3 or newer, or cannot
///         be written.
inline void set_model_notes(const std::string& path, const ModelNotes& notes) {
  std::vector<std::string> flat;
  for (const auto& [key, value] : notes) {
    flat.push_back(key);
    flat.push_back(value);
  }
  detail::rewrite_model_notes(path, flat);
}

// save(model, path) for every model; load_<model><Scalar>(path) reads it back.

template <typename Scalar>
void save(const Som<Scalar>& som, const std::string& path) {
  detail::save_model(som, som.is_fitted(), path, "Som", sizeof(Scalar));
}
template <typename Scalar>
Som<Scalar> load_som(const std::string& path) {
  return detail::load_model(path, "Som", sizeof(Scalar), Som<Scalar>(SomParams{}, 1));
}

// A MapClassifier's file holds the map it copied from the Som (grid, metric, codebook, scaler)
// with the unit labels, classes, class frequencies and donors: the loaded classifier predicts
// exactly as the saved one, with no Som needed.
template <typename Scalar>
void save(const MapClassifier<Scalar>& classifier, const std::string& path) {
  detail::save_model(classifier, classifier.is_fitted(), path, "MapClassifier", sizeof(Scalar));
}
template <typename Scalar>
MapClassifier<Scalar> load_map_classifier(const std::string& path) {
  return detail::load_model(path, "MapClassifier", sizeof(Scalar), MapClassifier<Scalar>());
}

// An OnlineSom stores its scaler as the (shift, divisor) pair its trainer applies, the record
// it has had since version 2 (online/detail/online_scaling.hpp); params().num_iterations is
// not stored and reads as the iterations trained.
template <typename Scalar>
void save(const OnlineSom<Scalar>& som, const std::string& path) {
  detail::save_model(som, som.is_fitted(), path, "OnlineSom", sizeof(Scalar));
}
template <typename Scalar>
OnlineSom<Scalar> load_online_som(const std::string& path) {
  return detail::load_model(path, "OnlineSom", sizeof(Scalar), OnlineSom<Scalar>());
}

template <typename Scalar>
void save(const SomVQ<Scalar>& vq, const std::string& path) {
  detail::save_model(vq, vq.is_fitted(), path, "SomVQ", sizeof(Scalar));
}
template <typename Scalar>
SomVQ<Scalar> load_som_vq(const std::string& path) {
  return detail::load_model(path, "SomVQ", sizeof(Scalar), SomVQ<Scalar>());
}

template <typename Scalar>
void save(const SomClassifier<Scalar>& classifier, const std::string& path) {
  detail::save_model(classifier, classifier.is_fitted(), path, "SomClassifier", sizeof(Scalar));
}
template <typename Scalar>
SomClassifier<Scalar> load_som_classifier(const std::string& path) {
  return detail::load_model(path, "SomClassifier", sizeof(Scalar), SomClassifier<Scalar>());
}

template <typename Scalar>
void save(const KMeans<Scalar>& kmeans, const std::string& path) {
  detail::save_model(kmeans, kmeans.is_fitted(), path, "KMeans", sizeof(Scalar));
}
template <typename Scalar>
KMeans<Scalar> load_kmeans(const std::string& path) {
  return detail::load_model(path, "KMeans", sizeof(Scalar), KMeans<Scalar>());
}

template <typename Scalar>
void save(const GaussianMixture<Scalar>& gmm, const std::string& path) {
  detail::save_model(gmm, gmm.is_fitted(), path, "GaussianMixture", sizeof(Scalar));
}
template <typename Scalar>
GaussianMixture<Scalar> load_gaussian_mixture(const std::string& path) {
  return detail::load_model(path, "GaussianMixture", sizeof(Scalar), GaussianMixture<Scalar>());
}

template <typename Scalar>
void save(const StandardScaler<Scalar>& scaler, const std::string& path) {
  detail::save_model(scaler, scaler.is_fitted(), path, "StandardScaler", sizeof(Scalar));
}
template <typename Scalar>
StandardScaler<Scalar> load_standard_scaler(const std::string& path) {
  return detail::load_model(path, "StandardScaler", sizeof(Scalar), StandardScaler<Scalar>());
}

template <typename Scalar>
void save(const MinMaxScaler<Scalar>& scaler, const std::string& path) {
  detail::save_model(scaler, scaler.is_fitted(), path, "MinMaxScaler", sizeof(Scalar));
}
template <typename Scalar>
MinMaxScaler<Scalar> load_min_max_scaler(const std::string& path) {
  return detail::load_model(path, "MinMaxScaler", sizeof(Scalar), MinMaxScaler<Scalar>());
}

/// Writes the codebook (in the data's units) in SOM_PAK's .cod format: a header "dim topology xdim ydim neighborhood"
/// then one unit per line, x (column) varying fastest, which is somtile's row-major unit order.
template <typename Scalar>
void save_som_pak(const Som<Scalar>& som, const std::string& path) {
  const SomParams& p = som.params();
  std::ostringstream out;
  out.precision(std::numeric_limits<Scalar>::max_digits10);
  out << som.n_features() << ' ' << (p.topology == Topology::hexagonal ? "hexa" : "rect") << ' ' << p.cols << ' '
      << p.rows << ' ' << (p.neighborhood == Neighborhood::bubble ? "bubble" : "gaussian") << '\n';
  const RowMatrix<Scalar> W = som.weights_in_data_units();  // the format has no scaling
  for (Index u = 0; u < W.rows(); ++u) {
    for (Index j = 0; j < W.cols(); ++j) out << (j ? " " : "") << W(u, j);
    out << '\n';
  }
  detail::write_file_replacing(path, "save_som_pak", out.str());
}

/// Reads a SOM_PAK .cod codebook into a SOM (other parameters from `params`, whose rows, cols,
/// topology and neighbourhood are taken from the file).
template <typename Scalar>
Som<Scalar> load_som_pak(const std::string& path, SomParams params = {}) {
  std::ifstream in(path);
  if (!in) throw InputError(detail::concat("load_som_pak(): cannot open '", path, "'"));
  std::string line;
  auto fail = [&](const std::string& why) -> void {
    throw InputError(detail::concat("load_som_pak(): '", path, "': ", why));
  };
  while (std::getline(in, line) && (line.empty() || line[0] == '#')) {
  }
  std::istringstream header(line);
  Index dim = 0;
  std::string topology, neighborhood;
  header >> dim >> topology >> params.cols >> params.rows >> neighborhood;
  if (!header || dim <= 0 || params.cols <= 0 || params.rows <= 0)
    fail("bad header '" + line + "' (expected: dim topology xdim ydim neighborhood)");
  if (topology != "hexa" && topology != "rect") fail("unknown topology '" + topology + "'");
  params.topology = topology == "hexa" ? Topology::hexagonal : Topology::rectangular;
  params.neighborhood = neighborhood == "bubble" ? Neighborhood::bubble : Neighborhood::gaussian;
  if (params.rows > std::numeric_limits<Index>::max() / params.cols)
    fail(detail::concat("the grid ", params.cols, " x ", params.rows, " is too large"));
  const Index units = params.rows * params.cols;
  // Values are collected before anything is sized from the header, so memory stays bounded
  // by the file's size whatever the header claims.
  std::vector<Scalar> values;
  Index u = 0;
  for (Index number = 2; u < units && std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    for (Index j = 0; j < dim; ++j) {
      double v;
      if (!(fields >> v)) fail(detail::concat("line ", number, ": expected ", dim, " numbers"));
      if (!(std::abs(v) <= double(std::numeric_limits<Scalar>::max())))
        fail(detail::concat("line ", number, ": ", v, " is not a finite ", sizeof(Scalar) == 4 ? "float" : "double"));
      values.push_back(Scalar(v));
    }
    ++u;
  }
  if (u != units) fail(detail::concat("has ", u, " units, the header promises ", units));
  Som<Scalar> som(params, dim);
  const RowMatrix<Scalar> W = Eigen::Map<const RowMatrix<Scalar>>(values.data(), units, dim);
  som.set_weights(W);
  return som;
}

}  // namespace somtile
