#include "libstz/io/atomic_file.hpp"

#include <fstream>
#include <system_error>

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
