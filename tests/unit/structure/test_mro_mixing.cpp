// mro.mixing (issue 9, section 3; SPEC 3.8): per_domain gives every voxel its domain's type;
// per_voxel redraws every MRO voxel's type by the composition weights from its own stream,
// leaving the geometry and the domain draws as they are.
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/structure/synthetic_mro_map.hpp"

namespace stz {
namespace {

SyntheticMroParams mixing_params(MroMixing mixing, std::vector<MroComponent> composition) {
  SyntheticMroParams p;
  p.fraction = 0.2;
  p.diameter_mean_nm = 3.0;
  p.diameter_sd_nm = 0.5;
  p.composition = std::move(composition);
  p.mixing = mixing;
  return p;
}

TEST(MroMixing, PerVoxelKeepsTheGeometryAndMixesTypesInsideDomains) {
  const Grid g = Grid::plane(128, 64);
  const std::vector<MroComponent> half{{1, 0.5}, {2, 0.5}};
  const StructureMap by_domain =
      make_synthetic_mro_map(g, mixing_params(MroMixing::per_domain, half), 5);
  const StructureMap by_voxel =
      make_synthetic_mro_map(g, mixing_params(MroMixing::per_voxel, half), 5);
  EXPECT_EQ(by_voxel.domain_id, by_domain.domain_id);
  EXPECT_EQ(by_voxel.domains, by_domain.domains);
  EXPECT_FALSE(by_domain.mixed_types);
  EXPECT_TRUE(by_voxel.mixed_types);
  by_voxel.check_invariants(g);
  // Per domain: one type per domain. Per voxel: domains of several voxels hold both types.
  std::vector<std::array<std::size_t, 3>> counts(by_voxel.domains.size());
  std::size_t mro = 0, type1 = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (by_voxel.domain_id[i] < 0) {
      EXPECT_EQ(by_voxel.type[i], 0);
      continue;
    }
    EXPECT_EQ(by_domain.type[i],
              by_domain.domains[static_cast<std::size_t>(by_domain.domain_id[i])].type);
    ++counts[static_cast<std::size_t>(by_voxel.domain_id[i])]
            [static_cast<std::size_t>(by_voxel.type[i])];
    ++mro;
    type1 += by_voxel.type[i] == 1;
  }
  std::size_t large = 0, mixed = 0;
  for (const auto& c : counts)
    if (c[1] + c[2] >= 6) ++large, mixed += c[1] > 0 && c[2] > 0;
  ASSERT_GT(large, 20u);
  // A 6-voxel domain is single-typed with probability 2·2⁻⁶ ≈ 3 %.
  EXPECT_GT(mixed, large * 9 / 10);
  // Voxel fraction of type 1: binomial, 1638 voxels, sd ≈ 0.012; bound 4 sd.
  EXPECT_NEAR(static_cast<double>(type1) / static_cast<double>(mro), 0.5,
              4.0 * std::sqrt(0.25 / static_cast<double>(mro)));
  // Deterministic.
  EXPECT_EQ(make_synthetic_mro_map(g, mixing_params(MroMixing::per_voxel, half), 5), by_voxel);
}

TEST(MroMixing, WeightsApplyPerVoxelAndZeroWeightsNeverAppear) {
  const Grid g = Grid::plane(128, 64);
  const StructureMap m = make_synthetic_mro_map(
      g, mixing_params(MroMixing::per_voxel, {{1, 0.8}, {2, 0.0}, {3, 0.2}}), 2);
  std::size_t mro = 0, type1 = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (m.domain_id[i] < 0) continue;
    ++mro;
    EXPECT_NE(m.type[i], 2);
    type1 += m.type[i] == 1;
  }
  EXPECT_NEAR(static_cast<double>(type1) / static_cast<double>(mro), 0.8,
              4.0 * std::sqrt(0.16 / static_cast<double>(mro)));
}

TEST(MroMixing, ParsesItsNames) {
  EXPECT_EQ(parse_mro_mixing("per_domain", "mro.mixing"), MroMixing::per_domain);
  EXPECT_EQ(parse_mro_mixing("per_voxel", "mro.mixing"), MroMixing::per_voxel);
  EXPECT_STREQ(to_string(MroMixing::per_voxel), "per_voxel");
  try {
    parse_mro_mixing("voxel", "mro.mixing");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mro.mixing"), std::string::npos) << what;
    EXPECT_NE(what.find("per_domain, per_voxel"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace stz
