// A small RAII writer/reader over the HDF5 C API: groups, double/int datasets of any rank with
// attributes, scalar, 1-D and string attributes (strings: variable-length UTF-8). Writers go
// through AtomicPath: nothing appears under the final name until commit(). This is the only place
// libstz touches HDF5.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "libstz/io/atomic_file.hpp"

namespace stz {

/// The HDF5 library's version, "major.minor.release" (provenance).
std::string hdf5_library_version();

class Hdf5Writer {
 public:
  /// Opens a new file (temporary until commit()).
  explicit Hdf5Writer(const std::filesystem::path& path);
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  /// Creates a group (and its parents); no-op if it exists.
  void create_group(const std::string& path);
  /// Dataset of doubles with the given dimensions (row-major, last fastest), gzip-compressed
  /// when large.
  void write(const std::string& path, std::span<const double> data,
             const std::vector<std::size_t>& dims);
  void write(const std::string& path, std::span<const std::int32_t> data,
             const std::vector<std::size_t>& dims);
  void write(const std::string& path, std::span<const std::int8_t> data,
             const std::vector<std::size_t>& dims);
  void write(const std::string& path, std::span<const std::int64_t> data,
             const std::vector<std::size_t>& dims);
  void write(const std::string& path, std::span<const float> data,
             const std::vector<std::size_t>& dims);
  /// Copies the object at `path` of `source` (a group with everything in it, or a dataset,
  /// attributes included) to `dest_path` here. Source: another writer (its file as written so
  /// far) or a reader.
  void copy_from(const Hdf5Writer& source, const std::string& path, const std::string& dest_path);
  void copy_from(const class Hdf5Reader& source, const std::string& path,
                 const std::string& dest_path);
  /// Attributes on an existing object ("/" for the file).
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name, std::uint64_t value);
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, std::span<const double> value);
  void attribute(const std::string& object, const std::string& name,
                 std::span<const std::int64_t> value);

  /// Flushes, closes and renames the file into place.
  void commit();

 private:
  std::int64_t m_file = -1;
  AtomicPath m_atomic;
};

/// Reads whole datasets and attributes (for tests, imports and tools).
class Hdf5Reader {
 public:
  explicit Hdf5Reader(const std::filesystem::path& path);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  bool exists(const std::string& path) const;
  std::vector<std::size_t> dims(const std::string& path) const;
  std::vector<double> read_doubles(const std::string& path) const;
  std::vector<std::int64_t> read_integers(const std::string& path) const;
  std::vector<float> read_floats(const std::string& path) const;
  /// True when the dataset's element type is an integer type (a float would be truncated).
  bool is_integer_dataset(const std::string& path) const;
  double attribute_double(const std::string& object, const std::string& name) const;
  std::int64_t attribute_integer(const std::string& object, const std::string& name) const;
  std::string attribute_string(const std::string& object, const std::string& name) const;
  /// Whole attribute (scalar or 1-D) as doubles / integers.
  std::vector<double> attribute_doubles(const std::string& object, const std::string& name) const;
  std::vector<std::int64_t> attribute_integers(const std::string& object,
                                               const std::string& name) const;
  /// True when `object` has an attribute `name`.
  bool has_attribute(const std::string& object, const std::string& name) const;
  /// Names of the links in a group, in HDF5 name order.
  std::vector<std::string> children(const std::string& group) const;

 private:
  std::int64_t m_file = -1;
  std::string m_path;
  friend class Hdf5Writer;
};

}  // namespace stz
