// Shear catalogs: mode tensors are pure shears of magnitude γ0 (plus δγ0/3·I), mode counts and
// ± pairs are exact, 2D angles are evenly spaced, templates are the SPEC 3.4 sets rotated by R,
// catalogs are reproducible from their Rng, bad input names its config key.
// Tolerances: the tensors are built from a few products of numbers of order γ0 ≤ 1, so 1e-12
// absolute is round-off with three orders of margin, unless a test says otherwise.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <Eigen/Eigenvalues>

#include "libstz/catalog/shear_catalog.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/units.hpp"
#include "tests/support/tolerance.hpp"

namespace stz {
namespace {

constexpr double kRoundOff = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Eigen::Vector3d eigenvalues(const SymTensor& t) {
  return Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d>(to_matrix(t), Eigen::EigenvaluesOnly)
      .eigenvalues();
}

SymTensor deviatoric(const SymTensor& t) {
  const double p = trace(t) / 3.0;
  return t - SymTensor{p, p, p, 0.0, 0.0, 0.0};
}

/// Shimizu–Ogata–Li von Mises strain invariant (tensor shears).
double von_mises(const SymTensor& e) {
  const double dxy = e[kXX] - e[kYY], dyz = e[kYY] - e[kZZ], dzx = e[kZZ] - e[kXX];
  return std::sqrt(e[kYZ] * e[kYZ] + e[kXZ] * e[kXZ] + e[kXY] * e[kXY] +
                   (dxy * dxy + dyz * dyz + dzx * dzx) / 6.0);
}

/// Every mode's shear part has eigenvalues {−γ0/2, 0, +γ0/2} and trace δγ0.
void expect_pure_shear_modes(const ShearCatalog& catalog, double gamma0, double dilatation) {
  for (int k = 0; k < catalog.size(); ++k) {
    const SymTensor& e = catalog.mode(k);
    EXPECT_NEAR(trace(e), dilatation * gamma0, kRoundOff) << "mode " << k;
    const Eigen::Vector3d s = eigenvalues(deviatoric(e));
    EXPECT_NEAR(s(0), -0.5 * gamma0, kRoundOff) << "mode " << k;
    EXPECT_NEAR(s(1), 0.0, kRoundOff) << "mode " << k;
    EXPECT_NEAR(s(2), 0.5 * gamma0, kRoundOff) << "mode " << k;
    EXPECT_NEAR(von_mises(e), 0.5 * gamma0, kRoundOff) << "mode " << k;
  }
}

/// Mode k + P is the exact negative of mode k for k < M − P, P = ceil(M/2) (dilatation 0).
void expect_plus_minus_pairs(const ShearCatalog& catalog) {
  const int m = catalog.size(), p = (m + 1) / 2;
  for (int k = 0; k < m - p; ++k)
    for (int v = 0; v < kVoigtSize; ++v)
      EXPECT_EQ(catalog.mode(k + p)[static_cast<std::size_t>(v)],
                -catalog.mode(k)[static_cast<std::size_t>(v)])
          << "pair " << k << ", " << k + p << ", component " << v;
}

/// Largest |cos| angle between distinct systems (first ceil(M/2) modes) as 5-vectors.
double max_coherence(const ShearCatalog& catalog) {
  const int p = (catalog.size() + 1) / 2;
  const double norm2 = 0.5 * catalog.gamma0() * catalog.gamma0();
  double worst = 0.0;
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < i; ++j)
      worst = std::max(worst, std::abs(double_dot(catalog.mode(i), catalog.mode(j))) / norm2);
  return worst;
}

Eigen::Matrix3d rotation_about_z(double angle) {
  return Eigen::AngleAxisd(angle, Eigen::Vector3d::UnitZ()).toRotationMatrix();
}

const std::vector<int> kModeCounts = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 20, 21, 40};

TEST(ShearCatalog, EveryFactoryBuildsExactlyMPureShearModes) {
  Rng rng(3, RngPurpose::test);
  for (int m : kModeCounts) {
    SCOPED_TRACE("M = " + std::to_string(m));
    const ShearCatalog planar = make_planar_catalog(m, 0.1, 0.0, 0.37);
    const ShearCatalog random = make_random_catalog(m, 0.1, 0.0, rng);
    const ShearCatalog plain = make_template_catalog(m, 0.1, 0.0);
    const ShearCatalog turned = make_template_catalog(m, 0.1, 0.0, random_rotation(rng));
    for (const ShearCatalog* c : {&planar, &random, &plain, &turned}) {
      EXPECT_EQ(c->size(), m);
      EXPECT_EQ(static_cast<int>(c->modes().size()), m);
      EXPECT_EQ(c->gamma0(), 0.1);
      EXPECT_EQ(c->dilatation(), 0.0);
      expect_pure_shear_modes(*c, 0.1, 0.0);
    }
    for (const SymTensor& e : planar)
      EXPECT_TRUE(e[kZZ] == 0.0 && e[kYZ] == 0.0 && e[kXZ] == 0.0) << "planar mode out of plane";
  }
}

TEST(ShearCatalog, DilatationAddsTraceDeltaGammaToEveryMode) {
  Rng rng(4, RngPurpose::test);
  const double gamma0 = 0.08, delta = 0.6;
  for (int m : {2, 5, 12, 20}) {
    SCOPED_TRACE("M = " + std::to_string(m));
    expect_pure_shear_modes(make_planar_catalog(m, gamma0, delta, 1.1), gamma0, delta);
    expect_pure_shear_modes(make_random_catalog(m, gamma0, delta, rng), gamma0, delta);
    expect_pure_shear_modes(make_template_catalog(m, gamma0, delta, random_rotation(rng)), gamma0,
                            delta);
  }
  // Plane strain: the eigenstrain's dilatation includes zz.
  EXPECT_NEAR(make_planar_catalog(4, gamma0, delta, 0.0).mode(1)[kZZ], delta * gamma0 / 3,
              kRoundOff);
}

TEST(ShearCatalog, EvenCatalogsConsistOfPlusMinusPairs) {
  Rng rng(5, RngPurpose::test);
  for (int m : kModeCounts) {
    SCOPED_TRACE("M = " + std::to_string(m));
    expect_plus_minus_pairs(make_random_catalog(m, 0.1, 0.0, rng));
    expect_plus_minus_pairs(make_template_catalog(m, 0.1, 0.0));
    expect_plus_minus_pairs(make_template_catalog(m, 0.1, 0.0, random_rotation(rng)));
    if (m % 2 == 0) expect_plus_minus_pairs(make_planar_catalog(m, 0.1, 0.0, 0.2));
  }
  // With dilatation the shear parts pair up: ε_{k+P} + ε_k = 2δγ0/3·I.
  const ShearCatalog c = make_random_catalog(8, 0.1, 1.5, rng);
  for (int k = 0; k < 4; ++k) {
    const SymTensor sum = c.mode(k) + c.mode(k + 4);
    for (int v = 0; v < kVoigtSize; ++v)
      EXPECT_NEAR(sum[static_cast<std::size_t>(v)], v < 3 ? 2 * 1.5 * 0.1 / 3 : 0.0, kRoundOff);
  }
}

TEST(ShearCatalog, OddCatalogsLeaveOnlyTheMiddleSystemUnpaired) {
  Rng rng(6, RngPurpose::test);
  const ShearCatalog c = make_random_catalog(5, 0.1, 0.0, rng);  // systems 0, 1, 2; then −0, −1
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      const bool paired =
          (i == 0 && j == 3) || (i == 1 && j == 4) || (j == 0 && i == 3) || (j == 1 && i == 4);
      const SymTensor sum = c.mode(i) + c.mode(j);
      const bool opposite = std::all_of(sum.begin(), sum.end(), [](double v) { return v == 0; });
      EXPECT_EQ(opposite, paired) << i << ", " << j;
    }
}

TEST(ShearCatalog, PlanarAnglesAreEvenlySpacedByPiOverM) {
  for (int m : kModeCounts) {
    SCOPED_TRACE("M = " + std::to_string(m));
    const double theta0 = 0.731, gamma0 = 0.1;
    const ShearCatalog c = make_planar_catalog(m, gamma0, 0.0, theta0);
    for (int k = 0; k < m; ++k) {
      // 2θ_k = atan2(ε_xy, ε_xx), compared modulo 2π with 2θ0 + 2πk/M.
      const double two_theta = std::atan2(c.mode(k)[kXY], c.mode(k)[kXX]);
      const double expected = 2.0 * theta0 + 2.0 * units::pi * k / m;
      EXPECT_NEAR(std::remainder(two_theta - expected, 2.0 * units::pi), 0.0, kRoundOff);
      EXPECT_NEAR(std::hypot(c.mode(k)[kXY], c.mode(k)[kXX]), 0.5 * gamma0, kRoundOff);
    }
  }
}

TEST(ShearCatalog, PlanarOrientationIsARotationAboutZ) {
  // ε*(θ0 + θ) = R_z(θ0) ε*(θ) R_z(θ0)ᵀ: θ0 of a site or domain is its in-plane rotation.
  const double theta0 = 2.3;
  const ShearCatalog direct = make_planar_catalog(12, 0.1, 0.4, theta0);
  const ShearCatalog turned =
      rotated(make_planar_catalog(12, 0.1, 0.4, 0.0), rotation_about_z(theta0));
  for (int k = 0; k < 12; ++k)
    for (int v = 0; v < kVoigtSize; ++v)
      EXPECT_NEAR(direct.mode(k)[static_cast<std::size_t>(v)],
                  turned.mode(k)[static_cast<std::size_t>(v)], kRoundOff);
}

TEST(ShearCatalog, RandomPlanarAngleLiesInZeroToPi) {
  Rng rng(8, RngPurpose::test);
  for (int i = 0; i < 10000; ++i) {
    const double a = random_planar_angle(rng);
    ASSERT_GE(a, 0.0);
    ASSERT_LT(a, units::pi);
  }
}

TEST(ShearCatalog, TwelveModeTemplateIsTheSpecifiedSet) {
  const double g = 0.5 * 0.1;  // γ0/2
  // Order: (e_i⊗e_j + e_j⊗e_i) for (1,3), (1,2), (2,3); (e_i⊗e_i − e_j⊗e_j) for (1,2), (1,3),
  // (2,3); then the six negatives.
  const std::vector<SymTensor> systems = {{0, 0, 0, 0, g, 0},  {0, 0, 0, 0, 0, g},
                                          {0, 0, 0, g, 0, 0},  {g, -g, 0, 0, 0, 0},
                                          {g, 0, -g, 0, 0, 0}, {0, g, -g, 0, 0, 0}};
  const ShearCatalog c = make_template_catalog(12, 0.1, 0.0);
  ASSERT_EQ(c.size(), 12);
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(c.mode(k), systems[static_cast<std::size_t>(k)]) << "mode " << k;
    EXPECT_EQ(c.mode(k + 6), (-1.0) * systems[static_cast<std::size_t>(k)]) << "mode " << k + 6;
  }
  const ShearCatalog two = make_template_catalog(2, 0.1, 0.0);
  ASSERT_EQ(two.size(), 2);
  EXPECT_EQ(two.mode(0), systems[0]);  // (γ0/2)(e1⊗e3 + e3⊗e1)
  EXPECT_EQ(two.mode(1), (-1.0) * systems[0]);
  // The identity rotation leaves the template unchanged.
  EXPECT_EQ(make_template_catalog(12, 0.1, 0.0, Eigen::Matrix3d::Identity()), c);
}

TEST(ShearCatalog, TemplateRotationIsREpsilonRTransposed) {
  Rng rng(9, RngPurpose::test);
  for (int m : {2, 12, 20}) {
    const Eigen::Matrix3d r = random_rotation(rng);
    const ShearCatalog plain = make_template_catalog(m, 0.1, 0.3);
    const ShearCatalog turned = make_template_catalog(m, 0.1, 0.3, r);
    ASSERT_EQ(turned.size(), m);
    for (int k = 0; k < m; ++k) {
      const Eigen::Matrix3d expected = r * to_matrix(plain.mode(k)) * r.transpose();
      EXPECT_LE((to_matrix(turned.mode(k)) - expected).cwiseAbs().maxCoeff(), kRoundOff);
    }
  }
  // A rotation about e2 by 90° maps e1⊗e3 + e3⊗e1 to its negative.
  const Eigen::Matrix3d quarter =
      Eigen::AngleAxisd(units::pi / 2, Eigen::Vector3d::UnitY()).toRotationMatrix();
  const ShearCatalog flipped = make_template_catalog(2, 0.1, 0.0, quarter);
  EXPECT_NEAR(flipped.mode(0)[kXZ], -0.05, kRoundOff);
  EXPECT_NEAR(flipped.mode(1)[kXZ], 0.05, kRoundOff);
}

TEST(ShearCatalog, RotationMustBeProper) {
  const ShearCatalog c = make_template_catalog(12, 0.1, 0.0);
  EXPECT_THROW(rotated(c, 2.0 * Eigen::Matrix3d::Identity()), InternalError);
  EXPECT_THROW(rotated(c, -Eigen::Matrix3d::Identity()), InternalError);  // a reflection
}

TEST(ShearCatalog, TemplatesAreNestedAndWellSpreadForEveryM) {
  const ShearCatalog longest = make_template_catalog(kMaxModeCount, 0.1, 0.0);
  ASSERT_EQ(longest.size(), kMaxModeCount);
  expect_pure_shear_modes(longest, 0.1, 0.0);
  expect_plus_minus_pairs(longest);
  for (int m : kModeCounts) {
    const ShearCatalog c = make_template_catalog(m, 0.1, 0.0);
    for (int k = 0; k < (m + 1) / 2; ++k) EXPECT_EQ(c.mode(k), longest.mode(k)) << m << ", " << k;
  }
  // Measured largest |cos| between systems: 0 for M <= 8, 0.5 for M = 9..12 (the 12-mode set
  // itself), 0.5552 for M = 20, 0.7020 for M = 40, 0.9669 for M = 1000; the bounds leave ~8 %
  // margin and catch a broken selection (which would repeat systems, |cos| = 1, or cluster them).
  EXPECT_NEAR(max_coherence(make_template_catalog(12, 0.1, 0.0)), 0.5, kRoundOff);
  EXPECT_LT(max_coherence(make_template_catalog(20, 0.1, 0.0)), 0.6);
  EXPECT_LT(max_coherence(make_template_catalog(40, 0.1, 0.0)), 0.75);
  EXPECT_LT(max_coherence(longest), 0.999);  // 500 distinct systems
}

TEST(ShearCatalog, SameRngStateGivesTheSameRandomCatalog) {
  Rng a(11, RngPurpose::catalog, 7), b(11, RngPurpose::catalog, 7), c(12, RngPurpose::catalog, 7);
  const ShearCatalog ca = make_random_catalog(20, 0.1, 0.0, a);
  EXPECT_EQ(ca, make_random_catalog(20, 0.1, 0.0, b));
  EXPECT_NE(ca, make_random_catalog(20, 0.1, 0.0, c));
  // Exactly 3 uniform draws per system (10 systems for M = 20), so streams stay aligned.
  Rng fresh(11, RngPurpose::catalog, 7);
  for (int i = 0; i < 30; ++i) fresh();
  EXPECT_EQ(a, fresh);
  // The next catalog from the same stream is a new draw.
  EXPECT_NE(make_random_catalog(20, 0.1, 0.0, a), ca);
}

TEST(ShearCatalog, IdealShearWorkBoundsEveryPureShear) {
  // (γ0/2)(s1 − s3) for principal stresses 3, 1, −2 rotated arbitrarily.
  Rng rng(12, RngPurpose::test);
  const Eigen::Matrix3d r = random_rotation(rng);
  const Eigen::Matrix3d diag = Eigen::Vector3d(3.0, 1.0, -2.0).asDiagonal();
  const SymTensor sigma = from_matrix(r * diag * r.transpose());
  EXPECT_REL_NEAR(ideal_shear_work(sigma, 0.1), 0.05 * 5.0, 1e-12);
  double best = -1.0;
  for (int i = 0; i < 20000; ++i) {
    const ShearCatalog c = make_random_catalog(2, 0.1, 0.0, rng);
    best = std::max(best, double_dot(sigma, c.mode(0)));
  }
  EXPECT_LE(best, ideal_shear_work(sigma, 0.1) * (1 + 1e-12));
  // 20000 random shears come within 1 % of the supremum (the best falls short by O(angle²)).
  EXPECT_GT(best, 0.99 * ideal_shear_work(sigma, 0.1));
}

TEST(ShearCatalog, BestAlignmentFindsTheIdealMode) {
  const ShearCatalog c = make_template_catalog(2, 0.1, 0.0);
  SymTensor shear{};
  shear[kXZ] = 1.7;
  ModeAlignment a = best_alignment(c, shear);
  EXPECT_NEAR(a.fraction, 1.0, kRoundOff);
  EXPECT_EQ(a.mode, 0);
  a = best_alignment(c, (-1.0) * shear);
  EXPECT_NEAR(a.fraction, 1.0, kRoundOff);
  EXPECT_EQ(a.mode, 1);
  // Uniaxial tension along z does no work on e1⊗e3 shear.
  EXPECT_NEAR(best_alignment(c, SymTensor{0, 0, 1, 0, 0, 0}).fraction, 0.0, kRoundOff);
  // 12 modes: tension along z is resolved ideally by e1⊗e1 − e3⊗e3 's negative (mode 10).
  const ShearCatalog twelve = make_template_catalog(12, 0.1, 0.0);
  a = best_alignment(twelve, SymTensor{0, 0, 1, 0, 0, 0});
  EXPECT_NEAR(a.fraction, 1.0, kRoundOff);
  EXPECT_EQ(a.mode, 10);  // ties with mode 11 (−(e2⊗e2 − e3⊗e3)): the lower index wins
}

TEST(ShearCatalog, BestAlignmentIgnoresDilatationAndStressScale) {
  Rng rng(13, RngPurpose::test);
  const Eigen::Matrix3d r = random_rotation(rng);
  const SymTensor sigma{0.3, -0.2, 1.1, 0.4, -0.1, 0.25};
  const ModeAlignment plain = best_alignment(make_template_catalog(12, 0.1, 0.0, r), sigma);
  const ModeAlignment swollen = best_alignment(make_template_catalog(12, 0.1, 2.0, r), sigma);
  const ModeAlignment scaled = best_alignment(make_template_catalog(12, 0.1, 0.0, r), 7.0 * sigma);
  EXPECT_EQ(plain.mode, swollen.mode);
  EXPECT_NEAR(plain.fraction, swollen.fraction, kRoundOff);
  EXPECT_EQ(plain.mode, scaled.mode);
  EXPECT_NEAR(plain.fraction, scaled.fraction, kRoundOff);
  // Adding a pressure changes nothing either.
  const ModeAlignment pressed = best_alignment(make_template_catalog(12, 0.1, 0.0, r),
                                               sigma + SymTensor{-5, -5, -5, 0, 0, 0});
  EXPECT_EQ(plain.mode, pressed.mode);
  EXPECT_NEAR(plain.fraction, pressed.fraction, kRoundOff);
  EXPECT_GT(plain.fraction, 0.0);
  EXPECT_LE(plain.fraction, 1.0 + kRoundOff);
}

TEST(ShearCatalog, BestAlignmentOfAHydrostaticStressIsOneByConvention) {
  const ShearCatalog c = make_template_catalog(12, 0.1, 0.0);
  EXPECT_EQ(best_alignment(c, SymTensor{2, 2, 2, 0, 0, 0}).fraction, 1.0);
  EXPECT_EQ(best_alignment(c, SymTensor{}).fraction, 1.0);
}

TEST(ShearCatalog, OneModeCatalogCanBeAntiAligned) {
  // M = 1 has no negative partner: under the opposite stress its work is negative.
  const ShearCatalog c = make_template_catalog(1, 0.1, 0.0);
  SymTensor shear{};
  shear[kXZ] = -1.0;
  EXPECT_NEAR(best_alignment(c, shear).fraction, -1.0, kRoundOff);
}

TEST(ShearCatalogValidation, BadInputNamesTheKeyValueAndRange) {
  try {
    validate_mode_count(0, "types.mro_b.modes");
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "types.mro_b.modes");
    EXPECT_EQ(e.value(), "0");
    EXPECT_NE(e.allowed().find("[1, 1000]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(validate_mode_count(kMaxModeCount + 1, "k"), ConfigError);
  EXPECT_NO_THROW(validate_mode_count(1, "k"));
  EXPECT_NO_THROW(validate_mode_count(kMaxModeCount, "k"));
  for (double g : {0.0, -0.1, 1.5, kNaN, kInf})
    EXPECT_THROW(validate_gamma0(g, "stz.gamma0"), ConfigError) << g;
  EXPECT_NO_THROW(validate_gamma0(1.0, "stz.gamma0"));
  for (double d : {10.5, -11.0, kNaN, -kInf})
    EXPECT_THROW(validate_dilatation(d, "stz.dilatation"), ConfigError) << d;
  EXPECT_NO_THROW(validate_dilatation(-10.0, "stz.dilatation"));
  try {
    validate_catalog_parameters(12, 2.0, 0.0, "types.mro_a");
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "types.mro_a.gamma0");
    EXPECT_EQ(e.value(), "2");
  }
  try {
    validate_catalog_parameters(12, 0.1, 20.0, "types.mro_a");
    FAIL() << "no throw";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "types.mro_a.dilatation");
  }
}

TEST(ShearCatalogValidation, FactoriesRejectUnvalidatedArgumentsAsBugs) {
  Rng rng(14, RngPurpose::test);
  EXPECT_THROW(make_planar_catalog(0, 0.1, 0.0, 0.0), InternalError);
  EXPECT_THROW(make_planar_catalog(4, 0.1, 0.0, kNaN), InternalError);
  EXPECT_THROW(make_random_catalog(20, 0.0, 0.0, rng), InternalError);
  EXPECT_THROW(make_template_catalog(12, 0.1, 11.0), InternalError);
  EXPECT_THROW(best_alignment(ShearCatalog{}, SymTensor{}), InternalError);
}

TEST(DefaultModeCount, ScalesAsTwentyOverOrder) {
  EXPECT_EQ(default_mode_count(1.0, "k"), 20);
  EXPECT_EQ(default_mode_count(1.67, "k"), 12);  // the seed study's x = 0 domains
  EXPECT_EQ(default_mode_count(10.0, "k"), 2);   // x = 1 domains
  EXPECT_EQ(default_mode_count(1.5, "k"), 13);   // 13.33
  EXPECT_EQ(default_mode_count(8.0, "k"), 3);    // 2.5 rounds away from zero
  EXPECT_EQ(default_mode_count(50.0, "k"), 1);   // 0.4 → at least one mode
  EXPECT_EQ(default_mode_count(1e300, "k"), 1);
  for (double d : {0.99, 0.0, -2.0, kNaN, kInf}) {
    try {
      default_mode_count(d, "types.mro_a.order");
      FAIL() << "no throw for " << d;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "types.mro_a.order");
      EXPECT_NE(e.allowed().find(">= 1"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace stz
