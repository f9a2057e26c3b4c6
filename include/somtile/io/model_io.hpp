#pragma once
// Saving and loading fitted models.
//
// File format (version 1), all integers little-endian:
//   magic   8 bytes  "SOMTILE\0"
//   version u32      1
//   kind    string   model name, e.g. "Som"          (string = u32 length + bytes)
//   scalar  u8       4 = float, 8 = double
//   payload bytes    model-specific fields (parameters, then matrices as u64 rows, u64 cols, data)
//   check   u64      FNV-1a 64 of every byte before it
// Files are written to "<path>.tmp" and renamed over <path>, so a crash never leaves a
// half-written model. Loading checks magic, version, kind, scalar type, shapes and checksum and
// throws InputError naming the file and the problem.
// Also: the codebook in SOM_PAK's .cod text format (export and import).

#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"
#include "somtile/som/som.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace somtile {

namespace detail {

inline constexpr char model_magic[8] = {'S', 'O', 'M', 'T', 'I', 'L', 'E', '\0'};
inline constexpr std::uint32_t model_version = 1;

inline std::uint64_t fnv1a(const char* data, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// Appends little-endian fields to a byte buffer.
class ModelWriter {
 public:
  template <typename T>
  void put(T value) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>);
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    bytes_.insert(bytes_.end(), bytes, bytes + sizeof(T));  // x86-64 and AArch64 are little-endian
  }
  void put_string(const std::string& s) {
    put(std::uint32_t(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  template <typename Derived>
  void put_matrix(const Eigen::DenseBase<Derived>& M) {
    put(std::uint64_t(M.rows()));
    put(std::uint64_t(M.cols()));
    for (Index i = 0; i < M.rows(); ++i)
      for (Index j = 0; j < M.cols(); ++j) put(M(i, j));
  }
  /// Header + payload + checksum, written atomically.
  void save(const std::string& path, const std::string& kind, std::uint8_t scalar_size) const {
    ModelWriter file;
    file.bytes_.insert(file.bytes_.end(), model_magic, model_magic + 8);
    file.put(model_version);
    file.put_string(kind);
    file.put(scalar_size);
    file.bytes_.insert(file.bytes_.end(), bytes_.begin(), bytes_.end());
    file.put(fnv1a(file.bytes_.data(), file.bytes_.size()));
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(file.bytes_.data(), std::streamsize(file.bytes_.size()));
      out.flush();
      if (!out) {
        std::remove(tmp.c_str());
        throw InputError(concat("save(): cannot write '", tmp, "'"));
      }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw InputError(concat("save(): cannot rename '", tmp, "' to '", path, "'"));
    }
  }

 private:
  std::vector<char> bytes_;
};

/// Reads what ModelWriter wrote, checking every step.
class ModelReader {
 public:
  ModelReader(const std::string& path, const std::string& kind, std::uint8_t scalar_size) : path_(path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot open the file");
    bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (bytes_.size() < 8 + 4 + 4 + 1 + 8 || std::memcmp(bytes_.data(), model_magic, 8) != 0)
      fail("not a somtile model file (bad magic)");
    std::uint64_t stored;
    std::memcpy(&stored, bytes_.data() + bytes_.size() - 8, 8);
    end_ = bytes_.size() - 8;
    if (stored != fnv1a(bytes_.data(), end_)) fail("checksum mismatch (file corrupt or truncated)");
    pos_ = 8;
    const auto version = get<std::uint32_t>();
    if (version != model_version)
      fail(concat("format version ", version, " is not supported (this build reads ", model_version, ")"));
    const std::string stored_kind = get_string();
    if (stored_kind != kind) fail(concat("holds a ", stored_kind, ", not a ", kind));
    const auto stored_scalar = get<std::uint8_t>();
    if (stored_scalar != scalar_size)
      fail(concat("holds ", stored_scalar == 4 ? "float" : "double", " values, not ",
                  scalar_size == 4 ? "float" : "double"));
  }

  template <typename T>
  T get() {
    if (end_ - pos_ < sizeof(T)) fail("truncated payload");
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    if (end_ - pos_ < n) fail("truncated string");
    std::string s(bytes_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  template <typename Scalar>
  RowMatrix<Scalar> get_matrix(Index expect_rows = -1, Index expect_cols = -1) {
    const auto rows = get<std::uint64_t>(), cols = get<std::uint64_t>();
    if ((expect_rows >= 0 && rows != std::uint64_t(expect_rows)) ||
        (expect_cols >= 0 && cols != std::uint64_t(expect_cols)))
      fail(concat("matrix is ", rows, " x ", cols, ", expected ", expect_rows, " x ", expect_cols));
    if (cols != 0 && rows > (end_ - pos_) / sizeof(Scalar) / cols) fail("truncated matrix");
    RowMatrix<Scalar> M(static_cast<Index>(rows), static_cast<Index>(cols));
    for (Index i = 0; i < M.size(); ++i) M.data()[i] = get<Scalar>();
    return M;
  }
  /// Reads an enum stored as its underlying value, rejecting values past `last`.
  template <typename Enum>
  Enum get_enum(Enum last) {
    const auto v = get<std::int32_t>();
    if (v < 0 || v > std::int32_t(last)) fail(concat("invalid enumerator ", v));
    return Enum(v);
  }
  void finish() const {
    if (pos_ != end_) fail("unexpected trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(concat("load(): '", path_, "': ", why));
  }

 private:
  std::string path_;
  std::vector<char> bytes_;
  std::size_t pos_ = 0, end_ = 0;
};

template <typename Enum>
void put_enum(ModelWriter& w, Enum e) {
  w.put(std::int32_t(e));
}

}  // namespace detail

/// Saves a classic SOM with its parameters and codebook.
template <typename Scalar>
void save(const Som<Scalar>& som, const std::string& path) {
  const SomParams& p = som.params();
  detail::ModelWriter w;
  w.put(std::int64_t(p.rows));
  w.put(std::int64_t(p.cols));
  w.put(std::int64_t(p.epochs));
  w.put(std::int64_t(p.batch_size));
  w.put(p.sigma);
  w.put(p.learning_rate);
  w.put(std::int64_t(p.neighborhood_order));
  detail::put_enum(w, p.topology);
  w.put(std::uint8_t(p.torus));
  detail::put_enum(w, p.neighborhood);
  detail::put_enum(w, p.distance);
  detail::put_enum(w, p.lr_decay);
  detail::put_enum(w, p.sigma_decay);
  w.put(p.learning_rate_final);
  w.put(p.sigma_final);
  detail::put_enum(w, p.init);
  detail::put_enum(w, p.training);
  w.put(std::uint64_t(p.seed));
  w.put(std::int32_t(p.n_threads));
  w.put(std::int64_t(som.n_features()));
  w.put_matrix(som.weights());
  w.save(path, "Som", sizeof(Scalar));
}

/// Loads a classic SOM saved with save(); the scalar type must match.
template <typename Scalar>
Som<Scalar> load_som(const std::string& path) {
  detail::ModelReader r(path, "Som", sizeof(Scalar));
  SomParams p;
  p.rows = Index(r.get<std::int64_t>());
  p.cols = Index(r.get<std::int64_t>());
  p.epochs = Index(r.get<std::int64_t>());
  p.batch_size = Index(r.get<std::int64_t>());
  p.sigma = r.get<double>();
  p.learning_rate = r.get<double>();
  p.neighborhood_order = Index(r.get<std::int64_t>());
  p.topology = r.get_enum(Topology::hexagonal);
  p.torus = r.get<std::uint8_t>() != 0;
  p.neighborhood = r.get_enum(Neighborhood::triangle);
  p.distance = r.get_enum(Distance::chebyshev);
  p.lr_decay = r.get_enum(Decay::exponential);
  p.sigma_decay = r.get_enum(Decay::exponential);
  p.learning_rate_final = r.get<double>();
  p.sigma_final = r.get<double>();
  p.init = r.get_enum(Init::pca);
  p.training = r.get_enum(Training::batch);
  p.seed = r.get<std::uint64_t>();
  p.n_threads = r.get<std::int32_t>();
  const auto n_features = Index(r.get<std::int64_t>());
  std::unique_ptr<Som<Scalar>> som;
  try {
    som = std::make_unique<Som<Scalar>>(p, n_features);
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("invalid parameters: ") + e.what());
  }
  som->set_weights(r.template get_matrix<Scalar>(som->n_units(), n_features));
  r.finish();
  return std::move(*som);
}

/// Writes the codebook in SOM_PAK's .cod format: a header "dim topology xdim ydim neighborhood"
/// then one unit per line, x (column) varying fastest, which is somtile's row-major unit order.
template <typename Scalar>
void save_som_pak(const Som<Scalar>& som, const std::string& path) {
  const SomParams& p = som.params();
  std::ostringstream out;
  out.precision(std::numeric_limits<Scalar>::max_digits10);
  out << som.n_features() << ' ' << (p.topology == Topology::hexagonal ? "hexa" : "rect") << ' ' << p.cols
      << ' ' << p.rows << ' ' << (p.neighborhood == Neighborhood::bubble ? "bubble" : "gaussian") << '\n';
  const auto& W = som.weights();
  for (Index u = 0; u < W.rows(); ++u) {
    for (Index j = 0; j < W.cols(); ++j) out << (j ? " " : "") << W(u, j);
    out << '\n';
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out.str();
    if (!f) throw InputError(detail::concat("save_som_pak(): cannot write '", tmp, "'"));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw InputError(detail::concat("save_som_pak(): cannot rename '", tmp, "' to '", path, "'"));
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
