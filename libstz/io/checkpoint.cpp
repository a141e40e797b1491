#include "libstz/io/checkpoint.hpp"

#include <cmath>
#include <cstdio>

#include "libstz/core/error.hpp"
#include "libstz/core/stop_request.hpp"
#include "libstz/core/version.hpp"

namespace stz {
namespace {

constexpr std::int64_t kFormatVersion = 1;
constexpr const char* kFormat = "libstz-checkpoint";
// The wall clock is read every this many consistent points (a few per millisecond at most).
constexpr std::int64_t kClockEvery = 64;

std::vector<std::size_t> one_axis(std::size_t n) {
  return {n};
}

}  // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir) {
  return output_dir / "checkpoint.h5";
}

void Hdf5StateWriter::put(const std::string& name, std::span<const double> values) {
  m_file.write("/state/" + name, values, one_axis(values.size()));
}
void Hdf5StateWriter::put(const std::string& name, std::span<const float> values) {
  m_file.write("/state/" + name, values, one_axis(values.size()));
}
void Hdf5StateWriter::put(const std::string& name, std::span<const std::int64_t> values) {
  m_file.write("/state/" + name, values, one_axis(values.size()));
}
void Hdf5StateWriter::put_text(const std::string& name, const std::string& text) {
  const std::vector<std::int8_t> bytes(text.begin(), text.end());
  m_file.write("/state/" + name, std::span<const std::int8_t>(bytes), one_axis(bytes.size()));
}

std::string Hdf5StateReader::path(const std::string& name) const {
  const std::string p = "/state/" + name;
  if (!m_file.exists(p))
    throw IoError("checkpoint.h5 has no entry " + name +
                  " (written by another libstz version, or damaged)");
  return p;
}
std::vector<double> Hdf5StateReader::doubles(const std::string& name) const {
  return m_file.read_doubles(path(name));
}
std::vector<float> Hdf5StateReader::floats(const std::string& name) const {
  return m_file.read_floats(path(name));
}
std::vector<std::int64_t> Hdf5StateReader::integers(const std::string& name) const {
  return m_file.read_integers(path(name));
}
std::string Hdf5StateReader::text(const std::string& name) const {
  const std::vector<std::int64_t> bytes = m_file.read_integers(path(name));
  std::string out;
  for (std::int64_t b : bytes) out += static_cast<char>(b);
  return out;
}

std::optional<CheckpointInfo> read_checkpoint_info(const std::filesystem::path& output_dir) {
  const auto path = checkpoint_path(output_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  try {
    const Hdf5Reader h5(path);
    if (!h5.has_attribute("/", "format") || h5.attribute_string("/", "format") != kFormat)
      throw IoError("not a libstz checkpoint");
    if (h5.attribute_integer("/", "format_version") != kFormatVersion)
      throw IoError("checkpoint format version " +
                    std::to_string(h5.attribute_integer("/", "format_version")) +
                    ", this libstz reads version " + std::to_string(kFormatVersion));
    CheckpointInfo info;
    info.config_yaml = h5.attribute_string("/", "config");
    info.version = h5.attribute_string("/", "version");
    info.strain = h5.attribute_double("/", "strain");
    info.events = h5.attribute_integer("/", "events");
    info.wall_s = h5.attribute_double("/", "wall_s");
    info.at_end = h5.attribute_integer("/", "at_end") != 0;
    return info;
  } catch (const std::exception& e) {
    throw IoError(path.string() + " cannot be read as a checkpoint: " + e.what());
  }
}

Checkpointer::Checkpointer(std::filesystem::path output_dir, const RunWriter& writer,
                           std::string resolved_yaml, double interval_s, double wall_before_s,
                           std::function<void(const std::string&)> note)
    : m_dir(std::move(output_dir)),
      m_writer(writer),
      m_yaml(std::move(resolved_yaml)),
      m_interval_s(interval_s),
      m_wall_before_s(wall_before_s),
      m_note(std::move(note)),
      m_start(std::chrono::steady_clock::now()),
      m_last(m_start) {}

double Checkpointer::wall_s() const {
  return m_wall_before_s +
         std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

void Checkpointer::on_consistent_state(const Simulation& sim, bool stopping) {
  if (m_interval_s <= 0.0) return;
  if (stopping) {
    write(sim, !stop_requested());
    return;
  }
  if (++m_calls % kClockEvery != 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - m_last).count() >= m_interval_s) write(sim, false);
}

void Checkpointer::write(const Simulation& sim, bool at_end) {
  Hdf5Writer h5(checkpoint_path(m_dir));
  h5.attribute("/", "format", std::string(kFormat));
  h5.attribute("/", "format_version", kFormatVersion);
  h5.attribute("/", "config", m_yaml);
  h5.attribute("/", "version", std::string(version_string()));
  h5.attribute("/", "git_commit", std::string(git_commit()));
  h5.attribute("/", "strain", sim.control_strain());
  h5.attribute("/", "events", sim.events());
  h5.attribute("/", "wall_s", wall_s());
  h5.attribute("/", "at_end", std::int64_t{at_end ? 1 : 0});
  Hdf5StateWriter state(h5);
  sim.save_state(state);
  m_writer.save_state(state, h5);
  h5.commit();
  ++m_written;
  m_last = std::chrono::steady_clock::now();
  if (m_note) {
    char line[160];
    std::snprintf(line, sizeof line, "checkpoint at strain %.5f (%lld events, wall %.1f s)",
                  sim.control_strain(), static_cast<long long>(sim.events()), wall_s());
    m_note(line);
  }
}

void restore_checkpoint(const std::filesystem::path& output_dir, Simulation& sim,
                        RunWriter& writer) {
  const Hdf5Reader h5(checkpoint_path(output_dir));
  const Hdf5StateReader state(h5);
  sim.load_state(state);
  writer.restore_state(state, h5);
}

}  // namespace stz
