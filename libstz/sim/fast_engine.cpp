#include "libstz/sim/fast_engine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"

namespace stz {
namespace {

// Relative safety on every work bound: mode tensors are stored as float, so their norm and their
// projection on the mode space are exact only to ~1e-7; 1e-6 covers that with room.
constexpr double kWorkSafety = 1.0 + 1e-6;
// Absolute safety in the exponent of every rate bound, for round-off in the exponents (|x| <
// ~1e3 at 1e-16 relative) and fast_exp (a few ulp).
constexpr double kLogSafety = 1e-9;

// Where the ball of a new horizon is centred: ahead of the mean stress along the loading, by
// this fraction of its radius (a longer horizon under monotonic loading).
constexpr double kBallLead = 0.5;

int largest_divisor_at_most(int n, int limit) {
  for (int d = std::max(1, std::min(n, limit)); d > 1; --d)
    if (n % d == 0) return d;
  return 1;
}

}  // namespace

// Immutable tables shared by an engine and its clones.
struct FastEngine::Tables {
  Grid grid;
  std::vector<int> active;
  int na = 0;
  CompactResponseKernel kernel;
  std::array<int, 3> block{1, 1, 1}, blocks{1, 1, 1};
  std::size_t n_blocks = 0, block_size = 0;
  std::vector<std::uint32_t> block_sites;  ///< [block][position]: site index
  std::vector<std::uint32_t> site_block;
  std::vector<std::uint32_t> site_position;
  std::vector<std::array<int, 3>> site_coords;
  /// W[position of the event in its block][block offset]: largest |Δσ:ε*| (eV) an event can
  /// cause on a mode of any site of the block at that offset (the event's own site excluded).
  std::vector<double> work_bound;
  std::vector<std::array<int, 3>> near_offsets;
  std::vector<std::array<double, kMaxActive>> basis;
  std::array<double, kMaxActive> weight{};
  double kT = 0, half_omega = 0, mode_norm = 0;

  Tables(const FftElasticSolver& solver, const StzModel& model, const FastEngineParams& p)
      : grid(solver.grid()),
        active(model.active_components()),
        na(model.active_count()),
        kernel(solver, active),
        basis(model.mode_space_basis()),
        kT(model.thermal_energy_eV()),
        half_omega(model.work_per_stress_eV_per_GPa()),
        mode_norm(model.max_mode_norm()) {
    for (int a = 0; a < na; ++a)
      weight[static_cast<std::size_t>(a)] = voigt_contraction_weight(active[static_cast<std::size_t>(a)]);
    build_blocks(p.block_voxels);
    build_work_bound(p.bound_scale);
    build_near_field(p.near_field_voxels);
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
    const std::size_t n = grid.size(), d = basis.size(), nau = static_cast<std::size_t>(na);
    std::vector<double> norms(n);
#pragma omp parallel for schedule(static)
    for (std::size_t k = 0; k < n; ++k) {
      const double* kk = kernel.at(k);
      Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 6, 6> m(d, d);
      for (std::size_t j = 0; j < d; ++j)
        for (std::size_t l = 0; l < d; ++l) {
          double s = 0.0;
          for (std::size_t a = 0; a < nau; ++a) {
            double ku = 0.0;
            for (std::size_t b = 0; b < nau; ++b) ku += kk[a * nau + b] * basis[l][b];
            s += weight[a] * basis[j][a] * ku;
          }
          m(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) = s;
        }
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
          if (o == 0 && q == p) continue;  // the event's own site is refreshed exactly
          const std::size_t k = grid.wrapped_index(ox * block[0] + pos[q][0] - pos[p][0],
                                                   oy * block[1] + pos[q][1] - pos[p][1],
                                                   oz * block[2] + pos[q][2] - pos[p][2]);
          best = std::max(best, norms[k]);
        }
        work_bound[p * n_blocks + o] = to_work * best;
      }
    }
    if (std::getenv("STZ_DEBUG_BOUNDS")) {
      // Variation bound around the block's central site: max_q op(K(x_q - e) - K(x_c - e)).
      const std::size_t qc = (static_cast<std::size_t>(block[0] / 2) * block[1] + block[1] / 2) * block[2] + block[2] / 2;
      const std::size_t d = basis.size(), nau = static_cast<std::size_t>(na);
      auto mode_matrix = [&](std::size_t k) {
        Eigen::MatrixXd m(d, d);
        const double* kk = kernel.at(k);
        for (std::size_t j = 0; j < d; ++j)
          for (std::size_t l = 0; l < d; ++l) {
            double s = 0.0;
            for (std::size_t a = 0; a < nau; ++a) {
              double ku = 0.0;
              for (std::size_t b = 0; b < nau; ++b) ku += kk[a * nau + b] * basis[l][b];
              s += weight[a] * basis[j][a] * ku;
            }
            m(j, l) = s;
          }
        return m;
      };
      double wsum = 0, vsum = 0, csum = 0;
      const std::size_t p = 0;
      for (std::size_t o = 0; o < n_blocks; ++o) {
        const int ox = static_cast<int>(o / (static_cast<std::size_t>(blocks[1]) * blocks[2]));
        const int oy = static_cast<int>((o / blocks[2]) % blocks[1]);
        const int oz = static_cast<int>(o % blocks[2]);
        auto idx = [&](std::size_t q) {
          return grid.wrapped_index(ox * block[0] + pos[q][0] - pos[p][0],
                                    oy * block[1] + pos[q][1] - pos[p][1],
                                    oz * block[2] + pos[q][2] - pos[p][2]);
        };
        const Eigen::MatrixXd mc = mode_matrix(idx(qc));
        double best = 0;
        for (std::size_t q = 0; q < block_size; ++q) {
          Eigen::MatrixXd diff = mode_matrix(idx(q)) - mc;
          best = std::max(best, Eigen::JacobiSVD<Eigen::MatrixXd>(diff).singularValues()(0));
        }
        auto cheb = [&](int v, int n) { return std::min(v, n - v); };
        const int dist = std::max({cheb(ox, blocks[0]), cheb(oy, blocks[1]), cheb(oz, blocks[2])});
        if (dist < 2) continue;
        wsum += work_bound[p * n_blocks + o];
        vsum += to_work * best;
        csum += to_work * Eigen::JacobiSVD<Eigen::MatrixXd>(mc).singularValues()(0);
      }
      std::fprintf(stderr, "block %dx%dx%d (far only): mean W/kT %.4g, mean V/kT %.4g, mean centre/kT %.4g\n",
                   block[0], block[1], block[2], wsum / n_blocks / kT, vsum / n_blocks / kT,
                   csum / n_blocks / kT);
    }
  }

  void build_near_field(int radius) {
    const int rz = grid.dimension() == 3 ? radius : 0;
    std::vector<std::size_t> seen{0};
    for (int dx = -radius; dx <= radius; ++dx)
      for (int dy = -radius; dy <= radius; ++dy)
        for (int dz = -rz; dz <= rz; ++dz) {
          if (dx * dx + dy * dy + dz * dz > radius * radius) continue;
          const std::size_t k = grid.wrapped_index(dx, dy, dz);
          if (std::find(seen.begin(), seen.end(), k) != seen.end()) continue;
          seen.push_back(k);
          near_offsets.push_back({dx, dy, dz});
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
  m_budget.assign(t.n_blocks, 0.0);
  m_is_hot.assign(t.n_blocks, 0);
  m_mark.assign(t.n_blocks, 0);
  m_tree.resize(t.n_blocks);
  m_ball_work_eV = params.horizon_kT * t.kT;
  m_ball_radius_GPa = m_ball_work_eV / (t.half_omega * t.mode_norm);
  m_log_slack = m_ball_work_eV * kWorkSafety / t.kT + kLogSafety;
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
  const int nx = t.grid.extent(0), ny = t.grid.extent(1), nz = t.grid.extent(2);
  double* sigma = m_stress.data() + site * static_cast<std::size_t>(t.na);
  for (std::size_t k = synced; k < end; ++k) {
    const LogEntry& e = m_log[k];
    int dx = c[0] - e.coords[0], dy = c[1] - e.coords[1], dz = c[2] - e.coords[2];
    dx += dx < 0 ? nx : 0;
    dy += dy < 0 ? ny : 0;
    dz += dz < 0 ? nz : 0;
    const std::size_t offset =
        (static_cast<std::size_t>(dx) * static_cast<std::size_t>(ny) + static_cast<std::size_t>(dy)) *
            static_cast<std::size_t>(nz) +
        static_cast<std::size_t>(dz);
    t.kernel.accumulate(offset, e.increment.data(), sigma);
  }
  m_stats.replayed_pairs += static_cast<std::int64_t>(end - synced);
  synced = static_cast<std::uint32_t>(end);
}

double FastEngine::bound_site(const EngineContext& ctx, std::size_t site, double t) {
  apply_deferred(site);
  const int na = m_tables->na;
  const double* applied = m_stress.data() + site * static_cast<std::size_t>(na);
  double sigma[kMaxActive];
  for (int a = 0; a < na; ++a) sigma[a] = m_reference_stress[static_cast<std::size_t>(a)] + applied[a];
  const SiteRate r = ctx.model.site_rate(site, sigma, ctx.model.barrier_eV(site, t));
  m_site_bound[site] = r.rate;
  ++m_stats.site_refreshes;
  if (r.max_drive_eV + m_ball_work_eV * kWorkSafety >= 0.0) check_athermal(ctx, site, t);
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
  double sum = 0.0;
  for (std::size_t q = 0; q < t.block_size; ++q) sum += m_site_bound[sites[q]];
  m_block_bound[block] = sum;
}

double FastEngine::initial_budget(std::size_t block) const {
  const double kT = m_tables->kT;
  const double margin = -(m_block_drive[block] + m_ball_work_eV * kWorkSafety);
  if (margin <= 0.0) return 0.0;
  const double r = m_block_bound[block];
  const FastEngineParams& p = m_params;
  double budget = r > 0.0 ? kT * std::log1p(p.initial_share * m_fair_share / r)
                          : p.max_budget_kT * kT;
  budget = std::clamp(budget, p.min_budget_kT * kT, p.max_budget_kT * kT);
  return std::min(budget, margin * (1.0 - 1e-9));
}

void FastEngine::update_tree(std::size_t block) {
  const double value =
      m_block_bound[block] * std::exp(m_budget[block] / m_tables->kT);
  m_tree.set(block, value);
}

void FastEngine::refresh_block(const EngineContext& ctx, std::size_t block, double t) {
  const Tables& tb = *m_tables;
  const std::uint32_t* sites = tb.block_sites.data() + block * tb.block_size;
  double drive = -1e300;
  for (std::size_t q = 0; q < tb.block_size; ++q)
    drive = std::max(drive, bound_site(ctx, sites[q], t));
  m_block_drive[block] = drive;
  sum_block(block);
  m_delta[block] = 0.0;
  m_budget[block] = initial_budget(block);
  const bool hot = m_budget[block] == 0.0;
  if (hot && !m_is_hot[block]) m_hot.push_back(static_cast<std::uint32_t>(block));
  m_is_hot[block] = hot;
  update_tree(block);
  ++m_stats.block_refreshes;
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
  if (m_is_hot[block]) ++m_refresh_hot;
  else if (delta > budget) ++m_refresh_budget;
  else ++m_refresh_margin;
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

void FastEngine::rebuild(const EngineContext& ctx) {
  rebuild_at(ctx);
}

void FastEngine::rebuild_at(const EngineContext& ctx) {
  const Tables& tb = *m_tables;
  const std::size_t n = tb.grid.size(), na = static_cast<std::size_t>(tb.na);
  const double t = ctx.time_s;
  TensorField fresh(tb.grid);
  m_solver->solve(ctx.eigenstrain, nullptr, &fresh);
  // Drift: sites whose applied stress is up to date must equal the fresh solve to round-off.
  if (!m_log.empty() || m_stats.resolves > 0) {
    double diff = 0.0, ref = 0.0;
    for (std::size_t a = 0; a < na; ++a) {
      const auto col = fresh.component(tb.active[a]);
      for (std::size_t i = 0; i < n; ++i) {
        ref = std::max(ref, std::abs(col[i]));
        if (m_synced[i] == m_log.size())
          diff = std::max(diff, std::abs(col[i] - m_stress[i * na + a]));
      }
    }
    const double drift = ref > 0.0 ? diff / ref : diff;
    m_stats.max_drift = std::max(m_stats.max_drift, drift);
    if (drift > m_params.drift_tolerance)
      throw NumericalError("fast engine: applied stress drifted by " + std::to_string(drift) +
                           " (relative) from a fresh solve; tolerance kmc.drift_tolerance = " +
                           std::to_string(m_params.drift_tolerance));
  }
  for (std::size_t a = 0; a < na; ++a) {
    const auto col = fresh.component(tb.active[a]);
    for (std::size_t i = 0; i < n; ++i) m_stress[i * na + a] = col[i];
  }
  m_log.clear();
  std::fill(m_synced.begin(), m_synced.end(), 0u);
  ++m_stats.resolves;

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

  // Every bound, in parallel over blocks (each block's arithmetic is fixed: thread-independent).
  const StzModel& model = ctx.model;
#pragma omp parallel for schedule(static) if (n >= kParallelMinimum)
  for (std::size_t b = 0; b < tb.n_blocks; ++b) {
    const std::uint32_t* sites = tb.block_sites.data() + b * tb.block_size;
    double drive = -1e300, sum = 0.0;
    for (std::size_t q = 0; q < tb.block_size; ++q) {
      const std::size_t i = sites[q];
      double sigma[kMaxActive];
      for (std::size_t a = 0; a < na; ++a) sigma[a] = m_reference_stress[a] + m_stress[i * na + a];
      const SiteRate r = model.site_rate(i, sigma, model.barrier_eV(i, t));
      m_site_bound[i] = r.rate;
      sum += r.rate;
      drive = std::max(drive, r.max_drive_eV);
    }
    m_block_bound[b] = sum;
    m_block_drive[b] = drive;
    m_delta[b] = 0.0;
  }
  // The fair share of the rate per block, from the background: the few hottest blocks (often a
  // site that just fired and is about to flip back) are left out, or every other block's budget
  // would be sized by a rate that is gone after the next event.
  {
    std::vector<double> sorted(m_block_bound);
    const std::size_t top = std::min(tb.n_blocks - 1, tb.n_blocks / 100 + 1);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(tb.n_blocks - top),
                     sorted.end());
    m_fair_share = deterministic_sum(sorted.data(), tb.n_blocks - top) /
                   static_cast<double>(tb.n_blocks);
  }
  if (std::getenv("STZ_DEBUG_BOUNDS")) {
    std::vector<double> r(m_block_bound);
    std::sort(r.begin(), r.end());
    double total = 0;
    for (double x : r) total += x;
    double cum = 0;
    std::fprintf(stderr, "rebuild t=%g fair=%g total=%g quantiles(R_b/fair):", t, m_fair_share, total);
    for (double q : {0.1, 0.5, 0.9, 0.99, 1.0})
      std::fprintf(stderr, " %g:%.3g", q, r[std::min(r.size() - 1, static_cast<std::size_t>(q * r.size()))] / m_fair_share);
    // share of the total held by the top 1 %, 10 %
    for (std::size_t k = r.size(); k-- > 0;) {
      cum += r[k];
      if (k == r.size() - r.size() / 100 - 1) std::fprintf(stderr, " top1%%=%.3f", cum / total);
      if (k == r.size() - r.size() / 10) std::fprintf(stderr, " top10%%=%.3f", cum / total);
    }
    double wsum = 0;
    for (std::size_t o = 0; o < tb.n_blocks; ++o) wsum += tb.work_bound[o];
    std::fprintf(stderr, " mean W/kT=%.4g\n", wsum / tb.n_blocks / tb.kT);
  }
  m_hot.clear();
  std::vector<double> values(tb.n_blocks);
  for (std::size_t b = 0; b < tb.n_blocks; ++b) {
    m_budget[b] = initial_budget(b);
    m_is_hot[b] = m_budget[b] == 0.0;
    if (m_is_hot[b]) m_hot.push_back(static_cast<std::uint32_t>(b));
    values[b] = m_block_bound[b] * std::exp(m_budget[b] / tb.kT);
  }
  m_tree.set_all(values);
  // Athermal sites can only be in blocks whose bound admits a drive >= 0.
  m_athermal_pending = false;
  for (std::size_t b = 0; b < tb.n_blocks; ++b) {
    if (m_block_drive[b] + m_ball_work_eV * kWorkSafety < 0.0) continue;
    const std::uint32_t* sites = tb.block_sites.data() + b * tb.block_size;
    for (std::size_t q = 0; q < tb.block_size; ++q) check_athermal(ctx, sites[q], t);
  }
  m_events_since_rebuild = 0;
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
  for (;;) {
    const double exit_s = ball_exit_time(ctx, t);
    const double total = m_tree.total() * G;
    const double tau = total > 0.0 ? -std::log(uniform01_open_low(rng)) / total
                                   : std::numeric_limits<double>::infinity();
    if (t + tau >= std::min(stop_s, exit_s)) {
      if (stop_s <= exit_s) return {EngineEvent::Kind::none, stop_s, 0, 0};
      // The loading carried the mean stress out of the ball: new horizon at exit_s.
      t = exit_s;
      EngineContext at = ctx;
      at.time_s = t;
      at.mean_stress = ctx.mean_stress_at(t);
      rebuild_at(at);
      ++m_stats.horizon_renewals;
      if (m_athermal_pending) {
        m_athermal_pending = false;
        return {EngineEvent::Kind::athermal, t, m_athermal_site, m_athermal_mode};
      }
      continue;
    }
    t += tau;
    const std::size_t block = m_tree.select(uniform01(rng));
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
    const double bound = m_site_bound[site] * std::exp(m_budget[block] / tb.kT + m_log_slack);
    // The exact rate now: deferred events applied, the mean stress and barrier at time t.
    apply_deferred(site);
    const double* applied = m_stress.data() + site * static_cast<std::size_t>(tb.na);
    const auto mean = model.active_part(ctx.mean_stress_at(t));
    double sigma[kMaxActive];
    for (int a = 0; a < tb.na; ++a) sigma[a] = mean[static_cast<std::size_t>(a)] + applied[a];
    const double barrier = model.barrier_eV(site, t);
    const SiteRate exact = model.site_rate(site, sigma, barrier);
    ++m_stats.candidates;
    if (!(exact.rate <= bound))
      throw InternalError("fast engine: rate bound violated at site " + std::to_string(site) +
                          ": rate " + std::to_string(exact.rate) + " > bound " +
                          std::to_string(bound) + " (a bias; please report)");
    if (uniform01(rng) * bound < exact.rate) {
      model.site_mode_rates(site, sigma, barrier, m_mode_scratch);
      double pick = uniform01(rng) * deterministic_sum(m_mode_scratch.data(), m_mode_scratch.size());
      int mode = 0;
      for (; mode + 1 < static_cast<int>(m_mode_scratch.size()); ++mode) {
        if (pick < m_mode_scratch[static_cast<std::size_t>(mode)]) break;
        pick -= m_mode_scratch[static_cast<std::size_t>(mode)];
      }
      while (m_mode_scratch[static_cast<std::size_t>(mode)] == 0.0 && mode > 0) --mode;
      return {EngineEvent::Kind::thermal, t, site, mode};
    }
    // A null event. Its site is now up to date: tighten its bound.
    ++m_stats.null_events;
    EngineContext at = ctx;
    at.time_s = t;
    at.mean_stress = ctx.mean_stress_at(t);
    m_block_drive[block] = std::max(m_block_drive[block], bound_site(at, site, t));
    sum_block(block);
    settle_block(at, block, t);
    if (m_athermal_pending) {
      m_athermal_pending = false;
      return {EngineEvent::Kind::athermal, t, m_athermal_site, m_athermal_mode};
    }
  }
}

void FastEngine::on_event(const EngineContext& ctx, std::size_t site, const SymTensor& increment) {
  const Tables& tb = *m_tables;
  LogEntry entry;
  entry.site = static_cast<std::uint32_t>(site);
  entry.coords = tb.grid.coords(site);
  entry.increment = ctx.model.active_part(increment);
  m_log.push_back(entry);
  if (++m_events_since_rebuild >= m_params.resolve_every_events ||
      ball_distance(ctx.mean_stress) > m_ball_radius_GPa) {
    if (ball_distance(ctx.mean_stress) > m_ball_radius_GPa) ++m_stats.horizon_renewals;
    rebuild_at(ctx);
    return;
  }
  const double t = ctx.time_s;
  ++m_generation;
  m_touched.clear();
  auto touch = [&](std::size_t b) {
    if (m_mark[b] != m_generation) {
      m_mark[b] = m_generation;
      m_touched.push_back(b);
    }
  };
  // Far field: δ_b += W(p, b − a) for every block, walking lines of the block grid along its
  // last non-trivial axis (two contiguous segments of the table row per line).
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
      const double* w = row + obase;
      bool over = false;
      for (int z = 0; z < shift; ++z) {
        delta[z] += w[z - shift + line];
        over |= delta[z] > budget[z];
      }
      for (int z = shift; z < line; ++z) {
        delta[z] += w[z - shift];
        over |= delta[z] > budget[z];
      }
      if (over)
        for (int z = 0; z < line; ++z)
          if (delta[z] > budget[z]) touch(base + static_cast<std::size_t>(z));
    }
  }
  for (std::uint32_t b : m_hot) touch(b);
  // Near field: the event's site and its neighbours, exactly.
  const auto c = entry.coords;
  auto near = [&](std::size_t i) {
    const std::size_t b = tb.site_block[i];
    m_block_drive[b] = std::max(m_block_drive[b], bound_site(ctx, i, t));
    touch(b);
  };
  near(site);
  for (const auto& d : tb.near_offsets)
    near(tb.grid.wrapped_index(c[0] + d[0], c[1] + d[1], c[2] + d[2]));
  for (std::size_t b : m_touched) {
    sum_block(b);
    settle_block(ctx, b, t);
  }
  // Blocks that left the hot list.
  m_hot.erase(std::remove_if(m_hot.begin(), m_hot.end(), [&](std::uint32_t b) { return !m_is_hot[b]; }),
              m_hot.end());
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

std::string FastEngine::describe() const {
  const Tables& tb = *m_tables;
  std::ostringstream s;
  const double accepted = static_cast<double>(m_stats.candidates - m_stats.null_events);
  s << "fast engine: blocks " << tb.block[0] << "x" << tb.block[1] << "x" << tb.block[2] << " ("
    << tb.n_blocks << "), " << m_stats.candidates << " candidates, acceptance "
    << (m_stats.candidates > 0 ? accepted / static_cast<double>(m_stats.candidates) : 0.0) << ", "
    << m_stats.resolves << " rebuilds (" << m_stats.horizon_renewals << " horizon), "
    << m_stats.block_refreshes << " block refreshes, " << m_stats.budget_raises
    << " budget raises, " << m_stats.site_refreshes << " site refreshes, "
    << m_stats.replayed_pairs << " replayed pairs, max drift " << m_stats.max_drift
    << " | refresh reasons hot/budget/margin " << m_refresh_hot << "/" << m_refresh_budget << "/"
    << m_refresh_margin;
  return s.str();
}

}  // namespace stz
