// Atomic output: write to a temporary file beside the target, then rename over it on commit().
// An interrupted writer never leaves a file under the final name that looks complete.
#pragma once

#include <filesystem>
#include <string>

namespace stz {

class AtomicPath {
 public:
  explicit AtomicPath(std::filesystem::path target);
  ~AtomicPath();  ///< removes the temporary file unless committed
  AtomicPath(const AtomicPath&) = delete;
  AtomicPath& operator=(const AtomicPath&) = delete;

  /// Where to write now.
  const std::filesystem::path& temporary() const { return m_temporary; }
  const std::filesystem::path& target() const { return m_target; }
  /// Renames the temporary file onto the target; throws IoError on failure.
  void commit();

 private:
  std::filesystem::path m_target, m_temporary;
  bool m_committed = false;
};

/// Removes `*.tmp-<pid>` files in `directory` left by processes that no longer run (a run killed
/// with SIGKILL cannot clean up). Returns how many were removed; a missing directory is fine.
std::size_t remove_stale_temporaries(const std::filesystem::path& directory);

/// Writes `text` to `path` atomically.
void write_text_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace stz
