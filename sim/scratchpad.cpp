#include "sim/scratchpad.h"

namespace npusim::sim {

Scratchpad::Scratchpad(const sc_core::sc_module_name& name, const arch::ScratchpadConfig& cfg)
    : sc_core::sc_module(name), capacity_(cfg.total_bytes), banks_("banks", double(cfg.bytes_per_cycle())) {}

BandwidthResource::Slot Scratchpad::read(double now, double t, std::int64_t bytes) {
  read_bytes_ += bytes;
  return banks_.reserve(now, t, double(bytes));
}

BandwidthResource::Slot Scratchpad::write(double now, double t, std::int64_t bytes) {
  write_bytes_ += bytes;
  return banks_.reserve(now, t, double(bytes));
}

BandwidthResource::Slot Scratchpad::write_through(double now, double start, double end, std::int64_t bytes) {
  write_bytes_ += bytes;
  return banks_.pass(now, start, end, double(bytes));
}

}  // namespace npusim::sim
