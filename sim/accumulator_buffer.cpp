#include "sim/accumulator_buffer.h"

namespace npusim::sim {

AccumulatorBuffer::AccumulatorBuffer(const sc_core::sc_module_name& name, std::int64_t capacity_bytes)
    : sc_core::sc_module(name), capacity_(capacity_bytes) {}

}  // namespace npusim::sim
