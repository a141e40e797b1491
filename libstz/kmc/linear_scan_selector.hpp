// The reference event selector: rates in index order, the exact fixed-point total kept by
// exact additions and subtractions, selection by a linear scan over exact prefix sums (SPEC
// 4.5's oracle). O(1) per change, O(n) per selection. Rule: rate_selector.hpp.
#pragma once

#include <vector>

#include "libstz/kmc/rate_quantizer.hpp"
#include "libstz/kmc/rate_selector.hpp"
#include "libstz/kmc/uint256.hpp"

namespace stz {

/// Linear-scan selector; the slow, plainly correct twin of SumTreeSelector.
class LinearScanSelector final : public RateSelector {
 public:
  /// n rates, all zero.
  explicit LinearScanSelector(std::size_t n = 0) { resize(n); }

  void resize(std::size_t n) override;
  void set(std::size_t i, double rate) override;
  void set_all(std::span<const double> rates) override;
  void update(std::span<const std::size_t> indices, std::span<const double> rates) override;

  double total() const override { return m_quantizer.to_rate(m_total); }
  double rate(std::size_t i) const override;
  std::size_t size() const override { return m_rates.size(); }

  std::size_t select(double u) const override;

 private:
  /// Stores a validated rate; returns true when the scale changed (quanta not updated then).
  bool store(std::size_t i, double rate);
  void requantize();

  std::vector<double> m_rates;
  std::vector<detail::UInt256> m_quanta;
  detail::UInt256 m_total;
  detail::RateQuantizer m_quantizer;
};

}  // namespace stz
