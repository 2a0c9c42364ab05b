// Mapping searches remembered across compiles (docs/SWEEPS.md, "the mapping cache").
//
// A sweep compiles the same model on design points that differ in a few architecture
// parameters. Where two points differ only in buffer capacities (the scratchpad, its partitions,
// the accumulator buffer), the mapping search of a layer enumerates the same candidates in the
// same order, and each candidate has the same buffer plan and the same cost on both, with two
// exceptions, found in the cost model's code:
//  - the capacities decide which candidates fit (cost_model.h: buffers_fit);
//  - the area grows with the buffers, and the leakage energy with the area (stats.h: leakage_pj).
// So the cache keeps, under a key of everything else the search reads (the layer's shape, the
// request, the operand datatype, the memory mode, and every architecture parameter with the
// capacities blanked), what the searches learned about each candidate: its buffer plan, its
// lower bound, and the cost figures the objectives compare, leakage left out. search_mapping()
// with a memo runs the same enumeration with the same pruning and tie-breaks, taking each
// candidate's fit from its plan against this point's capacities and its leakage from this
// point's area, and computes only what no earlier point computed. Its result is exactly the one
// a search from scratch finds (tests/compiler/mapping_cache_test.cpp); the cost of the chosen
// mapping is evaluated afresh on the point.
//
// Not thread-safe: one cache per thread or process (a sweep's worker process keeps one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiler/cost_model.h"
#include "compiler/layer.h"
#include "compiler/mapper.h"

namespace npusim::compiler {

// What the searches learned about one loop order and resident operand of a tile candidate.
struct ScoredMapping {
  bool planned = false;  // `need` is known
  bool costed = false;   // the cost figures are known (it fitted on some point)
  BufferNeed need;
  std::int64_t cycles = 0, dram_read_bytes = 0, dram_write_bytes = 0;
  double dynamic_energy = 0;  // EnergyBreakdown::dynamic(): all but the leakage, which is the point's

  // What the objectives compare (mapper.h: Score), on a point whose leakage power is
  // `leakage_mw` (stats.h: leakage_mw) at `cycle_ns`: EnergyBreakdown::total() to the bit.
  Score score_on(double leakage_mw, double cycle_ns) const;
};

// The memo of one layer's searches under one request on architectures alike but for capacities:
// per tile candidate (split and tile sizes, by its index in the search's enumeration), kept in
// separate arrays so that a search that prunes a candidate by its bound reads 8 bytes of it.
struct SearchMemo {
  static constexpr std::uint32_t kNoOrders = ~std::uint32_t{0};
  std::vector<double> bounds;           // cycles no mapping of these tiles beats; NaN: not known yet
  std::vector<BufferNeed> probes;       // the smallest plan any order of these tiles can have
  std::vector<std::uint32_t> first;     // where its orders start in `orders`, or kNoOrders
  std::vector<ScoredMapping> orders;    // loop orders x resident operands of the candidates that got
                                        // past their probe and bound on some point
  void grow(std::size_t tiles);         // room for this many tile candidates
};

// Everything about a layer that the mapping search and the cost model read, as text: layers
// with the same signature have the same mappings and costs.
std::string mapping_signature(const Layer& L, bool a_on_chip, bool out_on_chip);

class MappingCache {
 public:
  // Keeps the memos of the `architectures` most recently used architecture keys.
  explicit MappingCache(std::size_t architectures = 2);

  // The key of ctx's architecture with its buffer capacities blanked, with the operand
  // datatype and the memory mode: the effective configuration (arch::to_yaml) of a copy whose
  // capacities, name, description and origin are cleared. Computed once per compile.
  static std::string arch_key(const CostContext& ctx);
  static std::string arch_key(const arch::ArchConfig& arch, DType dtype, bool ideal_memory);

  // The memo of `L`'s searches under `req` on architectures with key `arch_key`.
  SearchMemo& memo(const std::string& arch_key, const Layer& L, bool a_on_chip, bool out_on_chip);

  std::size_t memos() const;                 // layers remembered, all architectures
  std::int64_t lookups() const { return lookups_; }
  std::int64_t reused() const { return reused_; }  // lookups that found an earlier memo

 private:
  using Memos = std::unordered_map<std::string, SearchMemo>;
  std::size_t capacity_;
  std::list<std::pair<std::string, Memos>> archs_;  // most recently used first
  std::int64_t lookups_ = 0, reused_ = 0;
};

}  // namespace npusim::compiler
