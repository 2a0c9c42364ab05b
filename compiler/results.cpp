#include "compiler/results.h"

#include <fmt/format.h>

#include "base/error.h"
#include "arch/raw_yaml.h"
#include "arch/schema.h"
#include "npusim_version.h"

namespace npusim::compiler {

using nlohmann::json;

namespace {

template <class E, std::size_t N>
E enum_from(const std::string& s, const char* what, std::string_view (*name)(E)) {
  for (std::size_t i = 0; i < N; ++i)
    if (name(static_cast<E>(i)) == s) return static_cast<E>(i);
  throw Error(fmt::format("results: unknown {} '{}'", what, s));
}

std::string_view dim_name(Dim d) { return name_of(d); }

}  // namespace

StatContext RunResult::context() const {
  StatContext c;
  c.peak_macs_per_cycle = double(arch->peak_macs_per_cycle(dtype));
  c.cycle_ns = arch->cycle_ns();
  c.clock_mhz = arch->clock_mhz;
  c.batch = batch;
  c.tokens = tokens;
  c.area_mm2 = arch->area_mm2();
  return c;
}

ModelTotals RunResult::totals() const {
  ModelTotals t;
  for (const auto& l : layers) add_layer(t, l);
  finish_totals(t, *this, context());
  return t;
}

std::map<std::string, double> metrics_of(const RunResult& r) {
  const std::vector<double> v = metric_values(r.totals(), r, r.context());
  std::map<std::string, double> m;
  const auto& catalog = metric_catalog();
  for (std::size_t i = 0; i < catalog.size(); ++i) m.emplace(catalog[i].name, v[i]);
  return m;
}

RunResult empty_result(const CompiledModel& cm, const std::string& engine) {
  RunResult r;
  r.engine = engine;
  r.model = cm.graph.name();
  r.arch = cm.arch;
  r.dtype = cm.ctx.dtype;
  r.batch = cm.batch;
  r.tokens = cm.tokens;
  r.inter_layer_reuse = cm.options.inter_layer_reuse;
  r.objective = cm.options.objective;
  r.ideal_memory = cm.options.ideal_memory;
  for (const auto& cl : cm.layers) {
    LayerResult l;
    l.name = cl.layer.name;
    l.op = cl.layer.op;
    l.cls = cl.layer.cls;
    l.fused = cl.layer.fused;
    l.mapping = cl.mapping;
    l.G = cl.layer.G, l.M = cl.layer.M, l.N = cl.layer.N, l.K = cl.layer.K;
    l.compulsory_dram_bytes = cl.cost.compulsory_dram_bytes;
    l.dram_bytes_saved = cl.dram_bytes_saved;
    r.layers.push_back(std::move(l));
  }
  return r;
}

RunResult analytic_result(const CompiledModel& cm) {
  RunResult r = empty_result(cm, "analytic");
  std::int64_t at = 0;
  for (std::size_t i = 0; i < cm.layers.size(); ++i) {
    LayerResult& l = r.layers[i];
    static_cast<LayerStats&>(l) = cm.layers[i].cost;  // every statistic the analytic model produces
    l.dram_bytes_saved = cm.layers[i].dram_bytes_saved;
    l.start_cycle = at;
    l.end_cycle = at += l.cycles;
  }
  r.total_cycles = at;
  return r;
}

ModelTotals CompiledModel::totals() const { return analytic_result(*this).totals(); }

json config_to_json(const arch::ArchConfig& cfg) {
  json root = json::object();
  for (const auto& f : arch::arch_schema().fields()) {
    if (f.present_in && !f.present_in(cfg)) continue;
    arch::FieldValue v = f.get(cfg);
    json* node = &root;
    auto parts = split_path(f.path);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) node = &(*node)[std::string(parts[i])];
    json& leaf = (*node)[std::string(parts.back())];
    std::visit([&](const auto& x) { leaf = x; }, v);
  }
  return root;
}

namespace {

// A statistic's place in a JSON object: obj[key], or obj[group][key] for a dotted name.
void put(json& obj, const Stat& s, json v) {
  if (s.group.empty())
    obj[std::string(s.key)] = std::move(v);
  else
    obj[std::string(s.group)][std::string(s.key)] = std::move(v);
}
const json* find(const json& obj, const Stat& s) {
  const json* o = &obj;
  if (!s.group.empty()) {
    auto g = obj.find(std::string(s.group));
    if (g == obj.end()) return nullptr;
    o = &*g;
  }
  auto it = o->find(std::string(s.key));
  return it == o->end() ? nullptr : &*it;
}

json number(const Stat& s, double v) { return s.type == StatType::Int ? json(std::llround(v)) : json(v); }

json layer_json(const Stat& s, const LayerStats& l, const StatContext& c) {
  if (s.layer_int) return *s.layer_int(l);
  if (s.layer_real) return *s.layer_real(l);
  return number(s, s.derive(l, c));
}

json total_json(const Stat& s, const ModelTotals& t, const RunResult& r, const StatContext& c) {
  if (s.run_series) {
    json o = json::object();
    const auto names = instance_names(s.instances, *r.arch);
    const std::vector<double>& v = *s.run_series(r);
    for (std::size_t i = 0; i < names.size() && i < v.size(); ++i) o[names[i]] = v[i];
    return o;
  }
  if (s.run_int) return *s.run_int(r);
  if (s.run_real) return *s.run_real(r);
  if (s.total_field) return number(s, t.*s.total_field);
  return layer_json(s, t, c);
}

// Reads a stored statistic (a LayerStats field) of a layer.
bool read_layer_stat(const Stat& s, const json& v, LayerStats& l) {
  if (std::int64_t* i = layer_int_field(s, l)) return *i = v.get<std::int64_t>(), true;
  if (double* d = layer_real_field(s, l)) return *d = v.get<double>(), true;
  return false;
}

// Reads a run statistic (a RunStats field).
void read_run_stat(const Stat& s, const json& v, RunStats& r, const arch::ArchConfig& a) {
  if (s.run_int) *const_cast<std::int64_t*>(s.run_int(r)) = v.get<std::int64_t>();
  if (s.run_real) *const_cast<double*>(s.run_real(r)) = v.get<double>();
  if (s.run_series) {
    auto& out = *const_cast<std::vector<double>*>(s.run_series(r));
    out.clear();
    for (const auto& name : instance_names(s.instances, a)) {
      if (!v.contains(name)) throw Error(fmt::format("results: '{}' has no '{}'", s.name, name));
      out.push_back(v.at(name).get<double>());
    }
  }
}

Mapping mapping_from(const json& t) {
  Mapping m;
  m.split = enum_from<Split, 4>(t.at("split"), "split", name_of);
  m.cores = t.at("cores");
  m.tg = t.at("tile").at("g"), m.tm = t.at("tile").at("m"), m.tn = t.at("tile").at("n"), m.tk = t.at("tile").at("k");
  const std::string order = t.at("loop_order");
  for (std::size_t i = 0; i < 3 && i < order.size(); ++i)
    m.order.dims[i] = enum_from<Dim, 3>(std::string(1, order[i]), "loop dimension", dim_name);
  m.resident = enum_from<Resident, 4>(t.at("resident"), "resident operand", name_of);
  m.a_on_chip = t.at("input_on_chip"), m.out_on_chip = t.at("output_on_chip");
  if (t.contains("conv_tile")) {
    m.conv = true;
    const auto& c = t.at("conv_tile");
    m.conv_m = {c.at("images"), c.at("rows"), c.at("cols")};
    m.tc = c.at("channels");
  }
  return m;
}

}  // namespace

namespace {
json layer_object(const LayerResult& l, const std::string& engine, const StatContext& c) {
  const auto& m = l.mapping;
  json t = {{"split", std::string(name_of(m.split))},
            {"cores", m.cores},
            {"tile", {{"g", m.tg}, {"m", m.tm}, {"n", m.tn}, {"k", m.tk}}},
            {"loop_order", m.order.str()},
            {"resident", std::string(name_of(m.resident))},
            {"input_on_chip", m.a_on_chip},
            {"output_on_chip", m.out_on_chip}};
  if (m.conv)
    t["conv_tile"] = {{"images", m.conv_m.images}, {"rows", m.conv_m.rows}, {"cols", m.conv_m.cols}, {"channels", m.tc}};
  json j = {{"name", l.name},
            {"op", std::string(workloads::name_of(l.op))},
            {"class", std::string(name_of(l.cls))},
            {"fused", l.fused},
            {"dominant_stall", std::string(dominant_stall(l))},
            {"tiling", t}};
  if (l.cls == LayerClass::Gemm) j["gemm"] = {{"G", l.G}, {"M", l.M}, {"N", l.N}, {"K", l.K}};
  for (const Stat& s : stat_table())
    if (s.per_layer() && s.produced_by(engine)) put(j, s, layer_json(s, l, c));
  return j;
}
}  // namespace

json layer_to_json(const LayerResult& l, const RunResult& r) { return layer_object(l, r.engine, r.context()); }

json totals_to_json(const RunResult& r) {
  const StatContext c = r.context();
  const ModelTotals t = r.totals();
  json j = json::object();
  for (const Stat& s : stat_table())
    if (s.in_total() && s.produced_by(r.engine)) put(j, s, total_json(s, t, r, c));
  return j;
}

json to_json(const RunResult& r) {
  json layers = json::array();
  const StatContext c = r.context();
  for (const auto& l : r.layers) layers.push_back(layer_object(l, r.engine, c));
  json units = json::object();
  for (const Stat& s : stat_table())
    if (s.produced_by(r.engine)) units[std::string(s.name)] = {{"unit", s.unit}, {"description", s.description}};
  json j = {{"version", kNpusimVersion},
            {"arch", r.arch->name},
            {"config", config_to_json(*r.arch)},
            {"model", r.model},
            {"dtype", std::string(name_of(r.dtype))},
            {"batch", r.batch},
            {"tokens", r.tokens},
            {"engine", r.engine},
            {"inter_layer_reuse", r.inter_layer_reuse},
            {"objective", std::string(name_of(r.objective))},
            {"memory", r.ideal_memory ? "ideal" : "real"},
            {"stats", units},
            {"layers", layers},
            {"total", totals_to_json(r)}};
  if (r.engine == "systemc") {
    json sim = {{"pe_model", r.pe_model}};
    for (const Stat& s : stat_table())
      if (s.section == Section::Simulation) put(sim, s, total_json(s, ModelTotals{}, r, StatContext{}));
    j["simulation"] = std::move(sim);
  }
  return j;
}

std::vector<LayerResult> layers_from_json(const json& result, bool lenient) {
  const std::string engine = result.value("engine", std::string());
  std::vector<LayerResult> out;
  if (!result.contains("layers")) {
    if (lenient) return out;
    throw Error("results: no 'layers'");
  }
  for (const auto& jl : result.at("layers")) {
    LayerResult l;
    l.name = lenient ? jl.value("name", std::string("?")) : jl.at("name").get<std::string>();
    if (!lenient || jl.contains("op")) l.op = enum_from<workloads::OpKind, workloads::kNumOpKinds>(jl.at("op"), "op", workloads::name_of);
    if (!lenient || jl.contains("class")) l.cls = enum_from<LayerClass, 4>(jl.at("class"), "layer class", name_of);
    if (!lenient || jl.contains("fused")) l.fused = jl.at("fused").get<std::vector<std::string>>();
    if (!lenient || jl.contains("tiling")) l.mapping = mapping_from(jl.at("tiling"));
    if (jl.contains("gemm")) l.G = jl["gemm"].at("G"), l.M = jl["gemm"].at("M"), l.N = jl["gemm"].at("N"), l.K = jl["gemm"].at("K");
    for (const Stat& s : stat_table()) {
      if (!s.per_layer() || (!engine.empty() && !s.produced_by(engine))) continue;
      const json* v = find(jl, s);
      if (!v) {
        if (lenient || !(s.layer_int || s.layer_real)) continue;
        throw Error(fmt::format("results: layer '{}' has no '{}'", l.name, s.name));
      }
      read_layer_stat(s, *v, l);
    }
    out.push_back(std::move(l));
  }
  return out;
}

RunResult from_json(const json& j, arch::ArchConfigPtr arch) {
  RunResult r;
  r.engine = j.at("engine");
  r.model = j.at("model");
  r.arch = std::move(arch);
  r.dtype = *parse_dtype(j.at("dtype").get<std::string>());
  r.batch = j.at("batch");
  r.tokens = j.at("tokens");
  r.inter_layer_reuse = j.at("inter_layer_reuse");
  r.objective = *parse_objective(j.at("objective").get<std::string>());
  r.ideal_memory = j.value("memory", std::string("real")) == "ideal";
  if (r.engine == "systemc") r.pe_model = j.at("simulation").at("pe_model");
  for (const Stat& s : stat_table()) {
    if (!(s.run_int || s.run_real || s.run_series) || !s.produced_by(r.engine)) continue;
    const json& obj = j.at(s.section == Section::Simulation ? "simulation" : "total");
    const json* v = find(obj, s);
    if (!v) throw Error(fmt::format("results: no '{}'", s.name));
    read_run_stat(s, *v, r, *r.arch);
  }
  r.layers = layers_from_json(j);
  return r;
}

}  // namespace npusim::compiler
