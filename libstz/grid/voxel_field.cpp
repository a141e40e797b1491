#include "libstz/grid/voxel_field.hpp"

#include "libstz/core/parallel.hpp"

namespace stz {

SymTensor TensorField::mean() const {
  SymTensor m{};
  if (voxels() == 0) return m;
  for (int v = 0; v < kVoigtSize; ++v)
    m[static_cast<std::size_t>(v)] =
        deterministic_sum(component(v).data(), voxels()) / static_cast<double>(voxels());
  return m;
}

}  // namespace stz
