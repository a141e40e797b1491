// Ensemble and sweep summaries (issue 9, section 1): per-member `percolated` and `censored`
// columns; threshold and percolation strains summarized over the members that percolated
// (mean, SD, standard error, n; SD = NaN for n < 2); other columns over finished members.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/ensemble/ensemble.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "tests/unit/io/test_io_support.hpp"

namespace stz {
namespace {

MemberResult member(const std::string& group, int seed, bool percolated, double threshold,
                    double peak, bool censored = false) {
  MemberResult r;
  r.spec.group = group;
  r.spec.label = (group.empty() ? "" : group + "/") + "seed_" + std::to_string(seed);
  r.seed = static_cast<std::uint64_t>(seed);
  r.ok = true;
  r.summary.percolated = percolated;
  r.summary.censored = censored;
  r.summary.threshold_strain = percolated ? threshold : std::nan("");
  r.summary.threshold_strain_raw = percolated ? threshold + 1e-4 : std::nan("");
  r.summary.percolation_strain = percolated ? threshold + 0.01 : std::nan("");
  r.summary.peak_stress_GPa = peak;
  r.summary.strain_at_peak = 0.02;
  return r;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// Rows of the CSV keyed by "group|member", cells keyed by column name.
std::map<std::string, std::map<std::string, std::string>> read_csv(
    const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // comment
  std::getline(in, line);
  const auto header = split(line);
  std::map<std::string, std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto cells = split(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells.size() && c < header.size(); ++c) row[header[c]] = cells[c];
    rows[row["group"] + "|" + row["member"]] = row;
  }
  return rows;
}

TEST(EnsembleStatistic, MeanSdAndStandardError) {
  const Statistic s = statistic({0.03, std::nan(""), 0.05, 0.04});
  EXPECT_EQ(s.count, 3u);
  EXPECT_NEAR(s.mean, 0.04, 1e-15);
  EXPECT_NEAR(s.sd, 0.01, 1e-15);
  EXPECT_NEAR(s.se, 0.01 / std::sqrt(3.0), 1e-15);
  const Statistic one = statistic({std::nan(""), 0.07});
  EXPECT_EQ(one.count, 1u);
  EXPECT_EQ(one.mean, 0.07);
  EXPECT_TRUE(std::isnan(one.sd));
  EXPECT_TRUE(std::isnan(one.se));
  const Statistic none = statistic({std::nan("")});
  EXPECT_EQ(none.count, 0u);
  EXPECT_TRUE(std::isnan(none.mean));
}

TEST(EnsembleSummary, ThresholdStatisticsOverPercolatedMembersOnly) {
  testing::ScratchDir dir("ensemble_summary");
  std::vector<MemberResult> results{
      member("a", 1, true, 0.03, 2.0),       member("a", 2, false, 0.0, 2.2),
      member("a", 3, true, 0.05, 2.4, true), member("a", 4, true, 0.04, 2.6),
      member("b", 1, true, 0.06, 1.0),       member("b", 2, false, 0.0, 1.2)};
  MemberResult failed;
  failed.spec.group = "b";
  failed.spec.label = "b/seed_3";
  failed.seed = 3;
  failed.error = "boom";
  results.push_back(failed);
  write_summary(dir.path(), "sweep", results);

  auto rows = read_csv(dir.path() / "sweep.csv");
  EXPECT_EQ(rows["\"a\"|\"a/seed_2\""]["percolated"], "false");
  EXPECT_EQ(rows["\"a\"|\"a/seed_2\""]["threshold_strain"], "nan");
  EXPECT_EQ(rows["\"a\"|\"a/seed_1\""]["percolated"], "true");
  EXPECT_EQ(rows["\"a\"|\"a/seed_1\""]["censored"], "false");
  EXPECT_EQ(rows["\"a\"|\"a/seed_3\""]["censored"], "true");
  EXPECT_EQ(rows["\"b\"|\"b/seed_3\""]["status"], "failed");
  EXPECT_EQ(rows["\"b\"|\"b/seed_3\""]["percolated"], "");
  // Group a: three percolated members (the censored one included), four finished.
  EXPECT_NEAR(std::stod(rows["\"a\"|mean"]["threshold_strain"]), 0.04, 1e-12);
  EXPECT_NEAR(std::stod(rows["\"a\"|sd"]["threshold_strain"]), 0.01, 1e-12);
  EXPECT_NEAR(std::stod(rows["\"a\"|se"]["threshold_strain"]), 0.01 / std::sqrt(3.0), 1e-12);
  EXPECT_EQ(rows["\"a\"|n"]["threshold_strain"], "3");
  EXPECT_NEAR(std::stod(rows["\"a\"|mean"]["percolation_strain"]), 0.05, 1e-12);
  EXPECT_EQ(rows["\"a\"|n"]["peak_stress_GPa"], "4");
  EXPECT_NEAR(std::stod(rows["\"a\"|mean"]["peak_stress_GPa"]), 2.3, 1e-12);
  // Group b: one percolated member: a mean, no SD.
  EXPECT_NEAR(std::stod(rows["\"b\"|mean"]["threshold_strain"]), 0.06, 1e-12);
  EXPECT_EQ(rows["\"b\"|sd"]["threshold_strain"], "nan");
  EXPECT_EQ(rows["\"b\"|se"]["threshold_strain"], "nan");
  EXPECT_EQ(rows["\"b\"|n"]["threshold_strain"], "1");
  EXPECT_EQ(rows["\"b\"|n"]["peak_stress_GPa"], "2");

  Hdf5Reader h5(dir.path() / "sweep.h5");
  EXPECT_EQ(h5.attribute_integer("/", "groups"), 2);
  EXPECT_EQ(h5.read_doubles("/groups/0/percolated"), (std::vector<double>{1, 0, 1, 1}));
  EXPECT_EQ(h5.read_doubles("/groups/0/censored"), (std::vector<double>{0, 0, 1, 0}));
  EXPECT_EQ(h5.attribute_integer("/groups/0", "threshold_strain_count"), 3);
  EXPECT_NEAR(h5.attribute_double("/groups/0", "threshold_strain_se"), 0.01 / std::sqrt(3.0),
              1e-12);
  EXPECT_TRUE(std::isnan(h5.attribute_double("/groups/1", "threshold_strain_sd")));
  const auto perc = h5.read_doubles("/groups/1/percolated");
  ASSERT_EQ(perc.size(), 3u);
  EXPECT_TRUE(std::isnan(perc[2]));  // the failed member
}

}  // namespace
}  // namespace stz
