// The STZ model (SPEC 3.4–3.6): what every site can do, how fast, and what an event does.
//
// Rates: k_im = ν0 exp(−Q_im/k_BT), Q_im = B_i(t) − ½ Ω σ_i:ε*_im (σ in GPa, Ω in nm³, converted
// to eV), with B_i(t) = ΔF_i · max(exp(−S_i), 1 − max_drop) and S_i = k_s (ξp_i + ξt_i(t)).
//
// Storage is per site: the mode tensors of one site are contiguous (component-major within the
// site, [component][mode], stored as float — half the memory; every use converts the same float
// to double, so rates and eigenstrain increments stay consistent). Both kMC engines evaluate one
// site at a time (the reference engine all of them after every event, the fast engine only the
// sites it needs), so the per-site layout serves both; the mode loop is vectorised.
//
// Only the "active" Voigt components enter the rates: those a mode tensor can have (2D: xx, yy,
// xy, plus zz with dilatation; 3D: all six). Stresses passed as `const double*` hold exactly
// these components, in the order of active_components().
//
// STZ clusters (stz.cluster, SPEC 3.1): an STZ may span a cluster C of voxels centred on its
// site. Then Ω = |C| × voxel volume, the stress passed for a site is its cluster average, an
// event adds free volume to every voxel of the cluster, and the softening of a site is the
// cluster average of its voxels' free volume. The per-site averages are cached (what the rate
// loops read), so a site's barrier changes when any site whose cluster overlaps its own fires
// (the offsets StzCluster::overlap_offsets()). With one voxel both are the same arrays.
//
// The model knows nothing about event selection or time stepping: it returns site rates and,
// for one site, its mode rates; `fire` applies an event and returns the eigenstrain increment.
// Results are independent of the thread count.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "libstz/catalog/shear_catalog.hpp"
#include "libstz/core/rng.hpp"
#include "libstz/core/state_archive.hpp"
#include "libstz/grid/stz_cluster.hpp"
#include "libstz/grid/voxel_field.hpp"
#include "libstz/model/model_params.hpp"
#include "libstz/structure/structure_map.hpp"

namespace stz {

/// Result of a sweep over all sites.
struct RateSweep {
  /// Sum of all site rates (1/s), summed in a thread-independent order.
  double total_rate = 0.0;
  /// max over all site-modes of −Q (eV); >= 0 means an athermal event is due.
  double max_drive_eV = -1e300;
  /// The site attaining max_drive_eV (lowest index among ties).
  std::size_t most_driven_site = 0;
};

/// Total rate and largest drive of one site.
struct SiteRate {
  double rate = 0.0;             ///< Σ_m k_im, 1/s
  double max_drive_eV = -1e300;  ///< max_m (−Q_im), eV
};

/// The voxels of an STZ (stz.cluster); throws ConfigError when the cluster does not fit the box.
StzCluster make_stz_cluster(const Grid& grid, const StzClusterParams& params);
/// STZ volume Ω, nm³: |C| voxels; in 2D (plane strain) a prism of the cluster's area and the
/// STZ thickness (stz.cluster.thickness_nm, default one voxel edge: Ω = a³ for one voxel).
double stz_volume_nm3(const Grid& grid, const StzClusterParams& params, const StzCluster& cluster);

/// Largest number of active Voigt components.
inline constexpr int kMaxActive = 6;

class StzModel {
 public:
  /// Draws per-site barriers and orientations from the seed's `barrier` and `orientation`
  /// streams. Throws ConfigError for inconsistent parameters (e.g. a type index in `structure`
  /// without a type).
  StzModel(const Grid& grid, const ModelParams& params, const StructureMap& structure,
           std::uint64_t seed);

  // --- Rates of many sites (the reference engine) ---

  /// Total rate of every site (1/s) into site_rates (size N) under the total stress
  /// mean_stress + stress_fluctuation[i] at time t; also the most driven site-mode.
  RateSweep compute_site_rates(const SymTensor& mean_stress, const TensorField& stress_fluctuation,
                               double time_s, std::span<double> site_rates) const;

  /// Total rates and largest drives of the sites [begin, end) at time t under the active stresses
  /// sigma_active[(i − begin)·NA + a]; vectorised across runs of sites with equal mode counts.
  void site_rates_range(std::size_t begin, std::size_t end, const double* sigma_active,
                        double time_s, double* rates, double* drives_eV) const;

  // --- Rates of one site (active-component stresses; see the file comment) ---

  /// Voigt indices of the active components, in the order stresses are passed.
  const std::vector<int>& active_components() const { return m_active; }
  int active_count() const { return static_cast<int>(m_active.size()); }
  /// Total rate and largest drive of a site under active stress σ (GPa) with barrier B (eV).
  SiteRate site_rate(std::size_t site, const double* sigma_active, double barrier_eV) const;
  /// Rates (1/s) of every mode of a site, with the same arithmetic as site_rate.
  void site_mode_rates(std::size_t site, const double* sigma_active, double barrier_eV,
                       std::vector<double>& rates) const;
  /// −Q_im (eV) of every mode of a site.
  void site_mode_drives(std::size_t site, const double* sigma_active, double barrier_eV,
                        std::vector<double>& drives_eV) const;
  /// The active components of a full tensor.
  std::array<double, kMaxActive> active_part(const SymTensor& t) const;

  /// Rates (1/s) of every mode of one site under a full stress tensor at time t.
  void mode_rates(std::size_t site, const SymTensor& stress, double time_s,
                  std::vector<double>& rates) const;
  /// −Q_im (eV) of every mode of one site.
  void mode_drives(std::size_t site, const SymTensor& stress, double time_s,
                   std::vector<double>& drives_eV) const;

  /// Applies an event: updates free volume, redraws a per-site catalog and barrier, and returns
  /// the transformation strain ε*_im (tensor shears) that was added to the site.
  SymTensor fire(std::size_t site, int mode, double time_s);

  /// Transformation strain of mode m of a site (as used by the rates).
  SymTensor mode_tensor(std::size_t site, int mode) const;
  int mode_count(std::size_t site) const {
    return m_type_modes[static_cast<std::size_t>(m_type[site])];
  }
  /// Whether the site's modes are ± pairs (reverse modes, even M: mode k + M/2 is exactly the
  /// reverse shear of mode k); then only M/2 shear parts are stored and a pair costs one exp.
  bool paired(std::size_t site) const {
    return m_type_paired[static_cast<std::size_t>(m_type[site])] != 0;
  }
  /// Largest mode count of any type.
  int max_mode_count() const { return m_max_modes; }
  /// Current barrier B_i(t), eV. Never decreases between events (ξt only anneals); an event
  /// changes it at the sites whose cluster overlaps the fired one (with one voxel: that site).
  double barrier_eV(std::size_t site, double time_s) const;
  /// Softening state S_i(t).
  double softening(std::size_t site, double time_s) const;
  /// An upper bound, over all sites and all later times, of dB_i/dt (eV/s): barriers rise only
  /// while transient free volume anneals, at most by B0_i·S_transient,i(t)/τ_a.
  double max_barrier_rise_rate_eV_per_s(double time_s) const;

  /// ξp of every voxel.
  std::span<const double> permanent_free_volume() const {
    return m_cluster.single_voxel() ? m_free_volume_permanent : m_voxel_permanent;
  }
  /// ξp of every voxel as a fraction of its type's capacity, permanent_max × the type's
  /// softening scale (cfv.measure: relative); NaN where the capacity is 0.
  std::vector<double> relative_permanent_free_volume() const;
  /// ξt of a site at time t (its cluster's average).
  double transient_free_volume(std::size_t site, double time_s) const;
  /// Mean of ξp + ξt(t) over all voxels.
  double mean_free_volume(double time_s) const;
  /// Transient-annealing time τ_a, s.
  double annealing_time_s() const { return m_annealing_time_s; }
  /// k_B T, eV.
  double thermal_energy_eV() const { return m_kT; }
  /// The voxels an STZ spans (one by default).
  const StzCluster& cluster() const { return m_cluster; }
  /// STZ volume Ω, nm³: |C| voxels (2D: |C| a² × the STZ thickness).
  double stz_volume_nm3() const { return m_stz_volume_nm3; }
  /// Attempt frequency of one site, 1/s: ν0, or ν0/|C| with attempt_scaling per_volume.
  double site_attempt_frequency_per_s() const { return m_nu0; }
  /// ½ Ω × (eV per GPa nm³): converts σ:ε (GPa) into work (eV).
  double work_per_stress_eV_per_GPa() const { return m_half_omega; }
  /// Largest Frobenius norm of any mode tensor (for step-size and rate bounds).
  double max_mode_norm() const { return m_max_mode_norm; }
  /// An orthonormal basis (under the Frobenius product σ:ε) of the span of every mode tensor the
  /// model can produce, in active-component coordinates (tensor shears): the in-plane (2D) or
  /// full (3D) deviatoric tensors, plus the identity when modes dilate. For any stress σ and mode
  /// ε*, |σ:ε*| <= ‖Pσ‖ ‖ε*‖ with ‖Pσ‖² = Σ_k (u_k:σ)² — the bound the fast engine uses.
  const std::vector<std::array<double, kMaxActive>>& mode_space_basis() const {
    return m_mode_basis;
  }
  /// ‖Pσ‖ for an active-component stress (GPa).
  double mode_space_norm(const double* sigma_active) const;

  const ModelParams& params() const { return m_params; }
  const std::vector<std::int16_t>& site_types() const { return m_type; }
  const std::vector<std::int32_t>& site_domains() const { return m_domain; }
  /// Saved state of the random stream used for catalog and barrier redraws.
  std::string catalog_rng_state() const { return m_catalog_rng.save_state(); }

  // --- Checkpoint/restart ---

  /// Saves what events change (catalogs, barriers, free volume, the catalog random stream) under
  /// `prefix`; the rest follows from the config and the structure map.
  void save_state(StateWriter& out, const std::string& prefix) const;
  /// Restores a state saved by a model built from the same config and structure map (the types
  /// and domains are checked: a different map is an Error).
  void load_state(const StateReader& in, const std::string& prefix);

 private:
  void assign_catalog(std::size_t site, const ShearCatalog& catalog);
  ShearCatalog draw_site_catalog(int type, Rng& rng) const;
  double draw_barrier(int type, Rng& rng) const;
  /// stz.cluster.barrier_disorder per_voxel: ΔF_i from the voxel normals of its cluster.
  double correlated_barrier(std::size_t site) const;
  /// With one-voxel STZs per_voxel is the per-site law itself: the per-site draws are used.
  bool per_voxel_disorder() const {
    return m_params.cluster.barrier_disorder == BarrierDisorder::per_voxel &&
           !m_cluster.single_voxel();
  }
  /// σ_a × (contraction weight) × ½Ω/k_BT: the stress row that multiplies the mode tensors.
  void scaled_stress(const double* sigma_active, double* scaled) const;
  /// Element (a, k) of a site's stored shear parts (k < stored_count) is
  /// site_tensors(site)[(a·S + k)·site_step(site)], S = stored_count(site).
  const float* site_tensors(std::size_t site) const { return m_tensors.data() + m_site_base[site]; }
  int stored_count(std::size_t site) const {
    return paired(site) ? mode_count(site) / 2 : mode_count(site);
  }
  /// s·D: the dilatation's part of every mode's exponent, for a scaled stress row s.
  double site_offset(const double* s) const;
  /// Shear component a of mode `mode`, from the stored parts (negated for the second half of a
  /// paired site).
  double stored_shear(const float* eps, std::size_t step, int stored, std::size_t a,
                      int mode) const;
  std::size_t site_step(std::size_t site) const {
    return m_chunk_uniform[site / kTensorChunk] ? kTensorChunk : 1;
  }

  /// Recomputes the cached cluster averages of a site from its voxels' free volume.
  void refresh_site_free_volume(std::size_t site);

  Grid m_grid;
  ModelParams m_params;
  StzCluster m_cluster;
  double m_stz_volume_nm3 = 0.0;
  double m_nu0 = 0.0;  ///< attempt frequency per site
  std::vector<int> m_type_modes;
  std::vector<char> m_type_paired;
  int m_max_modes = 0;
  std::vector<std::int16_t> m_type;
  std::vector<std::int32_t> m_domain;
  std::vector<int> m_active;  ///< Voigt components stored (2D: xx, yy, xy [, zz])
  std::array<double, kMaxActive> m_stress_scale{};  ///< weight_a ½Ω / k_BT
  std::array<double, kMaxActive> m_dilatation{};    ///< D = δγ0/3·I, active components
  std::vector<std::array<double, kMaxActive>> m_mode_basis;
  /// Shear parts γ of the mode tensors (ε*_k = γ_k + D; paired sites store only the first half),
  /// in chunks of kTensorChunk consecutive sites: a chunk whose sites share a mode count and
  /// pairing is interleaved [component][mode][site of the chunk] (sweeps run on whole vectors); a
  /// mixed chunk stores each site's [component][mode] block contiguously.
  static constexpr std::size_t kTensorChunk = 8;
  std::vector<std::uint64_t> m_site_base;  ///< where element (0, 0) of each site is
  std::vector<char> m_chunk_uniform;
  std::vector<float> m_tensors;
  std::vector<double> m_barrier0_eV;  ///< ΔF_i
  // Per site (the cluster averages the rates read; with one voxel, the voxel values):
  std::vector<double> m_free_volume_permanent;
  std::vector<double> m_free_volume_transient;  ///< value at m_transient_since_s
  std::vector<double> m_transient_since_s;      ///< time of the last reset (any cluster voxel)
  // Per voxel, with clusters only (empty for one voxel):
  std::vector<double> m_voxel_permanent, m_voxel_transient, m_voxel_since_s;
  /// Per voxel, with barrier_disorder per_voxel only: the standard normal g_v.
  std::vector<double> m_voxel_disorder;
  Rng m_catalog_rng;
  double m_kT, m_half_omega, m_annealing_time_s, m_max_mode_norm = 0.0;
};

}  // namespace stz
