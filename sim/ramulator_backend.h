// RamulatorBackend: the detailed DRAM backend, Ramulator 2 (third_party/ramulator2) running a
// standard DRAM described by arch::DramConfig: one Ramulator controller per channel, each with
// its device (the JEDEC timings of the speed grade, from arch/dram_standards.h), the scheduler,
// the page policy, the address mapping and all-bank refresh. Not a module and free of SystemC:
// its owner (sim/dram.h) offers requests at the current tick and advances the ticks.
//
// Requests are one transaction each (request_bytes(): channel width x prefetch, 64 B for a
// DDR4 x64 channel, 32 B for an HBM pseudo channel). Addresses interleave over the channels in
// blocks of dram.interleave_bytes (Ramulator's CacheLineInterleave); within a channel the
// address mapper picks rank, bank group, bank, row and column. A controller queue that is full
// refuses a request (send() returns false): the sender keeps it and offers it again later.
//
// Time: a channel is ticked only while it has requests in flight (or a refresh or a row close
// pending); an idle channel is brought up to the present when the next request reaches it,
// jumping over the idle ticks but ticking through every refresh, which Ramulator starts at
// multiples of the refresh interval whether or not the channel is busy. The jump is exact (a
// test checks it against ticking every tick): an idle controller's tick only counts time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "arch/arch_config.h"

namespace npusim::sim {

struct DramCompletion {
  std::uint64_t tag = 0;
  std::int64_t tick = 0;  // the tick its data finished moving
  bool write = false;
};

// What the backend counted, per channel and over all (Ramulator's own counters where it has them).
struct DramChannelStats {
  std::int64_t reads = 0, writes = 0;  // requests served
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::int64_t refreshes = 0;  // refresh commands (all-bank or per-bank)
  std::int64_t bytes = 0;      // read + written
  std::vector<std::int64_t> commands;  // issued, by command of the standard (arch::DramStandardSpec::commands)
};

class ReadLatencyHistogram {
 public:
  void add(std::int64_t ticks);
  std::int64_t count() const { return n_; }
  double mean() const { return n_ ? double(sum_) / double(n_) : 0.0; }
  std::int64_t max() const { return max_; }
  // The smallest latency at or above which a fraction `1 - q` of the reads lie (q in [0, 1]).
  std::int64_t quantile(double q) const;

 private:
  static constexpr std::size_t kExact = 4096;  // 1-tick buckets below this, 64-tick buckets above
  std::array<std::int64_t, kExact> low_{};
  std::vector<std::int64_t> high_;
  std::int64_t n_ = 0, sum_ = 0, max_ = 0;
};

class RamulatorBackend {
 public:
  // jump_idle = false ticks every channel on every tick (the reference the jumps are tested against).
  explicit RamulatorBackend(const arch::DramConfig& cfg, bool jump_idle = true);
  ~RamulatorBackend();
  RamulatorBackend(const RamulatorBackend&) = delete;
  RamulatorBackend& operator=(const RamulatorBackend&) = delete;

  std::int32_t request_bytes() const { return tx_bytes_; }
  double tick_ns() const { return tick_ns_; }
  std::int32_t channels() const { return static_cast<std::int32_t>(channels_.size()); }
  std::int32_t channel_of(std::uint64_t addr) const;

  std::int64_t now() const { return now_; }
  std::int64_t in_flight() const { return in_flight_; }

  // Offers one request at the present tick; false when the channel's queue is full.
  bool send(bool write, std::uint64_t addr, std::uint64_t tag);
  // Advances one tick: ticks every channel with requests in flight; what completed is appended.
  void tick(std::vector<DramCompletion>& done);
  // Moves the present to tick `t` (>= now()); only allowed with nothing in flight.
  void skip_to(std::int64_t t);

  // Brings every channel up to the present (refreshes included) and collects the counters.
  std::vector<DramChannelStats> channel_stats();
  const ReadLatencyHistogram& read_latency() const { return latency_; }

 private:
  struct Channel;
  void catch_up(Channel& ch, std::int64_t t);
  bool quiet(const Channel& ch) const;

  const arch::DramConfig cfg_;
  const bool jump_idle_;
  std::int32_t tx_bytes_ = 0;
  double tick_ns_ = 0;
  std::int64_t write_delay_ = 0;  // ticks from a write command to its last data (nCWL + nBL)
  std::int64_t refresh_period_ = 0, refreshes_per_period_ = 0, close_margin_ = 0;
  std::int64_t now_ = 0, in_flight_ = 0;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<DramCompletion> completed_;  // what the callbacks reported, not yet handed out
  ReadLatencyHistogram latency_;
  struct Ramulator;
  std::unique_ptr<Ramulator> ram_;
};

}  // namespace npusim::sim
