// Per-layer mapping search: tile sizes per loop dimension (remainders allowed), loop order,
// resident operand and core split, under the scratchpad and accumulator capacities with double
// buffering, scored by the analytic cost model. Deterministic: candidates are enumerated in a
// fixed order and ties keep the first.
#pragma once

#include <cstdint>
#include <optional>

#include "compiler/cost_model.h"

namespace npusim::compiler {

// What the search minimises, lexicographically.
enum class Objective : std::uint8_t {
  Latency,  // cycles, then DRAM bytes, then energy (default)
  Energy,   // energy, then cycles
  Edp,      // energy x cycles
  Dram,     // DRAM bytes, then cycles
};
std::string_view name_of(Objective o);
std::optional<Objective> parse_objective(std::string_view s);

struct MapRequest {
  bool a_on_chip = false;    // the producer left A in the scratchpad
  bool out_on_chip = false;  // keep the output in the scratchpad for the consumer
  Objective objective = Objective::Latency;
};

struct MapResult {
  Mapping mapping;
  LayerCost cost;
  std::int64_t evaluated = 0;  // mappings scored
};

// Best mapping, or nullopt if no tile fits the buffers.
std::optional<MapResult> search_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req);

// True if `a` is better than `b` under the objective.
bool better(const LayerCost& a, const LayerCost& b, Objective o);

}  // namespace npusim::compiler
