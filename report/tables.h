// Reports of a run (either engine): per-layer table with totals, JSON (compiler::to_json) and
// CSV. Field names are stable: scripts read them (docs/STATS.md).
#pragma once

#include <string>

#include "compiler/results.h"

namespace npusim::report {

std::string table_report(const compiler::RunResult& r);
// One row per layer, one column per per-layer statistic (empty where the engine does not
// produce it), then the mapping.
std::string csv_report(const compiler::RunResult& r);
// Long format: scope,name,value,unit,description for every statistic of every layer and of the
// run that the engine produces, preceded by the version and every key of the effective
// configuration.
std::string stats_csv(const compiler::RunResult& r);

// The analytic estimate beside the SystemC simulation of the same compiled model: per layer
// cycles and the analytic model's error, with its summary (total error, mean absolute error).
std::string comparison_report(const compiler::RunResult& analytic, const compiler::RunResult& systemc);
nlohmann::json comparison_json(const compiler::RunResult& analytic, const compiler::RunResult& systemc);

}  // namespace npusim::report
