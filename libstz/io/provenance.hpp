// Provenance of an output file (SPEC 5): who made it, where, when, how and from what. The
// application sets the process-wide run context (command line) once; writers add the rest.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libstz/io/config.hpp"

namespace stz {

/// Set once by the application before runs start (the library never reads argv).
void set_command_line(std::string command_line);
/// The command line set above ("" when none, e.g. in tests).
const std::string& command_line();
/// The argv words joined by spaces, words with spaces or quotes single-quoted (shell style).
std::string join_command_line(int argc, const char* const* argv);

/// Host name ("unknown" when the system will not say).
std::string host_name();
/// Now, UTC, ISO 8601 (e.g. 2026-12-02T17:30:05Z).
std::string utc_timestamp();

/// Name → text of every provenance attribute: date, host, command_line, threads, build_type,
/// build_flags, source_dirty, git_commit, version, fftw_version, hdf5_version, eigen_version and,
/// for an imported map, mro_map_file and mro_map_sha256.
std::vector<std::pair<std::string, std::string>> provenance(const RunConfig& config);

}  // namespace stz
