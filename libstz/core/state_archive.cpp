#include "libstz/core/state_archive.hpp"

#include "libstz/core/error.hpp"

namespace stz {
namespace {

template <class T>
std::vector<T> sized(std::vector<T> values, const std::string& name, std::size_t count) {
  if (values.size() != count)
    throw Error("checkpoint entry " + name + " holds " + std::to_string(values.size()) +
                " values, expected " + std::to_string(count) +
                " (a checkpoint of another grid or model?)");
  return values;
}

}  // namespace

std::vector<double> StateReader::doubles(const std::string& name, std::size_t count) const {
  return sized(doubles(name), name, count);
}
std::vector<float> StateReader::floats(const std::string& name, std::size_t count) const {
  return sized(floats(name), name, count);
}
std::vector<std::int64_t> StateReader::integers(const std::string& name, std::size_t count) const {
  return sized(integers(name), name, count);
}
void StateReader::out_of_range(const std::string& name, std::int64_t value) {
  throw Error("checkpoint entry " + name + " holds " + std::to_string(value) +
              ", out of range for its type");
}

void MemoryStateArchive::put(const std::string& name, std::span<const double> values) {
  m_values[name] = std::vector<double>(values.begin(), values.end());
}
void MemoryStateArchive::put(const std::string& name, std::span<const float> values) {
  m_values[name] = std::vector<float>(values.begin(), values.end());
}
void MemoryStateArchive::put(const std::string& name, std::span<const std::int64_t> values) {
  m_values[name] = std::vector<std::int64_t>(values.begin(), values.end());
}
void MemoryStateArchive::put_text(const std::string& name, const std::string& text) {
  m_values[name] = text;
}

template <class T>
const T& MemoryStateArchive::get(const std::string& name, const char* type) const {
  const auto it = m_values.find(name);
  if (it == m_values.end()) throw Error("checkpoint has no entry " + name);
  const T* value = std::get_if<T>(&it->second);
  if (value == nullptr) throw Error("checkpoint entry " + name + " is not " + type);
  return *value;
}

std::vector<double> MemoryStateArchive::doubles(const std::string& name) const {
  return get<std::vector<double>>(name, "float64");
}
std::vector<float> MemoryStateArchive::floats(const std::string& name) const {
  return get<std::vector<float>>(name, "float32");
}
std::vector<std::int64_t> MemoryStateArchive::integers(const std::string& name) const {
  return get<std::vector<std::int64_t>>(name, "int64");
}
std::string MemoryStateArchive::text(const std::string& name) const {
  return get<std::string>(name, "text");
}

std::vector<std::string> MemoryStateArchive::names() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : m_values) out.push_back(name);
  return out;
}

}  // namespace stz
