// Sparse data files: read_svmlight / write_svmlight (io/svmlight.hpp), read_sparse_npz /
// write_sparse_npz and the DEFLATE decoder (io/sparse_npz.hpp, io/detail/inflate.hpp).
// Oracles: scikit-learn's load_svmlight_file / dump_svmlight_file and scipy.sparse.save_npz /
// load_npz, through the fixtures and numbers of tests/reference/make_sparse_io_fixtures.py.
// Scalars: no templated test cases.
#include <somtile/io.hpp>
#include <somtile/io/sparse_npz.hpp>
#include <somtile/io/svmlight.hpp>
#include <somtile/som.hpp>
#include <somtile/sparse.hpp>

#include "../fuzz/targets.hpp"
#include "support/fuzz_replay.hpp"
#include "support/model_file_checks.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

using namespace somtile;
using Catch::Matchers::Contains;

#define SPARSE_FIXTURES SOMTILE_REFERENCE_DIR "/../fixtures/"

namespace {

using test_support::read_bytes;
using test_support::write_bytes;

// The reference script's formula matrix F (40 x 30), computed here independently.
RowMatrix<double> formula() {
  RowMatrix<double> F = RowMatrix<double>::Zero(40, 30);
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 30; ++j)
      if ((7 * i + 13 * j) % 5 == 0) F(i, j) = double((31 * i + 17 * j) % 97) / 8 - 6;
  return F;
}

template <typename S>
RowMatrix<double> dense(const SparseRowMatrix<S>& X) {
  return RowMatrix<S>(X).template cast<double>();
}

template <typename S>
std::vector<int> indptr(const SparseRowMatrix<S>& X) {
  return {X.outerIndexPtr(), X.outerIndexPtr() + X.rows() + 1};
}
template <typename S>
std::vector<int> indices(const SparseRowMatrix<S>& X) {
  return {X.innerIndexPtr(), X.innerIndexPtr() + X.nonZeros()};
}
template <typename S>
std::vector<double> values(const SparseRowMatrix<S>& X) {
  return {X.valuePtr(), X.valuePtr() + X.nonZeros()};
}

SvmlightData<double> svm_text(const std::string& text, SvmlightOptions options = {}) {
  write_bytes("t.svm", text);
  return read_svmlight("t.svm", options);
}

std::vector<unsigned char> from_hex(const std::string& hex) {
  std::vector<unsigned char> out;
  for (std::size_t k = 0; k + 1 < hex.size(); k += 2)
    out.push_back((unsigned char)std::stoi(hex.substr(k, 2), nullptr, 16));
  return out;
}

}  // namespace

// ---- read_svmlight --------------------------------------------------------------------------

TEST_CASE("read_svmlight reads what scikit-learn's load_svmlight_file reads", "[io][sparse]") {
  // sparse_hand.svm: comments, qid, a blank line, tabs, '\r', +1 / -1, an empty row, an
  // explicit zero, and no index 0, so "auto" reads it 1-based.
  const auto d = read_svmlight(SPARSE_FIXTURES "sparse_hand.svm");
  CHECK(d.X.rows() == 4);
  CHECK(d.X.cols() == 7);
  CHECK(d.one_based);
  CHECK(indptr(d.X) == std::vector<int>{0, 3, 5, 5, 6});
  CHECK(indices(d.X) == std::vector<int>{0, 2, 6, 1, 2, 6});
  CHECK(values(d.X) == std::vector<double>{0.5, -2.0, 0.001, 4.0, 0.0, 250.0});
  CHECK(d.y == std::vector<double>{1, -1, 2, -1});
  REQUIRE(d.labels.size() == 4);
  CHECK(d.labels == (Labels(4) << 1, -1, 2, -1).finished());

  // zero_based=True: shape (4, 8), the same indices unshifted.
  SvmlightOptions zero;
  zero.index_base = IndexBase::zero;
  const auto z = read_svmlight(SPARSE_FIXTURES "sparse_hand.svm", zero);
  CHECK(z.X.cols() == 8);
  CHECK_FALSE(z.one_based);
  CHECK(indices(z.X) == std::vector<int>{1, 3, 7, 2, 3, 7});
  // n_features=10: shape (4, 10).
  SvmlightOptions wide;
  wide.n_features = 10;
  CHECK(read_svmlight(SPARSE_FIXTURES "sparse_hand.svm", wide).X.cols() == 10);
  SvmlightOptions narrow;
  narrow.n_features = 5;
  CHECK_THROWS_WITH(read_svmlight(SPARSE_FIXTURES "sparse_hand.svm", narrow),
                    Contains("n_features is 5") && Contains("sparse_hand.svm':2 has index 7 (7 features, 1-based)"));
}

TEST_CASE("read_svmlight reads files written by dump_svmlight_file, 0- and 1-based", "[io][sparse]") {
  const RowMatrix<double> F = formula();
  for (const char* name : {"sparse_formula_sklearn.svm", "sparse_formula_sklearn_1based.svm"}) {
    INFO(name);
    const auto d = read_svmlight(std::string(SPARSE_FIXTURES) + name);
    CHECK(d.one_based == (std::string(name).find("1based") != std::string::npos));
    CHECK(d.X.nonZeros() == 237);  // scipy's nnz of F
    CHECK(dense(d.X) == F);
    REQUIRE(d.labels.size() == 40);
    for (Index i = 0; i < 40; ++i) CHECK(d.labels[i] == i % 3);
    const auto f = read_svmlight<float>(std::string(SPARSE_FIXTURES) + name);
    CHECK(dense(f.X) == F);  // F's values are exact in float
  }
}

TEST_CASE("read_svmlight keeps real-valued targets in y and leaves labels empty", "[io][sparse]") {
  const auto d = svm_text("0.5 1:1\n2 2:1\n-3e2 0:4\n");
  CHECK(d.y == std::vector<double>{0.5, 2, -300});
  CHECK(d.labels.size() == 0);
  CHECK_FALSE(d.one_based);  // an index 0
  CHECK(d.X.cols() == 3);
  IndexBase one = IndexBase::one;
  CHECK_THROWS_WITH(svm_text("1 1:1\n2 0:1\n", {one, 0, ""}),
                    Contains("t.svm:2: '0:1' has index 0 in a file read as 1-based"));
}

TEST_CASE("read_svmlight rejects every malformed token, naming file, line and token", "[io][sparse]") {
  const std::pair<const char*, const char*> cases[] = {
      {"1 1:1\n1 a:2\n", "t.svm:2: 'a:2' does not start with an index"},
      {"1 3:1 2:1\n", "'2:1' has a smaller index than the previous one"},
      {"1 3:1 3:2\n", "'3:2' repeats the previous index"},
      {"1 2:nan\n", "'2:nan' has a value that is not a finite number"},
      {"1 2:\n", "'2:' has a value that is not a finite number"},
      {"1 2:1x\n", "'2:1x' has a value that is not a finite number"},
      {"1,2 3:1\n", "'1,2' is a multilabel"},
      {"x 1:2\n", "'x' is not a finite number (the label)"},
      {"1:2 3:4\n", "'1:2' is not a label"},
      {"1 3:1 qid:2\n", "'qid:2' is a qid that does not follow the label"},
      {"1 qid:x 1:1\n", "'qid:x' is not an integer query id"},
      {"1 -1:3\n", "'-1:3' has a negative index"},
      {"1 1:2 5\n", "'5' is not an index:value pair"},
      {"1 99999999999:1\n", "'99999999999:1' has an index beyond 2^31 - 2"},
      {"", "'t.svm' has no sample lines"},
      {"# only a comment\n\n  \n", "'t.svm' has no sample lines"},
  };
  for (const auto& [text, message] : cases) {
    INFO(text);
    CHECK_THROWS_AS(svm_text(text), InputError);
    CHECK_THROWS_WITH(svm_text(text), Contains(message) && Contains("read_svmlight(): "));
  }
  write_bytes("big.svm", "1 1:1e39\n");
  CHECK_THROWS_WITH(read_svmlight<float>("big.svm"), Contains("'1:1e39' has a value out of the float range"));
  CHECK(read_svmlight<double>("big.svm").X.coeff(0, 0) == 1e39);
  CHECK_THROWS_WITH(read_svmlight("no_such_file.svm"), Contains("read_svmlight(): cannot open 'no_such_file.svm'"));
  SvmlightOptions negative;
  negative.n_features = -1;
  CHECK_THROWS_AS(read_svmlight(SPARSE_FIXTURES "sparse_hand.svm", negative), ParameterError);
}

TEST_CASE("read_svmlight reads lines longer than its block and a last line without a newline", "[io][sparse]") {
  std::string line = "7";
  for (int j = 0; j < 150000; ++j) line += " " + std::to_string(j) + ":0.25";  // ~1.5 MB, 23 blocks
  const auto d = svm_text("1 0:1\n" + line + "\n-1 5:2");
  CHECK(d.X.rows() == 3);
  CHECK(d.X.cols() == 150000);
  CHECK(d.X.row(1).nonZeros() == 150000);
  CHECK(d.X.coeff(1, 149999) == 0.25);
  CHECK(d.X.coeff(2, 5) == 2);
  CHECK(d.y == std::vector<double>{1, 7, -1});
}

TEST_CASE("write_svmlight writes what read_svmlight and scikit-learn read back exactly", "[io][sparse]") {
  const RowMatrix<double> F = formula();
  const SparseRowMatrix<double> X = F.sparseView();
  Labels y = Labels::LinSpaced(40, -20, 19);
  write_svmlight("w.svm", X, y);
  auto d = read_svmlight("w.svm");
  CHECK(dense(d.X) == F);
  CHECK(d.labels == y);
  write_svmlight("w1.svm", X, y, /*zero_based=*/false);
  CHECK(read_bytes("w1.svm").rfind("-20 1:-6 6:4.625 11:", 0) == 0);  // F(0, 0) = -6, F(0, 5) = 4.625
  CHECK(dense(read_svmlight("w1.svm").X) == F);

  // Values that need all 17 (double) or 9 (float) digits, real targets.
  SparseRowMatrix<double> R(2, 3);
  R.insert(0, 1) = 0.1;
  R.insert(1, 2) = 1.0 / 3.0;
  write_svmlight("r.svm", R, std::vector<double>{0.1, -2.5});
  const auto r = read_svmlight("r.svm");
  CHECK(values(r.X) == std::vector<double>{0.1, 1.0 / 3.0});
  CHECK(r.y == std::vector<double>{0.1, -2.5});
  const SparseRowMatrix<float> Rf = R.cast<float>();
  write_svmlight("rf.svm", Rf, Labels::Zero(2));
  // No index 0 in the file: IndexBase::automatic would take it as 1-based (scikit-learn's
  // "auto" does the same), so say that it is 0-based.
  SvmlightOptions zero;
  zero.index_base = IndexBase::zero;
  CHECK(read_svmlight<float>("rf.svm", zero).X.coeff(1, 2) == 1.0f / 3.0f);
  CHECK(read_svmlight<float>("rf.svm").X.coeff(1, 1) == 1.0f / 3.0f);

  CHECK_THROWS_WITH(write_svmlight("x.svm", X, Labels::Zero(3)), Contains("y has 3 labels, but X has 40 rows"));
  R.coeffRef(0, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(write_svmlight("x.svm", R, Labels::Zero(2)), Contains("X(0, 1) = inf is not finite"));
  CHECK_FALSE(test_support::file_exists("x.svm"));
}

// ---- read_sparse_npz ------------------------------------------------------------------------

TEST_CASE("read_sparse_npz reads scipy.sparse.save_npz files, deflated and stored", "[io][sparse]") {
  const RowMatrix<double> F = formula();
  for (const char* name : {"sparse_formula_deflate.npz", "sparse_formula_stored.npz", "sparse_formula_f4_i8.npz"}) {
    INFO(name);
    const auto X = read_sparse_npz(std::string(SPARSE_FIXTURES) + name);
    CHECK(X.rows() == 40);
    CHECK(X.cols() == 30);
    CHECK(X.nonZeros() == 237);
    CHECK(dense(X) == F);
    CHECK(dense(read_sparse_npz<float>(std::string(SPARSE_FIXTURES) + name)) == F);
  }
  // Unsorted indices within rows are sorted: scipy's dense form [[-2, 0, 0, 1.5, 0], [0...],
  // [0, 4.25, 3, 0, 0]].
  const auto U = read_sparse_npz(SPARSE_FIXTURES "sparse_unsorted.npz");
  CHECK(indptr(U) == std::vector<int>{0, 2, 2, 4});
  CHECK(indices(U) == std::vector<int>{0, 3, 1, 2});
  CHECK(values(U) == std::vector<double>{-2.0, 1.5, 4.25, 3.0});
}

TEST_CASE("read_sparse_npz rejects other formats and damaged archives", "[io][sparse]") {
  CHECK_THROWS_WITH(read_sparse_npz(SPARSE_FIXTURES "sparse_csc.npz"),
                    Contains("holds a sparse matrix in format 'csc'; only CSR is read"));
  CHECK_THROWS_WITH(read_sparse_npz(SPARSE_FIXTURES "sparse_hand.svm"), Contains("is not a zip archive"));
  CHECK_THROWS_WITH(read_sparse_npz("missing.npz"), Contains("read_sparse_npz(): cannot open 'missing.npz'"));
  const std::string good = read_bytes(SPARSE_FIXTURES "sparse_formula_deflate.npz");
  // Each byte of the first entry's compressed data flipped in turn: CRC-32 or the decoder
  // must notice every one (the local header is 30 bytes, the name "indices.npy" and an extra
  // field of numpy's zip64 sizes).
  const std::size_t start = 30 + 11 + std::size_t((unsigned char)good[28] | (unsigned char)good[29] << 8);
  int rejected = 0, tried = 0;
  for (std::size_t k = start; k < start + 158; k += 7, ++tried) {
    std::string bad = good;
    bad[k] = char(bad[k] ^ 0x5a);
    write_bytes("bad.npz", bad);
    try {
      (void)read_sparse_npz("bad.npz");
    } catch (const InputError&) {
      ++rejected;
    }
  }
  CHECK(rejected == tried);
  write_bytes("cut.npz", good.substr(0, good.size() / 2));
  CHECK_THROWS_AS(read_sparse_npz("cut.npz"), InputError);
  // A duplicate column in a row.
  SparseRowMatrix<double> D(1, 4);
  D.insert(0, 1) = 1;
  D.insert(0, 2) = 2;
  write_sparse_npz("dup.npz", D);
  std::string dup = read_bytes("dup.npz");
  const auto at = dup.find(std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8));  // indices [1, 2]
  REQUIRE(at != std::string::npos);
  dup[at + 4] = 1;  // -> [1, 1], and the CRC no longer matches: rejected either way
  write_bytes("dup.npz", dup);
  CHECK_THROWS_AS(read_sparse_npz("dup.npz"), InputError);
}

TEST_CASE("write_sparse_npz round-trips through read_sparse_npz", "[io][sparse]") {
  const RowMatrix<double> F = formula();
  const SparseRowMatrix<double> X = F.sparseView();
  write_sparse_npz("f.npz", X);
  CHECK(dense(read_sparse_npz("f.npz")) == F);
  const SparseRowMatrix<float> Xf = X.cast<float>();
  write_sparse_npz("f4.npz", Xf);
  CHECK(dense(read_sparse_npz<float>("f4.npz")) == F);
  const SparseRowMatrix<double> empty(3, 0);
  write_sparse_npz("e.npz", empty);
  const auto E = read_sparse_npz("e.npz");
  CHECK(E.rows() == 3);
  CHECK(E.cols() == 0);
}

TEST_CASE("inflate decodes zlib's stored and fixed-Huffman blocks; CRC-32 agrees with zlib", "[io][sparse]") {
  // From make_sparse_io_fixtures.py (zlib.compressobj(level, DEFLATED, -15)); the dynamic
  // blocks are those of sparse_formula_deflate.npz above.
  const auto stored = from_hex("011500eaff73746f72656420626c6f636b2c206c6576656c2030");
  const std::string text0 = "stored block, level 0";
  auto out = detail::inflate(stored.data(), stored.size(), text0.size(), "stored");
  CHECK(std::string(out.begin(), out.end()) == text0);
  CHECK(detail::crc32(out.data(), out.size()) == 0xd7c27182u);
  const auto fixed = from_hex("4b4c4a4e8421858cd49c9c7c080900");
  const std::string text1 = "abcabcabcabc hello hello";
  out = detail::inflate(fixed.data(), fixed.size(), text1.size(), "fixed");
  CHECK(std::string(out.begin(), out.end()) == text1);
  CHECK(detail::crc32(out.data(), out.size()) == 0x52002f38u);
  CHECK_THROWS_WITH(detail::inflate(fixed.data(), fixed.size(), text1.size() - 1, "s"), Contains("more bytes"));
  CHECK_THROWS_WITH(detail::inflate(fixed.data(), fixed.size(), text1.size() + 1, "s"), Contains("fewer bytes"));
  CHECK_THROWS_WITH(detail::inflate(fixed.data(), 5, text1.size(), "s"), Contains("truncated"));
  const unsigned char reserved[] = {0x07};  // last block, type 3
  CHECK_THROWS_WITH(detail::inflate(reserved, 1, 0, "s"), Contains("invalid block type"));
}

// ---- fuzz regressions -----------------------------------------------------------------------

TEST_CASE("fuzz regressions of the sparse readers are rejected cleanly or read", "[io][fuzz][sparse]") {
  test_support::replay_fuzz_inputs({{"svmlight", fuzz::fuzz_svmlight}, {"npz", fuzz::fuzz_npz}});
}

// ---- vocabularies ---------------------------------------------------------------------------

TEST_CASE("read_vocabulary: one name per line, '\\r\\n' too, no empty line", "[io][sparse][vocabulary]") {
  write_bytes("v.txt", "goal\r\nthe match\nkeeper");  // the last line needs no line break
  CHECK(read_vocabulary("v.txt") == std::vector<std::string>{"goal", "the match", "keeper"});
  write_bytes("v.txt", "goal\n\nkeeper\n");
  CHECK_THROWS_WITH(read_vocabulary("v.txt"),
                    "read_vocabulary(): v.txt:2 is empty; every feature needs a name, one per line");
  write_bytes("v.txt", "");
  CHECK_THROWS_WITH(read_vocabulary("v.txt"), "read_vocabulary(): 'v.txt' is empty");
  CHECK_THROWS_WITH(read_vocabulary("no_such_vocab.txt"), "read_vocabulary(): cannot open 'no_such_vocab.txt'");
}

TEST_CASE("read_svmlight names the features from a vocabulary, in the file's index base", "[io][sparse][vocabulary]") {
  write_bytes("v.txt", "alpha\nbeta\ngamma\ndelta\n");
  SvmlightOptions o;
  o.vocabulary = "v.txt";
  // 1-based: index 1 is the first line's feature, column 0; the vocabulary sets 4 columns
  // although the largest index is 3.
  SvmlightData<double> d = svm_text("1 1:0.5 3:2\n2 2:1\n", o);
  CHECK(d.one_based);
  CHECK(d.X.cols() == 4);
  CHECK(d.feature_names == std::vector<std::string>{"alpha", "beta", "gamma", "delta"});
  CHECK(d.X.coeff(0, 2) == 2.0);  // index 3, 1-based: "gamma"
  // 0-based: index 0 is the first line's feature.
  d = svm_text("1 0:0.5 3:2\n", o);
  CHECK_FALSE(d.one_based);
  CHECK(d.X.cols() == 4);
  CHECK(d.X.coeff(0, 3) == 2.0);  // "delta"
  o.n_features = 4;
  CHECK(svm_text("1 0:1\n", o).feature_names.size() == 4);
  CHECK(svm_text("1 0:1\n").feature_names.empty());  // no vocabulary, no names

  // Wrong line counts, with n_features and without.
  o.n_features = 5;
  CHECK_THROWS_WITH(svm_text("1 0:1\n", o),
                    "read_svmlight(): the vocabulary 'v.txt' has 4 names, but n_features is 5; give one name per "
                    "feature");
  o.n_features = 0;
  CHECK_THROWS_WITH(svm_text("1 1:1\n2 0:1 4:1\n", o),
                    "read_svmlight(): the vocabulary 'v.txt' has 4 names, but 't.svm':2 has index 4 (5 features, "
                    "0-based); give one name per feature");
  o.vocabulary = "no_such_vocab.txt";
  CHECK_THROWS_WITH(svm_text("1 0:1\n", o), "read_vocabulary(): cannot open 'no_such_vocab.txt'");
}

TEST_CASE("read_sparse_npz(path, vocabulary) returns the names beside the matrix", "[io][sparse][vocabulary]") {
  SparseRowMatrix<double> X(2, 3);
  X.insert(0, 1) = 1.5;
  X.insert(1, 2) = -2;
  write_sparse_npz("v.npz", X);
  write_bytes("v.txt", "a\nb\nc\n");
  const SparseNpzData<double> d = read_sparse_npz("v.npz", "v.txt");
  CHECK(dense(d.X) == dense(X));
  CHECK(d.feature_names == std::vector<std::string>{"a", "b", "c"});
  CHECK(read_sparse_npz<float>("v.npz", "").feature_names.empty());
  write_bytes("v.txt", "a\nb\n");
  CHECK_THROWS_WITH(read_sparse_npz("v.npz", "v.txt"),
                    "read_sparse_npz(): the vocabulary 'v.txt' has 2 names, but 'v.npz' has 3 columns; give one name "
                    "per feature");
}
