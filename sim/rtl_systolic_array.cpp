#include "sim/rtl_systolic_array.h"

#include <fmt/format.h>

#include <vector>

#include "base/error.h"
#include "validate/rtl/systolic_array_rtl.h"

namespace npusim::sim {

namespace {

// splitmix64: a tile's operands from (layer, command, operand)
std::vector<std::int8_t> operands(std::uint64_t seed, std::int64_t count) {
  std::vector<std::int8_t> v(static_cast<std::size_t>(count));
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < v.size(); i += 8) {
    x += 0x9e3779b97f4a7c15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (std::size_t b = 0; b < 8 && i + b < v.size(); ++b) v[i + b] = static_cast<std::int8_t>(z >> (8 * b));
  }
  if (!v.empty() && v[0] == 0) v[0] = 1;  // never all zeros
  return v;
}

}  // namespace

RtlSystolicArray::RtlSystolicArray(const sc_core::sc_module_name& name, const compiler::PeGeometry& g)
    : sc_core::sc_module(name),
      array_(std::make_unique<validate::rtl::SystolicArrayRtl>(validate::rtl::ArrayShape{g.rows, g.cols, g.v},
                                                     validate::rtl::ArrayMode{g.dataflow, g.double_buffer, g.fold_overlap})) {}

RtlSystolicArray::~RtlSystolicArray() = default;

void RtlSystolicArray::check(const compiler::PeGeometry& g) {
  validate::rtl::check_verilated(validate::rtl::ArrayShape{g.rows, g.cols, g.v}, validate::rtl::ArrayMode{g.dataflow, g.double_buffer, g.fold_overlap});
}

std::int64_t RtlSystolicArray::execute(const compiler::Command& c, std::uint64_t layer, std::uint64_t index) {
  const std::int64_t g = c.tg, m = c.tm, n = c.tn, k = c.tk;
  const std::uint64_t seed = (layer << 40) ^ (index << 2);
  const std::vector<std::int8_t> a = operands(seed, g * m * k), b = operands(seed | 1, g * k * n);
  const validate::rtl::TileRun run = array_->run(m, n, k, g, a, b);
  if (run.c != validate::rtl::reference_gemm(m, n, k, g, a, b))
    throw Error(fmt::format("{}: the RTL array's result differs from the reference GEMM (layer {}, command {}, tile "
                            "m={} n={} k={} groups={})",
                            name(), layer, index, m, n, k, g));
  ++tiles_;
  cycles_ += run.cycles;
  return run.cycles;
}

}  // namespace npusim::sim
