#include "sim/core.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace npusim::sim {

using compiler::CmdKind;
using compiler::Command;
using compiler::Stall;

Core::Unit Core::unit_of(const Command& c) {
  switch (c.kind) {
    case CmdKind::Load: return c.data == compiler::Data::A ? kLoadA : (c.data == compiler::Data::B ? kLoadB : kLoadOther);
    case CmdKind::Store: return kStore;
    case CmdKind::Compute: return kPe;
    case CmdKind::Vector: return kVector;
    case CmdKind::Barrier: return kUnits;
  }
  return kUnits;
}

Core::Core(const sc_core::sc_module_name& name, std::int32_t id, const CoreSetup& s, Interconnect& noc, Dram& dram,
           LayerHost& host)
    : sc_core::sc_module(name),
      id_(id),
      clock_(*s.clock),
      host_(host),
      trace_(s.trace),
      spad("scratchpad", s.core.scratchpad),
      acc("accumulator_buffer", s.core.accumulator_buffer.bytes),
      pe("pe_array", s.pe, s.operand_bytes, s.acc_bytes, s.slice_cycles, spad, acc, *s.clock, *s.pe_timing),
      vec("vector_unit", s.core.vector_unit),
      dma("dma", id, s.core.dma, noc, dram, spad, acc, *s.clock) {
  SC_THREAD(control);
  SC_THREAD(load_a_queue);
  SC_THREAD(load_b_queue);
  SC_THREAD(load_other_queue);
  SC_THREAD(store_queue);
  SC_THREAD(pe_queue);
  SC_THREAD(vector_queue);
  SC_METHOD(retire);
  sensitive << retire_ev_;
  dont_initialize();
}

void Core::control() {
  for (std::size_t l = 0; l < host_.layer_count(); ++l) {
    const compiler::CoreProgram* prog = host_.program(l, id_);
    if (!prog) continue;
    waiting_barrier_ = static_cast<std::int64_t>(l);
    host_.wait_for_layers(host_.waits_for(l));
    waiting_barrier_ = -1;

    // set the layer up
    prog_ = prog;
    layer_ = l;
    const std::size_t n = prog->cmds.size();
    done_.assign(n, 0);
    done_at_.assign(n, 0.0);
    cause_.assign(n, static_cast<std::uint8_t>(Stall::Dram));
    retire_cause_.assign(n, static_cast<std::uint8_t>(Stall::Dram));
    delay_cause_.assign(n, static_cast<std::uint8_t>(Stall::Dram));
    started_at_.assign(n, 0.0);
    delayed_.assign(n, 0.0);
    for (auto& q : queue_) q.clear();
    bool any_compute = false, any_vector = false;
    for (std::uint32_t i = 0; i < n; ++i) {
      const Unit u = unit_of(prog->cmds[i]);
      if (u != kUnits) queue_[u].push_back(i);
      any_compute |= u == kPe;
      any_vector |= u == kVector;
    }
    primary_ = any_compute ? kPe : (any_vector ? kVector : kUnits);
    stats_ = CoreLayerStats{};
    stats_.start = clock_.now();
    cursor_ = stats_.start;
    vector_busy_.clear();
    const std::int64_t spad_r0 = spad.read_bytes(), spad_w0 = spad.write_bytes(), acc0 = acc.bytes();
    // the barrier itself (command 0) is done
    pending_ = n;
    complete(0, Stall::Sync);
    ++gen_;
    start_ev_.notify(sc_core::SC_ZERO_TIME);
    while (pending_ > 0) wait(progress_ev_);

    // the end of the layer on this core: what follows the primary unit's last command
    stats_.end = clock_.now();
    double tail = stats_.end - cursor_;
    if (tail > 0) {
      double vbusy = 0;
      for (const auto& [a, b] : vector_busy_) vbusy += std::max(0.0, std::min(b, stats_.end) - std::max(a, cursor_));
      vbusy = std::min(vbusy, tail);
      stats_.stalls[static_cast<std::size_t>(primary_ == kVector ? Stall::Dram : Stall::VectorUnit)] +=
          primary_ == kVector ? tail : vbusy;
      if (primary_ != kVector) stats_.stalls[static_cast<std::size_t>(Stall::Dram)] += tail - vbusy;
    }
    stats_.counts.sram_read_bytes = spad.read_bytes() - spad_r0;
    stats_.counts.sram_write_bytes = spad.write_bytes() - spad_w0;
    stats_.counts.acc_bytes = acc.bytes() - acc0;
    stats_.events += static_cast<std::int64_t>(n);
    prog_ = nullptr;
    host_.finished(l, id_, stats_);
  }
  all_done_ = true;
}

void Core::complete(std::uint32_t idx, Stall cause) {
  done_[idx] = 1;
  done_at_[idx] = clock_.now();
  const double worked = done_at_[idx] - started_at_[idx];
  cause_[idx] = static_cast<std::uint8_t>(delayed_[idx] > worked ? static_cast<Stall>(delay_cause_[idx]) : cause);
  --pending_;
  ++completed_;
  progress_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Core::retire() {
  // compare in SystemC time, the domain the event was scheduled in
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!retiring_.empty() && clock_.time(retiring_.top().first) <= now) {
    const std::uint32_t idx = retiring_.top().second;
    retiring_.pop();
    complete(idx, static_cast<Stall>(retire_cause_[idx]));
  }
  if (!retiring_.empty()) notify_retire();
}

void Core::notify_retire() {
  const sc_core::sc_time at = clock_.time(retiring_.top().first), now = sc_core::sc_time_stamp();
  retire_ev_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void Core::wait_deps(Unit u, std::uint32_t idx, double since, Stall& cause) {
  const Command& c = prog_->cmds[idx];
  double latest = since;
  cause = Stall::Dram;
  waiting_cmd_[u] = idx;
  for (std::uint32_t d : prog_->deps_of(c)) {
    waiting_dep_[u] = d;
    while (!done_[d]) wait(progress_ev_);
    if (done_at_[d] > latest) {  // the dependency that held this command up the longest
      latest = done_at_[d];
      cause = static_cast<Stall>(cause_[d]);
    }
  }
  waiting_cmd_[u] = waiting_dep_[u] = -1;
}

void Core::execute(Unit u, std::uint32_t idx) {
  const Command& c = prog_->cmds[idx];
  switch (u) {
    case kLoadA:
    case kLoadB:
    case kLoadOther:
    case kStore: {
      const double issued = clock_.now();  // several DMA queues issue at once: keep it local
      const Dma::Transfer tr = dma.issue(c);
      (c.kind == CmdKind::Load ? stats_.counts.dram_read_bytes : stats_.counts.dram_write_bytes) += c.bytes;
      stats_.counts.noc_byte_hops += tr.byte_hops;
      stats_.counts.dram_accesses += tr.dram_accesses;
      stats_.counts.dram_row_hits += tr.row_hits;
      stats_.counts.dram_row_misses += tr.row_misses;
      stats_.events += tr.bursts;
      retire_cause_[idx] = static_cast<std::uint8_t>(tr.link_queued > tr.dram_queued ? Stall::Interconnect : Stall::Dram);
      retiring_.push({tr.end, idx});
      notify_retire();
      if (trace_) trace_->push_back({id_, u, static_cast<std::uint32_t>(layer_), idx, c.kind, c.data, issued, tr.end, c.bytes});
      return;
    }
    case kPe: {
      const double start = clock_.now();
      const PeArray::Run run = pe.execute(c, layer_, idx);
      if (trace_) trace_->push_back({id_, u, static_cast<std::uint32_t>(layer_), idx, c.kind, c.data, start, clock_.now(), 0});
      stats_.compute += run.array;
      stats_.stalls[static_cast<std::size_t>(Stall::SramBank)] += run.actual - run.array;
      pe_busy_ += run.actual;
      stats_.counts.macs += run.macs;
      stats_.counts.folds += run.folds;
      stats_.counts.tiles += 1;
      stats_.events += run.slices;
      complete(idx, Stall::Dram);
      return;
    }
    case kVector: {
      const double start = clock_.now();
      const BandwidthResource::Slot r = spad.read(start, start, c.spad_read);
      spad.write(start, start, c.spad_write);
      acc.access(c.acc_read);
      vec.count(c.ops);
      for (std::size_t i = 0; i < c.ops.size(); ++i) stats_.counts.vector_ops[i] += c.ops[i];
      const double end = std::max(start + double(vec.cycles(c.ops)), r.end);
      clock_.wait_until(end);
      vector_busy_.emplace_back(start, end);
      vector_busy_cycles_ += end - start;
      if (trace_) trace_->push_back({id_, u, static_cast<std::uint32_t>(layer_), idx, c.kind, c.data, start, end, 0});
      if (primary_ == kVector) {
        stats_.stalls[static_cast<std::size_t>(Stall::VectorUnit)] += end - start;
        stats_.counts.tiles += 1;
      }
      complete(idx, Stall::VectorUnit);
      return;
    }
    case kUnits: return;
  }
}

void Core::run_unit(Unit u) {
  std::uint64_t seen = 0;
  while (true) {
    while (seen == gen_) wait(start_ev_);
    seen = gen_;
    for (std::uint32_t idx : queue_[u]) {
      const double since = clock_.now();
      Stall cause = Stall::Dram;
      wait_deps(u, idx, since, cause);
      started_at_[idx] = clock_.now();
      delayed_[idx] = clock_.now() - since;
      delay_cause_[idx] = static_cast<std::uint8_t>(cause);
      if (u == primary_) {
        // the primary unit's idle time before this command, charged to what it waited for
        const double gap = clock_.now() - cursor_;
        if (gap > 0) stats_.stalls[static_cast<std::size_t>(cause)] += gap;
      }
      execute(u, idx);
      if (u == primary_) cursor_ = clock_.now();
    }
  }
}

std::string Core::stuck(const std::vector<std::string>& layer_names) const {
  if (all_done_) return "";
  const double now = clock_.now();
  if (!prog_) {
    if (waiting_barrier_ >= 0) {
      std::string deps;
      for (auto d : host_.waits_for(static_cast<std::size_t>(waiting_barrier_)))
        deps += fmt::format("{}'{}'", deps.empty() ? "" : ", ", layer_names[static_cast<std::size_t>(d)]);
      return fmt::format("core {} waits at the barrier of layer '{}' for {} at cycle {:.0f}", id_,
                         layer_names[static_cast<std::size_t>(waiting_barrier_)], deps, now);
    }
    return fmt::format("core {} stopped between layers at cycle {:.0f}", id_, now);
  }
  static const char* unit_name[] = {"DMA load queue for A", "DMA load queue for B", "DMA load queue for other data",
                                    "DMA store queue", "PE array", "vector unit"};
  for (std::size_t u = 0; u < kUnits; ++u) {
    if (waiting_cmd_[u] < 0) continue;
    const auto c = static_cast<std::size_t>(waiting_cmd_[u]);
    const auto d = static_cast<std::size_t>(waiting_dep_[u]);
    const Command& cmd = prog_->cmds[c];
    const Command& dep = prog_->cmds[d];
    return fmt::format("core {}, layer '{}': command #{} ({} {}) in the {} waits for #{} ({} {}), which can never run; "
                       "simulated cycle {:.0f}",
                       id_, layer_names[layer_], c, compiler::name_of(cmd.kind), compiler::name_of(cmd.data),
                       unit_name[u], d, compiler::name_of(dep.kind), compiler::name_of(dep.data), now);
  }
  return fmt::format("core {}, layer '{}': {} commands never finished; simulated cycle {:.0f}", id_, layer_names[layer_],
                     pending_, now);
}

}  // namespace npusim::sim
