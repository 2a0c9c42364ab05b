// Core: one NPU core. It runs its part of each layer's Schedule: a control thread passes the
// layer's barrier (the layers it depends on must have finished on every core), then four units
// each work through their commands in program order (the DMA load queue, the DMA store queue, the
// PE array and the vector unit), each command starting once the commands it depends on are done.
// The DMA engine has a load queue per stream (operand A, operand B, and partial sums or side
// operands) and one store queue, so the next A tile can be fetched as soon as its buffer slot is
// free, however far the B stream is.
// The core owns its scratchpad, accumulator buffer, PE array, vector unit and DMA engine.
#pragma once

#include <systemc>

#include <array>
#include <cstdint>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "compiler/cost_model.h"
#include "compiler/schedule.h"
#include "sim/accumulator_buffer.h"
#include "sim/dma.h"
#include "sim/dram.h"
#include "sim/interconnect.h"
#include "sim/pe_array.h"
#include "sim/scratchpad.h"
#include "sim/sim_clock.h"
#include "sim/vector_unit.h"

namespace npusim::sim {

// What a core did for one layer.
struct CoreLayerStats {
  double start = 0, end = 0;  // passed the barrier / finished its last command
  double compute = 0;         // the PE array's own cycles (its timing variant's)
  std::array<double, compiler::kNumStalls> stalls{};  // the rest of [start, end], by cause
  // The core's counts of the statistics that sum over cores (compiler/stats.h); the rest of it
  // stays zero.
  compiler::LayerStats counts;
  std::int64_t events = 0;
};

// The NPU, as a core sees it.
class LayerHost {
 public:
  virtual ~LayerHost() = default;
  virtual std::size_t layer_count() const = 0;
  // This core's program for a layer, or nullptr if the layer does not use this core.
  virtual const compiler::CoreProgram* program(std::size_t layer, std::int32_t core) = 0;
  virtual const std::vector<std::int32_t>& waits_for(std::size_t layer) const = 0;
  // Blocks the calling thread until every listed layer has finished on every core.
  virtual void wait_for_layers(const std::vector<std::int32_t>& layers) = 0;
  virtual void finished(std::size_t layer, std::int32_t core, const CoreLayerStats& stats) = 0;
};

// Everything a core's blocks take from the validated architecture.
// One executed command, for the timeline trace.
struct TraceEvent {
  std::int32_t core = 0, unit = 0;  // unit: 0 load A, 1 load B, 2 other loads, 3 stores, 4 PE array, 5 vector unit
  std::uint32_t layer = 0, cmd = 0;
  compiler::CmdKind kind = compiler::CmdKind::Barrier;
  compiler::Data data = compiler::Data::None;
  double start = 0, end = 0;  // cycles
  std::int64_t bytes = 0;
};

struct CoreSetup {
  arch::CoreConfig core;
  compiler::PeGeometry pe;
  std::int64_t operand_bytes = 1, acc_bytes = 4;
  double slice_cycles = 1024;
  const PeTimingModel* pe_timing = nullptr;  // what times the PE array (formula, rtl)
  const SimClock* clock = nullptr;
  std::vector<TraceEvent>* trace = nullptr;  // record every command here when set
};

class Core : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Core);
  Core(const sc_core::sc_module_name& name, std::int32_t id, const CoreSetup& setup, Interconnect& noc, Dram& dram,
       LayerHost& host);

  bool done() const { return all_done_; }
  const PeArray& pe_array() const { return pe; }
  // Cycles the PE array and the vector unit worked, all layers.
  double pe_busy_cycles() const { return pe_busy_; }
  double vector_busy_cycles() const { return vector_busy_cycles_; }
  std::int64_t completed() const { return completed_; }
  // Where the core is stuck (for the no-progress report), or "" if it is not.
  std::string stuck(const std::vector<std::string>& layer_names) const;

 private:
  enum Unit : std::uint8_t { kLoadA, kLoadB, kLoadOther, kStore, kPe, kVector, kUnits };
  static Unit unit_of(const compiler::Command& c);

  void control();
  // one thread per unit (named apart from the child modules)
  void load_a_queue() { run_unit(kLoadA); }
  void load_b_queue() { run_unit(kLoadB); }
  void load_other_queue() { run_unit(kLoadOther); }
  void store_queue() { run_unit(kStore); }
  void pe_queue() { run_unit(kPe); }
  void vector_queue() { run_unit(kVector); }
  void run_unit(Unit u);
  void retire();
  void notify_retire();
  void complete(std::uint32_t idx, compiler::Stall cause);
  void wait_deps(Unit u, std::uint32_t idx, double since, compiler::Stall& cause);
  void execute(Unit u, std::uint32_t idx);

  const std::int32_t id_;
  const SimClock& clock_;
  LayerHost& host_;
  std::vector<TraceEvent>* trace_;

 public:  // the core's blocks (children of this module)
  Scratchpad spad;
  AccumulatorBuffer acc;
  PeArray pe;
  VectorUnit vec;
  Dma dma;

 private:
  // the layer in progress
  const compiler::CoreProgram* prog_ = nullptr;
  std::size_t layer_ = 0;
  std::uint64_t gen_ = 0;
  std::array<std::vector<std::uint32_t>, kUnits> queue_;
  std::vector<char> done_;
  std::vector<double> done_at_;
  std::vector<std::uint8_t> cause_;  // the stall a command causes to the one that waits for it
  // what held each command up before it started, and for how long (a command that waited longer
  // than it worked passes that cause on: a vector op stuck behind a slow store is a DRAM stall)
  std::vector<std::uint8_t> delay_cause_;
  std::vector<double> started_at_, delayed_;
  std::size_t pending_ = 0;
  Unit primary_ = kPe;
  double cursor_ = 0;  // the primary unit's time accounted so far
  std::vector<std::pair<double, double>> vector_busy_;
  CoreLayerStats stats_;
  double pe_busy_ = 0, vector_busy_cycles_ = 0;
  bool all_done_ = false;
  std::int64_t completed_ = 0;  // commands completed, all layers

  // where each unit waits (for the no-progress report)
  std::array<std::int64_t, kUnits> waiting_cmd_{-1, -1, -1, -1, -1, -1}, waiting_dep_{-1, -1, -1, -1, -1, -1};
  std::int64_t waiting_barrier_ = -1;

  sc_core::sc_event start_ev_, progress_ev_, retire_ev_;
  std::priority_queue<std::pair<double, std::uint32_t>, std::vector<std::pair<double, std::uint32_t>>, std::greater<>>
      retiring_;
  std::vector<std::uint8_t> retire_cause_;
};

}  // namespace npusim::sim
