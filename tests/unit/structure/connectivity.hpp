// Test-only check that a voxel set is one face-connected piece of the periodic grid.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "libstz/grid/grid.hpp"

namespace stz::testing {

/// True when `voxels` (grid indices) form one face-connected, periodically wrapped piece.
inline bool is_one_periodic_piece(const Grid& grid, const std::vector<std::size_t>& voxels) {
  if (voxels.empty()) return false;
  std::vector<char> member(grid.size(), 0), seen(grid.size(), 0);
  for (std::size_t i : voxels) member[i] = 1;
  std::vector<std::size_t> stack{voxels.front()};
  seen[voxels.front()] = 1;
  std::size_t reached = 0;
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    ++reached;
    const auto c = grid.coords(i);
    for (int axis = 0; axis < grid.dimension(); ++axis)
      for (int step : {-1, 1}) {
        long n[3] = {c[0], c[1], c[2]};
        n[axis] += step;
        const std::size_t j = grid.wrapped_index(n[0], n[1], n[2]);
        if (member[j] && !seen[j]) {
          seen[j] = 1;
          stack.push_back(j);
        }
      }
  }
  return reached == voxels.size();
}

/// The voxels of domain `id` in a per-voxel domain-id vector.
template <class Ids>
std::vector<std::size_t> voxels_of(const Ids& domain_id, int id) {
  std::vector<std::size_t> voxels;
  for (std::size_t i = 0; i < domain_id.size(); ++i)
    if (domain_id[i] == id) voxels.push_back(i);
  return voxels;
}

}  // namespace stz::testing
