// Error types of libstz. The library never prints or exits: it throws one of these, and the
// application catches it and prints one line. Every error carries the values involved.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace stz {

/// Base of every error libstz throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: names the dotted config key, the offending value and what is allowed.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string value, std::string allowed)
      : Error(key + " = " + value + ": " + allowed),
        m_key(std::move(key)),
        m_value(std::move(value)),
        m_allowed(std::move(allowed)) {}
  const std::string& key() const { return m_key; }
  const std::string& value() const { return m_value; }
  const std::string& allowed() const { return m_allowed; }

 private:
  std::string m_key, m_value, m_allowed;
};

/// A file could not be read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

/// A numerical procedure failed (no convergence, singular system, drift beyond tolerance).
class NumericalError : public Error {
 public:
  using Error::Error;
};

/// An internal invariant was violated: a bug in libstz, not bad input.
class InternalError : public Error {
 public:
  using Error::Error;
};

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  out.precision(17);
  (out << ... << args);
  return out.str();
}
[[noreturn]] void throw_internal(const char* condition, const char* file, int line,
                                 const std::string& message);
}  // namespace detail

/// Formats any printable value the way error messages show it.
template <class T>
std::string to_display(const T& value) {
  std::ostringstream out;
  out.precision(10);
  out << value;
  return out.str();
}

}  // namespace stz

/// Always-on check of an invariant; throws InternalError with the condition, file and line.
#define STZ_REQUIRE(cond, ...)                                                             \
  do {                                                                                     \
    if (!(cond))                                                                           \
      ::stz::detail::throw_internal(#cond, __FILE__, __LINE__,                             \
                                    ::stz::detail::concat("" __VA_OPT__(, ) __VA_ARGS__)); \
  } while (false)

/// Debug-only check of an invariant on a hot path (compiled out in Release builds).
#ifdef NDEBUG
#define STZ_ASSERT(cond, ...) ((void)0)
#else
#define STZ_ASSERT(cond, ...) STZ_REQUIRE(cond __VA_OPT__(, ) __VA_ARGS__)
#endif
