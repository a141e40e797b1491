// Event selection for rejection-free kinetic Monte Carlo (SPEC 3.7, 4.5): a container of n
// non-negative rates indexed 0..n−1 that picks index i with probability rate_i / total. It knows
// nothing about what the events are. Rates may be in any unit (the simulator uses s⁻¹).
//
// Selection rule shared by every implementation, so that they pick identically for the same
// random number: rates are held as exact fixed-point integers q_j (rate_quantizer.hpp;
// q_j = round(rate_j·2^s), q_j >= 1 for rate_j > 0; the largest rate keeps >= 100 significant
// bits for n <= 2^27); with Q = Σ q_j and exact prefix sums C_i = q_0 + … + q_i, select(u) is
// the i with C_{i−1} <= u·Q < C_i, evaluated exactly. A zero rate owns an empty interval and is
// never selected. See docs/kmc.md.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace stz {

/// Holds non-negative rates and picks one with probability proportional to its rate.
class RateSelector {
 public:
  virtual ~RateSelector() = default;

  /// n rates, all zero.
  virtual void resize(std::size_t n) = 0;
  /// Sets rate i; throws stz::Error if i >= size() or the rate is negative, NaN or infinite.
  virtual void set(std::size_t i, double rate) = 0;
  /// Replaces all rates (rates.size() == size()), O(n); validates every rate before changing
  /// anything. Bit-identical for any OpenMP thread count.
  virtual void set_all(std::span<const double> rates) = 0;
  /// rates[k] becomes the rate of indices[k] (later entries win for repeated indices); validates
  /// every pair before changing anything.
  virtual void update(std::span<const std::size_t> indices, std::span<const double> rates) = 0;

  /// Sum of the rates (the exact fixed-point total rounded to double; +inf beyond its range).
  virtual double total() const = 0;
  /// Rate i exactly as it was set.
  virtual double rate(std::size_t i) const = 0;
  /// Number of rates n.
  virtual std::size_t size() const = 0;

  /// The index chosen by u in [0, 1) under the rule in the file comment; never an index with a
  /// zero rate. Throws stz::Error if total() == 0 or u is outside [0, 1).
  virtual std::size_t select(double u) const = 0;
};

/// The available selectors: `linear` (linear scan, O(n) per selection, the reference) and
/// `sum_tree` (binary tree of partial sums, O(log n) per change and per selection).
enum class SelectorKind { linear, sum_tree };

/// Config name of a selector kind.
const char* to_string(SelectorKind kind);

/// Parses a config name; throws ConfigError naming `key`, the value and the valid names.
SelectorKind parse_selector_kind(const std::string& text, const std::string& key);

/// An empty selector (size 0) of the given kind.
std::unique_ptr<RateSelector> make_selector(SelectorKind kind);

}  // namespace stz
