// Simulated time: the model computes in core cycles (fractions arise from bandwidth shares) and
// hands SystemC absolute times at the core clock. Not a module.
#pragma once

#include <systemc>

namespace npusim::sim {

class SimClock {
 public:
  explicit SimClock(double cycle_ns) : period_fs_(cycle_ns * 1e6) {}
  sc_core::sc_time time(double cycles) const { return sc_core::sc_time(cycles * period_fs_, sc_core::SC_FS); }
  double cycles(const sc_core::sc_time& t) const { return t.value() * fs_per_unit() / period_fs_; }
  double now() const { return cycles(sc_core::sc_time_stamp()); }
  // Blocks the calling thread until `cycle` (no-op if it has passed).
  void wait_until(double cycle) const {
    const sc_core::sc_time target = time(cycle);
    if (target > sc_core::sc_time_stamp()) sc_core::wait(target - sc_core::sc_time_stamp());
  }

 private:
  static double fs_per_unit() { return sc_core::sc_get_time_resolution().to_seconds() * 1e15; }
  double period_fs_;
};

}  // namespace npusim::sim
