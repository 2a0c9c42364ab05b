// Results of a run, whichever engine produced them (the analytic model or the SystemC
// simulation): per layer and in total, with every statistic declared once, with its unit and
// description, in the stat catalog. Reports, sweeps and the validation read this.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/compile.h"

namespace npusim::compiler {

struct LayerResult {
  std::string name;
  workloads::OpKind op = workloads::OpKind::MatMul;
  LayerClass cls = LayerClass::Gemm;
  std::vector<std::string> fused;
  Mapping mapping;
  std::int64_t G = 0, M = 0, N = 0, K = 0;

  std::int64_t start_cycle = 0, end_cycle = 0;  // where the layer sits on the run's timeline
  std::int64_t cycles = 0;                      // end - start
  std::int64_t compute_cycles = 0;              // PE-array time of the critical core, memory ideal
  std::array<std::int64_t, kNumStalls> stalls{};  // sums to cycles - compute_cycles
  std::int64_t macs = 0;
  std::int64_t dram_read_bytes = 0, dram_write_bytes = 0, compulsory_dram_bytes = 0, dram_bytes_saved = 0;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0, acc_bytes = 0;
  double noc_byte_hops = 0;
  VecOps vector_ops{};
  EnergyBreakdown energy;
  std::int64_t tiles = 0, folds = 0;
  // Analytic engine only: the roofs (cycles) its estimate took the maximum of, and the exposed ends.
  struct Roofs {
    double compute = 0, vector = 0, sram = 0, dram = 0, noc = 0, dma = 0, burst = 0;
    std::int64_t prologue = 0, epilogue = 0;
  };
  std::optional<Roofs> roofs;

  std::int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
  std::int64_t sram_bytes() const { return sram_read_bytes + sram_write_bytes; }
};

struct RunResult {
  std::string engine;  // "analytic" or "systemc"
  std::string model;
  arch::ArchConfigPtr arch;
  DType dtype = DType::Int8;
  std::int64_t batch = 1, tokens = 0;
  bool inter_layer_reuse = true;
  Objective objective = Objective::Latency;
  bool ideal_memory = false;
  std::vector<LayerResult> layers;
  std::int64_t total_cycles = 0;  // analytic: sum of the layers; systemc: end of the simulation
  // SystemC only: simulation events (commands, bursts, compute slices) and host figures
  std::int64_t sim_events = 0;
  double sim_wall_seconds = 0;
  double sim_peak_rss_mib = 0;
  // SystemC only: what timed the PE array ("formula", or "rtl": every compute tile ran on the
  // verilated array), and with the RTL, the tiles it ran and their cycles
  std::string pe_model = "formula";
  std::int64_t rtl_tiles = 0, rtl_cycles = 0;

  ModelTotals totals() const;
};

// The analytic engine's result for a compiled model.
RunResult analytic_result(const CompiledModel& cm);
// A result skeleton with the layers, mappings and compulsory traffic of `cm` and no timing.
RunResult empty_result(const CompiledModel& cm, const std::string& engine);

// ---- the stat catalog: every statistic, registered once, with its unit ----
struct StatDesc {
  std::string name;  // as in the JSON "layers"/"total" objects, e.g. "dram_bytes", "stalls.dram"
  std::string unit;  // "cycles", "B", "pJ", ...
  std::string description;
  bool per_layer = true;  // false: total only
};
const std::vector<StatDesc>& stat_catalog();
// docs/STATS.md: the catalog and the JSON layout, as Markdown.
std::string stats_markdown();

// JSON with the stable field names (see docs/STATS.md); from_json restores what to_json wrote.
nlohmann::json layer_to_json(const LayerResult& l, const RunResult& r);
nlohmann::json totals_to_json(const RunResult& r);
nlohmann::json config_to_json(const arch::ArchConfig& cfg);
nlohmann::json to_json(const RunResult& r);  // {"version", "arch", "config", ..., "layers", "total"}
RunResult from_json(const nlohmann::json& j, arch::ArchConfigPtr arch);

}  // namespace npusim::compiler
