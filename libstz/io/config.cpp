#include "libstz/io/config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "libstz/core/error.hpp"
#include "libstz/io/hdf5_file.hpp"
#include "libstz/structure/imported_mro_map.hpp"
#include "libstz/structure/label_image.hpp"
#include "libstz/structure/synthetic_mro_map.hpp"

namespace stz {
namespace {

// Guards against pathological documents (deep nesting, alias bombs): no valid config comes near.
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxNodes = 200000;
constexpr std::size_t kMaxSweepMembers = 10000;
constexpr int kMaxEnsembleSeeds = 100000;

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Length of the valid UTF-8 sequence starting at text[i] (0 if invalid).
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  const std::size_t n = (c >= 0xC2 && c <= 0xDF)   ? 2
                        : (c >= 0xE0 && c <= 0xEF) ? 3
                        : (c >= 0xF0 && c <= 0xF4) ? 4
                                                   : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

/// A value as error messages show it: one line of printable UTF-8, at most `limit` bytes.
std::string printable(const std::string& text, std::size_t limit = 80) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (const std::size_t n = utf8_length(text, i)) {
      out += text.substr(i, n);
      i += n - 1;
    } else {
      out += '?';
    }
  }
  return out;
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "nothing";
  }
}

/// The value of a node for error messages.
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return printable(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list of " + std::to_string(node.size()) + " entries";
    case YAML::NodeType::Map:
      return "a map of " + std::to_string(node.size()) + " entries";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "(missing)";
  }
}

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string dotted(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

/// " (did you mean x?)" for a near miss among the allowed keys, else "".
std::string suggestion(const std::string& key, const std::vector<std::string>& allowed) {
  std::string best;
  std::size_t best_distance = 4;
  for (const auto& candidate : allowed) {
    const bool prefix = candidate.rfind(key, 0) == 0 || key.rfind(candidate, 0) == 0;
    const std::size_t d = prefix ? 1 : edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

/// A name usable as a key segment: a letter, then letters, digits or '_' (at most 64).
bool is_identifier(const std::string& name) {
  if (name.empty() || name.size() > 64 || !std::isalpha(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// ---------------------------------------------------------------------------------------------
// YAML scalars → numbers and strings

bool is_plain(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  return tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float";
}

bool is_plain_or_bool(const YAML::Node& node) {
  return node.Tag() == "?" || node.Tag() == "tag:yaml.org,2002:bool";
}

/// Parses a YAML number (decimal, exponent, .inf, .nan; optional sign). Empty on failure;
/// sets out_of_range for numbers beyond double.
std::optional<double> parse_number(const std::string& text, bool* out_of_range) {
  std::string s = text;
  double sign = 1.0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1.0 : 1.0;
    s.erase(0, 1);
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF")
    return sign * std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return {};
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) {
    *out_of_range = true;
    return {};
  }
  if (ec != std::errc() || end != s.data() + s.size()) return {};
  return sign * value;
}

double read_double(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar() || !is_plain(node))
    throw ConfigError(key, describe(node),
                      "a number" + std::string(node.IsScalar() ? " (unquoted)" : "") + ", not " +
                          (node.IsScalar() ? "a quoted string" : kind_of(node)));
  bool out_of_range = false;
  const auto value = parse_number(node.Scalar(), &out_of_range);
  if (!value)
    throw ConfigError(key, describe(node),
                      out_of_range ? "a number within the range of a double"
                                   : "a number (e.g. 0.5, 1.0e-4, 300)");
  return *value;
}

std::int64_t read_integer(const YAML::Node& node, const std::string& key, std::int64_t lo,
                          std::int64_t hi) {
  const std::string range =
      "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (!node.IsScalar() || !is_plain(node))
    throw ConfigError(key, describe(node),
                      range + ", not " + (node.IsScalar() ? "a quoted string" : kind_of(node)));
  std::string s = node.Scalar();
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc() && end == s.data() + s.size()) {
    if (value < lo || value > hi) throw ConfigError(key, describe(node), range);
    return value;
  }
  // Integral values written as floats (1e4, 64.0) are accepted when exact.
  bool out_of_range = false;
  const auto d = parse_number(node.Scalar(), &out_of_range);
  if (d && std::isfinite(*d) && std::floor(*d) == *d && *d >= static_cast<double>(lo) &&
      *d <= static_cast<double>(hi))
    return static_cast<std::int64_t>(*d);
  throw ConfigError(key, describe(node), range);
}

int read_int(const YAML::Node& node, const std::string& key) {
  return static_cast<int>(
      read_integer(node, key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

std::uint64_t read_seed(const YAML::Node& node, const std::string& key) {
  const std::string range = "an integer in [0, 18446744073709551615]";
  if (!node.IsScalar() || !is_plain(node))
    throw ConfigError(key, describe(node),
                      range + ", not " + (node.IsScalar() ? "a quoted string" : kind_of(node)));
  std::string s = node.Scalar();
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size())
    throw ConfigError(key, describe(node), range);
  return value;
}

bool read_bool(const YAML::Node& node, const std::string& key) {
  if (node.IsScalar() && is_plain_or_bool(node)) {
    const std::string& s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  throw ConfigError(key, describe(node), "true or false");
}

std::string read_string(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) throw ConfigError(key, describe(node), "a string, not " + kind_of(node));
  return node.Scalar();
}

const YAML::Node& require_list(const YAML::Node& node, const std::string& key,
                               const std::string& what) {
  if (!node.IsSequence()) throw ConfigError(key, describe(node), what + ", not " + kind_of(node));
  return node;
}

std::string item_key(const std::string& key, std::size_t i) {
  return key + "[" + std::to_string(i) + "]";
}

std::vector<double> read_double_list(const YAML::Node& node, const std::string& key,
                                     const std::string& what) {
  std::vector<double> out;
  for (std::size_t i = 0; i < require_list(node, key, what).size(); ++i)
    out.push_back(read_double(node[i], item_key(key, i)));
  return out;
}

std::vector<std::string> read_string_list(const YAML::Node& node, const std::string& key,
                                          const std::string& what) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < require_list(node, key, what).size(); ++i)
    out.push_back(read_string(node[i], item_key(key, i)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Maps with a fixed set of keys

/// A YAML map at a dotted path whose keys must come from `allowed` (null = empty map).
class Section {
 public:
  Section(const YAML::Node& node, std::string path, std::vector<std::string> allowed)
      : m_path(std::move(path)) {
    for_each_entry(node, m_path, [&](const std::string& key, const YAML::Node& value) {
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        throw ConfigError(dotted(m_path, printable(key)), describe(value),
                          "unknown key" + suggestion(key, allowed) + "; allowed keys" +
                              (m_path.empty() ? " at the top level" : " of " + m_path) + ": " +
                              join(allowed));
      m_entries.emplace_back(key, value);
    });
  }

  /// Calls f(key, value) for every entry of a map node, checking key types and duplicates.
  template <class F>
  static void for_each_entry(const YAML::Node& node, const std::string& path, F&& f) {
    if (node.IsNull()) return;
    if (!node.IsMap())
      throw ConfigError(path.empty() ? "(top level)" : path, describe(node),
                        "a map of keys, not " + kind_of(node));
    std::set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar())
        throw ConfigError(dotted(path, "(key)"), describe(entry.first), "a plain key");
      const std::string key = entry.first.Scalar();
      if (!seen.insert(key).second)
        throw ConfigError(dotted(path, printable(key)), describe(entry.second),
                          "each key at most once");
      f(key, entry.second);
    }
  }

  const YAML::Node* find(const std::string& key) const {
    for (const auto& [k, v] : m_entries)
      if (k == key) return &v;
    return nullptr;
  }
  std::string key(const std::string& k) const { return dotted(m_path, k); }

  void read(const std::string& k, double& target) const {
    if (const auto* n = find(k)) target = read_double(*n, key(k));
  }
  void read(const std::string& k, int& target) const {
    if (const auto* n = find(k)) target = read_int(*n, key(k));
  }
  void read(const std::string& k, std::int64_t& target) const {
    if (const auto* n = find(k))
      target = read_integer(*n, key(k), std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::int64_t>::max());
  }
  void read(const std::string& k, bool& target) const {
    if (const auto* n = find(k)) target = read_bool(*n, key(k));
  }
  void read(const std::string& k, std::string& target) const {
    if (const auto* n = find(k)) target = read_string(*n, key(k));
  }

 private:
  std::string m_path;
  std::vector<std::pair<std::string, YAML::Node>> m_entries;
};

const std::vector<std::string> kTopKeys{"run",    "grid",        "material", "loading", "stz",
                                        "types",  "free_volume", "mro",      "cfv",     "kmc",
                                        "output", "ensemble",    "sweep"};
const std::vector<std::string> kTypeKeys{"modes",          "order",          "barrier_eV",
                                         "barrier_spread", "orientation",    "redraw_barrier",
                                         "reverse_modes",  "softening_scale"};

// ---------------------------------------------------------------------------------------------
// Canonical YAML text of small nodes (sweep values)

bool plain_safe(const std::string& s) {
  static const std::set<std::string> reserved{
      "null",  "Null", "NULL", "~",   "true", "True", "TRUE", "false", "False",
      "FALSE", "yes",  "Yes",  "YES", "no",   "No",   "NO",   "on",    "On",
      "ON",    "off",  "Off",  "OFF", "y",    "Y",    "n",    "N"};
  if (s.empty() || reserved.count(s)) return false;
  if (s[0] == '-' && s.size() > 1 && !std::isdigit(static_cast<unsigned char>(s[1])) && s[1] != '.')
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
           c == '+' || c == '/';
  });
}

/// A string as a YAML scalar: plain when unambiguous, else double-quoted.
std::string yaml_string(const std::string& s) {
  return plain_safe(s) ? s : yaml_double_quoted(s);
}

/// Canonical flow-style YAML of a node: scalars plain when safe (quoted scalars stay quoted),
/// lists "[a, b]", maps "{k: v}", null "~".
std::string canonical_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return is_plain(node) && plain_safe(node.Scalar()) ? node.Scalar()
                                                         : yaml_double_quoted(node.Scalar());
    case YAML::NodeType::Sequence: {
      std::vector<std::string> items;
      for (const auto& item : node) items.push_back(canonical_yaml(item));
      return "[" + join(items) + "]";
    }
    case YAML::NodeType::Map: {
      std::vector<std::string> items;
      for (const auto& entry : node)
        items.push_back(canonical_yaml(entry.first) + ": " + canonical_yaml(entry.second));
      return "{" + join(items) + "}";
    }
    default:
      return "~";
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing and overrides

std::string position(const std::string& origin, const YAML::Mark& mark) {
  return origin + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string syntax_error(const std::string& origin, const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e))
    return position(origin, e.mark) + ": YAML nesting too deep";
  const std::string message = printable(e.msg, 200);
  if (e.mark.is_null()) return origin + ": YAML error: " + message;
  return position(origin, e.mark) + ": YAML syntax error: " + message;
}

/// Counts the documents of a YAML stream. yaml-cpp 0.7 never consumes a ',' that opens a
/// document (e.g. the text ","), so its document loop would run forever; a document that starts
/// where the previous one started is that case and is reported as a syntax error.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (count > 0 && mark.pos == start.pos) stuck = true;
    start = mark;
    ++count;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  int count = 0;
  bool stuck = false;
  YAML::Mark start;
};

YAML::Node load_document(const std::string& text, const std::string& origin) {
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentCounter counter;
    while (counter.count < 2 && !counter.stuck && parser.HandleNextDocument(counter)) {
    }
    if (counter.stuck)
      throw IoError(position(origin, counter.start) + ": YAML syntax error: unexpected '" +
                    printable(text.substr(static_cast<std::size_t>(counter.start.pos), 1)) + "'");
    if (counter.count > 1)
      throw IoError(origin +
                    ": more than one YAML document; a config is one document (remove "
                    "the extra '---')");
    return counter.count == 0 ? YAML::Node(YAML::NodeType::Null) : YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw IoError(syntax_error(origin, e));
  }
}

void check_complexity(const YAML::Node& node, const std::string& path, int depth,
                      std::size_t& budget) {
  if (depth > kMaxDepth)
    throw ConfigError(path, "nesting deeper than " + std::to_string(kMaxDepth) + " levels",
                      "a config of at most " + std::to_string(kMaxDepth) + " nested levels");
  if (budget == 0)
    throw ConfigError(
        path.empty() ? "(top level)" : path, "too many YAML nodes",
        "at most " + std::to_string(kMaxNodes) + " nodes (aliases count every time they are used)");
  --budget;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      check_complexity(node[i], item_key(path, i), depth + 1, budget);
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "(key)";
      check_complexity(entry.first, dotted(path, printable(key)), depth + 1, budget);
      check_complexity(entry.second, dotted(path, printable(key)), depth + 1, budget);
    }
  }
}

/// Splits "a.b.c" into segments; empty when malformed.
std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : key) {
    if (c == '.') {
      if (current.empty()) return {};
      parts.push_back(current);
      current.clear();
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') {
      current += c;
    } else {
      return {};
    }
  }
  if (current.empty()) return {};
  parts.push_back(current);
  return parts;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// Sets root[key path] = value, creating intermediate maps.
void set_path(YAML::Node& root, const std::vector<std::string>& parts, const YAML::Node& value) {
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  YAML::Node current;
  current.reset(root);
  std::string path;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!current.IsMap())
      throw ConfigError(path.empty() ? "(top level)" : path, describe(current),
                        "a map for " + join(parts, ".") + " to descend into");
    path = dotted(path, parts[i]);
    YAML::Node child = current[parts[i]];
    if (!child.IsDefined() || child.IsNull()) {
      current[parts[i]] = YAML::Node(YAML::NodeType::Map);
      child.reset(current[parts[i]]);
    }
    current.reset(child);
  }
  if (!current.IsMap())
    throw ConfigError(path.empty() ? "(top level)" : path, describe(current),
                      "a map for " + join(parts, ".") + " to descend into");
  current[parts.back()] = value;
}

struct Override {
  std::vector<std::string> parts;
  YAML::Node value;
};

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw ConfigError("--set", printable(text), "key.path=VALUE (no '=' found)");
  const std::string key = trim(text.substr(0, eq));
  Override o;
  o.parts = split_key(key);
  if (o.parts.empty())
    throw ConfigError("--set", printable(text),
                      "key.path=VALUE with a dotted key of letters, digits and '_' (e.g. "
                      "grid.shape=[128,64])");
  const std::string value_text = text.substr(eq + 1);
  try {
    o.value = load_document(value_text, "--set " + key);
  } catch (const IoError& e) {
    throw ConfigError(key, printable(value_text), std::string("a YAML value (") + e.what() + ")");
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Conversion: YAML tree → RunConfig

std::vector<std::string> type_names(const ModelParams& model) {
  std::vector<std::string> names;
  for (const auto& t : model.types) names.push_back(t.name);
  return names;
}

int type_index(const ModelParams& model, const std::string& name) {
  for (std::size_t i = 0; i < model.types.size(); ++i)
    if (model.types[i].name == name) return static_cast<int>(i);
  return -1;
}

void read_types(const YAML::Node& node, ModelParams& model) {
  model.types.assign(1, StzTypeParams{});  // matrix with its defaults unless given
  Section::for_each_entry(node, "types", [&](const std::string& name, const YAML::Node& value) {
    if (!is_identifier(name))
      throw ConfigError("types." + printable(name), describe(value),
                        "a type name of letters, digits and '_' starting with a letter (at most "
                        "64 characters)");
    StzTypeParams t;
    t.name = name;
    t.modes = 0;  // round(20/order) unless given
    if (name != "matrix") t.orientation = OrientationPolicy::per_domain;
    const Section s(value, "types." + name, kTypeKeys);
    s.read("modes", t.modes);
    s.read("order", t.order);
    s.read("barrier_eV", t.barrier_eV);
    s.read("barrier_spread", t.barrier_spread);
    s.read("redraw_barrier", t.redraw_barrier);
    s.read("reverse_modes", t.reverse_modes);
    s.read("softening_scale", t.softening_scale);
    if (const auto* o = s.find("orientation"))
      t.orientation =
          parse_orientation_policy(read_string(*o, s.key("orientation")), s.key("orientation"));
    if (name == "matrix")
      model.types[0] = t;
    else
      model.types.push_back(t);
  });
  if (model.types.size() > static_cast<std::size_t>(kMaxTypeIndex) + 1)
    throw ConfigError("types", std::to_string(model.types.size()) + " types",
                      "at most " + std::to_string(kMaxTypeIndex + 1) + " types");
}

/// The type index of a name used outside `types` (composition, label table).
int defined_type(const ModelParams& model, const std::string& name, const std::string& key) {
  const int index = type_index(model, name);
  if (index < 0)
    throw ConfigError(key, printable(name),
                      "a type defined under types (defined: " + join(type_names(model)) + ")");
  return index;
}

void read_mro(const YAML::Node& node, RunConfig& c, const std::filesystem::path& base_dir) {
  SyntheticMroParams& mro = c.sim.mro;
  const Section s(node, "mro", {"fraction", "composition", "diameter_nm", "map", "mixing"});
  s.read("fraction", mro.fraction);
  if (const auto* d = s.find("diameter_nm")) {
    const Section ds(*d, "mro.diameter_nm", {"mean", "sd"});
    ds.read("mean", mro.diameter_mean_nm);
    ds.read("sd", mro.diameter_sd_nm);
  }
  if (const auto* mix = s.find("mixing"))
    mro.mixing = parse_mro_mixing(read_string(*mix, "mro.mixing"), "mro.mixing");
  mro.composition.clear();
  if (const auto* comp = s.find("composition")) {
    Section::for_each_entry(
        *comp, "mro.composition", [&](const std::string& name, const YAML::Node& value) {
          const std::string key = "mro.composition." + printable(name);
          const int index = defined_type(c.sim.model, name, key);
          if (index == kMatrixType)
            throw ConfigError(key, describe(value),
                              "an MRO type (matrix is type 0 and fills the rest of the box)");
          const double weight = read_double(value, key);
          if (!std::isfinite(weight) || weight < 0.0)
            throw ConfigError(key, describe(value), "a finite weight >= 0");
          mro.composition.push_back({index, weight});
        });
  } else {
    for (std::size_t i = 1; i < c.sim.model.types.size(); ++i)
      mro.composition.push_back({static_cast<int>(i), 1.0});
  }
  if (const auto* m = s.find("map")) {
    const Section ms(*m, "mro.map", {"file", "dataset", "labels", "pixel_nm"});
    MroMapImport map;
    const auto* file = ms.find("file");
    if (!file)
      throw ConfigError("mro.map.file", "(missing)",
                        "the path of an HDF5 file or a PGM/PNG label image");
    map.file = read_string(*file, "mro.map.file");
    if (map.file.empty())
      throw ConfigError("mro.map.file", "\"\"", "the path of an HDF5 file or a PGM/PNG image");
    if (!base_dir.empty() && std::filesystem::path(map.file).is_relative())
      map.file = (std::filesystem::absolute(base_dir) / map.file).lexically_normal().string();
    ms.read("dataset", map.dataset);
    ms.read("pixel_nm", map.pixel_nm);
    if (!std::isfinite(map.pixel_nm) || map.pixel_nm < 0.0)
      throw ConfigError("mro.map.pixel_nm", to_display(map.pixel_nm),
                        "a pixel edge in nm >= 0 (0 stretches the map over the box)");
    const auto* labels = ms.find("labels");
    if (!labels || labels->IsNull() || (labels->IsMap() && labels->size() == 0))
      throw ConfigError("mro.map.labels", labels ? describe(*labels) : "(missing)",
                        "a map {label: type name}, e.g. {0: matrix, 1: mro_a}");
    Section::for_each_entry(
        *labels, "mro.map.labels", [&](const std::string& label_text, const YAML::Node& value) {
          const std::string key = "mro.map.labels." + printable(label_text);
          std::int64_t label = 0;
          const auto [end, ec] =
              std::from_chars(label_text.data(), label_text.data() + label_text.size(), label);
          if (ec != std::errc() || end != label_text.data() + label_text.size())
            throw ConfigError(key, printable(label_text), "an integer label");
          const std::string type = read_string(value, key);
          defined_type(c.sim.model, type, key);
          if (!map.labels.emplace(label, type).second)
            throw ConfigError(key, printable(label_text), "each label at most once");
        });
    if (mro.fraction != 0.0)
      throw ConfigError("mro.fraction", to_display(mro.fraction),
                        "0 when mro.map is given (the imported map sets the MRO fraction)");
    if (mro.mixing != MroMixing::per_domain)
      throw ConfigError("mro.mixing", to_string(mro.mixing),
                        "per_domain when mro.map is given (the label table sets the types)");
    c.mro_map = std::move(map);
  }
}

void read_sweep(const YAML::Node& node, SweepParams& sweep) {
  const Section s(node, "sweep", {"key", "keys", "values"});
  const auto* key = s.find("key");
  const auto* keys = s.find("keys");
  const auto* values = s.find("values");
  if (key && keys)
    throw ConfigError("sweep.keys", describe(*keys), "either sweep.key or sweep.keys, not both");
  sweep = SweepParams{};
  if (key) {
    sweep.keys.push_back(read_string(*key, "sweep.key"));
  } else if (keys) {
    sweep.keys = read_string_list(*keys, "sweep.keys", "a list of 1 or 2 dotted keys");
    if (sweep.keys.size() > 2)
      throw ConfigError("sweep.keys", describe(*keys), "1 or 2 keys (a grid of two at most)");
  }
  if (sweep.keys.empty()) {
    if (values && !(values->IsSequence() && values->size() == 0) && !values->IsNull())
      throw ConfigError("sweep.values", describe(*values), "no values without sweep.key");
    return;
  }
  if (!values) throw ConfigError("sweep.values", "(missing)", "the values of " + join(sweep.keys));
  if (sweep.keys.size() == 2 && sweep.keys[0] == sweep.keys[1])
    throw ConfigError("sweep.keys", describe(*keys), "two different keys");
  for (const auto& k : sweep.keys) {
    const auto parts = split_key(k);
    if (parts.empty())
      throw ConfigError(key ? "sweep.key" : "sweep.keys", printable(k), "a dotted config key");
    if (parts[0] == "sweep" || parts[0] == "ensemble")
      throw ConfigError(key ? "sweep.key" : "sweep.keys", k,
                        "a run parameter (not sweep.* or ensemble.*)");
  }
  auto read_values = [](const YAML::Node& list, const std::string& list_key) {
    std::vector<std::string> out;
    require_list(list, list_key, "a non-empty list of values");
    if (list.size() == 0) throw ConfigError(list_key, "[]", "a non-empty list of values");
    for (const auto& v : list) out.push_back(canonical_yaml(v));
    return out;
  };
  if (key) {
    sweep.values.push_back(read_values(*values, "sweep.values"));
  } else {
    require_list(*values, "sweep.values", "one list of values per key, e.g. [[1, 2], [3, 4]]");
    if (values->size() != sweep.keys.size())
      throw ConfigError("sweep.values", describe(*values),
                        "one list of values per key (" + std::to_string(sweep.keys.size()) + ")");
    for (std::size_t k = 0; k < sweep.keys.size(); ++k)
      sweep.values.push_back(read_values((*values)[k], item_key("sweep.values", k)));
  }
  std::size_t members = 1;
  for (const auto& v : sweep.values) members *= v.size();
  if (members > kMaxSweepMembers)
    throw ConfigError("sweep.values", std::to_string(members) + " members",
                      "at most " + std::to_string(kMaxSweepMembers) + " sweep members");
}

RunConfig convert(const YAML::Node& root, const std::filesystem::path& base_dir) {
  RunConfig c;
  const Section top(root, "", kTopKeys);
  const YAML::Node none;
  auto section = [&](const std::string& name) { return top.find(name) ? *top.find(name) : none; };
  auto sub = [&](const std::string& name, std::vector<std::string> allowed) {
    return Section(section(name), name, std::move(allowed));
  };

  {
    const Section s = sub("run", {"seed", "output_dir", "max_memory_GB"});
    if (const auto* n = s.find("seed")) c.sim.seed = read_seed(*n, "run.seed");
    s.read("output_dir", c.output_dir);
    if (c.output_dir.empty())
      throw ConfigError("run.output_dir", "\"\"", "a directory path (not empty)");
    s.read("max_memory_GB", c.max_memory_GB);
    if (!std::isfinite(c.max_memory_GB) || c.max_memory_GB < 0 || c.max_memory_GB > 1e6)
      throw ConfigError("run.max_memory_GB", to_display(c.max_memory_GB),
                        "0 (use the available memory) or a limit in GB in (0, 1e6]");
  }
  {
    const Section s = sub("grid", {"shape", "voxel_nm"});
    if (const auto* n = s.find("shape")) {
      const std::string what = "a list of 2 (2D plane strain) or 3 (3D) integer extents";
      require_list(*n, "grid.shape", what);
      if (n->size() != 2 && n->size() != 3) throw ConfigError("grid.shape", describe(*n), what);
      c.sim.grid.shape.clear();
      double voxels = 1.0;
      for (std::size_t i = 0; i < n->size(); ++i) {
        c.sim.grid.shape.push_back(static_cast<int>(
            read_integer((*n)[i], item_key("grid.shape", i), 2, std::numeric_limits<int>::max())));
        voxels *= c.sim.grid.shape.back();
      }
      if (voxels > 2147483648.0)
        throw ConfigError("grid.shape", canonical_yaml(*n), "at most 2^31 voxels");
    }
    s.read("voxel_nm", c.sim.grid.voxel_nm);
  }
  {
    const Section s = sub("material", {"youngs_GPa", "poisson", "temperature_K"});
    s.read("youngs_GPa", c.sim.material.youngs_GPa);
    s.read("poisson", c.sim.material.poisson);
    s.read("temperature_K", c.sim.model.temperature_K);
  }
  {
    const Section s = sub("loading", {"mode", "strain_rate_per_s", "max_strain", "axis"});
    if (const auto* n = s.find("mode"))
      c.sim.loading.mode = parse_loading_mode(read_string(*n, "loading.mode"), "loading.mode");
    s.read("strain_rate_per_s", c.sim.loading.strain_rate_per_s);
    s.read("max_strain", c.sim.loading.max_strain);
    s.read("axis", c.sim.loading.axis);
  }
  {
    const Section s = sub("stz", {"attempt_frequency_per_s", "gamma0", "dilatation",
                                  "residual_strain_std", "cluster"});
    s.read("attempt_frequency_per_s", c.sim.model.attempt_frequency_per_s);
    s.read("gamma0", c.sim.model.gamma0);
    s.read("dilatation", c.sim.model.dilatation);
    s.read("residual_strain_std", c.sim.model.residual_strain_std);
    if (const auto* n = s.find("cluster")) {
      StzClusterParams& cl = c.sim.model.cluster;
      const Section cs(*n, "stz.cluster",
                       {"shape", "radius_nm", "edge_voxels", "thickness_nm", "attempt_scaling",
                        "barrier_disorder"});
      if (const auto* v = cs.find("shape"))
        cl.shape = parse_cluster_shape(read_string(*v, "stz.cluster.shape"), "stz.cluster.shape");
      cs.read("radius_nm", cl.radius_nm);
      cs.read("edge_voxels", cl.edge_voxels);
      cs.read("thickness_nm", cl.thickness_nm);
      if (const auto* v = cs.find("attempt_scaling"))
        cl.attempt_scaling = parse_attempt_scaling(read_string(*v, "stz.cluster.attempt_scaling"),
                                                   "stz.cluster.attempt_scaling");
      if (const auto* v = cs.find("barrier_disorder"))
        cl.barrier_disorder = parse_barrier_disorder(
            read_string(*v, "stz.cluster.barrier_disorder"), "stz.cluster.barrier_disorder");
      cl.validate();
    }
  }
  read_types(section("types"), c.sim.model);
  {
    FreeVolumeParams& f = c.sim.model.free_volume;
    const Section s =
        sub("free_volume", {"permanent_per_event", "transient_per_event", "permanent_max",
                            "annealing_barrier_eV", "softening_coefficient", "max_barrier_drop"});
    s.read("permanent_per_event", f.permanent_per_event);
    s.read("transient_per_event", f.transient_per_event);
    s.read("permanent_max", f.permanent_max);
    s.read("annealing_barrier_eV", f.annealing_barrier_eV);
    s.read("softening_coefficient", f.softening_coefficient);
    s.read("max_barrier_drop", f.max_barrier_drop);
  }
  read_mro(section("mro"), c, base_dir);
  {
    const Section s = sub("cfv", {"threshold", "smoothing_window", "resample_points",
                                  "min_percolation_nm3", "measure", "percolation"});
    s.read("threshold", c.sim.cfv.threshold);
    s.read("smoothing_window", c.sim.cfv.smoothing_window);
    s.read("resample_points", c.sim.cfv.resample_points);
    s.read("min_percolation_nm3", c.sim.cfv.min_percolation_nm3);
    if (const auto* m = s.find("percolation"))
      c.sim.cfv.percolation =
          parse_percolation_criterion(read_string(*m, s.key("percolation")), s.key("percolation"));
    if (const auto* m = s.find("measure"))
      c.sim.cfv.measure = parse_cfv_measure(read_string(*m, s.key("measure")), s.key("measure"));
  }
  {
    KmcParams& k = c.sim.kmc;
    const Section s =
        sub("kmc", {"engine", "selector", "max_step_kT_fraction", "resolve_every_events",
                    "drift_tolerance", "max_avalanche_per_voxel", "max_events_per_voxel",
                    "block_voxels", "near_field_voxels", "horizon_kT"});
    if (const auto* n = s.find("engine"))
      k.engine = parse_engine_kind(read_string(*n, "kmc.engine"), "kmc.engine");
    if (const auto* n = s.find("selector"))
      k.selector = parse_selector_kind(read_string(*n, "kmc.selector"), "kmc.selector");
    s.read("max_step_kT_fraction", k.max_step_kT_fraction);
    s.read("resolve_every_events", k.resolve_every_events);
    s.read("drift_tolerance", k.drift_tolerance);
    s.read("max_avalanche_per_voxel", k.max_avalanche_per_voxel);
    s.read("max_events_per_voxel", k.max_events_per_voxel);
    s.read("block_voxels", k.block_voxels);
    s.read("near_field_voxels", k.near_field_voxels);
    s.read("horizon_kT", k.horizon_kT);
  }
  {
    OutputParams& o = c.sim.output;
    const Section s = sub(
        "output", {"stats_every_strain", "snapshots_at_strain", "fields", "checkpoint_every_s"});
    s.read("stats_every_strain", o.stats_every_strain);
    s.read("checkpoint_every_s", o.checkpoint_every_s);
    if (const auto* n = s.find("snapshots_at_strain")) {
      o.snapshots_at_strain = read_double_list(*n, "output.snapshots_at_strain",
                                               "a list of control strains, e.g. [0.03, 0.05]");
    } else {
      // Default snapshots adapt to a short run; explicit ones beyond max_strain are an error.
      std::erase_if(o.snapshots_at_strain, [&](double e) { return e > c.sim.loading.max_strain; });
    }
    if (const auto* n = s.find("fields")) {
      o.fields = read_string_list(*n, "output.fields", "a list of field names");
      std::set<std::string> seen;
      for (const auto& f : o.fields)
        if (!seen.insert(f).second)
          throw ConfigError("output.fields", printable(f), "each field at most once");
    }
  }
  {
    const Section s = sub("ensemble", {"seeds"});
    if (const auto* n = s.find("seeds"))
      c.ensemble.seeds = static_cast<int>(read_integer(*n, "ensemble.seeds", 1, kMaxEnsembleSeeds));
  }
  read_sweep(section("sweep"), c.sweep);

  c.sim.validate();
  c.sim.mro.validate(grid_from_params(c.sim.grid));
  return c;
}

/// Converts every sweep member (each combination of values applied to the document) so a bad
/// value fails now, not halfway through a sweep.
void validate_sweep_members(const YAML::Node& root, const RunConfig& c,
                            const std::filesystem::path& base_dir) {
  const SweepParams& sweep = c.sweep;
  if (sweep.keys.empty()) return;
  std::vector<std::size_t> counter(sweep.keys.size(), 0);
  while (true) {
    YAML::Node member = YAML::Clone(root);
    member.remove("sweep");
    std::string where;
    try {
      for (std::size_t k = 0; k < sweep.keys.size(); ++k) {
        const std::string& text = sweep.values[k][counter[k]];
        where += (k ? ", " : "") + sweep.keys[k] + "=" + text;
        set_path(member, split_key(sweep.keys[k]), YAML::Load(text));
      }
      convert(member, base_dir);
    } catch (const ConfigError& e) {
      throw ConfigError("sweep.values", where, std::string("a valid member: ") + e.what());
    } catch (const YAML::Exception& e) {
      throw ConfigError("sweep.values", where, std::string("a valid member: ") + e.what());
    }
    std::size_t k = 0;
    for (; k < counter.size(); ++k) {
      if (++counter[k] < sweep.values[k].size()) break;
      counter[k] = 0;
    }
    if (k == counter.size()) break;
  }
}

RunConfig parse_document(YAML::Node root, const std::vector<std::string>& overrides,
                         const std::string& origin, const std::filesystem::path& base_dir) {
  try {
    for (const auto& text : overrides) {
      const Override o = parse_override(text);
      set_path(root, o.parts, o.value);
    }
    std::size_t budget = kMaxNodes;
    check_complexity(root, "", 0, budget);
    RunConfig c = convert(root, base_dir);
    validate_sweep_members(root, c, base_dir);
    return c;
  } catch (const YAML::Exception& e) {
    throw IoError(syntax_error(origin, e));
  }
}

// ---------------------------------------------------------------------------------------------
// Resolved YAML

/// Shortest text that reads back as the same double, in a form YAML 1.1 and 1.2 readers both
/// take as a float ("300.0", "1.0e-4", "92.1").
std::string format_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  const std::string s(buffer, result.ptr);
  const auto e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  if (e == std::string::npos) return mantissa;
  std::string exponent = s.substr(e + 1);
  const char sign = exponent[0] == '-' ? '-' : '+';
  if (exponent[0] == '-' || exponent[0] == '+') exponent.erase(0, 1);
  exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
  return mantissa + "e" + sign + exponent;
}

std::string format_doubles(const std::vector<double>& values) {
  std::vector<std::string> items;
  for (double v : values) items.push_back(format_double(v));
  return "[" + join(items) + "]";
}

std::string format_strings(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const auto& v : values) items.push_back(yaml_string(v));
  return "[" + join(items) + "]";
}

}  // namespace

Grid grid_from_params(const GridParams& params) {
  params.validate();
  const auto& s = params.shape;
  return s.size() == 2 ? Grid({s[0], s[1], 1}, 2, params.voxel_nm)
                       : Grid({s[0], s[1], s[2]}, 3, params.voxel_nm);
}

RunConfig parse_config(const std::string& yaml_text, const std::vector<std::string>& overrides,
                       const std::string& origin) {
  return parse_document(load_document(yaml_text, origin), overrides, origin, {});
}

RunConfig load_config(const std::filesystem::path& yaml_file,
                      const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(yaml_file, ec))
    throw IoError("cannot read config " + yaml_file.string() + ": it is a directory");
  std::ifstream in(yaml_file, std::ios::binary);
  if (!in) throw IoError("cannot read config " + yaml_file.string() + ": no such readable file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError("cannot read config " + yaml_file.string());
  const std::string origin = yaml_file.string();
  std::filesystem::path base = yaml_file.parent_path();
  if (base.empty()) base = ".";
  return parse_document(load_document(text.str(), origin), overrides, origin, base);
}

std::string resolved_config_yaml(const RunConfig& c) {
  const SimulationParams& p = c.sim;
  const ModelParams& m = p.model;
  std::ostringstream y;
  auto line = [&](int indent, const std::string& key, const std::string& value) {
    y << std::string(static_cast<std::size_t>(indent), ' ') << key << ":"
      << (value.empty() ? "" : " " + value) << "\n";
  };
  y << "# libstz run configuration, fully resolved: every key with its value, defaults included.\n";
  line(0, "run", "");
  line(2, "seed", std::to_string(p.seed));
  line(2, "output_dir", yaml_string(c.output_dir));
  line(2, "max_memory_GB", format_double(c.max_memory_GB));
  line(0, "grid", "");
  {
    std::vector<std::string> shape;
    for (int e : p.grid.shape) shape.push_back(std::to_string(e));
    line(2, "shape", "[" + join(shape) + "]");
  }
  line(2, "voxel_nm", format_double(p.grid.voxel_nm));
  line(0, "material", "");
  line(2, "youngs_GPa", format_double(p.material.youngs_GPa));
  line(2, "poisson", format_double(p.material.poisson));
  line(2, "temperature_K", format_double(m.temperature_K));
  line(0, "loading", "");
  line(2, "mode", to_string(p.loading.mode));
  line(2, "strain_rate_per_s", format_double(p.loading.strain_rate_per_s));
  line(2, "max_strain", format_double(p.loading.max_strain));
  line(2, "axis",
       std::to_string(p.loading.axis) + (p.loading.axis < 0 ? "  # last grid axis" : ""));
  line(0, "stz", "");
  line(2, "attempt_frequency_per_s", format_double(m.attempt_frequency_per_s));
  line(2, "gamma0", format_double(m.gamma0));
  line(2, "dilatation", format_double(m.dilatation));
  line(2, "residual_strain_std", format_double(m.residual_strain_std));
  line(2, "cluster", "");
  line(4, "shape", to_string(m.cluster.shape));
  line(4, "radius_nm", format_double(m.cluster.radius_nm));
  line(4, "edge_voxels", std::to_string(m.cluster.edge_voxels));
  line(4, "thickness_nm",
       format_double(m.cluster.thickness_nm) +
           (m.cluster.thickness_nm == 0.0 ? "  # one voxel edge" : ""));
  line(4, "attempt_scaling", to_string(m.cluster.attempt_scaling));
  line(4, "barrier_disorder", to_string(m.cluster.barrier_disorder));
  line(0, "types", "");
  for (const auto& t : m.types) {
    line(2, t.name, "");
    std::string modes = std::to_string(t.modes);
    if (t.modes == 0) {
      modes += "  # round(20/order)";
      try {
        modes += " = " + std::to_string(t.resolved_modes());
      } catch (const Error&) {
      }
    }
    line(4, "modes", modes);
    line(4, "order", format_double(t.order));
    line(4, "barrier_eV", format_double(t.barrier_eV));
    line(4, "barrier_spread", format_double(t.barrier_spread));
    line(4, "orientation", to_string(t.orientation));
    line(4, "redraw_barrier", t.redraw_barrier ? "true" : "false");
    line(4, "reverse_modes", t.reverse_modes ? "true" : "false");
    std::string scale = format_double(t.softening_scale);
    if (t.softening_scale == 0.0) scale += "  # 1/order = " + format_double(t.order_scale());
    line(4, "softening_scale", scale);
  }
  const FreeVolumeParams& f = m.free_volume;
  line(0, "free_volume", "");
  line(2, "permanent_per_event", format_double(f.permanent_per_event));
  line(2, "transient_per_event", format_double(f.transient_per_event));
  line(2, "permanent_max", format_double(f.permanent_max));
  line(2, "annealing_barrier_eV", format_double(f.annealing_barrier_eV));
  line(2, "softening_coefficient", format_double(f.softening_coefficient));
  line(2, "max_barrier_drop", format_double(f.max_barrier_drop));
  line(0, "mro", "");
  line(2, "fraction", format_double(p.mro.fraction));
  line(2, "composition", p.mro.composition.empty() ? "{}" : "");
  for (const auto& comp : p.mro.composition) {
    STZ_REQUIRE(comp.type >= 0 && static_cast<std::size_t>(comp.type) < m.types.size(),
                "composition type index ", comp.type, " without a type");
    line(4, m.types[static_cast<std::size_t>(comp.type)].name, format_double(comp.weight));
  }
  line(2, "diameter_nm", "");
  line(4, "mean", format_double(p.mro.diameter_mean_nm));
  line(4, "sd", format_double(p.mro.diameter_sd_nm));
  line(2, "mixing", to_string(p.mro.mixing));
  if (c.mro_map) {
    line(2, "map", "");
    line(4, "file", yaml_string(c.mro_map->file));
    line(4, "dataset", yaml_string(c.mro_map->dataset));
    line(4, "labels", c.mro_map->labels.empty() ? "{}" : "");
    for (const auto& [label, type] : c.mro_map->labels)
      line(6, std::to_string(label), yaml_string(type));
    line(4, "pixel_nm", format_double(c.mro_map->pixel_nm));
  }
  line(0, "cfv", "");
  line(2, "threshold", format_double(p.cfv.threshold));
  line(2, "smoothing_window", std::to_string(p.cfv.smoothing_window));
  line(2, "resample_points", std::to_string(p.cfv.resample_points));
  line(2, "min_percolation_nm3", format_double(p.cfv.min_percolation_nm3));
  line(2, "measure", to_string(p.cfv.measure));
  line(2, "percolation", to_string(p.cfv.percolation));
  line(0, "kmc", "");
  line(2, "engine", to_string(p.kmc.engine));
  line(2, "selector", to_string(p.kmc.selector));
  line(2, "max_step_kT_fraction", format_double(p.kmc.max_step_kT_fraction));
  line(2, "resolve_every_events", std::to_string(p.kmc.resolve_every_events));
  line(2, "drift_tolerance", format_double(p.kmc.drift_tolerance));
  line(2, "max_avalanche_per_voxel", format_double(p.kmc.max_avalanche_per_voxel));
  line(2, "max_events_per_voxel", format_double(p.kmc.max_events_per_voxel));
  // The fast engine's geometry as it will run (0 = automatic resolved for this grid).
  const int dimension = static_cast<int>(p.grid.shape.size());
  line(2, "block_voxels", std::to_string(p.kmc.resolved_block_voxels(dimension)));
  line(2, "near_field_voxels", format_double(p.kmc.resolved_near_field_voxels(dimension)));
  line(2, "horizon_kT", format_double(p.kmc.horizon_kT));
  line(0, "output", "");
  line(2, "stats_every_strain", format_double(p.output.stats_every_strain));
  line(2, "snapshots_at_strain", format_doubles(p.output.snapshots_at_strain));
  line(2, "fields", format_strings(p.output.fields));
  line(2, "checkpoint_every_s", format_double(p.output.checkpoint_every_s));
  line(0, "ensemble", "");
  line(2, "seeds", std::to_string(c.ensemble.seeds));
  line(0, "sweep", "");
  const SweepParams& s = c.sweep;
  if (s.keys.size() == 1 && s.values.size() == 1) {
    line(2, "key", yaml_string(s.keys[0]));
    line(2, "values", "[" + join(s.values[0]) + "]");
  } else {
    line(2, "keys", format_strings(s.keys));
    std::vector<std::string> lists;
    for (const auto& v : s.values) lists.push_back("[" + join(v) + "]");
    line(2, "values", "[" + join(lists) + "]");
  }
  return y.str();
}

namespace {

bool is_hdf5_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in.gcount() == 8 && std::string(magic, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}

LabelImage read_label_dataset(const MroMapImport& map) {
  const Hdf5Reader reader(map.file);
  if (!reader.exists(map.dataset))
    throw ConfigError("mro.map.dataset", map.dataset, "a dataset of " + map.file);
  const auto dims = reader.dims(map.dataset);
  if (dims.size() != 2 && dims.size() != 3)
    throw ConfigError("mro.map.dataset", map.dataset,
                      "an integer dataset of rank 2 (nx, ny) or 3 (nx, ny, nz); it has rank " +
                          std::to_string(dims.size()));
  LabelImage image;
  image.dimension = static_cast<int>(dims.size());
  for (std::size_t a = 0; a < dims.size(); ++a) {
    if (dims[a] < 1 || dims[a] > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw ConfigError("mro.map.dataset", map.dataset, "a non-empty label map");
    image.shape[a] = static_cast<int>(dims[a]);
  }
  if (!reader.is_integer_dataset(map.dataset))
    throw ConfigError("mro.map.dataset", map.dataset,
                      "an INTEGER label dataset; this one holds floating-point values, which "
                      "would be truncated (write it with an integer dtype, e.g. numpy "
                      "labels.astype(\"int32\"))");
  image.labels = reader.read_integers(map.dataset);
  return image;
}

/// Structure errors use the structure module's keys; the config names them mro.map.*.
[[noreturn]] void rethrow_with_config_key(const ConfigError& e) {
  std::string key = e.key();
  if (key == "mro.labels")
    key = "mro.map.labels";
  else if (key == "mro.map_pixel_nm")
    key = "mro.map.pixel_nm";
  else if (key == "mro.map")
    key = "mro.map.file";
  throw ConfigError(key, e.value(), e.allowed());
}

}  // namespace

StructureMap structure_from_label_map(const RunConfig& config, const LabelImage& image,
                                      const std::map<std::int64_t, std::string>& labels,
                                      double pixel_nm) {
  if (config.sim.mro.fraction != 0.0)
    throw ConfigError("mro.fraction", to_display(config.sim.mro.fraction),
                      "0 when a label map is given (the map sets the MRO fraction)");
  if (!std::isfinite(pixel_nm) || pixel_nm < 0.0)
    throw ConfigError("mro.map.pixel_nm", to_display(pixel_nm),
                      "a pixel edge in nm >= 0 (0 stretches the map over the box)");
  if (labels.empty())
    throw ConfigError("mro.map.labels", "{}",
                      "a map {label: type name}, e.g. {0: matrix, 1: mro_a}");
  const Grid grid = grid_from_params(config.sim.grid);
  std::map<std::int64_t, int> label_to_type;
  for (const auto& [label, name] : labels)
    label_to_type[label] =
        defined_type(config.sim.model, name, "mro.map.labels." + std::to_string(label));
  try {
    return structure_from_labels(grid, image, label_to_type, pixel_nm, config.sim.seed);
  } catch (const ConfigError& e) {
    rethrow_with_config_key(e);
  }
}

StructureMap build_structure(const RunConfig& config) {
  const Grid grid = grid_from_params(config.sim.grid);
  if (!config.mro_map) {
    if (config.sim.mro.fraction <= 0.0) return make_matrix_structure(grid);
    return make_synthetic_mro_map(grid, config.sim.mro, config.sim.seed);
  }
  const MroMapImport& map = config.mro_map.value();
  if (!std::filesystem::exists(map.file))
    throw IoError("mro.map.file: cannot read " + map.file + ": no such file");
  const LabelImage image =
      is_hdf5_file(map.file) ? read_label_dataset(map) : read_label_image(map.file);
  return structure_from_label_map(config, image, map.labels, map.pixel_nm);
}

std::vector<std::string> imported_map_report(const RunConfig& config,
                                             const StructureMap& structure) {
  if (!config.mro_map) return {};
  const MroMapImport& map = config.mro_map.value();
  const LabelImage image =
      is_hdf5_file(map.file) ? read_label_dataset(map) : read_label_image(map.file);
  const Grid grid = grid_from_params(config.sim.grid);
  const int d = grid.dimension();
  std::vector<std::string> lines;
  auto fixed = [](double v, int digits) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
  };
  std::string size, box, map_nm;
  for (int a = 0; a < d; ++a) {
    const std::string x = a ? " x " : "";
    size += x + std::to_string(image.shape[static_cast<std::size_t>(a)]);
    box += x + fixed(grid.extent(a) * grid.voxel_nm(), 2);
    map_nm += x + fixed(image.shape[static_cast<std::size_t>(a)] * map.pixel_nm, 2);
  }
  std::string head = "imported map " + map.file + ": " + size + " pixels, ";
  if (map.pixel_nm > 0)
    head += "pixel " + to_display(map.pixel_nm) + " nm (map " + map_nm + " nm on a box of " + box +
            " nm)";
  else
    head += "pixel_nm 0: stretched over the box (" + box + " nm)";
  lines.push_back(head);
  std::map<int, std::size_t> count;
  for (auto t : structure.type) ++count[t];
  std::string types = "voxel fraction per type:";
  bool first = true;
  for (const auto& [t, c] : count) {
    types += std::string(first ? " " : ", ") +
             config.sim.model.types[static_cast<std::size_t>(t)].name + " " +
             fixed(100.0 * static_cast<double>(c) / static_cast<double>(structure.type.size()), 1) +
             " %";
    first = false;
  }
  lines.push_back(types + "; " + std::to_string(structure.domains.size()) + " MRO domains");
  if (map.pixel_nm > 0)
    for (int a = 0; a < d; ++a) {
      const double tiles = grid.extent(a) * grid.voxel_nm() /
                           (image.shape[static_cast<std::size_t>(a)] * map.pixel_nm);
      if (tiles > 1.5)
        lines.push_back("warning: mro.map.pixel_nm = " + to_display(map.pixel_nm) + ": the map (" +
                        map_nm + " nm) tiles the box " + fixed(tiles, 1) + " times along axis " +
                        std::to_string(a) + ": its domains repeat periodically");
    }
  return lines;
}

std::string yaml_double_quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace stz
