#include "libstz/io/run_writer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "libstz/analysis/threshold_strain.hpp"
#include "libstz/analysis/von_mises.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/version.hpp"
#include "libstz/io/provenance.hpp"

namespace stz {
namespace {

constexpr std::int64_t kFormatVersion = 1;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// One /series column: name, units, description and how to read it from a SeriesPoint.
struct SeriesColumn {
  const char* name;
  const char* units;
  const char* description;
  enum Kind { real, integer, flag } kind;
  double (*real_value)(const SeriesPoint&);
  std::int64_t (*integer_value)(const SeriesPoint&);
};

const std::vector<SeriesColumn>& series_columns() {
  using P = const SeriesPoint&;
  static const std::vector<SeriesColumn> columns{
      {"time_s", "s", "simulated time", SeriesColumn::real, [](P p) { return p.time_s; }, nullptr},
      {"strain_eng", "1", "control strain (engineering; engineering shear in shear)",
       SeriesColumn::real, [](P p) { return p.strain_eng; }, nullptr},
      {"strain_true", "1", "true strain: ln(1+e) tension, -ln(1-e) compression, e in shear",
       SeriesColumn::real, [](P p) { return p.strain_true; }, nullptr},
      {"stress_GPa", "GPa", "mean axial (or shear) stress", SeriesColumn::real,
       [](P p) { return p.stress_GPa; }, nullptr},
      {"plastic_strain", "1", "mean plastic eigenstrain along the loading", SeriesColumn::real,
       [](P p) { return p.plastic_strain; }, nullptr},
      {"events", "1", "STZ events so far (thermal and athermal)", SeriesColumn::integer, nullptr,
       [](P p) { return p.events; }},
      {"athermal_events", "1", "athermal (Q <= 0) events so far", SeriesColumn::integer, nullptr,
       [](P p) { return p.athermal_events; }},
      {"null_steps", "1", "loading-only kMC steps so far", SeriesColumn::integer, nullptr,
       [](P p) { return p.null_steps; }},
      {"free_volume_mean", "1", "mean free volume xi_p + xi_t (fraction of a voxel)",
       SeriesColumn::real, [](P p) { return p.free_volume_mean; }, nullptr},
      {"cfv_max_nm3", "nm^3", "largest connected-free-volume cluster, voxel volume",
       SeriesColumn::real, [](P p) { return p.cfv_max_nm3; }, nullptr},
      {"cfv_max_free_volume_nm3", "nm^3", "largest CFV cluster, summed free volume",
       SeriesColumn::real, [](P p) { return p.cfv_max_free_volume_nm3; }, nullptr},
      {"cfv_spanning", "1", "1 when the largest CFV cluster spans the periodic box",
       SeriesColumn::flag, nullptr, [](P p) { return std::int64_t{p.cfv_spanning ? 1 : 0}; }},
      {"cfv_crossing", "1",
       "1 when the largest CFV cluster occupies every voxel layer along some axis (crosses the "
       "box)",
       SeriesColumn::flag, nullptr, [](P p) { return std::int64_t{p.cfv_crossing ? 1 : 0}; }},
  };
  return columns;
}

/// Per snapshot field: units and description.
struct FieldInfo {
  const char* units;
  const char* description;
};

FieldInfo field_info(const std::string& name) {
  if (name == "von_mises_plastic")
    return {"1", "von Mises equivalent shear strain of the plastic eigenstrain"};
  if (name == "von_mises_total")
    return {"1", "von Mises equivalent shear strain of the total strain"};
  if (name == "free_volume") return {"1", "permanent free volume xi_p (fraction of a voxel)"};
  if (name == "cfv_largest") return {"1", "1 in the largest connected-free-volume cluster"};
  if (name == "stz_type") return {"1", "STZ type index (names: root attribute stz_type_names)"};
  if (name == "domain_id") return {"1", "MRO domain id, -1 for matrix voxels"};
  if (name == "stress_GPa") return {"GPa", "total stress, Voigt xx yy zz yz xz xy"};
  if (name == "plastic_strain")
    return {"1", "plastic eigenstrain, Voigt xx yy zz yz xz xy, tensor shears"};
  throw InternalError("RunWriter: unknown snapshot field " + name);
}

bool is_tensor_field(const std::string& name) {
  return name == "stress_GPa" || name == "plastic_strain";
}

/// XDMF number type of a field's HDF5 dataset.
std::string xdmf_number_type(const std::string& name) {
  if (name == "cfv_largest") return R"(NumberType="Char" Precision="1")";
  if (name == "stz_type" || name == "domain_id") return R"(NumberType="Int" Precision="4")";
  return R"(NumberType="Float" Precision="8")";
}

std::vector<std::size_t> field_dims(const Grid& grid) {
  std::vector<std::size_t> dims;
  for (int a = 0; a < grid.dimension(); ++a)
    dims.push_back(static_cast<std::size_t>(grid.extent(a)));
  return dims;
}

std::string dims_text(const std::vector<std::size_t>& dims) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) out += ' ';
    out += std::to_string(dims[i]);
  }
  return out;
}

/// Shortest text that reads back as the same double.
std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

std::vector<double> tensor_rows(const TensorField& field) {
  std::vector<double> out(field.voxels() * kVoigtSize);
  for (int v = 0; v < kVoigtSize; ++v) {
    const auto component = field.component(v);
    for (std::size_t i = 0; i < component.size(); ++i)
      out[i * kVoigtSize + static_cast<std::size_t>(v)] = component[i];
  }
  return out;
}

}  // namespace

RunSummary summarize_run(const Simulation& sim, const std::vector<SeriesPoint>& series,
                         double wall_s) {
  RunSummary s;
  const SeriesPoint last = sim.series_point();
  s.peak_stress_GPa = kNaN;
  s.strain_at_peak = kNaN;
  std::size_t peak_index = 0;
  for (std::size_t i = 0; i < series.size(); ++i)
    if (!(series[i].stress_GPa <= s.peak_stress_GPa)) {
      s.peak_stress_GPa = series[i].stress_GPa;
      s.strain_at_peak = series[i].strain_true;
      peak_index = i;
    }
  s.peak_is_final = series.size() > 1 && peak_index + 1 == series.size();
  s.complete = !sim.stopped();
  s.threshold_strain = kNaN;
  s.threshold_strain_raw = kNaN;
  s.censored = false;
  s.percolated = false;
  s.percolation_strain = kNaN;
  if (!series.empty()) {
    std::vector<double> strain, cfv;
    std::vector<std::uint8_t> spans;
    const auto& cp = sim.params().cfv;
    for (const auto& p : series) {
      strain.push_back(p.strain_true);
      cfv.push_back(p.cfv_max_nm3);
      spans.push_back(
          (cp.percolation == PercolationCriterion::wraps ? p.cfv_spanning : p.cfv_crossing) ? 1
                                                                                            : 0);
    }
    const PercolationAnalysis a =
        analyse_percolation(strain, cfv, spans, cp.min_percolation_nm3, cp.smoothing_window,
                            static_cast<std::size_t>(cp.resample_points));
    s.threshold_strain = a.threshold.smoothed;
    s.threshold_strain_raw = a.threshold.raw;
    s.censored = a.threshold.censored;
    s.percolated = a.percolated;
    s.percolation_strain = a.percolation_strain;
  }
  s.events_total = sim.events();
  s.athermal_events_total = sim.athermal_events();
  s.null_steps_total = last.null_steps;
  s.wall_s = wall_s;
  s.max_drift = sim.max_drift();
  const auto& avalanches = sim.avalanche_sizes();
  s.avalanche_count = static_cast<std::int64_t>(avalanches.size());
  s.avalanche_max =
      avalanches.empty() ? 0 : *std::max_element(avalanches.begin(), avalanches.end());
  s.final_strain = last.strain_eng;
  s.final_strain_true = last.strain_true;
  s.final_stress_GPa = last.stress_GPa;
  s.cfv_max_nm3_final = last.cfv_max_nm3;
  s.cfv_spanning_final = last.cfv_spanning;
  return s;
}

std::vector<SummaryValue> summary_values(const RunSummary& s, std::size_t series_points) {
  return {
      {"peak_stress_GPa", s.peak_stress_GPa},
      {"strain_at_peak", s.strain_at_peak},
      {"threshold_strain", s.threshold_strain},
      {"threshold_strain_raw", s.threshold_strain_raw},
      {"censored", std::int64_t{s.censored ? 1 : 0}},
      {"percolated", std::int64_t{s.percolated ? 1 : 0}},
      {"percolation_strain", s.percolation_strain},
      {"events_total", s.events_total},
      {"athermal_events_total", s.athermal_events_total},
      {"null_steps_total", s.null_steps_total},
      {"wall_s", s.wall_s},
      {"max_drift", s.max_drift},
      {"avalanche_count", s.avalanche_count},
      {"avalanche_max", s.avalanche_max},
      {"final_strain", s.final_strain},
      {"final_strain_true", s.final_strain_true},
      {"final_stress_GPa", s.final_stress_GPa},
      {"cfv_max_nm3_final", s.cfv_max_nm3_final},
      {"cfv_spanning_final", std::int64_t{s.cfv_spanning_final ? 1 : 0}},
      {"series_points", static_cast<std::int64_t>(series_points)},
      {"peak_is_final", std::int64_t{s.peak_is_final ? 1 : 0}},
  };
}

std::vector<SeriesColumnValues> series_table(const std::vector<SeriesPoint>& series) {
  std::vector<SeriesColumnValues> table;
  for (const auto& col : series_columns()) {
    SeriesColumnValues c{col.name, col.units, col.description, {}};
    if (col.kind == SeriesColumn::real) {
      std::vector<double> v;
      for (const auto& p : series) v.push_back(col.real_value(p));
      c.values = std::move(v);
    } else if (col.kind == SeriesColumn::integer) {
      std::vector<std::int64_t> v;
      for (const auto& p : series) v.push_back(col.integer_value(p));
      c.values = std::move(v);
    } else {
      std::vector<std::int8_t> v;
      for (const auto& p : series) v.push_back(static_cast<std::int8_t>(col.integer_value(p)));
      c.values = std::move(v);
    }
    table.push_back(std::move(c));
  }
  return table;
}

SnapshotField snapshot_field(const Simulation& sim, const std::string& name) {
  const FieldInfo info = field_info(name);
  SnapshotField f{name, info.units, info.description, field_dims(sim.grid()), {}};
  const Grid& grid = sim.grid();
  const StzModel& model = sim.model();
  if (is_tensor_field(name)) f.dims.push_back(kVoigtSize);
  if (name == "von_mises_plastic") {
    const ScalarField v = von_mises_field(grid, sim.plastic_strain());
    f.values = std::vector<double>(v.component(0).begin(), v.component(0).end());
  } else if (name == "von_mises_total") {
    const ScalarField v = von_mises_field(grid, sim.total_strain());
    f.values = std::vector<double>(v.component(0).begin(), v.component(0).end());
  } else if (name == "free_volume") {
    const auto& v = model.permanent_free_volume();
    f.values = std::vector<double>(v.begin(), v.end());
  } else if (name == "cfv_largest") {
    const CfvClusters cfv = sim.cfv_clusters();
    f.values = std::vector<std::int8_t>(cfv.largest_mask.begin(), cfv.largest_mask.end());
  } else if (name == "stz_type") {
    const auto& types = model.site_types();
    f.values = std::vector<std::int32_t>(types.begin(), types.end());
  } else if (name == "domain_id") {
    const auto& domains = model.site_domains();
    f.values = std::vector<std::int32_t>(domains.begin(), domains.end());
  } else if (name == "stress_GPa") {
    f.values = tensor_rows(sim.stress());
  } else if (name == "plastic_strain") {
    f.values = tensor_rows(sim.plastic_strain());
  }
  return f;
}

std::filesystem::path RunWriter::hdf5_path(const std::filesystem::path& output_dir) {
  return output_dir / "run.h5";
}
std::filesystem::path RunWriter::xdmf_path(const std::filesystem::path& output_dir) {
  return output_dir / "run.xdmf";
}
std::filesystem::path RunWriter::csv_path(const std::filesystem::path& output_dir) {
  return output_dir / "series.csv";
}

RunWriter::RunWriter(const std::filesystem::path& output_dir, const RunConfig& config,
                     std::string resolved_yaml)
    : m_dir(output_dir),
      m_fields(config.sim.output.fields),
      m_h5((remove_stale_temporaries(output_dir), hdf5_path(output_dir))) {
  for (const auto& f : m_fields) field_info(f);  // unknown names are a bug upstream
  const auto& shape = config.sim.grid.shape;
  std::vector<std::int64_t> grid_shape(shape.begin(), shape.end());
  std::string type_names;
  for (const auto& t : config.sim.model.types) {
    if (!type_names.empty()) type_names += ',';
    type_names += t.name;
  }
  m_h5.attribute("/", "format", std::string("libstz-run"));
  m_h5.attribute("/", "format_version", kFormatVersion);
  m_h5.attribute("/", "config", resolved_yaml);
  m_h5.attribute("/", "version", std::string(version_string()));
  m_h5.attribute("/", "git_commit", std::string(git_commit()));
  m_h5.attribute("/", "build_flags", std::string(build_flags()));
  m_h5.attribute("/", "seed", static_cast<std::uint64_t>(config.sim.seed));
  m_h5.attribute("/", "dimension", static_cast<std::int64_t>(shape.size()));
  m_h5.attribute("/", "grid_shape", std::span<const std::int64_t>(grid_shape));
  m_h5.attribute("/", "voxel_nm", config.sim.grid.voxel_nm);
  m_h5.attribute("/", "stz_type_names", type_names);
  for (const auto& [name, value] : provenance(config)) m_h5.attribute("/", name, value);
  m_h5.create_group("/fields");
}

RunWriter::~RunWriter() = default;

void RunWriter::on_series(const Simulation&, const SeriesPoint& point) {
  m_series.push_back(point);
}

void RunWriter::on_snapshot(const Simulation& sim, int /*index*/, bool is_final) {
  STZ_REQUIRE(!m_finished, "RunWriter: snapshot after finish()");
  const SeriesPoint p = sim.series_point();
  const std::string group = "/fields/" + std::to_string(m_snapshots.size());
  m_h5.create_group(group);
  m_h5.attribute(group, "strain", p.strain_eng);
  m_h5.attribute(group, "strain_true", p.strain_true);
  m_h5.attribute(group, "is_final", std::int64_t{is_final ? 1 : 0});
  m_h5.attribute(group, "time_s", p.time_s);
  m_h5.attribute(group, "events", p.events);
  m_h5.attribute(group, "stress_GPa", p.stress_GPa);
  write_fields(sim, group);
  m_snapshots.push_back({p.strain_eng, p.strain_true, p.time_s, is_final});
}

void RunWriter::write_fields(const Simulation& sim, const std::string& group) {
  for (const auto& name : m_fields) {
    const std::string path = group + "/" + name;
    const SnapshotField f = snapshot_field(sim, name);
    std::visit([&](const auto& v) { m_h5.write(path, std::span(v), f.dims); }, f.values);
    m_h5.attribute(path, "units", f.units);
    m_h5.attribute(path, "description", f.description);
    if (is_tensor_field(name))
      m_h5.attribute(path, "components", std::string("xx yy zz yz xz xy (tensor shears)"));
  }
}

void RunWriter::finish(const Simulation& sim, double wall_s) {
  STZ_REQUIRE(!m_finished, "RunWriter::finish called twice");
  if (m_snapshots.empty() || !m_snapshots.back().is_final)
    on_snapshot(sim, static_cast<int>(m_snapshots.size()), true);
  m_finished = true;

  // Series.
  m_h5.create_group("/series");
  const std::vector<std::size_t> n{m_series.size()};
  for (const auto& col : series_table(m_series)) {
    const std::string path = "/series/" + col.name;
    std::visit([&](const auto& v) { m_h5.write(path, std::span(v), n); }, col.values);
    m_h5.attribute(path, "units", col.units);
    m_h5.attribute(path, "description", col.description);
  }

  // Summary.
  m_summary = summarize_run(sim, m_series, wall_s);
  const std::string g = "/summary";
  m_h5.create_group(g);
  for (const auto& [name, value] : summary_values(m_summary, m_series.size()))
    std::visit([&](auto v) { m_h5.attribute(g, name, v); }, value);
  m_h5.attribute("/", "complete", std::int64_t{m_summary.complete ? 1 : 0});
  m_h5.attribute("/fields", "count", static_cast<std::int64_t>(m_snapshots.size()));

  // Final random-stream states (exact restart points of the streams the simulation exposes).
  m_h5.attribute("/", "rng_state_catalog", sim.model().catalog_rng_state());
  m_h5.attribute("/", "rng_state_kmc", sim.kmc_rng_state());

  m_h5.commit();
  write_text_file_atomically(xdmf_path(m_dir), xdmf_text(sim.grid()));
  write_text_file_atomically(csv_path(m_dir), csv_text());
}

void RunWriter::save_state(StateWriter& out, Hdf5Writer& checkpoint) const {
  const std::string p = "writer/";
  auto reals = [&](const char* name, double (*get)(const SeriesPoint&)) {
    std::vector<double> v;
    for (const auto& x : m_series) v.push_back(get(x));
    out.put(p + name, std::span<const double>(v));
  };
  auto ints = [&](const char* name, std::int64_t (*get)(const SeriesPoint&)) {
    std::vector<std::int64_t> v;
    for (const auto& x : m_series) v.push_back(get(x));
    out.put(p + name, std::span<const std::int64_t>(v));
  };
  using P = const SeriesPoint&;
  reals("time_s", [](P x) { return x.time_s; });
  reals("strain_eng", [](P x) { return x.strain_eng; });
  reals("strain_true", [](P x) { return x.strain_true; });
  reals("stress_GPa", [](P x) { return x.stress_GPa; });
  reals("plastic_strain", [](P x) { return x.plastic_strain; });
  ints("events", [](P x) { return x.events; });
  ints("athermal_events", [](P x) { return x.athermal_events; });
  ints("null_steps", [](P x) { return x.null_steps; });
  reals("free_volume_mean", [](P x) { return x.free_volume_mean; });
  reals("cfv_max_nm3", [](P x) { return x.cfv_max_nm3; });
  reals("cfv_max_free_volume_nm3", [](P x) { return x.cfv_max_free_volume_nm3; });
  ints("cfv_spanning", [](P x) { return std::int64_t{x.cfv_spanning}; });
  ints("cfv_crossing", [](P x) { return std::int64_t{x.cfv_crossing}; });
  std::vector<double> snapshots;
  for (const auto& s : m_snapshots) {
    STZ_REQUIRE(!s.is_final, "RunWriter: checkpoint after the final snapshot");
    snapshots.insert(snapshots.end(), {s.strain, s.strain_true, s.time_s});
  }
  out.put(p + "snapshots", std::span<const double>(snapshots));
  for (std::size_t k = 0; k < m_snapshots.size(); ++k)
    checkpoint.copy_from(m_h5, "/fields/" + std::to_string(k), "/fields/" + std::to_string(k));
}

void RunWriter::restore_state(const StateReader& in, const Hdf5Reader& checkpoint) {
  STZ_REQUIRE(m_series.empty() && m_snapshots.empty(), "RunWriter: restore into a used writer");
  const std::string p = "writer/";
  const std::vector<double> time = in.doubles(p + "time_s");
  const std::size_t n = time.size();
  const auto eng = in.doubles(p + "strain_eng", n), tru = in.doubles(p + "strain_true", n),
             stress = in.doubles(p + "stress_GPa", n), plastic = in.doubles(p + "plastic_strain", n),
             fv = in.doubles(p + "free_volume_mean", n), cfv = in.doubles(p + "cfv_max_nm3", n),
             cfv_fv = in.doubles(p + "cfv_max_free_volume_nm3", n);
  const auto events = in.integers(p + "events", n), athermal = in.integers(p + "athermal_events", n),
             nulls = in.integers(p + "null_steps", n), spans = in.integers(p + "cfv_spanning", n),
             crosses = in.integers(p + "cfv_crossing", n);
  for (std::size_t i = 0; i < n; ++i)
    m_series.push_back({time[i], eng[i], tru[i], stress[i], plastic[i], events[i], athermal[i],
                        nulls[i], fv[i], cfv[i], cfv_fv[i], spans[i] != 0, crosses[i] != 0});
  const std::vector<double> snapshots = in.doubles(p + "snapshots");
  if (snapshots.size() % 3 != 0) throw Error("checkpoint entry writer/snapshots is malformed");
  for (std::size_t k = 0; k < snapshots.size() / 3; ++k) {
    const std::string group = "/fields/" + std::to_string(k);
    m_h5.copy_from(checkpoint, group, group);
    m_snapshots.push_back({snapshots[3 * k], snapshots[3 * k + 1], snapshots[3 * k + 2], false});
  }
}

std::vector<std::filesystem::path> run_folder_files(const std::filesystem::path& output_dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  std::filesystem::directory_iterator it(output_dir, ec), end;
  if (ec) return files;
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    const bool plot = name == "stress_strain.png" || name == "cfv_strain.png" ||
                      (name.starts_with("fields_") && name.ends_with(".png"));
    if (name == "run.h5" || name == "run.xdmf" || name == "series.csv" || name == "run.log" ||
        name == "checkpoint.h5" || plot)
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void clear_run_folder(const std::filesystem::path& output_dir) {
  for (const auto& f : run_folder_files(output_dir)) {
    std::error_code ec;
    std::filesystem::remove(f, ec);
    if (ec) throw IoError("cannot remove " + f.string() + " of the previous run: " + ec.message());
  }
  remove_stale_temporaries(output_dir);
}

std::optional<RunSummary> read_complete_run(const std::filesystem::path& output_dir,
                                            const std::string& resolved_yaml) {
  const auto path = RunWriter::hdf5_path(output_dir);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  try {
    const Hdf5Reader h5(path);
    if (!h5.has_attribute("/", "complete") || h5.attribute_integer("/", "complete") != 1 ||
        h5.attribute_string("/", "config") != resolved_yaml)
      return std::nullopt;
    const std::string g = "/summary";
    RunSummary s;
    s.peak_stress_GPa = h5.attribute_double(g, "peak_stress_GPa");
    s.strain_at_peak = h5.attribute_double(g, "strain_at_peak");
    s.threshold_strain = h5.attribute_double(g, "threshold_strain");
    s.threshold_strain_raw = h5.attribute_double(g, "threshold_strain_raw");
    s.events_total = h5.attribute_integer(g, "events_total");
    s.athermal_events_total = h5.attribute_integer(g, "athermal_events_total");
    s.null_steps_total = h5.attribute_integer(g, "null_steps_total");
    s.wall_s = h5.attribute_double(g, "wall_s");
    s.max_drift = h5.attribute_double(g, "max_drift");
    s.avalanche_count = h5.attribute_integer(g, "avalanche_count");
    s.avalanche_max = h5.attribute_integer(g, "avalanche_max");
    s.final_strain = h5.attribute_double(g, "final_strain");
    s.final_strain_true = h5.attribute_double(g, "final_strain_true");
    s.final_stress_GPa = h5.attribute_double(g, "final_stress_GPa");
    s.cfv_max_nm3_final = h5.attribute_double(g, "cfv_max_nm3_final");
    s.cfv_spanning_final = h5.attribute_integer(g, "cfv_spanning_final") != 0;
    s.peak_is_final = h5.attribute_integer(g, "peak_is_final") != 0;
    s.complete = true;
    return s;
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable: run it again
  }
}

std::string RunWriter::xdmf_text(const Grid& grid) const {
  const std::vector<std::size_t> cells = field_dims(grid);
  std::vector<std::size_t> nodes = cells;
  for (auto& d : nodes) ++d;
  const bool planar = grid.dimension() == 2;
  const std::string a = number_text(grid.voxel_nm());
  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n"
    << "<!-- libstz run snapshots: cell-centred fields of run.h5 on the voxel grid (docs/io.md). "
       "XDMF lists axes slowest first, so VTK/ParaView X, Y, Z are the grid's "
    << (planar ? "(none), y, x" : "z, y, x") << ". -->\n"
    << "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
    << "  <Domain>\n"
    << "    <Grid Name=\"snapshots\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  for (std::size_t k = 0; k < m_snapshots.size(); ++k) {
    const Snapshot& snap = m_snapshots[k];
    x << "      <Grid Name=\"snapshot_" << k << "\" GridType=\"Uniform\">\n"
      << "        <Time Value=\"" << number_text(snap.strain) << "\"/>\n"
      << "        <Topology TopologyType=\"" << (planar ? "2DCoRectMesh" : "3DCoRectMesh")
      << "\" Dimensions=\"" << dims_text(nodes) << "\"/>\n"
      << "        <Geometry GeometryType=\"" << (planar ? "ORIGIN_DXDY" : "ORIGIN_DXDYDZ")
      << "\">\n"
      << "          <DataItem Name=\"Origin\" Format=\"XML\" Dimensions=\"" << cells.size()
      << "\" NumberType=\"Float\" Precision=\"8\">" << (planar ? "0 0" : "0 0 0") << "</DataItem>\n"
      << "          <DataItem Name=\"Spacing\" Format=\"XML\" Dimensions=\"" << cells.size()
      << "\" NumberType=\"Float\" Precision=\"8\">"
      << (planar ? a + " " + a : a + " " + a + " " + a) << "</DataItem>\n"
      << "        </Geometry>\n";
    for (const auto& name : m_fields) {
      std::vector<std::size_t> dims = cells;
      if (is_tensor_field(name)) dims.push_back(kVoigtSize);
      x << "        <Attribute Name=\"" << name << "\" AttributeType=\""
        << (is_tensor_field(name) ? "Matrix" : "Scalar") << "\" Center=\"Cell\">\n"
        << "          <DataItem Format=\"HDF\" Dimensions=\"" << dims_text(dims) << "\" "
        << xdmf_number_type(name) << ">run.h5:/fields/" << k << "/" << name << "</DataItem>\n"
        << "        </Attribute>\n";
    }
    x << "      </Grid>\n";
  }
  x << "    </Grid>\n"
    << "  </Domain>\n"
    << "</Xdmf>\n";
  return x.str();
}

std::string RunWriter::csv_text() const {
  std::ostringstream out;
  const auto& columns = series_columns();
  for (std::size_t c = 0; c < columns.size(); ++c)
    out << (c ? "," : "") << columns[c].name << " [" << columns[c].units << "]";
  out << "\n";
  for (const auto& p : m_series) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto& col = columns[c];
      out << (c ? "," : "");
      if (col.kind == SeriesColumn::real)
        out << number_text(col.real_value(p));
      else
        out << col.integer_value(p);
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace stz
