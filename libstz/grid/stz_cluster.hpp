// The voxels one STZ spans (SPEC 3.1). By default an STZ is one voxel; with finer voxels (to
// resolve ~1 nm MRO domains) an STZ spans a cluster of voxels — a sphere (disc in 2D) or a cube
// (square in 2D) — and the same cluster is centred on every voxel, so sites still sit on every
// voxel and everything stays translation-invariant:
//   - an event at site s adds its eigenstrain to every voxel s + u, u ∈ C;
//   - the stress a site's rates see is the cluster average (1/|C|) Σ_{u∈C} σ(s + u);
//   - the site-to-site response kernel is therefore K_C(r) = (1/|C|) Σ_{u,w∈C} K(r + u − w),
//     even in r like K, and sites whose clusters overlap (offsets in C − C) share voxels.
// This class only knows the offsets and the periodic grid arithmetic; what the cluster means
// for rates and free volume is the model's business (libstz/model), for kernels elasticity's.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {

class StzCluster {
 public:
  using Offset = std::array<int, 3>;

  /// One voxel: today's default STZ.
  StzCluster() : m_offsets{{0, 0, 0}}, m_overlap{{0, 0, 0}} {}
  /// Voxels whose centres lie within radius_nm of the site's centre (a disc in the plane in 2D).
  /// Throws ConfigError (key stz.cluster.radius_nm) when the cluster would not fit the box.
  static StzCluster sphere(const Grid& grid, double radius_nm);
  /// An edge×edge(×edge) block of voxels; the site is its centre voxel (odd edge) or the one
  /// just below the centre (even edge). Throws ConfigError (key stz.cluster.edge_voxels).
  static StzCluster cube(const Grid& grid, int edge_voxels);

  std::size_t size() const { return m_offsets.size(); }
  bool single_voxel() const { return m_offsets.size() == 1; }
  /// The offsets u ∈ C, sorted (lexicographic), the zero offset included.
  const std::vector<Offset>& offsets() const { return m_offsets; }
  /// Distinct offsets d = u − w (u, w ∈ C): the sites whose cluster shares a voxel with the
  /// cluster of site 0 (sorted; contains the zero offset).
  const std::vector<Offset>& overlap_offsets() const { return m_overlap; }
  /// Largest |component| of any offset (the cluster's reach along an axis), voxels.
  int reach() const;

  /// Voxel index of site + offset (periodic).
  static std::size_t shifted(const Grid& grid, std::size_t site, const Offset& offset);
  /// Adds `increment` to every voxel of the cluster at `site`.
  void spread_add(TensorField& field, const Grid& grid, std::size_t site,
                  const SymTensor& increment) const;
  /// out(c, i) = (1/|C|) Σ_{u∈C} in(c, i + u) for every component (out ≠ in). A single voxel
  /// copies. Serial sum in the order of offsets(): independent of the thread count.
  void average(const TensorField& in, const Grid& grid, TensorField& out) const;
  /// The same for interleaved data [voxel][component] of `components` components.
  void average(const std::vector<double>& in, int components, const Grid& grid,
               std::vector<double>& out) const;

  bool operator==(const StzCluster& other) const = default;

 private:
  explicit StzCluster(std::vector<Offset> offsets);
  static void check_fits(const Grid& grid, const std::vector<Offset>& offsets, const char* key,
                         const std::string& value);
  /// The cluster average of `components` values per voxel: set(i, c, mean over u of
  /// get(i + u, c)), the voxel indices of each site computed once.
  template <class Get, class Set>
  void average_each(const Grid& grid, int components, Get get, Set set) const;
  std::vector<Offset> m_offsets;
  std::vector<Offset> m_overlap;
};

}  // namespace stz
