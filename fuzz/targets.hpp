#pragma once
// Fuzz targets for somtile's file readers and BatchStatistics::from_bytes, shared by the
// libFuzzer entry points (fuzz_*.cpp), the seed writer (make_seeds.cpp) and the regression tests
// that replay tests/fuzz_regressions/<target>/ (tests/test_model_io.cpp, test_sparse_io.cpp).
//
// Each target takes raw bytes, writes them to a per-process temporary file (the readers take
// paths) and calls the readers on it. A reader may reject any input with somtile::InputError or
// another std::invalid_argument; anything else (another exception, a crash, a sanitizer report,
// a hang, a huge allocation) is a bug.

#include <somtile/io/csv.hpp>
#include <somtile/io/model_io.hpp>
#include <somtile/io/npy.hpp>
#include <somtile/io/sparse_npz.hpp>
#include <somtile/io/svmlight.hpp>
#include <somtile/online/lattice.hpp>
#include <somtile/som/batch_statistics.hpp>
#include <somtile/som/maps.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace somtile::fuzz {

/// A temporary file for `tag`, unique to this process, so parallel fuzz jobs do not collide.
inline std::string temp_path(const char* tag) {
  const auto dir = std::filesystem::temp_directory_path();
  return (dir / ("somtile_fuzz_" + std::to_string(::getpid()) + "_" + tag)).string();
}

inline std::string write_temp(const char* tag, const std::uint8_t* data, std::size_t size) {
  const std::string path = temp_path(tag);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  if (!out) throw std::runtime_error("fuzz: cannot write " + path);
  return path;
}

/// Runs `f`; the documented rejections (InputError, ParameterError: std::invalid_argument)
/// are expected outcomes, everything else propagates.
template <typename F>
void allow_input_errors(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument&) {
  }
}

/// read_csv. The first byte picks the label column and the delimiter; the rest is the file.
inline void fuzz_csv(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  static const char* const labels[] = {"", "label", "-1", "0", "1", "2"};
  static const char delimiters[] = {',', ';', '\t', ' '};
  const std::uint8_t pick = data[0];
  const std::string label = labels[(pick & 0x7) % 6];
  const char delimiter = delimiters[(pick >> 3) & 0x3];
  const std::string path = write_temp("csv", data + 1, size - 1);
  allow_input_errors([&] {
    const CsvData d = read_csv(path, label, delimiter);
    // Whatever parses must be a consistent, finite data set.
    if (d.X.rows() <= 0 || (label.empty() ? d.y.size() != 0 : d.y.size() != d.X.rows()) || !d.X.allFinite())
      throw std::logic_error("fuzz_csv: read_csv returned an inconsistent data set");
  });
  std::remove(path.c_str());
}

/// read_npy on the bytes as they are.
inline void fuzz_npy(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_temp("npy", data, size);
  allow_input_errors([&] {
    const RowMatrix<double> X = read_npy(path);
    if (X.rows() < 0 || X.cols() < 0) throw std::logic_error("fuzz_npy: negative extent");
  });
  std::remove(path.c_str());
}

/// read_svmlight. The first byte picks the index base (bits 0-1: automatic, zero, one) and
/// n_features (bits 2-3: 0, 1, 8, 1000); the rest is the file. Read as double and as float.
inline void fuzz_svmlight(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  SvmlightOptions options;
  options.index_base = IndexBase((data[0] & 0x3) % 3);
  static const Index widths[] = {0, 1, 8, 1000};
  options.n_features = widths[(data[0] >> 2) & 0x3];
  const std::string path = write_temp("svm", data + 1, size - 1);
  const auto check = [&](const auto& d) {
    // Whatever parses must be a consistent data set: one label per row, finite values, sorted
    // in-range indices, labels present exactly when every y is an integer.
    const auto& X = d.X;
    bool ok = X.rows() > 0 && Index(d.y.size()) == X.rows() && X.isCompressed() &&
              (d.labels.size() == 0 || d.labels.size() == X.rows()) &&
              (options.n_features == 0 || X.cols() == options.n_features);
    for (Index i = 0; ok && i < X.rows(); ++i)
      for (int k = X.outerIndexPtr()[i]; k < X.outerIndexPtr()[i + 1]; ++k)
        ok = ok && std::isfinite(double(X.valuePtr()[k])) && X.innerIndexPtr()[k] >= 0 &&
             X.innerIndexPtr()[k] < X.cols() &&
             (k == X.outerIndexPtr()[i] || X.innerIndexPtr()[k - 1] < X.innerIndexPtr()[k]);
    if (!ok) throw std::logic_error("fuzz_svmlight: read_svmlight returned an inconsistent data set");
  };
  allow_input_errors([&] { check(read_svmlight<double>(path, options)); });
  allow_input_errors([&] { check(read_svmlight<float>(path, options)); });
  std::remove(path.c_str());
}

/// read_sparse_npz on the bytes as they are; a matrix that loads must be a valid CSR matrix,
/// and write_sparse_npz must write it back to an archive that reads back equal.
inline void fuzz_npz(const std::uint8_t* data, std::size_t size) {
  const std::string path = write_temp("npz", data, size);
  allow_input_errors([&] {
    const SparseRowMatrix<double> X = read_sparse_npz<double>(path);
    for (Index i = 0; i < X.rows(); ++i)
      for (int k = X.outerIndexPtr()[i]; k < X.outerIndexPtr()[i + 1]; ++k)
        if (!std::isfinite(X.valuePtr()[k]) || X.innerIndexPtr()[k] < 0 || X.innerIndexPtr()[k] >= X.cols() ||
            (k > X.outerIndexPtr()[i] && X.innerIndexPtr()[k - 1] >= X.innerIndexPtr()[k]))
          throw std::logic_error("fuzz_npz: read_sparse_npz returned an invalid CSR matrix");
    const std::string again = temp_path("npz_again");
    write_sparse_npz(again, X);
    SparseRowMatrix<double> Y;
    try {
      Y = read_sparse_npz<double>(again);
    } catch (const std::invalid_argument& e) {
      std::remove(again.c_str());
      throw std::logic_error(std::string("fuzz_npz: a re-written matrix does not load: ") + e.what());
    }
    std::remove(again.c_str());
    if (Y.rows() != X.rows() || Y.cols() != X.cols() || Y.nonZeros() != X.nonZeros() ||
        !std::equal(X.valuePtr(), X.valuePtr() + X.nonZeros(), Y.valuePtr()))
      throw std::logic_error("fuzz_npz: a re-written matrix reads back different");
  });
  std::remove(path.c_str());
}

namespace detail {

/// A small probe matrix with the model's feature count (values in [-1, 1] and one large one).
template <typename S>
RowMatrix<S> probe(Index features) {
  RowMatrix<S> X(3, features);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(double((i * 7) % 5) / 2.0 - 1.0);
  X(2, 0) = S(1e6);
  return X;
}

/// A loaded model passed every check, so it must be usable: a few calls on probe data, then a
/// save and reload that must succeed (an InputError there is a bug too).
template <typename Model, typename Use, typename Load>
void use_and_reload(Model& model, Use&& use, Load&& load) {
  use(model);
  const std::string again = temp_path("model_again");
  save(model, again);
  try {
    (void)load(again);
  } catch (const std::invalid_argument& e) {
    std::remove(again.c_str());
    throw std::logic_error(std::string("fuzz_model: a re-saved model does not load: ") + e.what());
  }
  std::remove(again.c_str());
}

template <typename S>
void load_binary(const std::string& path) {
  const auto som = [](Som<S>& m) {
    const RowMatrix<S> X = probe<S>(m.n_features());
    (void)m.predict(X);
    (void)m.topographic_error(X);
    (void)u_matrix(m);
    (void)classification_map(m, bmus_data_map(m, X), Labels::LinSpaced(3, -1, 1));
  };
  const auto map_classifier = [](MapClassifier<S>& m) {
    const RowMatrix<S> X = probe<S>(m.n_features());
    (void)m.predict_proba(X);
    (void)m.score(X, m.predict(X));
  };
  const auto online = [](OnlineSom<S>& m) {
    const RowMatrix<S> X = probe<S>(m.n_features());
    (void)u_matrix(m.lattice());
    (void)project_on_lattice<S>(X, m.lattice());
    (void)m.partial_fit(X, 3);
  };
  const auto vq = [](SomVQ<S>& m) {
    const RowMatrix<S> X = probe<S>(m.n_features());
    (void)m.predict(X);
    (void)m.topographic_function(X);
    if (m.n_neurons() <= 64) (void)m.transform(X);  // NNLS: cubic in the neurons
  };
  const auto classifier = [](SomClassifier<S>& m) {
    const RowMatrix<S> X = probe<S>(m.n_features());
    (void)m.predict_proba(X);
    (void)m.score(X, m.predict(X));
  };
  const auto kmeans = [](KMeans<S>& m) {
    const RowMatrix<S> X = probe<S>(m.cluster_centers().cols());
    (void)m.predict(X);
    (void)m.transform(X);
  };
  const auto gmm = [](GaussianMixture<S>& m) {
    const RowMatrix<S> X = probe<S>(m.means().cols());
    (void)m.predict_proba(X);
    (void)m.bic(X);
  };
  const std::string kind = model_kind(path);
  if (kind == "Som") {
    Som<S> m = load_som<S>(path);
    use_and_reload(m, som, load_som<S>);
  } else if (kind == "MapClassifier") {
    MapClassifier<S> m = load_map_classifier<S>(path);
    use_and_reload(m, map_classifier, load_map_classifier<S>);
  } else if (kind == "OnlineSom") {
    OnlineSom<S> m = load_online_som<S>(path);
    use_and_reload(m, online, load_online_som<S>);
  } else if (kind == "SomVQ") {
    SomVQ<S> m = load_som_vq<S>(path);
    use_and_reload(m, vq, load_som_vq<S>);
  } else if (kind == "SomClassifier") {
    SomClassifier<S> m = load_som_classifier<S>(path);
    use_and_reload(m, classifier, load_som_classifier<S>);
  } else if (kind == "KMeans") {
    KMeans<S> m = load_kmeans<S>(path);
    use_and_reload(m, kmeans, load_kmeans<S>);
  } else if (kind == "GaussianMixture") {
    GaussianMixture<S> m = load_gaussian_mixture<S>(path);
    use_and_reload(m, gmm, load_gaussian_mixture<S>);
  } else {
    (void)load_som<S>(path);  // an unknown kind: the loader must say so
  }
}

}  // namespace detail

/// The model loaders. The trailing FNV-1a checksum is recomputed first, so that mutations
/// reach the parser instead of stopping at the checksum test; model_kind() and the scalar size
/// pick the loader, and a loaded model is used and saved again. The bytes as given (without the
/// fix-up) also go to the SOM_PAK text reader.
inline void fuzz_model(const std::uint8_t* data, std::size_t size) {
  const std::string raw = write_temp("model_pak", data, size);
  allow_input_errors([&] {
    Som<double> som = load_som_pak<double>(raw);
    (void)u_matrix(som);
  });
  std::remove(raw.c_str());

  std::vector<char> bytes(data, data + size);
  if (bytes.size() >= 8) {
    const std::uint64_t sum = somtile::detail::fnv1a(bytes.data(), bytes.size() - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }
  const std::string path = write_temp("model", reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  allow_input_errors([&] {
    if (model_scalar_size(path) == 4)
      detail::load_binary<float>(path);
    else
      detail::load_binary<double>(path);
  });
  std::remove(path.c_str());
}

/// The map the `stats` target applies statistics to: its seeds are statistics of this map's
/// codebook at epoch 0 (make_seeds.cpp), so mutations that keep the fingerprint reach apply().
template <typename S>
Som<S> stats_map(Missing missing) {
  SomParams p;
  p.rows = 3;
  p.cols = 2;
  p.epochs = 2;
  p.training = Training::batch;
  p.init = Init::random;
  p.missing = missing;
  p.seed = 5;
  Som<S> som(p, 3);
  RowMatrix<S> X(8, 3);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(i % 7) - S(2.5);
  som.initialize_weights(X);
  return som;
}

/// BatchStatistics::from_bytes as float and double. Statistics that load must write the same
/// bytes back, merge with themselves, and either apply to stats_map() with a finite codebook or
/// be refused with the map unchanged.
template <typename S>
void fuzz_stats_as(const std::uint8_t* data, std::size_t size) {
  allow_input_errors([&] {
    const BatchStatistics<S> s = BatchStatistics<S>::from_bytes(data, size);
    if (s.to_bytes() != std::vector<std::uint8_t>(data, data + size))
      throw std::logic_error("fuzz_stats: the bytes do not round trip");
    BatchStatistics<S> twice = s;
    twice.merge(s);
    const BatchStatistics<S>* const parts[] = {&s, &twice};
    for (const BatchStatistics<S>* t : parts) {
      Som<S> som = stats_map<S>(s.has_missing() ? Missing::mask : Missing::reject);
      const RowMatrix<S> before = som.weights();
      try {
        som.apply(*t);
      } catch (const std::invalid_argument&) {
        if (som.weights() != before) throw std::logic_error("fuzz_stats: a refused apply changed the map");
        continue;
      }
      if (!som.weights().allFinite()) throw std::logic_error("fuzz_stats: apply left a codebook that is not finite");
    }
  });
}

inline void fuzz_stats(const std::uint8_t* data, std::size_t size) {
  fuzz_stats_as<float>(data, size);
  fuzz_stats_as<double>(data, size);
}

}  // namespace somtile::fuzz
