// Library version and the git commit it was built from (for output-file provenance).
#pragma once

namespace stz {
const char* version_string();
const char* git_commit();
}  // namespace stz
