// Owned, contiguous per-voxel fields with any number of components.
// Layout: component-major ("structure of arrays"): component c of voxel i is data()[c·N + i],
// so each component is one contiguous array (what FFTW and the vectorised loops want).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "libstz/core/voigt.hpp"
#include "libstz/grid/grid.hpp"

namespace stz {

template <class T>
class VoxelField {
 public:
  VoxelField() = default;
  VoxelField(std::size_t voxels, int components, T value = T{})
      : m_voxels(voxels),
        m_components(components),
        m_data(voxels * static_cast<std::size_t>(components), value) {}
  VoxelField(const Grid& grid, int components, T value = T{})
      : VoxelField(grid.size(), components, value) {}

  std::size_t voxels() const { return m_voxels; }
  int components() const { return m_components; }

  std::span<T> component(int c) {
    return {m_data.data() + static_cast<std::size_t>(c) * m_voxels, m_voxels};
  }
  std::span<const T> component(int c) const {
    return {m_data.data() + static_cast<std::size_t>(c) * m_voxels, m_voxels};
  }
  T& operator()(int c, std::size_t i) { return m_data[static_cast<std::size_t>(c) * m_voxels + i]; }
  const T& operator()(int c, std::size_t i) const {
    return m_data[static_cast<std::size_t>(c) * m_voxels + i];
  }
  T* data() { return m_data.data(); }
  const T* data() const { return m_data.data(); }
  void fill(T value) { std::fill(m_data.begin(), m_data.end(), value); }

 private:
  std::size_t m_voxels = 0;
  int m_components = 0;
  std::vector<T> m_data;
};

using ScalarField = VoxelField<double>;

/// A symmetric-tensor field: six Voigt components, tensor shears.
class TensorField : public VoxelField<double> {
 public:
  TensorField() = default;
  explicit TensorField(const Grid& grid) : VoxelField<double>(grid, kVoigtSize, 0.0) {}
  explicit TensorField(std::size_t voxels) : VoxelField<double>(voxels, kVoigtSize, 0.0) {}

  SymTensor at(std::size_t i) const {
    SymTensor t;
    for (int v = 0; v < kVoigtSize; ++v) t[static_cast<std::size_t>(v)] = (*this)(v, i);
    return t;
  }
  void set(std::size_t i, const SymTensor& t) {
    for (int v = 0; v < kVoigtSize; ++v) (*this)(v, i) = t[static_cast<std::size_t>(v)];
  }
  void add(std::size_t i, const SymTensor& t) {
    for (int v = 0; v < kVoigtSize; ++v) (*this)(v, i) += t[static_cast<std::size_t>(v)];
  }
  /// Mean over all voxels, in a thread-count-independent order.
  SymTensor mean() const;
};

}  // namespace stz
