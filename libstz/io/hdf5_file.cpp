#include "libstz/io/hdf5_file.hpp"

#include <mutex>

#include <hdf5.h>

#include "libstz/core/error.hpp"

namespace stz {
namespace {

// Debian's HDF5 is built without thread safety, and ensemble members write their files from
// parallel threads: every HDF5 call in libstz goes through this one process-wide lock.
// The library never prints: HDF5's automatic error printing is switched off on every call,
// because a thread-safe HDF5 keeps that setting per thread.
std::unique_lock<std::recursive_mutex> hdf5_lock() {
  static std::recursive_mutex m;
  std::unique_lock<std::recursive_mutex> lock(m);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return lock;
}

struct SilenceHdf5Errors {
  SilenceHdf5Errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }
};
void silence() {
  static SilenceHdf5Errors once;
}

void check(herr_t status, const std::string& what) {
  if (status < 0) throw IoError("HDF5: " + what);
}

template <class T>
hid_t native_type();
template <>
hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t native_type<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}

template <class T>
void write_dataset(hid_t file, const std::string& path, std::span<const T> data,
                   const std::vector<std::size_t>& dims) {
  std::vector<hsize_t> h(dims.begin(), dims.end());
  hsize_t total = 1;
  for (auto d : h) total *= d;
  if (total != data.size())
    throw InternalError("HDF5 dataset " + path + ": " + std::to_string(data.size()) +
                        " values for dims of " + std::to_string(total));
  const hid_t space = H5Screate_simple(static_cast<int>(h.size()), h.data(), nullptr);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (total >= 4096 && !h.empty()) {
    std::vector<hsize_t> chunk = h;
    // Chunk along the slowest axis so each chunk holds at most ~1 M values.
    hsize_t rest = total / h[0];
    chunk[0] =
        std::max<hsize_t>(1, std::min<hsize_t>(h[0], (1u << 20) / std::max<hsize_t>(rest, 1)));
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_deflate(dcpl, 4);
  }
  const hid_t set =
      H5Dcreate2(file, path.c_str(), native_type<T>(), space, lcpl, dcpl, H5P_DEFAULT);
  H5Pclose(dcpl);
  H5Pclose(lcpl);
  H5Sclose(space);
  if (set < 0) throw IoError("HDF5: cannot create dataset " + path);
  // An empty dataset has nothing to write (and HDF5 refuses a null buffer).
  const herr_t st = total == 0 ? 0
                               : H5Dwrite(set, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                          data.data());
  H5Dclose(set);
  check(st, "cannot write dataset " + path);
}

hid_t open_object(hid_t file, const std::string& object) {
  const hid_t obj = H5Oopen(file, object.c_str(), H5P_DEFAULT);
  if (obj < 0) throw IoError("HDF5: no object " + object);
  return obj;
}

void write_attribute(hid_t file, const std::string& object, const std::string& name, hid_t type,
                     const void* value, hsize_t count) {
  const hid_t obj = open_object(file, object);
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  const hid_t space = count == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &count, nullptr);
  const hid_t attr = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = attr < 0 ? -1 : H5Awrite(attr, type, value);
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  H5Oclose(obj);
  check(st, "cannot write attribute " + object + "@" + name);
}

}  // namespace

Hdf5Writer::Hdf5Writer(const std::filesystem::path& path) : m_atomic(path) {
  const auto lock = hdf5_lock();
  silence();
  m_file = H5Fcreate(m_atomic.temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (m_file < 0) throw IoError("cannot create HDF5 file " + m_atomic.temporary().string());
}

Hdf5Writer::~Hdf5Writer() {
  const auto lock = hdf5_lock();
  if (m_file >= 0) H5Fclose(m_file);
}

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

void Hdf5Writer::create_group(const std::string& path) {
  const auto lock = hdf5_lock();
  if (path == "/" || H5Lexists(m_file, path.c_str(), H5P_DEFAULT) > 0) return;
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const hid_t g = H5Gcreate2(m_file, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  if (g < 0) throw IoError("HDF5: cannot create group " + path);
  H5Gclose(g);
}

void Hdf5Writer::write(const std::string& path, std::span<const double> data,
                       const std::vector<std::size_t>& dims) {
  const auto lock = hdf5_lock();
  write_dataset(m_file, path, data, dims);
}
void Hdf5Writer::write(const std::string& path, std::span<const std::int32_t> data,
                       const std::vector<std::size_t>& dims) {
  const auto lock = hdf5_lock();
  write_dataset(m_file, path, data, dims);
}
void Hdf5Writer::write(const std::string& path, std::span<const std::int8_t> data,
                       const std::vector<std::size_t>& dims) {
  const auto lock = hdf5_lock();
  write_dataset(m_file, path, data, dims);
}
void Hdf5Writer::write(const std::string& path, std::span<const std::int64_t> data,
                       const std::vector<std::size_t>& dims) {
  const auto lock = hdf5_lock();
  write_dataset(m_file, path, data, dims);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, double value) {
  const auto lock = hdf5_lock();
  write_attribute(m_file, object, name, H5T_NATIVE_DOUBLE, &value, 0);
}
void Hdf5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
  const auto lock = hdf5_lock();
  write_attribute(m_file, object, name, H5T_NATIVE_INT64, &value, 0);
}
void Hdf5Writer::attribute(const std::string& object, const std::string& name,
                           std::uint64_t value) {
  const auto lock = hdf5_lock();
  write_attribute(m_file, object, name, H5T_NATIVE_UINT64, &value, 0);
}
void Hdf5Writer::attribute(const std::string& object, const std::string& name,
                           std::span<const double> value) {
  const auto lock = hdf5_lock();
  write_attribute(m_file, object, name, H5T_NATIVE_DOUBLE, value.data(), value.size());
}
void Hdf5Writer::attribute(const std::string& object, const std::string& name,
                           std::span<const std::int64_t> value) {
  const auto lock = hdf5_lock();
  write_attribute(m_file, object, name, H5T_NATIVE_INT64, value.data(), value.size());
}
void Hdf5Writer::attribute(const std::string& object, const std::string& name,
                           const std::string& value) {
  const auto lock = hdf5_lock();
  // Variable-length UTF-8, so h5py reads a str (fixed-length strings come back as bytes).
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const char* text = value.c_str();
  try {
    write_attribute(m_file, object, name, type, &text, 0);
  } catch (...) {
    H5Tclose(type);
    throw;
  }
  H5Tclose(type);
}

void Hdf5Writer::write(const std::string& path, std::span<const float> data,
                       const std::vector<std::size_t>& dims) {
  const auto lock = hdf5_lock();
  write_dataset(m_file, path, data, dims);
}

namespace {
void copy_object(hid_t from, const std::string& from_name, const std::string& path, hid_t to,
                 const std::string& dest_path) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  const herr_t st = H5Ocopy(from, path.c_str(), to, dest_path.c_str(), H5P_DEFAULT, lcpl);
  H5Pclose(lcpl);
  check(st, "cannot copy " + from_name + ":" + path + " to " + dest_path);
}
}  // namespace

void Hdf5Writer::copy_from(const Hdf5Writer& source, const std::string& path,
                           const std::string& dest_path) {
  const auto lock = hdf5_lock();
  copy_object(source.m_file, source.m_atomic.temporary().string(), path, m_file, dest_path);
}

void Hdf5Writer::copy_from(const Hdf5Reader& source, const std::string& path,
                           const std::string& dest_path) {
  const auto lock = hdf5_lock();
  copy_object(source.m_file, source.m_path, path, m_file, dest_path);
}

void Hdf5Writer::commit() {
  const auto lock = hdf5_lock();
  if (m_file >= 0) {
    const herr_t st = H5Fclose(m_file);
    m_file = -1;
    check(st, "cannot close " + m_atomic.temporary().string());
  }
  m_atomic.commit();
}

Hdf5Reader::Hdf5Reader(const std::filesystem::path& path) : m_path(path.string()) {
  const auto lock = hdf5_lock();
  silence();
  if (!std::filesystem::exists(path)) throw IoError("file not found: " + m_path);
  m_file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (m_file < 0) throw IoError("not a readable HDF5 file: " + m_path);
}

Hdf5Reader::~Hdf5Reader() {
  const auto lock = hdf5_lock();
  if (m_file >= 0) H5Fclose(m_file);
}

bool Hdf5Reader::exists(const std::string& path) const {
  const auto lock = hdf5_lock();
  // Check each link on the way down so a missing parent is a clean false.
  std::size_t pos = 0;
  while ((pos = path.find('/', pos + 1)) != std::string::npos)
    if (H5Lexists(m_file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  return H5Lexists(m_file, path.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::size_t> Hdf5Reader::dims(const std::string& path) const {
  const auto lock = hdf5_lock();
  const hid_t set = H5Dopen2(m_file, path.c_str(), H5P_DEFAULT);
  if (set < 0) throw IoError(m_path + ": no dataset " + path);
  const hid_t space = H5Dget_space(set);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> h(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, h.data(), nullptr);
  H5Sclose(space);
  H5Dclose(set);
  return {h.begin(), h.end()};
}

namespace {
template <class T>
std::vector<T> read_all(hid_t file, const std::string& file_path, const std::string& path,
                        hid_t mem_type, std::size_t count) {
  std::vector<T> out(count);
  if (count == 0) return out;
  const hid_t set = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (set < 0) throw IoError(file_path + ": no dataset " + path);
  const herr_t st = H5Dread(set, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Dclose(set);
  if (st < 0) throw IoError(file_path + ": cannot read dataset " + path);
  return out;
}
std::size_t product(const std::vector<std::size_t>& d) {
  std::size_t n = 1;
  for (auto x : d) n *= x;
  return n;
}
}  // namespace

std::vector<double> Hdf5Reader::read_doubles(const std::string& path) const {
  const auto lock = hdf5_lock();
  return read_all<double>(m_file, m_path, path, H5T_NATIVE_DOUBLE, product(dims(path)));
}

std::vector<std::int64_t> Hdf5Reader::read_integers(const std::string& path) const {
  const auto lock = hdf5_lock();
  return read_all<std::int64_t>(m_file, m_path, path, H5T_NATIVE_INT64, product(dims(path)));
}

std::vector<float> Hdf5Reader::read_floats(const std::string& path) const {
  const auto lock = hdf5_lock();
  return read_all<float>(m_file, m_path, path, H5T_NATIVE_FLOAT, product(dims(path)));
}

bool Hdf5Reader::is_integer_dataset(const std::string& path) const {
  const auto lock = hdf5_lock();
  const hid_t set = H5Dopen2(m_file, path.c_str(), H5P_DEFAULT);
  if (set < 0) throw IoError(m_path + ": no dataset " + path);
  const hid_t type = H5Dget_type(set);
  const bool integer = H5Tget_class(type) == H5T_INTEGER;
  H5Tclose(type);
  H5Dclose(set);
  return integer;
}

namespace {
hid_t open_attribute(hid_t file, const std::string& file_path, const std::string& object,
                     const std::string& name, hid_t* obj) {
  *obj = H5Oopen(file, object.c_str(), H5P_DEFAULT);
  if (*obj < 0) throw IoError(file_path + ": no object " + object);
  const hid_t attr = H5Aopen(*obj, name.c_str(), H5P_DEFAULT);
  if (attr < 0) {
    H5Oclose(*obj);
    throw IoError(file_path + ": no attribute " + object + "@" + name);
  }
  return attr;
}
}  // namespace

double Hdf5Reader::attribute_double(const std::string& object, const std::string& name) const {
  const auto lock = hdf5_lock();
  hid_t obj;
  const hid_t attr = open_attribute(m_file, m_path, object, name, &obj);
  double v = 0;
  const herr_t st = H5Aread(attr, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(attr);
  H5Oclose(obj);
  check(st, "cannot read attribute " + object + "@" + name);
  return v;
}

std::int64_t Hdf5Reader::attribute_integer(const std::string& object,
                                           const std::string& name) const {
  const auto lock = hdf5_lock();
  hid_t obj;
  const hid_t attr = open_attribute(m_file, m_path, object, name, &obj);
  std::int64_t v = 0;
  const herr_t st = H5Aread(attr, H5T_NATIVE_INT64, &v);
  H5Aclose(attr);
  H5Oclose(obj);
  check(st, "cannot read attribute " + object + "@" + name);
  return v;
}

std::string Hdf5Reader::attribute_string(const std::string& object, const std::string& name) const {
  const auto lock = hdf5_lock();
  hid_t obj;
  const hid_t attr = open_attribute(m_file, m_path, object, name, &obj);
  const hid_t type = H5Aget_type(attr);
  std::string out;
  herr_t st = -1;
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0) {
    const hid_t memory = H5Tcopy(H5T_C_S1);
    H5Tset_size(memory, H5T_VARIABLE);
    H5Tset_cset(memory, H5Tget_cset(type));
    char* text = nullptr;
    st = H5Aread(attr, memory, &text);
    if (st >= 0 && text) out = text;
    if (text) H5free_memory(text);
    H5Tclose(memory);
  } else if (H5Tget_class(type) == H5T_STRING) {
    out.resize(H5Tget_size(type));
    st = H5Aread(attr, type, out.data());
    out.resize(out.find('\0') == std::string::npos ? out.size() : out.find('\0'));
  }
  H5Tclose(type);
  H5Aclose(attr);
  H5Oclose(obj);
  check(st, "cannot read string attribute " + object + "@" + name);
  return out;
}

namespace {
template <class T>
std::vector<T> read_attribute_values(hid_t file, const std::string& file_path,
                                     const std::string& object, const std::string& name,
                                     hid_t mem_type) {
  hid_t obj;
  const hid_t attr = open_attribute(file, file_path, object, name, &obj);
  const hid_t space = H5Aget_space(attr);
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  std::vector<T> out(static_cast<std::size_t>(std::max<hssize_t>(count, 0)));
  const herr_t st = count < 0 ? -1 : H5Aread(attr, mem_type, out.data());
  H5Aclose(attr);
  H5Oclose(obj);
  check(st, "cannot read attribute " + object + "@" + name);
  return out;
}

herr_t collect_link_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<double> Hdf5Reader::attribute_doubles(const std::string& object,
                                                  const std::string& name) const {
  const auto lock = hdf5_lock();
  return read_attribute_values<double>(m_file, m_path, object, name, H5T_NATIVE_DOUBLE);
}

std::vector<std::int64_t> Hdf5Reader::attribute_integers(const std::string& object,
                                                         const std::string& name) const {
  const auto lock = hdf5_lock();
  return read_attribute_values<std::int64_t>(m_file, m_path, object, name, H5T_NATIVE_INT64);
}

bool Hdf5Reader::has_attribute(const std::string& object, const std::string& name) const {
  const auto lock = hdf5_lock();
  if (object != "/" && !exists(object)) return false;
  return H5Aexists_by_name(m_file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> Hdf5Reader::children(const std::string& group) const {
  const auto lock = hdf5_lock();
  const hid_t g = H5Gopen2(m_file, group.c_str(), H5P_DEFAULT);
  if (g < 0) throw IoError(m_path + ": no group " + group);
  std::vector<std::string> names;
  hsize_t index = 0;
  const herr_t st = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &index, collect_link_name, &names);
  H5Gclose(g);
  check(st, "cannot list group " + group);
  return names;
}

}  // namespace stz
