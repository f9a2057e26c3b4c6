// Writes a synthetic document collection as an svmlight file (0-based term indices, sorted,
// label = the document's main topic): a tf-idf bag of words with a Zipf-distributed vocabulary
// and topical structure, the kind of data sparse SOMs are trained on (WEBSOM, sparse-som).
//
//   make_documents OUT.svm [n_docs=100000] [n_terms=50000] [mean_nnz=100] [n_topics=20]
//                  [zipf_s=1.05] [seed=1]
//
// Model (seeded, the same file for the same arguments on any machine; only somtile's own
// xoshiro generator is used):
// - term r (0-based rank) has background probability proportional to 1 / (r + 1)^s;
// - topic k favours 400 terms drawn from ranks [50, n_terms) (its own Zipf law over them);
// - a document takes a main topic (uniform) and a second one (uniform), a target number of
//   distinct terms uniform in [mean_nnz / 2, 3 mean_nnz / 2], and draws tokens: 45% from the
//   main topic, 15% from the second, 40% from the background, until it has that many
//   distinct terms;
// - weights: tf * idf with scikit-learn's smooth idf, ln((1 + N) / (1 + df)) + 1, then each
//   row is scaled to unit Euclidean norm. Values are written with 7 significant digits.
#include <somtile/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

// Inverse-CDF sampler of a finite Zipf law over `n` ranks.
struct Zipf {
  std::vector<double> cdf;
  Zipf(int n, double s) : cdf(std::size_t(n)) {
    double sum = 0;
    for (int r = 0; r < n; ++r) cdf[std::size_t(r)] = sum += 1.0 / std::pow(r + 1.0, s);
    for (auto& c : cdf) c /= sum;
  }
  int operator()(somtile::Random& rng) const {
    const double u = rng.uniform();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    return int(std::min<std::ptrdiff_t>(it - cdf.begin(), std::ptrdiff_t(cdf.size()) - 1));
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: make_documents OUT.svm [n_docs=100000] [n_terms=50000] [mean_nnz=100] "
                 "[n_topics=20] [zipf_s=1.05] [seed=1]\n");
    return 2;
  }
  const char* out_path = argv[1];
  const int n_docs = argc > 2 ? std::atoi(argv[2]) : 100000;
  const int n_terms = argc > 3 ? std::atoi(argv[3]) : 50000;
  const int mean_nnz = argc > 4 ? std::atoi(argv[4]) : 100;
  const int n_topics = argc > 5 ? std::atoi(argv[5]) : 20;
  const double s = argc > 6 ? std::atof(argv[6]) : 1.05;
  const unsigned long long seed = argc > 7 ? std::strtoull(argv[7], nullptr, 10) : 1;
  const int topic_terms = std::min(400, std::max(1, n_terms - 50));
  if (n_docs < 1 || n_terms < 60 || mean_nnz < 2 || mean_nnz * 3 / 2 > n_terms / 2 || n_topics < 1) {
    std::fprintf(stderr,
                 "make_documents: need n_docs >= 1, n_terms >= 60, 2 <= mean_nnz <= n_terms / 3, n_topics >= 1\n");
    return 2;
  }

  somtile::Random rng(seed);
  const Zipf background(n_terms, s);
  const Zipf within_topic(topic_terms, s);
  std::vector<std::vector<int>> topics(static_cast<std::size_t>(n_topics));
  for (auto& t : topics)
    for (int k = 0; k < topic_terms; ++k) t.push_back(50 + int(rng.uniform() * (n_terms - 50)) % (n_terms - 50));

  // Term counts per document (CSR, sorted), then document frequencies.
  std::vector<int> indptr{0}, indices, label(static_cast<std::size_t>(n_docs));
  std::vector<double> counts;
  std::vector<int> df(static_cast<std::size_t>(n_terms), 0);
  std::unordered_map<int, int> bag;
  for (int d = 0; d < n_docs; ++d) {
    const int main_topic = int(rng.uniform() * n_topics) % n_topics;
    const int second = int(rng.uniform() * n_topics) % n_topics;
    const int distinct = mean_nnz / 2 + int(rng.uniform() * (mean_nnz + 1)) % (mean_nnz + 1);
    label[std::size_t(d)] = main_topic;
    bag.clear();
    while (int(bag.size()) < distinct) {
      const double u = rng.uniform();
      int term;
      if (u < 0.45)
        term = topics[std::size_t(main_topic)][std::size_t(within_topic(rng))];
      else if (u < 0.60)
        term = topics[std::size_t(second)][std::size_t(within_topic(rng))];
      else
        term = background(rng);
      ++bag[term];
    }
    std::vector<std::pair<int, int>> row(bag.begin(), bag.end());
    std::sort(row.begin(), row.end());
    for (const auto& [term, count] : row) {
      indices.push_back(term);
      counts.push_back(count);
      ++df[std::size_t(term)];
    }
    indptr.push_back(int(indices.size()));
  }

  std::FILE* out = std::fopen(out_path, "w");
  if (!out) {
    std::fprintf(stderr, "make_documents: cannot write %s\n", out_path);
    return 1;
  }
  std::vector<double> idf(static_cast<std::size_t>(n_terms));
  for (int t = 0; t < n_terms; ++t) idf[std::size_t(t)] = std::log((1.0 + n_docs) / (1.0 + df[std::size_t(t)])) + 1.0;
  for (int d = 0; d < n_docs; ++d) {
    double norm = 0;
    for (int k = indptr[std::size_t(d)]; k < indptr[std::size_t(d) + 1]; ++k) {
      counts[std::size_t(k)] *= idf[std::size_t(indices[std::size_t(k)])];
      norm += counts[std::size_t(k)] * counts[std::size_t(k)];
    }
    norm = std::sqrt(norm);
    std::fprintf(out, "%d", label[std::size_t(d)]);
    for (int k = indptr[std::size_t(d)]; k < indptr[std::size_t(d) + 1]; ++k)
      std::fprintf(out, " %d:%.7g", indices[std::size_t(k)], counts[std::size_t(k)] / norm);
    std::fputc('\n', out);
  }
  if (std::fclose(out) != 0) {
    std::fprintf(stderr, "make_documents: error writing %s\n", out_path);
    return 1;
  }
  std::fprintf(stderr, "make_documents: %d docs x %d terms, %zu non-zeros (%.3f%% dense), %d topics -> %s\n", n_docs,
               n_terms, indices.size(), 100.0 * double(indices.size()) / n_docs / n_terms, n_topics, out_path);
  return 0;
}
