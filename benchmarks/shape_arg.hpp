// The SHAPE argument of the whole-run benchmark programs ("256x128", "64x64x64").
#pragma once

#include <string>
#include <vector>

namespace stz::bench {

inline std::vector<int> parse_shape(const std::string& text) {
  std::vector<int> shape;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t x = text.find('x', start);
    shape.push_back(std::stoi(text.substr(start, x - start)));
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return shape;
}

}  // namespace stz::bench
