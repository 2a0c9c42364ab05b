// The verilated PE array (validate/rtl/systolic_array.sv) as a C++ object: runs GEMM tiles on
// real int8 data, cycle by cycle, and reports the results and the cycles they took. No SystemC:
// the cycle-exact tests (tests/rtl) drive it directly and pe_timing_rtl.h makes it the SystemC
// model's PE-array timing for `npusim run --pe-model rtl`.
//
// The RTL's controller asks for operands by (fold, step); this driver plays the operand buffers
// (the scratchpad side of the array) and the accumulator: it places the tile on the array
// exactly as the compiler's tiling does (compiler/pe_timing.h: folds over k and n for ws, over k
// and m for is, over m and n for os; groups side by side when they fit), answers each request
// with the operands of that fold and step, and sums what leaves the south edge into C.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "arch/arch_config.h"

namespace npusim::validate::rtl {

struct ArrayShape {
  std::int64_t rows = 0, cols = 0, v = 1;  // v: MACs per PE per cycle
  friend bool operator==(const ArrayShape&, const ArrayShape&) = default;
};

// The array's run-time configuration.
struct ArrayMode {
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;
  bool double_buffer = false;  // stationary operands double-buffered (ws / is)
  bool fold_overlap = false;   // consecutive folds overlap (requires double_buffer)
};

// Whether the build has the RTL (Verilator was found), and the verilated sizes.
bool rtl_available();
std::vector<ArrayShape> verilated_shapes();
// Throws Error, naming the verilated sizes, unless SystolicArrayRtl(shape, mode) can be built.
void check_verilated(const ArrayShape& shape, const ArrayMode& mode);

struct TileRun {
  std::int64_t cycles = 0;  // first operand into the array -> last result out, both edges counted
  std::int64_t folds = 0, stream = 0;  // what the controller was given: F and T
  std::int64_t first_in_edge = 0, last_out_edge = 0;
  std::vector<std::int32_t> c;  // groups x m x n, row-major
};

class SystolicArrayRtl {
 public:
  // Throws Error when the build has no RTL or `shape` was not verilated (naming the sizes that
  // were) or the mode is illegal.
  SystolicArrayRtl(const ArrayShape& shape, const ArrayMode& mode);
  ~SystolicArrayRtl();
  SystolicArrayRtl(const SystolicArrayRtl&) = delete;
  SystolicArrayRtl& operator=(const SystolicArrayRtl&) = delete;

  const ArrayShape& shape() const { return shape_; }
  const ArrayMode& mode() const { return mode_; }

  // `groups` independent problems C_g (m x n) = A_g (m x k) B_g (k x n); a is groups x m x k and
  // b groups x k x n, row-major int8. Throws Error if the RTL does not finish in time.
  TileRun run(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups, std::span<const std::int8_t> a,
              std::span<const std::int8_t> b);

  std::int64_t total_cycles() const { return total_cycles_; }  // clock edges simulated so far

  class Model;  // the verilated top behind a uniform interface (systolic_array_rtl.cpp)

 private:
  ArrayShape shape_;
  ArrayMode mode_;
  std::unique_ptr<Model> model_;
  std::int64_t total_cycles_ = 0;
};

// C_g = A_g B_g with int32 wrap-around accumulation (the reference the RTL must equal bit for bit).
std::vector<std::int32_t> reference_gemm(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups,
                                         std::span<const std::int8_t> a, std::span<const std::int8_t> b);

}  // namespace npusim::validate::rtl
