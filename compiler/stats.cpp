#include "compiler/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "arch/interconnect.h"
#include "base/error.h"

namespace npusim::compiler {

std::string_view name_of(Stall s) {
  switch (s) {
    case Stall::Dram: return "dram";
    case Stall::Interconnect: return "interconnect";
    case Stall::SramBank: return "sram_bank";
    case Stall::VectorUnit: return "vector_unit";
    case Stall::Sync: return "sync";
  }
  return "?";
}

std::string_view dominant_stall(const LayerStats& l) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < kNumStalls; ++i)
    if (l.stalls[i] > l.stalls[best]) best = i;
  return l.stalls[best] > 0 ? name_of(static_cast<Stall>(best)) : "-";
}

EnergyBreakdown energy_of(const arch::ArchConfig& A, DType dtype, const LayerStats& n, double cycles) {
  const auto& E = A.energy;
  EnergyBreakdown e;
  e.mac = double(n.macs) * E.mac_pj[index_of(dtype)];
  e.sram = double(n.sram_read_bytes) * E.sram_read_pj_per_byte + double(n.sram_write_bytes) * E.sram_write_pj_per_byte;
  e.accumulator = double(n.acc_bytes) * E.accumulator_pj_per_byte;
  e.dram = double(n.dram_bytes()) * E.dram_pj_per_byte;
  e.noc = n.noc_byte_hops * E.noc_pj_per_byte_hop;
  e.vector = double(n.vector_op_count()) * E.vector_op_pj;
  e.leakage = leakage_pj(A, cycles);
  return e;
}

double leakage_mw(const arch::ArchConfig& a) { return a.energy.leakage_mw_per_mm2 * a.area_mm2(); }

namespace {

// ---- accessors: a field of a struct, an element of an array field, a field of a struct field ----
template <class>
struct MemberOf;
template <class T, class H>
struct MemberOf<T H::*> {
  using Holder = H;
};
template <auto M>
const auto* at(const typename MemberOf<decltype(M)>::Holder& h) {
  return &(h.*M);
}
template <auto M, auto I>
  requires(!std::is_member_object_pointer_v<decltype(I)>)
const auto* at(const LayerStats& s) {
  return &(s.*M)[static_cast<std::size_t>(I)];
}
template <auto M, auto N>
  requires std::is_member_object_pointer_v<decltype(N)>
const auto* at(const LayerStats& s) {
  return &((s.*M).*N);
}

using S = LayerStats;
using R = RunStats;
using T = ModelTotals;
using C = StatContext;

// ---- the derived statistics ----
double seconds(const S& s, const C& c) { return double(s.cycles) * c.cycle_ns * 1e-9; }
double joules(const S& s, const C&) { return s.energy.total() * 1e-12; }
double utilization(const S& s, const C& c) {
  return s.cycles > 0 ? double(s.macs) / (double(s.cycles) * c.peak_macs_per_cycle) : 0;
}
double inferences_per_s(const S& s, const C& c) {
  const double t = seconds(s, c);
  return t > 0 ? double(c.batch) / t : 0;
}
double peak_tops(const S&, const C& c) { return 2.0 * c.peak_macs_per_cycle * c.clock_mhz * 1e6 * 1e-12; }

// One row per statistic, built by chaining what differs from a counted per-layer statistic that
// both engines produce and that sums over cores and layers.
struct Row {
  Stat s;
  Row(std::string_view name, std::string_view unit, std::string_view description) {
    s.name = name, s.unit = unit, s.description = description;
  }
  Row& of(const std::int64_t* (*f)(const S&)) { return s.layer_int = f, s.type = StatType::Int, *this; }
  Row& of(const double* (*f)(const S&)) { return s.layer_real = f, s.type = StatType::Real, *this; }
  // computed from the other statistics (per layer and for the total)
  Row& derived(double (*f)(const S&, const C&), StatType t, double T::*total = nullptr) {
    s.derive = f, s.type = t, s.total_field = total;
    s.over_cores = OverCores::Recomputed, s.over_layers = OverLayers::Recomputed;
    return *this;
  }
  Row& total_only() { return s.section = Section::Total, s.over_cores = OverCores::None, *this; }
  // a figure of the run kept in RunStats
  Row& run(const std::int64_t* (*f)(const R&), Section sec = Section::Total) {
    s.run_int = f, s.type = StatType::Int;
    return s.section = sec, s.over_cores = OverCores::None, s.over_layers = OverLayers::Run, *this;
  }
  Row& run(const double* (*f)(const R&), Section sec = Section::Total) {
    s.run_real = f, s.type = StatType::Real;
    return s.section = sec, s.over_cores = OverCores::None, s.over_layers = OverLayers::Run, *this;
  }
  Row& series(const std::vector<double>* (*f)(const R&), Instances i) {
    s.run_series = f, s.type = StatType::Real, s.instances = i;
    return s.section = Section::Total, s.over_cores = OverCores::None, s.over_layers = OverLayers::Run, *this;
  }
  // a per-layer statistic whose total is the run's own figure
  Row& total_from(const std::int64_t* (*f)(const R&)) { return s.run_int = f, s.over_layers = OverLayers::Run, *this; }
  Row& cores(OverCores o) { return s.over_cores = o, *this; }
  Row& per_layer_only() { return s.over_layers = OverLayers::None, *this; }
  Row& only(Engines e) { return s.engines = e, *this; }
  Row& metric(bool minimize, std::string_view alias = {}) { return s.metric = true, s.minimize = minimize, s.alias = alias, *this; }
  Row& column(std::string_view c) { return s.column = c, *this; }
};
constexpr bool kLower = true, kHigher = false;
constexpr StatType kInt = StatType::Int, kReal = StatType::Real;
constexpr auto kSystemC = Engines::SystemC, kAnalytic = Engines::Analytic;

std::vector<Stat> make_table() {
  const std::vector<Row> rows = {
      // ---- the sweep metrics, in results-database column order ----
      Row("seconds", "s", "Time of the run (one batch) at the core clock").derived(seconds, kReal, &T::seconds).total_only().metric(kLower, "latency").column("latency_s"),
      Row("energy_j", "J", "Energy of the run (one batch), leakage included").derived(joules, kReal, &T::energy_j).total_only().metric(kLower, "energy"),
      Row("area_mm2", "mm2", "Chip area from the area model").derived([](const S&, const C& c) { return c.area_mm2; }, kReal, &T::area_mm2).total_only().metric(kLower, "area"),
      Row("edp", "J*s", "Energy-delay product: energy_j x seconds").derived([](const S& s, const C& c) { return joules(s, c) * seconds(s, c); }, kReal, &T::edp).total_only().metric(kLower, "energy_delay_product"),
      Row("throughput_per_mm2", "1/(s*mm2)", "Inferences per second per mm2 of chip area").derived([](const S& s, const C& c) { return c.area_mm2 > 0 ? inferences_per_s(s, c) / c.area_mm2 : 0; }, kReal, &T::throughput_per_mm2).total_only().metric(kHigher, "perf_per_area"),
      Row("tops_per_watt", "TOPS/W", "2 x MACs / energy").derived([](const S& s, const C& c) { return joules(s, c) > 0 ? 2.0 * double(s.macs) / joules(s, c) * 1e-12 : 0; }, kReal, &T::tops_per_watt).total_only().metric(kHigher, "efficiency"),
      Row("inferences_per_s", "1/s", "Batch / run time").derived(inferences_per_s, kReal, &T::inferences_per_s).total_only().metric(kHigher, "throughput"),
      Row("tokens_per_s", "1/s", "Tokens processed / run time (sequence models; 0 otherwise)").derived([](const S& s, const C& c) { return seconds(s, c) > 0 ? double(c.tokens) / seconds(s, c) : 0; }, kReal, &T::tokens_per_s).total_only().metric(kHigher, "tokens"),
      Row("tops", "TOPS", "Attained tera-operations per second: 2 x MACs / run time / 1e12").derived([](const S& s, const C& c) { return seconds(s, c) > 0 ? 2.0 * double(s.macs) / seconds(s, c) * 1e-12 : 0; }, kReal, &T::tops).total_only().metric(kHigher),
      Row("peak_tops", "TOPS", "Peak tera-operations per second of the architecture at the run's datatype").derived(peak_tops, kReal, &T::peak_tops).total_only().metric(kHigher),
      Row("utilization", "fraction", "MACs / (cycles x peak MACs per cycle of all cores)").derived(utilization, kReal, &T::utilization).metric(kHigher, "util"),
      Row("power_w", "W", "Average power: energy_j / seconds").derived([](const S& s, const C& c) { return seconds(s, c) > 0 ? joules(s, c) / seconds(s, c) : 0; }, kReal, &T::power_w).total_only().metric(kLower, "power"),
      Row("cycles", "cycles", "Cycles from the layer's start to its end (for the total: of the whole run)").of(at<&S::cycles>).cores(OverCores::Span).total_from(at<&R::total_cycles>).metric(kLower),
      Row("compute_cycles", "cycles", "PE-array time of the critical core with memory ideal (the timing formula)").of(at<&S::compute_cycles>).cores(OverCores::Critical).metric(kLower),
      Row("macs", "MAC", "Multiply-accumulates executed").of(at<&S::macs>).metric(kLower),
      Row("dram_bytes", "B", "DRAM bytes read and written").derived([](const S& s, const C&) { return double(s.dram_bytes()); }, kInt).metric(kLower, "dram"),
      Row("sram_bytes", "B", "Scratchpad bytes read and written (PE array, DMA, vector unit)").derived([](const S& s, const C&) { return double(s.sram_bytes()); }, kInt).metric(kLower),
      Row("stalls.dram", "cycles", "Cycles beyond compute spent waiting for DRAM (latency, bandwidth, queueing)").of(at<&S::stalls, Stall::Dram>).cores(OverCores::Critical).metric(kLower).column("stall_dram"),
      Row("stalls.interconnect", "cycles", "Cycles beyond compute spent waiting on interconnect links").of(at<&S::stalls, Stall::Interconnect>).cores(OverCores::Critical).metric(kLower).column("stall_interconnect"),
      Row("stalls.sram_bank", "cycles", "Cycles the PE array was slowed by scratchpad bank bandwidth").of(at<&S::stalls, Stall::SramBank>).cores(OverCores::Critical).metric(kLower).column("stall_sram_bank"),
      Row("stalls.vector_unit", "cycles", "Cycles beyond compute spent waiting for the vector unit").of(at<&S::stalls, Stall::VectorUnit>).cores(OverCores::Critical).metric(kLower).column("stall_vector_unit"),
      Row("stalls.sync", "cycles", "Cycles a core waited at a barrier for other cores or layers").of(at<&S::stalls, Stall::Sync>).cores(OverCores::Critical).metric(kLower).column("stall_sync"),
      // ---- per layer ----
      Row("start_cycle", "cycles", "Where the layer starts on the run's timeline").of(at<&S::start_cycle>).cores(OverCores::Span).per_layer_only(),
      Row("end_cycle", "cycles", "Where the layer ends on the run's timeline").of(at<&S::end_cycle>).cores(OverCores::Span).per_layer_only(),
      Row("dram_read_bytes", "B", "DRAM bytes read").of(at<&S::dram_read_bytes>),
      Row("dram_write_bytes", "B", "DRAM bytes written").of(at<&S::dram_write_bytes>),
      Row("compulsory_dram_bytes", "B", "Every input read once and the output written once").of(at<&S::compulsory_dram_bytes>).cores(OverCores::Layer),
      Row("dram_bytes_saved", "B", "DRAM bytes inter-layer reuse avoided").of(at<&S::dram_bytes_saved>).cores(OverCores::Layer),
      Row("sram_read_bytes", "B", "Scratchpad bytes read").of(at<&S::sram_read_bytes>),
      Row("sram_write_bytes", "B", "Scratchpad bytes written").of(at<&S::sram_write_bytes>),
      Row("accumulator_bytes", "B", "Accumulator-buffer bytes read and written").of(at<&S::acc_bytes>),
      Row("noc_byte_hops", "B*hop", "Interconnect bytes times router traversals").of(at<&S::noc_byte_hops>),
      Row("vector_ops", "op", "Vector-unit lane operations").derived([](const S& s, const C&) { return double(s.vector_op_count()); }, kInt),
      Row("vector_ops_by_class.elementwise", "op", "Vector-unit lane operations: elementwise").of(at<&S::vector_ops, arch::VecClass::Elementwise>),
      Row("vector_ops_by_class.transcendental", "op", "Vector-unit lane operations: transcendental").of(at<&S::vector_ops, arch::VecClass::Transcendental>),
      Row("vector_ops_by_class.reduction", "op", "Vector-unit lane operations: reduction").of(at<&S::vector_ops, arch::VecClass::Reduction>),
      Row("energy_pj", "pJ", "Energy of the layer (or run): the sum of the energy breakdown").derived([](const S& s, const C&) { return s.energy.total(); }, kReal),
      Row("energy.mac", "pJ", "MAC energy").of(at<&S::energy, &EnergyBreakdown::mac>).cores(OverCores::Recomputed),
      Row("energy.sram", "pJ", "Scratchpad energy").of(at<&S::energy, &EnergyBreakdown::sram>).cores(OverCores::Recomputed),
      Row("energy.accumulator", "pJ", "Accumulator-buffer energy").of(at<&S::energy, &EnergyBreakdown::accumulator>).cores(OverCores::Recomputed),
      Row("energy.dram", "pJ", "DRAM energy").of(at<&S::energy, &EnergyBreakdown::dram>).cores(OverCores::Recomputed),
      Row("energy.noc", "pJ", "Interconnect energy").of(at<&S::energy, &EnergyBreakdown::noc>).cores(OverCores::Recomputed),
      Row("energy.vector", "pJ", "Vector-unit energy").of(at<&S::energy, &EnergyBreakdown::vector>).cores(OverCores::Recomputed),
      Row("energy.leakage", "pJ", "Static energy: leakage power x area x time").of(at<&S::energy, &EnergyBreakdown::leakage>).cores(OverCores::Recomputed),
      Row("energy.total", "pJ", "The sum of the energy breakdown (the same as energy_pj)").derived([](const S& s, const C&) { return s.energy.total(); }, kReal),
      Row("tiles", "tile", "Compute (or vector) tiles issued").of(at<&S::tiles>),
      Row("folds", "fold", "PE-array folds: passes of a stationary block through the array").of(at<&S::folds>),
      Row("dram_accesses", "access", "DRAM accesses: each DMA burst on each channel it touches").of(at<&S::dram_accesses>).only(kSystemC),
      Row("dram_row_hits", "access", "DRAM accesses to the open row of their bank (0 without a row-buffer model)").of(at<&S::dram_row_hits>).only(kSystemC),
      Row("dram_row_misses", "access", "DRAM accesses that opened another row of their bank (precharge + activate)").of(at<&S::dram_row_misses>).only(kSystemC),
      Row("roofs.compute", "cycles", "The busiest core's PE-array time").of(at<&S::roof_compute>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.vector", "cycles", "The busiest core's vector-unit time").of(at<&S::roof_vector>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.sram", "cycles", "The busiest core's scratchpad bank time").of(at<&S::roof_sram>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.dram", "cycles", "DRAM bytes / DRAM bandwidth").of(at<&S::roof_dram>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.noc", "cycles", "The busiest interconnect link's time").of(at<&S::roof_noc>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.dma", "cycles", "The busiest core's loads or stores through its DMA window").of(at<&S::roof_dma>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.burst", "cycles", "A core whose resident operand moves in a burst").of(at<&S::roof_burst>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.prologue", "cycles", "Exposed start: the first tiles' loads").of(at<&S::prologue>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      Row("roofs.epilogue", "cycles", "Exposed end: the last tile's post-processing and store").of(at<&S::epilogue>).cores(OverCores::Layer).per_layer_only().only(kAnalytic),
      // ---- per run ----
      Row("dram_channel_busy_cycles", "cycles", "Cycles each DRAM channel's data bus was busy").series(at<&R::dram_channel_busy_cycles>, Instances::DramChannels).only(kSystemC),
      Row("link_busy_cycles", "cycles", "Cycles each interconnect link was busy").series(at<&R::link_busy_cycles>, Instances::Links).only(kSystemC),
      Row("core_pe_busy_cycles", "cycles", "Cycles each core's PE array was busy").series(at<&R::core_pe_busy_cycles>, Instances::Cores).only(kSystemC),
      Row("core_vector_busy_cycles", "cycles", "Cycles each core's vector unit was busy").series(at<&R::core_vector_busy_cycles>, Instances::Cores).only(kSystemC),
      Row("core_sram_busy_cycles", "cycles", "Cycles each core's scratchpad banks were busy").series(at<&R::core_sram_busy_cycles>, Instances::Cores).only(kSystemC),
      Row("events", "event", "Simulation events: commands, DMA bursts, compute slices").run(at<&R::sim_events>, Section::Simulation).only(kSystemC),
      Row("wall_seconds", "s", "Host time the simulation took").run(at<&R::sim_wall_seconds>, Section::Simulation).only(kSystemC),
      Row("peak_rss_mib", "MiB", "Peak resident memory of the simulating process").run(at<&R::sim_peak_rss_mib>, Section::Simulation).only(kSystemC),
      Row("rtl_tiles", "tile", "Compute tiles run on the verilated PE array (--pe-model rtl)").run(at<&R::rtl_tiles>, Section::Simulation).only(kSystemC),
      Row("rtl_cycles", "cycles", "Cycles of those tiles on the verilated PE array").run(at<&R::rtl_cycles>, Section::Simulation).only(kSystemC),
  };
  std::vector<Stat> t;
  for (const Row& r : rows) {
    Stat s = r.s;
    const auto dot = s.name.find('.');
    if (dot == std::string_view::npos)
      s.key = s.name;
    else
      s.group = s.name.substr(0, dot), s.key = s.name.substr(dot + 1);
    if (s.column.empty()) {  // the flat name: dots become underscores unless the row names it
      s.column = s.name;
      std::replace(s.column.begin(), s.column.end(), '.', '_');
    }
    t.push_back(s);
  }
  return t;
}

}  // namespace

std::span<const Stat> stat_table() {
  static const std::vector<Stat> table = make_table();
  return table;
}

const Stat* find_stat(std::string_view name) {
  for (const Stat& s : stat_table())
    if (s.name == name) return &s;
  return nullptr;
}

const Stat& stat(std::string_view name) {
  if (const Stat* s = find_stat(name)) return *s;
  throw Error(fmt::format("no statistic named '{}'", name));
}

std::string stat_text(const Stat& s, double v) {
  return s.type == StatType::Int ? fmt::format("{}", std::llround(v)) : fmt::format("{}", v);
}

bool Stat::produced_by(std::string_view engine) const {
  switch (engines) {
    case Engines::Both: return true;
    case Engines::Analytic: return engine == "analytic";
    case Engines::SystemC: return engine == "systemc";
  }
  return false;
}

double layer_value(const Stat& s, const LayerStats& l, const StatContext& c) {
  if (s.layer_int) return double(*s.layer_int(l));
  if (s.layer_real) return *s.layer_real(l);
  if (s.derive) return s.derive(l, c);
  return 0;
}

double total_value(const Stat& s, const ModelTotals& t, const RunStats& r, const StatContext& c) {
  if (s.total_field) return t.*s.total_field;
  if (s.run_int) return double(*s.run_int(r));
  if (s.run_real) return *s.run_real(r);
  return layer_value(s, t, c);
}

std::int64_t* layer_int_field(const Stat& s, LayerStats& l) {
  return s.layer_int ? const_cast<std::int64_t*>(s.layer_int(l)) : nullptr;
}
double* layer_real_field(const Stat& s, LayerStats& l) {
  return s.layer_real ? const_cast<double*>(s.layer_real(l)) : nullptr;
}

namespace {
void add_where(LayerStats& into, const LayerStats& from, bool (*which)(const Stat&)) {
  for (const Stat& s : stat_table()) {
    if (!which(s)) continue;
    if (std::int64_t* p = layer_int_field(s, into))
      *p += *s.layer_int(from);
    else if (double* q = layer_real_field(s, into))
      *q += *s.layer_real(from);
  }
}
}  // namespace

void add_core(LayerStats& layer, const LayerStats& core) {
  add_where(layer, core, [](const Stat& s) { return s.over_cores == OverCores::Sum; });
}

void add_layer(ModelTotals& t, const LayerStats& layer) {
  add_where(t, layer, [](const Stat& s) { return s.per_layer() && s.over_layers == OverLayers::Sum; });
}

void finish_totals(ModelTotals& t, const RunStats& run, const StatContext& c) {
  for (const Stat& s : stat_table())
    if (s.per_layer() && s.over_layers == OverLayers::Run && s.run_int) *layer_int_field(s, t) = *s.run_int(run);
  for (const Stat& s : stat_table())
    if (s.derive && s.total_field) t.*s.total_field = s.derive(t, c);
}

std::vector<std::string> instance_names(Instances i, const arch::ArchConfig& a) {
  std::vector<std::string> names;
  switch (i) {
    case Instances::None: break;
    case Instances::DramChannels:
      for (std::int32_t c = 0; c < a.dram.channels; ++c) names.push_back(fmt::format("ch{}", c));
      break;
    case Instances::Links:
      for (const auto& l : arch::build_noc(a).links) names.push_back(l.name);
      break;
    case Instances::Cores:
      for (std::int32_t c = 0; c < a.cores; ++c) names.push_back(fmt::format("core{}", c));
      break;
  }
  return names;
}

// ---- docs ----

namespace {
std::string_view text_of(OverCores o) {
  switch (o) {
    case OverCores::Sum: return "sum";
    case OverCores::Critical: return "critical core";
    case OverCores::Span: return "first start to last end";
    case OverCores::Recomputed: return "recomputed";
    case OverCores::Layer: return "of the layer";
    case OverCores::None: return "-";
  }
  return "?";
}
std::string_view text_of(OverLayers o) {
  switch (o) {
    case OverLayers::Sum: return "sum";
    case OverLayers::Run: return "of the run";
    case OverLayers::Recomputed: return "recomputed";
    case OverLayers::None: return "per layer only";
  }
  return "?";
}
std::string_view text_of(Engines e) {
  switch (e) {
    case Engines::Both: return "both";
    case Engines::Analytic: return "analytic";
    case Engines::SystemC: return "systemc";
  }
  return "?";
}
std::string where_of(const Stat& s) {
  switch (s.section) {
    case Section::Layer: return s.in_total() ? "layers, total" : "layers";
    case Section::Total: return s.instances == Instances::None ? "total" : "total, per instance";
    case Section::Simulation: return "simulation";
  }
  return "?";
}
}  // namespace

std::string stats_markdown() {
  std::string s =
      "# Statistics\n\n"
      "Generated from the stat table in `compiler/stats.cpp` by `npusim schema --stats`; a test keeps this file "
      "equal to that output. Every statistic is declared there once, with its unit, the JSON object that holds it, "
      "how a layer's value follows from its cores' (in the SystemC engine, which runs every core) and the run's "
      "total from its layers', and which engines produce it: a statistic an engine does not produce is absent "
      "from its results (not zero). `npusim run --format json` prints one object:\n\n"
      "```\n{\"version\", \"arch\", \"config\" (the effective configuration), \"model\", \"dtype\", \"batch\", "
      "\"tokens\", \"engine\",\n \"inter_layer_reuse\", \"objective\", \"memory\" (real or ideal), \"stats\" (this table: unit and description "
      "of each name),\n \"layers\": [{\"name\", \"op\", \"class\", \"fused\", \"gemm\": {G, M, N, K}, \"tiling\": {...}, "
      "\"dominant_stall\",\n             and the statistics in \"layers\" below: \"cycles\", \"stalls\": {...}, ...}, ...],\n "
      "\"total\": {the statistics in \"total\" below; a per-instance one is an object by instance name},\n "
      "\"simulation\" (systemc only: pe_model (formula or rtl) and the statistics in \"simulation\" below)}\n```\n\n"
      "A dotted name is nested: `stalls.dram` is `\"stalls\": {\"dram\": ...}`. Instances are DRAM channels (`ch0`, "
      "...), interconnect links (by name, e.g. `core0.out`, `ring.0->1`) and cores (`core0`, ...). These field "
      "names are stable: scripts read them. `--out DIR` also writes `layers.csv` (one row per layer, a column per "
      "per-layer statistic, empty where the engine does not produce it, then the mapping), `stats.csv` (scope, "
      "name, value, unit, description for every statistic of every layer and of the run, a per-instance one as "
      "`name[instance]`, after the version and every key of the effective configuration) and `config.yaml`.\n\n"
      "Sweep metrics are the statistics with a column in the results database (`npusim sweep`, docs/SWEEPS.md), "
      "named by that column or its alias.\n\n"
      "| name | unit | in | over cores | over layers | engines | sweep metric | meaning |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const Stat& x : stat_table()) {
    std::string metric = "-";
    if (x.metric) {
      metric = fmt::format("`{}`", x.column);
      if (!x.alias.empty()) metric += fmt::format(" ({})", x.alias);
      metric += x.minimize ? ", lower is better" : ", higher is better";
    }
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} |\n", x.name, x.unit, where_of(x), text_of(x.over_cores),
                     text_of(x.over_layers), text_of(x.engines), metric, x.description);
  }
  return s;
}

// ---- sweep metrics ----

const std::vector<Metric>& metric_catalog() {
  static const std::vector<Metric> metrics = [] {
    std::vector<Metric> m;
    for (const Stat& s : stat_table())
      if (s.metric)
        m.push_back(Metric{s.column, std::string(s.unit), std::string(s.description), s.minimize, std::string(s.alias),
                           s.type == StatType::Int, &s});
    return m;
  }();
  return metrics;
}

const Metric* find_metric(std::string_view name) {
  for (const auto& m : metric_catalog())
    if (m.name == name || (!m.alias.empty() && m.alias == name)) return &m;
  return nullptr;
}

const Metric& metric_or_throw(std::string_view name, std::string_view option) {
  if (const Metric* m = find_metric(name)) return *m;
  std::string list, aliases;
  for (const auto& m : metric_catalog()) {
    list += fmt::format("{}{}", list.empty() ? "" : ", ", m.name);
    if (!m.alias.empty()) aliases += fmt::format("{}{}", aliases.empty() ? "" : ", ", m.alias);
  }
  throw Error(fmt::format("{} {}: unknown metric (one of {}; aliases {})", option, name, list, aliases));
}

std::vector<double> metric_values(const ModelTotals& t, const RunStats& r, const StatContext& c) {
  std::vector<double> v;
  v.reserve(metric_catalog().size());
  for (const auto& m : metric_catalog()) v.push_back(total_value(*m.stat, t, r, c));
  return v;
}

}  // namespace npusim::compiler
