#include "libstz/core/version.hpp"

namespace stz {
const char* version_string() {
  return STZ_VERSION_STRING;
}
const char* git_commit() {
  return STZ_GIT_COMMIT_STRING;
}
}  // namespace stz

namespace stz {
const char* build_flags() {
  return STZ_BUILD_FLAGS_STRING;
}
const char* build_type() {
  return STZ_BUILD_TYPE_STRING;
}
const char* source_dirty() {
  return STZ_SOURCE_DIRTY_STRING;
}
}  // namespace stz
