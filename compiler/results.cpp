#include "compiler/results.h"

#include <fmt/format.h>

#include "base/error.h"
#include "arch/raw_yaml.h"
#include "arch/schema.h"
#include "npusim_version.h"

namespace npusim::compiler {

using nlohmann::json;

const std::vector<StatDesc>& stat_catalog() {
  static const std::vector<StatDesc> catalog = {
      {"cycles", "cycles", "Cycles from the layer's start to its end (for the total: of the whole run)"},
      {"seconds", "s", "Time at the core clock", false},
      {"compute_cycles", "cycles", "PE-array time of the critical core with memory ideal (the timing formula)"},
      {"utilization", "fraction", "MACs / (cycles x peak MACs per cycle of all cores)"},
      {"macs", "MAC", "Multiply-accumulates executed"},
      {"stalls.dram", "cycles", "Cycles beyond compute spent waiting for DRAM (latency, bandwidth, queueing)"},
      {"stalls.interconnect", "cycles", "Cycles beyond compute spent waiting on interconnect links"},
      {"stalls.sram_bank", "cycles", "Cycles the PE array was slowed by scratchpad bank bandwidth"},
      {"stalls.vector_unit", "cycles", "Cycles beyond compute spent waiting for the vector unit"},
      {"stalls.sync", "cycles", "Cycles a core waited at a barrier for other cores or layers"},
      {"dram_bytes", "B", "DRAM bytes read and written"},
      {"dram_read_bytes", "B", "DRAM bytes read"},
      {"dram_write_bytes", "B", "DRAM bytes written"},
      {"compulsory_dram_bytes", "B", "Every input read once and the output written once"},
      {"dram_bytes_saved", "B", "DRAM bytes inter-layer reuse avoided"},
      {"sram_bytes", "B", "Scratchpad bytes read and written (PE array, DMA, vector unit)"},
      {"accumulator_bytes", "B", "Accumulator-buffer bytes read and written"},
      {"noc_byte_hops", "B*hop", "Interconnect bytes times router traversals"},
      {"vector_ops", "op", "Vector-unit lane operations"},
      {"energy_pj", "pJ", "Energy of the layer (or run): the sum of the energy breakdown"},
      {"energy.mac", "pJ", "MAC energy"},
      {"energy.sram", "pJ", "Scratchpad energy"},
      {"energy.accumulator", "pJ", "Accumulator-buffer energy"},
      {"energy.dram", "pJ", "DRAM energy"},
      {"energy.noc", "pJ", "Interconnect energy"},
      {"energy.vector", "pJ", "Vector-unit energy"},
      {"energy.leakage", "pJ", "Static energy: leakage power x area x time"},
      {"tiles", "tile", "Compute (or vector) tiles issued"},
      {"tops", "TOPS", "2 x MACs per second / 1e12", false},
      {"tops_per_watt", "TOPS/W", "2 x MACs / energy", false},
      {"inferences_per_s", "1/s", "Batch / run time", false},
      {"tokens_per_s", "1/s", "Tokens processed / run time (sequence models)", false},
      {"area_mm2", "mm2", "Chip area from the area model", false},
  };
  return catalog;
}

std::string stats_markdown() {
  std::string s =
      "# Statistics\n\n"
      "Generated from the stat catalog in `compiler/results.cpp` by `npusim schema --stats`; a test keeps this file "
      "equal to that output. Both engines report the same statistics. `npusim run --format json` prints one object:\n\n"
      "```\n{\"version\", \"arch\", \"config\" (the effective configuration), \"model\", \"dtype\", \"batch\", "
      "\"tokens\", \"engine\",\n \"inter_layer_reuse\", \"objective\", \"memory\" (real or ideal), \"stats\" (this table: unit and description "
      "of each name),\n \"layers\": [{\"name\", \"op\", \"class\", \"fused\", \"macs\", \"cycles\", "
      "\"compute_cycles\", \"utilization\", \"sram_bytes\",\n             \"dram_bytes\", \"energy_pj\", \"stalls\": "
      "{...}, \"tiling\": {...}, ...}, ...],\n \"total\": {\"cycles\", \"seconds\", \"energy_pj\", ...},\n "
      "\"simulation\" (systemc only: events, wall_seconds, peak_rss_mib, pe_model (formula or rtl), rtl_tiles and rtl_cycles "
      "(compute tiles run on the verilated PE array and their cycles))}\n```\n\n"
      "These field names are stable: scripts read them. `--out DIR` also writes `layers.csv` (one row per layer), "
      "`stats.csv` (scope, name, value, unit, description for every statistic of every layer and the total, after the "
      "version and every key of the effective configuration) and `config.yaml`.\n\n"
      "| name | unit | per layer | meaning |\n|---|---|---|---|\n";
  for (const auto& d : stat_catalog())
    s += fmt::format("| `{}` | {} | {} | {} |\n", d.name, d.unit, d.per_layer ? "yes" : "total only", d.description);
  return s;
}

namespace {

json stalls_json(const std::array<std::int64_t, kNumStalls>& s) {
  json j = json::object();
  for (std::size_t i = 0; i < kNumStalls; ++i) j[std::string(name_of(static_cast<Stall>(i)))] = s[i];
  return j;
}

json energy_json(const EnergyBreakdown& e) {
  return {{"mac", e.mac},   {"sram", e.sram},     {"accumulator", e.accumulator}, {"dram", e.dram},
          {"noc", e.noc},   {"vector", e.vector}, {"leakage", e.leakage},         {"total", e.total()}};
}

EnergyBreakdown energy_from(const json& j) {
  EnergyBreakdown e;
  e.mac = j.at("mac"), e.sram = j.at("sram"), e.accumulator = j.at("accumulator"), e.dram = j.at("dram");
  e.noc = j.at("noc"), e.vector = j.at("vector"), e.leakage = j.at("leakage");
  return e;
}

template <class E, std::size_t N>
E enum_from(const std::string& s, const char* what, std::string_view (*name)(E)) {
  for (std::size_t i = 0; i < N; ++i)
    if (name(static_cast<E>(i)) == s) return static_cast<E>(i);
  throw Error(fmt::format("results: unknown {} '{}'", what, s));
}

std::string_view dim_name(Dim d) { return name_of(d); }

}  // namespace

ModelTotals RunResult::totals() const {
  ModelTotals t;
  for (const auto& l : layers) {
    t.compute_cycles += l.compute_cycles;
    t.macs += l.macs;
    for (std::size_t i = 0; i < kNumStalls; ++i) t.stalls[i] += l.stalls[i];
    t.dram_read_bytes += l.dram_read_bytes;
    t.dram_write_bytes += l.dram_write_bytes;
    t.sram_bytes += l.sram_bytes();
    t.acc_bytes += l.acc_bytes;
    t.noc_byte_hops += l.noc_byte_hops;
    t.dram_bytes_saved += l.dram_bytes_saved;
    t.energy.mac += l.energy.mac;
    t.energy.sram += l.energy.sram;
    t.energy.accumulator += l.energy.accumulator;
    t.energy.dram += l.energy.dram;
    t.energy.noc += l.energy.noc;
    t.energy.vector += l.energy.vector;
    t.energy.leakage += l.energy.leakage;
  }
  t.cycles = total_cycles;
  const auto& A = *arch;
  t.seconds = double(t.cycles) * A.cycle_ns() * 1e-9;
  const double peak = double(A.peak_macs_per_cycle(dtype));
  t.utilization = t.cycles > 0 ? double(t.macs) / (double(t.cycles) * peak) : 0;
  if (t.seconds > 0) {
    t.tops = 2.0 * double(t.macs) / t.seconds * 1e-12;
    t.inferences_per_s = double(batch) / t.seconds;
    t.tokens_per_s = double(tokens) / t.seconds;
  }
  const double joules = t.energy.total() * 1e-12;
  t.tops_per_watt = joules > 0 ? 2.0 * double(t.macs) / joules * 1e-12 : 0;
  return t;
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
    const LayerCost& c = cm.layers[i].cost;
    LayerResult& l = r.layers[i];
    l.start_cycle = at;
    l.cycles = c.cycles;
    l.end_cycle = at += c.cycles;
    l.compute_cycles = c.compute_cycles;
    l.stalls = c.stalls;
    l.macs = c.macs;
    l.dram_read_bytes = c.dram_read_bytes, l.dram_write_bytes = c.dram_write_bytes;
    l.sram_read_bytes = c.sram_read_bytes, l.sram_write_bytes = c.sram_write_bytes, l.acc_bytes = c.acc_bytes;
    l.noc_byte_hops = c.noc_byte_hops;
    l.vector_ops = c.vector_ops;
    l.energy = c.energy;
    l.tiles = c.tiles, l.folds = c.folds;
    l.roofs = LayerResult::Roofs{c.roof_compute, c.roof_vector, c.roof_sram, c.roof_dram, c.roof_noc,
                                 c.roof_dma,     c.roof_burst,  c.prologue,  c.epilogue};
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

json layer_to_json(const LayerResult& l, const RunResult& r) {
  const auto& m = l.mapping;
  const double peak = double(r.arch->peak_macs_per_cycle(r.dtype));
  json t = {{"split", std::string(name_of(m.split))},
            {"cores", m.cores},
            {"tile", {{"g", m.tg}, {"m", m.tm}, {"n", m.tn}, {"k", m.tk}}},
            {"loop_order", m.order.str()},
            {"resident", std::string(name_of(m.resident))},
            {"input_on_chip", m.a_on_chip},
            {"output_on_chip", m.out_on_chip}};
  if (m.conv)
    t["conv_tile"] = {{"images", m.conv_m.images}, {"rows", m.conv_m.rows}, {"cols", m.conv_m.cols}, {"channels", m.tc}};
  std::size_t dom = 0;
  for (std::size_t i = 1; i < kNumStalls; ++i)
    if (l.stalls[i] > l.stalls[dom]) dom = i;
  std::int64_t vops = 0;
  for (auto v : l.vector_ops) vops += v;
  json j = {{"name", l.name},
            {"op", std::string(workloads::name_of(l.op))},
            {"class", std::string(name_of(l.cls))},
            {"fused", l.fused},
            {"macs", l.macs},
            {"start_cycle", l.start_cycle},
            {"end_cycle", l.end_cycle},
            {"cycles", l.cycles},
            {"compute_cycles", l.compute_cycles},
            {"utilization", l.cycles > 0 ? double(l.macs) / (double(l.cycles) * peak) : 0.0},
            {"sram_bytes", l.sram_bytes()},
            {"sram_read_bytes", l.sram_read_bytes},
            {"sram_write_bytes", l.sram_write_bytes},
            {"dram_bytes", l.dram_bytes()},
            {"dram_read_bytes", l.dram_read_bytes},
            {"dram_write_bytes", l.dram_write_bytes},
            {"compulsory_dram_bytes", l.compulsory_dram_bytes},
            {"dram_bytes_saved", l.dram_bytes_saved},
            {"accumulator_bytes", l.acc_bytes},
            {"noc_byte_hops", l.noc_byte_hops},
            {"vector_ops", vops},
            {"vector_ops_by_class", {{"elementwise", l.vector_ops[0]}, {"transcendental", l.vector_ops[1]},
                                     {"reduction", l.vector_ops[2]}}},
            {"energy_pj", l.energy.total()},
            {"energy", energy_json(l.energy)},
            {"stalls", stalls_json(l.stalls)},
            {"dominant_stall", l.stalls[dom] > 0 ? std::string(name_of(static_cast<Stall>(dom))) : "-"},
            {"tiles", l.tiles},
            {"folds", l.folds},
            {"tiling", t}};
  if (l.cls == LayerClass::Gemm) j["gemm"] = {{"G", l.G}, {"M", l.M}, {"N", l.N}, {"K", l.K}};
  if (l.roofs) {
    const auto& f = *l.roofs;
    j["roofs"] = {{"compute", f.compute}, {"vector", f.vector}, {"sram", f.sram},         {"dram", f.dram},
                  {"noc", f.noc},         {"dma", f.dma},       {"burst", f.burst},       {"prologue", f.prologue},
                  {"epilogue", f.epilogue}};
  }
  return j;
}

json totals_to_json(const RunResult& r) {
  const auto t = r.totals();
  std::int64_t vops = 0;
  for (const auto& l : r.layers)
    for (auto v : l.vector_ops) vops += v;
  return {{"cycles", t.cycles},
          {"seconds", t.seconds},
          {"compute_cycles", t.compute_cycles},
          {"macs", t.macs},
          {"utilization", t.utilization},
          {"energy_pj", t.energy.total()},
          {"energy", energy_json(t.energy)},
          {"stalls", stalls_json(t.stalls)},
          {"dram_bytes", t.dram_read_bytes + t.dram_write_bytes},
          {"dram_read_bytes", t.dram_read_bytes},
          {"dram_write_bytes", t.dram_write_bytes},
          {"dram_bytes_saved", t.dram_bytes_saved},
          {"sram_bytes", t.sram_bytes},
          {"accumulator_bytes", t.acc_bytes},
          {"noc_byte_hops", t.noc_byte_hops},
          {"vector_ops", vops},
          {"tops", t.tops},
          {"tops_per_watt", t.tops_per_watt},
          {"inferences_per_s", t.inferences_per_s},
          {"tokens_per_s", t.tokens_per_s},
          {"area_mm2", r.arch->area_mm2()}};
}

json to_json(const RunResult& r) {
  json layers = json::array();
  for (const auto& l : r.layers) layers.push_back(layer_to_json(l, r));
  json units = json::object();
  for (const auto& s : stat_catalog()) units[s.name] = {{"unit", s.unit}, {"description", s.description}};
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
  if (r.engine == "systemc")
    j["simulation"] = {{"events", r.sim_events},       {"wall_seconds", r.sim_wall_seconds},
                       {"peak_rss_mib", r.sim_peak_rss_mib}, {"pe_model", r.pe_model},
                       {"rtl_tiles", r.rtl_tiles},         {"rtl_cycles", r.rtl_cycles}};
  return j;
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
  r.total_cycles = j.at("total").at("cycles");
  if (j.contains("simulation")) {
    const auto& s = j.at("simulation");
    r.sim_events = s.at("events"), r.sim_wall_seconds = s.at("wall_seconds"), r.sim_peak_rss_mib = s.at("peak_rss_mib");
    r.pe_model = s.at("pe_model"), r.rtl_tiles = s.at("rtl_tiles"), r.rtl_cycles = s.at("rtl_cycles");
  }
  for (const auto& jl : j.at("layers")) {
    LayerResult l;
    l.name = jl.at("name");
    l.op = enum_from<workloads::OpKind, 11>(jl.at("op"), "op", workloads::name_of);
    l.cls = enum_from<LayerClass, 4>(jl.at("class"), "layer class", name_of);
    l.fused = jl.at("fused").get<std::vector<std::string>>();
    const auto& t = jl.at("tiling");
    Mapping& m = l.mapping;
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
    if (jl.contains("gemm")) l.G = jl["gemm"].at("G"), l.M = jl["gemm"].at("M"), l.N = jl["gemm"].at("N"), l.K = jl["gemm"].at("K");
    l.start_cycle = jl.at("start_cycle"), l.end_cycle = jl.at("end_cycle");
    l.cycles = jl.at("cycles"), l.compute_cycles = jl.at("compute_cycles");
    for (std::size_t i = 0; i < kNumStalls; ++i) l.stalls[i] = jl.at("stalls").at(std::string(name_of(static_cast<Stall>(i))));
    l.macs = jl.at("macs");
    l.dram_read_bytes = jl.at("dram_read_bytes"), l.dram_write_bytes = jl.at("dram_write_bytes");
    l.compulsory_dram_bytes = jl.at("compulsory_dram_bytes"), l.dram_bytes_saved = jl.at("dram_bytes_saved");
    l.sram_read_bytes = jl.at("sram_read_bytes"), l.sram_write_bytes = jl.at("sram_write_bytes");
    l.acc_bytes = jl.at("accumulator_bytes");
    l.noc_byte_hops = jl.at("noc_byte_hops");
    const auto& vc = jl.at("vector_ops_by_class");
    l.vector_ops = {vc.at("elementwise"), vc.at("transcendental"), vc.at("reduction")};
    l.energy = energy_from(jl.at("energy"));
    l.tiles = jl.at("tiles"), l.folds = jl.at("folds");
    if (jl.contains("roofs")) {
      const auto& f = jl["roofs"];
      l.roofs = LayerResult::Roofs{f.at("compute"), f.at("vector"), f.at("sram"),     f.at("dram"),    f.at("noc"),
                                   f.at("dma"),     f.at("burst"),  f.at("prologue"), f.at("epilogue")};
    }
    r.layers.push_back(std::move(l));
  }
  return r;
}

}  // namespace npusim::compiler
