#include "libstz/kmc/sum_tree_selector.hpp"

#include "libstz/core/parallel.hpp"

#include <bit>
#include <cstddef>

#include "libstz/core/error.hpp"

namespace stz {

void SumTreeSelector::resize(std::size_t n) {
  m_size = n;
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  m_leaves = std::bit_ceil(blocks > 0 ? blocks : std::size_t{1});
  m_blocks.assign(blocks, RateBlock{});
  m_children.assign(m_leaves, ChildSums{});
  m_total = {};
  m_quantizer.reset(n);
}

double SumTreeSelector::rate(std::size_t i) const {
  detail::require_index(i, m_size);
  return m_blocks[i / kBlock].rate[i % kBlock];
}

detail::UInt256 SumTreeSelector::block_sum(std::size_t block) const {
  detail::UInt256 sum;
  for (double r : m_blocks[block].rate) sum += m_quantizer.quantize(r);
  return sum;
}

bool SumTreeSelector::store(std::size_t i, double rate) {
  rate += 0.0;  // −0 becomes +0
  double& slot = rate_slot(i);
  const double old = slot;
  slot = rate;
  if (m_quantizer.record_change(old, rate)) return true;
  const detail::UInt256 q_old = m_quantizer.quantize(old), q_new = m_quantizer.quantize(rate);
  if (q_old == q_new) return false;
  // Arithmetic is modulo 2^256 and every true sum lies in [0, 2^255): adding the wrapped
  // difference lowers the sums exactly when the rate fell.
  const detail::UInt256 delta = q_new - q_old;
  for (std::size_t node = m_leaves + i / kBlock; node > 1; node /= 2) {
    ChildSums& parent = m_children[node / 2];
    ((node & 1u) != 0 ? parent.right : parent.left) += delta;
  }
  m_total += delta;
  return false;
}

void SumTreeSelector::rebuild() {
  // Integer sums are associative, so the parallel loop cannot change any bit of the result.
  std::vector<detail::UInt256> leaf(m_leaves);
  const auto blocks = static_cast<std::ptrdiff_t>(m_blocks.size());
#pragma omp parallel for schedule(static) if (size() >= kParallelMinimum)
  for (std::ptrdiff_t b = 0; b < blocks; ++b)
    leaf[static_cast<std::size_t>(b)] = block_sum(static_cast<std::size_t>(b));

  const auto subtree_sum = [&](std::size_t node) {
    return node >= m_leaves ? leaf[node - m_leaves]
                            : m_children[node].left + m_children[node].right;
  };
  for (std::size_t node = m_leaves - 1; node >= 1; --node) {
    m_children[node].left = subtree_sum(2 * node);
    m_children[node].right = subtree_sum(2 * node + 1);
  }
  m_total = subtree_sum(1);
}

void SumTreeSelector::set(std::size_t i, double rate) {
  detail::require_index(i, m_size);
  detail::require_valid_rate(i, rate);
  if (store(i, rate)) rebuild();
}

void SumTreeSelector::set_all(std::span<const double> rates) {
  if (rates.size() != m_size)
    throw Error(detail::concat("kmc rate selector: set_all got ", rates.size(),
                               " rates for a selector of size ", m_size));
  for (std::size_t i = 0; i < m_size; ++i) detail::require_valid_rate(i, rates[i]);
  for (std::size_t i = 0; i < m_size; ++i) rate_slot(i) = rates[i] + 0.0;
  m_quantizer.recount(rates.data(), m_size);
  rebuild();
}

void SumTreeSelector::update(std::span<const std::size_t> indices, std::span<const double> rates) {
  if (indices.size() != rates.size())
    throw Error(detail::concat("kmc rate selector: update got ", indices.size(), " indices and ",
                               rates.size(), " rates"));
  for (std::size_t k = 0; k < indices.size(); ++k) {
    detail::require_index(indices[k], m_size);
    detail::require_valid_rate(indices[k], rates[k]);
  }
  bool rescaled = false;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    if (rescaled) {
      double& slot = rate_slot(indices[k]);
      const double old = slot;
      slot = rates[k] + 0.0;
      m_quantizer.record_change(old, slot);
    } else {
      rescaled = store(indices[k], rates[k]);
    }
  }
  if (rescaled) rebuild();
}

std::size_t SumTreeSelector::select(double u) const {
  detail::require_selectable(u, m_total, m_size);
  detail::UInt256 target = detail::scaled_floor(m_total, u);
  std::size_t node = 1;
  while (node < m_leaves) {
    const ChildSums& children = m_children[node];
    node *= 2;
    if (detail::subtract_if_not_less(target, children.left)) ++node;
  }
  const std::size_t block = node - m_leaves;
  STZ_ASSERT(block < m_blocks.size(), "descent left the occupied blocks");
  const RateBlock& rates = m_blocks[block];
  for (std::size_t k = 0; k < kBlock; ++k)
    if (!detail::subtract_if_not_less(target, m_quantizer.quantize(rates.rate[k])))
      return block * kBlock + k;
  STZ_REQUIRE(false, "target beyond the sum of its leaf block (u = ", u, ")");
  return 0;
}

}  // namespace stz
