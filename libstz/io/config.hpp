// Run configuration: strict YAML → plain parameter structs (SPEC 5), `--set` overrides, the
// fully resolved config as YAML, and the structure map a config asks for.
//
// Strictness: an unknown key anywhere, a value of the wrong YAML type (a string or a list where a
// number is expected, ...), a duplicate key, an undefined type name and every out-of-range value
// is a ConfigError naming the dotted key ("loading.strain_rate_per_s"), the value and what is
// allowed. A missing file or a YAML syntax error is an IoError of one line with file, line and
// column. Units are in the key names; docs/config_reference.md lists every key and default.
// Type indices: `matrix` is always type 0 (with its defaults when absent); the other entries of
// `types` get 1, 2, ... in document order (a type created by an override comes last).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libstz/sim/simulation_params.hpp"
#include "libstz/structure/label_image.hpp"
#include "libstz/structure/structure_map.hpp"

namespace stz {

/// An imported MRO label map (config `mro.map`).
struct MroMapImport {
  /// HDF5 file or PGM/PNG label image (chosen by the file's magic number). load_config makes a
  /// relative path relative to the config file's directory.
  std::string file;
  /// Dataset of integer labels, (nx, ny) or (nx, ny, nz) in C order; HDF5 files only.
  std::string dataset = "/labels";
  /// Label → STZ type name; every label that occurs in the map must be listed.
  std::map<std::int64_t, std::string> labels;
  /// Edge of one label pixel, nm; 0 stretches the map over the box (see imported_mro_map.hpp).
  double pixel_nm = 0;
};

/// Seed ensembles (config `ensemble`).
struct EnsembleParams {
  /// Number of seeds, run.seed, run.seed + 1, ... (`ensemble.seeds`, 1..100000).
  int seeds = 7;
};

/// Parameter sweeps (config `sweep`): one key, or a grid over two keys.
struct SweepParams {
  /// Dotted config keys swept (0, 1 or 2 entries).
  std::vector<std::string> keys;
  /// values[k]: the values of keys[k], each as canonical YAML text (e.g. "0.6", "[64, 32]").
  std::vector<std::vector<std::string>> values;
};

/// Everything one `stz run` (or each ensemble / sweep member) needs.
struct RunConfig {
  SimulationParams sim;
  /// Where the run writes run.h5, run.xdmf and series.csv (`run.output_dir`).
  std::string output_dir = "results/run";
  /// Memory a run may use, GB (`run.max_memory_GB`); 0: what the system reports available.
  double max_memory_GB = 0;
  /// Imported MRO map; when absent the map is synthetic (sim.mro).
  std::optional<MroMapImport> mro_map;
  EnsembleParams ensemble;
  SweepParams sweep;
};

/// Reads and validates a YAML config file; `overrides` are "dotted.key=VALUE" strings applied to
/// the YAML tree before conversion (VALUE is parsed as YAML, so "grid.shape=[128,64]" works).
/// Throws IoError (missing file, YAML syntax) or ConfigError (everything else).
RunConfig load_config(const std::filesystem::path& yaml_file,
                      const std::vector<std::string>& overrides = {});

/// Same for YAML text; `origin` names the text in messages.
RunConfig parse_config(const std::string& yaml_text, const std::vector<std::string>& overrides = {},
                       const std::string& origin = "<string>");

/// The config as YAML with every key and its value, defaults included; parse_config of it gives
/// the same RunConfig (doubles are written in their shortest exact form).
std::string resolved_config_yaml(const RunConfig& config);

/// The structure map of a run: imported (config.mro_map: an HDF5 dataset or a PGM/PNG image),
/// synthetic (sim.mro.fraction > 0) or all matrix. Throws IoError / ConfigError.
StructureMap build_structure(const RunConfig& config);

/// For an imported map (config.mro_map): lines describing it (file, size, pixel size, coverage of
/// the box, voxel fraction per type, domain count) and, prefixed "warning: ", what looks wrong
/// (the map tiles the box several times). Empty without an import.
std::vector<std::string> imported_map_report(const RunConfig& config,
                                             const StructureMap& structure);

/// The structure map of a label map given in memory (e.g. a numpy array from Python) with its
/// table label → type name: the same checks and resampling as an imported `mro.map`, errors
/// under the same keys (mro.map.file for the map, mro.map.labels.<label>, mro.map.pixel_nm).
/// config.sim.mro.fraction must be 0 (the map sets the MRO fraction).
StructureMap structure_from_label_map(const RunConfig& config, const LabelImage& image,
                                      const std::map<std::int64_t, std::string>& labels,
                                      double pixel_nm);

/// A string as a double-quoted YAML scalar (\" and \\ escaped, control characters as \xNN).
std::string yaml_double_quoted(const std::string& s);

/// The grid of a config's `grid` section (validated; throws ConfigError).
Grid grid_from_params(const GridParams& params);

}  // namespace stz
