#pragma once
// k-d trees over the rows of a row-major double matrix (internal, no API promise):
// - KnnIndex wraps nanoflann for k-nearest-neighbour distances (HDBSCAN's core distances);
// - BoxTree is a plain median-split tree with per-node bounding boxes, whose nodes the
//   Borůvka minimum-spanning-tree search prunes by component and by distance bound, which
//   nanoflann's search interface cannot express.

#include "somtile/core/detail/parallel.hpp"
#include "somtile/core/types.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

namespace somtile::detail {

/// Euclidean distance between two rows of d doubles with eight partial sums in a fixed order:
/// the result does not depend on where the rows sit in memory (Eigen's reductions peel by
/// alignment), so a pair always gets the same distance; the independent sums let -O3 use
/// full-width SIMD registers.
inline double row_distance(const double* a, const double* b, Index d) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  Index j = 0;
  for (; j + 8 <= d; j += 8)
    for (int k = 0; k < 8; ++k) {
      const double t = a[j + k] - b[j + k];
      s[k] += t * t;
    }
  for (; j < d; ++j) {
    const double t = a[j] - b[j];
    s[0] += t * t;
  }
  return std::sqrt(((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])));
}

/// nanoflann dataset adaptor over the rows of a row-major matrix.
struct RowMatrixDataset {
  const RowMatrix<double>* X;
  std::size_t kdtree_get_point_count() const { return std::size_t(X->rows()); }
  double kdtree_get_pt(std::size_t i, std::size_t dim) const { return (*X)(Index(i), Index(dim)); }
  template <typename Box>
  bool kdtree_get_bbox(Box&) const {
    return false;
  }
};

using IndexMatrix = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class KnnIndex {
  using Tree =
      nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Adaptor<double, RowMatrixDataset>, RowMatrixDataset, -1, Index>;

 public:
  explicit KnnIndex(const RowMatrix<double>& X)
      : dataset_{&X},
        tree_(std::make_unique<Tree>(int(X.cols()), dataset_, nanoflann::KDTreeSingleIndexAdaptorParams(16))) {}

  /// Distance from every point to its k-th nearest point, the point itself counted first.
  /// The distance is recomputed with row_distance (as every other distance of HDBSCAN), so a
  /// core distance equals the pair distance it came from to the last bit.
  /// `neighbours`, when given, receives each point's `n_neighbours` nearest points (nearest
  /// first, the point itself included; -1 where there are fewer points).
  Vector<double> kth_neighbour_distances(Index k, int n_threads, IndexMatrix* neighbours = nullptr,
                                         Index n_neighbours = 0) const {
    const RowMatrix<double>& X = *dataset_.X;
    const Index n = X.rows(), query = std::min(n, std::max(k, neighbours ? n_neighbours : Index(0)));
    Vector<double> out(n);
    if (neighbours) *neighbours = IndexMatrix::Constant(n, n_neighbours, -1);
    parallel_for_chunks(n, 512, n_threads, [&](Index begin, Index end) {
      std::vector<Index> idx(static_cast<std::size_t>(query));
      std::vector<double> d2(static_cast<std::size_t>(query));
      for (Index i = begin; i < end; ++i) {
        const auto found = Index(tree_->knnSearch(X.row(i).data(), std::size_t(query), idx.data(), d2.data()));
        double kth = 0;
        for (Index m = 0; m < std::min(found, k); ++m)
          kth = std::max(kth, row_distance(X.row(i).data(), X.row(idx[std::size_t(m)]).data(), X.cols()));
        out[i] = kth;
        if (neighbours)
          for (Index m = 0; m < std::min(found, n_neighbours); ++m) (*neighbours)(i, m) = idx[std::size_t(m)];
      }
    });
    return out;
  }

 private:
  RowMatrixDataset dataset_;
  std::unique_ptr<Tree> tree_;
};

/// Median-split k-d tree with bounding boxes. Node 0 is the root; node i's points are
/// order[begin_i, end_i).
class BoxTree {
 public:
  struct Node {
    Index begin, end;
    Index left = -1, right = -1;  // -1 for leaves
  };

  BoxTree(const RowMatrix<double>& X, Index leaf_size = 16) : X_(X) {
    order_.resize(std::size_t(X.rows()));
    std::iota(order_.begin(), order_.end(), Index(0));
    lower_.resize(0, X.cols());
    upper_.resize(0, X.cols());
    nodes_.reserve(std::size_t(2 * X.rows() / leaf_size + 2));
    build(0, X.rows(), leaf_size);
    lower_.conservativeResize(Index(nodes_.size()), X.cols());
    upper_.conservativeResize(Index(nodes_.size()), X.cols());
    for (Index i = Index(nodes_.size()) - 1; i >= 0; --i) fill_box(i);
  }

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Index>& order() const { return order_; }

  /// Squared distance from a point to node i's bounding box.
  template <typename Point>
  double box_distance2(Index i, const Point& p) const {
    double d2 = 0;
    for (Index j = 0; j < p.size(); ++j) {
      const double below = lower_(i, j) - p[j], above = p[j] - upper_(i, j);
      const double gap = below > 0 ? below : (above > 0 ? above : 0.0);
      d2 += gap * gap;
    }
    return d2;
  }

 private:
  Index build(Index begin, Index end, Index leaf_size) {
    const Index id = Index(nodes_.size());
    nodes_.push_back({begin, end});
    if (end - begin <= leaf_size) return id;
    // Split the widest dimension at the median.
    Eigen::RowVectorXd lo = X_.row(order_[std::size_t(begin)]), hi = lo;
    for (Index k = begin + 1; k < end; ++k) {
      lo = lo.cwiseMin(X_.row(order_[std::size_t(k)]));
      hi = hi.cwiseMax(X_.row(order_[std::size_t(k)]));
    }
    Index dim;
    (hi - lo).maxCoeff(&dim);
    const Index mid = begin + (end - begin) / 2;
    std::nth_element(order_.begin() + begin, order_.begin() + mid, order_.begin() + end,
                     [&](Index a, Index b) { return X_(a, dim) < X_(b, dim) || (X_(a, dim) == X_(b, dim) && a < b); });
    const Index left = build(begin, mid, leaf_size);
    const Index right = build(mid, end, leaf_size);
    nodes_[std::size_t(id)].left = left;
    nodes_[std::size_t(id)].right = right;
    return id;
  }

  void fill_box(Index i) {
    const Node& n = nodes_[std::size_t(i)];
    if (n.left < 0) {
      lower_.row(i) = X_.row(order_[std::size_t(n.begin)]);
      upper_.row(i) = lower_.row(i);
      for (Index k = n.begin + 1; k < n.end; ++k) {
        lower_.row(i) = lower_.row(i).cwiseMin(X_.row(order_[std::size_t(k)]));
        upper_.row(i) = upper_.row(i).cwiseMax(X_.row(order_[std::size_t(k)]));
      }
    } else {  // children have larger ids, so their boxes are already filled
      lower_.row(i) = lower_.row(n.left).cwiseMin(lower_.row(n.right));
      upper_.row(i) = upper_.row(n.left).cwiseMax(upper_.row(n.right));
    }
  }

  const RowMatrix<double>& X_;
  std::vector<Index> order_;
  std::vector<Node> nodes_;
  RowMatrix<double> lower_, upper_;
};

}  // namespace somtile::detail
