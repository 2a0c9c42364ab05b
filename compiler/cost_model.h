// The analytic cost model: a pure function from (architecture, layer, mapping) to cycles,
// traffic per memory level, stalls and energy. No SystemC; usable from any thread.
//
// Per core, the layer is a loop nest g > o0 > o1 > o2 over tiles (order o = a permutation of
// m, n, k). An operand tile is (re)loaded when its indices change between consecutive steps,
// except a resident operand, which is loaded once per slice. Remainder tiles are counted
// exactly, as classes of (size, count). Cycles are the largest of the per-core PE, vector-unit
// and scratchpad times and the shared DRAM and interconnect times, plus the exposed prologue
// (first loads) and epilogue (last post-processing and store). docs/MAPPING.md derives it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "arch/arch_config.h"
#include "arch/interconnect.h"
#include "compiler/layer.h"
#include "compiler/mapping.h"
#include "compiler/pe_timing.h"
#include "compiler/stats.h"

namespace npusim::compiler {

// Architecture figures the model needs, derived once per compile.
struct CostContext {
  arch::ArchConfigPtr arch;
  DType dtype = DType::Int8;  // operand datatype of the workload
  PeGeometry pe;
  arch::NocModel noc;
  double dram_bytes_per_cycle = 0;
  std::int64_t dram_latency = 0;
  std::int64_t spad_bytes_per_cycle = 0;
  // What one core's DMA engine can move per cycle in one direction with core.dma.max_outstanding
  // bursts in flight: mean-value analysis of the closed loop of those bursts through a delay
  // (DRAM latency and router hops both ways) and the slowest per-core server on the way (the
  // core's link or its scratchpad banks), so it is below both the latency bound and the server.
  double dma_window_bytes_per_cycle = 0;
  // Memory ideal (an analysis mode, analytic engine only): buffers are unbounded and every
  // transfer is free, so a layer takes the PE array's and the vector unit's own time. The
  // mapping search then picks the tiles that minimise the array's time (for one core: the
  // layer as one tile), as SCALE-Sim counts compute cycles.
  bool ideal_memory = false;

  static CostContext make(arch::ArchConfigPtr arch, DType dtype);
  std::int64_t operand_bytes() const { return bytes_of(dtype); }
  std::int64_t acc_bytes() const { return bytes_of(arch->datatypes.accumulator); }
};

// Scratchpad and accumulator-buffer use of one core (bytes).
struct BufferPlan {
  std::int64_t a_slot = 0, a_slots = 0;      // operand A tiles
  std::int64_t b_slot = 0, b_slots = 0;      // operand B tiles
  std::int64_t out_slot = 0, out_slots = 0;  // output tiles staged for store (or side inputs)
  std::int64_t acc_slot = 0, acc_slots = 0;  // accumulator buffer
  std::int64_t reserved_in = 0;              // A kept on chip by the previous layer
  std::int64_t reserved_out = 0;             // output kept on chip for the next layer
  std::int64_t spad_a() const { return a_slot * a_slots + reserved_in; }
  std::int64_t spad_b() const { return b_slot * b_slots; }
  std::int64_t spad_out() const { return out_slot * out_slots + reserved_out; }
  std::int64_t spad_total() const { return spad_a() + spad_b() + spad_out(); }
  std::int64_t acc_total() const { return acc_slot * acc_slots; }
};

// What a buffer plan asks of the capacities: all that decides whether it fits.
struct BufferNeed {
  std::int64_t acc = 0;      // accumulator buffer
  std::int64_t spad = 0;     // a unified scratchpad
  std::int64_t inputs = 0, weights = 0, outputs = 0;  // a partitioned one (A left on chip lives with the outputs)
};
BufferNeed need_of(const BufferPlan& b);

// The analytic model's estimate of a layer: the statistics it produces (compiler/stats.h says
// which), and what the mapper and the Schedule need besides.
struct LayerCost : LayerStats {
  double roof_interlock = 0;  // PE time plus what it waits for the vector unit to free accumulator slots
  BufferPlan buffers;         // of the busiest core
};

// What one core computes of a layer (offsets locate it in the layer).
struct CoreProblem {
  std::int64_t G = 1, M = 0, N = 0, K = 0;
  std::int64_t g0 = 0, m0 = 0, n0 = 0;
  // conv: images [img0, img0 + images) x output rows [oh0, oh0 + out_rows) x all columns
  std::int64_t img0 = 0, images = 0, oh0 = 0, out_rows = 0;
};

// The shares of a layer under a split (one per core used).
std::vector<CoreProblem> core_problems(const Layer& L, Split split, std::int32_t cores);

// Whether a core's buffers fit the scratchpad (or its partitions) and the accumulator buffer;
// always with memory ideal. The only place the buffer capacities enter the cost model.
inline bool buffers_fit(const CostContext& ctx, const BufferNeed& n) {
  if (ctx.ideal_memory) return true;
  const auto& sp = ctx.arch->core.scratchpad;
  if (n.acc > ctx.arch->core.accumulator_buffer.bytes) return false;
  if (!sp.partitioned) return n.spad <= sp.total_bytes;
  return n.inputs <= sp.inputs_bytes && n.weights <= sp.weights_bytes && n.outputs <= sp.outputs_bytes;
}
inline bool buffers_fit(const CostContext& ctx, const BufferPlan& b) { return buffers_fit(ctx, need_of(b)); }

// Cost of `m` for layer `L`, or nullopt if the buffers do not fit. `exact`: evaluate every
// core's own share; otherwise the largest share stands for all (the search's fast path).
std::optional<LayerCost> evaluate(const CostContext& ctx, const Layer& L, const Mapping& m, bool exact = true);

// ---- the two phases evaluate() is made of, exposed for the mapper's search ----

// Everything about one core's share that depends on the tile sizes only.
struct TilePhase {
  std::array<std::int64_t, 4> trips{};  // g, m, n, k tile counts (m, n, k in dimension order)
  std::int64_t nm = 0, nn = 0, nk = 0, ng = 0;
  std::int64_t a_tile = 0, b_tile = 0, out_elems_tile = 0;
  std::int64_t a_tiles_bytes = 0, b_tiles_bytes = 0, out_elems = 0;
  std::int64_t compute = 0, folds = 0, tiles = 0, macs = 0;
  std::int64_t pe_a = 0, pe_b = 0, pe_acc = 0;  // scratchpad reads / accumulator traffic (elements)
  std::int64_t vector = 0, last_vector = 0, last_out_elems = 0;
  // Per output-tile class (g, m, n): its PE time over all of k, its vector-unit time and count,
  // for the PE / vector-unit interlock through the two accumulator slots.
  struct OutClass {
    std::int64_t count = 0;
    double pe = 0, vec = 0;
  };
  int n_g = 0, n_m = 0, n_n = 0;  // classes per dimension, and the tiles of each class
  std::array<std::int64_t, 8> g_count{}, m_count{}, n_count{};
  std::array<OutClass, 2 * 8 * 2> out{};  // index (g * 8 + m) * 2 + n
  const OutClass& out_class(int g, int m, int n) const { return out[static_cast<std::size_t>((g * 8 + m) * 2 + n)]; }
};
TilePhase gemm_tile_phase(const CostContext& ctx, const Layer& L, const Mapping& m, const CoreProblem& p);
// Trip counts g, o0, o1, o2 of the loop nest under an order.
std::array<std::int64_t, 4> loop_trips(const TilePhase& t, const LoopOrder& order);

// Per-core totals of a mapping (tile phase + loop order, residency and on-chip choices).
struct CoreEval {
  std::int64_t compute = 0, vector = 0, folds = 0, tiles = 0, macs = 0;
  // The PE array waits when an output tile's vector work outlasts the next tile's compute (the
  // accumulator slot it needs is still being drained): cycles it loses that way.
  double interlock = 0;
  // A resident operand moves its bytes in a fraction of the steps (its first pass, or for C its
  // last), not evenly: burst_bytes in burst_fraction of the core's compute time.
  std::int64_t burst_bytes = 0;
  double burst_fraction = 1;
  std::int64_t dram_r = 0, dram_w = 0, spad_r = 0, spad_w = 0, acc = 0;
  std::int64_t first_load = 0, last_store = 0, last_vector = 0;
  BufferPlan buf;
  VecOps vops{};
  bool fits = true;
};
CoreEval gemm_order_phase(const CostContext& ctx, const Layer& L, const Mapping& m, const TilePhase& t);
CoreEval stream_core(const CostContext& ctx, const Layer& L, const Mapping& m, const CoreProblem& p);

// Combines per-core evaluations into the layer's cost. evals[i] stands for weights[i] cores.
LayerCost combine(const CostContext& ctx, const Layer& L, const Mapping& m, const std::vector<CoreEval>& evals,
                  const std::vector<std::int32_t>& weights);

// Reload factor of an operand under a loop order (trip counts g, o0, o1, o2): how many times
// each of its distinct tiles is loaded. For C it is the number of visits per output tile.
std::int64_t reload_factor(Operand x, const std::array<std::int64_t, 4>& trips, const LoopOrder& order,
                           Resident resident);

// Tiles of operand x that a resident slice holds (see docs/MAPPING.md).
std::int64_t resident_slice_tiles(Operand x, const std::array<std::int64_t, 4>& trips, const LoopOrder& order);

// The fraction of the loop nest's steps in which a resident operand's DRAM traffic happens: a
// resident A or B is loaded in its slice's first pass over the loop it does not depend on, a
// resident C stored in the last pass of k; 1 when the traffic is spread over every step.
double resident_burst_fraction(Operand x, const std::array<std::int64_t, 4>& trips, const LoopOrder& order);

bool relevant(Operand x, Dim d);

// ---- formulas both engines use ----

// Vector-unit cycles of one command: its pipeline latency plus, per operation class,
// ceil(ops / (lanes x ops per lane per cycle)); the classes are served one after another.
std::int64_t vector_command_cycles(const arch::VectorUnitConfig& vu, const VecOps& ops);

// Scratchpad reads of the PE array and accumulator-buffer traffic of one compute tile, in
// elements: per fold the stationary block once and the streamed operand once per fold it crosses.
struct PeTraffic {
  std::int64_t a = 0, b = 0, acc = 0;
};
PeTraffic pe_traffic(const PeGeometry& pe, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups);

// Number of input rows (or columns) in [0, in) read by output rows [o0, o0 + n) of a conv.
std::int64_t conv_span(std::int64_t in, std::int64_t o0, std::int64_t n, std::int64_t k, std::int64_t stride,
                       std::int64_t pad, std::int64_t dil);

}  // namespace npusim::compiler
