#include "libstz/sim/fast_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include <Eigen/Eigenvalues>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/elasticity/kernel_convolution.hpp"

namespace stz {
namespace {

// Relative safety on every work bound: mode tensors are stored as float, so their norm and their
// projection on the mode space are exact only to ~1e-7; 1e-6 covers that with room.
constexpr double kWorkSafety = 1.0 + 1e-6;
// Absolute safety in the exponent of every rate bound, for round-off in the exponents (|x| <
// ~1e3 at 1e-16 relative) and fast_exp (a few ulp).
constexpr double kLogSafety = 1e-9;

// A near-field change doing more work than this (units of k_BT) on a site's modes re-bounds the
// site from its applied stress instead of inflating its bound: inflations multiply, and a site
// near the events (flip-backs) would otherwise carry a loose bound and make most of the nulls.
// Re-bounding does not replay the site's deferred kernels, so it costs one site rate. 2 k_BT
// was the fastest of 0.5, 1, 2, 8 at 64³ (docs/performance.md).
constexpr double kMaxInflation_kT = 2.0;
// Where the ball of a new horizon is centred: ahead of the mean stress along the loading, by
// this fraction of its radius (a longer horizon under monotonic loading).
constexpr double kBallLead = 0.5;
// Nulls per event since the last renewal beyond which budgets are re-derived by a renewal.
constexpr std::int64_t kRenewalNullsPerEvent = 8;
// The same for screened proposals (each costs ~1/50 of a candidate; normal runs screen ~7–9 per
// event: 8.7 in 2D 256×128, 8.1 at 32³, ~7 at 64³).
constexpr std::int64_t kRenewalScreenedPerEvent = 64;

// m_first of a site with no logged event since the last flush.
constexpr std::uint32_t kNoEvent = std::numeric_limits<std::uint32_t>::max();

int largest_divisor_at_most(int n, int limit) {
  for (int d = std::max(1, std::min(n, limit)); d > 1; --d)
    if (n % d == 0) return d;
  return 1;
}

}  // namespace

void mode_space_kernel(const CompactResponseKernel& kernel,
                       const std::vector<std::array<double, kMaxActive>>& basis,
                       std::size_t offset_index, double* out) {
  const std::size_t na = static_cast<std::size_t>(kernel.active_count()), d = basis.size();
  double kk[kMaxActive * kMaxActive];
  kernel.matrix(offset_index, kk);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t l = 0; l < d; ++l) {
      double s = 0.0;
      for (std::size_t a = 0; a < na; ++a) {
        double ku = 0.0;
        for (std::size_t b = 0; b < na; ++b) ku += kk[a * na + b] * basis[l][b];
        s += voigt_contraction_weight(kernel.active()[a]) * basis[j][a] * ku;
      }
      out[j * d + l] = s;
    }
}

// Immutable tables shared by an engine and its clones.
struct FastEngine::Tables {
  Grid grid;
  std::vector<int> active;
  int na = 0;
  CompactResponseKernel kernel;
  KernelConvolution convolution;
  std::array<int, 3> block{1, 1, 1}, blocks{1, 1, 1};
  std::size_t n_blocks = 0, block_size = 0;
  std::vector<std::uint32_t> block_sites;  ///< [block][position]: site index
  std::vector<std::uint32_t> site_block;
  std::vector<std::uint32_t> site_position;
  std::vector<std::array<int, 3>> site_coords;
  /// W[position of the event in its block][block offset]: largest |Δσ:ε*| (eV) an eigenstrain
  /// of unit Frobenius norm at the event's site can cause on a mode of any site of the block at
  /// that offset (the event's own site excluded). Multiplied by the norm of what a source site
  /// deferred (one event's increment, or the net of its events: on_event).
  std::vector<double> work_bound;
  /// offset_work[k]: largest |Δσ:ε*| (eV) one event does on a mode of a site at voxel offset k.
  std::vector<double> offset_work;
  /// offset_inflation[k] = exp(offset_work[k]/k_BT), or 0 where the work exceeds
  /// kMaxInflation_kT·k_BT (such a site is re-bounded instead of inflated).
  std::vector<double> offset_inflation;
  /// The near field: voxel offsets (wrapped, distinct; the zero offset first) within
  /// near_radius of an event, their offset indices, and is_near[offset index].
  std::vector<std::array<int, 3>> near_offsets;
  std::vector<std::uint32_t> near_index;
  std::vector<char> is_near;
  double near_radius = 0.0;
  /// STZ clusters: offsets of the sites whose cluster overlaps the fired one's (zero excluded);
  /// the event changes their free volume, hence their barriers. Empty for one-voxel STZs.
  std::vector<StzCluster::Offset> overlap;
  /// is_overlap[k]: voxel offset k is one of `overlap` (empty for one-voxel STZs).
  std::vector<char> is_overlap;
  std::vector<std::array<double, kMaxActive>> basis;
  std::array<double, kMaxActive> weight{};
  double kT = 0, half_omega = 0, mode_norm = 0;

  Tables(const FftElasticSolver& solver, const StzModel& model, const FastEngineParams& p)
      : grid(solver.grid()),
        active(model.active_components()),
        na(model.active_count()),
        kernel(solver, active, model.cluster()),
        convolution(kernel, solver, model.cluster()),
        basis(model.mode_space_basis()),
        kT(model.thermal_energy_eV()),
        half_omega(model.work_per_stress_eV_per_GPa()),
        mode_norm(model.max_mode_norm()) {
    for (int a = 0; a < na; ++a)
      weight[static_cast<std::size_t>(a)] =
          voigt_contraction_weight(active[static_cast<std::size_t>(a)]);
    build_blocks(p.block_voxels);
    build_near_field(p.near_field_voxels);
    build_work_bound(p.bound_scale);
    for (const auto& d : model.cluster().overlap_offsets())
      if (d != StzCluster::Offset{0, 0, 0}) overlap.push_back(d);
    if (!overlap.empty()) {
      is_overlap.assign(grid.size(), 0);
      for (const auto& d : overlap) is_overlap[grid.wrapped_index(d[0], d[1], d[2])] = 1;
    }
  }

  void build_blocks(int edge) {
    for (int a = 0; a < 3; ++a) {
      const int n = grid.extent(a);
      block[static_cast<std::size_t>(a)] = largest_divisor_at_most(n, edge);
      blocks[static_cast<std::size_t>(a)] = n / block[static_cast<std::size_t>(a)];
    }
    n_blocks = static_cast<std::size_t>(blocks[0]) * blocks[1] * blocks[2];
    block_size = static_cast<std::size_t>(block[0]) * block[1] * block[2];
    block_sites.assign(grid.size(), 0);
    site_block.assign(grid.size(), 0);
    site_position.assign(grid.size(), 0);
    site_coords.resize(grid.size());
    for (std::size_t i = 0; i < grid.size(); ++i) {
      const auto c = grid.coords(i);
      site_coords[i] = c;
      const std::size_t b =
          (static_cast<std::size_t>(c[0] / block[0]) * blocks[1] + c[1] / block[1]) * blocks[2] +
          c[2] / block[2];
      const std::size_t q =
          (static_cast<std::size_t>(c[0] % block[0]) * block[1] + c[1] % block[1]) * block[2] +
          c[2] % block[2];
      block_sites[b * block_size + q] = static_cast<std::uint32_t>(i);
      site_block[i] = static_cast<std::uint32_t>(b);
      site_position[i] = static_cast<std::uint32_t>(q);
    }
  }

  // Operator norm, on the mode space, of the kernel at every offset: sup |Δσ:ε'| over mode-space
  // ε (the event) and ε' (the target mode) of unit norm.
  std::vector<double> mode_space_operator_norms() const {
    const std::size_t n = grid.size(), d = basis.size();
    std::vector<double> norms(n);
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < n; ++k) {
      double md[kMaxActive * kMaxActive];
      mode_space_kernel(kernel, basis, k, md);
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 6, 6> m(d, d);
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t l = 0; l < d; ++l)
          m(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) = md[j * d + l];
      const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 6, 6> mtm = m.transpose() * m;
      Eigen::SelfAdjointEigenSolver<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 6, 6>>
          eig(mtm, Eigen::EigenvaluesOnly);
      const double top = eig.eigenvalues().maxCoeff();
      // The eigenvalues of a symmetric matrix are accurate to ~1e-15 of its norm; pad by 1e-9.
      norms[k] = std::sqrt(std::max(top, 0.0)) * (1.0 + 1e-9) + 1e-12 * m.norm();
    }
    return norms;
  }

  void build_work_bound(double scale) {
    const std::vector<double> norms = mode_space_operator_norms();
    const double to_work = half_omega * mode_norm * mode_norm * kWorkSafety * scale;
    const double to_work_unit = half_omega * mode_norm * kWorkSafety * scale;
    offset_work.resize(norms.size());
    offset_inflation.resize(norms.size());
    for (std::size_t k = 0; k < norms.size(); ++k) {
      offset_work[k] = to_work * norms[k];
      offset_inflation[k] =
          offset_work[k] > kMaxInflation_kT * kT ? 0.0 : std::exp(offset_work[k] / kT);
    }
    work_bound.assign(block_size * n_blocks, 0.0);
    std::vector<std::array<int, 3>> pos(block_size);
    for (int x = 0; x < block[0]; ++x)
      for (int y = 0; y < block[1]; ++y)
        for (int z = 0; z < block[2]; ++z)
          pos[(static_cast<std::size_t>(x) * block[1] + y) * block[2] + z] = {x, y, z};
#pragma omp parallel for schedule(static)
    for (std::size_t p = 0; p < block_size; ++p) {
      for (std::size_t o = 0; o < n_blocks; ++o) {
        const int ox = static_cast<int>(o / (static_cast<std::size_t>(blocks[1]) * blocks[2]));
        const int oy = static_cast<int>((o / blocks[2]) % blocks[1]);
        const int oz = static_cast<int>(o % blocks[2]);
        double best = 0.0;
        for (std::size_t q = 0; q < block_size; ++q) {
          const std::size_t k = grid.wrapped_index(ox * block[0] + pos[q][0] - pos[p][0],
                                                   oy * block[1] + pos[q][1] - pos[p][1],
                                                   oz * block[2] + pos[q][2] - pos[p][2]);
          // Near-field sites get the kernel exactly at the event (their bounds inflated).
          if (!is_near[k]) best = std::max(best, norms[k]);
        }
        work_bound[p * n_blocks + o] = to_work_unit * best;
      }
    }
  }

  // Frobenius norm of an active-component eigenstrain (tensor shears): sqrt(ε:ε). For an
  // eigenstrain in the mode space it equals the norm of its mode-space coordinates.
  double frobenius(const double* eps) const {
    double s = 0.0;
    for (int a = 0; a < na; ++a) s += weight[static_cast<std::size_t>(a)] * eps[a] * eps[a];
    return std::sqrt(s);
  }

  // The near field: every offset d with |d| <= radius (voxels, Euclidean; the zero offset
  // first), wrapped and distinct, as offsets and offset indices.
  void build_near_field(double radius) {
    near_radius = radius;
    is_near.assign(grid.size(), 0);
    const int r = static_cast<int>(std::floor(radius));
    const int rz = grid.extent(2) == 1 ? 0 : r;
    const int n[3] = {grid.extent(0), grid.extent(1), grid.extent(2)};
    near_offsets.push_back({0, 0, 0});
    near_index.push_back(0);
    is_near[0] = 1;
    for (int dx = -r; dx <= r; ++dx)
      for (int dy = -r; dy <= r; ++dy)
        for (int dz = -rz; dz <= rz; ++dz) {
          if (static_cast<double>(dx * dx + dy * dy + dz * dz) > radius * radius) continue;
          const std::size_t k = grid.wrapped_index(dx, dy, dz);
          if (is_near[k]) continue;
          is_near[k] = 1;
          // Stored wrapped into [0, extent): c + d then needs at most one subtraction.
          near_offsets.push_back(
              {(dx % n[0] + n[0]) % n[0], (dy % n[1] + n[1]) % n[1], (dz % n[2] + n[2]) % n[2]});
          near_index.push_back(static_cast<std::uint32_t>(k));
        }
  }
};

FastEngine::FastEngine(const FftElasticSolver& solver, const StzModel& model,
                       const FastEngineParams& params)
    : m_tables(std::make_shared<const Tables>(solver, model, params)),
      m_solver(&solver),
      m_params(params) {
  const Tables& t = *m_tables;
  const std::size_t n = t.grid.size();
  m_stress.assign(n * static_cast<std::size_t>(t.na), 0.0);
  m_synced.assign(n, 0);
  m_site_bound.assign(n, 0.0);
  m_block_bound.assign(t.n_blocks, 0.0);
  m_block_drive.assign(t.n_blocks, -1e300);
  m_delta.assign(t.n_blocks, 0.0);
  m_delta_near.assign(t.n_blocks, 0.0);
  m_covered_from.assign(t.n_blocks, 0);
  m_net.assign(n * static_cast<std::size_t>(t.na), 0.0);
  m_first.assign(n, kNoEvent);
  m_budget.assign(t.n_blocks, 0.0);
  m_is_hot.assign(t.n_blocks, 0);
  m_mark.assign(t.n_blocks, 0);
  m_tree.resize(t.n_blocks);
  m_scratch_bounds.assign(t.block_size, 0.0);
  m_scratch_drives.assign(t.block_size, 0.0);
  m_site_drive.assign(n, -1e300);
  m_ball_work_eV = params.horizon_kT * t.kT;
  m_ball_radius_GPa = m_ball_work_eV / (t.half_omega * t.mode_norm);
  m_log_slack = params.bound_scale * m_ball_work_eV * kWorkSafety / t.kT + kLogSafety;
}

std::unique_ptr<KmcEngine> FastEngine::clone() const {
  return std::make_unique<FastEngine>(*this);
}

const std::array<int, 3>& FastEngine::block_shape() const {
  return m_tables->block;
}

// --- Site level -------------------------------------------------------------------------------

void FastEngine::apply_deferred(std::size_t site) {
  const std::size_t end = m_log.size();
  std::uint32_t& synced = m_synced[site];
  if (synced == end) return;
  const Tables& t = *m_tables;
  const auto c = t.site_coords[site];
  double* sigma = m_stress.data() + site * static_cast<std::size_t>(t.na);
  for (std::size_t k = synced; k < end; ++k) {
    const LogEntry& e = m_log[k];
    const std::size_t offset = t.grid.offset_index(c, e.coords);
    if (t.is_near[offset]) continue;  // applied at the event
    t.kernel.accumulate(offset, e.increment.data(), sigma);
  }
  m_stats.replayed_pairs += static_cast<std::int64_t>(end - synced);
  synced = static_cast<std::uint32_t>(end);
  m_covered_from[t.site_block[site]] = static_cast<std::uint32_t>(end);
}

void FastEngine::apply_deferred_block(std::size_t block) {
  const Tables& t = *m_tables;
  const std::uint32_t* sites = t.block_sites.data() + block * t.block_size;
  const std::size_t end = m_log.size(), na = static_cast<std::size_t>(t.na);
  std::size_t from = end;
  for (std::size_t q = 0; q < t.block_size; ++q)
    from = std::min<std::size_t>(from, m_synced[sites[q]]);
  for (std::size_t k = from; k < end; ++k) {
    const LogEntry& e = m_log[k];
    for (std::size_t q = 0; q < t.block_size; ++q) {
      const std::size_t site = sites[q];
      if (k < m_synced[site]) continue;  // this site has it already
      const std::size_t offset = t.grid.offset_index(t.site_coords[site], e.coords);
      if (t.is_near[offset]) continue;  // applied at the event
      t.kernel.accumulate(offset, e.increment.data(), m_stress.data() + site * na);
    }
  }
  for (std::size_t q = 0; q < t.block_size; ++q) {
    std::uint32_t& synced = m_synced[sites[q]];
    m_stats.replayed_pairs += static_cast<std::int64_t>(end - synced);
    synced = static_cast<std::uint32_t>(end);
  }
  m_covered_from[block] = static_cast<std::uint32_t>(end);
}

double FastEngine::bound_site(const EngineContext& ctx, std::size_t site, double t) {
  apply_deferred(site);
  const int na = m_tables->na;
  const double* applied = m_stress.data() + site * static_cast<std::size_t>(na);
  double sigma[kMaxActive];
  for (int a = 0; a < na; ++a)
    sigma[a] = m_reference_stress[static_cast<std::size_t>(a)] + applied[a];
  const SiteRate r = ctx.model.site_rate(site, sigma, ctx.model.barrier_eV(site, t));
  m_site_bound[site] = r.rate;
  m_site_drive[site] = r.max_drive_eV;
  ++m_stats.site_refreshes;
  if (r.max_drive_eV + m_ball_work_eV * kWorkSafety >= 0.0) check_athermal(ctx, site, t);
  return r.max_drive_eV;
}

double FastEngine::rebound_site_applied(const EngineContext& ctx, std::size_t site, double t) {
  const int na = m_tables->na;
  const double* applied = m_stress.data() + site * static_cast<std::size_t>(na);
  double sigma[kMaxActive];
  for (int a = 0; a < na; ++a)
    sigma[a] = m_reference_stress[static_cast<std::size_t>(a)] + applied[a];
  const SiteRate r = ctx.model.site_rate(site, sigma, ctx.model.barrier_eV(site, t));
  // Near athermal: the exact drives need the deferred kernels (bound_site applies them).
  if (r.max_drive_eV + m_ball_work_eV * kWorkSafety >= 0.0) return bound_site(ctx, site, t);
  m_site_bound[site] = r.rate;
  m_site_drive[site] = r.max_drive_eV;
  ++m_stats.site_refreshes;
  return r.max_drive_eV;
}

void FastEngine::check_athermal(const EngineContext& ctx, std::size_t site, double t) {
  const int na = m_tables->na;
  const double* applied = m_stress.data() + site * static_cast<std::size_t>(na);
  const auto mean = ctx.model.active_part(ctx.mean_stress_at(t));
  double sigma[kMaxActive];
  for (int a = 0; a < na; ++a) sigma[a] = mean[static_cast<std::size_t>(a)] + applied[a];
  ctx.model.site_mode_drives(site, sigma, ctx.model.barrier_eV(site, t), m_mode_scratch);
  const auto best = std::max_element(m_mode_scratch.begin(), m_mode_scratch.end());
  if (*best < 0.0) return;
  // The most driven athermal site fires first (lowest index among exact ties, as the sweep).
  if (!m_athermal_pending || *best > m_athermal_drive ||
      (*best == m_athermal_drive && site < m_athermal_site)) {
    m_athermal_pending = true;
    m_athermal_site = site;
    m_athermal_mode = static_cast<int>(best - m_mode_scratch.begin());
    m_athermal_drive = *best;
  }
}

// --- Block level ------------------------------------------------------------------------------

void FastEngine::sum_block(std::size_t block) {
  const Tables& t = *m_tables;
  const std::uint32_t* sites = t.block_sites.data() + block * t.block_size;
  double sum = 0.0, drive = -1e300;
  for (std::size_t q = 0; q < t.block_size; ++q) {
    sum += m_site_bound[sites[q]];
    drive = std::max(drive, m_site_drive[sites[q]]);
  }
  m_block_bound[block] = sum;
  m_block_drive[block] = drive;
}

double FastEngine::initial_budget(std::size_t block) const {
  const double kT = m_tables->kT;
  const double margin = -(m_block_drive[block] + m_ball_work_eV * kWorkSafety);
  if (margin <= 0.0) return 0.0;
  const double r = m_block_bound[block];
  const FastEngineParams& p = m_params;
  double budget =
      r > 0.0 ? kT * std::log1p(p.initial_share * m_fair_share / r) : p.max_budget_kT * kT;
  budget = std::clamp(budget, p.min_budget_kT * kT, p.max_budget_kT * kT);
  return std::min(budget, margin * (1.0 - 1e-9));
}

void FastEngine::update_tree(std::size_t block) {
  const double value = m_block_bound[block] * std::exp(m_budget[block] / m_tables->kT);
  m_tree.set(block, value);
}

void FastEngine::refresh_block(const EngineContext& ctx, std::size_t block, double t) {
  const Tables& tb = *m_tables;
  const std::uint32_t* sites = tb.block_sites.data() + block * tb.block_size;
  apply_deferred_block(block);
  for (std::size_t q = 0; q < tb.block_size; ++q) bound_site(ctx, sites[q], t);
  sum_block(block);
  m_delta[block] = 0.0;
  m_delta_near[block] = 0.0;
  m_budget[block] = initial_budget(block);
  const bool hot = m_budget[block] == 0.0;
  if (hot && !m_is_hot[block]) m_hot.push_back(static_cast<std::uint32_t>(block));
  m_is_hot[block] = hot;
  update_tree(block);
  ++m_stats.block_refreshes;
}

// Re-bounds every site of a block from its applied stress as it is, leaving the deferred far
// field deferred: the near-field part of δ_b (changes already applied) is absorbed, the far part
// stays. Cheaper than refresh_block (no kernel replay). Returns false (and changes nothing) when
// the result would not satisfy the block invariant; refresh_block must be used then.
bool FastEngine::rebound_block_rates(const EngineContext& ctx, std::size_t block, double t) {
  const Tables& tb = *m_tables;
  const double kT = tb.kT;
  const double far = m_delta[block] - m_delta_near[block];
  const std::uint32_t* sites = tb.block_sites.data() + block * tb.block_size;
  const std::size_t na = static_cast<std::size_t>(tb.na);
  double drive = -1e300, sum = 0.0;
  for (std::size_t q = 0; q < tb.block_size; ++q) {
    const std::size_t i = sites[q];
    double sigma[kMaxActive];
    for (std::size_t a = 0; a < na; ++a) sigma[a] = m_reference_stress[a] + m_stress[i * na + a];
    const SiteRate r = ctx.model.site_rate(i, sigma, ctx.model.barrier_eV(i, t));
    m_scratch_bounds[q] = r.rate;
    m_scratch_drives[q] = r.max_drive_eV;
    sum += r.rate;
    drive = std::max(drive, r.max_drive_eV);
  }
  const double margin = -(drive + m_ball_work_eV * kWorkSafety);
  const double saved_bound = m_block_bound[block], saved_drive = m_block_drive[block];
  m_block_bound[block] = sum;
  m_block_drive[block] = drive;
  const double budget = std::max(initial_budget(block), far + m_params.min_budget_kT * kT);
  if (!(budget < margin)) {
    m_block_bound[block] = saved_bound;
    m_block_drive[block] = saved_drive;
    return false;
  }
  for (std::size_t q = 0; q < tb.block_size; ++q) {
    m_site_bound[sites[q]] = m_scratch_bounds[q];
    m_site_drive[sites[q]] = m_scratch_drives[q];
  }
  sum_block(block);
  m_delta[block] = far;
  m_delta_near[block] = 0.0;
  m_budget[block] = budget;
  m_is_hot[block] = 0;
  update_tree(block);
  ++m_stats.rate_refreshes;
  return true;
}

// Restores the invariant δ_b <= D_b < margin_b (margin: how far the block's largest bounded
// drive is below 0) after δ_b, R_b or the block's drive changed; then updates the tree.
void FastEngine::settle_block(const EngineContext& ctx, std::size_t block, double t) {
  const double kT = m_tables->kT;
  const double margin = -(m_block_drive[block] + m_ball_work_eV * kWorkSafety);
  double& budget = m_budget[block];
  const double delta = m_delta[block];
  if (delta <= budget && budget < margin) {
    update_tree(block);
    return;
  }
  if (delta > budget) {
    const double raised = std::max(2.0 * budget, delta + m_params.min_budget_kT * kT);
    if (raised < margin &&
        m_block_bound[block] * std::expm1(raised / kT) <= m_params.raise_share * m_fair_share) {
      budget = raised;
      ++m_stats.budget_raises;
      update_tree(block);
      return;
    }
  }
  // Mostly near-field changes (already applied): re-bound the rates only.
  if (!m_is_hot[block] && delta - m_delta_near[block] <= 0.5 * budget &&
      rebound_block_rates(ctx, block, t))
    return;
  if (m_is_hot[block])
    ++m_refresh_hot;
  else if (delta > budget)
    ++m_refresh_budget;
  else
    ++m_refresh_margin;
  refresh_block(ctx, block, t);
}

// --- Horizon ----------------------------------------------------------------------------------

std::array<double, kMaxActive> FastEngine::ball_coords(const double* sigma_active) const {
  const Tables& t = *m_tables;
  std::array<double, kMaxActive> c{};
  for (std::size_t k = 0; k < t.basis.size(); ++k) {
    double s = 0.0;
    for (int a = 0; a < t.na; ++a)
      s += t.weight[static_cast<std::size_t>(a)] * t.basis[k][static_cast<std::size_t>(a)] *
           sigma_active[a];
    c[k] = s;
  }
  return c;
}

double FastEngine::ball_distance(const SymTensor& mean_stress) const {
  const Tables& t = *m_tables;
  double d[kMaxActive];
  for (int a = 0; a < t.na; ++a)
    d[a] = mean_stress[static_cast<std::size_t>(t.active[static_cast<std::size_t>(a)])] -
           m_reference_stress[static_cast<std::size_t>(a)];
  const auto c = ball_coords(d);
  double s = 0.0;
  for (double x : c) s += x * x;
  return std::sqrt(s);
}

// The first time >= t at which the loading alone carries the mean stress out of the ball.
double FastEngine::ball_exit_time(const EngineContext& ctx, double t) const {
  const Tables& tb = *m_tables;
  const SymTensor now = ctx.mean_stress_at(t);
  double d[kMaxActive], r[kMaxActive];
  for (int a = 0; a < tb.na; ++a) {
    const auto v = static_cast<std::size_t>(tb.active[static_cast<std::size_t>(a)]);
    d[a] = now[v] - m_reference_stress[static_cast<std::size_t>(a)];
    r[a] = ctx.mean_stress_rate[v];
  }
  const auto c0 = ball_coords(d), c1 = ball_coords(r);
  double aa = 0.0, bb = 0.0, cc = -m_ball_radius_GPa * m_ball_radius_GPa;
  for (std::size_t k = 0; k < kMaxActive; ++k) {
    aa += c1[k] * c1[k];
    bb += c0[k] * c1[k];
    cc += c0[k] * c0[k];
  }
  if (cc >= 0.0) return t;  // already on or outside the sphere
  if (aa == 0.0) return std::numeric_limits<double>::infinity();
  const double x = (-bb + std::sqrt(bb * bb - aa * cc)) / aa;  // the positive root (cc < 0)
  return t + std::max(0.0, x);
}

// Applies every deferred kernel at once by one FFT convolution of the eigenstrain (exact up to
// round-off; the log empties) and checks the drift of the sites that were up to date. Bounds are
// not touched: what was deferred is now applied, so δ_b becomes entirely "near"; rebuild then
// absorbs it with a new horizon.
void FastEngine::flush(const EngineContext& ctx) {
  const Tables& tb = *m_tables;
  const std::size_t n = tb.grid.size(), na = static_cast<std::size_t>(tb.na);
  const auto clock_start = std::chrono::steady_clock::now();
  tb.convolution.convolve(ctx.eigenstrain, m_fresh, m_workspace);
  std::vector<double>& fresh = m_fresh;
  // Drift: sites whose applied stress is up to date must equal the fresh solve to round-off.
  if (!m_log.empty() || m_stats.resolves > 0) {
    double diff = 0.0, ref = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t a = 0; a < na; ++a) {
        ref = std::max(ref, std::abs(fresh[i * na + a]));
        if (m_synced[i] == m_log.size())
          diff = std::max(diff, std::abs(fresh[i * na + a] - m_stress[i * na + a]));
      }
    const double drift = ref > 0.0 ? diff / ref : diff;
    m_stats.max_drift = std::max(m_stats.max_drift, drift);
    if (drift > m_params.drift_tolerance)
      throw NumericalError("fast engine: applied stress drifted by " + std::to_string(drift) +
                           " (relative) from a fresh solve; tolerance kmc.drift_tolerance = " +
                           std::to_string(m_params.drift_tolerance));
  }
  m_stress.swap(fresh);
  for (const LogEntry& e : m_log) {
    std::fill_n(m_net.begin() + static_cast<std::ptrdiff_t>(e.site * na), na, 0.0);
    m_first[e.site] = kNoEvent;
  }
  m_log.clear();
  std::fill(m_synced.begin(), m_synced.end(), 0u);
  std::fill(m_covered_from.begin(), m_covered_from.end(), 0u);
  ++m_stats.resolves;
  m_delta_near = m_delta;
  m_events_since_rebuild = 0;
  m_replays_at_rebuild = m_stats.replayed_pairs;
  m_flush_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
}

void FastEngine::rebuild(const EngineContext& ctx) {
  flush(ctx);
  renew_horizon(ctx);
}

// A new horizon (a new σ_ref): every site re-bounded from its applied stress as it is. Deferred
// kernels stay deferred: the far-field part of each δ_b is kept (it still bounds them), the
// near-field part is absorbed by the new bounds.
void FastEngine::renew_horizon(const EngineContext& ctx) {
  const auto clock_start = std::chrono::steady_clock::now();
  const Tables& tb = *m_tables;
  const std::size_t n = tb.grid.size(), na = static_cast<std::size_t>(tb.na);
  const double t = ctx.time_s;

  // New horizon: the ball is centred ahead of the mean stress along the loading.
  const auto mean = ctx.model.active_part(ctx.mean_stress);
  const auto rate = ctx.model.active_part(ctx.mean_stress_rate);
  const auto rate_c = ball_coords(rate.data());
  double rate_norm = 0.0;
  for (double x : rate_c) rate_norm += x * x;
  rate_norm = std::sqrt(rate_norm);
  for (std::size_t a = 0; a < na; ++a)
    m_reference_stress[a] =
        mean[a] + (rate_norm > 0.0 ? kBallLead * m_ball_radius_GPa / rate_norm * rate[a] : 0.0);

  // Every bound: sites in index order (the model's vectorised sweep), then the block sums; each
  // range's and block's arithmetic is fixed, so the result is thread-count independent.
  const StzModel& model = ctx.model;
  constexpr std::size_t kRange = 1024;
  const std::size_t ranges = (n + kRange - 1) / kRange;
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t r = 0; r < ranges; ++r) {
    const std::size_t begin = r * kRange, end = std::min(n, begin + kRange);
    std::vector<double> sigma((end - begin) * na);
    for (std::size_t i = begin; i < end; ++i)
      for (std::size_t a = 0; a < na; ++a)
        sigma[(i - begin) * na + a] = m_reference_stress[a] + m_stress[i * na + a];
    model.site_rates_range(begin, end, sigma.data(), t, m_site_bound.data() + begin,
                           m_site_drive.data() + begin);
  }
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t b = 0; b < tb.n_blocks; ++b) {
    sum_block(b);
    m_delta[b] -= m_delta_near[b];
    m_delta_near[b] = 0.0;
  }
  // The fair share of the rate per block, from the background: the few hottest blocks (often a
  // site that just fired and is about to flip back) are left out, or every other block's budget
  // would be sized by a rate that is gone after the next event.
  {
    std::vector<double> sorted(m_block_bound);
    const std::size_t top = std::min(tb.n_blocks - 1, tb.n_blocks / 100 + 1);
    std::nth_element(sorted.begin(),
                     sorted.begin() + static_cast<std::ptrdiff_t>(tb.n_blocks - top), sorted.end());
    m_fair_share =
        deterministic_sum(sorted.data(), tb.n_blocks - top) / static_cast<double>(tb.n_blocks);
  }
  m_hot.clear();
  std::vector<double> values(tb.n_blocks);
  std::vector<std::size_t> unsettled;
  const double kT = tb.kT;
  for (std::size_t b = 0; b < tb.n_blocks; ++b) {
    const double margin = -(m_block_drive[b] + m_ball_work_eV * kWorkSafety);
    m_budget[b] = std::max(initial_budget(b), m_delta[b] + m_params.min_budget_kT * kT);
    m_is_hot[b] = 0;
    // A block whose bound might admit an athermal site is brought up to date exactly below.
    if (!(m_budget[b] < margin)) {
      m_budget[b] = 0.0;
      unsettled.push_back(b);
    }
    values[b] = m_block_bound[b] * std::exp(m_budget[b] / kT);
  }
  m_tree.set_all(values);
  m_nulls_since_renewal = 0;
  m_screened_since_renewal = 0;
  m_events_since_renewal = 0;
  m_athermal_pending = false;
  for (std::size_t b : unsettled) refresh_block(ctx, b, t);
  m_sweep_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
}

// --- The kMC step -----------------------------------------------------------------------------

EngineEvent FastEngine::next_event(const EngineContext& ctx, double stop_s, Rng& rng) {
  if (m_athermal_pending) {
    m_athermal_pending = false;
    return {EngineEvent::Kind::athermal, ctx.time_s, m_athermal_site, m_athermal_mode};
  }
  const Tables& tb = *m_tables;
  const StzModel& model = ctx.model;
  const double G = std::exp(m_log_slack);
  double t = ctx.time_s;
  // A new horizon at time `at_s`; true when it found a site past its athermal limit, which then
  // fires at once (athermal_at).
  const auto renew_at = [&](double at_s, const SymTensor& mean_stress) {
    EngineContext at = ctx;
    at.time_s = at_s;
    at.mean_stress = mean_stress;
    renew_horizon(at);
    ++m_stats.horizon_renewals;
    const bool athermal = m_athermal_pending;
    m_athermal_pending = false;
    return athermal;
  };
  const auto athermal_at = [&](double at_s) {
    return EngineEvent{EngineEvent::Kind::athermal, at_s, m_athermal_site, m_athermal_mode};
  };
  for (;;) {
    const double exit_s = ball_exit_time(ctx, t);
    const double total = m_tree.total() * G;
    const double tau = total > 0.0 ? -std::log(uniform01_open_low(rng)) / total
                                   : std::numeric_limits<double>::infinity();
    if (t + tau >= std::min(stop_s, exit_s)) {
      if (stop_s <= exit_s) return {EngineEvent::Kind::none, stop_s, 0, 0};
      // The loading carried the mean stress out of the ball: new horizon at exit_s.
      t = exit_s;
      if (renew_at(t, ctx.mean_stress_at(t))) return athermal_at(t);
      continue;
    }
    t += tau;
    const std::size_t block = m_tree.select(uniform01(rng));
    // Screening (exact two-stage thinning): the proposal rate of the block covers its whole
    // budget D_b and the whole mean-stress ball, but a bound that holds now needs only δ_b
    // (the work not yet in the site bounds) and the ball's radius out to where the mean stress is
    // now. Keep the proposal with probability exp((δ_b − D_b)/k_BT + g(t) − g_ball) before any
    // site is looked at; a kept candidate is then tested against the tighter bound. The product
    // of the two acceptance probabilities is the one-stage r_i / bound.
    const SymTensor mean_now = ctx.mean_stress_at(t);
    const double slack_now =
        std::min(m_log_slack, m_params.bound_scale * ball_distance(mean_now) * tb.half_omega *
                                      tb.mode_norm * kWorkSafety / tb.kT +
                                  kLogSafety);
    if (!(m_delta[block] <= m_budget[block]))
      throw InternalError("fast engine: block " + std::to_string(block) + " carries work " +
                          std::to_string(m_delta[block]) + " eV over its budget " +
                          std::to_string(m_budget[block]) + " eV (a bias; please report)");
    const double exponent_now = m_delta[block] / tb.kT + slack_now;
    if (uniform01(rng) >= std::exp(exponent_now - m_budget[block] / tb.kT - m_log_slack)) {
      ++m_stats.screened_nulls;
      if (++m_screened_since_renewal > kRenewalScreenedPerEvent * m_events_since_renewal +
                                           static_cast<std::int64_t>(tb.n_blocks) + 64) {
        if (renew_at(t, mean_now)) return athermal_at(t);
      }
      continue;
    }
    const std::uint32_t* sites = tb.block_sites.data() + block * tb.block_size;
    double target = uniform01(rng) * m_block_bound[block];
    std::size_t site = sites[0];
    for (std::size_t q = 0; q < tb.block_size; ++q) {
      const std::size_t i = sites[q];
      if (m_site_bound[i] <= 0.0) continue;
      site = i;
      if (target < m_site_bound[i]) break;
      target -= m_site_bound[i];
    }
    const double bound = m_site_bound[site] * std::exp(exponent_now);
    // The squeeze (docs/kmc.md): the rate from the applied stress as it is (the near field is
    // exact in it, the far field still deferred is bounded by δ_b as in every bound of the
    // block) times exp(δ_b/k_BT) is a tighter bound, and it needs no replay. The one uniform u
    // meets it first: u·bound >= squeeze rejects a candidate the exact rate would reject as
    // well, so the deferred kernels are applied only to the candidates that may fire.
    const double* applied = m_stress.data() + site * static_cast<std::size_t>(tb.na);
    const auto mean = model.active_part(mean_now);
    const double barrier = model.barrier_eV(site, t);
    double sigma[kMaxActive];
    for (int a = 0; a < tb.na; ++a) sigma[a] = mean[static_cast<std::size_t>(a)] + applied[a];
    const double squeeze =
        model.site_rate(site, sigma, barrier).rate *
        std::exp((m_params.squeeze_counts_far_field ? m_delta[block] : 0.0) / tb.kT + kLogSafety);
    const double u = uniform01(rng);
    ++m_stats.candidates;
    const bool squeezed = u * bound >= squeeze;
    bool fires = false;
    if (squeezed) {
      ++m_stats.squeezed_nulls;
    } else {
      // The exact rate now: deferred events applied, the mean stress and barrier at time t.
      apply_deferred(site);
      for (int a = 0; a < tb.na; ++a) sigma[a] = mean[static_cast<std::size_t>(a)] + applied[a];
      const double exact = model.site_rate(site, sigma, barrier).rate;
      if (!(exact <= bound) || !(exact <= squeeze))
        throw InternalError("fast engine: rate bound violated at site " + std::to_string(site) +
                            ": rate " + std::to_string(exact) + " > bound " +
                            std::to_string(std::min(bound, squeeze)) + " (a bias; please report)");
      fires = u * bound < exact;
    }
    if (fires) {
      model.site_mode_rates(site, sigma, barrier, m_mode_scratch);
      double pick =
          uniform01(rng) * deterministic_sum(m_mode_scratch.data(), m_mode_scratch.size());
      int mode = 0;
      for (; mode + 1 < static_cast<int>(m_mode_scratch.size()); ++mode) {
        if (pick < m_mode_scratch[static_cast<std::size_t>(mode)]) break;
        pick -= m_mode_scratch[static_cast<std::size_t>(mode)];
      }
      while (m_mode_scratch[static_cast<std::size_t>(mode)] == 0.0 && mode > 0) --mode;
      return {EngineEvent::Kind::thermal, t, site, mode};
    }
    // A null event: tighten the site's bound (from its exact stress, or without a replay from its
    // applied stress when the squeeze rejected it).
    ++m_stats.null_events;
    EngineContext at = ctx;
    at.time_s = t;
    at.mean_stress = mean_now;
    // A null in a block carrying deferred far work and a raised budget says the inflation is
    // biting: bring the whole block up to date (δ_b = 0, a fresh budget) instead of keeping the
    // budget; otherwise only the site is re-bounded.
    if (m_delta[block] > 0.0 && m_budget[block] > 2.0 * m_params.min_budget_kT * tb.kT) {
      refresh_block(at, block, t);
    } else {
      if (squeezed)
        rebound_site_applied(at, site, t);
      else
        bound_site(at, site, t);
      sum_block(block);
      settle_block(at, block, t);
    }
    // Budgets are sized from the fair share of the last renewal. When the rate was concentrated
    // in a few sites that have fired since (at low temperature rates span many decades), stale
    // budgets inflate every quiet block and nulls would dominate without end: a run of nulls
    // long against the events since the renewal (normal acceptance gives about one per event)
    // triggers a renewal, which costs about as much as one null per block.
    if (++m_nulls_since_renewal > kRenewalNullsPerEvent * m_events_since_renewal +
                                      static_cast<std::int64_t>(tb.n_blocks) + 64) {
      renew_horizon(at);
      ++m_stats.horizon_renewals;
    }
    if (m_athermal_pending) {
      m_athermal_pending = false;
      return athermal_at(t);
    }
  }
}

void FastEngine::on_event(const EngineContext& ctx, std::size_t site, const SymTensor& increment) {
  const Tables& tb = *m_tables;
  LogEntry entry;
  entry.site = static_cast<std::uint32_t>(site);
  entry.coords = tb.site_coords[site];
  entry.increment = ctx.model.active_part(increment);
  m_log.push_back(entry);
  const std::size_t na = static_cast<std::size_t>(tb.na);
  // The site's net deferred eigenstrain E before and after this event (norms n0, n1), and the
  // event's own norm.
  const auto position = static_cast<std::uint32_t>(m_log.size() - 1);
  double* net = m_net.data() + site * na;
  const double n0 = tb.frobenius(net);
  for (std::size_t c = 0; c < na; ++c) net[c] += entry.increment[c];
  const double n1 = tb.frobenius(net), n_event = tb.frobenius(entry.increment.data());
  if (m_first[site] == kNoEvent) m_first[site] = position;
  const std::uint32_t first = m_first[site];
  // A rebuild (one FFT convolution and a sweep) costs about as much as applying N·rebuild_replays
  // deferred (event, site) pairs: rebuild once the replays since the last one cost that much.
  const bool left_ball = ball_distance(ctx.mean_stress) > m_ball_radius_GPa;
  ++m_events_since_rebuild;
  ++m_events_since_renewal;
  const double t = ctx.time_s;
  ++m_generation;
  m_touched.clear();
  auto touch = [&](std::size_t b) {
    if (m_mark[b] != m_generation) {
      m_mark[b] = m_generation;
      m_touched.push_back(b);
    }
  };
  // Far field: δ_b += W(p, b − a)·n for every block, walking lines of the block grid along its
  // last non-trivial axis (two contiguous segments of the table row per line). The deferred
  // field of this site on block b is K·(its events after C_b). When none of its events was
  // applied to any site of b (C_b <= first), that is K·E and δ_b has counted W·‖E‖ for it so
  // far (by induction: C_b only grows between flushes, so every earlier event of the site took
  // this branch too): n = n1 − n0 keeps the count exact, and a flip-back (E back near 0)
  // lowers δ_b. Otherwise n = ‖event‖ (the triangle inequality; the earlier terms still bound
  // the earlier events). δ_b stays a sum of such terms: its round-off (~1e-16 of the budget per
  // event, at most resolve_every_events events) is far below kLogSafety.
  const std::uint32_t* covered = m_covered_from.data();
  const double joint = m_params.far_field == FarFieldCount::per_event ? n_event : n1 - n0;
  const double single = m_params.far_field == FarFieldCount::net_unguarded ? joint : n_event;
  const auto& nb = tb.blocks;
  const std::size_t a = tb.site_block[site];
  const int ax = static_cast<int>(a / (static_cast<std::size_t>(nb[1]) * nb[2]));
  const int ay = static_cast<int>((a / nb[2]) % nb[1]);
  const int az = static_cast<int>(a % nb[2]);
  const double* row = tb.work_bound.data() + tb.site_position[site] * tb.n_blocks;
  const bool planar = nb[2] == 1;
  const int lines_y = planar ? 1 : nb[1];
  const int line = planar ? nb[1] : nb[2];
  const int shift = planar ? ay : az;
  for (int bx = 0; bx < nb[0]; ++bx) {
    const int ox = (bx - ax + nb[0]) % nb[0];
    for (int by = 0; by < lines_y; ++by) {
      const int oy = planar ? 0 : (by - ay + nb[1]) % nb[1];
      const std::size_t base = (static_cast<std::size_t>(bx) * nb[1] + by) * nb[2];
      const std::size_t obase = (static_cast<std::size_t>(ox) * nb[1] + oy) * nb[2];
      double* delta = m_delta.data() + base;
      const double* budget = m_budget.data() + base;
      const std::uint32_t* from = covered + base;
      const double* w = row + obase;
      bool over = false;
      for (int z = 0; z < shift; ++z) {
        delta[z] += w[z - shift + line] * (from[z] <= first ? joint : single);
        over |= delta[z] > budget[z];
      }
      for (int z = shift; z < line; ++z) {
        delta[z] += w[z - shift] * (from[z] <= first ? joint : single);
        over |= delta[z] > budget[z];
      }
      if (over)
        for (int z = 0; z < line; ++z)
          if (delta[z] > budget[z]) touch(base + static_cast<std::size_t>(z));
    }
  }
  for (std::uint32_t b : m_hot) touch(b);
  // Near field: the kernel applied exactly to every site of the near blocks, and each site's
  // bound inflated by exactly the largest work the event can do on one of its modes,
  // R_i ← R_i·exp(w_i/k_BT) (cheaper than re-evaluating its modes; a candidate tightens it).
  // The event's own site is re-bounded exactly below.
  const auto& c = entry.coords;
  const auto& extent = tb.grid.shape();
  for (std::size_t j = 0; j < tb.near_offsets.size(); ++j) {
    const auto& d = tb.near_offsets[j];
    int x = c[0] + d[0], y = c[1] + d[1], z = c[2] + d[2];
    x -= x >= extent[0] ? extent[0] : 0;  // offsets are stored wrapped
    y -= y >= extent[1] ? extent[1] : 0;
    z -= z >= extent[2] ? extent[2] : 0;
    const std::size_t i = tb.grid.index(x, y, z), offset = tb.near_index[j];
    double change[kMaxActive] = {};
    tb.kernel.accumulate(offset, entry.increment.data(), change);
    double* sigma = m_stress.data() + i * na;
    for (std::size_t a = 0; a < na; ++a) sigma[a] += change[a];
    touch(tb.site_block[i]);
    // The fired site and the sites overlapping it are re-bounded exactly below.
    if (j == 0 || (!tb.is_overlap.empty() && tb.is_overlap[offset])) continue;
    const double inflation = tb.offset_inflation[offset];
    if (inflation == 0.0) {  // a large change: re-evaluating is tighter
      rebound_site_applied(ctx, i, t);
      continue;
    }
    m_site_bound[i] *= inflation;
    m_site_drive[i] += tb.offset_work[offset];
  }
  // STZ clusters: the sites sharing a voxel with the fired cluster gained free volume, so their
  // barriers fell; they are re-bounded exactly (wherever they lie; deferred kernels applied).
  for (const auto& d : tb.overlap) {
    const std::size_t i = StzCluster::shifted(tb.grid, site, d);
    rebound_site_applied(ctx, i, t);
    touch(tb.site_block[i]);
  }
  bound_site(ctx, site, t);
  for (std::size_t b : m_touched) {
    sum_block(b);
    settle_block(ctx, b, t);
  }
  // Blocks that left the hot list.
  m_hot.erase(
      std::remove_if(m_hot.begin(), m_hot.end(), [&](std::uint32_t b) { return !m_is_hot[b]; }),
      m_hot.end());
  // Every deferred kernel at once, when the log is long or its replays cost about a flush. The
  // flush is followed by a new horizon: every site re-bounded from the fresh stress in one
  // vectorised sweep, so every δ_b starts again from 0 — cheaper than the block-by-block
  // re-bounds that bounds left stale by the flush would need afterwards (docs/performance.md).
  const bool flush_due = m_events_since_rebuild >= m_params.resolve_every_events ||
                         static_cast<double>(m_stats.replayed_pairs - m_replays_at_rebuild) >
                             m_params.rebuild_replays * static_cast<double>(tb.grid.size());
  if (left_ball) ++m_stats.horizon_renewals;  // the event moved ⟨σ⟩ out of the ball
  if (flush_due)
    rebuild(ctx);
  else if (left_ball)
    renew_horizon(ctx);
}

TensorField FastEngine::stress_fluctuation() const {
  FastEngine copy(*this);
  const Tables& tb = *m_tables;
  TensorField out(tb.grid);
  const std::size_t na = static_cast<std::size_t>(tb.na);
  for (std::size_t i = 0; i < tb.grid.size(); ++i) {
    copy.apply_deferred(i);
    for (std::size_t a = 0; a < na; ++a) out(tb.active[a], i) = copy.m_stress[i * na + a];
  }
  return out;
}

// Every member that carries history is saved exactly; the tables follow from the parameters,
// the sum tree from its leaf values (its fixed-point scale is history-free, sum_tree_selector.hpp)
// and the rest is scratch (m_fresh, m_mode_scratch, m_touched, the generation stamps).
void FastEngine::save_state(StateWriter& out, const std::string& prefix) const {
  const Tables& tb = *m_tables;
  auto put = [&](const char* name, const std::vector<double>& v) {
    out.put(prefix + name, std::span<const double>(v));
  };
  put("stress", m_stress);
  out.put_integers(prefix + "synced", m_synced);
  put("site_bound", m_site_bound);
  put("site_drive", m_site_drive);
  put("block_bound", m_block_bound);
  put("block_drive", m_block_drive);
  put("delta", m_delta);
  put("delta_near", m_delta_near);
  put("budget", m_budget);
  out.put_integers(prefix + "covered_from", m_covered_from);
  out.put_integers(prefix + "hot", m_hot);
  out.put_integers(prefix + "is_hot", m_is_hot);
  std::vector<double> tree(tb.n_blocks);
  for (std::size_t b = 0; b < tb.n_blocks; ++b) tree[b] = m_tree.rate(b);
  put("tree", tree);
  // The log: site, then the active increment components (coordinates follow from the site).
  std::vector<std::int64_t> log_sites;
  std::vector<double> log_increments;
  for (const auto& e : m_log) {
    log_sites.push_back(e.site);
    log_increments.insert(log_increments.end(), e.increment.begin(), e.increment.end());
  }
  out.put(prefix + "log_sites", std::span<const std::int64_t>(log_sites));
  put("log_increments", log_increments);
  out.put(prefix + "reference_stress", std::span<const double>(m_reference_stress));
  out.put_scalar(prefix + "fair_share", m_fair_share);
  const std::vector<std::int64_t> counters{m_events_since_rebuild,
                                           m_nulls_since_renewal,
                                           m_events_since_renewal,
                                           m_replays_at_rebuild,
                                           m_athermal_pending ? 1 : 0,
                                           static_cast<std::int64_t>(m_athermal_site),
                                           m_athermal_mode,
                                           m_refresh_hot,
                                           m_refresh_budget,
                                           m_refresh_margin,
                                           m_screened_since_renewal};
  out.put(prefix + "counters", std::span<const std::int64_t>(counters));
  out.put_scalar(prefix + "athermal_drive", m_athermal_drive);
  save_engine_stats(out, prefix, m_stats);
}

void FastEngine::load_state(const StateReader& in, const std::string& prefix,
                            const EngineContext&) {
  const Tables& tb = *m_tables;
  const std::size_t n = tb.grid.size(), nb = tb.n_blocks, na = static_cast<std::size_t>(tb.na);
  auto get = [&](const char* name, std::size_t count) { return in.doubles(prefix + name, count); };
  m_stress = get("stress", n * na);
  m_synced = in.integers_as<std::uint32_t>(prefix + "synced", n);
  m_site_bound = get("site_bound", n);
  m_site_drive = get("site_drive", n);
  m_block_bound = get("block_bound", nb);
  m_block_drive = get("block_drive", nb);
  m_delta = get("delta", nb);
  m_delta_near = get("delta_near", nb);
  m_budget = get("budget", nb);
  m_hot = in.integers_as<std::uint32_t>(prefix + "hot", in.integers(prefix + "hot").size());
  m_is_hot = in.integers_as<char>(prefix + "is_hot", nb);
  m_tree.set_all(get("tree", nb));
  const std::vector<std::int64_t> log_sites = in.integers(prefix + "log_sites");
  const std::vector<double> log_increments = get("log_increments", log_sites.size() * kMaxActive);
  m_log.clear();
  for (std::size_t k = 0; k < log_sites.size(); ++k) {
    if (log_sites[k] < 0 || static_cast<std::size_t>(log_sites[k]) >= n)
      throw Error("checkpoint entry " + prefix + "log_sites holds a site outside the grid");
    LogEntry e;
    e.site = static_cast<std::uint32_t>(log_sites[k]);
    e.coords = tb.site_coords[e.site];
    std::copy_n(log_increments.begin() + static_cast<std::ptrdiff_t>(k * kMaxActive), kMaxActive,
                e.increment.begin());
    m_log.push_back(e);
  }
  // The net increments and first positions follow from the log (summed in log order, as
  // on_event does, so they are the same bit for bit).
  std::fill(m_net.begin(), m_net.end(), 0.0);
  std::fill(m_first.begin(), m_first.end(), kNoEvent);
  for (std::size_t k = 0; k < m_log.size(); ++k) {
    const LogEntry& e = m_log[k];
    for (std::size_t c = 0; c < na; ++c) m_net[e.site * na + c] += e.increment[c];
    if (m_first[e.site] == kNoEvent) m_first[e.site] = static_cast<std::uint32_t>(k);
  }
  // Checkpoints written before the net far field lack C_b: every block counted each event on
  // its own then, which C_b = log size reproduces until the next flush.
  bool has_coverage = true;
  try {
    in.integers(prefix + "covered_from");
  } catch (const Error&) {
    has_coverage = false;
  }
  if (has_coverage)
    m_covered_from = in.integers_as<std::uint32_t>(prefix + "covered_from", nb);
  else
    m_covered_from.assign(nb, static_cast<std::uint32_t>(m_log.size()));
  const std::vector<double> reference = get("reference_stress", kMaxActive);
  std::copy(reference.begin(), reference.end(), m_reference_stress.begin());
  m_fair_share = in.scalar(prefix + "fair_share");
  // Checkpoints written before screening hold 10 counters (none screened since the renewal).
  std::vector<std::int64_t> c = in.integers(prefix + "counters");
  if (c.size() == 10) c.push_back(0);
  if (c.size() != 11)
    throw Error("checkpoint entry " + prefix + "counters holds " + std::to_string(c.size()) +
                " values; expected 11");
  m_events_since_rebuild = c[0];
  m_nulls_since_renewal = c[1];
  m_events_since_renewal = c[2];
  m_replays_at_rebuild = c[3];
  m_athermal_pending = c[4] != 0;
  m_athermal_site = static_cast<std::size_t>(c[5]);
  m_athermal_mode = static_cast<int>(c[6]);
  m_refresh_hot = c[7];
  m_refresh_budget = c[8];
  m_refresh_margin = c[9];
  m_screened_since_renewal = c[10];
  m_athermal_drive = in.scalar(prefix + "athermal_drive");
  m_stats = load_engine_stats(in, prefix);
}

std::string FastEngine::describe() const {
  const Tables& tb = *m_tables;
  std::ostringstream s;
  const double accepted = static_cast<double>(m_stats.candidates - m_stats.null_events);
  s << "fast engine: blocks " << tb.block[0] << "x" << tb.block[1] << "x" << tb.block[2] << " ("
    << tb.n_blocks << "), near field " << tb.near_radius << " voxels (" << tb.near_offsets.size()
    << " sites), " << m_stats.candidates << " candidates, acceptance "
    << (m_stats.candidates > 0 ? accepted / static_cast<double>(m_stats.candidates) : 0.0) << ", "
    << m_stats.screened_nulls << " screened proposals, " << m_stats.squeezed_nulls
    << " squeezed nulls, " << m_stats.resolves << " FFT flushes (" << m_stats.horizon_renewals
    << " horizon rebuilds), " << m_stats.block_refreshes << " block refreshes, "
    << m_stats.rate_refreshes << " rate-only refreshes, " << m_stats.budget_raises
    << " budget raises, " << m_stats.site_refreshes << " site refreshes, " << m_stats.replayed_pairs
    << " replayed pairs, max drift " << m_stats.max_drift << " | flush time " << m_flush_seconds
    << " s, rebuild sweeps " << m_sweep_seconds << " s"
    << " | refresh reasons hot/budget/margin " << m_refresh_hot << "/" << m_refresh_budget << "/"
    << m_refresh_margin;
  return s.str();
}

}  // namespace stz
