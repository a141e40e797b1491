// SHA-256 (FIPS 180-4) of a file, for provenance: run.h5 records the digest of an imported map
// so a result can be tied to the exact input. Small and dependency-free (no OpenSSL in the stack).
#pragma once

#include <filesystem>
#include <string>

namespace stz {

/// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(const std::string& bytes);
/// Lower-case hex SHA-256 of a file's contents; throws IoError when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace stz
