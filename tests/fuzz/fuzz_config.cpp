// libFuzzer harness for config text (tests/fuzz/run_fuzz.sh): any bytes given to parse_config
// must give a config whose resolved YAML parses back to the same text, or an stz::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libstz/core/error.hpp"
#include "libstz/io/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const stz::RunConfig c = stz::parse_config(text, {}, "<fuzz>");
    const std::string resolved = stz::resolved_config_yaml(c);
    if (stz::resolved_config_yaml(stz::parse_config(resolved, {}, "<resolved>")) != resolved)
      __builtin_trap();  // the resolved config must round-trip
  } catch (const stz::Error&) {
  }
  return 0;
}
