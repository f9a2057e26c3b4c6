#pragma once
// The byte archives behind save() and load(): every model writes its fields with one member
//
//   template <typename Archive> void serialize(Archive& ar) {
//     ar(field, other_field, matrix);           // arithmetic, bool, std::string, std::vector,
//     ar.choice(enum_field);                    // Eigen matrices, objects with serialize()
//     ar.check(rule, "why it failed");          // after reading: reject inconsistent files
//   }
//
// so the field list exists once and saving and loading cannot drift apart. ModelWriter appends
// the fields to a buffer; ModelReader reads them back, bounds every length by the bytes left
// and fails with an InputError naming the file. save_model / load_model run them for one
// model. See model_io.hpp for the file layout.

#include "somtile/core/detail/file_writer.hpp"
#include "somtile/core/detail/validate.hpp"  // require
#include "somtile/core/error.hpp"
#include "somtile/core/types.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace somtile::detail {

inline constexpr char model_magic[8] = {'S', 'O', 'M', 'T', 'I', 'L', 'E', '\0'};
/// Version written by save(). Files of every version from 1 up load: a field added in version
/// v is read under `if (ar.version() >= v)` and keeps its default in older files.
/// Version 2: the models' scalers (scaling); version 3: SomParams::missing (and the other
/// trainers' missing-value settings); version 4: the header's notes (ModelNotes), text a
/// program keeps with a model.
inline constexpr std::uint32_t model_version = 4;
inline constexpr std::uint32_t oldest_model_version = 1;

inline std::uint64_t fnv1a(const char* data, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <typename T>
struct is_std_vector : std::false_type {};
template <typename T, typename A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};

template <typename T>
inline constexpr bool is_eigen_dense = std::is_base_of_v<Eigen::PlainObjectBase<T>, T>;

/// Appends fields, little-endian (x86-64 and AArch64 are), to a byte buffer.
class ModelWriter {
 public:
  static constexpr bool loading = false;

  /// `version` < model_version writes an older format (for tests of reading old files; models
  /// write their fields as that version read them).
  explicit ModelWriter(std::uint32_t version = model_version) : version_(version) {}

  template <typename... T>
  void operator()(const T&... fields) {
    (put(fields), ...);
  }
  template <typename Enum>
  void choice(const Enum& e) {
    raw(std::int32_t(e));
  }
  template <typename... Why>
  void check(bool, const Why&...) const {}
  /// Format version of the file being written: the newest unless constructed otherwise.
  std::uint32_t version() const { return version_; }

  /// Header + payload + checksum, written to "<path>.tmp" and renamed over `path`. The notes
  /// (version 4) are key, value, key, value, ...
  void save(const std::string& path, const std::string& kind, std::uint8_t scalar_size,
            const std::vector<std::string>& notes = {}) const {
    ModelWriter file;
    file.bytes_.assign(model_magic, model_magic + 8);
    file(version_, kind, scalar_size);
    if (version_ >= 4) file(notes);
    file.bytes_.insert(file.bytes_.end(), bytes_.begin(), bytes_.end());
    file.raw(fnv1a(file.bytes_.data(), file.bytes_.size()));
    write_file_replacing(path, "save", std::string_view(file.bytes_.data(), file.bytes_.size()));
  }

 private:
  template <typename T>
  void raw(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    bytes_.insert(bytes_.end(), bytes, bytes + sizeof(T));
  }
  template <typename T>
  void put(const T& v) {
    static_assert(!std::is_enum_v<T>, "enums go through choice(), which range-checks them on load");
    if constexpr (std::is_same_v<T, bool>) {
      raw(std::uint8_t(v));
    } else if constexpr (std::is_arithmetic_v<T>) {
      raw(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      raw(std::uint32_t(v.size()));
      bytes_.insert(bytes_.end(), v.begin(), v.end());
    } else if constexpr (is_std_vector<T>::value) {
      raw(std::uint64_t(v.size()));
      for (const auto& x : v) put(x);
    } else if constexpr (is_eigen_dense<T>) {
      raw(std::uint64_t(v.rows()));
      raw(std::uint64_t(v.cols()));
      for (Index i = 0; i < v.rows(); ++i)
        for (Index j = 0; j < v.cols(); ++j) raw(v(i, j));
    } else {
      const_cast<T&>(v).serialize(*this);  // serialize() only reads its fields when saving
    }
  }

  std::uint32_t version_;
  std::vector<char> bytes_;
  friend void rewrite_model_notes(const std::string&, const std::vector<std::string>&);
};

/// Reads what ModelWriter wrote, checking every step.
class ModelReader {
 public:
  static constexpr bool loading = true;

  /// Reads the whole file and checks magic, checksum and version.
  explicit ModelReader(const std::string& path) : path_(path) {
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
    (*this)(version_);
    if (version_ < oldest_model_version || version_ > model_version)
      fail(concat("format version ", version_, " is not supported (this build reads ", oldest_model_version, " to ",
                  model_version, ")"));
    (*this)(kind_, scalar_size_);
    if (version_ >= 4) {
      (*this)(notes_);
      if (notes_.size() % 2 != 0) fail("the notes are not key, value pairs");
    }
  }

  /// The header's notes, key, value, key, value, ... (empty before version 4).
  const std::vector<std::string>& notes() const { return notes_; }
  /// The payload's bytes, before anything is read from them.
  std::string_view payload() const { return {bytes_.data() + pos_, end_ - pos_}; }

  /// The model name the file holds, e.g. "Som".
  const std::string& kind() const { return kind_; }
  /// 4 (float) or 8 (double).
  std::uint8_t scalar_size() const { return scalar_size_; }
  /// Format version of the file being read (oldest_model_version .. model_version).
  std::uint32_t version() const { return version_; }

  /// Fails unless the file holds a `kind` of `scalar_size`-byte values.
  void expect(const std::string& kind, std::uint8_t scalar_size) const {
    if (kind_ != kind) fail(concat("holds a ", kind_, ", not a ", kind));
    const auto name = [](std::uint8_t s) { return s == 4 ? "float" : s == 8 ? "double" : "unknown"; };
    if (scalar_size_ != scalar_size) fail(concat("holds ", name(scalar_size_), " values, not ", name(scalar_size)));
  }

  template <typename... T>
  void operator()(T&... fields) {
    (get(fields), ...);
  }
  /// Enumerators are range-checked against the enum's name table (core/enum_names.hpp).
  template <typename Enum>
  void choice(Enum& e) {
    const auto v = raw<std::int32_t>();
    if (v < 0 || v >= std::int32_t(enum_count<Enum>)) fail(concat("invalid enumerator ", v));
    e = Enum(v);
  }
  template <typename... Why>
  void check(bool ok, const Why&... why) const {
    if (!ok) fail(concat(why...));
  }
  void finish() const {
    if (pos_ != end_) fail("unexpected trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const { throw InputError(concat("load(): '", path_, "': ", why)); }

 private:
  std::size_t left() const { return end_ - pos_; }

  template <typename T>
  T raw() {
    if (left() < sizeof(T)) fail("truncated payload");
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  template <typename T>
  void get(T& v) {
    static_assert(!std::is_enum_v<T>, "enums go through choice()");
    if constexpr (std::is_same_v<T, bool>) {
      const auto b = raw<std::uint8_t>();
      if (b > 1) fail(concat("invalid boolean ", int(b)));
      v = b != 0;
    } else if constexpr (std::is_arithmetic_v<T>) {
      v = raw<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      const auto n = raw<std::uint32_t>();
      if (left() < n) fail("truncated string");
      v.assign(bytes_.data() + pos_, n);
      pos_ += n;
    } else if constexpr (is_std_vector<T>::value) {
      const auto n = raw<std::uint64_t>();
      if (n > left()) fail("truncated list");  // every element takes at least one byte
      v.assign(std::size_t(n), typename T::value_type{});
      for (auto& x : v) get(x);
    } else if constexpr (is_eigen_dense<T>) {
      using S = typename T::Scalar;
      const auto rows = raw<std::uint64_t>(), cols = raw<std::uint64_t>();
      const bool shape_ok = (T::RowsAtCompileTime == Eigen::Dynamic || rows == std::uint64_t(T::RowsAtCompileTime)) &&
                            (T::ColsAtCompileTime == Eigen::Dynamic || cols == std::uint64_t(T::ColsAtCompileTime));
      if (!shape_ok) fail(concat("a ", rows, " x ", cols, " matrix where a fixed shape was expected"));
      const std::uint64_t limit = std::uint64_t(1) << 40;
      if (rows > limit || cols > limit || (cols != 0 && rows > left() / sizeof(S) / cols))
        fail(concat("truncated ", rows, " x ", cols, " matrix"));
      v.resize(Index(rows), Index(cols));
      if (v.size() == 0) return;  // 2^40 x 0 passes the bound, but a row loop over it would hang
      for (Index i = 0; i < v.rows(); ++i)
        for (Index j = 0; j < v.cols(); ++j) v(i, j) = raw<S>();
    } else {
      v.serialize(*this);
    }
  }

  std::string path_;
  std::vector<char> bytes_;
  std::size_t pos_ = 0, end_ = 0;
  std::string kind_;
  std::uint8_t scalar_size_ = 0;
  std::uint32_t version_ = 0;
  std::vector<std::string> notes_;
};

/// Writes the model file at `path` again with other notes; the payload is kept as it is, so
/// only files of the current payload layout (version 3 and up) are rewritten.
inline void rewrite_model_notes(const std::string& path, const std::vector<std::string>& notes) {
  const ModelReader r(path);
  if (r.version() < 3)
    r.fail(concat("format version ", r.version(), " has no room for notes; load and save the model first"));
  ModelWriter payload;
  const std::string_view bytes = r.payload();
  payload.bytes_.assign(bytes.begin(), bytes.end());
  payload.save(path, r.kind(), r.scalar_size(), notes);
}

template <typename Model>
void save_model(const Model& model, bool fitted, const std::string& path, const char* kind, std::uint8_t scalar_size) {
  require<NotFittedError>(fitted, "save", "this ", kind, " is not fitted yet; there is nothing to save");
  ModelWriter w;
  w(model);
  w.save(path, kind, scalar_size);
}

/// Reads a `kind` into `model` (a default-constructed one), turning the model's own parameter
/// errors into load errors that name the file.
template <typename Model>
Model load_model(const std::string& path, const char* kind, std::uint8_t scalar_size, Model model) {
  ModelReader r(path);
  r.expect(kind, scalar_size);
  try {
    r(model);
  } catch (const InputError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    r.fail(concat("invalid parameters: ", e.what()));
  }
  r.finish();
  return model;
}

}  // namespace somtile::detail
