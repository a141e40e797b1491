// Library version and the git commit it was built from (for output-file provenance).
#pragma once

namespace stz {
const char* version_string();
const char* git_commit();
/// CMAKE_BUILD_TYPE and the C++ flags of that build type.
const char* build_type();
const char* build_flags();
/// "true"/"false": tracked sources differed from git_commit() when CMake configured; "unknown".
const char* source_dirty();
}  // namespace stz
