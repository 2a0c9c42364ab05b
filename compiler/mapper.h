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

struct SearchMemo;

// Best mapping, or nullopt if no tile fits the buffers. With `memo` (compiler/mapping_cache.h:
// what earlier searches of this layer and request learned on architectures that differ only in
// buffer capacities), the same search, reusing what is known and adding what it learns; the
// result is the same as without.
std::optional<MapResult> search_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req,
                                        SearchMemo* memo = nullptr);

// What the objectives compare of a mapping's cost.
struct Score {
  std::int64_t cycles = 0, dram_read_bytes = 0, dram_write_bytes = 0;
  double energy = 0;  // pJ, leakage included
  std::int64_t dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
};
Score score_of(const LayerCost& c);

// The same search over a much finer grid without pruning (the reference search_mapping is
// measured against: `npusim bench --suite mapping-optimality`, docs/PERFORMANCE.md): every
// candidate search_mapping scores, plus every multiple of the array-aligned quantum (48 evenly
// spaced ones when there are more) and every power of two, for every dimension, with all loop
// orders, residencies and core splits. Slow: for benchmarks and tests, not for compiling.
std::optional<MapResult> exhaustive_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req);

// True if `a` is better than `b` under the objective.
bool better(const Score& a, const Score& b, Objective o);
inline bool better(const LayerCost& a, const LayerCost& b, Objective o) { return better(score_of(a), score_of(b), o); }

}  // namespace npusim::compiler
