// The SystemC engine's entry points. SystemC elaborates once per process, so simulate() runs each
// simulation in a child process of its own (base/subprocess.h): the child builds the Npu, runs it,
// and sends its results back as JSON. simulate() may therefore be called any number of times from
// one program (tests, the command line), each call with a fresh SystemC kernel, and never touches
// the caller's SystemC state. A process that is already a fresh child of its own (a sweep's worker)
// runs its one simulation in place with simulate_in_process().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/results.h"
#include "compiler/schedule.h"
#include "sim/pe_timing_model.h"

namespace npusim::sim {

struct SimOptions {
  // The PE array reserves scratchpad bandwidth in slices of this many cycles (a modelling
  // granularity, not a hardware parameter: smaller is finer and slower).
  double slice_cycles = 1024;
  // Run these layer Schedules instead of generating them (tests: hand-made or broken ones).
  std::optional<std::vector<compiler::LayerSchedule>> schedule;
  // Write a timeline of every command on every unit of every core to this file, in the Chrome
  // trace-event format (chrome://tracing, ui.perfetto.dev); times are in cycles (shown as us).
  std::string trace_path;
  // What times the PE arrays: the timing formula, or another variant (sim/pe_timing_model.h; the
  // verilated RTL is validate::rtl::rtl_pe_timing(), chosen by driver/ for `--pe-model rtl`).
  std::shared_ptr<const PeTimingModel> pe_timing = formula_pe_timing();
  // The run stops with a no-progress error when no command completes for this many million
  // simulated cycles while events continue.
  std::int64_t stall_slices = 1000;
};

// Simulates `cm`. Throws Error when the PE timing variant cannot time `cm`'s array (checked before
// the simulation starts), the Schedule can never finish (naming the core, the command and the
// simulated time) or the simulation fails.
compiler::RunResult simulate(const compiler::CompiledModel& cm, const SimOptions& options = {});

// Simulates `cm` in this process, which must not have run SystemC before (throws Error if it
// has) and cannot run it again afterwards: a worker process leaves after it.
compiler::RunResult simulate_in_process(const compiler::CompiledModel& cm, const SimOptions& options = {});

}  // namespace npusim::sim
