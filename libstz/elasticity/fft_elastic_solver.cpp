#include "libstz/elasticity/fft_elastic_solver.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <memory>
#include <mutex>

#include <fftw3.h>
#include <Eigen/Dense>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "libstz/elasticity/fftw_planner.hpp"

namespace stz {

std::string fftw_library_version() {
  return fftw_version;
}

std::mutex& detail::fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

namespace {

using cplx = std::complex<double>;
using Vec3c = Eigen::Matrix<cplx, 3, 1>;
using Mat3c = Eigen::Matrix<cplx, 3, 3>;

// One lock for all of libstz's FFTW plans (a lock per file let two threads plan at once).
std::mutex& planner_mutex() {
  return detail::fftw_planner_mutex();
}

// RAII owner of an fftw_malloc'ed array.
template <class T>
struct FftwBuffer {
  explicit FftwBuffer(std::size_t n) : ptr(static_cast<T*>(fftw_malloc(sizeof(T) * n))) {
    if (!ptr) throw Error("out of memory allocating an FFT buffer of " + std::to_string(n));
  }
  ~FftwBuffer() { fftw_free(ptr); }
  FftwBuffer(const FftwBuffer&) = delete;
  FftwBuffer& operator=(const FftwBuffer&) = delete;
  T* ptr;
};

struct Plans {
  fftw_plan forward = nullptr, backward = nullptr;
  ~Plans() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    if (forward) fftw_destroy_plan(forward);
    if (backward) fftw_destroy_plan(backward);
  }
};

// Symbol of one factor of the trilinear shape functions: Σ_c φ_c(ξ) e^{i k c} = 1 − ξ + ξ e^{ik}.
inline cplx value_symbol(double xi, cplx phase) {
  return (1.0 - xi) + xi * phase;
}

}  // namespace

FftElasticSolver::FftElasticSolver(const Grid& grid, const IsotropicElasticity& elasticity)
    : m_grid(grid), m_elasticity(elasticity) {}

void FftElasticSolver::solve(const TensorField& eigenstrain, TensorField* strain_fluctuation,
                             TensorField* stress_fluctuation) const {
  const std::size_t n_real = m_grid.size();
  STZ_REQUIRE(eigenstrain.voxels() == n_real && eigenstrain.components() == 6, "eigenstrain has ",
              eigenstrain.voxels(), " voxels, grid ", n_real);
  const int nx = m_grid.extent(0), ny = m_grid.extent(1), nz = m_grid.extent(2);
  const int nzc = nz / 2 + 1;
  const std::size_t n_spec =
      static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny) * static_cast<std::size_t>(nzc);
  const int n_out = (strain_fluctuation ? 6 : 0) + (stress_fluctuation ? 6 : 0);
  if (n_out == 0) return;

  // Spectra: 6 eigenstrain components in, then up to 12 outputs (strain, stress) back.
  std::array<std::unique_ptr<FftwBuffer<fftw_complex>>, 12> spectrum;
  for (int c = 0; c < std::max(6, n_out); ++c)
    spectrum[c] = std::make_unique<FftwBuffer<fftw_complex>>(n_spec);
  FftwBuffer<double> real_scratch(n_real);

  Plans plans;
  {
    std::lock_guard<std::mutex> lock(planner_mutex());
    // FFTW_ESTIMATE keeps the plan (hence the round-off) independent of timing measurements.
    // Aligned plans (no FFTW_UNALIGNED, SIMD codelets: 2× faster at 64³): every execution below
    // uses fftw_malloc'ed arrays.
    plans.forward =
        fftw_plan_dft_r2c_3d(nx, ny, nz, real_scratch.ptr, spectrum[0]->ptr, FFTW_ESTIMATE);
    plans.backward =
        fftw_plan_dft_c2r_3d(nx, ny, nz, spectrum[0]->ptr, real_scratch.ptr, FFTW_ESTIMATE);
  }
  if (!plans.forward || !plans.backward) throw NumericalError("FFTW could not plan the transform");

    // Forward transforms, one single-threaded transform per component (deterministic).
    // (from an aligned copy per thread).
#pragma omp parallel
  {
    FftwBuffer<double> aligned(n_real);
#pragma omp for schedule(static)
    for (int c = 0; c < 6; ++c) {
      const auto& component = eigenstrain.component(c);
      std::copy(component.begin(), component.end(), aligned.ptr);
      fftw_execute_dft_r2c(plans.forward, aligned.ptr, spectrum[c]->ptr);
    }
  }

  const double a = m_grid.voxel_nm();
  const double lambda = m_elasticity.lame_lambda_GPa(), mu = m_elasticity.shear_modulus_GPa();
  const double d = 0.5 / std::sqrt(3.0);
  const double gauss[2] = {0.5 - d, 0.5 + d};
  const double two_pi = 2.0 * units::pi;
  const int out_strain = strain_fluctuation ? 0 : -1;
  const int out_stress = stress_fluctuation ? (strain_fluctuation ? 6 : 0) : -1;
  // Outputs overwrite the input spectra in place; copy the inputs first per wave vector.

#pragma omp parallel for schedule(static) collapse(2)
  for (int ix = 0; ix < nx; ++ix) {
    for (int iy = 0; iy < ny; ++iy) {
      const cplx px = std::polar(1.0, two_pi * ix / nx);
      const cplx py = std::polar(1.0, two_pi * iy / ny);
      for (int iz = 0; iz < nzc; ++iz) {
        const std::size_t s = (static_cast<std::size_t>(ix) * ny + iy) * nzc + iz;
        std::array<cplx, 6> eps_star;
        for (int c = 0; c < 6; ++c)
          eps_star[c] = cplx(spectrum[c]->ptr[s][0], spectrum[c]->ptr[s][1]);
        std::array<cplx, 6> strain{}, stress{};
        if (!(ix == 0 && iy == 0 && iz == 0)) {
          const cplx pz = std::polar(1.0, two_pi * iz / nz);
          // Gradient symbols g(k) = Σ_c ∇N_c(ξ) e^{ik·c} at a local point, per axis factor.
          const cplx dx = (px - 1.0) / a, dy = (py - 1.0) / a, dz = (pz - 1.0) / a;
          auto gradient_symbol = [&](double xi, double eta, double zeta) {
            const cplx sx = value_symbol(xi, px), sy = value_symbol(eta, py),
                       sz = value_symbol(zeta, pz);
            return Vec3c(dx * sy * sz, sx * dy * sz, sx * sy * dz);
          };
          // K̂(k)/V = Σ_g w_g [λ ḡ gᵀ + μ(|g|² I + g gᴴ)], w_g = 1/8.
          Mat3c k_hat = Mat3c::Zero();
          for (int g = 0; g < 8; ++g) {
            const Vec3c grad = gradient_symbol(gauss[g & 1], gauss[(g >> 1) & 1], gauss[g >> 2]);
            k_hat +=
                0.125 * (lambda * grad.conjugate() * grad.transpose() +
                         mu * (grad.squaredNorm() * Mat3c::Identity() + grad * grad.adjoint()));
          }
          const Vec3c gc = gradient_symbol(0.5, 0.5, 0.5);
          // σ̂* = C ε̂*, rhs_j = Σ_i ḡ_i σ̂*_ij (the volume factor cancels against K̂/V).
          const cplx tr = eps_star[0] + eps_star[1] + eps_star[2];
          std::array<cplx, 6> sig_star;
          for (int c = 0; c < 6; ++c)
            sig_star[c] = 2.0 * mu * eps_star[c] + (c < 3 ? lambda * tr : 0.0);
          Eigen::Matrix3cd sig;
          sig << sig_star[kXX], sig_star[kXY], sig_star[kXZ], sig_star[kXY], sig_star[kYY],
              sig_star[kYZ], sig_star[kXZ], sig_star[kYZ], sig_star[kZZ];
          const Vec3c rhs = sig.transpose() * gc.conjugate();
          const Vec3c u = k_hat.ldlt().solve(rhs);
          // ε̂ = sym(g_c ⊗ û); σ̂ = C (ε̂ − ε̂*).
          strain[kXX] = gc[0] * u[0];
          strain[kYY] = gc[1] * u[1];
          strain[kZZ] = gc[2] * u[2];
          strain[kYZ] = 0.5 * (gc[1] * u[2] + gc[2] * u[1]);
          strain[kXZ] = 0.5 * (gc[0] * u[2] + gc[2] * u[0]);
          strain[kXY] = 0.5 * (gc[0] * u[1] + gc[1] * u[0]);
          const cplx etr = strain[0] + strain[1] + strain[2];
          for (int c = 0; c < 6; ++c)
            stress[c] = 2.0 * mu * strain[c] + (c < 3 ? lambda * etr : 0.0) - sig_star[c];
        }
        for (int c = 0; c < 6; ++c) {
          if (out_strain >= 0) {
            spectrum[out_strain + c]->ptr[s][0] = strain[c].real();
            spectrum[out_strain + c]->ptr[s][1] = strain[c].imag();
          }
          if (out_stress >= 0) {
            spectrum[out_stress + c]->ptr[s][0] = stress[c].real();
            spectrum[out_stress + c]->ptr[s][1] = stress[c].imag();
          }
        }
      }
    }
  }

  // Backward transforms (unnormalised in FFTW: divide by N).
  const double inv_n = 1.0 / static_cast<double>(n_real);
#pragma omp parallel
  {
    FftwBuffer<double> aligned(n_real);
#pragma omp for schedule(static)
    for (int c = 0; c < n_out; ++c) {
      TensorField* target = (c < 6 && out_strain == 0) ? strain_fluctuation : stress_fluctuation;
      double* out = target->component(c % 6).data();
      fftw_execute_dft_c2r(plans.backward, spectrum[c]->ptr, aligned.ptr);
      for (std::size_t i = 0; i < n_real; ++i) out[i] = aligned.ptr[i] * inv_n;
    }
  }
}

void site_stress_fluctuation(const FftElasticSolver& solver, const StzCluster& cluster,
                             const TensorField& eigenstrain, TensorField& out,
                             TensorField& scratch) {
  if (cluster.single_voxel()) {
    solver.solve(eigenstrain, nullptr, &out);
    return;
  }
  if (scratch.voxels() != solver.grid().size()) scratch = TensorField(solver.grid());
  solver.solve(eigenstrain, nullptr, &scratch);
  cluster.average(scratch, solver.grid(), out);
}

void site_kernel_column(const FftElasticSolver& solver, const StzCluster& cluster, int component,
                        TensorField& out) {
  TensorField unit(solver.grid()), scratch;
  SymTensor e{};
  e[static_cast<std::size_t>(component)] = 1.0;
  cluster.spread_add(unit, solver.grid(), 0, e);
  site_stress_fluctuation(solver, cluster, unit, out, scratch);
}

}  // namespace stz
