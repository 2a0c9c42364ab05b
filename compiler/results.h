// Results of a run, whichever engine produced them (the analytic model or the SystemC
// simulation): per layer and in total. Every statistic is declared once, in the stat table
// (compiler/stats.h); the JSON here is written and read by iterating it. Reports, sweeps and the
// validation read this.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compiler/compile.h"
#include "compiler/stats.h"

namespace npusim::compiler {

// A layer of a run: what it is, how it was mapped, and its statistics (compiler/stats.h).
struct LayerResult : LayerStats {
  std::string name;
  workloads::OpKind op = workloads::OpKind::MatMul;
  LayerClass cls = LayerClass::Gemm;
  std::vector<std::string> fused;
  Mapping mapping;
  std::int64_t G = 0, M = 0, N = 0, K = 0;
};

// A run: what ran, on what, with which engine, its layers, and its run-level statistics.
struct RunResult : RunStats {
  std::string engine;  // "analytic" or "systemc"
  std::string model;
  arch::ArchConfigPtr arch;
  DType dtype = DType::Int8;
  std::int64_t batch = 1, tokens = 0;
  bool inter_layer_reuse = true;
  Objective objective = Objective::Latency;
  bool ideal_memory = false;
  std::vector<LayerResult> layers;
  // SystemC only: what timed the PE array ("formula", or "rtl": every compute tile ran on the
  // verilated array; rtl_tiles and rtl_cycles count them)
  std::string pe_model = "formula";

  StatContext context() const;  // what the derived statistics need
  ModelTotals totals() const;
};

// The analytic engine's result for a compiled model.
RunResult analytic_result(const CompiledModel& cm);
// A result skeleton with the layers, mappings and compulsory traffic of `cm` and no timing.
RunResult empty_result(const CompiledModel& cm, const std::string& engine);

// JSON with the stable field names (see docs/STATS.md); from_json restores what to_json wrote.
// Every statistic of the table the run's engine produces is written, and read back.
nlohmann::json layer_to_json(const LayerResult& l, const RunResult& r);
nlohmann::json totals_to_json(const RunResult& r);
nlohmann::json config_to_json(const arch::ArchConfig& cfg);
nlohmann::json to_json(const RunResult& r);  // {"version", "arch", "config", ..., "layers", "total"}
RunResult from_json(const nlohmann::json& j, arch::ArchConfigPtr arch);
// The layers of a result JSON. `lenient`: a statistic or field that is absent (a result written
// by an older npusim) stays zero instead of being an error.
std::vector<LayerResult> layers_from_json(const nlohmann::json& result, bool lenient = false);

// The sweep metrics of a run (metric_catalog() names).
std::map<std::string, double> metrics_of(const RunResult& r);

}  // namespace npusim::compiler
