// Model files: every model's save/load round trip is exact, damaged, older and inconsistent
// files are refused or read as documented, model notes, failed writes leave no temporary file,
// and the saved fuzz inputs are rejected cleanly.
// Scalars: float and double everywhere (float model and scaler files have their own types on
// disk).
#include <somtile/cluster.hpp>
#include <somtile/core/detail/file_writer.hpp>
#include <somtile/growing.hpp>
#include <somtile/io.hpp>
#include <somtile/io/sparse_npz.hpp>
#include <somtile/io/svmlight.hpp>
#include <somtile/online.hpp>
#include <somtile/preprocessing.hpp>
#include <somtile/som.hpp>

#include "../fuzz/targets.hpp"
#include "support/fuzz_replay.hpp"
#include "support/model_file_checks.hpp"

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

#define SOMTILE_FIXTURES SOMTILE_REFERENCE_DIR "/../fixtures"

namespace {

using test_support::file_exists;
using test_support::read_bytes;
using test_support::write_bytes;
bool exists(const std::string& path) { return file_exists(path); }

template <typename S>
Som<S> trained_som() {
  SomParams p;
  p.rows = 4;
  p.cols = 6;
  p.topology = Topology::hexagonal;
  p.torus = true;
  p.epochs = 3;
  p.neighborhood = Neighborhood::triangle;
  p.distance = Distance::manhattan;
  p.sigma_decay = Decay::exponential;
  p.sigma = 2.5;
  p.sigma_final = 0.7;
  p.seed = 1234567;
  p.training = Training::batch;
  p.neighborhood_order = 2;
  Som<S> som(p, 3);
  Random rng(2);
  RowMatrix<S> X(40, 3);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal());
  som.fit(X);
  return som;
}

}  // namespace

TEMPLATE_TEST_CASE("Som save/load round trip is exact", "[io]", SOMTILE_TEST_SCALARS) {
  using S = TestType;
  const Som<S> som = trained_som<S>();
  const std::string path = "roundtrip_som.bin";
  using Other = std::conditional_t<std::is_same_v<S, float>, double, float>;
  const Som<S> back = test_support::check_model_file(som, path, load_som<S>, load_som<Other>);
  save(som, path);
  CHECK(model_kind(path) == "Som");
  CHECK(model_scalar_size(path) == int(sizeof(S)));
  CHECK(back.weights() == som.weights());
  const SomParams &a = som.params(), &b = back.params();
  CHECK(b.rows == a.rows);
  CHECK(b.cols == a.cols);
  CHECK(b.topology == a.topology);
  CHECK(b.torus == a.torus);
  CHECK(b.neighborhood == a.neighborhood);
  CHECK(b.distance == a.distance);
  CHECK(b.sigma_decay == a.sigma_decay);
  CHECK(b.sigma == a.sigma);
  CHECK(b.sigma_final == a.sigma_final);
  CHECK(b.seed == a.seed);
  CHECK(b.training == a.training);
  CHECK(b.neighborhood_order == a.neighborhood_order);
  CHECK(back.n_features() == 3);

  const std::string cod = "roundtrip_som.cod";
  save_som_pak(som, cod);
  const Som<S> pak = load_som_pak<S>(cod);
  CHECK(pak.weights() == som.weights());
  CHECK(pak.grid().rows() == 4);
  CHECK(pak.grid().cols() == 6);
  CHECK(pak.grid().hexagonal());
  std::remove(path.c_str());
  std::remove(cod.c_str());
}

TEST_CASE("loading a damaged model throws a clear error", "[io][errors]") {
  const Som<double> som = trained_som<double>();
  const std::string path = "damaged_som.bin";
  save(som, path);
  const std::string good = read_bytes(path);

  CHECK_THROWS_WITH(load_som<float>(path), "load(): 'damaged_som.bin': holds double values, not float");
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x20;
  write_bytes(path, flipped);
  CHECK_THROWS_WITH(load_som<double>(path), "load(): 'damaged_som.bin': checksum mismatch (file corrupt or truncated)");
  for (std::size_t keep : {std::size_t(0), std::size_t(5), std::size_t(30), good.size() - 1}) {
    write_bytes(path, good.substr(0, keep));
    CHECK_THROWS_AS(load_som<double>(path), InputError);
  }
  write_bytes(path, "NOTSOMTILE at all, just some text that is long enough");
  CHECK_THROWS_WITH(load_som<double>(path), "load(): 'damaged_som.bin': not a somtile model file (bad magic)");
  CHECK_THROWS_WITH(load_som<double>("does_not_exist.bin"), "load(): 'does_not_exist.bin': cannot open the file");

  // A valid file of another model kind.
  detail::ModelWriter w;
  w(std::int64_t(3));
  w.save(path, "KMeans", 8);
  CHECK_THROWS_WITH(load_som<double>(path), "load(): 'damaged_som.bin': holds a KMeans, not a Som");
  CHECK_THROWS_WITH(load_kmeans<double>(path), "load(): 'damaged_som.bin': truncated payload");
  std::remove(path.c_str());

  CHECK_THROWS_WITH(save(Som<double>(SomParams{}, 2), path),
                    "save(): this Som is not fitted yet; there is nothing to save");
  CHECK_FALSE(exists(path));

  const std::string cod = "bad.cod";
  write_bytes(cod, "3 rect 2 2 gaussian\n1 2 3\n4 5\n");
  CHECK_THROWS_WITH(load_som_pak<double>(cod), "load_som_pak(): 'bad.cod': line 3: expected 3 numbers");
  write_bytes(cod, "3 tri 2 2 gaussian\n");
  CHECK_THROWS_AS(load_som_pak<double>(cod), InputError);
  write_bytes(cod, "2 rect 2 2 gaussian\n1 2\n3 4\n");
  CHECK_THROWS_WITH(load_som_pak<double>(cod), "load_som_pak(): 'bad.cod': has 2 units, the header promises 4");
  // Sizes from the header are not trusted before the data is there.
  write_bytes(cod, "3 rect 1000000 1000000 gaussian\n1 2 3\n");
  CHECK_THROWS_WITH(load_som_pak<double>(cod),
                    "load_som_pak(): 'bad.cod': has 1 units, the header promises 1000000000000");
  write_bytes(cod, "3 rect 9223372036854775807 4 gaussian\n1 2 3\n");
  CHECK_THROWS_WITH(load_som_pak<double>(cod),
                    "load_som_pak(): 'bad.cod': the grid 9223372036854775807 x 4 is too large");
  write_bytes(cod, "1 rect 1 1 gaussian\n1e300\n");
  CHECK_THROWS_WITH(load_som_pak<float>(cod), "load_som_pak(): 'bad.cod': line 2: 1e+300 is not a finite float");
  CHECK(load_som_pak<double>(cod).weights()(0, 0) == 1e300);
  std::remove(cod.c_str());
}

TEST_CASE("Model notes: kept in the file's header, read back; older files have none and still load",
          "[io][notes][compat]") {
  const Som<double> som = trained_som<double>();
  const std::string path = "notes_som.bin";
  save(som, path);
  CHECK(model_notes(path).empty());
  const std::string bytes("\0\x01\xff", 3);  // any bytes
  const ModelNotes notes{{"svmlight.index_base", "0"}, {"raw", bytes}};
  set_model_notes(path, notes);
  CHECK(model_notes(path) == notes);
  CHECK(model_kind(path) == "Som");
  CHECK(load_som<double>(path).weights() == som.weights());
  set_model_notes(path, {});
  CHECK(model_notes(path).empty());

  // Format 3, written before notes existed: loads, has none, and takes notes (as format 4).
  const std::string v3 = "notes_v3.bin";
  {
    detail::ModelWriter w(3);
    w(som);
    w.save(v3, "Som", sizeof(double));
  }
  CHECK(read_bytes(v3)[8] == 3);
  CHECK(model_notes(v3).empty());
  CHECK(load_som<double>(v3).weights() == som.weights());
  set_model_notes(v3, notes);
  CHECK(read_bytes(v3)[8] == 4);
  CHECK(model_notes(v3) == notes);
  CHECK(load_som<double>(v3).predict(som.weights()) == som.predict(som.weights()));
  // Format 2 payloads differ: they are not rewritten.
  const std::string v2 = "notes_v2.bin";
  {
    detail::ModelWriter w(2);
    w(som);
    w.save(v2, "Som", sizeof(double));
  }
  CHECK_THROWS_WITH(set_model_notes(v2, notes),
                    "load(): 'notes_v2.bin': format version 2 has no room for notes; load and save the model first");
  CHECK(model_notes(v2).empty());
  // Notes that are not pairs: a damaged file.
  {
    detail::ModelWriter w;
    w(som);
    w.save(path, "Som", sizeof(double), {"key"});
  }
  CHECK_THROWS_WITH(load_som<double>(path), "load(): 'notes_som.bin': the notes are not key, value pairs");
  for (const auto& f : {path, v3, v2}) std::remove(f.c_str());
}

// ---- fuzz regressions -----------------------------------------------------------------------

TEST_CASE("fuzz regressions: every saved input is rejected cleanly or read", "[io][fuzz]") {
  test_support::replay_fuzz_inputs(
      {{"csv", fuzz::fuzz_csv}, {"npy", fuzz::fuzz_npy}, {"model", fuzz::fuzz_model}, {"stats", fuzz::fuzz_stats}});
}

TEST_CASE("a loaded Som trains on exactly as the saved one would", "[io]") {
  SomParams p;
  p.rows = 3;
  p.cols = 5;
  p.epochs = 2;
  p.training = Training::minibatch;
  p.batch_size = 7;
  Som<double> som(p, 2);
  Random rng(9);
  RowMatrix<double> X(50, 2);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  som.fit(X);
  save(som, "continue_som.bin");
  Som<double> back = load_som<double>("continue_som.bin");
  std::remove("continue_som.bin");
  som.fit(X);  // shuffles with the generator state the file kept
  back.fit(X);
  CHECK(back.weights() == som.weights());
}

// ---- .npy reader ----------------------------------------------------------------------------

TEST_CASE("Init in model files: version 1 'random' (the box) loads as Init::uniform", "[io][version]") {
  SomParams p;
  p.rows = 3;
  p.cols = 4;
  p.epochs = 2;
  const std::string path = "init_v1.bin";
  RowMatrix<double> X(20, 2);
  Random rng(5);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = rng.normal();
  for (Init init : {Init::random, Init::sample, Init::pca, Init::uniform}) {
    p.init = init;
    Som<double> som(p, 2);
    som.fit(X);
    save(som, path);  // version 2 keeps every enumerator
    CHECK(load_som<double>(path).params().init == init);
    if (init == Init::random) continue;  // version 1 has no "rows with replacement"
    detail::ModelWriter v1(1);           // what a version 1 build wrote
    v1(som);
    v1.save(path, "Som", sizeof(double));
    const std::string bytes = read_bytes(path);
    std::uint32_t version = 0;
    std::memcpy(&version, bytes.data() + 8, 4);
    CHECK(version == 1);
    const Som<double> back = load_som<double>(path);
    CHECK(back.params().init == init);  // uniform was written as 0, "random", and read back as uniform
    CHECK(back.weights() == som.weights());
  }
  std::remove(path.c_str());
}

TEMPLATE_TEST_CASE("StandardScaler and MinMaxScaler save/load round trip is exact", "[io][scaler]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  RowMatrix<S> X(4, 2);
  X << 1, 100, 2, 300, 3, 100, 9, 700;
  StandardScaler<S> standard;
  standard.fit(X);
  MinMaxScaler<S> minmax({-2.0, 3.0});
  minmax.fit(X);
  CHECK_THROWS_AS(save(StandardScaler<S>(), "scaler.bin"), NotFittedError);
  save(standard, "scaler.bin");
  CHECK(model_kind("scaler.bin") == "StandardScaler");
  const StandardScaler<S> s2 = load_standard_scaler<S>("scaler.bin");
  CHECK(s2.mean() == standard.mean());
  CHECK(s2.var() == standard.var());
  CHECK(s2.transform(X) == standard.transform(X));
  CHECK_THROWS_WITH(load_min_max_scaler<S>("scaler.bin"), Contains("holds a StandardScaler, not a MinMaxScaler"));
  save(minmax, "scaler.bin");
  const MinMaxScaler<S> m2 = load_min_max_scaler<S>("scaler.bin");
  CHECK(m2.params().feature_min == -2.0);
  CHECK(m2.params().feature_max == 3.0);
  CHECK(m2.data_min() == minmax.data_min());
  CHECK(m2.transform(X) == minmax.transform(X));
  std::remove("scaler.bin");
}

TEMPLATE_TEST_CASE("Models with scaling keep it through save and load: raw data in after loading", "[io][scaling]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  Random rng(4);
  RowMatrix<S> X(60, 3);
  for (Index i = 0; i < 60; ++i) {
    X(i, 0) = S(rng.normal() + 3.0 * double(i % 2));
    X(i, 1) = S(1000.0 * rng.normal());
    X(i, 2) = S(0.01 * rng.normal() + 5.0);
  }
  Labels y(60);
  for (Index i = 0; i < 60; ++i) y[i] = i % 2;
  const std::string path = "scaled_model.bin";
  for (const Scaling kind : {Scaling::standard, Scaling::minmax}) {
    SomParams p;
    p.rows = 3;
    p.cols = 4;
    p.scaling = kind;
    Som<S> som(p, 3);
    som.fit(X);
    save(som, path);
    const Som<S> back = load_som<S>(path);
    CHECK(back.params().scaling == kind);
    CHECK(back.scaler().kind() == kind);
    CHECK(back.predict(X) == som.predict(X));
    CHECK(back.weights_in_data_units() == som.weights_in_data_units());

    GrowingSomParams g;
    g.max_neurons = 8;
    g.scaling = kind;
    SomVQ<S> vq(g);
    vq.fit(X);
    save(vq, path);
    const SomVQ<S> vq2 = load_som_vq<S>(path);
    CHECK(vq2.params().scaling == kind);
    CHECK(vq2.predict(X) == vq.predict(X));
    CHECK(vq2.transform(X) == vq.transform(X));
    SomClassifier<S> clf(g);
    clf.fit(X, y);
    save(clf, path);
    CHECK(load_som_classifier<S>(path).predict_proba(X) == clf.predict_proba(X));

    OnlineSomParams o;
    o.rows = 3;
    o.cols = 3;
    o.scaling = kind;
    OnlineSom<S> osom(o);
    osom.train(X, 200);
    save(osom, path);
    OnlineSom<S> osom2 = load_online_som<S>(path);
    CHECK(osom2.params().scaling == kind);
    CHECK(osom2.lattice().codebook() == osom.lattice().codebook());
    CHECK(osom2.partial_fit(X, 10).codebook() == osom.partial_fit(X, 10).codebook());
  }
  // A file whose scaler does not match its parameters is rejected.
  SomParams p;
  p.rows = 2;
  p.cols = 2;
  p.scaling = Scaling::standard;
  Som<S> som(p, 3);
  som.fit(X);
  save(som, path);
  std::string bytes = read_bytes(path);
  // The parameters' Scaling (i32 1 = standard) is right before the scaler's own kind and its
  // first vector (u64 3 rows, u64 1 column): break the parameters' one.
  const std::string two_standard("\x01\0\0\0\x01\0\0\0\x03\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0", 24);
  const auto at = bytes.rfind(two_standard);
  REQUIRE(at != std::string::npos);
  bytes[at] = '\x02';  // parameters say minmax, the scaler is a StandardScaler
  write_bytes(path, test_support::with_checksum(bytes));
  CHECK_THROWS_WITH(load_som<S>(path), Contains("the scaler (standard, 3 features) does not match the parameters "
                                                "(minmax, 3 features)"));
  std::remove(path.c_str());
}

TEST_CASE("Version 1 model files (written before the scaling existed) still load", "[io][compat]") {
  // Written by the library at commit 44419d1; the values are what that program printed.
  const Som<double> som = load_som<double>(SOMTILE_FIXTURES "/som_v1.somtile");
  CHECK(som.params().scaling == Scaling::none);
  CHECK(som.scaler().kind() == Scaling::none);
  RowMatrix<double> W(4, 3);
  W << 0.72067191655169438, 0.32605340808788325, 0.58999476964503084, 0.797572545233179, 0.86966657387366231,
      0.63710033675031896, 0.19140152340988825, 0.27087781893972968, 0.47510229954930477, 0.23285770531981756,
      0.73793918830396066, 0.59288822042055045;
  CHECK(som.weights() == W);
  RowMatrix<double> X(8, 3);
  X << 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1;
  CHECK(som.predict(X) == (Labels(8) << 2, 0, 3, 1, 2, 0, 3, 1).finished());

  RowMatrix<double> Y(12, 2);
  for (Index i = 0; i < 12; ++i) {
    Y(i, 0) = double(i % 4);
    Y(i, 1) = double((i * 7) % 5);
  }
  const SomVQ<double> vq = load_som_vq<double>(SOMTILE_FIXTURES "/som_vq_v1.somtile");
  CHECK(vq.params().scaling == Scaling::none);
  CHECK(vq.n_neurons() == 4);
  CHECK(vq.predict(Y) == (Labels(12) << 1, 0, 2, 3, 0, 1, 3, 2, 1, 0, 1, 3).finished());
  const OnlineSom<double> osom = load_online_som<double>(SOMTILE_FIXTURES "/online_som_v1.somtile");
  CHECK(osom.params().scaling == Scaling::none);
  CHECK(osom.lattice().codebook()(0, 0) == 0.89946238314270321);
  CHECK(osom.lattice().codebook()(5, 1) == 1.7747193345124233);
}

// Every writer goes through detail::write_file_replacing: on a failure it throws an InputError
// naming the call and leaves neither the target nor its temporary behind. The failures are ones
// root cannot bypass: the parent of the path is a regular file (open fails), the target is a
// non-empty directory (rename fails).
TEST_CASE("A failed write throws and leaves no temporary file", "[io][write]") {
  namespace fs = std::filesystem;
  fs::remove_all("write_fail");
  fs::create_directories("write_fail/busy");
  std::ofstream("write_fail/busy/keep") << "x";  // the target: a non-empty directory
  std::ofstream("write_fail/plain") << "x";      // a regular file used as a parent folder
  const std::string busy = "write_fail/busy", under_file = "write_fail/plain/out";
  const auto no_temporary = [&] {
    CHECK_FALSE(fs::exists(busy + ".tmp"));
    CHECK_FALSE(fs::exists(under_file + ".tmp"));
    CHECK(fs::is_directory(busy));  // the directory is left as it was
    CHECK(fs::exists(busy + "/keep"));
  };

  // The writer itself: open, rename, and an exception from the caller's contents.
  CHECK_THROWS_WITH(detail::write_file_replacing(under_file, "w", std::string("data")),
                    "w(): cannot write 'write_fail/plain/out.tmp'");
  CHECK_THROWS_WITH(detail::write_file_replacing(busy, "w", std::string("data")),
                    "w(): cannot rename 'write_fail/busy.tmp' to 'write_fail/busy'");
  no_temporary();
  CHECK_THROWS_WITH(detail::write_file_replacing("write_fail/out", "",
                                                 [](std::FILE* f) {
                                                   std::fputs("half", f);
                                                   throw InputError("stopped");
                                                 }),
                    "stopped");
  CHECK_FALSE(fs::exists("write_fail/out"));
  CHECK_FALSE(fs::exists("write_fail/out.tmp"));
  detail::write_file_replacing("write_fail/out", "", std::string("whole"));
  CHECK(read_bytes("write_fail/out") == "whole");
  CHECK_FALSE(fs::exists("write_fail/out.tmp"));

  // Each file writer of the library.
  RowMatrix<double> M(2, 2);
  M << 1, 2, 3, 4;
  SparseRowMatrix<double> X = M.sparseView();
  StandardScaler<double> scaler;
  scaler.fit(M);
  SomParams p;
  p.rows = 2;
  p.cols = 2;
  Som<double> som(p, 2);
  som.initialize_weights(M);
  for (const std::string& path : {busy, under_file}) {
    CHECK_THROWS_WITH(write_npy(path, M), Contains("write_npy(): cannot"));
    CHECK_THROWS_WITH(write_sparse_npz(path, X), Contains("write_sparse_npz(): cannot"));
    CHECK_THROWS_WITH(write_svmlight(path, X, Labels::Zero(2)), Contains("write_svmlight(): cannot"));
    CHECK_THROWS_WITH(save(scaler, path), Contains("save(): cannot"));
    CHECK_THROWS_WITH(save_som_pak(som, path), Contains("save_som_pak(): cannot"));
    no_temporary();
  }
  // A value write_svmlight refuses half-way through the file removes the temporary too.
  SparseRowMatrix<double> bad = X;
  bad.coeffRef(1, 1) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(write_svmlight("write_fail/bad.svm", bad, Labels::Zero(2)), Contains("is not finite"));
  CHECK_FALSE(fs::exists("write_fail/bad.svm"));
  CHECK_FALSE(fs::exists("write_fail/bad.svm.tmp"));
  fs::remove_all("write_fail");
}

TEST_CASE("OnlineSom files of format 3, written before OnlineSom held a Scaler, load and predict the same",
          "[io][compat]") {
  // Written by the library at commit dd8787a (tests/fixtures/README.md); the values are what
  // that program printed.
  RowMatrix<double> X(12, 3);
  for (Index i = 0; i < 12; ++i) {
    X(i, 0) = 100.0 + 10.0 * double(i % 4);
    X(i, 1) = 0.5 * double((i * 7) % 5);
    X(i, 2) = 3.0;  // constant: the old normalize = true stored its range as 0
  }
  OnlineSom<double> som = load_online_som<double>(SOMTILE_FIXTURES "/online_som_v3_normalize.somtile");
  CHECK(som.params().scaling == Scaling::none);  // trained with train(X, 60, /*normalize=*/true)
  CHECK(som.scaler().kind() == Scaling::minmax);
  CHECK(som.scaler().minmax().data_min() == Vector<double>((Vector<double>(3) << 100, 0, 3).finished()));
  CHECK(som.scaler().minmax().data_max() == Vector<double>((Vector<double>(3) << 130, 2, 3).finished()));
  CHECK(som.n_iterations() == 60);
  CHECK(som.params().num_iterations == 60);
  RowMatrix<double> W(6, 3);
  W << 112.11576895633709, 0.61810301290324021, 3, 117.90296348136579, 0.98366653743060628, 3, 122.32134268888963,
      1.428586858188774, 3, 113.99207894608818, 0.53073869467802437, 3, 119.79355564158749, 0.84030451600801304, 3,
      123.58257080907369, 1.0782392152189808, 3;
  CHECK(som.lattice().codebook() == W);
  const Labels expected = (Labels(12) << 0, 0, 2, 5, 0, 3, 1, 2, 0, 1, 3, 5).finished();
  CHECK(som.predict(X) == expected);
  RowMatrix<double> Z = X;
  Z.col(2).setConstant(4.0);  // off the constant: the same units then (every unit has it at 3)
  CHECK(som.predict(Z) == expected);
  // The random stream and the scaling continue as the saving program's did.
  const RowMatrix<double> C = som.partial_fit(X, 20).codebook();
  CHECK(C(0, 0) == 109.34607779982804);
  CHECK(C(5, 1) == 1.0805023975848411);
  CHECK(C(3, 2) == 3.0);

  const OnlineSom<float> standard = load_online_som<float>(SOMTILE_FIXTURES "/online_som_v3_standard_float.somtile");
  CHECK(standard.params().scaling == Scaling::standard);
  REQUIRE(standard.scaler().kind() == Scaling::standard);
  CHECK(standard.scaler().standard().mean()[0] == 115.0f);
  CHECK(standard.scaler().standard().scale()[2] == 1.0f);  // constant feature
  RowMatrix<float> Wf(4, 3);
  Wf << 111.499451f, 0.831695437f, 3, 117.486595f, 0.911561847f, 3, 112.904404f, 1.1610173f, 3, 114.844421f,
      1.33023024f, 3;
  CHECK(standard.lattice().codebook() == Wf);
  CHECK(standard.predict(X.cast<float>()) == (Labels(12) << 0, 0, 3, 1, 2, 0, 1, 3, 0, 3, 1, 1).finished());
}

// ---- MapClassifier files ----------------------------------------------------------------------

namespace {

// A classifier on a scaled hexagonal torus with units that win no sample (so donors), and
// labels that are negative and not contiguous.
template <typename S>
MapClassifier<S> fitted_map_classifier(RowMatrix<S>& X) {
  SomParams p;
  p.rows = 6;
  p.cols = 5;
  p.topology = Topology::hexagonal;
  p.torus = true;
  p.epochs = 4;
  p.scaling = Scaling::standard;
  p.distance = Distance::manhattan;
  p.seed = 9;
  X.resize(60, 3);
  Labels y(60);
  Random rng(4);
  for (Index i = 0; i < 60; ++i) {
    y[i] = i % 3 == 0 ? -4 : i % 3 == 1 ? 2 : 11;
    for (Index j = 0; j < 3; ++j) X(i, j) = S(rng.normal() + 3.0 * double(i % 3 == j) + 100.0 * double(j == 2));
  }
  Som<S> som(p, 3);
  som.fit(X);
  MapClassifier<S> clf(som);
  clf.fit(X.topRows(12), y.head(12));  // 12 samples on 30 units: most units take a donor's label
  return clf;
}

}  // namespace

TEMPLATE_TEST_CASE("MapClassifier save/load: the loaded classifier predicts as the saved one", "[io][map_classifier]",
                   SOMTILE_TEST_SCALARS) {
  using S = TestType;
  using Other = std::conditional_t<std::is_same_v<S, float>, double, float>;
  RowMatrix<S> X;
  const MapClassifier<S> clf = fitted_map_classifier<S>(X);
  const Labels donors = clf.label_donors();
  CHECK((donors.array() != Eigen::Array<Index, Eigen::Dynamic, 1>::LinSpaced(30, 0, 29)).any());  // donors in play

  const std::string path = "roundtrip_map_classifier.bin";
  const MapClassifier<S> back =
      test_support::check_model_file(clf, path, load_map_classifier<S>, load_map_classifier<Other>);
  CHECK(back.predict(X) == clf.predict(X));
  CHECK(back.predict_proba(X) == clf.predict_proba(X));
  CHECK(back.score(X.topRows(12), clf.predict(X.topRows(12))) == 1.0);
  CHECK(back.classes() == clf.classes());
  CHECK(back.unit_labels() == clf.unit_labels());
  CHECK(back.unit_probabilities() == clf.unit_probabilities());
  CHECK(back.label_donors() == donors);
  CHECK(back.weights() == clf.weights());
  CHECK(back.grid().rows() == 6);
  CHECK(back.grid().cols() == 5);
  CHECK(back.grid().hexagonal());
  CHECK(back.grid().torus());
  // Raw data in, as for the saved classifier: the scaler came along (column 2 is near 100).
  RowMatrix<S> shifted = X;
  shifted.col(2).array() -= S(100);
  CHECK(back.predict(shifted) == clf.predict(shifted));
  save(clf, path);
  CHECK(model_kind(path) == "MapClassifier");
  CHECK(model_scalar_size(path) == int(sizeof(S)));
  std::remove(path.c_str());
}

TEST_CASE("MapClassifier files: unfitted, wrong kind, truncated, wrong scalar and inconsistent files are refused",
          "[io][map_classifier][errors]") {
  RowMatrix<double> X;
  const MapClassifier<double> clf = fitted_map_classifier<double>(X);
  const std::string path = "bad_map_classifier.bin";

  // Only a fitted classifier has something to save.
  Som<double> som(SomParams{}, 3);
  som.initialize_weights(X);
  CHECK_THROWS_AS(save(MapClassifier<double>(som), path), NotFittedError);
  CHECK_THROWS_WITH(save(MapClassifier<double>(som), path),
                    "save(): this MapClassifier is not fitted yet; there is nothing to save");
  CHECK_FALSE(exists(path));

  save(som, path);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), "load(): '" + path + "': holds a Som, not a MapClassifier");
  save(clf, path);
  CHECK_THROWS_WITH(load_som<double>(path), "load(): '" + path + "': holds a MapClassifier, not a Som");
  CHECK_THROWS_WITH(load_map_classifier<float>(path), "load(): '" + path + "': holds double values, not float");
  const std::string good = read_bytes(path);
  // Any payload byte changed (the fuzz target fixes the checksum): refused, or a classifier that
  // predicts, saves and loads again.
  for (std::size_t at = 12; at + 8 < good.size(); at += 7)
    for (const unsigned char value : {0x00, 0x01, 0xff, 0x7f, 0x80}) {
      std::string bad = good;
      bad[at] = char(value);
      INFO("byte " << at << " set to " << int(value));
      CHECK_NOTHROW(fuzz::fuzz_model(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()));
    }
  write_bytes(path, good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(load_map_classifier<double>(path),
                    "load(): '" + path + "': checksum mismatch (file corrupt or truncated)");

  // Files whose fields disagree, written field by field as serialize() lays them out.
  const auto write = [&](Index rows, Index cols, const RowMatrix<double>& W, const Labels& classes,
                         const Labels& unit_labels, const Labels& donors, const RowMatrix<double>& proba) {
    detail::ModelWriter w;
    w(rows, cols);
    w.choice(Topology::rectangular);
    w(false);
    w.choice(Distance::euclidean);
    w(0, W, Scaler<double>(Scaling::none), classes, unit_labels, donors, proba);
    w.save(path, "MapClassifier", sizeof(double));
  };
  const RowMatrix<double> W = RowMatrix<double>::Random(4, 2);
  const Labels classes = (Labels(2) << 3, 8).finished();
  const Labels labels = (Labels(4) << 3, 3, 8, 8).finished();
  const Labels donors = (Labels(4) << 0, 0, 2, 2).finished();
  RowMatrix<double> proba(4, 2);
  proba << 1, 0, 1, 0, 0, 1, 0, 1;
  write(2, 2, W, classes, labels, donors, proba);
  const MapClassifier<double> made = load_map_classifier<double>(path);  // the consistent file loads
  CHECK(made.predict(W) == labels);
  const std::string where = "load(): '" + path + "': ";
  write(3, 2, W, classes, labels, donors, proba);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), where + "the codebook is 4 x 2, the grid needs 3 * 2 units");
  write(2, 2, W, (Labels(2) << 8, 3).finished(), labels, donors, proba);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), where + "the classes are not a non-empty increasing list");
  write(2, 2, W, classes, (Labels(4) << 3, 3, 5, 8).finished(), donors, proba);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), where + "unit 2's label 5 is not one of the classes");
  write(2, 2, W, classes, labels, (Labels(4) << 0, 9, 2, 2).finished(), proba);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), where + "unit 1's donor 9 is not a unit with its label");
  write(2, 2, W, classes, labels, donors, proba.leftCols(1));
  CHECK_THROWS_WITH(load_map_classifier<double>(path),
                    where + "the class frequencies are not a 4 x 2 matrix of finite non-negative values");
  write(0, 2, W, classes, labels, donors, proba);
  CHECK_THROWS_WITH(load_map_classifier<double>(path), Contains("invalid parameters") && Contains("rows"));
  std::remove(path.c_str());
}

// ---- write_csv ----------------------------------------------------------------------------------
