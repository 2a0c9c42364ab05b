// What times the PE array in the SystemC model: one interface, variants chosen by name
// (`npusim run --pe-model formula|rtl`, driver::PeModel):
//   formula  the PE-array timing formula (compiler/pe_timing.h, proven against the RTL):
//            sim/pe_timing_model.cpp, the default
//   rtl      every compute tile runs on the verilated RTL, cycle by cycle (validate/rtl/pe_timing_rtl.h)
//
// The pattern every block of the model with a fast and a detailed variant follows (the PE array
// first, DRAM next; docs/SIMULATION.md, "Block variants"):
//  - sim/ declares the interface: a plain C++ abstract class (no SystemC) with only what the
//    block's sc_module asks of its timing (here: an array's own cycles for one tile), and a
//    variant: its name, a check run before the simulation starts (so a variant that cannot run
//    the configuration is a plain user error, not a failed child process) and a factory that
//    makes one instance per block inside the simulation process.
//  - The sc_module (PeArray) keeps everything the variants share: its interaction with the rest
//    of the model (scratchpad bandwidth, the accumulator, statistics). A variant replaces only
//    the timing.
//  - The fast variant lives in sim/. A detailed variant lives where its own dependencies are
//    allowed (docs/ARCHITECTURE.md): the RTL in validate/rtl (which may depend on sim, never the
//    reverse), a vendored simulator in third_party/ wrapped by a file in sim/.
//  - The choice is an enum parsed at the edge (driver::PeModel, or a YAML key such as
//    `dram.model` through the validated ArchConfig); driver/ turns it into the variant and hands it
//    to sim::simulate() in SimOptions. sim/ never names a variant it may not depend on.
//  - Each variant names itself in the result (RunResult::pe_model) and adds the counters only it
//    has (the RTL: tiles run and their cycles).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "compiler/pe_timing.h"
#include "compiler/results.h"
#include "compiler/schedule.h"

namespace npusim::sim {

// One PE array's timing (one per core), made inside the simulation process.
class PeArrayTiming {
 public:
  virtual ~PeArrayTiming() = default;
  // The array's own cycles for compute tile `c` (command `index` of layer `layer`), before any
  // wait for scratchpad bandwidth. Throws Error when the tile cannot be timed.
  virtual std::int64_t tile_cycles(const compiler::Command& c, std::uint64_t layer, std::uint64_t index) = 0;
  // Adds what this variant counted to the run's result (nothing for the formula).
  virtual void add_counters(compiler::RunResult& r) const = 0;
};

// A variant of the PE-array timing: immutable, shared by every simulation that uses it.
class PeTimingModel {
 public:
  virtual ~PeTimingModel() = default;
  virtual std::string_view name() const = 0;  // as in RunResult::pe_model: "formula", "rtl"
  // Throws Error unless this variant can time an array of `geometry`; simulate() calls it before
  // the simulation starts.
  virtual void check(const compiler::PeGeometry& geometry) const = 0;
  // The timing of one array; `where` names the array in error messages.
  virtual std::unique_ptr<PeArrayTiming> make(const compiler::PeGeometry& geometry, std::string where) const = 0;
};

// The timing formula (compiler::pe_tile_timing): the default variant.
std::shared_ptr<const PeTimingModel> formula_pe_timing();

}  // namespace npusim::sim
