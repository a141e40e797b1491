#include "libstz/model/stz_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/units.hpp"
#include "libstz/model/fast_exp.hpp"

namespace stz {
namespace {

constexpr std::size_t kSweepBlock = 256;

double frobenius(const SymTensor& t) {
  return std::sqrt(double_dot(t, t));
}

// The hot loop of both engines: one site, every mode k: x_k = c + Σ_a s_a γ_{a,k}, with γ the
// stored shear parts and c = −ΔF/k_BT + s·D the part common to all modes (D the dilatation; s
// already carries ½Ω/k_BT and the shear weight); returns Σ_k exp(x_k) and max_k x_k. NA (the
// active component count) is a template parameter so the component loop unrolls and the mode
// loop vectorises. The reduction order is fixed by the code, not by threads.
//
// Paired sites (reverse modes, even M) store only the P = M/2 systems: mode k + P is exactly −γ_k,
// so a pair contributes e^c (e^y + e^−y) with y = s·γ_k — one exponential and one division
// instead of two exponentials, half the dot products and half the tensor memory.

// e^c for a paired site, as a product of two clamped factors: exact for c >= −1400 (fast_exp
// alone clamps at −700), 0 below, so a huge barrier gives no spurious rate through e^|y|.
inline double pair_prefactor(double c) {
  const double head = c > -700.0 ? c : -700.0;
  return fast_exp(head) * fast_exp(c - head);
}

template <int NA>
inline void paired_exponents(const float* eps, std::size_t step, int stored, const double* s,
                             double c, double& sum, double& best) {
  double acc = 0.0, top = 0.0;
#pragma omp simd reduction(+ : acc) reduction(max : top)
  for (int k = 0; k < stored; ++k) {
    double y = 0.0;
    for (int a = 0; a < NA; ++a)
      y += s[a] * static_cast<double>(eps[(static_cast<std::size_t>(a) * stored + k) * step]);
    const double ay = y < 0.0 ? -y : y;
    const double e = fast_exp(ay);
    acc += e + 1.0 / e;
    top = ay > top ? ay : top;
  }
  sum = pair_prefactor(c) * acc;
  best = c + top;
}

template <int NA>
inline void site_exponents(const float* eps, std::size_t step, int modes, bool paired,
                           const double* s, double log_prefactor, double& sum, double& best) {
  if (paired) {
    paired_exponents<NA>(eps, step, modes / 2, s, log_prefactor, sum, best);
    return;
  }
  double acc = 0.0, top = -1e300;
#pragma omp simd reduction(+ : acc) reduction(max : top)
  for (int k = 0; k < modes; ++k) {
    double x = log_prefactor;
    for (int a = 0; a < NA; ++a)
      x += s[a] * static_cast<double>(eps[(static_cast<std::size_t>(a) * modes + k) * step]);
    acc += fast_exp(x);
    top = x > top ? x : top;
  }
  sum = acc;
  best = top;
}

void site_exponents(int na, const float* eps, std::size_t step, int modes, bool paired,
                    const double* s, double log_prefactor, double& sum, double& best) {
  switch (na) {
    case 3:
      site_exponents<3>(eps, step, modes, paired, s, log_prefactor, sum, best);
      return;
    case 4:
      site_exponents<4>(eps, step, modes, paired, s, log_prefactor, sum, best);
      return;
    default:
      site_exponents<6>(eps, step, modes, paired, s, log_prefactor, sum, best);
      return;
  }
}

// The same for a whole chunk of kChunk consecutive sites of equal mode count (interleaved
// storage), vectorised across the sites: the full sweeps of both engines use this. The arithmetic
// per site is the same sequence of operations as site_exponents, but reduced in another order,
// so sums agree to round-off, not bit for bit.
constexpr int kChunk = 8;

// Vectors of the hardware's width (8 doubles with AVX-512, else 4), written with GCC/Clang vector
// extensions; a chunk is kChunk / kLanes of them. The auto-vectoriser split the former lane loop
// into two 256-bit halves even with -mprefer-vector-width=512 (3.3 ns per site-mode instead of
// 1.5 with AVX-512, docs/performance.md). A vector wider than the hardware is no remedy on AVX2:
// GCC lowers its comparisons and selects (the clamp, |y|, the running maximum) lane by lane in
// scalar code, which cost 3× the whole kernel at 32³ (docs/performance.md). Lane by lane it is
// the arithmetic of fast_exp, so the results equal the scalar formula up to FMA contraction, and
// they do not depend on the width.
#if defined(__AVX512F__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
static_assert(kChunk % kLanes == 0);
using VD = double __attribute__((vector_size(8 * kLanes)));
using VF = float __attribute__((vector_size(4 * kLanes)));
using VL = std::int64_t __attribute__((vector_size(8 * kLanes)));

inline VD fast_exp(VD x) {  // fast_exp.hpp's arithmetic on kLanes lanes
  using namespace fast_exp_detail;
  const VD lo = VD{} - 700.0, hi = VD{} + 700.0;
  x = x < lo ? lo : x;
  x = x > hi ? hi : x;
  const VD rounded = x * kLog2e + kRound;
  const VD n = rounded - kRound;
  const VD r = (x - n * kLn2Hi) - n * kLn2Lo;
  const VL bits = ((VL)rounded - kRoundBits + 1023) << 52;  // 2^n from t's bits (fast_exp.hpp)
  return reduced_exp(r) * (VD)bits;                         // a vector cast reinterprets the bits
}

template <class V, class T>
inline V load(const T* v) {
  V out;
  std::memcpy(&out, v, sizeof out);
  return out;
}

// One vector of lanes [first, first + kLanes) of a chunk.
template <int NA>
inline void lane_exponents(const float* eps0, int modes, bool paired, const double (*s)[kChunk],
                           const double* log_prefactor, double* sum, double* best, int first) {
  VD sa[NA];
  for (int a = 0; a < NA; ++a) sa[a] = load<VD>(s[a] + first);
  const VD lp = load<VD>(log_prefactor + first);
  const float* eps = eps0 + first;
  VD out, drive;
  if (paired) {  // paired_exponents, vectorised
    const int stored = modes / 2;
    VD acc = VD{}, top = VD{};
    for (int k = 0; k < stored; ++k) {
      VD y = VD{};
      for (int a = 0; a < NA; ++a)
        y += sa[a] * __builtin_convertvector(
                         load<VF>(eps + (static_cast<std::size_t>(a) * stored + k) * kChunk), VD);
      const VD ay = y < 0.0 ? -y : y;
      const VD e = fast_exp(ay);
      acc += e + 1.0 / e;
      top = ay > top ? ay : top;
    }
    const VD lo = VD{} - 700.0;
    const VD head = lp > lo ? lp : lo;
    out = fast_exp(head) * fast_exp(lp - head) * acc;
    drive = lp + top;
  } else {
    VD acc = VD{}, top = VD{} - 1e300;
    for (int k = 0; k < modes; ++k) {
      VD x = lp;
      for (int a = 0; a < NA; ++a)
        x += sa[a] * __builtin_convertvector(
                         load<VF>(eps + (static_cast<std::size_t>(a) * modes + k) * kChunk), VD);
      acc += fast_exp(x);
      top = x > top ? x : top;
    }
    out = acc;
    drive = top;
  }
  std::memcpy(sum + first, &out, sizeof out);
  std::memcpy(best + first, &drive, sizeof drive);
}

template <int NA>
inline void chunk_exponents(const float* eps0, int modes, bool paired, const double (*s)[kChunk],
                            const double* log_prefactor, double* sum, double* best) {
  for (int first = 0; first < kChunk; first += kLanes)
    lane_exponents<NA>(eps0, modes, paired, s, log_prefactor, sum, best, first);
}

void chunk_exponents(int na, const float* eps0, int modes, bool paired, const double (*s)[kChunk],
                     const double* log_prefactor, double* sum, double* best) {
  switch (na) {
    case 3:
      chunk_exponents<3>(eps0, modes, paired, s, log_prefactor, sum, best);
      return;
    case 4:
      chunk_exponents<4>(eps0, modes, paired, s, log_prefactor, sum, best);
      return;
    default:
      chunk_exponents<6>(eps0, modes, paired, s, log_prefactor, sum, best);
      return;
  }
}

// Orthonormal (Frobenius, tensor shears) basis of the span of all mode tensors, in
// active-component coordinates.
std::vector<std::array<double, kMaxActive>> make_mode_basis(const std::vector<int>& active,
                                                            int dimension, bool dilatation) {
  std::vector<SymTensor> basis;
  const double r2 = 1.0 / std::sqrt(2.0), r6 = 1.0 / std::sqrt(6.0), r3 = 1.0 / std::sqrt(3.0);
  basis.push_back({r2, -r2, 0, 0, 0, 0});
  basis.push_back({0, 0, 0, 0, 0, r2});  // xy tensor shear: 2·(1/√2)² = 1
  if (dimension == 3) {
    basis.push_back({r6, r6, -2.0 * r6, 0, 0, 0});
    basis.push_back({0, 0, 0, r2, 0, 0});
    basis.push_back({0, 0, 0, 0, r2, 0});
  }
  if (dilatation) basis.push_back({r3, r3, r3, 0, 0, 0});
  std::vector<std::array<double, kMaxActive>> out;
  for (const auto& b : basis) {
    std::array<double, kMaxActive> row{};
    for (std::size_t a = 0; a < active.size(); ++a) row[a] = b[static_cast<std::size_t>(active[a])];
    out.push_back(row);
  }
  return out;
}

}  // namespace

StzCluster make_stz_cluster(const Grid& grid, const StzClusterParams& p) {
  p.validate();
  switch (p.shape) {
    case ClusterShape::sphere:
      return StzCluster::sphere(grid, p.radius_nm);
    case ClusterShape::cube:
      return StzCluster::cube(grid, p.edge_voxels);
    default:
      return StzCluster();
  }
}

double stz_volume_nm3(const Grid& grid, const StzClusterParams& p, const StzCluster& cluster) {
  const double a = grid.voxel_nm();
  const double depth = grid.dimension() == 3 ? a : (p.thickness_nm > 0.0 ? p.thickness_nm : a);
  return static_cast<double>(cluster.size()) * a * a * depth;
}

StzModel::StzModel(const Grid& grid, const ModelParams& params, const StructureMap& structure,
                   std::uint64_t seed)
    : m_grid(grid),
      m_params(params),
      m_cluster(make_stz_cluster(grid, params.cluster)),
      m_stz_volume_nm3(stz::stz_volume_nm3(grid, params.cluster, m_cluster)),
      m_nu0(params.cluster.attempt_scaling == AttemptScaling::per_volume
                ? params.attempt_frequency_per_s / static_cast<double>(m_cluster.size())
                : params.attempt_frequency_per_s),
      m_type(structure.type),
      m_domain(structure.domain_id),
      m_catalog_rng(seed, RngPurpose::catalog),
      m_kT(units::thermal_energy_eV(params.temperature_K)),
      m_half_omega(0.5 * m_stz_volume_nm3 * units::eV_per_GPa_nm3) {
  params.validate();
  structure.check_invariants(grid);
  const int n_types = static_cast<int>(params.types.size());
  for (const auto& t : params.types) {
    m_type_modes.push_back(t.resolved_modes());
    m_type_paired.push_back(t.paired_modes());
  }
  m_max_modes = *std::max_element(m_type_modes.begin(), m_type_modes.end());
  m_annealing_time_s = 1.0 / (params.attempt_frequency_per_s *
                              std::exp(-params.free_volume.annealing_barrier_eV / m_kT));

  m_active = {kXX, kYY, kXY};
  if (grid.dimension() == 3)
    m_active = {kXX, kYY, kZZ, kYZ, kXZ, kXY};
  else if (params.dilatation != 0.0)
    m_active = {kXX, kYY, kZZ, kXY};
  for (std::size_t a = 0; a < m_active.size(); ++a) {
    m_stress_scale[a] = voigt_contraction_weight(m_active[a]) * m_half_omega / m_kT;
    // The dilatation δγ0/3·I every mode carries (shear_catalog.cpp, from_systems).
    m_dilatation[a] = m_active[a] < 3 ? params.dilatation * params.gamma0 / 3.0 : 0.0;
  }
  m_mode_basis = make_mode_basis(m_active, grid.dimension(), params.dilatation != 0.0);

  for (const auto& d : structure.domains)
    if (d.type < 0 || d.type >= n_types)
      throw ConfigError("mro.composition", "type index " + std::to_string(d.type),
                        "a type defined under `types`");

  const std::size_t n = grid.size();
  const std::size_t na = m_active.size();
  for (std::size_t i = 0; i < n; ++i) {
    const int t = m_type[i];
    if (t < 0 || t >= n_types)
      throw ConfigError("types", "type index " + std::to_string(t) + " in the structure map",
                        "one of the " + std::to_string(n_types) + " defined types");
  }
  static_assert(kTensorChunk == static_cast<std::size_t>(kChunk));
  const std::size_t chunks = (n + kTensorChunk - 1) / kTensorChunk;
  m_site_base.assign(n, 0);
  m_chunk_uniform.assign(chunks, 0);
  std::uint64_t offset = 0;
  for (std::size_t c = 0; c < chunks; ++c) {
    const std::size_t first = c * kTensorChunk, last = std::min(n, first + kTensorChunk);
    bool uniform = true;
    for (std::size_t i = first; i < last; ++i)
      uniform = uniform && mode_count(i) == mode_count(first) && paired(i) == paired(first);
    m_chunk_uniform[c] = uniform;
    if (uniform) {  // every lane, even past the grid's end, so the chunk is whole vectors
      for (std::size_t i = first; i < last; ++i) m_site_base[i] = offset + (i - first);
      offset += kTensorChunk * na * static_cast<std::uint64_t>(stored_count(first));
    } else {
      for (std::size_t i = first; i < last; ++i) {
        m_site_base[i] = offset;
        offset += na * static_cast<std::uint64_t>(stored_count(i));
      }
    }
  }
  m_tensors.assign(offset, 0.0f);
  m_barrier0_eV.assign(n, 0.0);

  // Initial draws, in site order, one stream per purpose. Per-domain catalogs (shared
  // orientation, kept after firing) are built once per (domain, type): with mro.mixing
  // per_voxel the voxels of one domain may have different types, all in the domain's
  // orientation.
  Rng orientation_rng(seed, RngPurpose::orientation);
  Rng barrier_rng(seed, RngPurpose::barrier);
  std::map<std::pair<std::int32_t, int>, ShearCatalog> domain_catalogs;
  for (std::size_t i = 0; i < n; ++i) {
    const int t = m_type[i];
    const auto& type = params.types[static_cast<std::size_t>(t)];
    if (!per_voxel_disorder()) m_barrier0_eV[i] = draw_barrier(t, barrier_rng);
    const bool shared = type.orientation == OrientationPolicy::per_domain && m_domain[i] >= 0;
    if (!shared) {
      assign_catalog(i, draw_site_catalog(t, orientation_rng));
      continue;
    }
    auto it = domain_catalogs.find({m_domain[i], t});
    if (it == domain_catalogs.end()) {
      const MroDomain& d = structure.domains[static_cast<std::size_t>(m_domain[i])];
      const int m = m_type_modes[static_cast<std::size_t>(t)];
      it = domain_catalogs
               .emplace(std::pair{m_domain[i], t},
                        grid.dimension() == 2
                            ? make_planar_catalog(m, params.gamma0, params.dilatation, d.angle_rad,
                                                  type.reverse_modes)
                            : make_template_catalog(m, params.gamma0, params.dilatation, d.rotation,
                                                    type.reverse_modes))
               .first;
    }
    assign_catalog(i, it->second);
  }
  // The largest mode norm does not change on redraws (every catalog has the same magnitudes).
  const SymTensor pure{0.5 * params.gamma0, -0.5 * params.gamma0, 0, 0, 0, 0};
  const SymTensor dil{params.dilatation * params.gamma0 / 3.0,
                      params.dilatation * params.gamma0 / 3.0,
                      params.dilatation * params.gamma0 / 3.0,
                      0,
                      0,
                      0};
  m_max_mode_norm = frobenius(pure + dil);

  if (per_voxel_disorder()) {  // one normal per voxel, in voxel order, then the site barriers
    m_voxel_disorder.resize(n);
    for (double& g : m_voxel_disorder) g = standard_normal(barrier_rng);
    for (std::size_t i = 0; i < n; ++i) m_barrier0_eV[i] = correlated_barrier(i);
  }

  m_free_volume_permanent.assign(n, 0.0);
  m_free_volume_transient.assign(n, 0.0);
  m_transient_since_s.assign(n, 0.0);
  if (!m_cluster.single_voxel()) {
    m_voxel_permanent.assign(n, 0.0);
    m_voxel_transient.assign(n, 0.0);
    m_voxel_since_s.assign(n, 0.0);
  }
}

void StzModel::refresh_site_free_volume(std::size_t site) {
  // ξt of a voxel decays from its own reset time; the site keeps the cluster mean at the latest
  // of them, T (no voxel was reset later, so every factor is <= 1 and nothing overflows), and
  // decays it from there like a single voxel: the mean of exponentials with one rate is one.
  const auto& offsets = m_cluster.offsets();
  double permanent = 0.0, latest = 0.0;
  for (const auto& u : offsets) {
    const std::size_t v = StzCluster::shifted(m_grid, site, u);
    permanent += m_voxel_permanent[v];
    latest = std::max(latest, m_voxel_since_s[v]);
  }
  double transient = 0.0;
  for (const auto& u : offsets) {
    const std::size_t v = StzCluster::shifted(m_grid, site, u);
    transient +=
        m_voxel_transient[v] * fast_exp(-(latest - m_voxel_since_s[v]) / m_annealing_time_s);
  }
  const double inv = 1.0 / static_cast<double>(offsets.size());
  m_free_volume_permanent[site] = permanent * inv;
  m_free_volume_transient[site] = transient * inv;
  m_transient_since_s[site] = latest;
}

double StzModel::draw_barrier(int type, Rng& rng) const {
  const auto& t = m_params.types[static_cast<std::size_t>(type)];
  return t.barrier_eV * (1.0 + t.barrier_spread * (2.0 * uniform01(rng) - 1.0));
}

double StzModel::correlated_barrier(std::size_t site) const {
  // z = Σ g_v / √|C| is standard normal, so u = Φ(z) is uniform: the same marginal law as
  // draw_barrier, correlated between overlapping sites.
  double sum = 0.0;
  for (const auto& u : m_cluster.offsets())
    sum += m_voxel_disorder[StzCluster::shifted(m_grid, site, u)];
  const double z = sum / std::sqrt(static_cast<double>(m_cluster.offsets().size()));
  const double u = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const auto& t = m_params.types[static_cast<std::size_t>(m_type[site])];
  return t.barrier_eV * (1.0 + t.barrier_spread * (2.0 * u - 1.0));
}

ShearCatalog StzModel::draw_site_catalog(int type, Rng& rng) const {
  const int m = m_type_modes[static_cast<std::size_t>(type)];
  const bool reverse = m_params.types[static_cast<std::size_t>(type)].reverse_modes;
  if (m_grid.dimension() == 2)
    return make_planar_catalog(m, m_params.gamma0, m_params.dilatation, random_planar_angle(rng),
                               reverse);
  return make_random_catalog(m, m_params.gamma0, m_params.dilatation, rng, reverse);
}

void StzModel::assign_catalog(std::size_t site, const ShearCatalog& catalog) {
  const int modes = mode_count(site), stored = stored_count(site);
  STZ_REQUIRE(catalog.size() == modes, "catalog of ", catalog.size(), " modes for ", modes);
  float* out = m_tensors.data() + m_site_base[site];
  const std::size_t step = site_step(site);
  for (std::size_t a = 0; a < m_active.size(); ++a) {
    const auto v = static_cast<std::size_t>(m_active[a]);
    for (int k = 0; k < stored; ++k) {
      const double shear = catalog.mode(k)[v] - m_dilatation[a];
      if (stored < modes)  // a paired catalog must hold the reverse shear of every system
        STZ_REQUIRE(std::abs(catalog.mode(k + stored)[v] - m_dilatation[a] + shear) <=
                        1e-12 * m_params.gamma0,
                    "mode ", k + stored, " of a reverse-mode catalog is not mode ", k, " reversed");
      out[(a * static_cast<std::size_t>(stored) + static_cast<std::size_t>(k)) * step] =
          static_cast<float>(shear);
    }
  }
}

double StzModel::site_offset(const double* s) const {
  double c = 0.0;
  for (std::size_t a = 0; a < m_active.size(); ++a) c += s[a] * m_dilatation[a];
  return c;
}

double StzModel::stored_shear(const float* eps, std::size_t step, int stored, std::size_t a,
                              int mode) const {
  const int k = mode < stored ? mode : mode - stored;  // paired: mode k + P is −γ_k
  const double g = static_cast<double>(
      eps[(a * static_cast<std::size_t>(stored) + static_cast<std::size_t>(k)) * step]);
  return mode < stored ? g : -g;
}

SymTensor StzModel::mode_tensor(std::size_t site, int mode) const {
  [[maybe_unused]] const int modes = mode_count(site);  // read by the assertion only
  STZ_ASSERT(mode >= 0 && mode < modes, "mode ", mode);
  const float* eps = site_tensors(site);
  const std::size_t step = site_step(site);
  SymTensor t{};
  for (std::size_t a = 0; a < m_active.size(); ++a)
    t[static_cast<std::size_t>(m_active[a])] =
        stored_shear(eps, step, stored_count(site), a, mode) + m_dilatation[a];
  return t;
}

double StzModel::transient_free_volume(std::size_t site, double time_s) const {
  // Branch-free (fast_exp(−x) of a finite x >= 0 is finite, so ξ = 0 gives exactly 0): the
  // vectorised barrier loop of site_rates_range computes exactly the same values.
  return m_free_volume_transient[site] *
         fast_exp(-(time_s - m_transient_since_s[site]) / m_annealing_time_s);
}

std::vector<double> StzModel::relative_permanent_free_volume() const {
  std::vector<double> capacity;
  for (const auto& t : m_params.types)
    capacity.push_back(m_params.free_volume.permanent_max * t.resolved_softening_scale());
  const auto permanent = permanent_free_volume();
  std::vector<double> out(permanent.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double c = capacity[static_cast<std::size_t>(m_type[i])];
    out[i] = c > 0.0 ? permanent[i] / c : std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

double StzModel::softening(std::size_t site, double time_s) const {
  return m_params.free_volume.softening_coefficient *
         (m_free_volume_permanent[site] + transient_free_volume(site, time_s));
}

double StzModel::barrier_eV(std::size_t site, double time_s) const {
  const double factor =
      std::max(fast_exp(-softening(site, time_s)), 1.0 - m_params.free_volume.max_barrier_drop);
  return m_barrier0_eV[site] * factor;
}

double StzModel::max_barrier_rise_rate_eV_per_s(double time_s) const {
  // B = B0·max(e^−S, 1 − drop) with S = S_p + S_t(t), Ṡ_t = −S_t/τ_a: |Ḃ| ≤ B0·S_t/τ_a, and
  // S_t only decays. S_t is read off the model's own softening (whatever its per-type scaling)
  // as S(t) − S(after full annealing).
  const double annealed = time_s + 1000.0 * m_annealing_time_s;
  double rate = 0.0;
  for (std::size_t i = 0; i < m_grid.size(); ++i) {
    if (m_free_volume_transient[i] == 0.0) continue;
    const double transient = softening(i, time_s) - softening(i, annealed);
    rate = std::max(rate, m_barrier0_eV[i] * transient / m_annealing_time_s);
  }
  return rate;
}

double StzModel::mean_free_volume(double time_s) const {
  // Per voxel: with one-voxel STZs the site arrays are the voxel arrays.
  const bool single = m_cluster.single_voxel();
  const double* permanent = (single ? m_free_volume_permanent : m_voxel_permanent).data();
  const double* transient = (single ? m_free_volume_transient : m_voxel_transient).data();
  const double* since = (single ? m_transient_since_s : m_voxel_since_s).data();
  std::vector<double> total(m_grid.size());
#pragma omp parallel for schedule(static) if (total.size() >= kParallelMinimum)
  for (std::size_t i = 0; i < total.size(); ++i)
    total[i] = permanent[i] + transient[i] * fast_exp(-(time_s - since[i]) / m_annealing_time_s);
  return deterministic_sum(total.data(), total.size()) / static_cast<double>(total.size());
}

void StzModel::scaled_stress(const double* sigma_active, double* scaled) const {
  for (std::size_t a = 0; a < m_active.size(); ++a) scaled[a] = m_stress_scale[a] * sigma_active[a];
}

std::array<double, kMaxActive> StzModel::active_part(const SymTensor& t) const {
  std::array<double, kMaxActive> out{};
  for (std::size_t a = 0; a < m_active.size(); ++a)
    out[a] = t[static_cast<std::size_t>(m_active[a])];
  return out;
}

double StzModel::mode_space_norm(const double* sigma_active) const {
  double sum = 0.0;
  for (const auto& u : m_mode_basis) {
    double c = 0.0;
    for (std::size_t a = 0; a < m_active.size(); ++a)
      c += voigt_contraction_weight(m_active[a]) * u[a] * sigma_active[a];
    sum += c * c;
  }
  return std::sqrt(sum);
}

SiteRate StzModel::site_rate(std::size_t site, const double* sigma_active,
                             double barrier_eV) const {
  double s[kMaxActive];
  scaled_stress(sigma_active, s);
  double sum = 0.0, best = 0.0;
  site_exponents(active_count(), site_tensors(site), site_step(site), mode_count(site),
                 paired(site), s, -barrier_eV / m_kT + site_offset(s), sum, best);
  return {m_nu0 * sum, best * m_kT};
}

void StzModel::site_mode_drives(std::size_t site, const double* sigma_active, double barrier_eV,
                                std::vector<double>& drives_eV) const {
  double s[kMaxActive];
  scaled_stress(sigma_active, s);
  const int modes = mode_count(site), stored = stored_count(site);
  const float* eps = site_tensors(site);
  const std::size_t step = site_step(site);
  const double c = -barrier_eV / m_kT + site_offset(s);
  drives_eV.resize(static_cast<std::size_t>(modes));
  for (int k = 0; k < modes; ++k) {
    double y = 0.0;
    for (std::size_t a = 0; a < m_active.size(); ++a)
      y += s[a] * stored_shear(eps, step, stored, a, k);
    drives_eV[static_cast<std::size_t>(k)] = (c + y) * m_kT;
  }
}

void StzModel::site_mode_rates(std::size_t site, const double* sigma_active, double barrier_eV,
                               std::vector<double>& rates) const {
  double s[kMaxActive];
  scaled_stress(sigma_active, s);
  const int modes = mode_count(site), stored = stored_count(site);
  const float* eps = site_tensors(site);
  const std::size_t step = site_step(site);
  const double c = -barrier_eV / m_kT + site_offset(s), nu0 = m_nu0;
  rates.resize(static_cast<std::size_t>(modes));
  for (int k = 0; k < modes; ++k) {
    double y = 0.0;
    for (std::size_t a = 0; a < m_active.size(); ++a)
      y += s[a] * stored_shear(eps, step, stored, a, k);
    rates[static_cast<std::size_t>(k)] = nu0 * fast_exp(c + y);
  }
}

void StzModel::mode_rates(std::size_t site, const SymTensor& stress, double time_s,
                          std::vector<double>& rates) const {
  const auto sigma = active_part(stress);
  site_mode_rates(site, sigma.data(), barrier_eV(site, time_s), rates);
}

void StzModel::mode_drives(std::size_t site, const SymTensor& stress, double time_s,
                           std::vector<double>& drives_eV) const {
  const auto sigma = active_part(stress);
  site_mode_drives(site, sigma.data(), barrier_eV(site, time_s), drives_eV);
}

void StzModel::site_rates_range(std::size_t begin, std::size_t end, const double* sigma_active,
                                double time_s, double* rates, double* drives_eV) const {
  const std::size_t na = m_active.size();
  const double inv_kT = 1.0 / m_kT, nu0 = m_nu0;
  std::size_t i = begin;
  while (i < end) {
    const int modes = mode_count(i);
    const bool whole_chunk =
        i % kTensorChunk == 0 && i + kTensorChunk <= end && m_chunk_uniform[i / kTensorChunk];
    if (!whole_chunk) {  // the per-site path
      const SiteRate r = site_rate(i, sigma_active + (i - begin) * na, barrier_eV(i, time_s));
      rates[i - begin] = r.rate;
      drives_eV[i - begin] = r.max_drive_eV;
      ++i;
      continue;
    }
    alignas(64) double s[kMaxActive][kChunk], lp[kChunk], sum[kChunk], best[kChunk];
    const double ks = m_params.free_volume.softening_coefficient;
    const double floor = 1.0 - m_params.free_volume.max_barrier_drop;
    for (int j = 0; j < kChunk; j += kLanes) {  // barrier_eV of the chunk's sites, same arithmetic
      const std::size_t site = i + static_cast<std::size_t>(j);
      const VD xi_t =
          load<VD>(m_free_volume_transient.data() + site) *
          fast_exp(-(time_s - load<VD>(m_transient_since_s.data() + site)) / m_annealing_time_s);
      const VD soft = ks * (load<VD>(m_free_volume_permanent.data() + site) + xi_t);
      const VD e = fast_exp(-soft);
      const VD barrier_factor = e > floor ? e : VD{} + floor;
      const VD out = -(load<VD>(m_barrier0_eV.data() + site) * barrier_factor) * inv_kT;
      std::memcpy(lp + j, &out, sizeof out);
    }
    for (int j = 0; j < kChunk; ++j) {
      const double* sig = sigma_active + (i - begin + static_cast<std::size_t>(j)) * na;
      double sj[kMaxActive];
      for (std::size_t a = 0; a < na; ++a) s[a][j] = sj[a] = m_stress_scale[a] * sig[a];
      lp[j] += site_offset(sj);  // the same sum as site_rate's
    }
    chunk_exponents(static_cast<int>(na), site_tensors(i), modes, paired(i), s, lp, sum, best);
    for (int j = 0; j < kChunk; ++j) {
      rates[i - begin + static_cast<std::size_t>(j)] = nu0 * sum[j];
      drives_eV[i - begin + static_cast<std::size_t>(j)] = best[j] * m_kT;
    }
    i += kChunk;
  }
}

RateSweep StzModel::compute_site_rates(const SymTensor& mean_stress,
                                       const TensorField& stress_fluctuation, double time_s,
                                       std::span<double> site_rates) const {
  const std::size_t n = m_grid.size();
  STZ_REQUIRE(site_rates.size() == n, "site_rates size ", site_rates.size());
  const std::size_t na = m_active.size();
  const std::size_t blocks = (n + kSweepBlock - 1) / kSweepBlock;
  std::vector<double> block_drive(blocks);
  std::vector<std::size_t> block_site(blocks);
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kSweepBlock, end = std::min(n, begin + kSweepBlock);
    double sigma[kSweepBlock * kMaxActive], drive[kSweepBlock];
    for (std::size_t i = begin; i < end; ++i)
      for (std::size_t a = 0; a < na; ++a) {
        const int v = m_active[a];
        sigma[(i - begin) * na + a] =
            mean_stress[static_cast<std::size_t>(v)] + stress_fluctuation(v, i);
      }
    site_rates_range(begin, end, sigma, time_s, site_rates.data() + begin, drive);
    double best = -1e300;
    std::size_t best_site = begin;
    for (std::size_t i = begin; i < end; ++i)
      if (drive[i - begin] > best) best = drive[i - begin], best_site = i;
    block_drive[b] = best;
    block_site[b] = best_site;
  }
  RateSweep sweep;
  sweep.total_rate = deterministic_sum(site_rates.data(), n);
  for (std::size_t b = 0; b < blocks; ++b)
    if (block_drive[b] > sweep.max_drive_eV) {
      sweep.max_drive_eV = block_drive[b];
      sweep.most_driven_site = block_site[b];
    }
  return sweep;
}

SymTensor StzModel::fire(std::size_t site, int mode, double time_s) {
  STZ_REQUIRE(site < m_grid.size() && mode >= 0 && mode < mode_count(site), "site ", site, " mode ",
              mode);
  const SymTensor increment = mode_tensor(site, mode);
  const int t = m_type[site];
  const auto& type = m_params.types[static_cast<std::size_t>(t)];
  const auto& fv = m_params.free_volume;
  const double s = type.resolved_softening_scale();
  if (m_cluster.single_voxel()) {
    m_free_volume_permanent[site] =
        std::min(fv.permanent_max, m_free_volume_permanent[site] + s * fv.permanent_per_event);
    m_free_volume_transient[site] = s * fv.transient_per_event;
    m_transient_since_s[site] = time_s;
  } else {
    for (const auto& u : m_cluster.offsets()) {
      const std::size_t v = StzCluster::shifted(m_grid, site, u);
      m_voxel_permanent[v] =
          std::min(fv.permanent_max, m_voxel_permanent[v] + s * fv.permanent_per_event);
      m_voxel_transient[v] = s * fv.transient_per_event;
      m_voxel_since_s[v] = time_s;
    }
    for (const auto& d : m_cluster.overlap_offsets())
      refresh_site_free_volume(StzCluster::shifted(m_grid, site, d));
  }
  if (type.redraw_barrier && per_voxel_disorder()) {
    // The event rearranged the whole cluster: its voxels redraw, and every site overlapping it
    // (C − C, the site itself included) takes its new barrier.
    for (const auto& u : m_cluster.offsets())
      m_voxel_disorder[StzCluster::shifted(m_grid, site, u)] = standard_normal(m_catalog_rng);
    for (const auto& d : m_cluster.overlap_offsets()) {
      const std::size_t j = StzCluster::shifted(m_grid, site, d);
      m_barrier0_eV[j] = correlated_barrier(j);
    }
  } else if (type.redraw_barrier) {
    m_barrier0_eV[site] = draw_barrier(t, m_catalog_rng);
  }
  if (type.orientation == OrientationPolicy::per_site)
    assign_catalog(site, draw_site_catalog(t, m_catalog_rng));
  return increment;
}

void StzModel::save_state(StateWriter& out, const std::string& prefix) const {
  out.put_integers(prefix + "types", m_type);
  out.put_integers(prefix + "domains", m_domain);
  // The shear parts only (mode_shears; a checkpoint from before the paired layout has
  // mode_tensors instead and is refused by name).
  out.put(prefix + "mode_shears", std::span<const float>(m_tensors));
  out.put(prefix + "barrier0_eV", std::span<const double>(m_barrier0_eV));
  out.put(prefix + "free_volume_permanent", std::span<const double>(m_free_volume_permanent));
  out.put(prefix + "free_volume_transient", std::span<const double>(m_free_volume_transient));
  out.put(prefix + "transient_since_s", std::span<const double>(m_transient_since_s));
  if (!m_cluster.single_voxel()) {
    out.put(prefix + "voxel_free_volume_permanent", std::span<const double>(m_voxel_permanent));
    out.put(prefix + "voxel_free_volume_transient", std::span<const double>(m_voxel_transient));
    out.put(prefix + "voxel_transient_since_s", std::span<const double>(m_voxel_since_s));
  }
  if (per_voxel_disorder())
    out.put(prefix + "voxel_barrier_disorder", std::span<const double>(m_voxel_disorder));
  out.put_text(prefix + "rng_catalog", m_catalog_rng.save_state());
}

void StzModel::load_state(const StateReader& in, const std::string& prefix) {
  const std::size_t n = m_grid.size();
  if (in.integers_as<std::int16_t>(prefix + "types", n) != m_type ||
      in.integers_as<std::int32_t>(prefix + "domains", n) != m_domain)
    throw Error(
        "the checkpoint's STZ types or MRO domains differ from the structure map built "
        "from its config (was the imported map file changed?)");
  m_tensors = in.floats(prefix + "mode_shears", m_tensors.size());
  m_barrier0_eV = in.doubles(prefix + "barrier0_eV", n);
  m_free_volume_permanent = in.doubles(prefix + "free_volume_permanent", n);
  m_free_volume_transient = in.doubles(prefix + "free_volume_transient", n);
  m_transient_since_s = in.doubles(prefix + "transient_since_s", n);
  if (!m_cluster.single_voxel()) {
    m_voxel_permanent = in.doubles(prefix + "voxel_free_volume_permanent", n);
    m_voxel_transient = in.doubles(prefix + "voxel_free_volume_transient", n);
    m_voxel_since_s = in.doubles(prefix + "voxel_transient_since_s", n);
  }
  if (per_voxel_disorder()) m_voxel_disorder = in.doubles(prefix + "voxel_barrier_disorder", n);
  const Rng rng = Rng::restore_state(in.text(prefix + "rng_catalog"));
  if (!rng.same_stream(m_catalog_rng))
    throw Error("the checkpoint's catalog random stream belongs to another seed");
  m_catalog_rng = rng;
}

}  // namespace stz
