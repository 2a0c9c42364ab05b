// Npu: the top of the SystemC model: the cores, the interconnect and the DRAM, built from the
// validated architecture. It hands each core its part of each layer's Schedule (generated when the
// first core reaches the layer, released when the layer is done), keeps the layer barriers, and
// turns what the cores report into per-layer statistics.
#pragma once

#include <systemc>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/results.h"
#include "compiler/schedule.h"
#include "sim/core.h"
#include "sim/dram.h"
#include "sim/interconnect.h"
#include "sim/sim_clock.h"

namespace npusim::sim {

class Npu : public sc_core::sc_module, public LayerHost {
 public:
  // `pe_timing`: what times the PE arrays (sim/pe_timing_model.h). `schedule`: the layers'
  // Schedules to run instead of generating them from `cm` (tests use it to run hand-made or broken
  // Schedules).
  Npu(const sc_core::sc_module_name& name, const compiler::CompiledModel& cm, const PeTimingModel& pe_timing,
      double slice_cycles, std::optional<std::vector<compiler::LayerSchedule>> schedule = std::nullopt,
      std::vector<TraceEvent>* trace = nullptr);

  // After sc_start() has returned: the results, or throws Error if the Schedule could not finish
  // (naming the core, the command and the simulated time).
  compiler::RunResult result() const;
  // Commands completed so far, all cores (for the progress watchdog).
  std::int64_t progress() const;
  // Where the simulation is stuck (the first stuck core), for the no-progress report.
  std::string stuck() const;

  // LayerHost
  std::size_t layer_count() const override { return cm_.layers.size(); }
  const compiler::CoreProgram* program(std::size_t layer, std::int32_t core) override;
  const std::vector<std::int32_t>& waits_for(std::size_t layer) const override;
  void wait_for_layers(const std::vector<std::int32_t>& layers) override;
  void finished(std::size_t layer, std::int32_t core, const CoreLayerStats& stats) override;

 private:
  struct LayerState {
    std::unique_ptr<compiler::LayerSchedule> schedule;
    std::vector<std::int32_t> waits;
    std::int32_t cores = 0, finished = 0;
    bool done = false;
    std::vector<CoreLayerStats> per_core;
  };
  const compiler::LayerSchedule& schedule_of(std::size_t layer);

  const compiler::CompiledModel& cm_;
  const PeTimingModel& pe_timing_;
  const SimClock clock_;
  std::optional<std::vector<compiler::LayerSchedule>> given_;
  const std::vector<std::uint64_t> addr_;
  Interconnect noc_;
  Dram dram_;
  std::vector<std::unique_ptr<Core>> cores_;
  std::vector<LayerState> layers_;
  sc_core::sc_event layer_done_;
};

}  // namespace npusim::sim
