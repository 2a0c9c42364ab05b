#include "sim/dram.h"

#include <cmath>
#include <fmt/format.h>

namespace npusim::sim {

Dram::Dram(const sc_core::sc_module_name& name, const arch::DramConfig& cfg, double cycle_ns)
    : sc_core::sc_module(name),
      n_(cfg.channels),
      interleave_(static_cast<std::uint64_t>(cfg.interleave_bytes)),
      latency_(cfg.latency_ns / cycle_ns),
      rows_(cfg.row_buffer),
      miss_cycles_(cfg.row_buffer.miss_ns / cycle_ns) {
  const double per_channel = cfg.bandwidth_gb_per_s * cycle_ns / cfg.channels;  // bytes per cycle
  for (std::int32_t c = 0; c < n_; ++c) channels_.emplace_back(fmt::format("ch{}", c), per_channel);
  if (rows_.enabled) {
    open_row_.assign(static_cast<std::size_t>(n_), std::vector<std::int64_t>(static_cast<std::size_t>(rows_.banks), -1));
    bank_free_.assign(static_cast<std::size_t>(n_), std::vector<double>(static_cast<std::size_t>(rows_.banks), 0.0));
  }
}

std::int32_t Dram::channel_of(std::uint64_t addr) const {
  return static_cast<std::int32_t>((addr / interleave_) % static_cast<std::uint64_t>(n_));
}

Dram::Service Dram::serve(double now, double t, std::uint64_t addr, double bytes) {
  const std::int32_t ch = channel_of(addr);
  bool hit = false, miss = false;
  double ready = t;
  double* bank_free = nullptr;
  if (rows_.enabled) {
    // the address within its channel, then bank and row
    const std::uint64_t block = addr / interleave_ / static_cast<std::uint64_t>(n_);
    const std::uint64_t local = block * interleave_ + addr % interleave_;
    const std::uint64_t page = static_cast<std::uint64_t>(rows_.page_bytes);
    const auto bank = static_cast<std::size_t>((local / page) % static_cast<std::uint64_t>(rows_.banks));
    const auto row = static_cast<std::int64_t>(local / page / static_cast<std::uint64_t>(rows_.banks));
    auto& open = open_row_[static_cast<std::size_t>(ch)][bank];
    bank_free = &bank_free_[static_cast<std::size_t>(ch)][bank];
    hit = open == row;
    miss = !hit;
    ready = std::max(t, *bank_free);
    if (miss) {
      ready += miss_cycles_;  // precharge and activate in this bank only
      open = row;
    }
  }
  BandwidthResource& r = channels_[static_cast<std::size_t>(ch)];
  const double waited_before = r.waited_cycles();
  BandwidthResource::Slot s = r.reserve(now, ready, bytes);
  if (bank_free) *bank_free = s.end;
  return {s.start, s.end, (r.waited_cycles() - waited_before) + (ready - t), hit, miss};
}

}  // namespace npusim::sim
