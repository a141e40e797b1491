#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "libstz/core/error.hpp"
#include "libstz/core/sha256.hpp"
#include "libstz/core/stop_request.hpp"

namespace stz {
namespace {

// FIPS 180-4 / NIST example vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileMatchesBytesAndMissingFileThrows) {
  const std::string path = ::testing::TempDir() + "/sha256_test.bin";
  std::string bytes;
  for (int i = 0; i < 200000; ++i) bytes += static_cast<char>(i * 7);
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(sha256_file_hex(path), sha256_hex(bytes));
  EXPECT_THROW(sha256_file_hex(path + ".missing"), IoError);
}

TEST(StopRequest, FirstSignalWins) {
  clear_stop_request();
  EXPECT_FALSE(stop_requested());
  request_stop(15);
  request_stop(2);
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), 15);
  clear_stop_request();
  EXPECT_FALSE(stop_requested());
}

}  // namespace
}  // namespace stz
