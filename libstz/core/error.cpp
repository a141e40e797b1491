#include "libstz/core/error.hpp"

namespace stz::detail {

void throw_internal(const char* condition, const char* file, int line, const std::string& message) {
  std::string text = std::string("internal check failed: ") + condition + " at " + file + ":" +
                     std::to_string(line);
  if (!message.empty()) text += " (" + message + ")";
  throw InternalError(text);
}

}  // namespace stz::detail
