// The stress fluctuation of a whole eigenstrain field as the periodic convolution of the field
// with the compact response kernel, done by FFT: σ_a(x) = Σ_b Σ_y K_ab(x − y) ε*_b(y). Because
// the kernel IS the voxel-FE response (compact_response_kernel.hpp), this is the exact FE
// solution on the active components, up to round-off — the fast engine's re-solve. It is cheaper
// than FftElasticSolver::solve: the kernel's spectrum Γ_ab(k) is computed once (real: the kernel
// is real and even under x → −x; not symmetric in ab with tensor-shear components), and a solve
// is NA forward
// transforms, one small matrix product per wave vector and NA inverse transforms. 2D grids
// (nz = 1) use 2D transforms.
#pragma once

#include <memory>
#include <vector>

#include "libstz/elasticity/compact_response_kernel.hpp"

namespace stz {

class KernelConvolution {
 public:
  explicit KernelConvolution(const CompactResponseKernel& kernel);
  /// The convolution giving the site stress of STZs of `cluster` from a voxel eigenstrain field:
  /// with one voxel, `site_kernel`'s; with a cluster, the one-voxel kernel's (built from `solver`
  /// for the purpose, then freed) followed by the cluster average, taken in real space after the
  /// transform (so no symmetry of the cluster is needed).
  KernelConvolution(const CompactResponseKernel& site_kernel, const FftElasticSolver& solver,
                    const StzCluster& cluster);
  ~KernelConvolution();
  KernelConvolution(const KernelConvolution&) = delete;
  KernelConvolution& operator=(const KernelConvolution&) = delete;

  /// Transform buffers, reused between calls (one per caller; not shared between threads).
  class Workspace {
   public:
    Workspace();
    ~Workspace();
    Workspace(const Workspace&);  // a fresh, empty workspace: buffers are never shared
    Workspace& operator=(const Workspace&);

   private:
    friend class KernelConvolution;
    struct Buffers;
    std::unique_ptr<Buffers> m_buffers;
  };

  /// stress[i·NA + a] = Σ_b (K_ab * ε*_b)(x_i) (then averaged over the cluster of site i) for the
  /// active components of `eigenstrain` (a full TensorField, tensor shears). Thread-count
  /// independent.
  void convolve(const TensorField& eigenstrain, std::vector<double>& stress,
                Workspace& workspace) const;

  const Grid& grid() const { return m_grid; }

 private:
  struct Plans;
  void init(const CompactResponseKernel& kernel);
  Grid m_grid;
  StzCluster m_average;
  std::vector<int> m_active;
  int m_na;
  std::size_t m_spectrum_size;
  /// Γ_ab(k) (real), [k][a·NA + b]: the multiply reads one contiguous block per wave vector.
  std::vector<double> m_gamma;
  std::unique_ptr<Plans> m_plans;
};

}  // namespace stz
