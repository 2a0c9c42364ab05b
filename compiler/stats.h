// The stat table: every statistic npusim reports, declared once, with its name (the JSON field),
// unit, description, where its value is kept, how it aggregates over the cores of a layer and
// over the layers of a run, and which engines produce it. The JSON writer and reader
// (compiler/results.h), the CSV reports, the run totals, the sweep metrics and docs/STATS.md all
// iterate it: adding a statistic is one line in stats.cpp plus the code that measures it.
//
// The values themselves live in plain structs (LayerStats per layer, RunStats per run); a table
// row reaches its field through an accessor, so the engines fill fields by name and the
// serialisers never spell a statistic out.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch_config.h"
#include "compiler/layer.h"

namespace npusim::compiler {

// The causes of the cycles a layer spends beyond the PE array's own time.
enum class Stall : std::uint8_t { Dram, Interconnect, SramBank, VectorUnit, Sync };
inline constexpr std::size_t kNumStalls = 5;
std::string_view name_of(Stall s);

struct EnergyBreakdown {
  double mac = 0, sram = 0, accumulator = 0, dram = 0, noc = 0, vector = 0, leakage = 0;
  double dynamic() const { return mac + sram + accumulator + dram + noc + vector; }  // all but leakage
  double total() const { return dynamic() + leakage; }
};

// The statistics of one layer kept as values (either engine fills what it produces; the table
// says which); summed over the layers, the run's totals (ModelTotals).
struct LayerStats {
  std::int64_t start_cycle = 0, end_cycle = 0;  // where the layer sits on the run's timeline
  std::int64_t cycles = 0;                      // end - start
  std::int64_t compute_cycles = 0;              // PE-array time of the critical core, memory ideal
  std::array<std::int64_t, kNumStalls> stalls{};  // sums to cycles - compute_cycles
  std::int64_t macs = 0;
  std::int64_t tiles = 0, folds = 0;  // compute (or vector) tiles, all cores; PE-array folds
  std::int64_t dram_read_bytes = 0, dram_write_bytes = 0;
  std::int64_t compulsory_dram_bytes = 0;  // every input read once, the output written once
  std::int64_t dram_bytes_saved = 0;       // by inter-layer reuse, vs. the layer mapped on its own
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0;  // scratchpad
  std::int64_t acc_bytes = 0;                              // accumulator buffer reads + writes
  double noc_byte_hops = 0;
  VecOps vector_ops{};
  EnergyBreakdown energy;
  // SystemC only: DRAM accesses (a DMA burst per channel it touches) and their row-buffer outcome
  std::int64_t dram_accesses = 0, dram_row_hits = 0, dram_row_misses = 0;
  // Analytic only: the roofs (cycles) the estimate took the maximum of, and the exposed ends.
  double roof_compute = 0, roof_vector = 0, roof_sram = 0, roof_dram = 0, roof_noc = 0;
  double roof_burst = 0;  // a core whose resident operand moves in a burst
  double roof_dma = 0;    // the busiest core's loads or stores through its DMA window
  std::int64_t prologue = 0, epilogue = 0;

  std::int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
  std::int64_t sram_bytes() const { return sram_read_bytes + sram_write_bytes; }
  std::int64_t vector_op_count() const {
    std::int64_t n = 0;
    for (auto v : vector_ops) n += v;
    return n;
  }
};

// The stall with the most cycles ("dram", ...), or "-" when the layer did not stall.
std::string_view dominant_stall(const LayerStats& l);

// Energy of a layer (or run) from its action counts (MACs, SRAM, accumulator, DRAM, interconnect
// and vector-unit traffic) and its cycles (leakage). Both engines use it.
EnergyBreakdown energy_of(const arch::ArchConfig& a, DType dtype, const LayerStats& counts, double cycles);
// Leakage: power density x area (mW), and the energy of `cycles` (pJ) at that power.
double leakage_mw(const arch::ArchConfig& a);
inline double leakage_pj(double leakage_mw, double cycles, double cycle_ns) {
  return leakage_mw * cycles * cycle_ns;  // mW x ns = pJ
}
inline double leakage_pj(const arch::ArchConfig& a, double cycles) { return leakage_pj(leakage_mw(a), cycles, a.cycle_ns()); }

// The statistics of a run as a whole.
struct RunStats {
  std::int64_t total_cycles = 0;  // analytic: sum of the layers; systemc: end of the simulation
  // SystemC only: simulation events (commands, bursts, compute slices) and host figures
  std::int64_t sim_events = 0;
  double sim_wall_seconds = 0;
  double sim_peak_rss_mib = 0;
  std::int64_t rtl_tiles = 0, rtl_cycles = 0;  // compute tiles run on the verilated PE array
  // SystemC only: busy cycles per DRAM channel, interconnect link (arch::build_noc order) and core
  std::vector<double> dram_channel_busy_cycles, link_busy_cycles;
  std::vector<double> core_pe_busy_cycles, core_vector_busy_cycles, core_sram_busy_cycles;
};

// What derived statistics need besides other statistics.
struct StatContext {
  double peak_macs_per_cycle = 0;  // all cores, at the run's operand datatype
  double cycle_ns = 0, clock_mhz = 0;
  std::int64_t batch = 1, tokens = 0;
  double area_mm2 = 0;
};

// A run's totals: the per-layer statistics aggregated over the layers (each as its table row
// says), and the run-level figures derived from them.
struct ModelTotals : LayerStats {
  double seconds = 0;        // cycles at the clock
  double utilization = 0;    // MACs / (cycles x peak MACs per cycle)
  double tops = 0;           // 2 ops per MAC
  double tops_per_watt = 0;
  double inferences_per_s = 0;  // batches per second x batch
  double tokens_per_s = 0;      // for sequence models: tokens processed per second
  double energy_j = 0, edp = 0, power_w = 0, area_mm2 = 0, peak_tops = 0, throughput_per_mm2 = 0;
};

// ---- the table ----

enum class StatType : std::uint8_t { Int, Real };
// The JSON object that holds a statistic (docs/STATS.md shows the layout).
enum class Section : std::uint8_t {
  Layer,       // every object of "layers", and "total" unless it does not aggregate over layers
  Total,       // "total" only: a figure of the whole run
  Simulation,  // "simulation": the SystemC engine's figures about the simulation itself
};
// How a layer's value follows from its cores' (in the SystemC engine, which runs every core).
enum class OverCores : std::uint8_t {
  Sum,         // the cores' counts added
  Critical,    // the core that finished last
  Span,        // from the first core's start to the last core's end
  Recomputed,  // from the layer's other statistics
  Layer,       // a figure of the layer as a whole (the compiler's or the analytic model's)
  None,        // not a per-layer statistic
};
// How the run's total follows from its layers'.
enum class OverLayers : std::uint8_t {
  Sum,
  Run,         // the run's own figure (RunStats), not an aggregate of the layers
  Recomputed,  // from the totals of the other statistics
  None,        // per layer only
};
enum class Engines : std::uint8_t { Both, Analytic, SystemC };
// A statistic with one value per instance of a block (in "total", an object by instance name).
enum class Instances : std::uint8_t { None, DramChannels, Links, Cores };

struct Stat {
  std::string_view name;  // JSON field within its section; one dot nests: "stalls.dram"
  std::string_view unit, description;
  StatType type = StatType::Int;
  Section section = Section::Layer;
  OverCores over_cores = OverCores::Sum;
  OverLayers over_layers = OverLayers::Sum;
  Engines engines = Engines::Both;
  Instances instances = Instances::None;
  // Where the value is kept: a LayerStats field, a formula over the other statistics, or a
  // RunStats field (for a Layer statistic that is the run's own figure, its total).
  const std::int64_t* (*layer_int)(const LayerStats&) = nullptr;
  const double* (*layer_real)(const LayerStats&) = nullptr;
  double (*derive)(const LayerStats&, const StatContext&) = nullptr;
  double ModelTotals::*total_field = nullptr;  // where a derived statistic's total is kept
  const std::int64_t* (*run_int)(const RunStats&) = nullptr;
  const double* (*run_real)(const RunStats&) = nullptr;
  const std::vector<double>* (*run_series)(const RunStats&) = nullptr;
  // The flat name: the layers.csv column, and for a sweep metric its results-database column
  // (the name with '_' for '.', unless the row gives one).
  std::string column;
  // A sweep metric: a column of the results database, which direction is better, an alias.
  bool metric = false;
  bool minimize = true;
  std::string_view alias;
  // `name` split at its dot: the JSON object ("" for none) and the field in it.
  std::string_view group, key;

  bool per_layer() const { return section == Section::Layer; }
  bool in_total() const {
    return section == Section::Total || (section == Section::Layer && over_layers != OverLayers::None);
  }
  bool produced_by(std::string_view engine) const;  // "analytic" or "systemc"
};

// Every statistic, in documentation order (the sweep metrics first, in database column order).
std::span<const Stat> stat_table();
const Stat* find_stat(std::string_view name);  // by name; nullptr if none
const Stat& stat(std::string_view name);       // by name; throws Error if none

// Values. Derived statistics are computed; a Layer statistic's total is read from the totals.
double layer_value(const Stat& s, const LayerStats& l, const StatContext& c);
double total_value(const Stat& s, const ModelTotals& t, const RunStats& r, const StatContext& c);
// A value as text: an integer statistic without a fraction, a real one in the shortest form
// that reads back exactly.
std::string stat_text(const Stat& s, double v);
// Writable fields of the statistics the table stores (nullptr for a derived one).
std::int64_t* layer_int_field(const Stat& s, LayerStats& l);
double* layer_real_field(const Stat& s, LayerStats& l);

// Adds a core's counts into its layer: every statistic that sums over cores.
void add_core(LayerStats& layer, const LayerStats& core);
// A run's totals: add_layer() for each layer, then finish_totals() (the run's own figures and
// the derived statistics).
void add_layer(ModelTotals& t, const LayerStats& layer);
void finish_totals(ModelTotals& t, const RunStats& run, const StatContext& c);

// The names of the instances of a per-instance statistic (e.g. "ch0", a link's name, "core1").
std::vector<std::string> instance_names(Instances i, const arch::ArchConfig& a);

// docs/STATS.md: the table and the JSON layout, as Markdown.
std::string stats_markdown();

// ---- sweep metrics: the statistics of a run's total that are columns of the results database ----
struct Metric {
  std::string name;  // the column, e.g. "latency_s"
  std::string unit, description;
  bool minimize = true;  // the better direction, for Pareto sets and sensitivity
  std::string alias;     // e.g. "latency"; may be empty
  bool integer = false;
  const Stat* stat = nullptr;
};
const std::vector<Metric>& metric_catalog();
// By name or alias; nullptr if unknown.
const Metric* find_metric(std::string_view name);
// By name or alias, or throws Error("OPTION NAME: unknown metric (one of ...)").
const Metric& metric_or_throw(std::string_view name, std::string_view option);
// The metrics of a run's totals, by column name.
std::vector<double> metric_values(const ModelTotals& t, const RunStats& r, const StatContext& c);

}  // namespace npusim::compiler
