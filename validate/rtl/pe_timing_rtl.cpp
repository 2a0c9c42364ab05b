#include "validate/rtl/pe_timing_rtl.h"

#include <fmt/format.h>

#include <vector>

#include "base/error.h"
#include "validate/rtl/systolic_array_rtl.h"

namespace npusim::validate::rtl {

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

ArrayShape shape_of(const compiler::PeGeometry& g) { return ArrayShape{g.rows, g.cols, g.v}; }
ArrayMode mode_of(const compiler::PeGeometry& g) { return ArrayMode{g.dataflow, g.double_buffer, g.fold_overlap}; }

class RtlTiming final : public sim::PeArrayTiming {
 public:
  RtlTiming(const compiler::PeGeometry& g, std::string where) : where_(std::move(where)), array_(shape_of(g), mode_of(g)) {}

  std::int64_t tile_cycles(const compiler::Command& c, std::uint64_t layer, std::uint64_t index) override {
    const std::int64_t g = c.tg, m = c.tm, n = c.tn, k = c.tk;
    const std::uint64_t seed = (layer << 40) ^ (index << 2);
    const std::vector<std::int8_t> a = operands(seed, g * m * k), b = operands(seed | 1, g * k * n);
    const TileRun run = array_.run(m, n, k, g, a, b);
    if (run.c != reference_gemm(m, n, k, g, a, b))
      throw Error(fmt::format("{}: the RTL array's result differs from the reference GEMM (layer {}, command {}, tile "
                              "m={} n={} k={} groups={})",
                              where_, layer, index, m, n, k, g));
    ++tiles_;
    cycles_ += run.cycles;
    return run.cycles;
  }

  void add_counters(compiler::RunResult& r) const override {
    r.rtl_tiles += tiles_;
    r.rtl_cycles += cycles_;
  }

 private:
  const std::string where_;
  SystolicArrayRtl array_;
  std::int64_t tiles_ = 0, cycles_ = 0;  // tiles run and their array cycles
};

class RtlModel final : public sim::PeTimingModel {
 public:
  std::string_view name() const override { return "rtl"; }
  void check(const compiler::PeGeometry& g) const override { check_verilated(shape_of(g), mode_of(g)); }
  std::unique_ptr<sim::PeArrayTiming> make(const compiler::PeGeometry& g, std::string where) const override {
    return std::make_unique<RtlTiming>(g, std::move(where));
  }
};

}  // namespace

std::shared_ptr<const sim::PeTimingModel> rtl_pe_timing() {
  static const std::shared_ptr<const sim::PeTimingModel> model = std::make_shared<const RtlModel>();
  return model;
}

}  // namespace npusim::validate::rtl
