#pragma once
// The Directed Batch Growing SOM (DBGSOM; Vasighi & Amini 2017, with the threshold of Qu et
// al. 2019), the engine behind SomVQ and SomClassifier. Behaviour follows the Python package
// dbgsom 1.3 except where that release has known bugs (see "Deliberate differences").
//
// The map lives on an integer lattice that grows in any direction; neurons are joined to their
// occupied 4-neighbours and edges are never removed, so hop distances can be extended
// incrementally on each insertion and stay exact. One epoch:
//   1. BMU pass (find_bmus) on all samples; d_j = distance of sample j to its BMU.
//   2. Robust sample weights s_j = 1 - sqrt(1 - exp(-d_j^2 / total_variance)) (D'Urso et al.
//      2019: outliers pull less).
//   3. Per-neuron error E_i = sum of d_j over the samples neuron i won (or, with
//      GrowthCriterion::entropy, the class entropy of those samples, in bits).
//   4. Batch update w_i = sum_j h_ij n_j c_j / sum_j h_ij n_j with n_j the hit count, c_j the
//      s-weighted mean of neuron j's samples and h_ij = exp(-hops(i,j)^2 / (2 sigma^2))
//      (values below 1e-6 dropped); a neuron with zero denominator keeps its weight.
//   5. Convergence: in the coarse phase the share of samples whose BMU changed is below
//      winner_stability_threshold (or, with that set to 0, ||dW||_F below a threshold that
//      decays from 100 to 1 times convergence_threshold); in the fine phase ||dW||_F <
//      convergence_threshold ends training.
//   6. Coarse phase, converged: grow. Interior neurons (4 neighbours) with E > GT give half of
//      E, split evenly, to their boundary neighbours; then boundary neurons with E > GT, in
//      decreasing E, each get one new neuron on the free side chosen by the directed rule
//      (insert_direction). After a growth step sigma moves along its schedule; a step that adds
//      nothing ends the coarse phase.
// The coarse phase lasts at most coarse_training_frac * max_iter epochs; sigma there starts at
// sigma_start and decays toward sigma_end; the fine phase uses sigma_fine (default sigma_end).
//
// Deliberate differences from dbgsom 1.3, where its behaviour is a known bug or quirk:
//   - the insertion walk skips a neuron that cannot grow instead of stopping there;
//   - max_neurons is checked before every single insertion, so it is never exceeded;
//   - the entropy criterion compares against entropy_threshold (bits), not lambda_ ||std||;
//   - reaching max_neurons ends the coarse phase and clears the convergence flag, so the fine
//     phase still runs;
//   - n_iter() counts the epochs run (not the 0-based index of the last one);
//   - topographic_product() is the textbook P3 (with the 1/(2k)), half dbgsom's value;
//   - a neuron's label and predict() break class-count ties the same way (lowest class);
//   - error() is recomputed on the final map (like hit_count), not left over from the last
//     training epoch's growth step.
// Not implemented: cosine metric, pointer BMU search, cut-Gaussian kernel, weight smoothing,
// vertical (hierarchical) growth.
//
// Determinism: the only random choice is the 4 seed samples (somtile::Random); every sum runs
// in a fixed order, so a seed gives the same map for any thread count.

#include "somtile/core/error.hpp"
#include "somtile/core/random.hpp"
#include "somtile/core/types.hpp"
#include "somtile/core/detail/validate.hpp"
#include "somtile/kernels/batch.hpp"
#include "somtile/kernels/bmu.hpp"
#include "somtile/kernels/detail/parallel.hpp"
#include "somtile/metrics/som_quality.hpp"

#include <Eigen/QR>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace somtile {

/// What a neuron's error measures when deciding growth.
enum class GrowthCriterion {
  quantization_error,  ///< sum of BMU distances of the neuron's samples
  entropy              ///< class entropy (bits) of the neuron's samples; needs labels
};

/// Schedule of the coarse-phase sigma from sigma_start toward sigma_end.
enum class SigmaDecay {
  exponential,  ///< end + (start - end) exp(-ln(100) t / T): 99 % of the way at the phase end
  linear        ///< start (1 - t/T) + end t/T
};

/// Parameters of the growing SOM (shared by SomVQ and SomClassifier). Defaults are dbgsom's.
struct GrowingSomParams {
  Index max_neurons = 100;            ///< hard cap (never exceeded), >= 4; 0 = int(5 sqrt(n_samples))
  double lambda_ = 115.0;             ///< growth threshold GT = lambda_ * ||std(X)||; lower = more neurons
  double spreading_factor = 0.0;      ///< legacy GSOM spread factor in (0, 1); when set it replaces
                                      ///< lambda_ by 150 (-ln spreading_factor); 0 = unused
  double sigma_start = 1.0;           ///< coarse-phase sigma at the start, in lattice hops
  double sigma_end = 0.0;             ///< coarse-phase target sigma; 0 = 0.05 (sqrt(K) - 1)
  double sigma_fine = 0.0;            ///< fine-phase sigma (<= sigma_end when both set); 0 = sigma_end
  SigmaDecay sigma_decay = SigmaDecay::exponential;
  Index max_iter = 500;               ///< epochs, coarse and fine together
  double coarse_training_frac = 0.5;  ///< share of max_iter the coarse (growing) phase may use, in (0, 1)
  double convergence_threshold = 1e-3;       ///< ||dW||_F that ends the fine phase
  double winner_stability_threshold = 0.01;  ///< coarse convergence: share of changed BMUs below
                                             ///< this; 0 = use the weight change instead
  GrowthCriterion growth_criterion = GrowthCriterion::quantization_error;
  double entropy_threshold = 0.5;     ///< GT (bits) for GrowthCriterion::entropy
  bool robust_weights = true;         ///< down-weight outliers in the batch update (D'Urso)
  std::uint64_t seed = 42;            ///< picks the 4 seed samples
  int n_threads = 0;                  ///< 0 = all available
};

/// Integer lattice coordinates (x, y), one row per neuron.
using LatticePositions = Eigen::Matrix<Index, Eigen::Dynamic, 2, Eigen::RowMajor>;

/// Villmann's topographic function: values[i] = Phi(k[i]) for k = -max_hops .. max_hops
/// (k > 0 counts folds, k < 0 tears, Phi(0) = Phi(1) + Phi(-1)); normalised by N(N - 6) when
/// that is positive.
struct TopographicFunction {
  Vector<double> k;       ///< the distance axis, integers from -max_hops to max_hops
  Vector<double> values;  ///< Phi(k)
};

namespace detail {

/// Neurons on an integer lattice with 4-neighbour links and exact hop distances.
class GrowingLattice {
 public:
  static constexpr int unreachable = std::numeric_limits<int>::max() / 4;
  /// Neighbour slots, in the order the insertion rule scans free cells.
  static constexpr std::array<std::array<Index, 2>, 4> offsets{{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}};

  GrowingLattice() = default;
  /// `capacity`: neurons the hop table holds before it must be re-laid out (it doubles then).
  explicit GrowingLattice(Index capacity) { reserve(std::max<Index>(capacity, 1)); }

  Index size() const { return Index(cells_.size()); }
  Index capacity() const { return capacity_; }
  Index x(Index i) const { return cells_[std::size_t(i)][0]; }
  Index y(Index i) const { return cells_[std::size_t(i)][1]; }

  /// Neuron at (x, y), or -1.
  Index find(Index cx, Index cy) const {
    const auto it = index_.find(key(cx, cy));
    return it == index_.end() ? -1 : it->second;
  }
  /// Neighbour in slot s (see offsets), or -1.
  Index neighbor(Index i, int slot) const { return links_[std::size_t(i)][std::size_t(slot)]; }
  int degree(Index i) const {
    int d = 0;
    for (Index n : links_[std::size_t(i)]) d += n >= 0;
    return d;
  }
  int hops(Index a, Index b) const { return hops_[std::size_t(a * capacity_ + b)]; }

  /// Adds a neuron at the free cell (x, y), links it to its occupied 4-neighbours and extends
  /// the hop table: the new row is 1 + the minimum over its neighbours' rows, then every old
  /// pair may shortcut through the new neuron. O(K^2).
  Index add(Index cx, Index cy) {
    const Index v = size();
    if (v == capacity_) reserve(2 * std::max<Index>(capacity_, 1));
    cells_.push_back({cx, cy});
    links_.push_back({-1, -1, -1, -1});
    index_.emplace(key(cx, cy), v);
    for (int s = 0; s < 4; ++s) {
      const Index n = find(cx + offsets[std::size_t(s)][0], cy + offsets[std::size_t(s)][1]);
      if (n < 0) continue;
      links_[std::size_t(v)][std::size_t(s)] = n;
      links_[std::size_t(n)][std::size_t(s ^ 1)] = v;  // slots come in opposite pairs
    }
    std::vector<int> row(static_cast<std::size_t>(v + 1), unreachable);
    row[std::size_t(v)] = 0;
    for (Index n : links_[std::size_t(v)])
      if (n >= 0)
        for (Index u = 0; u < v; ++u) row[std::size_t(u)] = std::min(row[std::size_t(u)], hops(n, u) + 1);
    for (Index a = 0; a < v; ++a)
      for (Index b = 0; b < v; ++b) {
        int& h = hops_[std::size_t(a * capacity_ + b)];
        h = std::min(h, row[std::size_t(a)] + row[std::size_t(b)]);
      }
    for (Index u = 0; u <= v; ++u) {
      hops_[std::size_t(v * capacity_ + u)] = row[std::size_t(u)];
      hops_[std::size_t(u * capacity_ + v)] = row[std::size_t(u)];
    }
    return v;
  }

  LatticePositions positions() const {
    LatticePositions P(size(), 2);
    for (Index i = 0; i < size(); ++i) P.row(i) << x(i), y(i);
    return P;
  }

  /// Each link once, as (lower id, higher id), ordered by the lower id.
  std::vector<std::pair<Index, Index>> edges() const {
    std::vector<std::pair<Index, Index>> out;
    for (Index i = 0; i < size(); ++i)
      for (Index n : links_[std::size_t(i)])
        if (n > i) out.emplace_back(i, n);
    std::sort(out.begin(), out.end());
    return out;
  }

  /// Cells touching diagonally or along a side (the 8-neighbourhood of the topographic error).
  bool touching(Index a, Index b) const {
    return std::abs(x(a) - x(b)) <= 1 && std::abs(y(a) - y(b)) <= 1;
  }

 private:
  static std::uint64_t key(Index cx, Index cy) {
    return (std::uint64_t(std::uint32_t(std::int32_t(cx))) << 32) | std::uint32_t(std::int32_t(cy));
  }

  void reserve(Index capacity) {
    std::vector<int> table(static_cast<std::size_t>(capacity * capacity), unreachable);
    for (Index a = 0; a < size(); ++a)
      for (Index b = 0; b < size(); ++b) table[std::size_t(a * capacity + b)] = hops(a, b);
    hops_.swap(table);
    capacity_ = capacity;
  }

  Index capacity_ = 0;
  std::vector<std::array<Index, 2>> cells_;
  std::vector<std::array<Index, 4>> links_;
  std::unordered_map<std::uint64_t, Index> index_;
  std::vector<int> hops_;  // capacity x capacity, row-major
};

/// Where a new neuron goes next to boundary neuron b, and its initial weight (dbgsom 1.3's
/// directed rule). For each free side p (in GrowingLattice::offsets order): if neurons already touch
/// p (diagonal to b), p scores the largest of their errors and the best of them is remembered;
/// otherwise p scores the error of b's neighbour opposite p (or of b's first neighbour when
/// that side is empty too). The highest score wins, ties to the earlier side. The weight
/// extrapolates through b, 2 w_b - w_opposite (w_b when p has no opposite), and is averaged
/// with the remembered diagonal neuron when one decided the choice.
struct Insertion {
  Index x = 0, y = 0;
  Index opposite = -1;  ///< b's neighbour on the far side of p, or -1
  Index corner = -1;    ///< the diagonal neuron that decided the choice, or -1
};

template <typename = void>
Insertion insert_direction(const GrowingLattice& lat, Index b, const std::vector<double>& error) {
  Insertion best;
  double best_score = -1.0;
  Index first_neighbor = -1;
  for (int s = 0; s < 4 && first_neighbor < 0; ++s) first_neighbor = lat.neighbor(b, s);
  for (int s = 0; s < 4; ++s) {
    if (lat.neighbor(b, s) >= 0) continue;
    const Index px = lat.x(b) + GrowingLattice::offsets[std::size_t(s)][0];
    const Index py = lat.y(b) + GrowingLattice::offsets[std::size_t(s)][1];
    double score = -1.0;
    Index corner = -1;
    for (int t = 0; t < 4; ++t) {
      const Index q = lat.find(px + GrowingLattice::offsets[std::size_t(t)][0], py + GrowingLattice::offsets[std::size_t(t)][1]);
      if (q >= 0 && q != b && error[std::size_t(q)] > score) {
        score = error[std::size_t(q)];
        corner = q;
      }
    }
    const Index opposite = lat.neighbor(b, s ^ 1);
    if (corner < 0) {
      const Index reference = opposite >= 0 ? opposite : first_neighbor;
      score = reference >= 0 ? error[std::size_t(reference)] : 0.0;
    }
    if (score > best_score) {
      best_score = score;
      best = {px, py, opposite, corner};
    }
  }
  return best;
}

/// sigma (or a threshold) on dbgsom's coarse-phase schedule at t of T.
inline double coarse_schedule(SigmaDecay kind, double start, double end, double t, double T) {
  if (kind == SigmaDecay::linear) return start * (1.0 - t / T) + end * t / T;
  return end + (start - end) * std::exp(-std::log(100.0) * t / T);
}

/// Shannon entropy in bits of the class counts of one neuron.
inline double entropy_bits(const std::vector<Index>& counts) {
  Index total = 0;
  for (Index c : counts) total += c;
  double h = 0.0;
  for (Index c : counts)
    if (c > 0) {
      const double p = double(c) / double(total);
      h -= p * std::log2(p);
    }
  return h;
}

/// Textbook topographic product P3 (Bauer & Pawelzik 1992) of weights W on the lattice.
/// Neighbour orders break distance ties by neuron id; non-finite logarithms count as 0.
template <typename Scalar>
double topographic_product(const RowMatrix<Scalar>& W, const GrowingLattice& lat) {
  const Index N = W.rows();
  if (N < 2) return 0.0;
  double total = 0.0;
  std::vector<double> dv(static_cast<std::size_t>(N));
  std::vector<Index> by_v(static_cast<std::size_t>(N - 1)), by_a(static_cast<std::size_t>(N - 1));
  for (Index j = 0; j < N; ++j) {
    for (Index u = 0; u < N; ++u)  // in double: float squares of large weights overflow
      dv[std::size_t(u)] = (W.row(j) - W.row(u)).template cast<double>().norm();
    Index m = 0;
    for (Index u = 0; u < N; ++u)
      if (u != j) by_v[std::size_t(m)] = by_a[std::size_t(m)] = u, ++m;
    std::stable_sort(by_v.begin(), by_v.end(), [&](Index a, Index b) { return dv[std::size_t(a)] < dv[std::size_t(b)]; });
    std::stable_sort(by_a.begin(), by_a.end(), [&](Index a, Index b) { return lat.hops(j, a) < lat.hops(j, b); });
    double log_sum = 0.0;
    for (Index k = 1; k < N; ++k) {
      const Index a = by_a[std::size_t(k - 1)], v = by_v[std::size_t(k - 1)];
      const double q1 = std::log(dv[std::size_t(a)] / dv[std::size_t(v)]);
      const double q2 = std::log(double(lat.hops(j, a)) / double(lat.hops(j, v)));
      log_sum += (std::isfinite(q1) ? q1 : 0.0) + (std::isfinite(q2) ? q2 : 0.0);
      total += log_sum / (2.0 * double(k));
    }
  }
  return total / (double(N) * double(N - 1));
}

/// Topographic function from a BMU pass with second BMUs: the data's "induced Delaunay" graph
/// joins each sample's two best neurons; its hop distances (BFS) are compared with the map's.
template <typename = void>
TopographicFunction topographic_function(const Labels& bmu, const Labels& second,
                                                const GrowingLattice& lat) {
  const Index N = lat.size();
  std::vector<std::vector<Index>> adj(static_cast<std::size_t>(N));
  std::vector<char> linked(static_cast<std::size_t>(N * N), 0);
  for (Index i = 0; i < bmu.size(); ++i) {
    const Index a = bmu[i], b = second.size() ? second[i] : -1;
    if (b < 0 || a == b || linked[std::size_t(a * N + b)]) continue;
    linked[std::size_t(a * N + b)] = linked[std::size_t(b * N + a)] = 1;
    adj[std::size_t(a)].push_back(b);
    adj[std::size_t(b)].push_back(a);
  }
  std::vector<int> dv(static_cast<std::size_t>(N * N), GrowingLattice::unreachable);
  std::vector<Index> queue;
  for (Index s = 0; s < N; ++s) {  // BFS from every neuron
    int* row = dv.data() + s * N;
    row[s] = 0;
    queue.assign(1, s);
    for (std::size_t head = 0; head < queue.size(); ++head)
      for (Index n : adj[std::size_t(queue[head])])
        if (row[n] == GrowingLattice::unreachable) {
          row[n] = row[queue[head]] + 1;
          queue.push_back(n);
        }
  }
  int max_hops = 1;
  for (Index a = 0; a < N; ++a)
    for (Index b = 0; b < N; ++b)
      if (lat.hops(a, b) < GrowingLattice::unreachable) max_hops = std::max(max_hops, lat.hops(a, b));
  std::vector<double> folds(static_cast<std::size_t>(max_hops + 1), 0.0), tears(static_cast<std::size_t>(max_hops + 1), 0.0);
  for (Index a = 0; a < N; ++a)
    for (Index b = 0; b < N; ++b) {
      if (a == b) continue;
      const int da = lat.hops(a, b), d_v = dv[std::size_t(a * N + b)];
      for (int k = 1; k <= max_hops; ++k) {
        if (d_v == 1 && da > k) folds[std::size_t(k)] += 1;
        if (da == 1 && d_v > k) tears[std::size_t(k)] += 1;
      }
    }
  const double norm = double(N) * double(N - 6) > 0 ? double(N) * double(N - 6) : 1.0;
  TopographicFunction tf{Vector<double>(2 * max_hops + 1), Vector<double>(2 * max_hops + 1)};
  for (int k = -max_hops; k <= max_hops; ++k) {
    const double phi = k > 0 ? folds[std::size_t(k)] : k < 0 ? tears[std::size_t(-k)] : folds[1] + tears[1];
    tf.k[k + max_hops] = double(k);
    tf.values[k + max_hops] = phi / norm;
  }
  return tf;
}

/// Non-negative least squares min ||A c - x||, c >= 0, with A = W^T (features x neurons), by the
/// Lawson–Hanson active-set method. Each passive-set subproblem is solved by column-pivoting QR
/// of A's passive columns (not the normal equations), so prototypes that are linearly dependent
/// (more neurons than features) stay well handled. Stops when the dual gradient A^T(x - Ac) is
/// <= tol on every zero coefficient, or after 3 * neurons outer steps.
template <typename Scalar>
Vector<Scalar> nnls(const RowMatrix<Scalar>& W, const Eigen::Ref<const Vector<Scalar>>& x) {
  using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index K = W.rows(), D = W.cols();
  const Scalar tol = Scalar(10) * std::numeric_limits<Scalar>::epsilon() * Scalar(std::max(K, D)) *
                     W.cwiseAbs().rowwise().sum().maxCoeff() * std::max(x.cwiseAbs().maxCoeff(), Scalar(1));
  Vector<Scalar> c = Vector<Scalar>::Zero(K);
  std::vector<char> passive(static_cast<std::size_t>(K), 0);
  Vector<Scalar> gradient = W * x;  // A^T (x - A c) at c = 0
  std::vector<Index> P;
  Mat A_P;
  Vector<Scalar> z;
  auto solve_passive = [&] {
    P.clear();
    for (Index i = 0; i < K; ++i)
      if (passive[std::size_t(i)]) P.push_back(i);
    A_P.resize(D, Index(P.size()));
    for (std::size_t m = 0; m < P.size(); ++m) A_P.col(Index(m)) = W.row(P[m]).transpose();
    const Vector<Scalar> z_P = A_P.colPivHouseholderQr().solve(x);
    z = Vector<Scalar>::Zero(K);
    for (std::size_t m = 0; m < P.size(); ++m) z[P[m]] = z_P[Index(m)];
  };
  for (Index step = 0; step < 3 * K; ++step) {
    Index j = -1;
    for (Index i = 0; i < K; ++i)
      if (!passive[std::size_t(i)] && gradient[i] > tol && (j < 0 || gradient[i] > gradient[j])) j = i;
    if (j < 0) break;
    passive[std::size_t(j)] = 1;
    for (Index inner = 0; inner <= K; ++inner) {
      solve_passive();
      Scalar alpha = Scalar(1);
      bool feasible = true;
      for (Index i : P)
        if (z[i] <= Scalar(0)) {
          feasible = false;
          alpha = std::min(alpha, c[i] / (c[i] - z[i]));
        }
      if (feasible) {
        c = z;
        break;
      }
      // Step toward z until a coefficient hits zero, then release the zeros.
      c += alpha * (z - c);
      for (Index i : P)
        if (c[i] <= tol) {
          c[i] = Scalar(0);
          passive[std::size_t(i)] = 0;
        }
    }
    gradient = W * (x - W.transpose() * c);
  }
  return c;
}

/// A fitted growing map: everything the estimators expose.
template <typename Scalar>
struct GrowingMap {
  RowMatrix<Scalar> weights;
  GrowingLattice lattice;
  std::vector<Index> epoch_created;
  double growing_threshold = 0.0;
  Index n_iter = 0;
  bool converged = false;
  // Statistics of the final map on the training data.
  Labels bmu;  ///< training samples' BMUs
  Vector<double> hit_count, error, average_distance, density;
  double quantization_error = 0.0, topographic_error = 0.0, topographic_product = 0.0;
};

/// The most neurons a map grown on n samples may have.
inline Index neuron_cap(const GrowingSomParams& p, Index n) {
  return p.max_neurons > 0 ? p.max_neurons : std::max<Index>(4, Index(5.0 * std::sqrt(double(n))));
}

template <typename Scalar>
class GrowingTrainer {
 public:
  /// `codes`: class codes 0..n_classes-1 per sample (entropy criterion only), else nullptr.
  GrowingTrainer(const GrowingSomParams& p, ConstRowRef<Scalar> X, const std::vector<Index>* codes,
                 Index n_classes)
      : p_(p), X_(X), codes_(codes), n_classes_(n_classes) {}

  GrowingMap<Scalar> run() {
    const Index n = X_.rows(), D = X_.cols();
    const Index cap = neuron_cap(p_, n);
    GrowingMap<Scalar> map;
    map.lattice = GrowingLattice(std::min<Index>(cap, 256));  // the hop table grows on demand
    GrowingLattice& lat = map.lattice;

    // Growth threshold and the robust weights' scale from the per-feature spread.
    const Eigen::RowVectorXd mean = X_.template cast<double>().colwise().mean();
    const Eigen::RowVectorXd var =
        (X_.template cast<double>().rowwise() - mean).colwise().squaredNorm() / double(n);
    const double total_variance = var.sum();
    const double lambda = p_.spreading_factor > 0 ? -150.0 * std::log(p_.spreading_factor) : p_.lambda_;
    map.growing_threshold = p_.growth_criterion == GrowthCriterion::entropy
                                ? p_.entropy_threshold
                                : lambda * std::sqrt(total_variance * double(n) / double(n - 1));
    const double GT = map.growing_threshold;

    // Seed: a 2x2 square of distinct random samples.
    Random rng(p_.seed);
    const std::vector<Index> seeds = rng.sample_without_replacement(n, 4);
    RowMatrix<Scalar> W(4, D);
    const Index square[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    for (Index i = 0; i < 4; ++i) {
      lat.add(square[i][0], square[i][1]);
      W.row(i) = X_.row(seeds[std::size_t(i)]);
    }
    map.epoch_created.assign(4, 0);

    bool coarse = true, converged = false;
    double sigma_coarse = p_.sigma_start;
    Labels previous_bmu;
    const double coarse_epochs = p_.coarse_training_frac * double(p_.max_iter);
    Index epoch = 0;
    for (; epoch < p_.max_iter; ++epoch) {
      if (coarse && double(epoch) > coarse_epochs) coarse = false;
      const Index K = W.rows();
      const BmuResult<Scalar> r = find_bmus<Scalar>(X_, W, Distance::euclidean, false, p_.n_threads);
      std::vector<double> error = neuron_errors(r, K);
      const double sigma = coarse ? sigma_coarse : fine_sigma(K);
      RowMatrix<Scalar> W_new = batch_update(r, W, lat, sigma, total_variance);
      const double change = (W_new - W).template cast<double>().norm();  // float squares overflow at ~1e19
      W.swap(W_new);

      if (!coarse || p_.winner_stability_threshold <= 0) {
        const double threshold =
            coarse ? coarse_schedule(p_.sigma_decay, 100.0 * p_.convergence_threshold, p_.convergence_threshold,
                                     double(epoch) / p_.coarse_training_frac, double(p_.max_iter))
                   : p_.convergence_threshold;
        converged = change < threshold;
      }
      if (coarse && p_.winner_stability_threshold > 0 && previous_bmu.size() == n)
        converged = double((r.bmu.array() != previous_bmu.array()).count()) / double(n) <
                    p_.winner_stability_threshold;
      previous_bmu = r.bmu;
      if (converged && !coarse) break;
      if (!(coarse && converged)) continue;

      // Grow (converged coarse phase).
      const Index added = lat.size() < cap ? grow(lat, W, error, GT, cap, epoch, map.epoch_created) : 0;
      converged = false;
      if (added == 0) {
        coarse = false;  // nothing left to grow, or the cap is reached: fine-tune
      } else {
        sigma_coarse = coarse_schedule(p_.sigma_decay, p_.sigma_start, end_sigma(lat.size()),
                                       double(epoch) / p_.coarse_training_frac, double(p_.max_iter));
      }
    }
    map.n_iter = std::min(epoch + 1, p_.max_iter);
    map.converged = converged;
    map.weights = std::move(W);
    describe(map);
    return map;
  }

 private:
  double end_sigma(Index K) const {
    return p_.sigma_end > 0 ? p_.sigma_end : 0.05 * (std::sqrt(double(K)) - 1.0);
  }
  double fine_sigma(Index K) const { return p_.sigma_fine > 0 ? p_.sigma_fine : end_sigma(K); }

  std::vector<double> neuron_errors(const BmuResult<Scalar>& r, Index K) const {
    std::vector<double> error(static_cast<std::size_t>(K), 0.0);
    if (p_.growth_criterion == GrowthCriterion::entropy) {
      std::vector<std::vector<Index>> counts(static_cast<std::size_t>(K), std::vector<Index>(static_cast<std::size_t>(n_classes_), 0));
      for (Index i = 0; i < r.bmu.size(); ++i) ++counts[std::size_t(r.bmu[i])][std::size_t((*codes_)[std::size_t(i)])];
      for (Index k = 0; k < K; ++k) error[std::size_t(k)] = entropy_bits(counts[std::size_t(k)]);
    } else {
      for (Index i = 0; i < r.bmu.size(); ++i) error[std::size_t(r.bmu[i])] += double(r.distance[i]);
    }
    return error;
  }

  /// w_i = sum_j h_ij n_j c_j / sum_j h_ij n_j; c_j the (robustly weighted) mean of j's samples.
  RowMatrix<Scalar> batch_update(const BmuResult<Scalar>& r, const RowMatrix<Scalar>& W, const GrowingLattice& lat,
                                 double sigma, double total_variance) const {
    const Index n = X_.rows(), D = X_.cols(), K = W.rows();
    // One unit_sums pass over [s_j x_j, s_j] gives weighted sums and weight totals together.
    RowMatrix<Scalar> weighted(n, D + 1);
    for (Index i = 0; i < n; ++i) {
      const double d = double(r.distance[i]);
      const double s = p_.robust_weights && total_variance > 0
                           ? 1.0 - std::sqrt(std::max(0.0, 1.0 - std::exp(-d * d / total_variance)))
                           : 1.0;
      weighted.row(i).head(D) = Scalar(s) * X_.row(i);
      weighted(i, D) = Scalar(s);
    }
    const UnitSums<Scalar> sums = unit_sums<Scalar>(weighted, r.bmu, K, p_.n_threads);
    RowMatrix<Scalar> mass(K, D);  // n_j c_j
    for (Index j = 0; j < K; ++j) {
      const Scalar hits = sums.counts[j], total = sums.sums(j, D);
      if (hits == Scalar(0)) {
        mass.row(j).setZero();
      } else if (total > Scalar(0)) {
        mass.row(j) = sums.sums.row(j).head(D) * (hits / total);
      } else {  // every weight underflowed: plain sum of the samples
        mass.row(j).setZero();
        for (Index i = 0; i < n; ++i)
          if (r.bmu[i] == j) mass.row(j) += X_.row(i);
      }
    }
    // Kernel from a table over hop distances; entries below 1e-6 are dropped.
    std::vector<Scalar> by_hops(static_cast<std::size_t>(K + 1));
    for (Index h = 0; h <= K; ++h) {
      const double v = std::exp(-double(h * h) / (2.0 * sigma * sigma));
      by_hops[std::size_t(h)] = v < 1e-6 ? Scalar(0) : Scalar(v);
    }
    RowMatrix<Scalar> H(K, K);
    for (Index a = 0; a < K; ++a)
      for (Index b = 0; b < K; ++b) H(a, b) = by_hops[std::size_t(std::min<Index>(lat.hops(a, b), K))];
    // Fixed row blocks (not one per thread), so the products round the same for any n_threads.
    RowMatrix<Scalar> out = W;
    detail::parallel_for_chunks(K, 64, p_.n_threads, [&](Index first, Index last) {
      const Index rows = last - first;
      const RowMatrix<Scalar> numerator = H.middleRows(first, rows) * mass;
      const Vector<Scalar> denominator = H.middleRows(first, rows) * sums.counts;
      for (Index i = 0; i < rows; ++i)
        if (denominator[i] > Scalar(0)) out.row(first + i) = numerator.row(i) / denominator[i];
    });
    return out;
  }

  /// One growth step; returns the number of neurons added (never past `cap`).
  Index grow(GrowingLattice& lat, RowMatrix<Scalar>& W, std::vector<double>& error, double GT, Index cap, Index epoch,
             std::vector<Index>& epoch_created) const {
    const Index K = lat.size();
    // Interior neurons pass half their excess error to their boundary neighbours.
    for (Index i = 0; i < K; ++i) {
      if (lat.degree(i) < 4 || error[std::size_t(i)] <= GT) continue;
      int boundary = 0;
      for (int s = 0; s < 4; ++s) boundary += lat.degree(lat.neighbor(i, s)) < 4;
      const double share = boundary ? 0.5 * error[std::size_t(i)] / boundary : 0.0;
      for (int s = 0; s < 4; ++s)
        if (lat.degree(lat.neighbor(i, s)) < 4) error[std::size_t(lat.neighbor(i, s))] += share;
      error[std::size_t(i)] *= 0.5;
    }
    std::vector<Index> order(static_cast<std::size_t>(K));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return error[std::size_t(a)] > error[std::size_t(b)]; });
    Index added = 0;
    for (Index b : order) {
      if (error[std::size_t(b)] <= GT || lat.size() >= cap) break;
      if (lat.degree(b) == 4) continue;  // interior (maybe since this step): skip, keep walking
      const Insertion ins = insert_direction(lat, b, error);
      RowVectorOf w = ins.opposite >= 0 ? RowVectorOf(Scalar(2) * W.row(b) - W.row(ins.opposite))
                                        : RowVectorOf(W.row(b));
      if (ins.corner >= 0) w = (w + W.row(ins.corner)) / Scalar(2);
      lat.add(ins.x, ins.y);
      W.conservativeResize(W.rows() + 1, Eigen::NoChange);
      W.row(W.rows() - 1) = w;
      error.push_back(0.0);
      epoch_created.push_back(epoch);
      ++added;
    }
    return added;
  }

  /// Final statistics of the map on the training data.
  void describe(GrowingMap<Scalar>& map) const {
    const Index K = map.weights.rows();
    const GrowingLattice& lat = map.lattice;
    const BmuResult<Scalar> r = find_bmus<Scalar>(X_, map.weights, Distance::euclidean, true, p_.n_threads);
    map.bmu = r.bmu;
    map.quantization_error = somtile::quantization_error(r);
    Index folded = 0;
    for (Index i = 0; i < r.bmu.size(); ++i)  // second is -1 only when every distance overflowed
      folded += r.second[i] >= 0 && !lat.touching(r.bmu[i], r.second[i]);
    map.topographic_error = double(folded) / double(r.bmu.size());
    map.topographic_product = topographic_product(map.weights, lat);

    map.hit_count = Vector<double>::Zero(K);
    map.error = Vector<double>::Zero(K);
    map.average_distance = Vector<double>::Zero(K);
    map.density = Vector<double>::Zero(K);
    for (Index k = 0; k < K; ++k) {
      int links = 0;
      for (int s = 0; s < 4; ++s)
        if (lat.neighbor(k, s) >= 0) {
          map.average_distance[k] +=
              (map.weights.row(k) - map.weights.row(lat.neighbor(k, s))).template cast<double>().norm();
          ++links;
        }
      if (links) map.average_distance[k] /= links;
    }
    const std::vector<double> error = neuron_errors(r, K);
    for (Index k = 0; k < K; ++k) map.error[k] = error[std::size_t(k)];
    // Density: mean Gaussian kernel of the members' BMU distances, width = mean U-matrix value.
    const double width = map.average_distance.mean();
    for (Index i = 0; i < r.bmu.size(); ++i) {
      const double d = double(r.distance[i]);
      map.hit_count[r.bmu[i]] += 1;
      if (width > 0)
        map.density[r.bmu[i]] += std::exp(-d * d / (2 * width * width)) / (width * std::sqrt(2 * 3.14159265358979323846));
    }
    for (Index k = 0; k < K; ++k)
      if (map.hit_count[k] > 0) map.density[k] /= map.hit_count[k];
  }

  using RowVectorOf = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

  const GrowingSomParams& p_;
  ConstRowRef<Scalar> X_;
  const std::vector<Index>* codes_;
  Index n_classes_;
};

/// What SomVQ and SomClassifier share: parameters, the fitted map and its attributes.
/// `name_` ("SomVQ", "SomClassifier") prefixes every error message.
template <typename Scalar>
class GrowingSomEstimator {
 public:
  const GrowingSomParams& params() const { return params_; }
  bool fitted() const { return fitted_; }

  Index n_features() const {
    fitted_state("n_features");
    return n_features_;
  }
  Index n_neurons() const { return fitted_state("n_neurons").weights.rows(); }
  /// Prototypes, one row per neuron (neuron ids in insertion order).
  const RowMatrix<Scalar>& weights() const { return fitted_state("weights").weights; }
  /// Integer lattice coordinates (x, y) per neuron; may be negative.
  LatticePositions positions() const { return fitted_state("positions").lattice.positions(); }
  /// GrowingLattice links (4-neighbours), each once as (lower id, higher id).
  std::vector<std::pair<Index, Index>> edges() const { return fitted_state("edges").lattice.edges(); }
  /// Hop distance between two neurons on the map.
  Index hops(Index a, Index b) const {
    const auto& m = fitted_state("hops");
    detail::require<InputError>(a >= 0 && b >= 0 && a < m.weights.rows() && b < m.weights.rows(),
                                name_ + "::hops", "neuron ids must be in [0, ", m.weights.rows(), "), got ", a,
                                " and ", b);
    return m.lattice.hops(a, b);
  }
  /// Mean BMU distance on the training data.
  double quantization_error() const { return fitted_state("quantization_error").quantization_error; }
  /// Mean BMU distance on any data.
  double quantization_error(ConstRowRef<Scalar> X) const {
    check_input("quantization_error", X);
    return somtile::quantization_error(find_bmus<Scalar>(X, map_.weights, Distance::euclidean, false, params_.n_threads));
  }
  /// Share of training samples whose two best neurons are not in touching cells (8-neighbourhood).
  double topographic_error() const { return fitted_state("topographic_error").topographic_error; }
  double topographic_product() const { return fitted_state("topographic_product").topographic_product; }
  TopographicFunction topographic_function(ConstRowRef<Scalar> X) const {
    check_input("topographic_function", X);
    const BmuResult<Scalar> r = find_bmus<Scalar>(X, map_.weights, Distance::euclidean, true, params_.n_threads);
    return detail::topographic_function(r.bmu, r.second, map_.lattice);
  }
  /// GT the growth compared neuron errors against.
  double growing_threshold() const { return fitted_state("growing_threshold").growing_threshold; }
  /// Epochs run, and whether the last phase converged before max_iter.
  Index n_iter() const { return fitted_state("n_iter").n_iter; }
  bool converged() const { return fitted_state("converged").converged; }

  // Per-neuron statistics of the final map on the training data.
  const Vector<double>& hit_count() const { return fitted_state("hit_count").hit_count; }
  /// Sum of BMU distances of the neuron's samples (class entropy with GrowthCriterion::entropy).
  const Vector<double>& error() const { return fitted_state("error").error; }
  /// U-matrix value: mean weight distance to the lattice neighbours.
  const Vector<double>& average_distance() const { return fitted_state("average_distance").average_distance; }
  /// Mean Gaussian kernel of the members' BMU distances (0 for neurons without hits).
  const Vector<double>& density() const { return fitted_state("density").density; }
  Labels epoch_created() const {
    const auto& e = fitted_state("epoch_created").epoch_created;
    return Eigen::Map<const Labels>(e.data(), Index(e.size()));
  }

  /// Non-negative least-squares coefficients of the prototypes, n x n_neurons: row i minimises
  /// ||W^T c - x_i|| over c >= 0 (Kohonen's linear mixture of SOM models; Lawson–Hanson per
  /// sample, see detail::nnls). Not normalised, so magnitude information is kept.
  RowMatrix<Scalar> transform(ConstRowRef<Scalar> X) const {
    check_input("transform", X);
    RowMatrix<Scalar> C(X.rows(), map_.weights.rows());
    // The coefficients do not change when W and x are divided by the same s; a power of two
    // near the largest weight keeps the products of huge (or tiny) values in range, exactly.
    const double top = double(map_.weights.cwiseAbs().maxCoeff());
    int exponent = 0;
    if (top > 0) std::frexp(top, &exponent);
    const Scalar s = Scalar(std::ldexp(1.0, exponent));
    const RowMatrix<Scalar> W = map_.weights / s;
    detail::parallel_for_chunks(X.rows(), 16, params_.n_threads, [&](Index b, Index e) {
      for (Index i = b; i < e; ++i) C.row(i) = detail::nnls<Scalar>(W, (X.row(i) / s).transpose()).transpose();
    });
    return C;
  }

 protected:
  GrowingSomEstimator(const GrowingSomParams& params, std::string name) : params_(params), name_(std::move(name)) {
    validate();
  }

  /// Trains into a new map; the caller commits it (a throw leaves the old map in place).
  GrowingMap<Scalar> train(ConstRowRef<Scalar> X, const std::vector<Index>* codes, Index n_classes) const {
    return GrowingTrainer<Scalar>(params_, X, codes, n_classes).run();
  }
  void check_fit_input(ConstRowRef<Scalar> X) const {
    const std::string call = name_ + "::fit";
    detail::check_data(call, X);
    detail::require<InputError>(X.rows() >= 4, call, "X must have at least 4 samples to seed the map, got ", X.rows());
  }
  void commit(GrowingMap<Scalar>&& map, Index n_features) {
    map_ = std::move(map);
    n_features_ = n_features;
    fitted_ = true;
  }
  void check_input(const char* method, ConstRowRef<Scalar> X) const {
    fitted_state(method);
    detail::check_data(name_ + "::" + method, X, n_features_, name_);
  }
  const GrowingMap<Scalar>& fitted_state(const char* method) const {
    if (!fitted_)
      throw NotFittedError(detail::concat(name_, "::", method, "(): this ", name_,
                                          " is not fitted yet; call fit() first"));
    return map_;
  }
  /// BMU of every row of X against the fitted prototypes (X already validated).
  Labels bmus(ConstRowRef<Scalar> X) const {
    return find_bmus<Scalar>(X, map_.weights, Distance::euclidean, false, params_.n_threads).bmu;
  }

  /// Writes or reads the parameters and the map shared by SomVQ and SomClassifier
  /// (io/detail/archive.hpp); on reading, the lattice is rebuilt from the cells in neuron order, which
  /// is how training built it, and an inconsistent file is rejected.
  template <typename Archive>
  void serialize_map(Archive& ar) {
    GrowingSomParams& p = params_;
    ar(p.max_neurons, p.lambda_, p.spreading_factor, p.sigma_start, p.sigma_end, p.sigma_fine);
    ar.choice(p.sigma_decay, SigmaDecay::linear);
    ar(p.max_iter, p.coarse_training_frac, p.convergence_threshold, p.winner_stability_threshold);
    ar.choice(p.growth_criterion, GrowthCriterion::entropy);
    ar(p.entropy_threshold, p.robust_weights, p.seed, p.n_threads);
    GrowingMap<Scalar>& m = map_;
    LatticePositions cells;
    if constexpr (!Archive::loading) cells = m.lattice.positions();
    ar(n_features_, m.weights, cells, m.epoch_created, m.growing_threshold, m.n_iter, m.converged, m.bmu,
       m.hit_count, m.error, m.average_distance, m.density, m.quantization_error, m.topographic_error,
       m.topographic_product);
    if constexpr (Archive::loading) {
      validate();
      const Index K = m.weights.rows(), n = m.bmu.size();
      ar.check(K >= 1 && n_features_ >= 1 && m.weights.cols() == n_features_, "the prototypes are ", K, " x ",
               m.weights.cols(), " for ", n_features_, " features");
      ar.check(K <= neuron_cap(p, n), "the map has ", K, " neurons, more than the cap of ", neuron_cap(p, n));
      ar.check(cells.rows() == K && Index(m.epoch_created.size()) == K && m.hit_count.size() == K &&
                   m.error.size() == K && m.average_distance.size() == K && m.density.size() == K,
               "the per-neuron fields do not all have ", K, " entries");
      ar.check(m.weights.allFinite(), "the prototypes hold NaN or infinite values");
      ar.check(n == 0 || (m.bmu.minCoeff() >= 0 && m.bmu.maxCoeff() < K), "a training BMU is not a neuron id");
      const Index far = Index(1) << 30;  // GrowingLattice keys cells by 32-bit coordinates
      m.lattice = GrowingLattice(K);
      for (Index k = 0; k < K; ++k) {
        const Index x = cells(k, 0), y = cells(k, 1);
        ar.check(x > -far && x < far && y > -far && y < far && m.lattice.find(x, y) < 0, "neuron ", k,
                 " has a cell (", x, ", ", y, ") that is taken or out of range");
        m.lattice.add(x, y);
      }
      fitted_ = true;
    }
  }

  GrowingSomParams params_;
  std::string name_;
  GrowingMap<Scalar> map_;
  Index n_features_ = 0;
  bool fitted_ = false;

 private:
  void validate() const {
    const GrowingSomParams& p = params_;
    const std::string& call = name_;
    detail::require(p.max_neurons == 0 || p.max_neurons >= 4, call,
                    "max_neurons must be >= 4 (or 0 for int(5 sqrt(n_samples))), got ", p.max_neurons);
    detail::check_positive(call, "lambda_", p.lambda_);
    detail::require(p.spreading_factor == 0 || (p.spreading_factor > 0 && p.spreading_factor < 1), call,
                    "spreading_factor must be in (0, 1) (or 0 = unused), got ", p.spreading_factor);
    detail::check_positive(call, "sigma_start", p.sigma_start);
    detail::check_non_negative(call, "sigma_end", p.sigma_end);
    detail::check_non_negative(call, "sigma_fine", p.sigma_fine);
    detail::require(!(p.sigma_fine > 0 && p.sigma_end > 0 && p.sigma_fine > p.sigma_end), call,
                    "sigma_fine must be <= sigma_end (", p.sigma_end, "), got ", p.sigma_fine);
    detail::check_positive(call, "max_iter", p.max_iter);
    detail::require(p.coarse_training_frac > 0 && p.coarse_training_frac < 1, call,
                    "coarse_training_frac must be in (0, 1), got ", p.coarse_training_frac);
    detail::check_positive(call, "convergence_threshold", p.convergence_threshold);
    detail::require(p.winner_stability_threshold >= 0 && p.winner_stability_threshold <= 1, call,
                    "winner_stability_threshold must be in [0, 1] (0 = use the weight change), got ",
                    p.winner_stability_threshold);
    detail::check_positive(call, "entropy_threshold", p.entropy_threshold);
    detail::require(p.n_threads >= 0, call, "n_threads must be >= 0, got ", p.n_threads);
  }
};

}  // namespace detail
}  // namespace somtile
