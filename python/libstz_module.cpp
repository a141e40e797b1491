// The Python module `libstz` (docs/python.md): configs with the CLI's keys and `--set`
// semantics, whole runs (the files of `stz run` on request, results as numpy arrays), a
// stepping Simulation, and structure maps from numpy label arrays.
//
// Threads and signals: simulations run with the GIL released; the Python side (progress
// callback, Ctrl-C via PyErr_CheckSignals) is visited at every series point and at most every
// 0.1 s between them, with the GIL taken back. A Python exception raised there (KeyboardInterrupt
// included) ends the run between two kMC steps and propagates; `run` then leaves no run.h5.
// Arrays are C-ordered (nx, ny[, nz]) in the grid's index order, tensors with a last axis of 6
// Voigt components (xx, yy, zz, yz, xz, xy), exactly as in run.h5.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <yaml-cpp/yaml.h>

#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/version.hpp"
#include "libstz/ensemble/ensemble.hpp"
#include "libstz/io/config.hpp"
#include "libstz/io/run_writer.hpp"
#include "libstz/sim/simulation.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace stz::python {
namespace {

// ---------------------------------------------------------------------------------------------
// Python values → YAML text (flow style), for load_config(dict) and overrides

std::string float_text(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  return py::repr(py::float_(v)).cast<std::string>();  // shortest round-trip text
}

/// `where` names the value in a TypeError ("overrides['grid.shape']", "config['grid']").
std::string yaml_text(py::handle value, const std::string& where) {
  if (value.is_none()) return "null";
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::hasattr(value, "dtype") && py::hasattr(value, "item") &&
      !py::isinstance<py::array>(value))  // a numpy scalar
    return yaml_text(value.attr("item")(), where);
  const py::module_ numbers = py::module_::import("numbers");
  if (py::isinstance(value, numbers.attr("Integral")))
    return py::str(py::int_(py::reinterpret_borrow<py::object>(value))).cast<std::string>();
  if (py::isinstance(value, numbers.attr("Real"))) return float_text(value.cast<double>());
  if (py::isinstance<py::str>(value)) return yaml_double_quoted(value.cast<std::string>());
  if (py::hasattr(value, "__fspath__"))
    return yaml_double_quoted(py::module_::import("os").attr("fspath")(value).cast<std::string>());
  if (py::isinstance<py::dict>(value)) {
    std::string out = "{";
    bool first = true;
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(value)) {
      const std::string key = py::str(k).cast<std::string>();
      out += (first ? "" : ", ") + yaml_text(k, where) + ": " +
             yaml_text(v, where + "['" + key + "']");
      first = false;
    }
    return out + "}";
  }
  if (py::isinstance<py::array>(value)) return yaml_text(value.attr("tolist")(), where);
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    std::string out = "[";
    std::size_t i = 0;
    for (auto item : value) {
      out += (i ? ", " : "") + yaml_text(item, where + "[" + std::to_string(i) + "]");
      ++i;
    }
    return out + "]";
  }
  throw py::type_error(where + ": a " +
                       py::str(py::type::of(value).attr("__name__")).cast<std::string>() +
                       " is not a config value (use None, bool, int, float, str, path, list, "
                       "tuple, dict or a numpy array)");
}

/// overrides: None, a dict {dotted.key: value} or an iterable of "dotted.key=VALUE" strings.
/// A str value is YAML text exactly as after `--set key=` (so "[32, 16]" is a list); any other
/// value is converted to YAML.
std::vector<std::string> override_strings(py::handle overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (py::isinstance<py::dict>(overrides)) {
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(overrides)) {
      if (!py::isinstance<py::str>(k))
        throw py::type_error("overrides: keys are dotted config keys (str), got " +
                             py::repr(k).cast<std::string>());
      const std::string key = k.cast<std::string>();
      out.push_back(key + "=" +
                    (py::isinstance<py::str>(v) ? v.cast<std::string>()
                                                : yaml_text(v, "overrides['" + key + "']")));
    }
    return out;
  }
  if (py::isinstance<py::str>(overrides))
    throw py::type_error("overrides: a dict {key: value} or a list of \"key=value\" strings");
  for (auto item : overrides) {
    if (!py::isinstance<py::str>(item))
      throw py::type_error("overrides: list items are \"key=value\" strings, got " +
                           py::repr(item).cast<std::string>());
    out.push_back(item.cast<std::string>());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML → Python (Config.to_dict)

py::object scalar_value(const YAML::Node& node) {
  const std::string text = node.Scalar();
  if (node.Tag() == "!") return py::str(text);  // quoted: a string
  if (text == "null" || text == "~" || text.empty()) return py::none();
  if (text == "true") return py::bool_(true);
  if (text == "false") return py::bool_(false);
  if (text == ".nan") return py::float_(std::nan(""));
  if (text == ".inf") return py::float_(INFINITY);
  if (text == "-.inf") return py::float_(-INFINITY);
  try {
    std::size_t used = 0;
    const long long i = std::stoll(text, &used);
    if (used == text.size()) return py::int_(i);
  } catch (const std::exception&) {
  }
  try {
    std::size_t used = 0;
    const double d = std::stod(text, &used);
    if (used == text.size()) return py::float_(d);
  } catch (const std::exception&) {
  }
  return py::str(text);
}

py::object yaml_to_python(const YAML::Node& node) {
  if (node.IsMap()) {
    py::dict d;
    for (const auto& kv : node) d[yaml_to_python(kv.first)] = yaml_to_python(kv.second);
    return d;
  }
  if (node.IsSequence()) {
    py::list l;
    for (const auto& item : node) l.append(yaml_to_python(item));
    return l;
  }
  if (node.IsScalar()) return scalar_value(node);
  return py::none();
}

// ---------------------------------------------------------------------------------------------
// Configs

/// A validated config (Python class libstz.Config).
struct Config {
  RunConfig run;
};

RunConfig with_structure_checked(RunConfig config) {
  build_structure(config);  // imported maps and MRO placement are validated too (as stz check)
  return config;
}

Config load_config_py(py::handle source, py::handle overrides) {
  const std::vector<std::string> sets = override_strings(overrides);
  if (py::isinstance<Config>(source)) {
    const RunConfig& base = source.cast<const Config&>().run;
    if (sets.empty()) return Config{base};
    return Config{
        with_structure_checked(parse_config(resolved_config_yaml(base), sets, "<config>"))};
  }
  if (py::isinstance<py::dict>(source)) {
    const std::string text = yaml_text(source, "config");
    py::gil_scoped_release release;
    return Config{with_structure_checked(parse_config(text, sets, "<dict>"))};
  }
  if (py::isinstance<py::str>(source) || py::hasattr(source, "__fspath__")) {
    const std::string path = py::module_::import("os").attr("fspath")(source).cast<std::string>();
    py::gil_scoped_release release;
    return Config{with_structure_checked(load_config(path, sets))};
  }
  throw py::type_error("load_config: a YAML file path, a dict or a libstz.Config, got a " +
                       py::str(py::type::of(source).attr("__name__")).cast<std::string>());
}

/// run(config, ...) and Simulation(config, ...) take a Config or anything load_config takes.
RunConfig as_config(py::handle source) {
  if (py::isinstance<Config>(source)) return source.cast<const Config&>().run;
  return load_config_py(source, py::none()).run;
}

// ---------------------------------------------------------------------------------------------
// Structure maps from numpy label arrays

/// Builds the run's structure: from `labels` (an integer numpy array, (nx, ny) or (nx, ny, nz),
/// with `label_types` {label: type name}) when given, else as the config says.
StructureMap structure_for(const RunConfig& config, py::handle labels, py::handle label_types,
                           double pixel_nm) {
  if (labels.is_none()) {
    if (!label_types.is_none())
      throw ConfigError("label_types", "(a table)", "only together with a labels array");
    py::gil_scoped_release release;
    return build_structure(config);
  }
  if (config.mro_map)
    throw ConfigError(
        "labels", "(an array)",
        "no labels array when the config imports mro.map (" + config.mro_map->file + ")");
  const py::array array = py::array::ensure(labels);
  if (!array) throw ConfigError("labels", py::repr(labels).cast<std::string>(), "a numpy array");
  const char kind = array.dtype().kind();
  if (kind != 'i' && kind != 'u')
    throw ConfigError("labels", "an array of dtype " + py::str(array.dtype()).cast<std::string>(),
                      "an integer array (labels are integers; a float map would be truncated)");
  if (array.ndim() != 2 && array.ndim() != 3)
    throw ConfigError("labels", "an array of " + std::to_string(array.ndim()) + " dimensions",
                      "a 2D (nx, ny) or 3D (nx, ny, nz) label array");
  LabelImage image;
  image.dimension = static_cast<int>(array.ndim());
  for (py::ssize_t a = 0; a < array.ndim(); ++a) {
    if (array.shape(a) < 1 || array.shape(a) > std::numeric_limits<int>::max())
      throw ConfigError("labels",
                        "an array of shape " + py::str(array.attr("shape")).cast<std::string>(),
                        "a non-empty label array");
    image.shape[static_cast<std::size_t>(a)] = static_cast<int>(array.shape(a));
  }
  if (kind == 'u' && array.itemsize() == 8 &&
      array.attr("max")().cast<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw ConfigError("labels", "a label above 2^63 - 1", "labels that fit in int64");
  const auto values =
      py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
  image.labels.assign(values.data(), values.data() + values.size());

  if (label_types.is_none() || !py::isinstance<py::dict>(label_types))
    throw ConfigError(
        "label_types",
        label_types.is_none() ? "(missing)" : py::repr(label_types).cast<std::string>(),
        "a dict {label: type name}, e.g. {0: \"matrix\", 1: \"mro_a\"}");
  std::map<std::int64_t, std::string> table;
  for (auto [k, v] : py::reinterpret_borrow<py::dict>(label_types)) {
    const std::string key_text = py::repr(k).cast<std::string>();
    if (py::isinstance<py::bool_>(k) ||
        !py::isinstance(k, py::module_::import("numbers").attr("Integral")))
      throw ConfigError("label_types[" + key_text + "]", key_text, "an integer label");
    if (!py::isinstance<py::str>(v))
      throw ConfigError("label_types[" + key_text + "]", py::repr(v).cast<std::string>(),
                        "a type name (str) defined under types");
    table[py::int_(py::reinterpret_borrow<py::object>(k)).cast<std::int64_t>()] =
        v.cast<std::string>();
  }
  py::gil_scoped_release release;
  try {
    return structure_from_label_map(config, image, table, pixel_nm);
  } catch (const ConfigError& e) {
    // The library names the config's keys; here they are the arguments.
    std::string key = e.key();
    const std::string labels_prefix = "mro.map.labels";
    if (key.rfind(labels_prefix, 0) == 0)
      key = key.size() > labels_prefix.size() + 1
                ? "label_types[" + key.substr(labels_prefix.size() + 1) + "]"
                : "label_types";
    else if (key == "mro.map.file")
      key = "labels";
    else if (key == "mro.map.pixel_nm")
      key = "pixel_nm";
    throw ConfigError(key, e.value(), e.allowed());
  }
}

// ---------------------------------------------------------------------------------------------
// Results as Python objects

py::dict series_dict(const std::vector<SeriesPoint>& series) {
  py::dict d;
  for (const auto& col : series_table(series))
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          d[py::str(col.name)] = py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
        },
        col.values);
  return d;
}

py::dict point_dict(const SeriesPoint& p) {
  py::dict d;
  for (const auto& col : series_table({p}))
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          if constexpr (std::is_same_v<T, double>)
            d[py::str(col.name)] = v[0];
          else
            d[py::str(col.name)] = static_cast<std::int64_t>(v[0]);
        },
        col.values);
  return d;
}

py::array field_array(const SnapshotField& f) {
  std::vector<py::ssize_t> shape(f.dims.begin(), f.dims.end());
  return std::visit(
      [&](const auto& v) -> py::array {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return py::array_t<T>(shape, v.data());
      },
      f.values);
}

py::dict summary_dict(const RunSummary& s, std::size_t series_points) {
  py::dict d;
  for (const auto& [name, value] : summary_values(s, series_points))
    std::visit([&](auto v) { d[py::str(name)] = v; }, value);
  return d;
}

// ---------------------------------------------------------------------------------------------
// The Python side of a running simulation: progress callback and interrupts

/// Visits Python (GIL taken) at series points and at most every kCheckInterval between them.
/// Construct and destroy with the GIL held; call the hooks with it released.
class PythonHooks {
 public:
  explicit PythonHooks(py::object progress) : m_progress(std::move(progress)) {}

  /// After a kMC step: a cheap counter, then the clock, then (rarely) the signal check.
  void after_step() {
    if (++m_steps % 64 != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now < m_next_check) return;
    m_next_check = now + kCheckInterval;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
  /// At a series point: the progress callback with the point as a dict, then the signal check.
  void at_point(const SeriesPoint& p) {
    py::gil_scoped_acquire gil;
    if (!m_progress.is_none()) m_progress(point_dict(p));
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    m_next_check = std::chrono::steady_clock::now() + kCheckInterval;
  }

 private:
  static constexpr std::chrono::milliseconds kCheckInterval{100};
  py::object m_progress;
  std::uint64_t m_steps = 0;
  std::chrono::steady_clock::time_point m_next_check = std::chrono::steady_clock::now();
};

/// Keeps what `run` returns: the series and the snapshot fields, and drives the hooks.
class RunRecorder : public SimulationObserver {
 public:
  RunRecorder(PythonHooks& hooks, std::vector<std::string> fields)
      : m_hooks(hooks), m_field_names(std::move(fields)) {}

  void on_series(const Simulation&, const SeriesPoint& p) override {
    series.push_back(p);
    m_hooks.at_point(p);
  }
  void on_snapshot(const Simulation& sim, int, bool is_final) override {
    Snapshot s{sim.series_point(), is_final, {}};
    for (const auto& name : m_field_names) s.fields.push_back(snapshot_field(sim, name));
    snapshots.push_back(std::move(s));
  }
  void on_step(const Simulation&) override { m_hooks.after_step(); }

  struct Snapshot {
    SeriesPoint point;
    bool is_final = false;
    std::vector<SnapshotField> fields;
  };
  std::vector<SeriesPoint> series;
  std::vector<Snapshot> snapshots;

 private:
  PythonHooks& m_hooks;
  std::vector<std::string> m_field_names;
};

/// What libstz.run returns.
struct RunResult {
  py::dict series, summary;
  py::list fields;
  py::object output_dir;
  Config config;
};

void check_threads(const std::optional<int>& threads) {
  if (threads && *threads < 1)
    throw ConfigError("threads", std::to_string(*threads), "a positive thread count (or None)");
}

/// The OpenMP thread count of the calling thread for one call (restored afterwards, so a
/// `threads=` argument does not leak into later calls).
class ThreadCount {
 public:
  explicit ThreadCount(const std::optional<int>& threads) : m_previous(max_threads()) {
    check_threads(threads);
    if (threads) set_threads(*threads);
  }
  ~ThreadCount() { set_threads(m_previous); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int m_previous;
};

RunResult run_py(py::handle config_source, py::handle output_dir, py::handle labels,
                 py::handle label_types, double pixel_nm, std::optional<int> threads,
                 py::object progress) {
  const auto start = std::chrono::steady_clock::now();
  check_threads(threads);
  RunConfig config = as_config(config_source);
  std::optional<std::string> directory;
  if (!output_dir.is_none()) {
    directory = py::module_::import("os").attr("fspath")(output_dir).cast<std::string>();
    if (directory->empty())
      throw ConfigError("output_dir", "\"\"", "a directory path (not empty) or None");
    config.output_dir = *directory;  // as `stz run -o DIR`
  }
  const StructureMap structure = structure_for(config, labels, label_types, pixel_nm);
  PythonHooks hooks(std::move(progress));
  RunRecorder recorder(hooks, config.sim.output.fields);
  RunSummary summary;
  {
    py::gil_scoped_release release;
    const ThreadCount thread_count(threads);
    Simulation sim(config.sim, structure);
    std::optional<RunWriter> writer;
    std::vector<SimulationObserver*> observers;
    if (directory) {
      writer.emplace(*directory, config, resolved_config_yaml(config));
      observers.push_back(&*writer);
    }
    observers.push_back(&recorder);
    sim.run(observers);
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (writer) {
      writer->finish(sim, wall_s);
      summary = writer->summary();
    } else {
      summary = summarize_run(sim, recorder.series, wall_s);
    }
  }
  RunResult r;
  r.series = series_dict(recorder.series);
  r.summary = summary_dict(summary, recorder.series.size());
  for (const auto& s : recorder.snapshots) {
    py::dict d;
    for (const auto& f : s.fields) d[py::str(f.name)] = field_array(f);
    d["strain"] = s.point.strain_eng;
    d["strain_true"] = s.point.strain_true;
    d["time_s"] = s.point.time_s;
    d["events"] = s.point.events;
    d["is_final"] = s.is_final;
    r.fields.append(d);
  }
  r.output_dir = directory ? py::object(py::str(*directory)) : py::object(py::none());
  r.config = Config{config};
  return r;
}

// ---------------------------------------------------------------------------------------------
// Simulation with step control

const std::vector<std::string>& field_names() {
  static const std::vector<std::string> names{"von_mises_plastic", "von_mises_total", "free_volume",
                                              "cfv_largest",       "stz_type",        "domain_id",
                                              "stress_GPa",        "plastic_strain"};
  return names;
}

/// Python class libstz.Simulation: a Simulation plus its series, recorded at the strains
/// Simulation::run records them (so stepping to the end gives the series of `run`).
class PySimulation {
 public:
  PySimulation(py::handle config_source, py::handle labels, py::handle label_types, double pixel_nm,
               std::optional<int> threads)
      : m_config(as_config(config_source)), m_threads(threads) {
    check_threads(threads);
    const StructureMap structure = structure_for(m_config, labels, label_types, pixel_nm);
    py::gil_scoped_release release;
    const ThreadCount thread_count(m_threads);
    m_sim = std::make_unique<Simulation>(m_config.sim, structure);
    m_series.push_back(m_sim->series_point());
    m_last_stats = stats_index();
  }

  /// Up to n steps; false when max_strain is reached.
  bool step(std::int64_t n) {
    if (n < 0) throw ConfigError("n", std::to_string(n), "a step count >= 0");
    const Busy guard = busy(Busy::write);
    PythonHooks hooks{py::none()};
    py::gil_scoped_release release;
    const ThreadCount thread_count(m_threads);
    for (std::int64_t i = 0; i < n; ++i) {
      if (!advance(hooks)) return false;
    }
    return !at_end();
  }

  void run_to(double strain, py::object progress) {
    const double max_strain = m_config.sim.loading.max_strain;
    if (!std::isfinite(strain) || strain > max_strain * (1 + 1e-12))
      throw ConfigError("strain", to_display(strain),
                        "a control strain <= loading.max_strain = " + to_display(max_strain));
    const Busy guard = busy(Busy::write);
    PythonHooks hooks(std::move(progress));
    py::gil_scoped_release release;
    const ThreadCount thread_count(m_threads);
    const double slack = kStrainSlack * m_config.sim.output.stats_every_strain;
    while (m_sim->control_strain() < strain - slack)
      if (!advance(hooks)) break;
  }

  py::dict series() const {
    const Busy guard = busy(Busy::read);
    return series_dict(m_series);
  }
  py::dict point() const {
    const Busy guard = busy(Busy::read);
    py::gil_scoped_release release;
    const SeriesPoint p = m_sim->series_point();
    py::gil_scoped_acquire gil;
    return point_dict(p);
  }
  py::array field(const std::string& name) const {
    if (std::find(field_names().begin(), field_names().end(), name) == field_names().end()) {
      std::string allowed;
      for (const auto& n : field_names()) allowed += (allowed.empty() ? "" : ", ") + n;
      throw ConfigError("field", name, "one of " + allowed);
    }
    const Busy guard = busy(Busy::read);
    std::optional<SnapshotField> f;
    {
      py::gil_scoped_release release;
      const ThreadCount thread_count(m_threads);
      f = snapshot_field(*m_sim, name);
    }
    return field_array(*f);
  }
  const Simulation& sim() const { return *m_sim; }
  const RunConfig& config() const { return m_config; }
  bool at_end() const {
    return m_sim->control_strain() >=
           m_config.sim.loading.max_strain - kStrainSlack * m_config.sim.output.stats_every_strain;
  }

 private:
  // Same slack as Simulation::run: strain points closer than this count as reached.
  static constexpr double kStrainSlack = 1e-9;

  /// Marks the simulation as in use while the GIL is released. A second thread is refused;
  /// the running thread itself (a progress callback) may read the state between steps but not
  /// step it.
  class Busy {
   public:
    enum Access { read, write };
    Busy(std::mutex& mutex, std::thread::id& owner, Access access)
        : m_mutex(mutex), m_owner(owner) {
      std::lock_guard<std::mutex> lock(m_mutex);
      const auto self = std::this_thread::get_id();
      if (m_owner == std::thread::id()) {
        m_owner = self;
        m_owns = true;
      } else if (m_owner != self) {
        throw std::runtime_error("libstz.Simulation is in use by another thread");
      } else if (access == write) {
        throw std::runtime_error(
            "libstz.Simulation cannot be stepped from its own progress callback");
      }
    }
    ~Busy() {
      if (!m_owns) return;
      std::lock_guard<std::mutex> lock(m_mutex);
      m_owner = std::thread::id();
    }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    std::mutex& m_mutex;
    std::thread::id& m_owner;
    bool m_owns = false;
  };
  Busy busy(Busy::Access access) const { return Busy(m_busy_mutex, m_owner, access); }

  long stats_index() const {
    const double dstat = m_config.sim.output.stats_every_strain;
    return static_cast<long>(std::floor((m_sim->control_strain() + kStrainSlack * dstat) / dstat));
  }

  /// One step, recording the series point when Simulation::run would.
  bool advance(PythonHooks& hooks) {
    if (!m_sim->step()) return false;
    hooks.after_step();
    const long k = stats_index();
    if (k > m_last_stats || at_end()) {
      m_last_stats = k;
      m_series.push_back(m_sim->series_point());
      hooks.at_point(m_series.back());
    }
    return true;
  }

  RunConfig m_config;
  std::optional<int> m_threads;
  std::unique_ptr<Simulation> m_sim;
  std::vector<SeriesPoint> m_series;
  long m_last_stats = 0;
  mutable std::mutex m_busy_mutex;
  mutable std::thread::id m_owner;
};

}  // namespace
}  // namespace stz::python

PYBIND11_MODULE(libstz, m) {
  using namespace stz;
  using namespace stz::python;
  m.doc() =
      "libstz: mesoscale shear-transformation-zone dynamics of metallic glasses "
      "(docs/python.md).";
  m.attr("__version__") = std::string(version_string());
  m.attr("git_commit") = std::string(git_commit());

  // Errors: bad input is a ValueError with the library's one-line message.
  static py::exception<ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::handle io_error = [&] {
    py::tuple bases = py::make_tuple(py::handle(PyExc_OSError), py::handle(PyExc_ValueError));
    PyObject* type = PyErr_NewException("libstz.IoError", bases.ptr(), nullptr);
    if (!type) throw py::error_already_set();
    m.add_object("IoError", py::handle(type));
    return py::handle(type);
  }();
  static py::exception<NumericalError> numerical_error(m, "NumericalError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const IoError& e) {
      PyErr_SetString(io_error.ptr(), e.what());
    } catch (const NumericalError& e) {
      PyErr_SetString(numerical_error.ptr(), e.what());
    }
  });
  m.attr("ConfigError").attr("__doc__") =
      "Bad config value: the message names the dotted key, the value and what is allowed.";
  m.attr("IoError").attr("__doc__") =
      "A file could not be read or written, or a YAML syntax error (file, line, column).";

  py::class_<Config>(m, "Config", "A validated run configuration (see load_config).")
      .def_property_readonly(
          "yaml", [](const Config& c) { return resolved_config_yaml(c.run); },
          "The fully resolved config as YAML (what `stz check` prints and run.h5 stores).")
      .def(
          "to_dict",
          [](const Config& c) { return yaml_to_python(YAML::Load(resolved_config_yaml(c.run))); },
          "The resolved config as nested dicts (load_config of it gives the same config).")
      .def_property_readonly("seed", [](const Config& c) { return c.run.sim.seed; })
      .def_property_readonly("output_dir", [](const Config& c) { return c.run.output_dir; })
      .def_property_readonly("max_strain",
                             [](const Config& c) { return c.run.sim.loading.max_strain; })
      .def_property_readonly("grid_shape", [](const Config& c) { return c.run.sim.grid.shape; })
      .def_property_readonly(
          "fields", [](const Config& c) { return c.run.sim.output.fields; },
          "Snapshot fields the run records (output.fields).")
      .def("__eq__",
           [](const Config& a, const Config& b) {
             return resolved_config_yaml(a.run) == resolved_config_yaml(b.run);
           })
      .def("__repr__", [](const Config& c) {
        std::string shape;
        for (auto n : c.run.sim.grid.shape)
          shape += (shape.empty() ? "" : ", ") + std::to_string(n);
        return "libstz.Config(grid.shape=[" + shape +
               "], run.seed=" + std::to_string(c.run.sim.seed) +
               ", loading.max_strain=" + to_display(c.run.sim.loading.max_strain) + ")";
      });

  m.def("load_config", &load_config_py, "source"_a, "overrides"_a = py::none(),
        R"(Loads and validates a config: a YAML file path, a dict with the YAML's structure, or a
Config. `overrides` are applied first, like `stz run --set`: a dict {"dotted.key": value} (a str
value is YAML text exactly as after `--set key=`; other values are converted) or a list of
"key=value" strings. Raises ConfigError / IoError (both ValueError) with the CLI's one-line
message.)");

  py::class_<RunResult>(m, "Result", "What run() returns.")
      .def_readonly("series", &RunResult::series,
                    "dict of numpy arrays, named and typed as /series in run.h5")
      .def_readonly("summary", &RunResult::summary, "dict, the /summary attributes of run.h5")
      .def_readonly("fields", &RunResult::fields,
                    "list of snapshots: dicts of numpy arrays (output.fields) plus strain, "
                    "strain_true, time_s, events, is_final")
      .def_readonly("output_dir", &RunResult::output_dir, "where the files went, or None")
      .def_readonly("config", &RunResult::config)
      .def("__repr__", [](const RunResult& r) {
        return "libstz.Result(" + std::to_string(py::len(r.series["strain_eng"])) +
               " series points, " + std::to_string(py::len(r.fields)) + " snapshots, peak " +
               py::str(r.summary["peak_stress_GPa"]).cast<std::string>() + " GPa)";
      });

  m.def("run", &run_py, "config"_a, "output_dir"_a = py::none(), py::kw_only(),
        "labels"_a = py::none(), "label_types"_a = py::none(), "pixel_nm"_a = 0.0,
        "threads"_a = py::none(), "progress"_a = py::none(),
        R"(Runs one simulation to loading.max_strain and returns a Result. With output_dir the
run writes the files of `stz run -o output_dir` (run.h5, run.xdmf, series.csv). `labels` (an
integer array (nx, ny[, nz]) in the grid's index order) with `label_types` {label: type name}
gives the structure map, checked and resampled like an imported mro.map (pixel_nm as
mro.map.pixel_nm). `threads`: OpenMP threads (default: OpenMP's). `progress(point)` is called
with a dict at every series point. The GIL is released while simulating; Ctrl-C raises
KeyboardInterrupt between two kMC steps and leaves no run.h5.)");

  py::class_<PySimulation>(m, "Simulation",
                           "A simulation under step control; the series is recorded at the "
                           "strains run() records it.")
      .def(py::init<py::handle, py::handle, py::handle, double, std::optional<int>>(), "config"_a,
           py::kw_only(), "labels"_a = py::none(), "label_types"_a = py::none(), "pixel_nm"_a = 0.0,
           "threads"_a = py::none())
      .def("step", &PySimulation::step, "n"_a = 1,
           "Up to n kMC steps (event, athermal event or null step); False once max_strain is "
           "reached.")
      .def("run_to", &PySimulation::run_to, "strain"_a, "progress"_a = py::none(),
           "Steps until the control (engineering) strain reaches `strain` (<= max_strain).")
      .def(
          "run",
          [](PySimulation& s, py::object progress) {
            s.run_to(s.config().sim.loading.max_strain, std::move(progress));
          },
          "progress"_a = py::none(), "Steps to loading.max_strain.")
      .def_property_readonly("series", &PySimulation::series,
                             "The series so far: dict of numpy arrays as in run.h5.")
      .def_property_readonly("point", &PySimulation::point,
                             "The current series point as a dict (computes the CFV clusters).")
      .def("field", &PySimulation::field, "name"_a,
           "A snapshot field of the current state (any name output.fields allows).")
      .def(
          "stress", [](const PySimulation& s) { return s.field("stress_GPa"); },
          "Total stress, GPa: (nx, ny[, nz], 6) Voigt xx yy zz yz xz xy.")
      .def(
          "plastic_strain", [](const PySimulation& s) { return s.field("plastic_strain"); },
          "Plastic eigenstrain: (nx, ny[, nz], 6), tensor shears.")
      .def(
          "free_volume", [](const PySimulation& s) { return s.field("free_volume"); },
          "Permanent free volume xi_p (fraction of a voxel): (nx, ny[, nz]).")
      .def_property_readonly(
          "strain", [](const PySimulation& s) { return s.sim().control_strain(); },
          "Control strain (engineering).")
      .def_property_readonly("time_s", [](const PySimulation& s) { return s.sim().time_s(); })
      .def_property_readonly("events", [](const PySimulation& s) { return s.sim().events(); })
      .def_property_readonly("athermal_events",
                             [](const PySimulation& s) { return s.sim().athermal_events(); })
      .def_property_readonly("done", &PySimulation::at_end, "True once max_strain is reached.")
      .def_property_readonly("config", [](const PySimulation& s) { return Config{s.config()}; })
      .def_property_readonly("grid_shape",
                             [](const PySimulation& s) { return s.config().sim.grid.shape; });
}
