// Streaming sources (io/chunk_source.hpp): NpySource, CsvSource, SvmlightSource, NpzSource and
// CallbackSource, and read_npy<float>. Oracles: hand-written file bytes and the in-memory
// readers (read_npy, read_csv, read_svmlight, read_sparse_npz), never a source's own output:
// the concatenated chunks of every source equal the reader's matrix exactly, for chunk sizes 1,
// 7, an exact divisor and more than the rows; two passes yield the same chunks; every error
// names the file, the row and the rule (the readers' own messages where they have one).
// Scalars: float and double through TEMPLATE_TEST_CASE where the files have their own types.
#include <somtile/io.hpp>
#include <somtile/io/sparse_npz.hpp>

#include "support/files.hpp"

#include <catch2/catch.hpp>
#include "support/scalars.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

using namespace somtile;
using Catch::Matchers::Contains;
using test_support::read_bytes;
using test_support::write_bytes;

#define SPARSE_FIXTURES SOMTILE_REFERENCE_DIR "/../fixtures/"

namespace {

/// A version 1 .npy file of `values` with the shape text given (as numpy writes it).
template <typename T>
std::string npy_file(const std::string& shape, const std::vector<T>& values) {
  std::string header = std::string("{'descr': '") + (sizeof(T) == 4 ? "<f4" : "<f8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

/// One pass: every chunk, checked for its place (first_row, at most chunk_rows rows).
template <typename S>
std::vector<Chunk<S>> pass(ChunkSource<S>& source) {
  std::vector<Chunk<S>> chunks;
  source.rewind();
  Chunk<S> chunk;
  Index row = 0;
  while (source.next(chunk)) {
    CHECK(chunk.first_row == row);
    CHECK(chunk.rows() >= 1);
    CHECK(chunk.rows() <= source.chunk_rows());
    row += chunk.rows();
    chunks.push_back(chunk);
  }
  CHECK_FALSE(source.next(chunk));  // stays at the end
  return chunks;
}

/// The rows of all chunks, one under the other (sparse chunks made dense).
template <typename S>
RowMatrix<S> stacked(const std::vector<Chunk<S>>& chunks, Index cols) {
  Index rows = 0;
  for (const auto& c : chunks) rows += c.rows();
  RowMatrix<S> X(rows, cols);
  Index at = 0;
  for (const auto& c : chunks) {
    CHECK((c.is_sparse ? c.sparse.cols() : c.dense.cols()) == cols);
    X.middleRows(at, c.rows()) = c.is_sparse ? RowMatrix<S>(c.sparse) : c.dense;
    at += c.rows();
  }
  return X;
}

Labels stacked_labels(const std::vector<Chunk<float>>& chunks) {
  std::vector<Index> all;
  for (const auto& c : chunks)
    for (Index i = 0; i < c.labels.size(); ++i) all.push_back(c.labels[i]);
  return Eigen::Map<const Labels>(all.data(), Index(all.size()));
}

/// Equal including NaN in the same cells (exactly, bit for bit otherwise).
template <typename A, typename B>
bool same(const A& a, const B& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  for (Index i = 0; i < a.rows(); ++i)
    for (Index j = 0; j < a.cols(); ++j)
      if (!(a(i, j) == b(i, j) || (std::isnan(a(i, j)) && std::isnan(b(i, j))))) return false;
  return true;
}

/// The chunk sizes the tests run for `rows` rows: 1, 7, an exact divisor, more than the rows.
std::vector<Index> chunk_sizes(Index divisor, Index rows) { return {1, 7, divisor, rows + 5}; }

/// Every pass yields the same chunks: sizes, first rows, values, labels.
template <typename S>
void check_passes_identical(ChunkSource<S>& source) {
  const auto a = pass(source), b = pass(source);
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].first_row == b[k].first_row);
    CHECK(a[k].is_sparse == b[k].is_sparse);
    CHECK(same(stacked<S>({a[k]}, source.n_features()), stacked<S>({b[k]}, source.n_features())));
    CHECK(a[k].labels == b[k].labels);
  }
}

/// The message of what `f` throws (an InputError), or "" if it throws none.
template <typename F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

}  // namespace

// ---- read_npy<float> and NpySource ---------------------------------------------------------

TEST_CASE("read_npy<Scalar> reads float32 and float64 files into float or double", "[npy][source]") {
  std::vector<float> f(24 * 5);
  std::vector<double> d(24 * 5);
  for (std::size_t k = 0; k < f.size(); ++k) {
    f[k] = float(k) * 0.1f - 3.3f;
    d[k] = double(k) / 3.0 - 7.0;  // not exact in float
  }
  write_bytes("f4.npy", npy_file("(24, 5)", f));
  write_bytes("f8.npy", npy_file("(24, 5)", d));
  static_assert(std::is_same_v<decltype(read_npy<float>("f4.npy")), RowMatrix<float>>);
  static_assert(std::is_same_v<decltype(read_npy("f4.npy")), RowMatrix<double>>);
  const RowMatrix<float> F4 = read_npy<float>("f4.npy");
  const RowMatrix<float> F8 = read_npy<float>("f8.npy");
  const RowMatrix<double> D4 = read_npy<double>("f4.npy");
  REQUIRE(F4.rows() == 24);
  REQUIRE(F4.cols() == 5);
  for (std::size_t k = 0; k < f.size(); ++k) {
    CHECK(F4.data()[k] == f[k]);
    CHECK(F8.data()[k] == float(d[k]));
    CHECK(D4.data()[k] == double(f[k]));
  }
  CHECK(read_npy("f8.npy") == Eigen::Map<const RowMatrix<double>>(d.data(), 24, 5));
  CHECK_THROWS_WITH(read_npy<float>("no_such.npy"), "read_npy(): cannot open 'no_such.npy'");
}

TEMPLATE_TEST_CASE("NpySource's chunks are read_npy's rows, pass after pass", "[npy][source]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  std::vector<float> f(24 * 5);
  std::vector<double> d(24 * 5);
  for (std::size_t k = 0; k < f.size(); ++k) {
    f[k] = float(k) * 0.37f - 5.5f;
    d[k] = double(k) / 7.0 - 2.0;
  }
  write_bytes("s4.npy", npy_file("(24, 5)", f));
  write_bytes("s8.npy", npy_file("(24, 5)", d));
  write_bytes("vec.npy", npy_file("(24,)", std::vector<double>(d.begin(), d.begin() + 24)));
  for (const char* path : {"s4.npy", "s8.npy", "vec.npy"}) {
    const RowMatrix<S> expected = read_npy<double>(path).template cast<S>();
    for (const Index chunk_rows : chunk_sizes(8, 24)) {
      NpySource<S> source(path, chunk_rows);
      CHECK(source.n_rows() == 24);
      CHECK(source.n_features() == expected.cols());
      CHECK(source.description() == path);
      const auto chunks = pass(source);
      CHECK(chunks.size() == std::size_t((24 + chunk_rows - 1) / chunk_rows));
      CHECK(stacked(chunks, expected.cols()) == expected);  // exact
      for (const auto& c : chunks) CHECK_FALSE(c.is_sparse);
      check_passes_identical(source);
    }
  }
  // A first pass without rewind() reads from the start too.
  NpySource<S> fresh("s8.npy", 7);
  Chunk<S> chunk;
  REQUIRE(fresh.next(chunk));
  CHECK(chunk.dense == read_npy<double>("s8.npy").topRows(7).template cast<S>());
}

TEST_CASE("NpySource: truncated files, files changed between passes, bad chunk sizes", "[npy][source]") {
  std::vector<double> d(24 * 5, 1.5);
  // The header announces 30 rows; the file holds 24.
  write_bytes("short.npy", npy_file("(30, 5)", d));
  CHECK_THROWS_WITH(NpySource<double>("short.npy"),
                    Contains("NpySource(): 'short.npy' is truncated: shape (30, 5) "
                             "needs 1200 data bytes; the file holds 960 (24 complete rows)"));
  CHECK_THROWS_WITH(read_npy("short.npy"),
                    Contains("read_npy(): 'short.npy' is truncated") && Contains("(24 complete rows)"));
  CHECK_THROWS_AS(NpySource<float>("s.npy", 0), ParameterError);
  CHECK_THROWS_WITH(NpySource<float>("no_such.npy"), "NpySource(): cannot open 'no_such.npy'");

  // Rows appended after the source was opened: the size changed.
  write_bytes("grow.npy", npy_file("(24, 5)", d));
  NpySource<double> grow("grow.npy", 10);
  CHECK(pass(grow).size() == 3);
  d.resize(30 * 5, 2.5);
  write_bytes("grow.npy", npy_file("(30, 5)", d));
  CHECK_THROWS_WITH(grow.rewind(), Contains("NpySource(): 'grow.npy' changed since the source was opened") &&
                                       Contains("its size is now"));
  // The same size, another shape: the header changed.
  d.resize(24 * 5);
  write_bytes("shape.npy", npy_file("(24, 5)", d));
  NpySource<double> reshaped("shape.npy", 10);
  Chunk<double> chunk;
  REQUIRE(reshaped.next(chunk));
  write_bytes("shape.npy", npy_file("(40, 3)", d));
  CHECK_THROWS_WITH(reshaped.rewind(), Contains("'shape.npy' changed since the source was opened: its header"));
  // Truncated in the middle of a pass: the next chunk says so.
  write_bytes("cut.npy", npy_file("(24, 5)", std::vector<double>(24 * 5, 1.0)));
  NpySource<double> cut("cut.npy", 10);
  REQUIRE(cut.next(chunk));
  const std::string bytes = read_bytes("cut.npy");
  write_bytes("cut.npy", bytes.substr(0, bytes.size() - 8 * 5 * 6));
  CHECK_THROWS_WITH(cut.next(chunk), Contains("'cut.npy' changed since the source was opened: its size is now"));
}

// ---- CsvSource -------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("CsvSource's chunks are read_csv's rows, labels and columns", "[csv][source]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  std::string text = "title line\n a , b ,\"label\",c\r\n";
  for (int i = 0; i < 21; ++i) {
    text += std::to_string(i * 0.25 - 2) + "," + (i % 5 == 2 ? "NA" : std::to_string(i * 3 + 1)) + "," +
            std::to_string(i % 3) + "," + (i % 7 == 3 ? "" : "1e-3") + (i % 4 ? "\n" : "\r\n");
    if (i == 10) text += "  \t\n\n";  // blank lines count for the line numbers
  }
  write_bytes("m.csv", text);
  CsvOptions options;
  options.skip_rows = 1;
  options.label_column = "label";
  options.missing = Missing::mask;
  const CsvData expected = read_csv("m.csv", options);
  REQUIRE(expected.X.rows() == 21);
  for (const Index chunk_rows : chunk_sizes(3, 21)) {
    CsvSource<S> source("m.csv", options, chunk_rows);
    CHECK(source.n_features() == 3);
    CHECK(source.columns() == expected.columns);
    CHECK(source.n_rows() == -1);
    const auto chunks = pass(source);
    CHECK(source.n_rows() == 21);
    CHECK(same(stacked(chunks, 3), expected.X.template cast<S>()));
    std::vector<Index> labels;
    for (const auto& c : chunks)
      for (Index i = 0; i < c.labels.size(); ++i) labels.push_back(c.labels[i]);
    CHECK(Eigen::Map<const Labels>(labels.data(), Index(labels.size())) == expected.y);
    check_passes_identical(source);
  }
  // More rows than the room a chunk starts with (it grows to chunk_rows), labels in the last column.
  std::string long_text;
  for (int i = 0; i < 3000; ++i) long_text += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
  write_bytes("long.csv", long_text);
  CsvOptions last;
  last.label_column = "-1";
  const CsvData long_expected = read_csv("long.csv", last);
  CsvSource<S> long_source("long.csv", last, 2500);
  const auto long_chunks = pass(long_source);
  REQUIRE(long_chunks.size() == 2);
  CHECK(long_chunks[1].rows() == 500);
  CHECK(stacked(long_chunks, 1) == long_expected.X.template cast<S>());
  CHECK(long_chunks[0].labels == long_expected.y.head(2500));
  CHECK(long_chunks[1].labels == long_expected.y.tail(500));
  check_passes_identical(long_source);
  // Without a header and labels.
  write_bytes("plain.csv", "1,2\n3,4\n5,6\n");
  CsvSource<S> plain("plain.csv", {}, 2);
  CHECK(stacked(pass(plain), 2) == read_csv("plain.csv").X.template cast<S>());
  CHECK(plain.columns().empty());
}

TEST_CASE("CsvSource: read_csv's messages for bad rows, with the file and line", "[csv][source]") {
  // The message of read_csv, with the reader's name changed, is the oracle.
  auto check_same_error = [](const std::string& text, const CsvOptions& options, const std::string& expected) {
    write_bytes("bad.csv", text);
    const std::string from_reader = message_of([&] { (void)read_csv("bad.csv", options); });
    REQUIRE_FALSE(from_reader.empty());
    CHECK_THAT(from_reader, Contains(expected));
    const std::string from_source = message_of([&] {
      CsvSource<float> source("bad.csv", options, 2);
      Chunk<float> chunk;
      while (source.next(chunk)) {
      }
    });
    CHECK(from_source == replaced(from_reader, "read_csv()", "CsvSource()"));
  };
  CsvOptions plain;
  std::string rows = "a,b,c\n";
  for (int i = 0; i < 8; ++i) rows += std::to_string(i) + ",1,2\n";
  check_same_error(rows + "9,x,2\n", plain, "bad.csv:10 column 2: 'x' is not a finite number");
  check_same_error(rows + "9,1,2,3\n", plain, "bad.csv:10 has 4 fields, expected 3 as set by line 1 (the header");
  check_same_error(rows + "9,nan,2\n", plain, "(a missing value? set missing = Missing::mask to read it as one)");
  CsvOptions labelled;
  labelled.label_column = "c";
  check_same_error(rows + "9,1,2.5\n", labelled, "bad.csv:10 column 3: label '2.5' is not an integer");
  // A title line without skip_rows: the next row's field count is the better message.
  check_same_error("my data\n1,2\n3,4\n", plain, "bad.csv:2 has 2 fields, expected 1 as set by line 1");
  check_same_error("569,30,malignant,benign\n\n1,2,3\n", plain,
                   "bad.csv:3 has 3 fields, expected 4 as set by line 1 (the first row");
  check_same_error("1,2x\n1,2\n", plain, "(the line is read as data");
  check_same_error("a,b\n", plain, "'bad.csv' has a header but no data");
  check_same_error("\n \n", plain, "'bad.csv' has no rows");
  labelled.label_column = "z";
  check_same_error("a,b\n1,2\n", labelled, "label column 'z' is neither a column name nor an index");
  // Out of float's range: a float source says so (read_csv reads doubles).
  write_bytes("big.csv", "a\n1\n1e300\n");
  CsvSource<float> big("big.csv", {}, 1);
  Chunk<float> chunk;
  REQUIRE(big.next(chunk));
  CHECK_THROWS_WITH(big.next(chunk), "CsvSource(): big.csv:3 column 1: '1e300' is out of the float range");
}

TEST_CASE("CsvSource: a file changed between passes", "[csv][source]") {
  write_bytes("grow.csv", "a,b\n1,2\n3,4\n");
  CsvSource<double> source("grow.csv", {}, 1);
  CHECK(pass(source).size() == 2);
  write_bytes("grow.csv", "a,b\n1,2\n3,4\n5,6\n");
  CHECK_THROWS_WITH(source.rewind(), Contains("CsvSource(): 'grow.csv' changed since the source was opened: its "
                                              "size is now 16 bytes, was 12"));
  write_bytes("head.csv", "a,b\n1,2\n");
  CsvSource<double> head("head.csv");
  write_bytes("head.csv", "a,c\n1,2\n");
  CHECK_THROWS_WITH(head.rewind(), Contains("'head.csv' changed since the source was opened: its header"));
  CHECK_THROWS_AS(CsvSource<double>("head.csv", {}, 0), ParameterError);
}

// ---- SvmlightSource ------------------------------------------------------------------------

TEMPLATE_TEST_CASE("SvmlightSource's chunks are read_svmlight's rows and labels", "[svmlight][source]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  for (const char* path : {SPARSE_FIXTURES "sparse_hand.svm", SPARSE_FIXTURES "sparse_formula_sklearn.svm",
                           SPARSE_FIXTURES "sparse_formula_sklearn_1based.svm"}) {
    const SvmlightData<S> expected = read_svmlight<S>(path);
    const Index rows = expected.X.rows();
    for (const Index chunk_rows : chunk_sizes(rows % 2 == 0 ? 2 : rows, rows)) {
      SvmlightSource<S> source(path, {}, chunk_rows);
      CHECK(source.n_rows() == rows);
      CHECK(source.n_features() == expected.X.cols());
      CHECK(source.one_based() == expected.one_based);
      const auto chunks = pass(source);
      for (const auto& c : chunks) {
        CHECK(c.is_sparse);
        CHECK(c.sparse.isCompressed());
      }
      CHECK(stacked(chunks, expected.X.cols()) == RowMatrix<S>(expected.X));
      std::vector<Index> labels;
      for (const auto& c : chunks)
        for (Index i = 0; i < c.labels.size(); ++i) labels.push_back(c.labels[i]);
      CHECK(Eigen::Map<const Labels>(labels.data(), Index(labels.size())) == expected.labels);
      check_passes_identical(source);
    }
  }
}

TEST_CASE("SvmlightSource: read_svmlight's messages, and a file changed between passes", "[svmlight][source]") {
  auto check_same_error = [](const std::string& text, const SvmlightOptions& options, const std::string& expected) {
    write_bytes("bad.svm", text);
    const std::string from_reader = message_of([&] { (void)read_svmlight("bad.svm", options); });
    REQUIRE_FALSE(from_reader.empty());
    CHECK_THAT(from_reader, Contains(expected));
    const std::string from_source = message_of([&] { SvmlightSource<double> source("bad.svm", options, 1); });
    CHECK(from_source == replaced(from_reader, "read_svmlight()", "SvmlightSource()"));
  };
  const std::string good = "1 1:0.5 3:2\n-1 2:1\n# comment\n1 qid:3 1:1\n";
  check_same_error(good + "1 2:x\n", {}, "bad.svm:5: '2:x' has a value that is not a finite number");
  check_same_error(good + "1 3:1 2:1\n", {}, "bad.svm:5: '2:1' has a smaller index than the previous one");
  SvmlightOptions narrow;
  narrow.n_features = 3;
  check_same_error(good + "1 7:1\n", narrow, "n_features is 3, but 'bad.svm':5 has index 7 (7 features, 1-based)");
  check_same_error("# nothing\n", {}, "'bad.svm' has no sample lines");

  // Changed past the first 4096 bytes, the size kept: the pass finds what differs.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "1 1:0.5\n";
  write_bytes("same_size.svm", many);
  SvmlightSource<double> lines("same_size.svm", {}, 600);
  CHECK(pass(lines).size() == 2);
  write_bytes("same_size.svm", many.substr(0, many.size() - 8) + "#1 1:05\n");
  lines.rewind();
  Chunk<double> chunk;
  REQUIRE(lines.next(chunk));
  REQUIRE(lines.next(chunk));  // 399 rows
  CHECK_THROWS_WITH(lines.next(chunk),
                    "SvmlightSource(): 'same_size.svm' has fewer sample lines than the 1000 it had "
                    "when the source was opened");
  write_bytes("same_size.svm", many.substr(0, many.size() - 8) + "1 9:0.5\n");
  lines.rewind();
  REQUIRE(lines.next(chunk));
  CHECK_THROWS_WITH(lines.next(chunk),
                    "SvmlightSource(): same_size.svm:1000 has index 9, outside the 1 features "
                    "found when the source was opened");

  write_bytes("grow.svm", good);
  SvmlightSource<float> source("grow.svm", {}, 2);
  CHECK(pass(source).size() == 2);
  write_bytes("grow.svm", good + "1 1:1\n");
  CHECK_THROWS_WITH(source.rewind(), Contains("SvmlightSource(): 'grow.svm' changed since the source was opened"));
  CHECK_THROWS_AS(SvmlightSource<float>("grow.svm", {}, 0), ParameterError);
}

// ---- NpzSource -------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("NpzSource's chunks are read_sparse_npz's rows, stored or deflated", "[npz][source]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  SparseRowMatrix<double> W(23, 9);
  for (int i = 0; i < 23; ++i)
    for (int j = 0; j < 9; ++j)
      if ((3 * i + 5 * j) % 4 == 0) W.insert(i, j) = i - 0.5 * j;
  write_sparse_npz("w.npz", W);
  for (const std::string& path :
       {std::string("w.npz"), std::string(SPARSE_FIXTURES "sparse_formula_deflate.npz"),
        std::string(SPARSE_FIXTURES "sparse_formula_stored.npz"),
        std::string(SPARSE_FIXTURES "sparse_formula_f4_i8.npz"), std::string(SPARSE_FIXTURES "sparse_unsorted.npz")}) {
    const SparseRowMatrix<S> expected = read_sparse_npz<S>(path);
    const Index rows = expected.rows();
    for (const Index chunk_rows : chunk_sizes(rows % 2 == 0 ? 2 : rows, rows)) {
      NpzSource<S> source(path, chunk_rows);
      CHECK(source.n_rows() == rows);
      CHECK(source.n_features() == expected.cols());
      const auto chunks = pass(source);
      CHECK(stacked(chunks, expected.cols()) == RowMatrix<S>(expected));
      for (const auto& c : chunks) CHECK(c.is_sparse);
      check_passes_identical(source);
    }
  }
}

TEST_CASE("NpzSource: read_sparse_npz's rules at the row, and a file changed between passes", "[npz][source]") {
  SparseRowMatrix<double> D(3, 4);
  D.insert(0, 0) = 1;
  D.insert(2, 1) = 1;
  D.insert(2, 2) = 2;
  write_sparse_npz("dup.npz", D);
  std::string dup = read_bytes("dup.npz");
  const auto at = dup.find(std::string("\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00", 12));  // indices
  REQUIRE(at != std::string::npos);
  dup[at + 8] = 1;  // row 3 holds column 1 twice (and the CRC no longer matches)
  write_bytes("dup.npz", dup);
  NpzSource<double> source("dup.npz", 1);
  Chunk<double> chunk;
  REQUIRE(source.next(chunk));
  REQUIRE(source.next(chunk));
  CHECK_THROWS_WITH(source.next(chunk),
                    "NpzSource(): 'dup.npz' has column index 1 twice in row 3; call "
                    "X.sum_duplicates() before save_npz");
  CHECK_THROWS_WITH(read_sparse_npz("dup.npz"), Contains("twice in row 3"));

  write_sparse_npz("grow.npz", D);
  NpzSource<float> grow("grow.npz", 2);
  CHECK(pass(grow).size() == 2);
  SparseRowMatrix<double> E = D;
  E.conservativeResize(5, 4);
  write_sparse_npz("grow.npz", E);
  CHECK_THROWS_WITH(grow.rewind(), Contains("NpzSource(): 'grow.npz' changed since the source was opened"));
  CHECK_THROWS_WITH(NpzSource<float>(SPARSE_FIXTURES "sparse_csc.npz"),
                    Contains("NpzSource(): '") && Contains("holds a sparse matrix in format 'csc'"));
}

TEST_CASE("Inflater in pieces: zlib's output over many 32 KiB windows, fed in small blocks", "[npz][source]") {
  // zlib (Python's, when there is one) is the oracle: it writes the data and its raw DEFLATE
  // stream; the decoder must give the data back, whole and in pieces of odd sizes.
  const std::string script =
      "import random, zlib\n"
      "random.seed(1)\n"
      "words = [bytes(random.choice(b'abcdefghij') for _ in range(random.randint(3, 12))) for _ in range(300)]\n"
      "data = b''.join(random.choice(words) + bytes([random.randint(0, 255)]) for _ in range(30000))\n"
      "c = zlib.compressobj(9, zlib.DEFLATED, -15)\n"
      "open('inflate_plain.bin', 'wb').write(data)\n"
      "open('inflate_raw.bin', 'wb').write(c.compress(data) + c.flush())\n";
  write_bytes("inflate.py", script);
  if (std::system("/usr/bin/python3 inflate.py 2>/dev/null") != 0) {
    WARN("no python3 with zlib: skipped");
    return;
  }
  const std::string plain_text = read_bytes("inflate_plain.bin"), packed_text = read_bytes("inflate_raw.bin");
  const std::vector<unsigned char> plain(plain_text.begin(), plain_text.end()),
      packed(packed_text.begin(), packed_text.end());
  REQUIRE(plain.size() > 200000);
  CHECK(detail::inflate(packed.data(), packed.size(), plain.size(), "whole") == plain);
  std::size_t fed = 0;
  detail::Inflater pieces(nullptr, 0, plain.size(), "pieces", [&](const unsigned char*& p) {
    const std::size_t n = std::min<std::size_t>(1000, packed.size() - fed);
    p = packed.data() + fed;
    fed += n;
    return n;
  });
  std::vector<unsigned char> out(plain.size());
  for (std::size_t at = 0, step = 1; at < out.size(); step = step * 3 % 70001 + 1) {
    const std::size_t n = std::min(step, out.size() - at);
    pieces.read(out.data() + at, n);
    at += n;
  }
  pieces.finish();
  CHECK(out == plain);
  CHECK(fed == packed.size());
}

// ---- CallbackSource --------------------------------------------------------------------------

TEST_CASE("CallbackSource: the function's chunks, numbered, and checked", "[source]") {
  Index made = 0;
  auto next = [&](Chunk<float>& c) {
    if (made >= 10) return false;
    const Index n = std::min<Index>(4, 10 - made);
    c.is_sparse = false;
    c.dense.resize(n, 2);
    for (Index i = 0; i < n; ++i) c.dense.row(i) << float(made + i), float(-(made + i));
    made += n;
    return true;
  };
  CallbackSource<float> source(
      2, next, [&] { made = 0; }, 4, 10, "generated");
  const auto chunks = pass(source);
  REQUIRE(chunks.size() == 3);
  const RowMatrix<float> X = stacked(chunks, 2);
  for (Index i = 0; i < 10; ++i) CHECK((X(i, 0) == float(i) && X(i, 1) == float(-i)));
  CHECK(stacked_labels(chunks).size() == 0);
  check_passes_identical(source);

  CallbackSource<float> wrong(
      3, next, [&] { made = 0; }, 4);
  Chunk<float> chunk;
  wrong.rewind();
  CHECK_THROWS_WITH(wrong.next(chunk),
                    "CallbackSource(): CallbackSource gave a chunk of 4 x 2 at row 1 with 0 labels; "
                    "chunks have 1 to 4 rows of 3 features, and no labels or one per row");
  CallbackSource<float> big(
      2, next, [&] { made = 0; }, 3);
  big.rewind();
  CHECK_THROWS_WITH(big.next(chunk), Contains("gave a chunk of 4 x 2 at row 1"));
  CallbackSource<float> counted(
      2, next, [&] { made = 0; }, 4, 12, "counted");
  counted.rewind();
  while (made < 10) REQUIRE(counted.next(chunk));
  CHECK_THROWS_WITH(counted.next(chunk), "CallbackSource(): counted ended after 10 rows, but n_rows is 12");
  auto labelled = [&](Chunk<float>& c) {
    const bool more = next(c);
    c.labels = Labels::Zero(1);
    return more;
  };
  CallbackSource<float> bad_labels(
      2, labelled, [&] { made = 0; }, 4);
  bad_labels.rewind();
  CHECK_THROWS_WITH(bad_labels.next(chunk), Contains("gave a chunk of 4 x 2 at row 1 with 1 labels"));
  CHECK_THROWS_AS(CallbackSource<float>(2, nullptr, [] {}), ParameterError);
}
