// The fast event selector: a complete binary tree of exact fixed-point partial sums, O(log n)
// per change and per selection, O(n) bulk refresh. Rule: rate_selector.hpp; it picks exactly
// what LinearScanSelector picks, because both compare the same exact integers.
//
// Layout. Leaves are blocks of 8 rates (one 64-byte cache line of doubles, scanned linearly,
// quantized on the fly). Internal node k (heap order, root 1, children 2k and 2k+1) stores the
// sums of its two children side by side in one 64-byte-aligned record, so each step of a
// descent reads exactly one cache line, and the upper levels stay hot in cache.
#pragma once

#include <array>
#include <vector>

#include "libstz/kmc/rate_quantizer.hpp"
#include "libstz/kmc/rate_selector.hpp"
#include "libstz/kmc/uint256.hpp"

namespace stz {

/// Sum-tree selector (SPPARKS-style "solve" with exact arithmetic).
class SumTreeSelector final : public RateSelector {
 public:
  /// n rates, all zero.
  explicit SumTreeSelector(std::size_t n = 0) { resize(n); }

  void resize(std::size_t n) override;
  void set(std::size_t i, double rate) override;
  void set_all(std::span<const double> rates) override;
  void update(std::span<const std::size_t> indices, std::span<const double> rates) override;

  double total() const override { return m_quantizer.to_rate(m_total); }
  double rate(std::size_t i) const override;
  std::size_t size() const override { return m_size; }

  std::size_t select(double u) const override;

 private:
  static constexpr std::size_t kBlock = 8;
  struct alignas(64) RateBlock {
    std::array<double, kBlock> rate{};
  };
  struct alignas(64) ChildSums {
    detail::UInt256 left, right;
  };

  double& rate_slot(std::size_t i) { return m_blocks[i / kBlock].rate[i % kBlock]; }
  detail::UInt256 block_sum(std::size_t block) const;
  /// Stores a validated rate; returns true when the scale changed (tree not updated then).
  bool store(std::size_t i, double rate);
  /// Recomputes every sum from the rates, O(n).
  void rebuild();

  std::size_t m_size = 0;
  std::size_t m_leaves = 1;           ///< leaf count: a power of two >= number of blocks
  std::vector<RateBlock> m_blocks;    ///< rates, zero-padded to whole blocks
  std::vector<ChildSums> m_children;  ///< [k] for internal node k in 1..m_leaves−1
  detail::UInt256 m_total;
  detail::RateQuantizer m_quantizer;
};

}  // namespace stz
