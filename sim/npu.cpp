#include "sim/npu.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace npusim::sim {

using compiler::CmdKind;
using compiler::Stall;

namespace {

// Static checks of a Schedule before it runs: every dependency names an earlier-or-later command
// that exists, and every program starts with its barrier.
void check_schedule(const compiler::LayerSchedule& s, const std::string& layer) {
  for (const auto& core : s.cores) {
    if (core.cmds.empty() || core.cmds.front().kind != CmdKind::Barrier)
      throw Error(fmt::format("Schedule of layer '{}', core {}: the program must start with its barrier", layer,
                              core.core));
    for (std::size_t i = 0; i < core.cmds.size(); ++i) {
      const auto& c = core.cmds[i];
      if (std::size_t(c.dep_begin) + c.dep_count > core.deps.size())
        throw Error(fmt::format("Schedule of layer '{}', core {}: command #{} has a dependency list outside the program",
                                layer, core.core, i));
      for (auto d : core.deps_of(c)) {
        if (d >= core.cmds.size())
          throw Error(fmt::format("Schedule of layer '{}', core {}: command #{} ({}) depends on #{}, which does not exist "
                                  "(the program has {} commands)",
                                  layer, core.core, i, compiler::name_of(c.kind), d, core.cmds.size()));
        if (d == i)
          throw Error(fmt::format("Schedule of layer '{}', core {}: command #{} ({}) depends on itself", layer, core.core,
                                  i, compiler::name_of(c.kind)));
      }
      if (i > 0 && c.kind == CmdKind::Barrier)
        throw Error(fmt::format("Schedule of layer '{}', core {}: command #{} is a second barrier", layer, core.core, i));
    }
  }
}

}  // namespace

Npu::Npu(const sc_core::sc_module_name& name, const compiler::CompiledModel& cm, const PeTimingModel& pe_timing,
         double slice_cycles, std::optional<std::vector<compiler::LayerSchedule>> schedule,
         std::vector<TraceEvent>* trace)
    : sc_core::sc_module(name),
      cm_(cm),
      pe_timing_(pe_timing),
      clock_(cm.arch->cycle_ns()),
      given_(std::move(schedule)),
      addr_(compiler::dram_layout(cm)),
      noc_("interconnect", arch::build_noc(*cm.arch), cm.arch->interconnect.hop_latency_cycles),
      dram_("dram", cm.arch->dram, cm.arch->cycle_ns()) {
  const auto& A = *cm.arch;
  CoreSetup setup;
  setup.core = A.core;
  setup.pe = cm.ctx.pe;
  setup.operand_bytes = cm.ctx.operand_bytes();
  setup.acc_bytes = cm.ctx.acc_bytes();
  setup.slice_cycles = slice_cycles;
  setup.pe_timing = &pe_timing;
  setup.clock = &clock_;
  setup.trace = trace;
  for (std::int32_t c = 0; c < A.cores; ++c)
    cores_.push_back(std::make_unique<Core>(fmt::format("core{}", c).c_str(), c, setup, noc_, dram_, *this));
  layers_.resize(cm.layers.size());
  for (std::size_t l = 0; l < cm.layers.size(); ++l) {
    layers_[l].waits = cm.layers[l].layer.deps;
    if (given_ && l < given_->size()) layers_[l].waits = (*given_)[l].wait_layers;
  }
  if (given_)
    for (std::size_t l = 0; l < given_->size() && l < cm.layers.size(); ++l) check_schedule((*given_)[l], cm.layers[l].layer.name);
}

const compiler::LayerSchedule& Npu::schedule_of(std::size_t l) {
  LayerState& s = layers_[l];
  if (!s.schedule) {
    if (given_ && l < given_->size())
      s.schedule = std::make_unique<compiler::LayerSchedule>((*given_)[l]);
    else
      s.schedule = std::make_unique<compiler::LayerSchedule>(compiler::schedule_layer(cm_, l, addr_));
    s.cores = static_cast<std::int32_t>(s.schedule->cores.size());
    s.per_core.assign(s.schedule->cores.size(), CoreLayerStats{});
  }
  return *s.schedule;
}

const compiler::CoreProgram* Npu::program(std::size_t layer, std::int32_t core) {
  const compiler::LayerSchedule& s = schedule_of(layer);
  return core < static_cast<std::int32_t>(s.cores.size()) ? &s.cores[static_cast<std::size_t>(core)] : nullptr;
}

const std::vector<std::int32_t>& Npu::waits_for(std::size_t layer) const { return layers_[layer].waits; }

void Npu::wait_for_layers(const std::vector<std::int32_t>& layers) {
  for (std::int32_t l : layers)
    while (!layers_[static_cast<std::size_t>(l)].done) wait(layer_done_);
}

void Npu::finished(std::size_t layer, std::int32_t core, const CoreLayerStats& stats) {
  LayerState& s = layers_[layer];
  s.per_core[static_cast<std::size_t>(core)] = stats;
  if (++s.finished == s.cores) {
    s.done = true;
    s.schedule.reset();  // the commands are no longer needed
    layer_done_.notify(sc_core::SC_ZERO_TIME);
  }
}

std::int64_t Npu::progress() const {
  std::int64_t n = 0;
  for (const auto& c : cores_) n += c->completed();
  return n;
}

std::string Npu::stuck() const {
  std::vector<std::string> names;
  for (const auto& l : cm_.layers) names.push_back(l.layer.name);
  for (const auto& c : cores_)
    if (std::string where = c->stuck(names); !where.empty()) return where;
  for (std::size_t l = 0; l < layers_.size(); ++l)
    if (!layers_[l].done) return "layer '" + names[l] + "' never ran";
  return "";
}

compiler::RunResult Npu::result() const {
  for (std::size_t l = 0; l < layers_.size(); ++l)
    if (!layers_[l].done) throw Error(fmt::format("no progress: the Schedule cannot finish: {}", stuck()));

  compiler::RunResult r = compiler::empty_result(cm_, "systemc");
  double run_end = 0;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const LayerState& s = layers_[l];
    compiler::LayerResult& out = r.layers[l];
    double start = s.per_core.front().start, end = s.per_core.front().end;
    std::size_t critical = 0;
    for (std::size_t c = 0; c < s.per_core.size(); ++c) {
      start = std::min(start, s.per_core[c].start);
      if (s.per_core[c].end > end) end = s.per_core[c].end, critical = c;
    }
    run_end = std::max(run_end, end);
    const CoreLayerStats& cs = s.per_core[critical];
    out.start_cycle = std::llround(start);
    out.end_cycle = std::llround(end);
    out.cycles = out.end_cycle - out.start_cycle;
    out.compute_cycles = std::llround(cs.compute);
    // the critical core's time, by cause; it started late by waiting for other cores (sync)
    std::array<double, compiler::kNumStalls> st = cs.stalls;
    st[static_cast<std::size_t>(Stall::Sync)] += cs.start - start;
    std::int64_t sum = 0;
    std::size_t biggest = 0;
    for (std::size_t i = 0; i < compiler::kNumStalls; ++i) {
      out.stalls[i] = std::max<std::int64_t>(0, std::llround(st[i]));
      sum += out.stalls[i];
      if (st[i] > st[biggest]) biggest = i;
    }
    // rounding: the stalls add up to cycles - compute_cycles exactly
    out.stalls[biggest] += out.cycles - out.compute_cycles - sum;
    if (out.stalls[biggest] < 0) {
      out.compute_cycles += out.stalls[biggest];
      out.stalls[biggest] = 0;
    }
    for (const auto& c : s.per_core) {
      compiler::add_core(out, c.counts);
      r.sim_events += c.events;
    }
    out.energy = compiler::energy_of(*cm_.arch, cm_.ctx.dtype, out, double(out.cycles));
  }
  r.total_cycles = std::llround(run_end);
  for (std::int32_t ch = 0; ch < dram_.channels(); ++ch) r.dram_channel_busy_cycles.push_back(dram_.channel_busy_cycles(ch));
  for (std::size_t i = 0; i < noc_.links(); ++i) r.link_busy_cycles.push_back(noc_.link(i).busy_cycles());
  for (const auto& core : cores_) {
    r.core_pe_busy_cycles.push_back(core->pe_busy_cycles());
    r.core_vector_busy_cycles.push_back(core->vector_busy_cycles());
    r.core_sram_busy_cycles.push_back(core->spad.busy_cycles());
  }
  r.pe_model = std::string(pe_timing_.name());
  for (const auto& core : cores_) core->pe_array().timing().add_counters(r);
  return r;
}

}  // namespace npusim::sim
