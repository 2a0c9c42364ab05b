// The verilated PE array (validate/rtl) against the PE-array timing formula (compiler/pe_timing)
// and a reference GEMM: random int8 tiles over a grid of array sizes, tile shapes (remainders,
// k far beyond the array, groups side by side), dataflows and settings. The results must equal
// the reference bit for bit and the cycles the formula exactly. And the RTL as the SystemC
// model's PE-array timing (RTL in the loop).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "base/error.h"
#include "compiler/pe_timing.h"
#include "arch/loader.h"
#include "compiler/compile.h"
#include "configs/embedded.h"
#include "sim/simulate.h"
#include "validate/rtl/pe_timing_rtl.h"
#include "validate/rtl/systolic_array_rtl.h"
#include "workloads/zoo.h"

using namespace npusim;
using arch::Dataflow;

namespace npusim::validate::rtl {
void PrintTo(const ArrayShape& s, std::ostream* os) { *os << s.rows << "x" << s.cols << " v=" << s.v; }
}  // namespace npusim::validate::rtl

namespace {

struct Setting {
  bool db, ov;
};
constexpr Setting kSettings[] = {{false, false}, {true, false}, {true, true}};
constexpr Dataflow kDataflows[] = {Dataflow::WeightStationary, Dataflow::InputStationary, Dataflow::OutputStationary};

std::vector<std::int8_t> random_int8(std::mt19937& rng, std::int64_t count) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<std::int8_t> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = static_cast<std::int8_t>(d(rng));
  v[0] = v[0] == 0 ? std::int8_t{1} : v[0];  // never all zeros
  return v;
}

compiler::PeGeometry geometry(const validate::rtl::ArrayShape& s, Dataflow df, const Setting& st) {
  compiler::PeGeometry g;
  g.rows = s.rows, g.cols = s.cols, g.v = s.v, g.dataflow = df;
  g.double_buffer = st.db, g.fold_overlap = st.ov;
  return g;
}

// One tile through the RTL: results bit-exact, cycles equal to the formula. Returns the cycles.
std::int64_t check_tile(validate::rtl::SystolicArrayRtl& array, std::mt19937& rng, std::int64_t m, std::int64_t n,
                        std::int64_t k, std::int64_t groups) {
  const auto a = random_int8(rng, groups * m * k);
  const auto b = random_int8(rng, groups * k * n);
  const validate::rtl::TileRun run = array.run(m, n, k, groups, a, b);
  const auto& s = array.shape();
  const auto& md = array.mode();
  const std::string what = fmt::format("{}x{} v={} {} db={} ov={} tile m={} n={} k={} groups={}", s.rows, s.cols, s.v,
                                       arch::name_of(md.dataflow), md.double_buffer, md.fold_overlap, m, n, k, groups);
  EXPECT_EQ(run.c, validate::rtl::reference_gemm(m, n, k, groups, a, b)) << what;
  const compiler::PeTileTiming t =
      compiler::pe_tile_timing(geometry(s, md.dataflow, {md.double_buffer, md.fold_overlap}), m, n, k, groups);
  EXPECT_EQ(run.folds, t.folds) << what;
  EXPECT_EQ(run.cycles, t.cycles) << what << fmt::format(" (F={}, T={})", run.folds, run.stream);
  return run.cycles;
}

class RtlArray : public ::testing::TestWithParam<validate::rtl::ArrayShape> {};

TEST_P(RtlArray, RandomTilesMatchReferenceAndFormula) {
  const validate::rtl::ArrayShape s = GetParam();
  std::mt19937 rng(static_cast<unsigned>(1000 * s.rows + 10 * s.cols + s.v));
  const std::int64_t Rk = s.rows * s.v;
  // hand-picked shapes: one element, exact fits, remainders, k far beyond the array
  std::vector<std::array<std::int64_t, 4>> tiles = {
      {1, 1, 1, 1},
      {s.rows, s.cols, Rk, 1},
      {s.rows + 1, s.cols + 1, Rk + 1, 1},
      {2 * s.rows + 3, 2 * s.cols - 1 > 0 ? 2 * s.cols - 1 : 1, 9 * Rk + 5, 1},
      {3, 2 * s.cols + 1, 13 * Rk + 3, 1},
      // groups side by side (depthwise-like: small k and n) and groups that do not fit
      {7, 1, 1, 5},
      {5, 2, 2, 3},
      {2 * s.rows + 1, s.cols + 2, Rk + 3, 2},
  };
  std::uniform_int_distribution<std::int64_t> dm(1, 3 * s.rows + 5), dn(1, 3 * s.cols + 5), dk(1, 12 * Rk + 7),
      dg(1, 3);
  for (int i = 0; i < 6; ++i) tiles.push_back({dm(rng), dn(rng), dk(rng), dg(rng)});

  for (Dataflow df : kDataflows)
    for (const Setting& st : kSettings) {
      validate::rtl::SystolicArrayRtl array(s, {df, st.db, st.ov});
      for (const auto& [m, n, k, g] : tiles) check_tile(array, rng, m, n, k, g);
    }
}

std::string shape_name(const ::testing::TestParamInfo<validate::rtl::ArrayShape>& info) {
  return fmt::format("{}x{}v{}", info.param.rows, info.param.cols, info.param.v);
}

// the small sizes; the in-the-loop sizes (12x14, 16x16, 32x32) are covered by the tests below
std::vector<validate::rtl::ArrayShape> grid_shapes() {
  std::vector<validate::rtl::ArrayShape> v;
  for (const validate::rtl::ArrayShape& s : validate::rtl::verilated_shapes())
    if (s.rows * s.cols <= 64) v.push_back(s);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Verilated, RtlArray, ::testing::ValuesIn(grid_shapes()), shape_name);

TEST(RtlArrayLarge, EveryVerilatedSizeMatchesTheFormula) {
  std::mt19937 rng(7);
  for (const validate::rtl::ArrayShape& s : validate::rtl::verilated_shapes()) {
    if (s.rows * s.cols <= 64) continue;
    for (Dataflow df : kDataflows)
      for (const Setting& st : kSettings) {
        validate::rtl::SystolicArrayRtl array(s, {df, st.db, st.ov});
        check_tile(array, rng, s.rows + 3, s.cols + 5, 2 * s.rows * s.v + 1, 1);
        check_tile(array, rng, 2, 3, 5, 4);
      }
  }
}

TEST(RtlArrayLarge, SettingsOrderTheCycles) {
  // the same tile: each hardware feature only removes cycles, and the RTL agrees
  const validate::rtl::ArrayShape s{8, 8, 1};
  std::mt19937 rng(11);
  for (Dataflow df : kDataflows) {
    std::int64_t prev = -1;
    for (const Setting& st : kSettings) {
      validate::rtl::SystolicArrayRtl array(s, {df, st.db, st.ov});
      const std::int64_t c = check_tile(array, rng, 20, 19, 30, 1);
      if (prev >= 0) {
        EXPECT_LE(c, prev) << arch::name_of(df);
      }
      prev = c;
    }
  }
}

TEST(RtlArrayErrors, UnverilatedSizeNamesTheAvailableOnes) {
  try {
    validate::rtl::SystolicArrayRtl array({7, 9, 1}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("verilated sizes: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("16x16"), std::string::npos) << e.what();
  }
}

// The `rtl` variant of the SystemC model's PE-array timing (validate/rtl/pe_timing_rtl.h) inside a
// simulation: every compute tile runs on the verilated array, and the run equals the formula's.
TEST(RtlInTheLoop, TheRtlVariantTimesTheSimulationLikeTheFormula) {
  auto a = arch::load_arch(find_arch_preset("edge-npu")->text, "edge-npu.yaml");
  workloads::ModelParams p;
  p.dtype = DType::Int8;
  const compiler::CompiledModel cm = compiler::compile(workloads::load_model("gemm:40,36,70", p), a, {});
  const compiler::RunResult formula = sim::simulate(cm);
  sim::SimOptions o;
  o.pe_timing = validate::rtl::rtl_pe_timing();
  const compiler::RunResult rtl = sim::simulate(cm, o);
  EXPECT_EQ(rtl.pe_model, "rtl");
  EXPECT_EQ(formula.pe_model, "formula");
  EXPECT_EQ(rtl.rtl_tiles, formula.layers[0].tiles);
  EXPECT_GT(rtl.rtl_cycles, 0);
  EXPECT_EQ(formula.rtl_tiles, 0);
  EXPECT_EQ(rtl.total_cycles, formula.total_cycles);
  ASSERT_EQ(rtl.layers.size(), formula.layers.size());
  for (std::size_t i = 0; i < rtl.layers.size(); ++i) EXPECT_EQ(rtl.layers[i].compute_cycles, formula.layers[i].compute_cycles);
}

TEST(RtlInTheLoop, AnUnverilatedSizeIsRefusedBeforeTheSimulation) {
  const std::vector<Override> size20 = {parse_override("core.pe_array.rows=20"), parse_override("core.pe_array.cols=20")};
  auto a = arch::load_arch(find_arch_preset("edge-npu")->text, "edge-npu.yaml", size20);
  const compiler::CompiledModel cm = compiler::compile(workloads::load_model("gemm:40,36,70", {}), a, {});
  sim::SimOptions o;
  o.pe_timing = validate::rtl::rtl_pe_timing();
  try {
    sim::simulate(cm, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no verilated 20x20 PE array"), std::string::npos) << e.what();
  }
}

}  // namespace
