// Golden whole-model numbers (docs/GOLDEN.md): the runs of tests/golden/runs.txt, what of each is
// pinned (cycles, stall cycles by cause, bytes per memory level, energy; per layer and in total,
// for both engines), the golden file's text and the differences between two pinnings, one
// readable line each.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace npusim::tests::golden {

struct Run {
  std::string id;                 // "edge-npu/resnet50"
  std::vector<std::string> args;  // of `npusim run`
  std::string args_text() const;
};
// runs.txt: "ID ARG...", '#' comments. Throws std::runtime_error naming the line.
std::vector<Run> parse_runs(const std::string& text);

// The pinned statistics: per layer (the columns of golden.json's layer rows after the name) and
// in total (cycles, stalls, bytes, MACs and the energy by component).
const std::vector<std::string>& layer_stats();
const std::vector<std::string>& total_stats();

// What golden.json pins of one run, from the output of `npusim run ARGS --engine both --format
// json`: {"args": ..., "analytic": {"total": {...}, "layers": [[name, ...], ...]}, "systemc": ...}.
// Throws std::runtime_error naming a statistic npusim's JSON does not have.
nlohmann::json pin(const Run& run, const nlohmann::json& npusim_output);

// golden.json's text: one line per layer, so a review shows which layers changed.
std::string golden_text(const nlohmann::json& runs);  // runs: id -> pin()

// Every difference between a pinned run and a new one ("RUN ENGINE layer I 'NAME': STAT OLD ->
// NEW (+x%)"). Integers must be equal; energies (floating point) equal within 1e-9 relative.
std::vector<std::string> differences(const std::string& id, const nlohmann::json& pinned, const nlohmann::json& now);

}  // namespace npusim::tests::golden
