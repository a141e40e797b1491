#include "libstz/kmc/linear_scan_selector.hpp"

#include "libstz/core/error.hpp"

namespace stz {

void LinearScanSelector::resize(std::size_t n) {
  m_rates.assign(n, 0.0);
  m_quanta.assign(n, detail::UInt256{});
  m_total = {};
  m_quantizer.reset(n);
}

double LinearScanSelector::rate(std::size_t i) const {
  detail::require_index(i, m_rates.size());
  return m_rates[i];
}

bool LinearScanSelector::store(std::size_t i, double rate) {
  rate += 0.0;  // −0 becomes +0
  const double old = m_rates[i];
  m_rates[i] = rate;
  if (m_quantizer.record_change(old, rate)) return true;
  m_total -= m_quanta[i];
  m_quanta[i] = m_quantizer.quantize(rate);
  m_total += m_quanta[i];
  return false;
}

void LinearScanSelector::requantize() {
  m_total = {};
  for (std::size_t i = 0; i < m_rates.size(); ++i) {
    m_quanta[i] = m_quantizer.quantize(m_rates[i]);
    m_total += m_quanta[i];
  }
}

void LinearScanSelector::set(std::size_t i, double rate) {
  detail::require_index(i, m_rates.size());
  detail::require_valid_rate(i, rate);
  if (store(i, rate)) requantize();
}

void LinearScanSelector::set_all(std::span<const double> rates) {
  if (rates.size() != m_rates.size())
    throw Error(detail::concat("kmc rate selector: set_all got ", rates.size(),
                               " rates for a selector of size ", m_rates.size()));
  for (std::size_t i = 0; i < rates.size(); ++i) detail::require_valid_rate(i, rates[i]);
  for (std::size_t i = 0; i < rates.size(); ++i) m_rates[i] = rates[i] + 0.0;
  m_quantizer.recount(m_rates.data(), m_rates.size());
  requantize();
}

void LinearScanSelector::update(std::span<const std::size_t> indices,
                                std::span<const double> rates) {
  if (indices.size() != rates.size())
    throw Error(detail::concat("kmc rate selector: update got ", indices.size(), " indices and ",
                               rates.size(), " rates"));
  for (std::size_t k = 0; k < indices.size(); ++k) {
    detail::require_index(indices[k], m_rates.size());
    detail::require_valid_rate(indices[k], rates[k]);
  }
  bool rescaled = false;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    if (rescaled) {
      const double old = m_rates[indices[k]];
      m_rates[indices[k]] = rates[k] + 0.0;
      m_quantizer.record_change(old, m_rates[indices[k]]);
    } else {
      rescaled = store(indices[k], rates[k]);
    }
  }
  if (rescaled) requantize();
}

std::size_t LinearScanSelector::select(double u) const {
  detail::require_selectable(u, m_total, m_rates.size());
  const detail::UInt256 target = detail::scaled_floor(m_total, u);
  detail::UInt256 cumulative;
  for (std::size_t i = 0; i < m_quanta.size(); ++i) {
    cumulative += m_quanta[i];
    if (target < cumulative) return i;
  }
  STZ_REQUIRE(false, "target beyond the total rate (u = ", u, ")");
  return 0;
}

}  // namespace stz
