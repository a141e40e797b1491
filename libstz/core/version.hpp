// Library version, the git commit and the build flags it was built from (output-file provenance).
#pragma once

namespace stz {
const char* version_string();
const char* git_commit();
/// Compiler, build type, flags and options, e.g. "GNU 12.2.0 Release: -O3 -DNDEBUG ...
/// -march=native, native ON, OpenMP ON, MPI ON". A -march=native binary runs only on CPUs like
/// the build machine's.
const char* build_flags();
/// CMAKE_BUILD_TYPE.
const char* build_type();
/// "true"/"false": tracked sources differed from git_commit() when CMake configured; "unknown".
const char* source_dirty();
}  // namespace stz
