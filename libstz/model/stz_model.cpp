#include "libstz/model/stz_model.hpp"

#include <algorithm>
#include <cmath>

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

// The hot loop of the reference engine: for a block of sites (j) and every mode (k),
// x = −B/k_BT + Σ_a σ̃_a ε*_a (σ̃ already carries ½Ω/k_BT and the shear weight), then
// acc += exp(x) and best = max(best, x). NA (active components) is a template parameter so the
// component loop unrolls and the site loop vectorises.
template <int NA>
void accumulate_modes(int modes, std::size_t members, const float* tensors, std::size_t len,
                      const double (*sig)[kSweepBlock], const double* log_prefactor, double* acc,
                      double* best) {
  for (int k = 0; k < modes; ++k) {
    const float* eps = tensors + static_cast<std::size_t>(k) * NA * members;
#pragma omp simd
    for (std::size_t j = 0; j < len; ++j) {
      double x = log_prefactor[j];
      for (int a = 0; a < NA; ++a)
        x += sig[a][j] * static_cast<double>(eps[static_cast<std::size_t>(a) * members + j]);
      acc[j] += fast_exp(x);
      best[j] = x > best[j] ? x : best[j];
    }
  }
}

}  // namespace

StzModel::StzModel(const Grid& grid, const ModelParams& params, const StructureMap& structure,
                   std::uint64_t seed)
    : m_grid(grid),
      m_params(params),
      m_type(structure.type),
      m_domain(structure.domain_id),
      m_catalog_rng(seed, RngPurpose::catalog),
      m_kT(units::thermal_energy_eV(params.temperature_K)),
      m_half_omega(0.5 * grid.voxel_volume_nm3() * units::eV_per_GPa_nm3) {
  params.validate();
  structure.check_invariants(grid);
  const int n_types = static_cast<int>(params.types.size());
  for (const auto& t : params.types) m_type_modes.push_back(t.resolved_modes());
  m_annealing_time_s = 1.0 / (params.attempt_frequency_per_s *
                              std::exp(-params.free_volume.annealing_barrier_eV / m_kT));

  m_active = {kXX, kYY, kXY};
  if (grid.dimension() == 3)
    m_active = {kXX, kYY, kZZ, kYZ, kXZ, kXY};
  else if (params.dilatation != 0.0)
    m_active = {kXX, kYY, kZZ, kXY};

  // Per-domain catalogs (shared orientation, kept after firing).
  for (const auto& d : structure.domains) {
    if (d.type < 0 || d.type >= n_types)
      throw ConfigError("mro.composition", "type index " + std::to_string(d.type),
                        "a type defined under `types`");
    const int m = m_type_modes[static_cast<std::size_t>(d.type)];
    m_domain_catalogs.push_back(
        grid.dimension() == 2
            ? make_planar_catalog(m, params.gamma0, params.dilatation, d.angle_rad)
            : make_template_catalog(m, params.gamma0, params.dilatation, d.rotation));
  }

  // Groups: one per type, members in site order.
  const std::size_t n = grid.size();
  m_groups.resize(static_cast<std::size_t>(n_types));
  m_group_of.assign(n, -1);
  m_member_of.assign(n, -1);
  for (int t = 0; t < n_types; ++t) {
    m_groups[static_cast<std::size_t>(t)].type = t;
    m_groups[static_cast<std::size_t>(t)].modes = m_type_modes[static_cast<std::size_t>(t)];
  }
  for (std::size_t i = 0; i < n; ++i) {
    const int t = m_type[i];
    if (t < 0 || t >= n_types)
      throw ConfigError("types", "type index " + std::to_string(t) + " in the structure map",
                        "one of the " + std::to_string(n_types) + " defined types");
    auto& g = m_groups[static_cast<std::size_t>(t)];
    m_group_of[i] = t;
    m_member_of[i] = static_cast<std::int32_t>(g.sites.size());
    g.sites.push_back(i);
  }
  for (auto& g : m_groups) {
    g.barrier0_eV.assign(g.sites.size(), 0.0);
    g.tensors.assign(static_cast<std::size_t>(g.modes) * m_active.size() * g.sites.size(), 0.0f);
  }

  // Initial draws, in site order, one stream per purpose.
  Rng orientation_rng(seed, RngPurpose::orientation);
  Rng barrier_rng(seed, RngPurpose::barrier);
  for (std::size_t i = 0; i < n; ++i) {
    const int t = m_type[i];
    const auto& type = params.types[static_cast<std::size_t>(t)];
    auto& g = m_groups[static_cast<std::size_t>(t)];
    g.barrier0_eV[static_cast<std::size_t>(m_member_of[i])] = draw_barrier(t, barrier_rng);
    const bool shared = type.orientation == OrientationPolicy::per_domain && m_domain[i] >= 0;
    assign_catalog(i, shared ? m_domain_catalogs[static_cast<std::size_t>(m_domain[i])]
                             : draw_site_catalog(t, orientation_rng));
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

  m_free_volume_permanent.assign(n, 0.0);
  m_free_volume_transient.assign(n, 0.0);
  m_transient_since_s.assign(n, 0.0);
  m_drive_scratch.assign(n, 0.0);
}

double StzModel::draw_barrier(int type, Rng& rng) const {
  const auto& t = m_params.types[static_cast<std::size_t>(type)];
  return t.barrier_eV * (1.0 + t.barrier_spread * (2.0 * uniform01(rng) - 1.0));
}

ShearCatalog StzModel::draw_site_catalog(int type, Rng& rng) const {
  const int m = m_type_modes[static_cast<std::size_t>(type)];
  if (m_grid.dimension() == 2)
    return make_planar_catalog(m, m_params.gamma0, m_params.dilatation, random_planar_angle(rng));
  return make_random_catalog(m, m_params.gamma0, m_params.dilatation, rng);
}

void StzModel::assign_catalog(std::size_t site, const ShearCatalog& catalog) {
  auto& g = m_groups[static_cast<std::size_t>(m_group_of[site])];
  STZ_REQUIRE(catalog.size() == g.modes, "catalog of ", catalog.size(), " modes for ", g.modes);
  const std::size_t members = g.sites.size(), na = m_active.size();
  const auto j = static_cast<std::size_t>(m_member_of[site]);
  for (int k = 0; k < g.modes; ++k)
    for (std::size_t a = 0; a < na; ++a)
      g.tensors[(static_cast<std::size_t>(k) * na + a) * members + j] =
          static_cast<float>(catalog.mode(k)[static_cast<std::size_t>(m_active[a])]);
}

SymTensor StzModel::mode_tensor(std::size_t site, int mode) const {
  const auto& g = m_groups[static_cast<std::size_t>(m_group_of[site])];
  STZ_ASSERT(mode >= 0 && mode < g.modes, "mode ", mode);
  const std::size_t members = g.sites.size(), na = m_active.size();
  const auto j = static_cast<std::size_t>(m_member_of[site]);
  SymTensor t{};
  for (std::size_t a = 0; a < na; ++a)
    t[static_cast<std::size_t>(m_active[a])] =
        static_cast<double>(g.tensors[(static_cast<std::size_t>(mode) * na + a) * members + j]);
  return t;
}

int StzModel::mode_count(std::size_t site) const {
  return m_groups[static_cast<std::size_t>(m_group_of[site])].modes;
}

double StzModel::transient_free_volume(std::size_t site, double time_s) const {
  const double xi = m_free_volume_transient[site];
  if (xi == 0.0) return 0.0;
  return xi * std::exp(-(time_s - m_transient_since_s[site]) / m_annealing_time_s);
}

double StzModel::softening(std::size_t site, double time_s) const {
  return m_params.free_volume.softening_coefficient *
         (m_free_volume_permanent[site] + transient_free_volume(site, time_s));
}

double StzModel::barrier_eV(std::size_t site, double time_s) const {
  const auto& g = m_groups[static_cast<std::size_t>(m_group_of[site])];
  const double b0 = g.barrier0_eV[static_cast<std::size_t>(m_member_of[site])];
  const double factor =
      std::max(std::exp(-softening(site, time_s)), 1.0 - m_params.free_volume.max_barrier_drop);
  return b0 * factor;
}

double StzModel::mean_free_volume(double time_s) const {
  std::vector<double> total(m_grid.size());
#pragma omp parallel for schedule(static) if (total.size() >= kParallelMinimum)
  for (std::size_t i = 0; i < total.size(); ++i)
    total[i] = m_free_volume_permanent[i] + transient_free_volume(i, time_s);
  return deterministic_sum(total.data(), total.size()) / static_cast<double>(total.size());
}

void StzModel::sweep_group(const SiteGroup& g, const SymTensor& mean_stress,
                           const TensorField& fluct, double time_s, std::span<double> site_rates,
                           std::span<double> site_drive) const {
  const std::size_t members = g.sites.size(), na = m_active.size();
  if (members == 0) return;
  const std::size_t blocks = (members + kSweepBlock - 1) / kSweepBlock;
  const double inv_kT = 1.0 / m_kT, nu0 = m_params.attempt_frequency_per_s;
  // σ:ε* with tensor shears counts shear entries twice; fold that and ½Ω/k_BT into the stress.
  double weight[6];
  for (std::size_t a = 0; a < na; ++a)
    weight[a] = voigt_contraction_weight(m_active[a]) * m_half_omega * inv_kT;

#pragma omp parallel for schedule(static) if (members >= kParallelMinimum)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t j0 = b * kSweepBlock;
    const std::size_t len = std::min(kSweepBlock, members - j0);
    alignas(64) double sig[6][kSweepBlock];
    alignas(64) double log_prefactor[kSweepBlock], acc[kSweepBlock], best[kSweepBlock];
    for (std::size_t j = 0; j < len; ++j) {
      const std::size_t site = g.sites[j0 + j];
      for (std::size_t a = 0; a < na; ++a) {
        const int v = m_active[a];
        sig[a][j] = weight[a] * (mean_stress[static_cast<std::size_t>(v)] + fluct(v, site));
      }
      log_prefactor[j] = -barrier_eV(site, time_s) * inv_kT;
      acc[j] = 0.0;
      best[j] = -1e300;
    }
    switch (na) {
      case 3:
        accumulate_modes<3>(g.modes, members, g.tensors.data() + j0, len, sig, log_prefactor, acc,
                            best);
        break;
      case 4:
        accumulate_modes<4>(g.modes, members, g.tensors.data() + j0, len, sig, log_prefactor, acc,
                            best);
        break;
      default:
        accumulate_modes<6>(g.modes, members, g.tensors.data() + j0, len, sig, log_prefactor, acc,
                            best);
        break;
    }
    for (std::size_t j = 0; j < len; ++j) {
      const std::size_t site = g.sites[j0 + j];
      site_rates[site] = nu0 * acc[j];
      site_drive[site] = best[j] * m_kT;
    }
  }
}

RateSweep StzModel::compute_site_rates(const SymTensor& mean_stress,
                                       const TensorField& stress_fluctuation, double time_s,
                                       std::span<double> site_rates) const {
  STZ_REQUIRE(site_rates.size() == m_grid.size(), "site_rates size ", site_rates.size());
  for (const auto& g : m_groups)
    sweep_group(g, mean_stress, stress_fluctuation, time_s, site_rates, m_drive_scratch);
  RateSweep sweep;
  sweep.total_rate = deterministic_sum(site_rates.data(), site_rates.size());
  // Most driven site: per-block maxima in parallel, then a serial pass (lowest index wins ties).
  const std::size_t n = m_grid.size();
  const std::size_t blocks = (n + kReductionBlock - 1) / kReductionBlock;
  std::vector<std::size_t> block_best(blocks);
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t begin = b * kReductionBlock, end = std::min(n, begin + kReductionBlock);
    std::size_t best = begin;
    for (std::size_t i = begin + 1; i < end; ++i)
      if (m_drive_scratch[i] > m_drive_scratch[best]) best = i;
    block_best[b] = best;
  }
  for (std::size_t b : block_best)
    if (m_drive_scratch[b] > sweep.max_drive_eV) {
      sweep.max_drive_eV = m_drive_scratch[b];
      sweep.most_driven_site = b;
    }
  return sweep;
}

void StzModel::mode_drives(std::size_t site, const SymTensor& stress, double time_s,
                           std::vector<double>& drives_eV) const {
  const auto& g = m_groups[static_cast<std::size_t>(m_group_of[site])];
  const std::size_t members = g.sites.size(), na = m_active.size();
  const auto j = static_cast<std::size_t>(m_member_of[site]);
  const double inv_kT = 1.0 / m_kT;
  double sig[6];
  for (std::size_t a = 0; a < na; ++a)
    sig[a] = voigt_contraction_weight(m_active[a]) * m_half_omega * inv_kT *
             stress[static_cast<std::size_t>(m_active[a])];
  const double log_prefactor = -barrier_eV(site, time_s) * inv_kT;
  drives_eV.resize(static_cast<std::size_t>(g.modes));
  for (int k = 0; k < g.modes; ++k) {
    const float* eps = g.tensors.data() + static_cast<std::size_t>(k) * na * members + j;
    double x = log_prefactor;
    for (std::size_t a = 0; a < na; ++a) x += sig[a] * static_cast<double>(eps[a * members]);
    drives_eV[static_cast<std::size_t>(k)] = x;  // in units of k_BT here
  }
  for (auto& d : drives_eV) d *= m_kT;
}

void StzModel::mode_rates(std::size_t site, const SymTensor& stress, double time_s,
                          std::vector<double>& rates) const {
  mode_drives(site, stress, time_s, rates);
  const double inv_kT = 1.0 / m_kT, nu0 = m_params.attempt_frequency_per_s;
  for (auto& r : rates) r = nu0 * fast_exp(r * inv_kT);
}

SymTensor StzModel::fire(std::size_t site, int mode, double time_s) {
  STZ_REQUIRE(site < m_grid.size() && mode >= 0 && mode < mode_count(site), "site ", site, " mode ",
              mode);
  const SymTensor increment = mode_tensor(site, mode);
  const int t = m_type[site];
  const auto& type = m_params.types[static_cast<std::size_t>(t)];
  const auto& fv = m_params.free_volume;
  const double s = type.order_scale();
  m_free_volume_permanent[site] =
      std::min(fv.permanent_max, m_free_volume_permanent[site] + s * fv.permanent_per_event);
  m_free_volume_transient[site] = s * fv.transient_per_event;
  m_transient_since_s[site] = time_s;
  if (type.redraw_barrier) {
    auto& g = m_groups[static_cast<std::size_t>(m_group_of[site])];
    g.barrier0_eV[static_cast<std::size_t>(m_member_of[site])] = draw_barrier(t, m_catalog_rng);
  }
  if (type.orientation == OrientationPolicy::per_site)
    assign_catalog(site, draw_site_catalog(t, m_catalog_rng));
  return increment;
}

}  // namespace stz
