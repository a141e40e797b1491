// Shear catalogs (SPEC 3.4): the list of M transformation strains ε*_k an STZ site may choose from.
// Every mode is a pure shear of magnitude γ0 (principal strains +γ0/2, −γ0/2, 0) plus an optional
// dilatation δ·γ0/3·I. Strains are dimensionless SymTensors in Voigt order with TENSOR shears.
//
// Mode order, shared by all factories: with P = ceil(M/2) "shear systems", modes [0, P) are the
// systems and mode k + P (k < M − P) is the negative of the shear part of mode k, so for even M
// the catalog is made of M/2 exact ± pairs and for odd M the system (M−1)/2 has no partner.
// (The planar catalog follows the same rule for even M; for odd M its directions are evenly
// spaced and contain no ± pairs.) Every factory takes `reverse_modes` (default true, the rule
// above); false builds M systems and no negatives — a shear that runs one sense only along
// each of its axes (config types.<name>.reverse_modes). See docs/catalog.md.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "libstz/core/rng.hpp"
#include "libstz/core/voigt.hpp"

namespace stz {

/// Mode count of the glassy matrix (order D = 1); MRO types default to round(20/D).
inline constexpr int kMatrixModeCount = 20;
/// Largest accepted mode count (a guard against typos; catalogs are stored per site).
inline constexpr int kMaxModeCount = 1000;
/// Largest accepted |dilatation| δ.
inline constexpr double kMaxDilatation = 10.0;

/// The transformation strains one STZ site (or one MRO domain) may choose from.
class ShearCatalog {
 public:
  /// An empty catalog (size 0, γ0 = 0); only useful as a placeholder to assign to.
  ShearCatalog() = default;
  /// modes: the tensors (tensor shears); gamma0, dilatation: the magnitude γ0 and the factor δ
  /// they were built with (best_alignment normalizes by γ0).
  ShearCatalog(std::vector<SymTensor> modes, double gamma0, double dilatation);

  /// Number of modes M.
  int size() const { return static_cast<int>(m_modes.size()); }
  /// Transformation strain of mode k, 0 <= k < size().
  const SymTensor& mode(int k) const { return m_modes[static_cast<std::size_t>(k)]; }
  /// All modes, in catalog order.
  const std::vector<SymTensor>& modes() const { return m_modes; }
  /// Shear magnitude γ0: each mode's principal shear strains are ±γ0/2.
  double gamma0() const { return m_gamma0; }
  /// Dilatation factor δ: each mode's trace is δ·γ0.
  double dilatation() const { return m_dilatation; }

  /// Iteration over the modes in catalog order.
  std::vector<SymTensor>::const_iterator begin() const { return m_modes.begin(); }
  std::vector<SymTensor>::const_iterator end() const { return m_modes.end(); }

  /// Exact (==) equality of modes, γ0 and δ.
  bool operator==(const ShearCatalog& other) const = default;

 private:
  std::vector<SymTensor> m_modes;
  double m_gamma0 = 0.0;
  double m_dilatation = 0.0;
};

/// Throws ConfigError(key, ...) unless 1 <= modes <= kMaxModeCount.
void validate_mode_count(int modes, const std::string& key);
/// Throws ConfigError(key, ...) unless gamma0 is finite and in (0, 1].
void validate_gamma0(double gamma0, const std::string& key);
/// Throws ConfigError(key, ...) unless dilatation is finite and |dilatation| <= kMaxDilatation.
void validate_dilatation(double dilatation, const std::string& key);
/// All three, naming the keys "<key_prefix>.modes", "<key_prefix>.gamma0" and
/// "<key_prefix>.dilatation" (use the single validators when the keys live in different
/// sections, e.g. types.<name>.modes and stz.gamma0).
void validate_catalog_parameters(int modes, double gamma0, double dilatation,
                                 const std::string& key_prefix);

/// Default mode count of a type with degree of order D (SPEC 3.4): round(20/D), at least 1
/// (halves round away from zero). Throws ConfigError(key, ...) when D is not finite or D < 1;
/// `key` is the caller's, e.g. "types.mro_a.order".
int default_mode_count(double order, const std::string& key);

/// 2D (plane strain) catalog: ε*(θ_k) = (γ0/2)[[cos 2θ_k, sin 2θ_k], [sin 2θ_k, −cos 2θ_k]] in
/// the xy plane plus δγ0/3·I (zz included: the eigenstrain of a plane-strain site is 3D), with
/// θ_k = θ0 + kπ/M, k = 0..M−1. theta0 in rad. Without reverse modes θ_k = θ0 + kπ/(2M): M
/// axes over a quarter turn, none the negative (θ + π/2) of another. Arguments must have been
/// validated (InternalError otherwise).
ShearCatalog make_planar_catalog(int modes, double gamma0, double dilatation, double theta0,
                                 bool reverse_modes = true);

/// A uniformly random 2D catalog orientation θ0 in [0, π) (one draw).
double random_planar_angle(Rng& rng);

/// 3D per-site random catalog (matrix, "heterogeneously randomized"): P = ceil(M/2) independent
/// uniformly random rotations R_j (stz::random_rotation, drawn in order j = 0..P−1) of
/// diag(γ0/2, −γ0/2, 0), i.e. R_j D R_jᵀ, then their negatives (the last dropped for odd M),
/// plus δγ0/3·I. Consumes exactly 3P uniform draws of rng. Without reverse modes: P = M
/// rotations, no negatives (3M draws).
ShearCatalog make_random_catalog(int modes, double gamma0, double dilatation, Rng& rng,
                                 bool reverse_modes = true);

/// 3D template catalog before rotation. M = 2: ±(γ0/2)(e1⊗e3 + e3⊗e1). M = 12: the six systems
/// (γ0/2)(e_i⊗e_j + e_j⊗e_i) for (i,j) = (1,3), (1,2), (2,3), then (γ0/2)(e_i⊗e_i − e_j⊗e_j)
/// for (1,2), (1,3), (2,3), and their negatives. Every M uses the first ceil(M/2) systems of one
/// nested sequence that starts with those six and continues by deterministic farthest-point
/// selection (docs/catalog.md), so other M get evenly spread ± pairs. Without reverse modes the
/// first M systems of the sequence, no negatives (M = 2: the e1–e3 and e1–e2 shears, one sense).
ShearCatalog make_template_catalog(int modes, double gamma0, double dilatation,
                                   bool reverse_modes = true);

/// The template catalog rotated by a domain rotation R: every mode becomes R ε Rᵀ.
ShearCatalog make_template_catalog(int modes, double gamma0, double dilatation,
                                   const Eigen::Matrix3d& rotation, bool reverse_modes = true);

/// Every mode of `catalog` rotated: R ε Rᵀ. R must be a proper rotation (InternalError
/// otherwise). Rotating a template once per domain avoids rebuilding it.
ShearCatalog rotated(const ShearCatalog& catalog, const Eigen::Matrix3d& rotation);

/// max over ALL pure shears ε of magnitude γ0 of σ:ε, i.e. (γ0/2)(s1 − s3) for the principal
/// stresses s1 >= s2 >= s3. Units of stress × strain (GPa when σ is in GPa).
double ideal_shear_work(const SymTensor& stress, double gamma0);

/// The best-aligned mode of a catalog under a stress.
struct ModeAlignment {
  /// max_k σ:dev(ε*_k) / ideal_shear_work(σ, γ0): 1 when a mode is ideally aligned; may be
  /// negative when no mode does positive work. 1 by convention when σ has no deviatoric part.
  double fraction = 0.0;
  /// The mode attaining the maximum (the lowest index among ties).
  int mode = 0;
};

/// The mode whose shear part does the most work under `stress` (any scale; only its direction
/// matters), and that work as a fraction of the ideal. The dilatational part of the modes is
/// ignored, so the fraction measures orientation only. The catalog must not be empty.
ModeAlignment best_alignment(const ShearCatalog& catalog, const SymTensor& stress);

}  // namespace stz
