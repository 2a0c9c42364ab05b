#include "compiler/compile.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/checked.h"
#include "base/error.h"
#include "compiler/mapping_cache.h"

namespace npusim::compiler {

namespace {

// Layers with the same signature (mapping_signature) have the same mapping space and cost: one
// search each per compile. With a MappingCache, searches reuse what searches of other compiles
// learned on architectures that differ only in buffer capacities.
struct Mapper {
  const CostContext& ctx;
  Objective objective;
  MappingCache* across = nullptr;
  std::string arch_key;  // MappingCache::arch_key(ctx), with `across`
  std::map<std::string, MapResult> cache;

  std::optional<MapResult> map(const Layer& L, bool a_on_chip, bool out_on_chip) {
    MapRequest req{a_on_chip, out_on_chip, objective};
    std::string key = mapping_signature(L, a_on_chip, out_on_chip);
    if (auto it = cache.find(key); it != cache.end()) {
      MapResult r = it->second;
      r.evaluated = 0;
      return r;
    }
    auto r = search_mapping(ctx, L, req, across ? &across->memo(arch_key, L, a_on_chip, out_on_chip) : nullptr);
    if (r) cache.emplace(std::move(key), *r);
    return r;
  }
};

[[noreturn]] void no_fit(const CostContext& ctx, const Layer& L) {
  // The smallest tile the search can issue, to tell the user how far off the buffers are.
  Mapping m;
  m.tg = 1;
  m.tn = std::min<std::int64_t>(L.N, ctx.pe.cols);
  if (L.conv) {
    m.conv = true;
    m.conv_m = {1, 1, 1};
    m.tm = 1;
    m.tc = 1;
    m.tk = L.conv->kh * L.conv->kw;
  } else {
    m.tm = 1;
    m.tk = std::min<std::int64_t>(L.K, ctx.pe.rows * ctx.pe.v);
  }
  const auto& A = *ctx.arch;
  std::string need;
  if (L.cls == LayerClass::Gemm) {
    CoreProblem p = core_problems(L, Split::None, 1).front();
    CoreEval e = gemm_order_phase(ctx, L, m, gemm_tile_phase(ctx, L, m, p));
    need = fmt::format("; its smallest tile needs {} B of scratchpad and {} B of accumulator buffer", e.buf.spad_total(),
                       e.buf.acc_total());
  }
  throw Error(fmt::format("layer '{}': no mapping fits the buffers of '{}' (scratchpad {} B, accumulator buffer {} B){}",
                          L.name, A.name, A.core.scratchpad.total_bytes, A.core.accumulator_buffer.bytes, need));
}

// The tensor a layer streams as its first operand (A of a GEMM, the input of a vector layer).
workloads::TensorId first_input(const Layer& L) {
  if (L.cls == LayerClass::Gemm) return L.a;
  return L.inputs.size() == 1 ? L.inputs.front() : workloads::kNoTensor;
}

bool is_graph_output(const workloads::Graph& g, workloads::TensorId t) {
  return std::find(g.outputs().begin(), g.outputs().end(), t) != g.outputs().end();
}

void apply_inter_layer_reuse(CompiledModel& cm, Mapper& mapper) {
  auto& layers = cm.layers;
  const auto& lg = cm.lowered;
  for (std::size_t i = 0; i + 1 < layers.size(); ++i) {
    CompiledLayer& P = layers[i];
    CompiledLayer& C = layers[i + 1];
    if (P.layer.cls == LayerClass::Gather || C.layer.cls == LayerClass::Gather) continue;
    if (is_graph_output(cm.graph, P.layer.out)) continue;
    // C must be the only reader of P's output, and read it as its streamed operand only.
    const workloads::TensorId in = first_input(C.layer);
    if (in == workloads::kNoTensor || lg.producer[static_cast<std::size_t>(in)] != static_cast<std::int32_t>(i)) continue;
    bool only_reader = true;
    for (std::size_t j = 0; j < layers.size(); ++j) {
      if (j == i + 1) continue;
      if (std::find(layers[j].layer.deps.begin(), layers[j].layer.deps.end(), static_cast<std::int32_t>(i)) !=
          layers[j].layer.deps.end())
        only_reader = false;
    }
    const Layer& cl = C.layer;
    if (cl.b != workloads::kNoTensor && lg.producer[static_cast<std::size_t>(cl.b)] == static_cast<std::int32_t>(i)) only_reader = false;
    for (workloads::TensorId t : cl.side_inputs)
      if (lg.producer[static_cast<std::size_t>(t)] == static_cast<std::int32_t>(i)) only_reader = false;
    if (!only_reader) continue;
    // A tensor the producer cannot write in one piece (a view of several) stays in DRAM.
    if (cl.cls == LayerClass::Gemm && cl.a_bytes != P.layer.out_bytes && !cl.conv) continue;

    auto np = mapper.map(P.layer, P.mapping.a_on_chip, true);
    auto nc = mapper.map(C.layer, true, C.mapping.out_on_chip);
    if (!np || !nc) continue;
    if (cm.arch->cores > 1) {
      // Each core keeps its own rows; the consumer must take the same rows and need no halo.
      const bool rows_split = np->mapping.split == nc->mapping.split &&
                              (np->mapping.split == Split::M || np->mapping.split == Split::None) &&
                              np->mapping.cores == nc->mapping.cores;
      const bool halo = cl.conv && (cl.conv->kh > 1 || cl.conv->kw > 1);
      if (!rows_split || halo) continue;
    }
    const std::int64_t old_cycles = P.cost.cycles + C.cost.cycles;
    const std::int64_t new_cycles = np->cost.cycles + nc->cost.cycles;
    const std::int64_t old_dram = P.cost.dram_bytes() + C.cost.dram_bytes();
    const std::int64_t new_dram = np->cost.dram_bytes() + nc->cost.dram_bytes();
    if (new_cycles > old_cycles || new_dram >= old_dram) continue;
    P.dram_bytes_saved += P.cost.dram_bytes() - np->cost.dram_bytes();
    C.dram_bytes_saved += C.cost.dram_bytes() - nc->cost.dram_bytes();
    P.mapping = np->mapping, P.cost = np->cost, P.evaluated += np->evaluated;
    C.mapping = nc->mapping, C.cost = nc->cost, C.evaluated += nc->evaluated;
  }
}

}  // namespace

CompiledModel compile(workloads::Graph g, arch::ArchConfigPtr arch, const CompileOptions& opt, std::int64_t batch,
                      std::int64_t tokens, MappingCache* mappings) {
  CostContext ctx = CostContext::make(arch, g.dtype());
  ctx.ideal_memory = opt.ideal_memory;
  CompiledModel cm{std::move(g), arch, std::move(ctx), opt, batch, tokens, {}, {}};

  // Every tensor lives in DRAM at some point: the model must fit.
  std::int64_t bytes = 0;
  for (const auto& t : cm.graph.tensors()) bytes = checked_add(bytes, t.bytes(), "model size");
  const double capacity = arch->dram.capacity_gib * 1024.0 * 1024.0 * 1024.0;
  if (opt.check_capacity && double(bytes) > capacity)
    throw Error(fmt::format("model '{}': its tensors need {:.2f} GiB of DRAM, '{}' has {} GiB (dram.capacity_gib)",
                            cm.graph.name(), double(bytes) / (1024.0 * 1024.0 * 1024.0), arch->name,
                            arch->dram.capacity_gib));

  cm.lowered = lower(cm.graph);
  Mapper mapper{cm.ctx, opt.objective, mappings, mappings ? MappingCache::arch_key(cm.ctx) : std::string(), {}};
  for (const Layer& L : cm.lowered.layers) {
    auto r = mapper.map(L, false, false);
    if (!r) no_fit(cm.ctx, L);
    cm.layers.push_back(CompiledLayer{L, r->mapping, r->cost, 0, r->evaluated});
  }
  if (opt.inter_layer_reuse) apply_inter_layer_reuse(cm, mapper);
  return cm;
}

}  // namespace npusim::compiler
