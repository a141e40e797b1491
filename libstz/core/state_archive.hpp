// Named arrays for checkpoint/restart (SPEC 4.8): every object that keeps simulation state
// (Simulation, StzModel, each kMC engine, the output recorder) saves it into a StateWriter and
// reads it back from a StateReader. Values are stored exactly (doubles bit for bit), so a run
// restored from them continues bit-identically. Names are "/"-separated paths ("engine/stress").
//
// The interface lives in core so the state owners need no file format; io/checkpoint.hpp writes
// it to HDF5, MemoryStateArchive keeps it in memory (tests).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace stz {

class StateWriter {
 public:
  virtual ~StateWriter() = default;
  virtual void put(const std::string& name, std::span<const double> values) = 0;
  virtual void put(const std::string& name, std::span<const float> values) = 0;
  virtual void put(const std::string& name, std::span<const std::int64_t> values) = 0;
  virtual void put_text(const std::string& name, const std::string& text) = 0;

  void put_scalar(const std::string& name, double value) { put(name, std::span(&value, 1)); }
  void put_integer(const std::string& name, std::int64_t value) { put(name, std::span(&value, 1)); }
  /// Any integer vector, stored as int64.
  template <class Int>
  void put_integers(const std::string& name, const std::vector<Int>& values) {
    const std::vector<std::int64_t> wide(values.begin(), values.end());
    put(name, std::span<const std::int64_t>(wide));
  }
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  /// Each throws stz::Error naming the entry when it is missing or has another type.
  virtual std::vector<double> doubles(const std::string& name) const = 0;
  virtual std::vector<float> floats(const std::string& name) const = 0;
  virtual std::vector<std::int64_t> integers(const std::string& name) const = 0;
  virtual std::string text(const std::string& name) const = 0;

  /// The values of `name`, which must hold exactly `count` of them.
  std::vector<double> doubles(const std::string& name, std::size_t count) const;
  std::vector<float> floats(const std::string& name, std::size_t count) const;
  std::vector<std::int64_t> integers(const std::string& name, std::size_t count) const;
  double scalar(const std::string& name) const { return doubles(name, 1)[0]; }
  std::int64_t integer(const std::string& name) const { return integers(name, 1)[0]; }
  /// An integer vector of `count` values converted to Int (each checked to fit).
  template <class Int>
  std::vector<Int> integers_as(const std::string& name, std::size_t count) const {
    const std::vector<std::int64_t> wide = integers(name, count);
    std::vector<Int> out(wide.size());
    for (std::size_t i = 0; i < wide.size(); ++i) {
      out[i] = static_cast<Int>(wide[i]);
      if (static_cast<std::int64_t>(out[i]) != wide[i]) out_of_range(name, wide[i]);
    }
    return out;
  }

 private:
  [[noreturn]] static void out_of_range(const std::string& name, std::int64_t value);
};

/// Both interfaces over an in-memory map (tests; cloning a state).
class MemoryStateArchive final : public StateWriter, public StateReader {
 public:
  using StateWriter::put;
  void put(const std::string& name, std::span<const double> values) override;
  void put(const std::string& name, std::span<const float> values) override;
  void put(const std::string& name, std::span<const std::int64_t> values) override;
  void put_text(const std::string& name, const std::string& text) override;

  using StateReader::doubles;
  using StateReader::floats;
  using StateReader::integers;
  std::vector<double> doubles(const std::string& name) const override;
  std::vector<float> floats(const std::string& name) const override;
  std::vector<std::int64_t> integers(const std::string& name) const override;
  std::string text(const std::string& name) const override;

  /// Entry names in order.
  std::vector<std::string> names() const;

 private:
  using Value =
      std::variant<std::vector<double>, std::vector<float>, std::vector<std::int64_t>, std::string>;
  template <class T>
  const T& get(const std::string& name, const char* type) const;
  std::map<std::string, Value> m_values;
};

}  // namespace stz
