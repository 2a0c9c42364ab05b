// Scratchpad: the core's SRAM, banks x bank_bytes_per_cycle of bandwidth shared by the PE array,
// the DMA engine and the vector unit, first come, first served. The PE array reserves its share
// slice by slice while it computes, so DMA transfers interleave with it; when the banks cannot
// feed the array at its rate, the array slows down (an SRAM-bank stall).
#pragma once

#include <systemc>

#include <cstdint>

#include "arch/arch_config.h"
#include "sim/bandwidth_resource.h"

namespace npusim::sim {

class Scratchpad : public sc_core::sc_module {
 public:
  Scratchpad(const sc_core::sc_module_name& name, const arch::ScratchpadConfig& cfg);

  // Reads or writes `bytes` no earlier than `t` (cycles); returns the slot the banks serve it in.
  // `now` is the current simulated time (cycles).
  BandwidthResource::Slot read(double now, double t, std::int64_t bytes);
  BandwidthResource::Slot write(double now, double t, std::int64_t bytes);
  // Cut-through: bytes arriving from a transfer that starts at `start` and ends at `end`.
  BandwidthResource::Slot write_through(double now, double start, double end, std::int64_t bytes);
  // Bank time only (the PE array reserves a tile's reads slice by slice and counts them once).
  BandwidthResource::Slot serve(double now, double t, double bytes) { return banks_.reserve(now, t, bytes); }
  void count_reads(std::int64_t bytes) { read_bytes_ += bytes; }

  std::int64_t read_bytes() const { return read_bytes_; }
  std::int64_t write_bytes() const { return write_bytes_; }
  std::int64_t capacity_bytes() const { return capacity_; }
  double bytes_per_cycle() const { return banks_.bytes_per_cycle(); }
  double busy_cycles() const { return banks_.busy_cycles(); }  // the banks' occupancy, all accesses

 private:
  const std::int64_t capacity_;
  BandwidthResource banks_;
  std::int64_t read_bytes_ = 0, write_bytes_ = 0;
};

}  // namespace npusim::sim
