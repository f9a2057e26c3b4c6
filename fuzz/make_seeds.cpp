// Writes small valid inputs for the fuzz targets into <dir>/<target>/ (see run): saved models
// of each kind and scalar, a SOM_PAK codebook, .npy files of every supported layout, CSV files
// with the option byte that fuzz_csv reads first, and batch statistics of the stats target's map.
#include <somtile/io/model_io.hpp>

#include "targets.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

using namespace somtile;

namespace {

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

template <typename S>
RowMatrix<S> data(Index n, Index d, std::uint64_t seed) {
  Random rng(seed);
  RowMatrix<S> X(n, d);
  for (Index i = 0; i < X.size(); ++i) X.data()[i] = S(rng.normal());
  return X;
}

template <typename S>
void models(const std::string& dir, const char* tag) {
  const std::string t = std::string("_") + tag + ".bin";
  const RowMatrix<S> X = data<S>(12, 3, 1);
  SomParams p;
  p.rows = 2;
  p.cols = 3;
  p.epochs = 2;
  p.topology = Topology::hexagonal;
  Som<S> som(p, 3);
  som.fit(X);
  save(som, dir + "/som" + t);
  if (sizeof(S) == 8) save_som_pak(som, dir + "/som.cod");
  MapClassifier<S> map_classifier(som);
  map_classifier.fit(X, Labels::LinSpaced(12, 0, 2));
  save(map_classifier, dir + "/map_classifier" + t);

  OnlineSomParams op;
  op.rows = 2;
  op.cols = 2;
  OnlineSom<S> online(op);
  online.train(X, 20);
  save(online, dir + "/online_som" + t);

  SomVQParams gp;
  gp.max_neurons = 6;
  gp.max_iter = 10;
  SomVQ<S> vq(gp);
  vq.fit(X);
  save(vq, dir + "/som_vq" + t);
  SomClassifier<S> classifier(gp);
  classifier.fit(X, Labels::LinSpaced(12, 0, 2));
  save(classifier, dir + "/som_classifier" + t);

  KMeansParams kp;
  kp.n_clusters = 2;
  kp.n_init = 1;
  KMeans<S> kmeans(kp);
  kmeans.fit(X);
  save(kmeans, dir + "/kmeans" + t);
  for (Covariance c : {Covariance::full, Covariance::diag, Covariance::spherical, Covariance::tied}) {
    GaussianMixtureParams mp;
    mp.n_components = 2;
    mp.covariance_type = c;
    GaussianMixture<S> gmm(mp);
    gmm.fit(X);
    save(gmm, dir + "/gmm" + std::to_string(int(c)) + t);
  }
}

// Statistics of fuzz::stats_map at epoch 0, with and without missing values.
template <typename S>
void statistics(const std::string& dir, const char* tag) {
  for (const Missing missing : {Missing::reject, Missing::mask}) {
    const Som<S> som = fuzz::stats_map<S>(missing);
    BatchStatistics<S> s = som.batch_statistics(0);
    RowMatrix<S> X = data<S>(10, 3, 2);
    if (missing == Missing::mask) X(4, 1) = std::numeric_limits<S>::quiet_NaN();
    s.accumulate(X);
    const std::vector<std::uint8_t> bytes = s.to_bytes();
    write(dir + "/stats/" + (missing == Missing::mask ? "masked_" : "dense_") + tag + ".bin",
          std::string(bytes.begin(), bytes.end()));
  }
}

// .npy with the given header dict and values written as T.
template <typename T>
std::string npy(int major, const std::string& dict, const std::vector<double>& values) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += char(0);
  const auto n = std::uint32_t(header.size());
  out += char(n & 0xff);
  out += char((n >> 8) & 0xff);
  if (major != 1) {
    out += char((n >> 16) & 0xff);
    out += char((n >> 24) & 0xff);
  }
  out += header;
  for (double v : values) {
    const T t = T(v);
    char b[sizeof(T)];
    std::memcpy(b, &t, sizeof(T));
    out.append(b, sizeof(T));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_seeds <dir>  (writes <dir>/csv, <dir>/npy, <dir>/model, <dir>/stats)\n";
    return 2;
  }
  const std::string dir = argv[1];
  models<float>(dir + "/model", "float");
  models<double>(dir + "/model", "double");
  statistics<float>(dir, "float");
  statistics<double>(dir, "double");

  write(dir + "/npy/v1_f8_2d.npy",
        npy<double>(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", {1, 2, 3, 4, 5, 6}));
  write(dir + "/npy/v2_f4_1d.npy",
        npy<float>(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", {1.5, -2, 0, 1e30}));
  write(dir + "/npy/v3_f8_empty.npy",
        npy<double>(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 2), }", {}));

  // First byte: label column (bits 0-2) and delimiter (bits 3-4), see fuzz_csv.
  write(dir + "/csv/header_label.csv", std::string(1, char(1)) + "a,b,label\n1,2,0\n3.5,-4e2,1\n");
  write(dir + "/csv/no_header.csv", std::string(1, char(0)) + "1,2,3\n4,5,6\n");
  write(dir + "/csv/semicolon_last.csv", std::string(1, char(2 | 8)) + "x;y\n\"1\";2\r\n3;4\r\n");
  write(dir + "/csv/tab_first.csv", std::string(1, char(3 | 16)) + "0\t1.25\n1\t-0\n");
  return 0;
}
