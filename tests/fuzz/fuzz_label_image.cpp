// libFuzzer harness for the PGM/PNG label-image reader (tests/fuzz/run_fuzz.sh): any bytes must
// give a LabelImage whose size matches its shape, or an stz::Error (never a crash, a hang, a
// sanitizer report or another exception type).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "libstz/core/error.hpp"
#include "libstz/structure/label_image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/stz_fuzz_label_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const stz::LabelImage image = stz::read_label_image(path);
    if (image.labels.size() != image.size()) __builtin_trap();
  } catch (const stz::Error&) {
  }
  std::remove(path.c_str());
  return 0;
}
