// Parameters of the STZ model (SPEC 3.4–3.6): STZ types, rates, free volume and softening.
// Plain structs with defaults and units in the names; validate() names the config key of any
// bad value. Defaults and their calibration: docs/model.md.
#pragma once

#include <string>
#include <vector>

namespace stz {

/// How a type's shear catalog is oriented (SPEC 3.4).
enum class OrientationPolicy {
  per_site,    ///< each site draws its own orientation and redraws it after firing (matrix)
  per_domain,  ///< all voxels of a domain share one orientation, kept after firing (MRO)
};
OrientationPolicy parse_orientation_policy(const std::string& text, const std::string& key);
const char* to_string(OrientationPolicy policy);

/// One STZ type (config `types.<name>`). Type 0 is always `matrix`.
struct StzTypeParams {
  std::string name = "matrix";
  /// Number of shear modes M; 0 means "round(20/order)".
  int modes = 20;
  /// Degree of order D >= 1 (matrix 1): softening and free-volume creation scale by 1/D.
  double order = 1.0;
  /// Activation barrier ΔF, eV (mean of the per-site spread; calibration: docs/model.md).
  double barrier_eV = 1.5;
  /// Relative spread of the per-site barrier: ΔF_i = ΔF (1 + spread·(2u − 1)), u uniform.
  double barrier_spread = 0.2;
  OrientationPolicy orientation = OrientationPolicy::per_site;
  /// Draw a new barrier ΔF_i after the site fires: the transformation rearranges the local
  /// atoms. (A per_domain site keeps its orientation either way.) Without it, the weakest
  /// per-domain sites flip back and forth under their own back-stress (docs/model.md).
  bool redraw_barrier = true;
  /// Each mode comes with its negative (± pairs, SPEC 3.4). false: M distinct shear systems,
  /// each one sense only (docs/model.md).
  bool reverse_modes = true;
  /// Factor s on the free volume an event creates (and so on the softening), independent of
  /// `order`; 0 means the default 1/order.
  double softening_scale = 0.0;

  /// Mode count after applying the default rule.
  int resolved_modes() const;
  /// Reverse modes with an even count: mode k + M/2 is exactly the reverse of mode k, so the
  /// model stores M/2 shear parts (StzModel::paired).
  bool paired_modes() const { return reverse_modes && resolved_modes() % 2 == 0; }
  /// Shear parts the model stores per site: M/2 when paired, else M.
  int stored_modes() const { return paired_modes() ? resolved_modes() / 2 : resolved_modes(); }
  /// Order-scaled softening / free-volume factor s = 1/D.
  double order_scale() const { return 1.0 / order; }
  /// The softening / free-volume factor in use: softening_scale, or 1/order when it is 0.
  double resolved_softening_scale() const {
    return softening_scale > 0.0 ? softening_scale : order_scale();
  }
  void validate() const;
};

/// Free volume and softening (SPEC 3.6); ξ are dimensionless fractions of the voxel volume.
struct FreeVolumeParams {
  /// Permanent free volume created per event, c_p (× s = 1/D of the firing type).
  double permanent_per_event = 0.02;
  /// Transient free volume set by an event, c_t (× s): ξt = s·c_t after firing.
  double transient_per_event = 0.02;
  /// Cap of the permanent free volume ξp.
  double permanent_max = 0.2;
  /// Activation energy of transient annealing E_a, eV: τ_a = 1/(ν0 exp(−E_a/k_BT)).
  double annealing_barrier_eV = 0.85;
  /// Softening coefficient k_s: S = k_s (ξp + ξt), barrier ΔF·exp(−S).
  double softening_coefficient = 5.0;
  /// Largest allowed relative barrier drop, in [0, 1).
  double max_barrier_drop = 0.25;
  void validate() const;
};

/// The voxels an STZ spans (config `stz.cluster`, SPEC 3.1; docs/model.md "STZ clusters").
enum class ClusterShape {
  voxel,   ///< one voxel (the default)
  sphere,  ///< voxels whose centres lie within radius_nm (a disc in 2D)
  cube,    ///< edge_voxels per axis (a square in 2D)
};
ClusterShape parse_cluster_shape(const std::string& text, const std::string& key);
const char* to_string(ClusterShape shape);

/// How the attempt frequency of a site follows its cluster size |C|.
enum class AttemptScaling {
  per_volume,  ///< ν0/|C| per site: sites overlap, so the attempts per STZ volume stay ν0
  per_site,    ///< ν0 per site, whatever the cluster
};
AttemptScaling parse_attempt_scaling(const std::string& text, const std::string& key);
const char* to_string(AttemptScaling scaling);

/// How the quenched barrier disorder ΔF_i = ΔF (1 + spread·(2u − 1)) is drawn (docs/model.md,
/// "STZ clusters"). per_site: u independent for every site. per_voxel (default): every voxel
/// carries a standard normal g_v and u = Φ(Σ_{v∈C_i} g_v / √|C|), so u is still uniform but sites
/// whose clusters overlap share their disorder (correlation |C ∩ (C+d)| / |C|): the disorder
/// keeps the STZ's correlation length when voxels are finer than the STZ (and results converge
/// with the voxel size, docs/model.md). A redraw after an event redraws the fired cluster's
/// voxels. With one-voxel STZs both are the same law and the per-site draw is used (today's
/// runs bit for bit).
enum class BarrierDisorder { per_site, per_voxel };
BarrierDisorder parse_barrier_disorder(const std::string& text, const std::string& key);
const char* to_string(BarrierDisorder disorder);

struct StzClusterParams {
  ClusterShape shape = ClusterShape::voxel;
  double radius_nm = 0.0;  ///< sphere only
  int edge_voxels = 1;     ///< cube only
  /// 2D only: the out-of-plane thickness of an STZ, nm (0 = one voxel edge, today's Ω = a³).
  double thickness_nm = 0.0;
  AttemptScaling attempt_scaling = AttemptScaling::per_volume;
  BarrierDisorder barrier_disorder = BarrierDisorder::per_voxel;
  void validate() const;
};

/// Everything the STZ model needs besides the grid and the structure map.
struct ModelParams {
  /// Shear magnitude γ0 of every mode.
  double gamma0 = 0.1;
  /// Dilatation factor δ: each mode adds δγ0/3·I.
  double dilatation = 0.0;
  /// Attempt frequency ν0, 1/s.
  double attempt_frequency_per_s = 1.0e13;
  /// Temperature, K.
  double temperature_K = 300.0;
  /// Standard deviation of the quenched-in residual eigenstrain, as a fraction of γ0 (0 = none).
  double residual_strain_std = 0.0;
  FreeVolumeParams free_volume;
  StzClusterParams cluster;
  /// STZ types; index 0 must be `matrix`.
  std::vector<StzTypeParams> types{StzTypeParams{}};
  void validate() const;
};

}  // namespace stz
