// RunWriter: tiny 2D and 3D runs written to run.h5 / run.xdmf / series.csv and read back —
// provenance attributes, series with units, snapshot fields (dims, values, attributes), summary
// consistency, an XDMF file that parses as XML and points at existing datasets of the right
// shape, and atomicity (a run that throws leaves no run.h5 and keeps an older one intact).
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <expat.h>
#include <gtest/gtest.h>

#include "libstz/analysis/threshold_strain.hpp"
#include "libstz/analysis/von_mises.hpp"
#include "libstz/core/error.hpp"
#include "libstz/core/parallel.hpp"
#include "libstz/core/stop_request.hpp"
#include "libstz/core/version.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "libstz/io/run_writer.hpp"
#include "test_io_support.hpp"

namespace stz {
namespace {

using testing::ScratchDir;

const std::vector<std::string> kAllFields{"von_mises_plastic", "von_mises_total", "free_volume",
                                          "cfv_largest",       "stz_type",        "domain_id",
                                          "stress_GPa",        "plastic_strain"};

// A tiny run: 2D 16×8 or 3D 6×6×6, max strain 0.002, series every 5e-4 (5 points), one
// snapshot at 0.001 plus the final one, every field, 20 % MRO of one 12-mode type. The barriers
// (1.1 eV in 2D, 1.15 eV in 3D; the calibrated 1.5 eV gives no event at this small strain) and
// the free-volume parameters are pinned so that a few thousand events happen in about a second;
// kmc.max_events_per_voxel stops a run-away quickly should the model change.
RunConfig tiny_config(const std::string& shape, double barrier_eV) {
  const std::string b = std::to_string(barrier_eV);
  return parse_config(
      "run: {seed: 11}\n"
      "grid: {shape: " +
      shape +
      "}\n"
      "types: {matrix: {modes: 20, barrier_eV: " +
      b +
      "}, mro_a: {modes: 12, "
      "order: 1.67, barrier_eV: " +
      b +
      "}}\n"
      "free_volume: {permanent_per_event: 0.02, transient_per_event: 0.02, "
      "permanent_max: 0.2, annealing_barrier_eV: 0.85, softening_coefficient: 5.0, "
      "max_barrier_drop: 0.25}\n"
      "mro: {fraction: 0.2, diameter_nm: {mean: 2.0, sd: 0.3}}\n"
      "loading: {max_strain: 0.002}\n"
      "kmc: {max_events_per_voxel: 2000}\n"
      "output: {stats_every_strain: 5.0e-4, snapshots_at_strain: [0.001], "
      "fields: [von_mises_plastic, von_mises_total, free_volume, cfv_largest, "
      "stz_type, domain_id, stress_GPa, plastic_strain]}\n");
}

struct TinyRun {
  RunConfig config;
  std::string yaml;
  std::unique_ptr<Simulation> sim;
  RunSummary summary;
  std::vector<SeriesPoint> series;
};

TinyRun run_tiny(const RunConfig& config, const std::filesystem::path& dir) {
  TinyRun run{config, resolved_config_yaml(config), nullptr, {}, {}};
  run.sim = std::make_unique<Simulation>(config.sim, build_structure(config));
  RunWriter writer(dir, config, run.yaml);
  const auto start = std::chrono::steady_clock::now();
  run.sim->run({&writer});
  writer.finish(*run.sim,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  run.summary = writer.summary();
  run.series = writer.series();
  return run;
}

// ---------------------------------------------------------------------------------------------
// A minimal DOM from expat, enough to walk the XDMF file.

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<std::unique_ptr<XmlElement>> children;
  XmlElement* parent = nullptr;

  std::vector<const XmlElement*> all(const std::string& child_name) const {
    std::vector<const XmlElement*> out;
    for (const auto& c : children)
      if (c->name == child_name) out.push_back(c.get());
    return out;
  }
  const XmlElement& one(const std::string& child_name) const {
    const auto found = all(child_name);
    if (found.size() != 1)
      throw std::runtime_error(name + " has " + std::to_string(found.size()) + " <" + child_name +
                               ">");
    return *found[0];
  }
  std::string attr(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? "" : it->second;
  }
};

std::unique_ptr<XmlElement> parse_xml(const std::string& text) {
  struct State {
    std::unique_ptr<XmlElement> root;
    XmlElement* current = nullptr;
  } state;
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto* s = static_cast<State*>(data);
        auto element = std::make_unique<XmlElement>();
        element->name = name;
        for (int i = 0; attrs[i]; i += 2) element->attributes[attrs[i]] = attrs[i + 1];
        element->parent = s->current;
        XmlElement* raw = element.get();
        if (s->current)
          s->current->children.push_back(std::move(element));
        else
          s->root = std::move(element);
        s->current = raw;
      },
      [](void* data, const XML_Char*) {
        auto* s = static_cast<State*>(data);
        s->current = s->current->parent;
      });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* chars, int length) {
    auto* s = static_cast<State*>(data);
    if (s->current) s->current->text.append(chars, static_cast<std::size_t>(length));
  });
  const bool ok =
      XML_Parse(parser, text.data(), static_cast<int>(text.size()), 1) != XML_STATUS_ERROR;
  const std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
  const auto line = XML_GetCurrentLineNumber(parser);
  XML_ParserFree(parser);
  if (!ok) throw std::runtime_error("XML error at line " + std::to_string(line) + ": " + error);
  return std::move(state.root);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::size_t> parse_dims(const std::string& text) {
  std::vector<std::size_t> dims;
  std::istringstream in(text);
  for (std::size_t d; in >> d;) dims.push_back(d);
  return dims;
}

double parse_double(const std::string& text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  EXPECT_TRUE(ec == std::errc() && end == text.data() + text.size()) << "'" << text << "'";
  return v;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \n\t");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \n\t") - b + 1);
}

// These tests check the files, not threading (results are thread-count independent by design):
// one OpenMP thread keeps a tiny run from waiting at a parallel barrier after every event when
// the machine is shared, which can cost 100x.
class RunWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_threads = max_threads();
    set_threads(1);
  }
  void TearDown() override { set_threads(m_threads); }

 private:
  int m_threads = 1;
};

// ---------------------------------------------------------------------------------------------

void check_run_files(const TinyRun& run, const std::filesystem::path& dir) {
  const Simulation& sim = *run.sim;
  const Grid& grid = sim.grid();
  const std::size_t n = run.series.size();
  ASSERT_EQ(n, 5u);  // strains 0, 5e-4, 1e-3, 1.5e-3, 2e-3
  // Nothing but the three files (no temporaries left behind).
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"run.h5", "run.xdmf", "series.csv"}));

  const Hdf5Reader h5(RunWriter::hdf5_path(dir));
  // Provenance.
  EXPECT_EQ(h5.attribute_string("/", "config"), run.yaml);
  testing::expect_same_config(parse_config(h5.attribute_string("/", "config")), run.config);
  EXPECT_EQ(h5.attribute_string("/", "version"), version_string());
  EXPECT_EQ(h5.attribute_string("/", "git_commit"), git_commit());
  EXPECT_EQ(h5.attribute_integer("/", "seed"), 11);
  EXPECT_EQ(h5.attribute_integer("/", "dimension"), grid.dimension());
  std::vector<std::int64_t> shape(run.config.sim.grid.shape.begin(),
                                  run.config.sim.grid.shape.end());
  EXPECT_EQ(h5.attribute_integers("/", "grid_shape"), shape);
  EXPECT_EQ(h5.attribute_double("/", "voxel_nm"), 1.0);
  EXPECT_EQ(h5.attribute_string("/", "stz_type_names"), "matrix,mro_a");
  EXPECT_EQ(h5.attribute_string("/", "rng_state_catalog"), sim.model().catalog_rng_state());

  // Series: every SeriesPoint member, same length, with units.
  const std::map<std::string, std::string> units{{"time_s", "s"},
                                                 {"strain_eng", "1"},
                                                 {"strain_true", "1"},
                                                 {"stress_GPa", "GPa"},
                                                 {"plastic_strain", "1"},
                                                 {"events", "1"},
                                                 {"athermal_events", "1"},
                                                 {"null_steps", "1"},
                                                 {"free_volume_mean", "1"},
                                                 {"cfv_max_nm3", "nm^3"},
                                                 {"cfv_max_free_volume_nm3", "nm^3"},
                                                 {"cfv_spanning", "1"},
                                                 {"cfv_crossing", "1"}};
  for (const auto& [name, unit] : units) {
    SCOPED_TRACE(name);
    const std::string path = "/series/" + name;
    ASSERT_TRUE(h5.exists(path));
    EXPECT_EQ(h5.dims(path), std::vector<std::size_t>{n});
    EXPECT_EQ(h5.attribute_string(path, "units"), unit);
  }
  EXPECT_EQ(h5.children("/series").size(), units.size());
  const auto events = h5.read_integers("/series/events");
  const auto strain_true = h5.read_doubles("/series/strain_true");
  const auto strain_eng = h5.read_doubles("/series/strain_eng");
  const auto stress = h5.read_doubles("/series/stress_GPa");
  const auto cfv = h5.read_doubles("/series/cfv_max_nm3");
  for (std::size_t k = 0; k < n; ++k) {
    EXPECT_EQ(events[k], run.series[k].events);
    EXPECT_EQ(strain_true[k], run.series[k].strain_true);
    EXPECT_EQ(stress[k], run.series[k].stress_GPa);
    // The series is sampled every 5e-4 of control strain (exactly up to rounding of t·rate).
    EXPECT_NEAR(strain_eng[k], 5e-4 * static_cast<double>(k), 1e-15);
  }

  // Summary.
  const std::string s = "/summary";
  EXPECT_EQ(h5.attribute_integer(s, "events_total"), events.back());
  EXPECT_EQ(h5.attribute_integer(s, "events_total"), sim.events());
  EXPECT_EQ(h5.attribute_integer(s, "athermal_events_total"),
            h5.read_integers("/series/athermal_events").back());
  EXPECT_EQ(h5.attribute_integer(s, "null_steps_total"),
            h5.read_integers("/series/null_steps").back());
  const auto peak = std::max_element(stress.begin(), stress.end());
  EXPECT_EQ(h5.attribute_double(s, "peak_stress_GPa"), *peak);
  EXPECT_EQ(h5.attribute_double(s, "strain_at_peak"),
            strain_true[static_cast<std::size_t>(peak - stress.begin())]);
  std::vector<std::uint8_t> spans;
  for (auto v : h5.read_integers("/series/cfv_crossing")) spans.push_back(v != 0 ? 1 : 0);
  const PercolationAnalysis a = analyse_percolation(strain_true, cfv, spans, 0.0);
  const ThresholdStrain& t = a.threshold;
  auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
  EXPECT_TRUE(same(h5.attribute_double(s, "threshold_strain"), t.smoothed));
  EXPECT_TRUE(same(h5.attribute_double(s, "threshold_strain_raw"), t.raw));
  EXPECT_EQ(h5.attribute_integer(s, "percolated"), a.percolated ? 1 : 0);
  EXPECT_EQ(h5.attribute_integer(s, "censored"), t.censored ? 1 : 0);
  EXPECT_TRUE(same(h5.attribute_double(s, "percolation_strain"), a.percolation_strain));
  EXPECT_EQ(run.summary.percolated, a.percolated);
  EXPECT_EQ(h5.attribute_double(s, "wall_s"), run.summary.wall_s);
  EXPECT_GT(run.summary.wall_s, 0.0);
  EXPECT_EQ(h5.attribute_double(s, "max_drift"), sim.max_drift());
  EXPECT_EQ(h5.attribute_integer(s, "avalanche_count"),
            static_cast<std::int64_t>(sim.avalanche_sizes().size()));
  EXPECT_GE(h5.attribute_integer(s, "avalanche_max"), 0);
  EXPECT_EQ(h5.attribute_double(s, "final_strain"), strain_eng.back());
  EXPECT_EQ(h5.attribute_double(s, "final_stress_GPa"), stress.back());
  EXPECT_EQ(h5.attribute_double(s, "cfv_max_nm3_final"), cfv.back());
  EXPECT_EQ(h5.attribute_integer(s, "cfv_spanning_final"),
            h5.read_integers("/series/cfv_spanning").back());
  EXPECT_EQ(h5.attribute_integer(s, "series_points"), static_cast<std::int64_t>(n));

  // Snapshots: /fields/0 at 0.001, /fields/1 the final one at 0.002.
  EXPECT_EQ(h5.attribute_integer("/fields", "count"), 2);
  EXPECT_EQ(h5.children("/fields"), (std::vector<std::string>{"0", "1"}));
  EXPECT_NEAR(h5.attribute_double("/fields/0", "strain"), 0.001, 1e-15);
  EXPECT_EQ(h5.attribute_integer("/fields/0", "is_final"), 0);
  EXPECT_NEAR(h5.attribute_double("/fields/1", "strain"), 0.002, 1e-15);
  EXPECT_EQ(h5.attribute_double("/fields/1", "strain_true"), strain_true.back());
  EXPECT_EQ(h5.attribute_integer("/fields/1", "is_final"), 1);
  std::vector<std::size_t> dims;
  for (int a = 0; a < grid.dimension(); ++a)
    dims.push_back(static_cast<std::size_t>(grid.extent(a)));
  std::vector<std::size_t> tensor_dims = dims;
  tensor_dims.push_back(6);
  for (const auto& name : kAllFields) {
    SCOPED_TRACE(name);
    for (const char* group : {"/fields/0/", "/fields/1/"}) {
      const std::string path = group + name;
      ASSERT_TRUE(h5.exists(path));
      const bool tensor = name == "stress_GPa" || name == "plastic_strain";
      EXPECT_EQ(h5.dims(path), tensor ? tensor_dims : dims);
      EXPECT_TRUE(h5.has_attribute(path, "units"));
    }
  }
  // The final snapshot holds the state at the end of the run, exactly; tensors are voxel-major
  // with the Voigt component last.
  const std::size_t voxels = grid.size();
  const TensorField plastic = sim.plastic_strain();
  const auto plastic_rows = h5.read_doubles("/fields/1/plastic_strain");
  const TensorField stress_field = sim.stress();
  const auto stress_rows = h5.read_doubles("/fields/1/stress_GPa");
  for (std::size_t i = 0; i < voxels; ++i)
    for (int v = 0; v < 6; ++v) {
      ASSERT_EQ(plastic_rows[i * 6 + static_cast<std::size_t>(v)], plastic(v, i)) << i << " " << v;
      ASSERT_EQ(stress_rows[i * 6 + static_cast<std::size_t>(v)], stress_field(v, i))
          << i << " " << v;
    }
  const ScalarField vm = von_mises_field(grid, plastic);
  const auto vm_read = h5.read_doubles("/fields/1/von_mises_plastic");
  const auto fv_read = h5.read_doubles("/fields/1/free_volume");
  const auto type_read = h5.read_integers("/fields/1/stz_type");
  const auto domain_read = h5.read_integers("/fields/1/domain_id");
  const auto mask_read = h5.read_integers("/fields/1/cfv_largest");
  const CfvClusters clusters = sim.cfv_clusters();
  for (std::size_t i = 0; i < voxels; ++i) {
    ASSERT_EQ(vm_read[i], vm(0, i));
    ASSERT_EQ(fv_read[i], sim.model().permanent_free_volume()[i]);
    ASSERT_EQ(type_read[i], sim.structure().type[i]);
    ASSERT_EQ(domain_read[i], sim.structure().domain_id[i]);
    ASSERT_EQ(mask_read[i], clusters.largest_mask[i]);
  }

  // XDMF: well-formed XML; a temporal collection of the two snapshots on the voxel grid; every
  // attribute references an existing dataset of the declared shape.
  const auto xml = parse_xml(read_file(RunWriter::xdmf_path(dir)));
  ASSERT_EQ(xml->name, "Xdmf");
  EXPECT_EQ(xml->attr("Version"), "3.0");
  const XmlElement& collection = xml->one("Domain").one("Grid");
  EXPECT_EQ(collection.attr("GridType"), "Collection");
  EXPECT_EQ(collection.attr("CollectionType"), "Temporal");
  const auto snapshots = collection.all("Grid");
  ASSERT_EQ(snapshots.size(), 2u);
  std::vector<std::size_t> nodes = dims;
  for (auto& d : nodes) ++d;
  for (std::size_t k = 0; k < snapshots.size(); ++k) {
    SCOPED_TRACE("snapshot " + std::to_string(k));
    const XmlElement& g = *snapshots[k];
    EXPECT_EQ(parse_double(g.one("Time").attr("Value")),
              h5.attribute_double("/fields/" + std::to_string(k), "strain"));
    const XmlElement& topology = g.one("Topology");
    EXPECT_EQ(topology.attr("TopologyType"),
              grid.dimension() == 2 ? "2DCoRectMesh" : "3DCoRectMesh");
    EXPECT_EQ(parse_dims(topology.attr("Dimensions")), nodes);
    const XmlElement& geometry = g.one("Geometry");
    EXPECT_EQ(geometry.attr("GeometryType"),
              grid.dimension() == 2 ? "ORIGIN_DXDY" : "ORIGIN_DXDYDZ");
    const auto items = geometry.all("DataItem");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(parse_dims(items[1]->text),
              std::vector<std::size_t>(dims.size(), 1));  // spacing 1 nm
    const auto attributes = g.all("Attribute");
    ASSERT_EQ(attributes.size(), kAllFields.size());
    for (const XmlElement* a : attributes) {
      SCOPED_TRACE(a->attr("Name"));
      EXPECT_EQ(a->attr("Center"), "Cell");
      const XmlElement& item = a->one("DataItem");
      EXPECT_EQ(item.attr("Format"), "HDF");
      const std::string ref = trimmed(item.text);
      ASSERT_EQ(ref.rfind("run.h5:", 0), 0u) << ref;
      const std::string path = ref.substr(7);
      EXPECT_EQ(path, "/fields/" + std::to_string(k) + "/" + a->attr("Name"));
      ASSERT_TRUE(h5.exists(path)) << path;
      EXPECT_EQ(parse_dims(item.attr("Dimensions")), h5.dims(path));
      EXPECT_EQ(a->attr("AttributeType"), h5.dims(path).size() > dims.size() ? "Matrix" : "Scalar");
    }
  }

  // CSV: a header with units, one row per series point, values identical to the HDF5 ones.
  std::istringstream csv(read_file(RunWriter::csv_path(dir)));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line.rfind("time_s [s],strain_eng [1],strain_true [1],stress_GPa [GPa],", 0), 0u)
      << line;
  EXPECT_NE(line.find("cfv_max_nm3 [nm^3]"), std::string::npos) << line;
  const auto time = h5.read_doubles("/series/time_s");
  std::size_t rows = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 13u) << line;
    EXPECT_EQ(parse_double(cells[0]), time[rows]);
    EXPECT_EQ(parse_double(cells[2]), strain_true[rows]);
    EXPECT_EQ(parse_double(cells[3]), stress[rows]);
    EXPECT_EQ(std::stoll(cells[5]), events[rows]);
    ++rows;
  }
  EXPECT_EQ(rows, n);
}

TEST_F(RunWriterTest, Tiny2dRunWritesConsistentFiles) {
  ScratchDir dir("run2d");
  const TinyRun run = run_tiny(tiny_config("[16, 8]", 1.1), dir.path() / "out");
  EXPECT_GT(run.sim->events(), 0);  // the barriers above are chosen so that something happens
  check_run_files(run, dir.path() / "out");
}

TEST_F(RunWriterTest, Tiny3dRunWritesConsistentFiles) {
  ScratchDir dir("run3d");
  const TinyRun run = run_tiny(tiny_config("[6, 6, 6]", 1.15), dir.path() / "out");
  EXPECT_GT(run.sim->events(), 0);
  check_run_files(run, dir.path() / "out");
}

struct AbortingObserver : SimulationObserver {
  int calls = 0;
  void on_series(const Simulation&, const SeriesPoint&) override {
    if (++calls == 3) throw std::runtime_error("aborted by the test");
  }
};

TEST_F(RunWriterTest, AbortedRunLeavesNoRunFile) {
  ScratchDir dir("abort");
  const RunConfig config = tiny_config("[16, 8]", 1.1);
  const auto out = dir.path() / "out";
  {
    Simulation sim(config.sim, build_structure(config));
    RunWriter writer(out, config, resolved_config_yaml(config));
    AbortingObserver abort;
    EXPECT_THROW(sim.run({&writer, &abort}), std::runtime_error);
  }
  EXPECT_FALSE(std::filesystem::exists(RunWriter::hdf5_path(out)));
  EXPECT_FALSE(std::filesystem::exists(RunWriter::xdmf_path(out)));
  EXPECT_FALSE(std::filesystem::exists(RunWriter::csv_path(out)));
  EXPECT_TRUE(std::filesystem::is_empty(out));  // the temporary file is gone too

  // An aborted re-run keeps the previous complete files.
  const TinyRun first = run_tiny(config, out);
  const std::string before = read_file(RunWriter::hdf5_path(out));
  {
    Simulation sim(config.sim, build_structure(config));
    RunWriter writer(out, config, "a different config");
    AbortingObserver abort;
    EXPECT_THROW(sim.run({&writer, &abort}), std::runtime_error);
  }
  EXPECT_EQ(read_file(RunWriter::hdf5_path(out)), before);
  EXPECT_EQ(Hdf5Reader(RunWriter::hdf5_path(out)).attribute_string("/", "config"), first.yaml);
}

TEST_F(RunWriterTest, FinishTwiceIsAnError) {
  ScratchDir dir("twice");
  RunConfig config = tiny_config("[16, 8]", 1.1);
  config.sim.loading.max_strain = 5e-4;
  config.sim.output.snapshots_at_strain.clear();
  config.sim.output.fields = {"free_volume"};
  Simulation sim(config.sim, build_structure(config));
  RunWriter writer(dir.path(), config, resolved_config_yaml(config));
  sim.run({&writer});
  writer.finish(sim, 1.0);
  EXPECT_THROW(writer.finish(sim, 1.0), InternalError);
  const Hdf5Reader h5(RunWriter::hdf5_path(dir.path()));
  EXPECT_EQ(h5.children("/fields/0"), std::vector<std::string>{"free_volume"});
  EXPECT_EQ(h5.dims("/series/time_s"), std::vector<std::size_t>{2});
}

}  // namespace
}  // namespace stz

namespace stz {
namespace {

// Asks for a stop (as the SIGINT handler would) at the third series point.
struct StoppingObserver : SimulationObserver {
  int calls = 0;
  void on_series(const Simulation&, const SeriesPoint&) override {
    if (++calls == 3) request_stop(2);
  }
};

TEST_F(RunWriterTest, StoppedRunWritesPartialFileMarkedIncomplete) {
  ScratchDir dir("stopped");
  const RunConfig config = tiny_config("[16, 8]", 1.1);
  const auto out = dir.path() / "out";
  const std::string yaml = resolved_config_yaml(config);
  {
    Simulation sim(config.sim, build_structure(config));
    RunWriter writer(out, config, yaml);
    StoppingObserver stopper;
    sim.run({&writer, &stopper});
    clear_stop_request();
    EXPECT_TRUE(sim.stopped());
    EXPECT_LT(sim.control_strain(), config.sim.loading.max_strain);
    writer.finish(sim, 1.0);
    EXPECT_FALSE(writer.summary().complete);
    EXPECT_EQ(writer.series().size(), 3u);  // the stop comes between events: no extra point
  }
  {
    const Hdf5Reader h5(RunWriter::hdf5_path(out));
    EXPECT_EQ(h5.attribute_integer("/", "complete"), 0);
    EXPECT_EQ(h5.dims("/series/time_s"), std::vector<std::size_t>{3});
    EXPECT_FALSE(h5.attribute_string("/", "hdf5_version").empty());
    EXPECT_FALSE(h5.attribute_string("/", "date").empty());
  }
  EXPECT_FALSE(read_complete_run(out, yaml).has_value());  // --resume reruns it

  const TinyRun done = run_tiny(config, out);
  EXPECT_TRUE(done.summary.complete);
  const auto again = read_complete_run(out, yaml);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->events_total, done.summary.events_total);
  EXPECT_EQ(again->peak_stress_GPa, done.summary.peak_stress_GPa);
  EXPECT_FALSE(read_complete_run(out, yaml + "# other\n").has_value());
}

TEST_F(RunWriterTest, StaleTemporariesOfDeadProcessesAreRemoved) {
  ScratchDir dir("stale");
  const auto dead = dir.path() / "run.h5.tmp-999999999";  // beyond pid_max: no such process
  const auto live = dir.path() / ("run.h5.tmp-" + std::to_string(::getpid()));
  const auto other = dir.path() / "notes.tmp-x";
  for (const auto& p : {dead, live, other}) std::ofstream(p) << "x";
  EXPECT_EQ(remove_stale_temporaries(dir.path()), 1u);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(live));
  EXPECT_TRUE(std::filesystem::exists(other));
}

}  // namespace
}  // namespace stz
