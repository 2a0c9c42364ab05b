// A server of fixed bandwidth with a calendar of reservations: links, DRAM channels and
// scratchpad banks are modelled with it. A reservation takes the earliest free gap of its
// duration at or after the time its data can move, so a transfer booked for later (a DMA burst
// whose data arrives after the DRAM latency) does not block the time before it. A resource is
// occupied only for its own service time, bytes / bandwidth: a faster link on the path of a
// slower stream stays free for other streams in between. Deterministic: reservations are served
// in the order they are made. Time in cycles. Not a module; owned by the block it models.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace npusim::sim {

class BandwidthResource {
 public:
  BandwidthResource(std::string name, double bytes_per_cycle) : name_(std::move(name)), bw_(bytes_per_cycle) {}

  struct Slot {
    double start = 0, end = 0;
  };
  // Serves `bytes` (plus `extra` cycles of occupancy) no earlier than `earliest`; `now` is the
  // current simulated time (the calendar forgets what ended before it).
  Slot reserve(double now, double earliest, double bytes, double extra = 0) {
    forget_before(now);
    const double dur = extra + bytes / bw_;
    double at = earliest;
    std::size_t i = 0;
    for (; i < busy_.size(); ++i) {
      if (busy_[i].end <= at) continue;
      if (busy_[i].start >= at + dur) break;  // fits in the gap before interval i
      at = busy_[i].end;
    }
    busy_.insert(busy_.begin() + static_cast<std::ptrdiff_t>(i), Slot{at, at + dur});
    waited_ += at - earliest;
    busy_cycles_ += dur;
    bytes_ += bytes;
    return {at, at + dur};
  }
  // Cut-through: bytes that follow a transfer which may start at `upstream_start` and ends no
  // earlier than `upstream_end`; the result ends no earlier than either.
  Slot pass(double now, double upstream_start, double upstream_end, double bytes) {
    Slot s = reserve(now, upstream_start, bytes);
    s.end = std::max(s.end, upstream_end);
    return s;
  }

  const std::string& name() const { return name_; }
  double bytes_per_cycle() const { return bw_; }
  double busy_cycles() const { return busy_cycles_; }
  double waited_cycles() const { return waited_; }
  double bytes() const { return bytes_; }

 private:
  void forget_before(double now) {
    std::size_t k = 0;
    while (k < busy_.size() && busy_[k].end <= now) ++k;
    if (k > 0) busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(k));
  }

  std::string name_;
  double bw_;
  std::vector<Slot> busy_;  // future reservations, sorted, disjoint
  double busy_cycles_ = 0, waited_ = 0, bytes_ = 0;
};

}  // namespace npusim::sim
