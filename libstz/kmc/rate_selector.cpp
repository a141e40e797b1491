#include "libstz/kmc/rate_selector.hpp"

#include "libstz/core/error.hpp"
#include "libstz/kmc/linear_scan_selector.hpp"
#include "libstz/kmc/sum_tree_selector.hpp"

namespace stz {

const char* to_string(SelectorKind kind) {
  switch (kind) {
    case SelectorKind::linear:
      return "linear";
    case SelectorKind::sum_tree:
      return "sum_tree";
  }
  return "unknown";
}

SelectorKind parse_selector_kind(const std::string& text, const std::string& key) {
  for (SelectorKind kind : {SelectorKind::linear, SelectorKind::sum_tree})
    if (text == to_string(kind)) return kind;
  throw ConfigError(key, text, "one of: linear, sum_tree");
}

std::unique_ptr<RateSelector> make_selector(SelectorKind kind) {
  switch (kind) {
    case SelectorKind::linear:
      return std::make_unique<LinearScanSelector>();
    case SelectorKind::sum_tree:
      return std::make_unique<SumTreeSelector>();
  }
  throw InternalError("make_selector: unknown SelectorKind");
}

}  // namespace stz
