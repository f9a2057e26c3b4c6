#pragma once
// The bounded BMU search (kernels/detail/bounded_bmu.hpp) for Som::fit from a source: the
// per-sample state of each chunk is kept between passes, in memory while the states take at
// most chunk_bounds_memory() bytes and in an anonymous temporary file (std::tmpfile, deleted
// when closed) beyond, so a fit over data larger than memory scores as few distances as the
// in-memory fit. The file is a cache: when it cannot be made, written or read back, the chunks
// it would hold are searched in full, which finds the same BMUs. The kept state also tells
// whether a chunk's rows are those of the previous pass (their squared norms, bit for bit), so
// a file changed in place under a fit is caught.
// Per row: its position, BMU and second BMU (int32), |x|^2 and one float per unit group (a
// 40 x 40 map at 64 features: 17 groups, 84 bytes; 20 M rows, 1.7 GB).

#include "somtile/kernels/detail/bounded_bmu.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

namespace somtile::detail {

/// Bytes of chunk states kept in memory before the rest go to a temporary file (a setting so
/// that tests can send every chunk to the file).
inline std::atomic<std::size_t>& chunk_bounds_memory() {
  static std::atomic<std::size_t> bytes{std::size_t(64) << 20};
  return bytes;
}

/// How the temporary file is made (std::tmpfile; a setting so that tests can hand it a file
/// that fails).
inline std::atomic<std::FILE* (*)()>& chunk_bounds_file() {
  static std::atomic<std::FILE* (*)()> open{&std::tmpfile};
  return open;
}

template <typename Scalar>
class ChunkBounds {
 public:
  using Search = BoundedBmuSearch<Scalar>;
  using State = typename Search::SampleState;

  ChunkBounds(std::vector<std::vector<Index>> groups, int n_threads)
      : search_(std::move(groups), /*with_second=*/true, n_threads), spare_(fresh()) {}

  void begin_pass(ConstRowRef<Scalar> W) {
    search_.begin_pass(W);
    next_ = 0;
    ++passes_;
  }

  /// The next chunk's BMUs, second BMUs and distances (dense_bmus's, exactly). Returns the
  /// first row of X that differs from the same chunk's row in the previous pass, else -1.
  Index search(ConstRowRef<Scalar> X, BmuResult<Scalar>& out) {
    const std::size_t k = next_++;
    if (k < memory_.size()) return search_.search_block(X, memory_[k], out);
    if (!load(k, spare_)) spare_ = fresh();
    const Index changed = search_.search_block(X, spare_, out);
    const std::size_t bytes = record_bytes(spare_);
    if (passes_ == 1 && k == memory_.size() && memory_bytes_ + bytes <= chunk_bounds_memory().load()) {
      memory_bytes_ += bytes;
      memory_.push_back(std::move(spare_));
      spare_ = fresh();
      return changed;
    }
    save(k, spare_);
    return changed;
  }

  /// Passes over the next chunk (searched without bounds: missing values, sparse).
  void skip() { ++next_; }

  void end_pass() { search_.end_pass(); }

  const BoundedBmuStats& stats() const { return search_.stats(); }
  /// Chunks whose state is in the file (for tests).
  std::size_t chunks_in_file() const {
    std::size_t n = 0;
    for (const Record& r : records_) n += r.bytes > 0;
    return n;
  }

 private:
  struct Record {
    long offset = 0;
    std::size_t bytes = 0;  // 0: none
  };
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  static State fresh() {
    State s;
    s.keep_packed = false;
    s.verify_rows = true;
    return s;
  }
  static std::size_t record_bytes(const State& s) {
    return 5 * sizeof(std::uint64_t) + 3 * s.bmu.size() * sizeof(std::int32_t) + s.lb.size() * sizeof(float) +
           s.ub.size() * sizeof(float) + std::size_t(s.xx.size()) * sizeof(Scalar);
  }

  // Raw writes and reads; false on any failure (which retires the file).
  bool put(const void* p, std::size_t bytes) { return bytes == 0 || std::fwrite(p, 1, bytes, file_.get()) == bytes; }
  bool get(void* p, std::size_t bytes) { return bytes == 0 || std::fread(p, 1, bytes, file_.get()) == bytes; }
  bool put_indices(const std::vector<Index>& v) {
    narrow_.resize(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) narrow_[i] = std::int32_t(v[i]);
    return put(narrow_.data(), v.size() * sizeof(std::int32_t));
  }
  bool get_indices(std::vector<Index>& v, std::size_t n) {
    narrow_.resize(n);
    if (!get(narrow_.data(), n * sizeof(std::int32_t))) return false;
    v.assign(narrow_.begin(), narrow_.end());
    return true;
  }

  void save(std::size_t k, const State& s) {
    if (broken_) return;
    const std::size_t n = s.bmu.size(), bytes = record_bytes(s);
    if (n > std::size_t(std::numeric_limits<std::int32_t>::max()) || s.order.size() != n || s.second.size() != n ||
        std::size_t(s.xx.size()) != n)
      return retire();
    if (!file_) file_.reset(chunk_bounds_file().load()());
    if (!file_) return retire();
    if (records_.size() <= k) records_.resize(k + 1);
    Record& r = records_[k];
    if (r.bytes != bytes) {  // a new record (or one of another size) goes at the end
      if (std::fseek(file_.get(), 0, SEEK_END) != 0) return retire();
      r.offset = std::ftell(file_.get());
      if (r.offset < 0) return retire();
    } else if (std::fseek(file_.get(), r.offset, SEEK_SET) != 0) {
      return retire();
    }
    r.bytes = 0;  // until the whole record is written
    const std::uint64_t head[5] = {s.pass, std::uint64_t(s.passes_since_sort), std::uint64_t(s.moved_since_sort),
                                   std::uint64_t(n), std::uint64_t(s.lb.size()) | (std::uint64_t(s.ub.size()) << 40)};
    if (!put(head, sizeof head) || !put_indices(s.order) || !put_indices(s.bmu) || !put_indices(s.second) ||
        !put(s.lb.data(), s.lb.size() * sizeof(float)) || !put(s.ub.data(), s.ub.size() * sizeof(float)) ||
        !put(s.xx.data(), n * sizeof(Scalar)))
      return retire();
    r.bytes = bytes;
  }

  bool load(std::size_t k, State& s) {
    if (broken_ || k >= records_.size() || records_[k].bytes == 0) return false;
    if (std::fseek(file_.get(), records_[k].offset, SEEK_SET) != 0) return retire(), false;
    std::uint64_t head[5];
    if (!get(head, sizeof head)) return retire(), false;
    const std::size_t n = std::size_t(head[3]), lb = std::size_t(head[4] & ((std::uint64_t(1) << 40) - 1)),
                      ub = std::size_t(head[4] >> 40);
    s.pass = head[0];
    s.passes_since_sort = Index(head[1]);
    s.moved_since_sort = Index(head[2]);
    s.lb.resize(lb);
    s.ub.resize(ub);
    s.xx.resize(Index(n));
    if (!get_indices(s.order, n) || !get_indices(s.bmu, n) || !get_indices(s.second, n) ||
        !get(s.lb.data(), lb * sizeof(float)) || !get(s.ub.data(), ub * sizeof(float)) ||
        !get(s.xx.data(), n * sizeof(Scalar)))
      return retire(), false;
    return true;
  }

  // The file failed: its chunks are searched in full from now on.
  void retire() {
    broken_ = true;
    file_.reset();
    records_.clear();
  }

  Search search_;
  std::vector<State> memory_;
  std::size_t memory_bytes_ = 0, next_ = 0, passes_ = 0;
  State spare_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::vector<Record> records_;
  std::vector<std::int32_t> narrow_;
  bool broken_ = false;
};

}  // namespace somtile::detail
