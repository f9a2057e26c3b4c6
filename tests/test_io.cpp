// Data files: read_csv (headers, labels, bad cells), the .npy reader against NumPy's reading of
// the data file, write_csv and write_npy round trips, NumbaSOM lattices.
// Scalars: float and double where the files have their own types on disk (.npy).
#include <somtile/core/random.hpp>
#include <somtile/io/csv.hpp>
#include <somtile/io/lattice_npy.hpp>
#include <somtile/io/npy.hpp>
#include <somtile/preprocessing/split.hpp>

#include "support/files.hpp"

#include <catch2/catch.hpp>
#include "support/scalars.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

using namespace somtile;
using Catch::Matchers::Contains;

namespace {

using test_support::file_exists;
using test_support::read_bytes;
using test_support::write_bytes;
bool exists(const std::string& path) { return file_exists(path); }

std::string temp_path(const std::string& name) { return "npy_" + name; }  // in the private directory

/// A .npy file: version `major`, header dict text, raw data bytes.
std::string npy_bytes(int major, const std::string& dict, const std::string& data) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  const std::size_t len = header.size();
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (major != 1) out += std::string(2, '\0');
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

}  // namespace

TEST_CASE("read_csv parses headers and labels and reports bad cells", "[io][csv]") {
  const auto iris = read_csv(SOMTILE_DATA_DIR "/iris.csv", "label");
  CHECK(iris.X.rows() == 150);
  CHECK(iris.X.cols() == 4);
  CHECK(iris.columns.front() == "sepal_length_cm");
  CHECK(iris.y[0] == 0);
  CHECK(iris.y[149] == 2);
  const auto by_index = read_csv(SOMTILE_DATA_DIR "/iris.csv", "-1");
  CHECK(by_index.y == iris.y);
  const auto no_labels = read_csv(SOMTILE_DATA_DIR "/iris.csv");
  CHECK(no_labels.X.cols() == 5);

  const std::string path = "bad.csv";
  write_bytes(path, "a,b\n1,2\n3\n");
  CHECK_THROWS_WITH(read_csv(path),
                    "read_csv(): bad.csv:3 has 1 fields, expected 2 as set by line 1 (the header; "
                    "skip_rows skips lines above the data)");
  write_bytes(path, "a,b\n1,2\n3,x4\n");
  CHECK_THROWS_WITH(read_csv(path), "read_csv(): bad.csv:3 column 2: 'x4' is not a finite number");
  // A missing value without Missing::mask: the message names the setting that reads it.
  write_bytes(path, "1,2\n3,nan\n");
  CHECK_THROWS_WITH(read_csv(path),
                    "read_csv(): bad.csv:2 column 2: 'nan' is not a finite number (a missing "
                    "value? set missing = Missing::mask to read it as one)");
  write_bytes(path, "1,2\n3,\n");
  CHECK_THROWS_WITH(read_csv(path), Contains("bad.csv:2 column 2: '' is not a finite number") &&
                                        Contains("set missing = Missing::mask"));
  write_bytes(path, "a,b\n1,2.5\n");
  CHECK_THROWS_WITH(read_csv(path, "b"), "read_csv(): bad.csv:2 column 2: label '2.5' is not an integer");
  CHECK_THROWS_AS(read_csv(path, "zzz"), InputError);
  write_bytes(path, "a,b\n1,1e300\n");
  CHECK_THROWS_WITH(read_csv(path, "b"),
                    "read_csv(): bad.csv:2 column 2: label '1e300' is out of range (|label| <= 2^53)");
  write_bytes(path, "a,b\n1,1e400\n");
  CHECK_THROWS_WITH(read_csv(path), "read_csv(): bad.csv:2 column 2: '1e400' is not a finite number");
  write_bytes(path, "a,b\n1,-9007199254740992\n");
  CHECK(read_csv(path, "b").y[0] == -9007199254740992);
  write_bytes(path, "a,b\n");
  CHECK_THROWS_WITH(read_csv(path), "read_csv(): 'bad.csv' has a header but no data");
  CHECK_THROWS_AS(read_csv("missing.csv"), InputError);
  std::remove(path.c_str());
}

TEST_CASE("read_csv: a first line holding a number is data; CsvOptions::header decides otherwise", "[io][csv]") {
  const std::string path = "header.csv";
  CsvOptions o;
  o.label_column = "3";
  // A headerless file whose first row has a typo: the typo is reported, not taken for a header
  // (which would drop the row and take label column "3" for the header's name "3").
  write_bytes(path, "1,2o,3,0\n4,5,6,1\n7,8,9,0\n");
  CHECK_THROWS_WITH(read_csv(path, o),
                    "read_csv(): header.csv:1 column 2: '2o' is not a finite number (the line is read as data, as "
                    "some of its fields are numbers; set header = Header::present if it is a header)");
  write_bytes(path, "1,2,3,0\n4,5,6,1\n7,8,9,0\n");
  const CsvData d = read_csv(path, o);
  CHECK(d.X.rows() == 3);
  CHECK(d.X.row(0) == (Eigen::RowVector3d() << 1, 2, 3).finished());
  CHECK(d.y == (Labels(3) << 0, 1, 0).finished());
  CHECK(d.columns.empty());
  o.header = Header::absent;
  CHECK(read_csv(path, o).y == d.y);

  // Header::present: the first line names the columns, numbers or not. A label column that is
  // a number and the name of another column is ambiguous.
  o.header = Header::present;
  CHECK_THROWS_WITH(read_csv(path, o),
                    "read_csv(): label column '3' is ambiguous: header.csv:1 names the column at index 2 '3', and "
                    "index 3 is the column '0'; give the column's name ('0' for index 3) or the index 2 of the "
                    "column named '3' (or set header = Header::absent if line 1 is data)");
  write_bytes(path, "x,y,3,z\n1,2,3,0\n4,5,6,1\n");
  CHECK_THROWS_WITH(read_csv(path, o), Contains("index 3 is the column 'z'; give the column's name ('z' for index 3)"));
  o.label_column = "2";  // the index of the column named "3"
  const CsvData named = read_csv(path, o);
  CHECK(named.X.rows() == 2);
  CHECK(named.y == (Labels(2) << 3, 6).finished());
  CHECK(named.columns == std::vector<std::string>{"x", "y", "z"});
  o.label_column = "z";
  CHECK(read_csv(path, o).y == (Labels(2) << 0, 1).finished());
  write_bytes(path, "x,1,y\n4,5,6\n");  // the name "1" is the column at index 1: no ambiguity
  o.label_column = "1";
  CHECK(read_csv(path, o).y[0] == 5);

  // Auto: a header with a numeric name is data, and the message says how to read it as a header.
  o.header = Header::auto_detect;
  CHECK_THROWS_WITH(read_csv(path, o), Contains("header.csv:1 column 1: 'x' is not a finite number") &&
                                           Contains("set header = Header::present"));
  // Header::absent: a text line is a bad row, and names are not columns.
  write_bytes(path, "a,b\n1,2\n");
  o.header = Header::absent;
  o.label_column = "";
  CHECK_THROWS_WITH(read_csv(path, o), "read_csv(): header.csv:1 column 1: 'a' is not a finite number");
  o.label_column = "b";
  CHECK_THROWS_WITH(read_csv(path, o),
                    "read_csv(): label column 'b' is not an index in [-1, 2), and 'header.csv' has no header (line 1 "
                    "is data), so its columns have no names (set header = Header::present if line 1 is a header)");
  // An unknown label column lists the names there are.
  o.header = Header::auto_detect;
  o.label_column = "c";
  CHECK_THROWS_WITH(read_csv(path, o),
                    "read_csv(): label column 'c' is neither a column name nor an index in [-1, 2); the columns of "
                    "header.csv:1 are 'a', 'b'");
  // With Missing::mask a line of missing values is data; text beside them makes a header.
  o.label_column = "";
  o.missing = Missing::mask;
  write_bytes(path, "NA,NA\n1,2\n");
  CHECK(read_csv(path, o).X.rows() == 2);
  write_bytes(path, "a,NA\n1,2\n");
  CHECK(read_csv(path, o).columns == std::vector<std::string>{"a", "NA"});
  std::remove(path.c_str());
}

TEST_CASE("read_npy: the 2-D clustering data matches NumPy's reading", "[npy]") {
  const RowMatrix<double> X = read_npy(SOMTILE_DATA_DIR "/clusterable_data.npy");
  std::ifstream ref(SOMTILE_REFERENCE_DIR "/clusterable_data_summary.txt");
  REQUIRE(ref);
  Index rows, cols;
  ref >> rows >> cols;
  REQUIRE(X.rows() == rows);
  REQUIRE(X.cols() == cols);
  std::vector<double> first(static_cast<std::size_t>(cols)), last(static_cast<std::size_t>(cols)),
      sums(static_cast<std::size_t>(cols));
  for (auto& v : first) ref >> v;
  for (auto& v : last) ref >> v;
  for (auto& v : sums) ref >> v;
  for (Index j = 0; j < cols; ++j) {
    CHECK(X(0, j) == first[std::size_t(j)]);  // exact: the same bits
    CHECK(X(rows - 1, j) == last[std::size_t(j)]);
    CHECK(X.col(j).sum() == Approx(sums[std::size_t(j)]).epsilon(1e-12));
  }
}

TEST_CASE("read_npy: float32/float64, versions 1 and 2, 1-D and 2-D", "[npy]") {
  const std::vector<double> d{1.5, -2.25, 3.0, 4.125, 5.0, -6.5};
  write_bytes(temp_path("f8.npy"), npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", raw(d)));
  RowMatrix<double> X = read_npy(temp_path("f8.npy"));
  REQUIRE(X.rows() == 2);
  REQUIRE(X.cols() == 3);
  for (Index k = 0; k < 6; ++k) CHECK(X.data()[k] == d[std::size_t(k)]);  // C order

  const std::vector<float> f{0.5f, 1.75f, -3.0f, 8.0f};
  write_bytes(temp_path("f4.npy"), npy_bytes(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 1), }", raw(f)));
  X = read_npy(temp_path("f4.npy"));
  REQUIRE(X.rows() == 4);
  REQUIRE(X.cols() == 1);
  for (Index k = 0; k < 4; ++k) CHECK(X(k, 0) == double(f[std::size_t(k)]));

  write_bytes(temp_path("vec.npy"), npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                                              raw(std::vector<double>{7, 8, 9})));
  X = read_npy(temp_path("vec.npy"));
  CHECK(X.rows() == 3);
  CHECK(X.cols() == 1);
  CHECK(X(2, 0) == 9.0);
}

TEST_CASE("read_npy: unsupported or broken files are InputErrors that say why", "[npy]") {
  const std::string data = raw(std::vector<double>{1, 2, 3, 4});
  auto check = [&](const std::string& name, const std::string& bytes, const std::string& reason) {
    write_bytes(temp_path(name), bytes);
    CHECK_THROWS_AS(read_npy(temp_path(name)), InputError);
    CHECK_THROWS_WITH(read_npy(temp_path(name)), Contains("read_npy(): '" + temp_path(name) + "'") && Contains(reason));
  };
  check("magic.npy", "PK\x03\x04 not numpy at all", "is not a .npy file (bad magic string)");
  check("int.npy", npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", data),
        "holds dtype '<i8'; only little-endian float32 ('<f4') and float64 ('<f8') are supported");
  check("big.npy", npy_bytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", data),
        "holds dtype '>f8'");
  check("fortran.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", data),
        "is in Fortran order; only C order is supported");
  check("cube.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }", data),
        "has shape (1, 2, 2); only 1-D and 2-D arrays are supported");
  check("short.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", data),
        "is truncated: shape (3, 2) needs 48 data bytes");
  // Header sizes are checked against the file before anything is allocated.
  check("huge.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000), }", data),
        "is truncated: shape (1000000000, 1000000) needs 8000000000000000 data bytes");
  check("huger.npy",
        npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 1000000000), }", data),
        "needs over 1e19 data bytes");
  check("range.npy",
        npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 1), }", data),
        "has an extent out of range in (99999999999999999999, 1)");
  check("overflow.npy",
        npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 4), }", data),
        "needs over 1e19 data bytes");
  check("malformed.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,,2), }", data),
        "has a malformed shape (2,,2)");
  check("unclosed.npy", npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2", data),
        "has a malformed header");
  std::string long_header = npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", data);
  long_header[8] = char(0xff);
  long_header[9] = char(0xff);
  check("long_header.npy", long_header.substr(0, 80), "is truncated in its header");
  std::string v9 = npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", data);
  v9[6] = char(9);
  check("version.npy", v9, "has format version 9, expected 1, 2 or 3");
  CHECK_THROWS_AS(read_npy("/nonexistent/x.npy"), InputError);
  CHECK_THROWS_WITH(read_npy("/nonexistent/x.npy"), "read_npy(): cannot open '/nonexistent/x.npy'");
}

// ---- model versions, write_npy, lattices as .npy ----------------------------------------------

namespace {

// Runs Debian's python3 (the one with python3-numpy) and returns what it prints, or "" when it
// cannot run numpy.
std::string run_numpy(const std::string& code) {
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; " + code + "\" 2>/dev/null";
  std::string out;
  if (FILE* pipe = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    if (pclose(pipe) != 0) return "";
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("write_npy round-trips through read_npy and numpy", "[npy][write]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> M(3, 4);
  for (Index k = 0; k < M.size(); ++k) M.data()[k] = S(k) * S(0.25) - S(1.125) + (k == 5 ? S(1e-7) : S(0));
  const std::string path = temp_path(sizeof(S) == 4 ? "write_f4.npy" : "write_f8.npy");
  write_npy(path, M);
  CHECK_FALSE(exists(path + ".tmp"));
  const std::string bytes = read_bytes(path);
  CHECK(bytes.size() == 128 + std::size_t(M.size()) * sizeof(S));  // header padded to 64 bytes
  CHECK(bytes.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(bytes.find(sizeof(S) == 4 ? "'descr': '<f4'" : "'descr': '<f8'") != std::string::npos);
  const RowMatrix<double> back = read_npy(path);
  CHECK(back == M.template cast<double>());  // exact
  // A column-major or transposed expression is written in C order all the same.
  write_npy(path, M.transpose());
  CHECK(read_npy(path) == M.transpose().template cast<double>());
  write_npy(path, Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>(M));
  CHECK(read_npy(path) == M.template cast<double>());

  // numpy reads what write_npy wrote: dtype, shape and every value.
  write_npy(path, M);
  const std::string seen = run_numpy(
      "a = np.load('" + path + "'); print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], float(a[1, 1]), float(a.sum()))");
  if (seen.empty()) {
    WARN("python3-numpy not available: numpy's reading of write_npy's file not checked");
  } else {
    std::ostringstream expect;
    expect.precision(17);
    CHECK(seen.substr(0, seen.find(' ')) == (sizeof(S) == 4 ? "float32" : "float64"));
    CHECK(seen.find("(3, 4) True") != std::string::npos);
    std::istringstream in(seen.substr(seen.find("True") + 4));
    double at11 = 0, sum = 0;
    in >> at11 >> sum;
    CHECK(at11 == double(M(1, 1)));
    CHECK(sum == Approx(double(M.template cast<double>().sum())).epsilon(1e-6));
  }
  std::remove(path.c_str());
  CHECK_THROWS_AS(write_npy("/nonexistent/dir/x.npy", M), InputError);
  CHECK_THROWS_WITH(write_npy("/nonexistent/dir/x.npy", M), "write_npy(): cannot write '/nonexistent/dir/x.npy.tmp'");
}

TEMPLATE_TEST_CASE("save_lattice / load_lattice: a rows x cols x features .npy, as NumbaSOM's np.save",
                   "[npy][lattice]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> W(2 * 3, 4);
  for (Index k = 0; k < W.size(); ++k) W.data()[k] = S(k) / S(8);
  const Lattice<S> lat(Grid(2, 3), W);
  const std::string path = temp_path("lattice.npy");
  save_lattice(lat, path);
  const Lattice<S> back = load_lattice<S>(path);
  CHECK(back.rows() == 2);
  CHECK(back.cols() == 3);
  CHECK_FALSE(back.torus());
  CHECK(back.codebook() == W);
  CHECK(load_lattice<S>(path, true).torus());
  // numpy sees the lattice NumbaSOM would: lattice[r, c] is the vector of cell (r, c).
  const std::string seen = run_numpy("a = np.load('" + path + "'); print(a.shape, float(a[1, 2, 3]))");
  if (seen.empty()) {
    WARN("python3-numpy not available: numpy's reading of save_lattice's file not checked");
  } else {
    CHECK(seen.find("(2, 3, 4)") == 0);
    CHECK(std::stod(seen.substr(seen.find(')') + 1)) == double(lat(1, 2)(3)));
  }
  // A lattice numpy wrote (float64, C order), as NumbaSOM's save_lattice does.
  const std::string np_path = temp_path("numpy_lattice.npy");
  if (!run_numpy("np.save('" + np_path + "', np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8); print('ok')")
           .empty()) {
    const Lattice<S> from_numpy = load_lattice<S>(np_path);
    CHECK(from_numpy.codebook() == W);
    std::remove(np_path.c_str());
  }
  // Not a 3-D array, a zero extent: errors name load_lattice.
  write_npy(path, W);
  CHECK_THROWS_AS(load_lattice<S>(path), InputError);
  CHECK_THROWS_WITH(
      load_lattice<S>(path),
      "load_lattice(): '" + path + "' has shape (6, 4); only 3-D (rows, cols, features) arrays are supported");
  write_bytes(path, npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0, 3), }", ""));
  CHECK_THROWS_WITH(load_lattice<S>(path), Contains("has shape (2, 0, 3); every extent must be > 0"));
  write_bytes(path, npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 3), }",
                              raw(std::vector<double>{1, 2})));
  CHECK_THROWS_WITH(load_lattice<S>(path),
                    "load_lattice(): '" + path +
                        "' is truncated: shape (2, 2, 3) needs 96 data bytes; the file holds 16 (0 complete rows)");
  CHECK_THROWS_WITH(load_lattice<S>("/nonexistent/l.npy"), "load_lattice(): cannot open '/nonexistent/l.npy'");
  std::remove(path.c_str());
}

// ---- skip_rows, scalers and models that carry their scaling ---------------------------------

#define SOMTILE_FIXTURES SOMTILE_REFERENCE_DIR "/../fixtures"

TEST_CASE(
    "read_csv: skip_rows reads scikit-learn's own data files; a ragged row names the line that "
    "set the field count",
    "[io][csv]") {
  // The first 4 lines of sklearn/datasets/data/breast_cancer.csv: "569,30,malignant,benign",
  // then rows of 30 features and the target.
  const std::string path = SOMTILE_FIXTURES "/sklearn_breast_cancer_head.csv";
  CHECK_THROWS_WITH(read_csv(path), "read_csv(): " + path +
                                        ":2 has 31 fields, expected 4 as set by line 1 (the first row; skip_rows "
                                        "skips lines above the data)");
  CsvOptions options;
  options.skip_rows = 1;
  options.label_column = "-1";
  const CsvData d = read_csv(path, options);
  REQUIRE(d.X.rows() == 3);
  REQUIRE(d.X.cols() == 30);
  CHECK(d.columns.empty());
  CHECK(d.X(0, 0) == 17.99);
  CHECK(d.X(2, 3) == 1203);
  CHECK(d.y == Labels::Zero(3));
  options.label_column.clear();
  CHECK(read_csv(path, options).X.cols() == 31);

  const std::string bad = "skip.csv";
  write_bytes(bad, "title\n\na,b\n1,2\n3,4,5\n");
  options.skip_rows = 1;  // the blank line after the title is skipped as always
  CHECK_THROWS_WITH(read_csv(bad, options),
                    "read_csv(): skip.csv:5 has 3 fields, expected 2 as set by line 3 (the "
                    "header; skip_rows skips lines above the data)");
  write_bytes(bad, "title\n1,2\n3,4\n5\n");
  CHECK_THROWS_WITH(read_csv(bad, options),
                    "read_csv(): skip.csv:4 has 1 fields, expected 2 as set by line 2 (the "
                    "first row; skip_rows skips lines above the data)");
  options.skip_rows = 2;
  CHECK(read_csv(bad, CsvOptions{"", ',', 3}).X.rows() == 1);
  options.skip_rows = 4;
  CHECK_THROWS_WITH(read_csv(bad, options), "read_csv(): 'skip.csv' has no rows after the skipped lines");
  options.skip_rows = -1;
  CHECK_THROWS_MATCHES(read_csv(bad, options), ParameterError,
                       Catch::Message("read_csv(): skip_rows must be >= 0, got -1"));
  std::remove(bad.c_str());
}

TEMPLATE_TEST_CASE("write_csv: read_csv reads back the same X, y and columns", "[io][csv][write]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const S nan = std::numeric_limits<S>::quiet_NaN();
  RowMatrix<S> X(4, 3);
  X << S(0.1), S(-0.0), S(1e30), S(3.141592653589793), nan, S(-2.5e-7), std::numeric_limits<S>::max(),
      std::numeric_limits<S>::min(), S(7), S(1) / S(3), S(-123456.789), S(2.2250738585072014e-300 * (sizeof(S) == 8));
  const Labels y = (Labels(4) << -1, 0, 42, -9007199254740992).finished();
  const std::vector<std::string> columns = {"sepal length", "x2", ""};
  const std::string path = "write.csv";

  const auto same = [](const RowMatrix<double>& got, const RowMatrix<S>& want) {
    REQUIRE(got.rows() == want.rows());
    REQUIRE(got.cols() == want.cols());
    for (Index i = 0; i < want.rows(); ++i)
      for (Index j = 0; j < want.cols(); ++j) {
        INFO("cell " << i << ", " << j);
        if (std::isnan(want(i, j))) {
          CHECK(std::isnan(got(i, j)));
        } else {
          CHECK(S(got(i, j)) == want(i, j));  // exact, in the matrix's own type
          CHECK(std::signbit(got(i, j)) == std::signbit(want(i, j)));
        }
      }
  };
  CsvOptions read;
  read.missing = Missing::mask;  // for the NaN
  read.label_column = "label";
  write_csv(path, X, y, columns);
  CHECK_FALSE(exists(path + ".tmp"));
  CsvData back = read_csv(path, read);
  same(back.X, X);
  CHECK(back.y == y);
  CHECK(back.columns == columns);

  // write_csv(read_csv(f)) round-trips, here with another delimiter and label name.
  CsvWriteOptions out;
  out.delimiter = ';';
  out.label_column = "class";
  write_csv("again.csv", back, out);
  read.delimiter = ';';
  read.label_column = "class";
  const CsvData again = read_csv("again.csv", read);
  CHECK(again.y == y);
  CHECK(again.columns == columns);
  same(again.X, X);

  // Without names: no header, the labels last; without labels: the features only.
  read = CsvOptions{};
  read.missing = Missing::mask;
  read.label_column = "-1";
  write_csv(path, X, y);
  back = read_csv(path, read);
  same(back.X, X);
  CHECK(back.y == y);
  CHECK(back.columns.empty());
  write_csv(path, X, Labels(), columns);
  read.label_column.clear();
  back = read_csv(path, read);
  same(back.X, X);
  CHECK(back.y.size() == 0);
  CHECK(back.columns == columns);
  CHECK(read_bytes(path).substr(0, 17) == "sepal length,x2,\n");
  std::remove(path.c_str());
  std::remove("again.csv");
}

TEST_CASE("write_csv refuses what read_csv could not read back", "[io][csv][write][errors]") {
  const RowMatrix<double> X = RowMatrix<double>::Constant(2, 2, 1.5);
  const Labels y = (Labels(2) << 1, 2).finished();
  const std::string path = "bad_write.csv";
  CHECK_THROWS_WITH(write_csv(path, X, Labels::Zero(3)),
                    "write_csv(): y has 3 labels, but X has 2 rows (pass one label per row, or none)");
  CHECK_THROWS_WITH(write_csv(path, X, y, {"a", "b", "c"}),
                    "write_csv(): there are 3 column names, but X has 2 columns (pass one name per column, or none)");
  CHECK_THROWS_WITH(write_csv(path, RowMatrix<double>(0, 2)),
                    "write_csv(): X has no rows; read_csv needs at least one");
  CHECK_THROWS_WITH(write_csv(path, X, y, {"a", "label"}),
                    "write_csv(): the label column's name 'label' is also a feature column's; read_csv could not tell "
                    "them apart");
  for (const std::string bad : {"a,b", "say \"hi\"", "two\nlines", " padded", "tab\t"})
    CHECK_THROWS_WITH(write_csv(path, X, Labels(), {"ok", bad}), Contains("the column name '" + bad + "' holds"));
  // read_csv's automatic header detection reads a first line with any number in it as data.
  CHECK_THROWS_WITH(write_csv(path, X, Labels(), {"1", "2.5"}),
                    Contains("the column name '1' reads as a number, so read_csv would take the header for data"));
  CHECK_THROWS_WITH(write_csv(path, X, Labels(), {"a", "2020"}), Contains("the column name '2020' reads as a number"));
  CHECK_THROWS_WITH(write_csv(path, X.leftCols(1), Labels(), {""}),
                    Contains("every column name is empty or 'NA', so read_csv would take the header for data"));
  CHECK_THROWS_WITH(write_csv(path, X, Labels(), {"NA", ""}), Contains("every column name is empty or 'NA'"));
  CHECK_THROWS_WITH(write_csv(path, X, Labels(), {"NA", "nan"}), Contains("the column name 'nan' reads as a number"));
  CsvWriteOptions dot;
  dot.delimiter = '.';
  CHECK_THROWS_AS(write_csv(path, X, y, {}, dot), ParameterError);
  CHECK_THROWS_WITH(write_csv(path, X, y, {}, dot), Contains("write_csv(): the delimiter '.' would split numbers"));
  RowMatrix<double> inf = X;
  inf(1, 0) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(write_csv(path, inf), Contains("write_csv(): X(1, 0) is inf; read_csv reads NaN and finite"));
  inf(1, 0) = 5e-324;
  CHECK_THROWS_WITH(write_csv(path, inf), Contains("write_csv(): X(1, 0) is 4.94066e-324"));
  CHECK_FALSE(exists(path));
  CHECK_FALSE(exists(path + ".tmp"));  // a refused value leaves no temporary behind
  CHECK_THROWS_WITH(write_csv("/nonexistent/dir/x.csv", X), "write_csv(): cannot write '/nonexistent/dir/x.csv.tmp'");
}

// ---- write_npy of integers ------------------------------------------------------------------------

TEST_CASE("write_npy writes integers as numpy's integer dtypes, labels and index lists 1-D", "[npy][write]") {
  // The file's bytes, parsed as the .npz reader parses an entry: dtype, shape and raw values.
  const auto parsed = [](const std::string& path, std::vector<unsigned char>& storage) {
    const std::string bytes = read_bytes(path);
    storage.assign(bytes.begin(), bytes.end());
    return detail::parse_npy_bytes(storage, path, "test", path);
  };
  std::vector<unsigned char> storage;

  const Labels labels = (Labels(5) << -1, 0, 7, 3, std::numeric_limits<Index>::max()).finished();
  write_npy("labels.npy", labels);
  detail::NpyBytes a = parsed("labels.npy", storage);
  CHECK(read_bytes("labels.npy").find("{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }") == 10);
  CHECK(a.kind == 'i');
  CHECK(a.item == 8);
  CHECK(a.shape == std::vector<Index>{5});
  for (std::size_t k = 0; k < 5; ++k) CHECK(a.integer(k) == labels[Index(k)]);
  CHECK(read_bytes("labels.npy").substr(128) == raw(std::vector<std::int64_t>(labels.data(), labels.data() + 5)));

  const std::vector<int> ints = {-2147483647 - 1, 5, 2147483647};
  write_npy("ints.npy", ints);
  a = parsed("ints.npy", storage);
  CHECK(read_bytes("ints.npy").find("'descr': '<i4'") != std::string::npos);
  CHECK(a.shape == std::vector<Index>{3});
  for (std::size_t k = 0; k < 3; ++k) CHECK(a.integer(k) == ints[k]);

  const Split<double> split = train_test_split(RowMatrix<double>::Random(10, 2), Labels(), 0.3, 1);
  write_npy("test_index.npy", split.test_index);
  a = parsed("test_index.npy", storage);
  CHECK(read_bytes("test_index.npy").find("'descr': '<i8'") != std::string::npos);
  REQUIRE(a.count == split.test_index.size());
  for (std::size_t k = 0; k < a.count; ++k) CHECK(a.integer(k) == split.test_index[k]);

  Eigen::Matrix<std::uint8_t, 2, 3> bytes;
  bytes << 0, 1, 2, 253, 254, 255;
  write_npy("bytes.npy", bytes);  // a column-major Eigen matrix, written in C order
  a = parsed("bytes.npy", storage);
  CHECK(read_bytes("bytes.npy").find("'descr': '|u1'") != std::string::npos);
  CHECK(a.shape == std::vector<Index>{2, 3});
  for (std::size_t k = 0; k < 6; ++k) CHECK(a.integer(k) == bytes(Index(k / 3), Index(k % 3)));

  const std::vector<double> reals = {0.5, -1.25};
  write_npy("reals.npy", reals);
  CHECK(read_npy("reals.npy") == (RowMatrix<double>(2, 1) << 0.5, -1.25).finished());  // 1-D, read as a column

  const std::string seen = run_numpy(
      "a = np.load('labels.npy'); b = np.load('ints.npy'); c = np.load('bytes.npy'); "
      "print(a.dtype, a.shape, a.tolist(), b.dtype, b.tolist(), c.dtype, c.tolist())");
  if (seen.empty()) {
    WARN("python3-numpy not available: numpy's reading of the integer files not checked");
  } else {
    CHECK(seen ==
          "int64 (5,) [-1, 0, 7, 3, 9223372036854775807] int32 [-2147483648, 5, 2147483647] uint8 [[0, 1, 2], "
          "[253, 254, 255]]\n");
  }
  CHECK_THROWS_WITH(write_npy("/nonexistent/dir/x.npy", labels),
                    "write_npy(): cannot write '/nonexistent/dir/x.npy.tmp'");
  CHECK_THROWS_WITH(write_npy("/nonexistent/dir/x.npy", ints),
                    "write_npy(): cannot write '/nonexistent/dir/x.npy.tmp'");
  for (const char* f : {"labels.npy", "ints.npy", "test_index.npy", "bytes.npy", "reals.npy"}) std::remove(f);
}
