#include "libstz/io/atomic_file.hpp"

#include <fstream>
#include <system_error>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <unistd.h>

#include "libstz/core/error.hpp"

namespace stz {

AtomicPath::AtomicPath(std::filesystem::path target) : m_target(std::move(target)) {
  const auto dir = m_target.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IoError("cannot create directory " + dir.string() + ": " + ec.message());
  }
  // Say why up front (HDF5 only reports "cannot create"): e.g. a read-only folder.
  const std::filesystem::path where = dir.empty() ? std::filesystem::path(".") : dir;
  if (::access(where.c_str(), W_OK) != 0)
    throw IoError("cannot write in " + where.string() + ": " + std::strerror(errno) +
                  " (choose another output folder with -o or run.output_dir)");
  m_temporary = m_target;
  m_temporary += ".tmp-" + std::to_string(::getpid());
}

AtomicPath::~AtomicPath() {
  if (!m_committed) {
    std::error_code ec;
    std::filesystem::remove(m_temporary, ec);
  }
}

void AtomicPath::commit() {
  std::error_code ec;
  std::filesystem::rename(m_temporary, m_target, ec);
  if (ec)
    throw IoError("cannot rename " + m_temporary.string() + " to " + m_target.string() + ": " +
                  ec.message());
  m_committed = true;
}

std::size_t remove_stale_temporaries(const std::filesystem::path& directory) {
  std::error_code ec;
  std::size_t removed = 0;
  std::filesystem::directory_iterator it(directory, ec), end;
  if (ec) return 0;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(".tmp-");
    if (at == std::string::npos || at + 5 == name.size()) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    const auto pid = static_cast<pid_t>(std::stol(digits));
    // Alive (or not ours to signal): leave it; ESRCH: its writer is gone.
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code remove_ec;
    if (std::filesystem::remove(it->path(), remove_ec)) ++removed;
  }
  return removed;
}

void write_text_file_atomically(const std::filesystem::path& path, const std::string& text) {
  AtomicPath atomic(path);
  {
    std::ofstream out(atomic.temporary(), std::ios::binary);
    if (!out) throw IoError("cannot write " + atomic.temporary().string());
    out << text;
    out.close();
    if (!out) throw IoError("write failed for " + atomic.temporary().string());
  }
  atomic.commit();
}

}  // namespace stz
