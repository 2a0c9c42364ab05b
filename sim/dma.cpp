#include "sim/dma.h"

#include <algorithm>

namespace npusim::sim {

using compiler::Buf;
using compiler::CmdKind;

Dma::Dma(const sc_core::sc_module_name& name, std::int32_t core, const arch::DmaConfig& cfg, Interconnect& noc,
         Dram& dram, Scratchpad& spad, AccumulatorBuffer& acc, const SimClock& clock)
    : sc_core::sc_module(name),
      core_(core),
      burst_(cfg.burst_bytes),
      window_(static_cast<std::size_t>(cfg.max_outstanding)),
      noc_(noc),
      dram_(dram),
      spad_(spad),
      acc_(acc),
      clock_(clock) {}

void Dma::count(Transfer& tr, const Dram::Service& s) {
  ++tr.dram_accesses;
  tr.row_hits += s.row_hit;
  tr.row_misses += s.row_miss;
}

double Dma::load_burst(double t, std::uint64_t addr, std::int64_t bytes, bool to_acc, Transfer& tr) {
  const std::int32_t ch = dram_.channel_of(addr);
  const double hop = noc_.hop_cycles(core_, ch);
  const Dram::Service s = dram_.serve(t, t + hop + dram_.latency_cycles(), addr, double(bytes));
  const Interconnect::Pass p = noc_.traverse(t, noc_.read_path(core_, ch), s.start, s.end, double(bytes));
  double end = p.end;
  if (to_acc)
    acc_.access(bytes);
  else
    end = spad_.write_through(t, p.start, p.end, bytes).end;
  tr.link_queued += p.queued;
  tr.dram_queued += s.queued;
  tr.byte_hops += double(bytes) * noc_.hops(core_, ch);
  count(tr, s);
  return end + hop;
}

double Dma::store_burst(double t, std::uint64_t addr, std::int64_t bytes, bool from_acc, Transfer& tr) {
  const std::int32_t ch = dram_.channel_of(addr);
  const double hop = noc_.hop_cycles(core_, ch);
  double s0 = t, e0 = t;
  if (from_acc) {
    acc_.access(bytes);
  } else {
    const BandwidthResource::Slot r = spad_.read(t, t, bytes);
    s0 = r.start, e0 = r.end;
  }
  const Interconnect::Pass p = noc_.traverse(t, noc_.write_path(core_, ch), s0, e0, double(bytes));
  const Dram::Service s = dram_.serve(t, p.start + hop, addr, double(bytes));
  tr.link_queued += p.queued;
  tr.dram_queued += s.queued;
  tr.byte_hops += double(bytes) * noc_.hops(core_, ch);
  count(tr, s);
  return std::max(s.end, p.end + hop);
}

Dma::Transfer Dma::issue(const compiler::Command& c) {
  Transfer tr;
  const bool load = c.kind == CmdKind::Load;
  const bool acc = c.buf == Buf::Acc;
  auto& flight = in_flight_[load ? 0 : 1];
  const std::uint64_t interleave = dram_.interleave_bytes();
  for (std::int64_t off = 0; off < c.bytes; off += burst_) {
    const std::int64_t burst = std::min(burst_, c.bytes - off);
    // the window: wait for the oldest burst in flight when it is full
    while (!flight.empty() && flight.top() <= clock_.now()) flight.pop();
    if (flight.size() >= window_) {
      clock_.wait_until(flight.top());
      flight.pop();
    }
    const double t = clock_.now();
    double end = t;
    // a burst that crosses an interleave boundary is served by each channel it touches
    std::uint64_t a = c.dram_addr + static_cast<std::uint64_t>(off);
    std::int64_t left = burst;
    while (left > 0) {
      const std::int64_t piece = std::min<std::int64_t>(left, static_cast<std::int64_t>(interleave - a % interleave));
      end = std::max(end, load ? load_burst(t, a, piece, acc, tr) : store_burst(t, a, piece, acc, tr));
      a += static_cast<std::uint64_t>(piece);
      left -= piece;
    }
    flight.push(end);
    tr.end = std::max(tr.end, end);
    ++tr.bursts;
  }
  if (c.bytes == 0) tr.end = clock_.now();
  return tr;
}

}  // namespace npusim::sim
