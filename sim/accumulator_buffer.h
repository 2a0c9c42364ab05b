// AccumulatorBuffer: the partial sums of the output tiles in flight, in the accumulator
// datatype. Its port is as wide as the PE array has columns, so it never stalls the array; the
// model counts its traffic (for energy) and checks that the Schedule's slots fit it.
#pragma once

#include <systemc>

#include <cstdint>

namespace npusim::sim {

class AccumulatorBuffer : public sc_core::sc_module {
 public:
  AccumulatorBuffer(const sc_core::sc_module_name& name, std::int64_t capacity_bytes);

  void access(std::int64_t bytes) { bytes_ += bytes; }
  std::int64_t bytes() const { return bytes_; }
  std::int64_t capacity_bytes() const { return capacity_; }

 private:
  const std::int64_t capacity_;
  std::int64_t bytes_ = 0;
};

}  // namespace npusim::sim
