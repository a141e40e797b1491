#include "libstz/catalog/shear_catalog.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include <Eigen/Eigenvalues>

#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"

namespace stz {
namespace {

/// Systems of the 12-mode template: the first six of the nested template sequence.
constexpr int kFixedTemplateSystems = 6;
/// Quasi-random rotations the farthest-point selection chooses further template systems from.
constexpr int kTemplateCandidates = 4096;
/// Longest template sequence ever needed: kMaxModeCount systems (a catalog without reverse
/// modes uses one system per mode). The sequence is nested, so its length changes no catalog.
constexpr int kMaxTemplateSystems = kMaxModeCount;

bool parameters_valid(int modes, double gamma0, double dilatation) {
  return modes >= 1 && modes <= kMaxModeCount && std::isfinite(gamma0) && gamma0 > 0.0 &&
         gamma0 <= 1.0 && std::isfinite(dilatation) && std::abs(dilatation) <= kMaxDilatation;
}

void require_parameters(int modes, double gamma0, double dilatation) {
  STZ_REQUIRE(parameters_valid(modes, gamma0, dilatation),
              "unvalidated catalog parameters: modes = ", modes, ", gamma0 = ", gamma0,
              ", dilatation = ", dilatation);
}

/// Shear systems of an M-mode catalog: ceil(M/2) with reverse modes, M without.
int system_count(int modes, bool reverse_modes) {
  return reverse_modes ? (modes + 1) / 2 : modes;
}

/// Mode list from P shear systems of magnitude γ0 (no dilatation yet): with reverse modes
/// P = ceil(M/2), the systems then the negatives of the first M − P; without, the M systems.
/// Each plus δγ0/3·I.
ShearCatalog from_systems(const std::vector<SymTensor>& systems, int modes, double gamma0,
                          double dilatation, bool reverse_modes) {
  const int p = system_count(modes, reverse_modes);
  STZ_REQUIRE(static_cast<int>(systems.size()) >= p, "systems = ", systems.size(), ", need ", p);
  const double volumetric = dilatation * gamma0 / 3.0;
  const SymTensor isotropic{volumetric, volumetric, volumetric, 0.0, 0.0, 0.0};
  std::vector<SymTensor> list;
  list.reserve(static_cast<std::size_t>(modes));
  for (int k = 0; k < p; ++k) list.push_back(systems[static_cast<std::size_t>(k)] + isotropic);
  for (int k = 0; k < modes - p; ++k)
    list.push_back((-1.0) * systems[static_cast<std::size_t>(k)] + isotropic);
  return ShearCatalog(std::move(list), gamma0, dilatation);
}

/// (1/2)(e_i⊗e_j + e_j⊗e_i), i ≠ j: a unit-γ0 pure shear.
SymTensor off_diagonal_system(int i, int j) {
  SymTensor t{};
  t[static_cast<std::size_t>(voigt_index(i, j))] = 0.5;
  return t;
}

/// (1/2)(e_i⊗e_i − e_j⊗e_j): a unit-γ0 pure shear.
SymTensor normal_system(int i, int j) {
  SymTensor t{};
  t[static_cast<std::size_t>(i)] = 0.5;
  t[static_cast<std::size_t>(j)] = -0.5;
  return t;
}

/// R diag(1/2, −1/2, 0) Rᵀ.
SymTensor rotated_unit_shear(const Eigen::Matrix3d& r) {
  const Eigen::Vector3d a = r.col(0), b = r.col(1);
  return from_matrix(0.5 * (a * a.transpose() - b * b.transpose()));
}

/// The nested template sequence of `count` unit-γ0 shear systems: the six 12-mode systems, then
/// greedy farthest-point selection among kTemplateCandidates pure shears R D Rᵀ whose rotations
/// are the 3D Kronecker (R3, generalized golden ratio) low-discrepancy sequence mapped to SO(3).
/// Each step takes the candidate whose largest |cos| angle to the chosen systems (as 5-vectors,
/// ± identified) is smallest, the lowest index among ties.
std::vector<SymTensor> build_template_sequence(int count) {
  std::vector<SymTensor> systems = {off_diagonal_system(0, 2), off_diagonal_system(0, 1),
                                    off_diagonal_system(1, 2), normal_system(0, 1),
                                    normal_system(0, 2),       normal_system(1, 2)};
  if (count <= kFixedTemplateSystems) {
    systems.resize(static_cast<std::size_t>(count));
    return systems;
  }
  // Generalized golden ratio φ3: the real root of x⁴ = x + 1.
  const double phi3 = 1.2207440846057594754;
  const double alpha[3] = {1.0 / phi3, 1.0 / (phi3 * phi3), 1.0 / (phi3 * phi3 * phi3)};
  std::vector<SymTensor> candidates(kTemplateCandidates);
  for (int n = 0; n < kTemplateCandidates; ++n) {
    double u[3];
    for (int d = 0; d < 3; ++d) u[d] = std::fmod(0.5 + n * alpha[d], 1.0);
    candidates[static_cast<std::size_t>(n)] =
        rotated_unit_shear(rotation_from_unit_cube(u[0], u[1], u[2]));
  }
  // A unit-γ0 pure shear has S:S = 1/2, so |cos angle| = 2|a:b|.
  std::vector<double> coherence(candidates.size(), 0.0);
  auto absorb = [&](const SymTensor& chosen) {
    for (std::size_t c = 0; c < candidates.size(); ++c)
      coherence[c] = std::max(coherence[c], 2.0 * std::abs(double_dot(chosen, candidates[c])));
  };
  for (const SymTensor& s : systems) absorb(s);
  while (static_cast<int>(systems.size()) < count) {
    const auto best = static_cast<std::size_t>(
        std::min_element(coherence.begin(), coherence.end()) - coherence.begin());
    systems.push_back(candidates[best]);
    absorb(candidates[best]);
  }
  return systems;
}

const std::vector<SymTensor>& long_template_sequence() {
  static const std::vector<SymTensor> sequence = build_template_sequence(kMaxTemplateSystems);
  return sequence;
}

}  // namespace

ShearCatalog::ShearCatalog(std::vector<SymTensor> modes, double gamma0, double dilatation)
    : m_modes(std::move(modes)), m_gamma0(gamma0), m_dilatation(dilatation) {}

void validate_mode_count(int modes, const std::string& key) {
  if (modes < 1 || modes > kMaxModeCount)
    throw ConfigError(key, to_display(modes),
                      "an integer number of shear modes in [1, " + to_display(kMaxModeCount) + "]");
}

void validate_gamma0(double gamma0, const std::string& key) {
  if (!std::isfinite(gamma0) || gamma0 <= 0.0 || gamma0 > 1.0)
    throw ConfigError(key, to_display(gamma0), "a shear magnitude in (0, 1]");
}

void validate_dilatation(double dilatation, const std::string& key) {
  if (!std::isfinite(dilatation) || std::abs(dilatation) > kMaxDilatation)
    throw ConfigError(key, to_display(dilatation),
                      "a finite dilatation factor in [-" + to_display(kMaxDilatation) + ", " +
                          to_display(kMaxDilatation) + "]");
}

void validate_catalog_parameters(int modes, double gamma0, double dilatation,
                                 const std::string& key_prefix) {
  validate_mode_count(modes, key_prefix + ".modes");
  validate_gamma0(gamma0, key_prefix + ".gamma0");
  validate_dilatation(dilatation, key_prefix + ".dilatation");
}

int default_mode_count(double order, const std::string& key) {
  if (!std::isfinite(order) || order < 1.0)
    throw ConfigError(key, to_display(order), "a finite degree of order >= 1");
  return std::max(1, static_cast<int>(std::lround(kMatrixModeCount / order)));
}

ShearCatalog make_planar_catalog(int modes, double gamma0, double dilatation, double theta0,
                                 bool reverse_modes) {
  require_parameters(modes, gamma0, dilatation);
  STZ_REQUIRE(std::isfinite(theta0), "theta0 = ", theta0);
  if (!reverse_modes) {
    // θ_k = θ0 + kπ/(2M): M axes evenly spread over a quarter turn; θ + π/2 (the negative of
    // θ) is never among them.
    std::vector<SymTensor> systems(static_cast<std::size_t>(modes));
    for (int k = 0; k < modes; ++k) {
      const double two_theta = 2.0 * theta0 + units::pi * k / modes;
      SymTensor t{};
      t[kXX] = 0.5 * std::cos(two_theta);
      t[kYY] = -t[kXX];
      t[kXY] = 0.5 * std::sin(two_theta);
      systems[static_cast<std::size_t>(k)] = gamma0 * t;
    }
    return from_systems(systems, modes, gamma0, dilatation, false);
  }
  // Even M: θ_{k+M/2} = θ_k + π/2 flips the shear exactly, which from_systems builds by negation.
  const int directions = modes % 2 == 0 ? modes / 2 : modes;
  std::vector<SymTensor> systems(static_cast<std::size_t>(directions));
  for (int k = 0; k < directions; ++k) {
    const double two_theta = 2.0 * theta0 + 2.0 * units::pi * k / modes;
    SymTensor t{};
    t[kXX] = 0.5 * std::cos(two_theta);
    t[kYY] = -t[kXX];
    t[kXY] = 0.5 * std::sin(two_theta);
    systems[static_cast<std::size_t>(k)] = gamma0 * t;
  }
  if (modes % 2 == 0) return from_systems(systems, modes, gamma0, dilatation, true);
  const double volumetric = dilatation * gamma0 / 3.0;
  for (SymTensor& t : systems) t = t + SymTensor{volumetric, volumetric, volumetric, 0, 0, 0};
  return ShearCatalog(std::move(systems), gamma0, dilatation);
}

double random_planar_angle(Rng& rng) {
  return units::pi * uniform01(rng);
}

ShearCatalog make_random_catalog(int modes, double gamma0, double dilatation, Rng& rng,
                                 bool reverse_modes) {
  require_parameters(modes, gamma0, dilatation);
  std::vector<SymTensor> systems(static_cast<std::size_t>(system_count(modes, reverse_modes)));
  for (SymTensor& s : systems) s = gamma0 * rotated_unit_shear(random_rotation(rng));
  return from_systems(systems, modes, gamma0, dilatation, reverse_modes);
}

ShearCatalog make_template_catalog(int modes, double gamma0, double dilatation,
                                   bool reverse_modes) {
  require_parameters(modes, gamma0, dilatation);
  const int p = system_count(modes, reverse_modes);
  std::vector<SymTensor> systems =
      p <= kFixedTemplateSystems ? build_template_sequence(p)
                                 : std::vector<SymTensor>(long_template_sequence().begin(),
                                                          long_template_sequence().begin() + p);
  for (SymTensor& s : systems) s = gamma0 * s;
  return from_systems(systems, modes, gamma0, dilatation, reverse_modes);
}

ShearCatalog make_template_catalog(int modes, double gamma0, double dilatation,
                                   const Eigen::Matrix3d& rotation, bool reverse_modes) {
  return rotated(make_template_catalog(modes, gamma0, dilatation, reverse_modes), rotation);
}

ShearCatalog rotated(const ShearCatalog& catalog, const Eigen::Matrix3d& rotation) {
  const double orthogonality =
      (rotation.transpose() * rotation - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  STZ_REQUIRE(orthogonality <= 1e-9 && std::abs(rotation.determinant() - 1.0) <= 1e-9,
              "not a proper rotation: |RᵀR − I| = ", orthogonality,
              ", det R = ", rotation.determinant());
  std::vector<SymTensor> list;
  list.reserve(catalog.modes().size());
  for (const SymTensor& t : catalog)
    list.push_back(from_matrix(rotation * to_matrix(t) * rotation.transpose()));
  return ShearCatalog(std::move(list), catalog.gamma0(), catalog.dilatation());
}

double ideal_shear_work(const SymTensor& stress, double gamma0) {
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(to_matrix(stress),
                                                              Eigen::EigenvaluesOnly);
  const Eigen::Vector3d s = solver.eigenvalues();  // ascending
  return 0.5 * gamma0 * (s(2) - s(0));
}

ModeAlignment best_alignment(const ShearCatalog& catalog, const SymTensor& stress) {
  STZ_REQUIRE(catalog.size() >= 1, "empty catalog");
  STZ_REQUIRE(catalog.gamma0() > 0.0, "catalog gamma0 = ", catalog.gamma0());
  const double stress_trace = trace(stress);
  ModeAlignment best{0.0, 0};
  double best_work = 0.0;
  for (int k = 0; k < catalog.size(); ++k) {
    const SymTensor& e = catalog.mode(k);
    const double work = double_dot(stress, e) - stress_trace * trace(e) / 3.0;
    if (k == 0 || work > best_work) {
      best_work = work;
      best.mode = k;
    }
  }
  const double ideal = ideal_shear_work(stress, catalog.gamma0());
  double scale = 0.0;
  for (double v : stress) scale = std::max(scale, std::abs(v));
  // Below this the deviatoric part is rounding noise of a hydrostatic stress.
  best.fraction = ideal <= 1e-12 * catalog.gamma0() * scale ? 1.0 : best_work / ideal;
  return best;
}

}  // namespace stz
