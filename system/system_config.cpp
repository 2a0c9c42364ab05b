#include "system/system_config.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include "arch/schema_fields.h"
#include "arch/schema_tree.h"
#include "base/files.h"
#include "configs/embedded.h"
#include "driver/driver.h"

namespace npusim::system {

namespace {

using Field = arch::BasicField<SystemConfig>;
using Schema = arch::BasicSchema<SystemConfig>;
using arch::fields::above;
using arch::fields::at_least;
using arch::fields::at_most;
using arch::fields::optional;

template <class Acc>
Field integer(std::string path, std::string unit, std::string doc, Acc acc) {
  return arch::fields::integer<SystemConfig>(std::move(path), std::move(unit), std::move(doc), acc);
}
template <class Acc>
Field real(std::string path, std::string unit, std::string doc, Acc acc) {
  return arch::fields::real<SystemConfig>(std::move(path), std::move(unit), std::move(doc), acc);
}
template <class Acc>
Field text(std::string path, std::string doc, Acc acc) {
  return arch::fields::text<SystemConfig>(std::move(path), std::move(doc), acc);
}
template <class Acc>
Field choice(std::string path, std::vector<std::string> choices, std::string doc, Acc acc) {
  return arch::fields::choice<SystemConfig>(std::move(path), std::move(choices), std::move(doc), acc);
}

std::vector<Field> build_fields() {
  std::vector<Field> F;
  auto add = [&F](Field&& f) { F.push_back(std::move(f)); };
  add(text("name", "Short name of the system, used in reports.", [](auto& c) -> auto& { return c.name; }));
  add(optional(text("description", "Free text: what the system is and where its figures come from.",
                    [](auto& c) -> auto& { return c.description; }),
               "empty"));
  add(text("chip",
           "The chip: an architecture preset (npusim presets) or an architecture YAML file, NPU or GPU; --arch "
           "replaces it.",
           [](auto& c) -> auto& { return c.chip; }));
  add(at_most(at_least(integer("nodes", "", "Number of nodes (servers, boards).", [](auto& c) -> auto& { return c.nodes; }), 1),
              1 << 20));
  add(at_most(at_least(integer("chips_per_node", "", "Chips in each node.", [](auto& c) -> auto& { return c.chips_per_node; }), 1),
              4096));
  add(choice("intra_node.fabric", {"switch", "ring", "torus"},
             "How a node's chips are wired: switch (each chip a port on one non-blocking switch, e.g. NVSwitch), "
             "ring (each chip linked to two neighbours), torus (intra_node.shape).",
             [](auto& c) -> auto& { return c.intra_node.fabric; }));
  add(optional(text("intra_node.shape", "Torus only: its sizes, e.g. 2x2x2 (their product is chips_per_node).",
                    [](auto& c) -> auto& { return c.intra_node.shape_text; }),
               "the fabric is not a torus"));
  add(at_most(above(real("intra_node.bandwidth_gb_per_s", "GB/s",
                         "Per chip, per direction: a switch port, or all of a chip's ring/torus links together "
                         "(1 GB = 1e9 B).",
                         [](auto& c) -> auto& { return c.intra_node.bandwidth_gb_per_s; }),
                    0),
              1e6));
  add(at_most(at_least(real("intra_node.latency_us", "us",
                            "Latency of a message: once through the switch, or per hop on a ring or torus.",
                            [](auto& c) -> auto& { return c.intra_node.latency_us; }),
                       0),
              1e6));
  add(choice("inter_node.topology", {"fat_tree", "rail_optimized", "torus"},
             "How nodes are wired: fat_tree (non-blocking: any NIC reaches any NIC), rail_optimized (NIC k of "
             "every node on rail switch k; other rails through a peer chip), torus (inter_node.shape, neighbour "
             "links).",
             [](auto& c) -> auto& { return c.inter_node.topology; }));
  add(optional(text("inter_node.shape", "Torus only: its sizes, e.g. 4x4x4 (their product is nodes).",
                    [](auto& c) -> auto& { return c.inter_node.shape_text; }),
               "the topology is not a torus"));
  add(at_most(at_least(integer("inter_node.nics_per_node", "NICs",
                               "Network ports of a node (fat tree, rails); bandwidth_gb_per_s is split over them.",
                               [](auto& c) -> auto& { return c.inter_node.nics_per_node; }),
                       1),
              4096));
  add(at_most(above(real("inter_node.bandwidth_gb_per_s", "GB/s",
                         "Per node, per direction: all its NICs together, or all its torus links together.",
                         [](auto& c) -> auto& { return c.inter_node.bandwidth_gb_per_s; }),
                    0),
              1e7));
  add(at_most(at_least(real("inter_node.latency_us", "us",
                            "Latency of a message between nodes: once (fat tree, rails) or per hop (torus).",
                            [](auto& c) -> auto& { return c.inter_node.latency_us; }),
                       0),
              1e6));
  return F;
}

const Schema& system_schema() {
  static const Schema schema(build_fields());
  return schema;
}

std::vector<Override> overrides_of(const std::vector<std::string>& sets) {
  std::vector<Override> v;
  for (const auto& s : sets) v.push_back(parse_override(s));
  return v;
}

// Validates `root` (overrides applied) without the chip; fills diags.
std::shared_ptr<SystemConfig> validate(const RawNode& root, std::vector<Diagnostic>& diags) {
  const Schema& schema = system_schema();
  const std::size_t first = diags.size();
  if (root.kind != RawNode::Kind::Map) {
    diags.push_back({root.loc, "", fmt::format("expected a map of keys at the top level, got {}", root.kind_name())});
    return nullptr;
  }
  arch::KeyWalker<Schema> w{schema, diags, {}, {}};
  w.walk(root, "");
  auto cfg = std::make_shared<SystemConfig>();
  cfg->origin = root.loc.file;
  const auto given = arch::parse_leaves(schema, w, *cfg, diags);
  arch::report_missing_required(schema, w, diags);
  auto has = [&](const char* p) { return given.count(p) > 0; };
  auto add = [&](const std::string& path, std::string msg) { diags.push_back({w.loc_of(path), path, std::move(msg)}); };

  // Shapes: required for a torus, meaningless otherwise, and they must multiply out.
  auto shape = [&](const char* path, const std::string& text, bool torus, std::int64_t count, const char* of,
                   std::vector<std::int32_t>& out) {
    const bool present = w.leaves.count(path) > 0;
    if (!torus) {
      if (present) add(path, "only meaningful for a torus");
      return;
    }
    if (!present) {
      add(path, "missing key (required for a torus)");
      return;
    }
    auto s = parse_shape(text);
    if (!s) {
      add(path, fmt::format("expected sizes like 4x4x4, got '{}'", text));
      return;
    }
    std::int64_t prod = 1;
    for (std::int32_t d : *s) prod *= d;
    if (prod != count) {
      add(path, fmt::format("{} has {} positions but {} is {}", text, prod, of, count));
      return;
    }
    out = *s;
  };
  if (has("intra_node.fabric") && has("chips_per_node"))
    shape("intra_node.shape", cfg->intra_node.shape_text, cfg->intra_node.fabric == IntraFabric::Torus,
          cfg->chips_per_node, "chips_per_node", cfg->intra_node.shape);
  if (has("inter_node.topology") && has("nodes"))
    shape("inter_node.shape", cfg->inter_node.shape_text, cfg->inter_node.topology == InterTopology::Torus, cfg->nodes,
          "nodes", cfg->inter_node.shape);
  if (diags.size() != first) return nullptr;
  return cfg;
}

std::string presets_list() {
  std::string s;
  for (const auto& p : system_presets()) s += fmt::format("{}{}", s.empty() ? "" : ", ", p.name);
  return s;
}

}  // namespace

std::optional<std::vector<std::int32_t>> parse_shape(std::string_view text) {
  std::vector<std::int32_t> out;
  while (true) {
    const std::size_t x = text.find('x');
    const std::string_view part = text.substr(0, x);
    std::int32_t v = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || v < 1) return std::nullopt;
    out.push_back(v);
    if (x == std::string_view::npos) break;
    text = text.substr(x + 1);
  }
  return out;
}

SystemConfigPtr load_system(std::string_view yaml, const std::string& source, const SystemRequest& r) {
  RawNode root = parse_yaml(yaml, source);
  const std::vector<Override> ov = overrides_of(r.sets);
  arch::check_override_paths(system_schema(), std::span<const Override>(ov), "--set system.");
  for (const auto& o : ov) apply_override(root, o);
  std::vector<Diagnostic> diags;
  std::shared_ptr<SystemConfig> cfg = validate(root, diags);
  if (!cfg) throw ValidationError(std::move(diags));
  for (const auto& o : ov) cfg->origin += " --set system." + o.text();
  if (!r.arch.empty()) cfg->chip = r.arch;
  cfg->arch = driver::load_arch(cfg->chip, r.arch_sets);
  return cfg;
}

SystemConfigPtr load_system(const SystemRequest& r) {
  const std::string name = r.system.empty() ? std::string(kDefaultSystemPreset) : r.system;
  if (const EmbeddedText* p = find_system_preset(name)) return load_system(p->text, p->file, r);
  if (!std::ifstream(name))
    throw Error(fmt::format("unknown system '{}': not a preset ({}) nor a readable file", name, presets_list()));
  return load_system(read_file(name), name, r);
}

std::vector<Diagnostic> check_system(std::string_view yaml, const std::string& source) {
  std::vector<Diagnostic> diags;
  try {
    RawNode root = parse_yaml(yaml, source);
    auto cfg = validate(root, diags);
    if (cfg) (void)driver::load_arch(cfg->chip, {});
  } catch (const ValidationError& e) {
    diags.insert(diags.end(), e.all().begin(), e.all().end());
  } catch (const Error& e) {
    diags.push_back({SourceLoc{source, 0, 0}, "chip", e.what()});
  }
  return diags;
}

std::string to_yaml(const SystemConfig& s) { return arch::to_yaml(system_schema(), s); }

std::string system_schema_markdown() {
  std::vector<const arch::FieldSpec*> specs;
  for (const auto& f : system_schema().fields()) specs.push_back(&f);
  return arch::fields_markdown(specs);
}

}  // namespace npusim::system
