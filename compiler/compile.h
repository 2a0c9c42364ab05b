// The compiler pipeline: graph -> layers (lowering, fusion of elementwise ops) -> per-layer
// mapping search -> inter-layer reuse -> per-layer analytic cost. Pure C++, no SystemC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "compiler/cost_model.h"
#include "compiler/layer.h"
#include "compiler/mapper.h"
#include "workloads/graph.h"

namespace npusim::compiler {

struct CompileOptions {
  // Keep a layer's output on chip when it fits next to its consumer's working set, so the
  // consumer reads it from SRAM instead of DRAM (inter-layer reuse, "layer fusion").
  bool inter_layer_reuse = true;
  Objective objective = Objective::Latency;
  // Memory ideal: see CostContext::ideal_memory (the analytic engine only; no Schedule).
  bool ideal_memory = false;
  // Refuse a model whose tensors exceed dram.capacity_gib. The multi-chip model (system/) times
  // one shard's graph and accounts memory per chip itself.
  bool check_capacity = true;
};

struct CompiledLayer {
  Layer layer;
  Mapping mapping;
  LayerCost cost;
  std::int64_t dram_bytes_saved = 0;  // by inter-layer reuse, vs. the layer mapped on its own
  std::int64_t evaluated = 0;         // mappings the search scored (0 when reused from a twin layer)
};

struct CompiledModel {
  workloads::Graph graph;
  arch::ArchConfigPtr arch;
  CostContext ctx;
  CompileOptions options;
  std::int64_t batch = 1;
  std::int64_t tokens = 0;  // tokens per inference (sequence models), 0 otherwise
  LayerGraph lowered;
  std::vector<CompiledLayer> layers;

  ModelTotals totals() const;
};

class MappingCache;

// Compiles `g` for `arch`. Throws Error when a layer fits no mapping (naming the layer, the
// smallest buffer it needs and what the architecture has). `mappings`: searches remembered across
// compiles (compiler/mapping_cache.h); the result is the same with or without.
CompiledModel compile(workloads::Graph g, arch::ArchConfigPtr arch, const CompileOptions& opt = {}, std::int64_t batch = 1,
                      std::int64_t tokens = 0, MappingCache* mappings = nullptr);

}  // namespace npusim::compiler
