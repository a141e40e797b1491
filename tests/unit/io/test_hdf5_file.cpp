// Hdf5Writer/Hdf5Reader additions used by the run output: int64 datasets, integer and array
// attributes, variable-length UTF-8 string attributes, group listing, atomic commit.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "libstz/core/error.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "test_io_support.hpp"

namespace stz {
namespace {

TEST(Hdf5File, WritesAndReadsBackEveryKind) {
  testing::ScratchDir dir("hdf5");
  const auto path = dir.path() / "t.h5";
  const std::vector<std::int64_t> big{std::numeric_limits<std::int64_t>::min(), -1, 0,
                                      std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::int64_t> shape{256, 128};
  const std::vector<double> values{0.5, -1.25};
  const std::string text = "line one: ü\nline two\n";
  {
    Hdf5Writer h5(path);
    h5.write("/g/b/ints", std::span<const std::int64_t>(big), {2, 2});
    h5.write("/g/a", std::span<const double>(values), {2});
    h5.attribute("/", "seed", std::uint64_t{12345678901234ull});
    h5.attribute("/", "shape", std::span<const std::int64_t>(shape));
    h5.attribute("/g/a", "pair", std::span<const double>(values));
    h5.attribute("/g", "text", text);
    h5.attribute("/g", "empty", std::string());
    EXPECT_FALSE(std::filesystem::exists(path));  // nothing under the final name before commit
    h5.commit();
  }
  const Hdf5Reader r(path);
  EXPECT_EQ(r.dims("/g/b/ints"), (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(r.read_integers("/g/b/ints"), big);
  EXPECT_EQ(r.attribute_integer("/", "seed"), 12345678901234);
  EXPECT_EQ(r.attribute_integers("/", "shape"), shape);
  EXPECT_EQ(r.attribute_doubles("/g/a", "pair"), values);
  EXPECT_EQ(r.attribute_doubles("/", "seed"), std::vector<double>{12345678901234.0});
  EXPECT_EQ(r.attribute_string("/g", "text"), text);
  EXPECT_EQ(r.attribute_string("/g", "empty"), "");
  EXPECT_TRUE(r.has_attribute("/g", "text"));
  EXPECT_TRUE(r.has_attribute("/", "seed"));
  EXPECT_FALSE(r.has_attribute("/g", "nope"));
  EXPECT_FALSE(r.has_attribute("/missing/group", "text"));
  EXPECT_EQ(r.children("/g"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.children("/"), std::vector<std::string>{"g"});
  EXPECT_THROW(r.children("/nope"), IoError);
  EXPECT_THROW(r.attribute_string("/g", "nope"), IoError);
}

}  // namespace
}  // namespace stz
