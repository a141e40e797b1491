#include "libstz/elasticity/kernel_convolution.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <mutex>

#include <fftw3.h>

#include "libstz/core/error.hpp"
#include "libstz/elasticity/fftw_planner.hpp"

namespace stz {
namespace {

// One lock for all of libstz's FFTW plans (a lock per file let two threads plan at once).
std::mutex& planner_mutex() {
  return detail::fftw_planner_mutex();
}

std::size_t pair_index(int a, int b, int na) {
  return static_cast<std::size_t>(a * na + b);
}

}  // namespace

struct KernelConvolution::Plans {
  fftw_plan forward = nullptr, backward = nullptr;
  ~Plans() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (forward) fftw_destroy_plan(forward);
    if (backward) fftw_destroy_plan(backward);
  }
};

namespace {

// Owner of fftw_malloc'ed memory.
template <class T>
struct Buffer {
  explicit Buffer(std::size_t n)
      : ptr(static_cast<T*>(fftw_malloc(sizeof(T) * std::max<std::size_t>(n, 1)))) {
    if (!ptr) throw Error("out of memory allocating an FFT buffer of " + std::to_string(n));
  }
  ~Buffer() { fftw_free(ptr); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  T* ptr;
};

}  // namespace

KernelConvolution::KernelConvolution(const CompactResponseKernel& kernel) : m_grid(kernel.grid()) {
  init(kernel);
}

KernelConvolution::KernelConvolution(const CompactResponseKernel& site_kernel,
                                     const FftElasticSolver& solver, const StzCluster& cluster)
    : m_grid(site_kernel.grid()), m_average(cluster) {
  if (cluster.single_voxel())
    init(site_kernel);
  else
    init(CompactResponseKernel(solver, site_kernel.active()));
}

void KernelConvolution::init(const CompactResponseKernel& kernel) {
  m_active = kernel.active();
  m_na = kernel.active_count();
  m_plans = std::make_unique<Plans>();
  const int nx = m_grid.extent(0), ny = m_grid.extent(1), nz = m_grid.extent(2);
  const bool planar = nz == 1;
  m_spectrum_size = planar ? static_cast<std::size_t>(nx) * (ny / 2 + 1)
                           : static_cast<std::size_t>(nx) * ny * (nz / 2 + 1);
  const std::size_t n = m_grid.size();
  Buffer<double> real(n);
  Buffer<fftw_complex> spec(m_spectrum_size);
  {
    std::lock_guard<std::mutex> lock(planner_mutex());
    // FFTW_ESTIMATE: the plan (hence the round-off) does not depend on timing measurements.
    // Aligned (no FFTW_UNALIGNED): every execution uses fftw_malloc'ed buffers, which lets FFTW
    // use its SIMD codelets (2× faster transforms at 64³, docs/performance.md).
    const unsigned flags = FFTW_ESTIMATE;
    m_plans->forward = planar ? fftw_plan_dft_r2c_2d(nx, ny, real.ptr, spec.ptr, flags)
                              : fftw_plan_dft_r2c_3d(nx, ny, nz, real.ptr, spec.ptr, flags);
    m_plans->backward = planar ? fftw_plan_dft_c2r_2d(nx, ny, spec.ptr, real.ptr, flags)
                               : fftw_plan_dft_c2r_3d(nx, ny, nz, spec.ptr, real.ptr, flags);
  }
  if (!m_plans->forward || !m_plans->backward)
    throw NumericalError("FFTW could not plan the kernel convolution");
  // Γ_ab = DFT of K_ab. The imaginary parts vanish to round-off (the kernel is even).
  const std::size_t pairs = static_cast<std::size_t>(m_na * m_na);
  m_gamma.assign(pairs * m_spectrum_size, 0.0);
  for (int a = 0; a < m_na; ++a)
    for (int b = 0; b < m_na; ++b) {
      for (std::size_t k = 0; k < n; ++k) real.ptr[k] = kernel.value(k, a, b);
      fftw_execute_dft_r2c(m_plans->forward, real.ptr, spec.ptr);
      const std::size_t ab = pair_index(a, b, m_na);
      for (std::size_t k = 0; k < m_spectrum_size; ++k) m_gamma[k * pairs + ab] = spec.ptr[k][0];
    }
}

KernelConvolution::~KernelConvolution() = default;

struct KernelConvolution::Workspace::Buffers {
  std::size_t spectrum_size = 0, real_size = 0;
  std::vector<std::unique_ptr<Buffer<fftw_complex>>> spectra;
  std::vector<std::unique_ptr<Buffer<double>>> reals;
};

KernelConvolution::Workspace::Workspace() : m_buffers(std::make_unique<Buffers>()) {}
KernelConvolution::Workspace::~Workspace() = default;
KernelConvolution::Workspace::Workspace(const Workspace&) : Workspace() {}
KernelConvolution::Workspace& KernelConvolution::Workspace::operator=(const Workspace&) {
  m_buffers = std::make_unique<Buffers>();
  return *this;
}

void KernelConvolution::convolve(const TensorField& eigenstrain, std::vector<double>& stress,
                                 Workspace& workspace) const {
  const std::size_t n = m_grid.size(), na = static_cast<std::size_t>(m_na);
  STZ_REQUIRE(eigenstrain.voxels() == n, "eigenstrain of ", eigenstrain.voxels(), " voxels");
  stress.resize(n * na);
  auto& w = *workspace.m_buffers;
  if (w.spectrum_size != m_spectrum_size || w.real_size != n || w.spectra.size() != na) {
    w.spectra.clear();
    w.reals.clear();
    for (std::size_t a = 0; a < na; ++a) {
      w.spectra.push_back(std::make_unique<Buffer<fftw_complex>>(m_spectrum_size));
      w.reals.push_back(std::make_unique<Buffer<double>>(n));
    }
    w.spectrum_size = m_spectrum_size;
    w.real_size = n;
  }
  auto& in = w.spectra;
  // One single-threaded transform per component (deterministic for any thread count), from an
  // aligned copy (the plan was made for aligned arrays).
#pragma omp parallel for schedule(static)
  for (std::size_t a = 0; a < na; ++a) {
    const auto& component = eigenstrain.component(m_active[a]);
    std::copy(component.begin(), component.end(), w.reals[a]->ptr);
    fftw_execute_dft_r2c(m_plans->forward, w.reals[a]->ptr, in[a]->ptr);
  }
  const std::size_t ns = m_spectrum_size, pairs = na * na;
#pragma omp parallel for schedule(static)
  for (std::size_t k = 0; k < ns; ++k) {  // in place: σ̂(k) = Γ(k) ε̂*(k)
    double re[6], im[6];
    const double* gk = m_gamma.data() + k * pairs;  // Γ(k), one contiguous block
    for (std::size_t a = 0; a < na; ++a) {
      re[a] = 0.0;
      im[a] = 0.0;
      for (std::size_t b = 0; b < na; ++b) {
        const double g = gk[pair_index(static_cast<int>(a), static_cast<int>(b), m_na)];
        re[a] += g * in[b]->ptr[k][0];
        im[a] += g * in[b]->ptr[k][1];
      }
    }
    for (std::size_t a = 0; a < na; ++a) {
      in[a]->ptr[k][0] = re[a];
      in[a]->ptr[k][1] = im[a];
    }
  }
  const double inv_n = 1.0 / static_cast<double>(n);
#pragma omp parallel for schedule(static)
  for (std::size_t a = 0; a < na; ++a) {
    double* real = w.reals[a]->ptr;
    fftw_execute_dft_c2r(m_plans->backward, in[a]->ptr, real);
    for (std::size_t i = 0; i < n; ++i) stress[i * na + a] = real[i] * inv_n;
  }
  if (!m_average.single_voxel()) {
    std::vector<double> voxel_stress;
    voxel_stress.swap(stress);
    m_average.average(voxel_stress, m_na, m_grid, stress);
  }
}

}  // namespace stz
