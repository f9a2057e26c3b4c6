// A map of documents: tf-idf rows in a SparseRowMatrix (never made dense), batch training on
// the non-zeros, the units clustered, and each cluster labelled with its heaviest terms on the
// U-matrix (documents_u_matrix.svg), as WEBSOM labels its document maps.
//
// The collection is synthetic (seeded, made here): 5 000 documents over 5 000 terms. Eight
// topics each own 12 words; a document takes one topic, and about a third of its tokens come
// from the topic's words, the rest from a Zipf-distributed background vocabulary of made-up
// words. Weights are tf-idf (scikit-learn's smooth idf) with rows of unit length. Real data
// come from read_svmlight(path) or read_sparse_npz(path) (scipy.sparse.save_npz) instead, with
// their terms from a vocabulary file (SvmlightOptions::vocabulary).
#include <somtile/cluster.hpp>
#include <somtile/io/svmlight.hpp>
#include <somtile/sparse.hpp>
#include <somtile/viz.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace somtile;

namespace {

const char* const topic_words[8][12] = {
    {"match", "goal", "league", "coach", "striker", "season", "penalty", "stadium", "referee", "transfer", "derby",
     "keeper"},
    {"market", "shares", "bank", "inflation", "bond", "profit", "investor", "rates", "merger", "dividend", "equity",
     "audit"},
    {"protein", "cell", "gene", "enzyme", "neuron", "virus", "molecule", "receptor", "genome", "lab", "species",
     "mutation"},
    {"guitar", "album", "concert", "band", "chorus", "melody", "drummer", "tour", "lyrics", "vinyl", "singer", "tempo"},
    {"recipe", "oven", "garlic", "sauce", "flour", "butter", "simmer", "dough", "spice", "roast", "basil", "pastry"},
    {"flight", "hotel", "beach", "passport", "luggage", "island", "cruise", "airport", "hostel", "visa", "museum",
     "train"},
    {"election", "senate", "vote", "minister", "party", "policy", "campaign", "treaty", "law", "budget", "debate",
     "mayor"},
    {"patient", "dose", "clinic", "surgery", "vaccine", "symptom", "therapy", "nurse", "diagnosis", "trial", "ward",
     "tumour"}};
const char* const topic_names[8] = {"sport",   "finance", "biology",  "music",
                                    "cooking", "travel",  "politics", "medicine"};

// Background vocabulary: pronounceable made-up words, distinct for distinct ids.
std::string made_up_word(Index id) {
  static const char* const syllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "su",
                                          "bo", "da", "fe", "gu", "hi", "jo", "ke", "la", "mu", "no"};
  std::string w;
  for (Index v = id + 20;; v /= 20) {  // at least two syllables
    w += syllables[v % 20];
    if (v < 20) break;
  }
  return w;
}

struct Collection {
  SparseRowMatrix<double> X;
  Labels topic;
  std::vector<std::string> terms;
};

Collection make_documents(Index n_docs, Index n_terms, std::uint64_t seed) {
  const Index topical = 8 * 12;
  Collection c;
  for (const auto& words : topic_words)
    for (const char* w : words) c.terms.push_back(w);
  for (Index t = topical; t < n_terms; ++t) c.terms.push_back(made_up_word(t - topical));
  // Zipf (s = 1.05) over the background terms, by inverse CDF.
  std::vector<double> cdf;
  double sum = 0;
  for (Index r = 0; r < n_terms - topical; ++r) cdf.push_back(sum += std::pow(double(r + 1), -1.05));
  Random rng(seed);
  std::vector<Eigen::Triplet<double>> counts;
  std::vector<double> df(static_cast<std::size_t>(n_terms), 0.0);
  c.topic.resize(n_docs);
  for (Index d = 0; d < n_docs; ++d) {
    const Index topic = Index(rng.uniform() * 8) % 8;
    c.topic[d] = topic;
    std::map<Index, double> bag;
    const Index tokens = 60 + Index(rng.uniform() * 80);
    for (Index k = 0; k < tokens; ++k) {
      Index term;
      if (rng.uniform() < 0.35) {
        term = topic * 12 + std::min<Index>(11, Index(-std::log(1 - rng.uniform()) * 4));  // a few words dominate
      } else {
        const auto at = std::upper_bound(cdf.begin(), cdf.end(), rng.uniform() * sum) - cdf.begin();
        term = topical + std::min<Index>(Index(at), n_terms - topical - 1);
      }
      bag[term] += 1;
    }
    for (const auto& [term, tf] : bag) {
      counts.emplace_back(int(d), int(term), tf);
      df[std::size_t(term)] += 1;
    }
  }
  c.X.resize(n_docs, n_terms);
  c.X.setFromTriplets(counts.begin(), counts.end());
  for (Index d = 0; d < n_docs; ++d) {  // tf-idf, then unit length
    double norm = 0;
    for (SparseRowMatrix<double>::InnerIterator it(c.X, d); it; ++it) {
      it.valueRef() *= std::log((1.0 + double(n_docs)) / (1.0 + df[std::size_t(it.col())])) + 1.0;
      norm += it.value() * it.value();
    }
    for (SparseRowMatrix<double>::InnerIterator it(c.X, d); it; ++it) it.valueRef() /= std::sqrt(norm);
  }
  return c;
}

}  // namespace

int main() {
  const Collection docs = make_documents(5000, 5000, 11);
  const SparseRowMatrix<double>& X = docs.X;
  std::printf("%ld documents x %ld terms, %ld non-zeros (%.2f%% dense)\n", long(X.rows()), long(X.cols()),
              long(X.nonZeros()), 100.0 * double(X.nonZeros()) / double(X.rows()) / double(X.cols()));

  SomParams p;
  p.rows = 12;
  p.cols = 16;
  p.training = Training::batch;  // the mode whose cost grows with the non-zeros
  p.epochs = 10;
  p.sigma = 5;
  p.sigma_decay = Decay::exponential;
  p.sigma_final = 0.8;
  p.init = Init::random;  // data rows (Init::pca works on sparse data too)
  p.seed = 5;
  Som<double> som(p, X.cols());
  const auto t0 = std::chrono::steady_clock::now();
  const TrainingHistory h = som.fit(X);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("12 x 16 map, %zu batch epochs in %.2f s: QE %.4f, TE %.4f\n", h.quantization_errors.size(), seconds,
              h.quantization_errors.back(), h.topographic_errors.back());

  // How well the map separates the (hidden) topics: each unit votes for its documents' majority.
  const Labels bmu = som.predict(X);
  std::vector<std::array<Index, 8>> votes(static_cast<std::size_t>(som.n_units()), std::array<Index, 8>{});
  for (Index i = 0; i < X.rows(); ++i) ++votes[std::size_t(bmu[i])][std::size_t(docs.topic[i])];
  Index agree = 0;
  for (const auto& v : votes) agree += *std::max_element(v.begin(), v.end());
  std::printf("documents sharing their unit's majority topic: %.1f%%\n", 100.0 * double(agree) / double(X.rows()));

  // Cluster the units (k-means on the codebook) and label each cluster, at its most central
  // unit, with its two heaviest terms: the largest weights of its centre.
  ClusterParams cp;
  cp.method = ClusterMethod::kmeans;
  cp.n_clusters = 8;
  const ClusterResult clusters = som.cluster(cp);
  const std::vector<std::vector<TopFeature>> top = cluster_top_features(clusters, 3, docs.terms);
  const RowMatrix<double> positions = som.positions();
  std::vector<std::string> labels(static_cast<std::size_t>(som.n_units()));
  for (Index k = 0; k < clusters.n_clusters; ++k) {
    const auto members = (clusters.labels.array() == k).count();
    if (members == 0) continue;
    Eigen::RowVector2d centre = Eigen::RowVector2d::Zero();
    for (Index u = 0; u < som.n_units(); ++u)
      if (clusters.labels[u] == k) centre += positions.row(u) / double(members);
    Index at = -1;
    for (Index u = 0; u < som.n_units(); ++u)
      if (clusters.labels[u] == k &&
          (at < 0 || (positions.row(u) - centre).squaredNorm() < (positions.row(at) - centre).squaredNorm()))
        at = u;
    const std::vector<TopFeature>& terms = top[std::size_t(k)];
    labels[std::size_t(at)] = terms[0].name + " " + terms[1].name;
    std::array<Index, 8> topics{};  // the hidden topics of the cluster's documents
    for (Index i = 0; i < X.rows(); ++i)
      if (clusters.labels[bmu[i]] == k) ++topics[std::size_t(docs.topic[i])];
    const auto topic = std::max_element(topics.begin(), topics.end()) - topics.begin();
    std::printf("cluster %ld (%2ld units, mostly %-8s documents): %s, %s, %s\n", long(k), long(members),
                topic_names[topic], terms[0].name.c_str(), terms[1].name.c_str(), terms[2].name.c_str());
  }

  viz::MapPlotOptions plot;
  plot.title = "5 000 documents: U-matrix, clusters labelled by their top terms";
  plot.cell_size = 36;
  plot.unit_labels = labels;
  viz::plot_u_matrix(som, "documents_u_matrix.svg", plot);
  std::printf("wrote documents_u_matrix.svg\n");
  return 0;
}
