// Dram: the DRAM channels. Addresses interleave over the channels in blocks of
// dram.interleave_bytes; each channel's data bus serves transfers one after another at
// bandwidth/channels, after the idle latency (pipelined: other requests' data may move during it).
// With a row-buffer model each bank keeps one open row: an access to another row first occupies
// its bank for row_buffer.miss_ns (precharge + activate) while the other banks of the channel go
// on using the data bus (bank-level parallelism); an access to the open row goes straight to it.
#pragma once

#include <systemc>

#include <cstdint>
#include <vector>

#include "arch/arch_config.h"
#include "sim/bandwidth_resource.h"

namespace npusim::sim {

class Dram : public sc_core::sc_module {
 public:
  Dram(const sc_core::sc_module_name& name, const arch::DramConfig& cfg, double cycle_ns);

  std::int32_t channel_of(std::uint64_t addr) const;
  std::uint64_t interleave_bytes() const { return interleave_; }
  double latency_cycles() const { return latency_; }

  struct Service {
    double start = 0, end = 0;  // data transfer on the channel
    double queued = 0;          // cycles waited for the channel
    // with the row-buffer model: the access found its row open, or opened it (neither without)
    bool row_hit = false, row_miss = false;
  };
  // A transfer of `bytes` at `addr` (within one interleave block) whose data may move from `t`.
  Service serve(double now, double t, std::uint64_t addr, double bytes);

  std::int32_t channels() const { return n_; }
  double channel_busy_cycles(std::int32_t ch) const { return channels_[static_cast<std::size_t>(ch)].busy_cycles(); }

 private:
  const std::int32_t n_;
  const std::uint64_t interleave_;
  const double latency_;
  const arch::RowBufferConfig rows_;
  const double miss_cycles_;
  std::vector<BandwidthResource> channels_;
  std::vector<std::vector<std::int64_t>> open_row_;  // [channel][bank], -1 = closed
  std::vector<std::vector<double>> bank_free_;       // [channel][bank]: when the bank can take the next access
};

}  // namespace npusim::sim
