#include "arch/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "base/scalar_text.h"
#include "arch/schema.h"
#include "arch/schema_tree.h"
#include "arch/dram_standards.h"
#include "arch/technology.h"

namespace npusim::arch {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string did_you_mean(const std::vector<std::string>& names, std::string_view key) {
  std::string best;
  std::size_t best_d = 3;  // suggest only close matches
  for (const auto& n : names) {
    std::size_t d = edit_distance(n, key);
    if (d < best_d) best_d = d, best = n;
  }
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

std::string join_path(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

using text::parse_bool;
using text::parse_int;
using text::parse_real;

std::optional<FieldValue> parse_value(const FieldSpec& f, const Leaf& leaf, std::vector<Diagnostic>& diags) {
  const RawNode& v = *leaf.value;
  auto bad = [&](std::string msg) {
    diags.push_back({leaf.key_loc, f.path, std::move(msg)});
    return std::nullopt;
  };
  if (v.kind != RawNode::Kind::Scalar)
    return bad(fmt::format("expected {} {}, got {}", f.type == FieldType::Integer ? "an" : "a", f.type_name(),
                           v.kind_name()));
  const std::string& s = v.scalar;
  FieldValue out;
  double num = 0;
  switch (f.type) {
    case FieldType::Text: return FieldValue{s};
    case FieldType::Boolean: {
      bool b = false;
      if (!parse_bool(s, b)) return bad(fmt::format("expected true or false, got '{}'", s));
      return FieldValue{b};
    }
    case FieldType::Choice:
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end())
        return bad(fmt::format("must be {}, got '{}'", f.range_text(), s));
      return FieldValue{s};
    case FieldType::Integer: {
      std::int64_t i = 0;
      if (!parse_int(s, i)) {
        double d = 0;
        if (parse_real(s, d)) return bad(fmt::format("expected an integer, got {}", s));
        return bad(fmt::format("expected an integer, got '{}'", s));
      }
      out = i;
      num = static_cast<double>(i);
      break;
    }
    case FieldType::Real: {
      double d = 0;
      if (!parse_real(s, d)) return bad(fmt::format("expected a number, got '{}'", s));
      out = d;
      num = d;
      break;
    }
  }
  if (f.min && (f.min_exclusive ? !(num > *f.min) : !(num >= *f.min)))
    return bad(fmt::format("must be {} {}, got {}", f.min_exclusive ? ">" : ">=", *f.min, s));
  if (f.max && !(num <= *f.max)) return bad(fmt::format("must be <= {}, got {}", *f.max, s));
  return out;
}

std::string yaml_scalar(const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return fmt::format("{}", *i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  std::string out = "\"";
  for (char c : std::get<std::string>(v)) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

namespace {

// The DRAM: a generic one given by bandwidth and latency, or a standard one whose figures follow
// from its device, speed grade and organisation.
void check_dram(ArchConfig& cfg, const std::function<bool(const char*)>& present,
                const std::function<void(const std::string&, std::string)>& add) {
  DramConfig& d = cfg.dram;
  const char* generic_keys[] = {"dram.bandwidth_gb_per_s", "dram.latency_ns", "dram.capacity_gib"};
  const char* row_keys[] = {"dram.row_buffer.page_bytes", "dram.row_buffer.banks", "dram.row_buffer.miss_ns"};
  const char* standard_keys[] = {"dram.device", "dram.speed_grade", "dram.address_mapping", "dram.page_policy",
                                 "dram.scheduler", "dram.refresh"};
  const char* what_if_keys[] = {"dram.ranks", "dram.bank_groups", "dram.banks_per_group", "dram.page_cap"};
  if (!d.is_standard()) {
    for (const char* k : generic_keys)
      if (!present(k)) add(k, "missing required key (a generic DRAM needs it; or name a dram.standard)");
    int rb = 0;
    for (const char* k : row_keys) rb += present(k) ? 1 : 0;
    if (rb > 0 && rb < 3) add("dram.row_buffer", "give all of page_bytes, banks and miss_ns, or none");
    d.row_buffer.enabled = rb == 3;
    for (const char* k : standard_keys) if (present(k)) add(k, "only meaningful with a dram.standard (it is generic)");
    for (const char* k : what_if_keys) if (present(k)) add(k, "only meaningful with a dram.standard (it is generic)");
    return;
  }
  const std::string std_name(name_of(d.standard));
  for (const char* k : generic_keys)
    if (present(k)) add(k, fmt::format("not given for a {} DRAM: it follows from the device, speed grade and "
                                       "channels (remove it, or change those)", std_name));
  if (std::any_of(std::begin(row_keys), std::end(row_keys), present))
    add("dram.row_buffer", fmt::format("not given for a {} DRAM: its pages and banks follow from the device", std_name));
  bool missing = false;
  for (const char* k : standard_keys)
    if (!present(k)) add(k, fmt::format("missing key (required for a {} DRAM)", std_name)), missing = true;
  if (missing) return;
  const DramStandardSpec& spec = dram_standard(d.standard);
  if (!find_dram_part(d.standard, d.device, d.speed_grade)) {
    std::string known;
    const auto devices = dram_devices(d.standard);
    if (std::find(devices.begin(), devices.end(), d.device) == devices.end()) {
      for (const auto& n : devices) known += (known.empty() ? "" : ", ") + n;
      add("dram.device", fmt::format("unknown {} device '{}' (known: {})", std_name, d.device, known));
    } else {
      for (const auto& n : dram_grades(d.standard, d.device)) known += (known.empty() ? "" : ", ") + n;
      add("dram.speed_grade", fmt::format("unknown speed grade '{}' for {} (known: {})", d.speed_grade, d.device, known));
    }
    return;
  }
  if (present("dram.ranks") && spec.level("Rank") < 0)
    add("dram.ranks", fmt::format("{} has no ranks", std_name));
  if (d.page_policy == PagePolicy::ClosedCap && !present("dram.page_cap"))
    add("dram.page_cap", "missing key (required when dram.page_policy is closed_cap)");
  if (d.page_policy == PagePolicy::Open && present("dram.page_cap"))
    add("dram.page_cap", "only meaningful when dram.page_policy is closed_cap");
  auto pow2 = [](std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; };
  const std::pair<const char*, std::int32_t*> counts[] = {
      {"dram.ranks", &d.ranks}, {"dram.bank_groups", &d.bank_groups}, {"dram.banks_per_group", &d.banks_per_group}};
  for (const auto& [k, v] : counts)
    if (present(k) && !pow2(*v)) add(k, fmt::format("must be a power of two (Ramulator's address mapping), got {}", *v));
  if (present("dram.bank_groups") && spec.level("BankGroup") < 0)
    add("dram.bank_groups", fmt::format("{} has no bank groups", std_name));
  // absent: the device's organisation (the effective configuration states it)
  const DramPart& part = *find_dram_part(d.standard, d.device, d.speed_grade);
  const char* levels[] = {"Rank", "BankGroup", "Bank"};
  for (std::size_t i = 0; i < 3; ++i) {
    const int l = spec.level(levels[i]);
    if (!present(counts[i].first)) *counts[i].second = l >= 0 ? part.count[static_cast<std::size_t>(l)] : 0;
  }
  d.timing = derive_dram_timing(d);
  const DramTiming& t = d.timing;
  if (d.refresh == DramRefresh::PerBank && t.refi_pb_ns <= 0)
    add("dram.refresh", fmt::format("{} has no per-bank refresh in Ramulator 2: use all_bank", std_name));
  if (d.interleave_bytes < t.tx_bytes || !pow2(d.interleave_bytes))
    add("dram.interleave_bytes", fmt::format("must be a power of two of at least one {} request ({} B), got {}", std_name,
                                             t.tx_bytes, d.interleave_bytes));
  d.bandwidth_gb_per_s = d.channels * t.buses * t.bus_gb_per_s;
  d.latency_ns = t.rcd_ns + t.cl_ns;
  d.capacity_gib = double(d.channels) * t.buses * t.banks_per_bus * double(t.rows) * double(t.page_bytes) /
                   double(1ull << 30);
  d.row_buffer.enabled = true;
  d.row_buffer.page_bytes = static_cast<std::int32_t>(t.page_bytes);
  d.row_buffer.banks = t.buses * t.banks_per_bus;
  d.row_buffer.miss_ns = t.rp_ns + t.rcd_ns;
}

}  // namespace

void check_override_paths(std::span<const Override> overrides) { check_override_paths(arch_schema(), overrides); }

ArchConfigPtr validate(const RawNode& root, std::vector<Diagnostic>& diags) {
  const Schema& schema = arch_schema();
  std::size_t first = diags.size();
  if (root.kind != RawNode::Kind::Map) {
    diags.push_back({root.loc, "", fmt::format("expected a map of keys at the top level, got {}", root.kind_name())});
    return nullptr;
  }
  KeyWalker<Schema> w{schema, diags, {}, {}};
  w.walk(root, "");

  auto cfg = std::make_shared<ArchConfig>();
  cfg->origin = root.loc.file;
  // Pass 1: parse every present leaf (the fields with a valid value).
  const std::map<std::string, bool> given = parse_leaves(schema, w, *cfg, diags);

  // Technology nodes named for defaults.
  std::map<std::string, const TechnologyNode*> tech;
  for (const char* group : {"energy", "area"}) {
    std::string key = fmt::format("{}.technology", group);
    auto it = w.leaves.find(key);
    if (it == w.leaves.end() || !given.count(key)) continue;
    const std::string& name = it->second.value->scalar;
    if (const TechnologyNode* n = find_technology(name)) {
      tech[group] = n;
    } else {
      std::string known;
      for (const auto& k : technology_names()) known += fmt::format("{}{}", known.empty() ? "" : ", ", k);
      diags.push_back({it->second.key_loc, key, fmt::format("unknown technology '{}' (known: {})", name, known)});
    }
  }

  auto loc_of = [&](const std::string& path) { return w.loc_of(path); };

  // Pass 2: absent keys: required, optional or filled from a technology node.
  report_missing_required(schema, w, diags);
  for (const auto& f : schema.fields()) {
    if (w.leaves.count(f.path)) continue;
    switch (f.presence) {
      case Presence::Required:
      case Presence::Optional: break;
      case Presence::TechDefault: {
        bool needed = !f.for_dtype || cfg->datatypes.supports(*f.for_dtype);
        auto t = tech.find(f.tech_group);
        std::string rel = f.path.substr(f.tech_group.size() + 1);
        if (t != tech.end()) {
          const auto& table = f.tech_group == "energy" ? t->second->energy : t->second->area;
          auto v = table.find(rel);
          if (v != table.end()) {
            f.set(*cfg, v->second);
            break;
          }
        }
        if (needed)
          diags.push_back({w.where_missing(f.path), f.path,
                           fmt::format("missing key (or name a node in {}.technology for its default)", f.tech_group)});
        break;
      }
    }
  }

  // Pass 3: relations between keys. Skipped where a key they need is already reported.
  auto has = [&](const char* p) { return given.count(p) > 0; };
  auto add = [&](const std::string& path, std::string msg) { diags.push_back({loc_of(path), path, std::move(msg)}); };

  bool any_dtype = false;
  for (DType t : kOperandDTypes) any_dtype |= cfg->datatypes.supports(t);
  if (!any_dtype)
    add("datatypes.macs_per_pe_per_cycle", "no operand datatype is supported (every macs_per_pe_per_cycle is 0)");
  if (has("datatypes.default") && !cfg->datatypes.supports(cfg->datatypes.default_dtype))
    add("datatypes.default", fmt::format("the PE does not support {} (datatypes.macs_per_pe_per_cycle.{} is 0)",
                                         name_of(cfg->datatypes.default_dtype), name_of(cfg->datatypes.default_dtype)));

  if (has("core.pe_array.fold_overlap") && has("core.pe_array.stationary_double_buffer") &&
      cfg->core.pe_array.fold_overlap && !cfg->core.pe_array.stationary_double_buffer)
    add("core.pe_array.fold_overlap",
        "requires core.pe_array.stationary_double_buffer: without shadow registers a fold cannot start before the "
        "previous one has drained");

  // Scratchpad: exactly one of size_kib or the three partitions.
  const bool unified = w.leaves.count("core.scratchpad.size_kib") > 0;
  int parts = 0;
  for (const char* p : {"core.scratchpad.partitions.inputs_kib", "core.scratchpad.partitions.weights_kib",
                        "core.scratchpad.partitions.outputs_kib"})
    parts += w.leaves.count(p) ? 1 : 0;
  if (unified && parts > 0)
    add("core.scratchpad.partitions", "give either core.scratchpad.size_kib or core.scratchpad.partitions, not both");
  else if (!unified && parts == 0)
    add("core.scratchpad.size_kib", "missing key (or give core.scratchpad.partitions)");
  else if (!unified && parts != 3)
    add("core.scratchpad.partitions", "give all of inputs_kib, weights_kib and outputs_kib");
  if (!unified && parts == 3) {
    auto& sp = cfg->core.scratchpad;
    sp.partitioned = true;
    sp.total_bytes = sp.inputs_bytes + sp.weights_bytes + sp.outputs_bytes;
  }

  // Mesh dimensions.
  const bool mesh = cfg->interconnect.topology == Topology::Mesh && has("interconnect.topology");
  for (const char* p : {"interconnect.mesh.rows", "interconnect.mesh.cols"}) {
    if (mesh && !w.leaves.count(p)) add(p, "missing key (required when interconnect.topology is mesh)");
    if (!mesh && w.leaves.count(p) && has("interconnect.topology"))
      add(p, fmt::format("only meaningful when interconnect.topology is mesh (it is {})",
                         name_of(cfg->interconnect.topology)));
  }
  if (mesh && has("interconnect.mesh.rows") && has("interconnect.mesh.cols") && has("cores") &&
      std::int64_t{cfg->interconnect.mesh_rows} * cfg->interconnect.mesh_cols != cfg->cores)
    add("interconnect.mesh.rows", fmt::format("mesh {} x {} has {} routers but cores is {}", cfg->interconnect.mesh_rows,
                                              cfg->interconnect.mesh_cols,
                                              std::int64_t{cfg->interconnect.mesh_rows} * cfg->interconnect.mesh_cols,
                                              cfg->cores));

  check_dram(*cfg, [&](const char* k) { return w.leaves.count(k) > 0; }, add);

  // GPU: every key or none.
  {
    int g = 0, total = 0;
    for (const Field& f : arch_schema().fields())
      if (f.path.starts_with("gpu.")) ++total, g += w.leaves.count(f.path) ? 1 : 0;
    if (g > 0 && g < total) add("gpu", fmt::format("give every gpu key or none ({} of {} given)", g, total));
    cfg->gpu.enabled = g == total;
    if (cfg->gpu.enabled) {
      const bool hopper = cfg->gpu.generation == GpuGeneration::Hopper;
      if (hopper && !(cfg->gpu.wgmma_fraction > 0))
        add("gpu.wgmma_fraction", "must be above 0 on a hopper GPU (its library kernels run wgmma)");
      if (!hopper && cfg->gpu.wgmma_fraction != 0)
        add("gpu.wgmma_fraction", fmt::format("must be 0 on a {} GPU (it has no warpgroup MMA)",
                                              name_of(cfg->gpu.generation)));
    }
  }

  // Buffers must hold the smallest tile the mapper can issue.
  if (diags.size() == first) {
    const auto& pe = cfg->core.pe_array;
    DType d = cfg->datatypes.default_dtype;
    MinTileBytes m = min_tile_bytes(pe, cfg->datatypes.macs(d), d, cfg->datatypes.accumulator);
    const auto& sp = cfg->core.scratchpad;
    auto too_small = [&](const std::string& path, std::int64_t have, std::int64_t need, const char* what) {
      if (have < need)
        add(path, fmt::format("must hold the smallest legal tile: {} needs {} bytes ({} for a {}x{} {} array, "
                              "double-buffered), got {} bytes",
                              what, need, name_of(d), pe.rows, pe.cols, name_of(pe.dataflow), have));
    };
    if (!sp.partitioned) {
      too_small("core.scratchpad.size_kib", sp.total_bytes, 2 * (m.a + m.b + m.out), "operands A, B and the output");
    } else {
      too_small("core.scratchpad.partitions.inputs_kib", sp.inputs_bytes, 2 * m.a, "operand A");
      too_small("core.scratchpad.partitions.weights_kib", sp.weights_bytes, 2 * m.b, "operand B");
      too_small("core.scratchpad.partitions.outputs_kib", sp.outputs_bytes, 2 * m.out, "the output");
    }
    too_small("core.accumulator_buffer.size_kib", cfg->core.accumulator_buffer.bytes, 2 * m.acc, "the partial sums");
  }

  if (diags.size() != first) return nullptr;
  return cfg;
}

std::vector<Diagnostic> check_arch(std::string_view yaml_text, const std::string& source,
                                   std::span<const Override> overrides) {
  std::vector<Diagnostic> diags;
  try {
    RawNode root = parse_yaml(yaml_text, source);
    check_override_paths(overrides);
    for (const auto& o : overrides) apply_override(root, o);
    validate(root, diags);
  } catch (const ValidationError& e) {
    diags.insert(diags.end(), e.all().begin(), e.all().end());
  } catch (const Error& e) {
    diags.push_back({SourceLoc{source, 0, 0}, "", e.what()});
  }
  return diags;
}

ArchConfigPtr load_arch(std::string_view yaml_text, const std::string& source, std::span<const Override> overrides) {
  RawNode root = parse_yaml(yaml_text, source);
  check_override_paths(overrides);
  for (const auto& o : overrides) apply_override(root, o);
  std::vector<Diagnostic> diags;
  ArchConfigPtr cfg = validate(root, diags);
  if (!cfg) throw ValidationError(std::move(diags));
  if (!overrides.empty()) {
    std::string origin = cfg->origin;
    for (const auto& o : overrides) origin += " --set " + o.text();
    auto copy = std::make_shared<ArchConfig>(*cfg);
    copy->origin = origin;
    return copy;
  }
  return cfg;
}

std::string to_yaml(const ArchConfig& cfg) { return to_yaml(arch_schema(), cfg); }

}  // namespace npusim::arch
