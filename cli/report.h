// Reports of a compiled model: per-layer table with totals, JSON and CSV. Field names of the
// JSON ("layers": name, op, macs, cycles, compute_cycles, utilization, sram_bytes, dram_bytes,
// energy_pj, stalls, tiling; "total": cycles, seconds, energy_pj, ...) are stable: scripts read them.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "compiler/compile.h"

namespace npusim::cli {

nlohmann::json layer_json(const compiler::CompiledModel& cm, std::size_t i);
nlohmann::json totals_json(const compiler::CompiledModel& cm);
nlohmann::json config_json(const arch::ArchConfig& cfg);  // the effective configuration
// {"version", "arch", "config", "model", "engine", "layers", "total"}
nlohmann::json model_json(const compiler::CompiledModel& cm, const std::string& engine);

std::string table_report(const compiler::CompiledModel& cm, const std::string& engine);
std::string csv_report(const compiler::CompiledModel& cm);

std::string dominant_stall(const compiler::LayerCost& c);

}  // namespace npusim::cli
