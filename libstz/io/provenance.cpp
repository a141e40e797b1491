#include "libstz/io/provenance.hpp"

#include <chrono>
#include <ctime>

#include <unistd.h>

#include <Eigen/Core>

#include "libstz/core/parallel.hpp"
#include "libstz/core/sha256.hpp"
#include "libstz/core/version.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "libstz/io/hdf5_file.hpp"

namespace stz {
namespace {
std::string& command_line_storage() {
  static std::string text;
  return text;
}
}  // namespace

void set_command_line(std::string text) {
  command_line_storage() = std::move(text);
}
const std::string& command_line() {
  return command_line_storage();
}

std::string join_command_line(int argc, const char* const* argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string word = argv[i];
    const bool plain =
        !word.empty() && word.find_first_of(" \t\n'\"\\$*?[]{};&|<>()`") == std::string::npos;
    if (!plain) {
      std::string quoted = "'";
      for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      word = quoted + "'";
    }
    out += (i ? " " : "") + word;
  }
  return out;
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "unknown";
  return buffer;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::vector<std::pair<std::string, std::string>> provenance(const RunConfig& config) {
  std::vector<std::pair<std::string, std::string>> p{
      {"date", utc_timestamp()},
      {"host", host_name()},
      {"command_line", command_line()},
      {"threads", std::to_string(max_threads())},
      {"build_type", build_type()},
      {"build_flags", build_flags()},
      {"source_dirty", source_dirty()},
      {"fftw_version", fftw_library_version()},
      {"hdf5_version", hdf5_library_version()},
      {"eigen_version", std::to_string(EIGEN_WORLD_VERSION) + "." +
                            std::to_string(EIGEN_MAJOR_VERSION) + "." +
                            std::to_string(EIGEN_MINOR_VERSION)},
  };
  if (config.mro_map) {
    p.emplace_back("mro_map_file", config.mro_map->file);
    p.emplace_back("mro_map_sha256", sha256_file_hex(config.mro_map->file));
  }
  return p;
}

}  // namespace stz
