// npusim validate's statistics on inputs whose answers are known by hand, and its reading of the
// harness's files (validate/data/README.md) on a small synthetic example (not a measurement).
#include <gtest/gtest.h>

#include <cmath>

#include "arch/loader.h"
#include "base/error.h"
#include "configs/embedded.h"
#include "validate/compare/comparison.h"
#include "validate/compare/stats.h"

using namespace npusim;
using namespace npusim::validate::compare;

namespace {

TEST(CompareStats, PercentageErrorsByHand) {
  // errors: +10%, -20%, +30%, 0%, -5%
  const std::vector<double> meas = {10, 10, 10, 10, 20};
  const std::vector<double> pred = {11, 8, 13, 10, 19};
  const std::vector<double> flops = {1, 1, 1, 1, 1};
  const ErrorStats s = error_stats(pred, meas, flops);
  EXPECT_EQ(s.n, 5u);
  EXPECT_NEAR(s.mape, (10 + 20 + 30 + 0 + 5) / 5.0, 1e-9);
  EXPECT_NEAR(s.median_ape, 10.0, 1e-9);
  // sorted APE 0, 5, 10, 20, 30: h = 4 x 0.9 = 3.6 -> 20 + 0.6 x 10
  EXPECT_NEAR(s.p90_ape, 26.0, 1e-9);
  EXPECT_NEAR(s.max_ape, 30.0, 1e-9);
  EXPECT_NEAR(s.bias, (10 - 20 + 30 + 0 - 5) / 5.0, 1e-9);
}

TEST(CompareStats, PearsonByHand) {
  EXPECT_NEAR(pearson({1, 2, 3}, {2, 4, 6}), 1.0, 1e-12);
  EXPECT_NEAR(pearson({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
  // x = 1..4, y = 1, 3, 2, 4: sxy = 4, sxx = syy = 5 -> 0.8
  EXPECT_NEAR(pearson({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-12);
  EXPECT_EQ(pearson({1, 1, 1}, {1, 2, 3}), 0.0);  // a constant: no correlation
}

TEST(CompareStats, SpearmanAveragesTies) {
  EXPECT_EQ(ranks({10, 20, 20, 30}), (std::vector<double>{1, 2.5, 2.5, 4}));
  // monotone but not linear: rho 1 where Pearson is below 1
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {1, 10, 100, 1000}), 1.0, 1e-12);
  EXPECT_LT(pearson({1, 2, 3, 4}, {1, 10, 100, 1000}), 0.99);
  // ranks of y: 1, 3, 2, 4 -> rho = 0.8 as above
  EXPECT_NEAR(spearman({5, 6, 7, 8}, {0.1, 0.3, 0.2, 0.4}), 0.8, 1e-12);
}

TEST(CompareStats, CorrelationsOfAchievedRateAndLogTime) {
  // predictions a constant factor off: every correlation 1, the errors all equal
  const std::vector<double> meas = {1e-5, 2e-5, 4e-4, 8e-3};
  const std::vector<double> pred = {2e-5, 4e-5, 8e-4, 1.6e-2};
  const std::vector<double> flops = {1e9, 3e9, 1e11, 4e12};
  const ErrorStats s = error_stats(pred, meas, flops);
  EXPECT_NEAR(s.mape, 100.0, 1e-9);
  EXPECT_NEAR(s.bias, 100.0, 1e-9);
  EXPECT_NEAR(s.spearman_tflops, 1.0, 1e-12);
  EXPECT_NEAR(s.pearson_log_latency, 1.0, 1e-12);
}

TEST(CompareStats, RejectsBadInput) {
  EXPECT_THROW(error_stats({}, {}, {}), std::invalid_argument);
  EXPECT_THROW(error_stats({1}, {1, 2}, {1}), std::invalid_argument);
  EXPECT_THROW(error_stats({0}, {1}, {1}), std::invalid_argument);
  EXPECT_THROW(quantile({1, 2}, 1.5), std::invalid_argument);
}

TEST(CompareFiles, ReadsTheHarnessColumnsAndSkipsUnverifiedRows) {
  const std::string dir = std::string(NPUSIM_SOURCE_DIR) + "/tests/validate/data/synthetic";
  const MeasurementSet m = load_measurements({dir});
  EXPECT_EQ(arch_for(m), "h100_sxm");
  ASSERT_EQ(m.rows.size(), 5u);  // 6 GEMM rows and 1 conv row; one unverified, one untimed
  EXPECT_EQ(m.skipped.size(), 2u);
  const Measurement& g = m.rows[0];
  EXPECT_EQ(g.family, "npusim_gemm");
  EXPECT_EQ(g.gemm.m, 4096);
  ASSERT_TRUE(g.plan.has_value());
  EXPECT_EQ(g.plan->cfg.id, 1);
  EXPECT_EQ(g.plan->ctas, 32 * 16);
  const Measurement& c = m.rows.back();
  EXPECT_TRUE(c.conv);
  EXPECT_EQ(c.gemm.m, 3136);  // 56 x 56
  EXPECT_EQ(c.gemm.k, 576);   // 3 x 3 x 64
  EXPECT_EQ(m.micro.size(), 4u);
}

TEST(CompareFiles, ARowWithAnotherTileThanThisNpusimsIsAnError) {
  try {
    load_measurements({std::string(NPUSIM_SOURCE_DIR) + "/tests/validate/data/wrong_tile.csv"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wrong_tile.csv:2: the tile 128x128x64"), std::string::npos) << e.what();
  }
}

// ---- generic public tables ---------------------------------------------------------------------

compiler::GpuParams gpu(const char* name, std::vector<Override> sets = {}) {
  const EmbeddedText* p = find_arch_preset(name);
  return compiler::GpuParams::from(*arch::load_arch(p->text, p->file, sets));
}

const std::string kData = std::string(NPUSIM_SOURCE_DIR) + "/tests/validate/data/";

TEST(CompareGeneric, ReadsEveryKindOfRow) {
  const MeasurementSet m = load_measurements({kData + "generic_sample.csv"});
  ASSERT_EQ(m.rows.size(), 6u);
  const Measurement& g = m.rows[0];
  EXPECT_TRUE(g.library);
  EXPECT_EQ(g.kind, RowKind::Gemm);
  EXPECT_EQ(g.gemm.batch, 1);  // empty batch: 1
  EXPECT_EQ(g.gemm.out_bytes, 2);
  EXPECT_EQ(g.timer, compiler::Timer::Kernel);
  EXPECT_EQ(g.kernel, "128x256");
  EXPECT_EQ(g.origin, "synthetic");
  EXPECT_EQ(m.rows[1].gemm.batch, 4);
  EXPECT_EQ(m.rows[1].timer, compiler::Timer::Events);
  EXPECT_EQ(m.rows[2].gemm.out_bytes, 4);  // fp32 writes fp32
  EXPECT_EQ(m.rows[3].kind, RowKind::MemoryOp);
  EXPECT_EQ(m.rows[3].op.inputs, 2);
  EXPECT_DOUBLE_EQ(m.rows[3].work(), 3.0 * 8192 * 8192 * 2);
  EXPECT_EQ(m.rows[4].kind, RowKind::Attention);
  EXPECT_EQ(m.rows[4].family, "decode");
  EXPECT_EQ(m.rows[4].attn.kv_heads, 8);
  EXPECT_TRUE(m.rows[5].attn.causal);
  EXPECT_EQ(m.rows[5].family, "prefill");
  // a table's split column overrides the hash
  EXPECT_FALSE(in_calibration_split(m.rows[1]));
  EXPECT_TRUE(in_calibration_split(m.rows[2]));
}

TEST(CompareGeneric, MalformedRowsNameTheirPlace) {
  for (const auto& [file, what] : {std::pair{"generic_bad_timer.csv", ":2: timer must be kernel or events"},
                                   {"generic_bad_op.csv", ":2: unknown op 'gelu'"}}) {
    try {
      load_measurements({kData + file});
      ADD_FAILURE() << file;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string(file) + what), std::string::npos) << e.what();
    }
  }
}

TEST(CompareGeneric, TheSplitIsFixedAndAboutAQuarter) {
  const MeasurementSet m = load_measurements({std::string(NPUSIM_SOURCE_DIR) + "/validate/data/public/xla/h100_sxm_gemm.csv"});
  std::size_t cal = 0;
  for (const Measurement& r : m.rows) cal += in_calibration_split(r) ? 1 : 0;
  EXPECT_GT(cal, m.rows.size() / 5);
  EXPECT_LT(cal, m.rows.size() / 3);
  // the same identity lands on the same side; the time does not matter
  Measurement a = m.rows[7], b = m.rows[7];
  b.median_us *= 3;
  EXPECT_EQ(in_calibration_split(a), in_calibration_split(b));
  // the two sides partition the rows
  const compiler::GpuParams g = gpu("h100_sxm");
  CompareOptions o;
  o.dtypes = {"bf16"};
  o.split = Split::Calibration;
  const std::size_t nc = compare(m, g, o).entries.size();
  o.split = Split::Test;
  const std::size_t nt = compare(m, g, o).entries.size();
  o.split = Split::All;
  EXPECT_EQ(nc + nt, compare(m, g, o).entries.size());
  EXPECT_EQ(parse_split("test"), Split::Test);
  EXPECT_FALSE(parse_split("train").has_value());
}

TEST(CompareGeneric, JsonCarriesTheStableKeys) {
  const MeasurementSet m = load_measurements({kData + "generic_sample.csv"});
  CompareOptions o;
  const Comparison c = compare(m, gpu("h100_sxm"), o);
  const std::string j = report_json(c, "h100_sxm", o);
  for (const char* key : {"\"overall\": {\"count\": 6, \"mape_pct\": ", "\"median_ape_pct\"", "\"p90_ape_pct\"",
                          "\"spearman\"", "\"families\": {", "\"bands\": {", "\"roofline\": {\"count\"",
                          "\"gemm\": {\"count\": 1", "\"decode\": {\"count\": 1", "\"64to512MB\"", "\"ge100GFLOP\""})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in\n" << j;
  // the recorded tile is compared with the model's pick
  EXPECT_EQ(c.kernels_named, 2u);
}

TEST(CompareGeneric, TheFitRecoversAParameterOfTheModelItself) {
  // a consistency test of the fitter, not a validation: times generated by the model with
  // gpu.wgmma_fraction = 0.7 are fitted from the description's value and give 0.7 back
  const compiler::GpuParams truth = gpu("h100_sxm", {{"gpu.wgmma_fraction", "0.7"}});
  MeasurementSet m = load_measurements({std::string(NPUSIM_SOURCE_DIR) + "/validate/data/public/xla/h100_sxm_gemm.csv"});
  for (Measurement& r : m.rows) r.median_us = compiler::predict_library_gemm(truth, r.gemm, r.timer).seconds * 1e6;
  CompareOptions o;
  o.dtypes = {"bf16"};
  const FitResult f = fit(m, gpu("h100_sxm"), {"gpu.wgmma_fraction"}, o);
  ASSERT_EQ(f.values.size(), 1u);
  EXPECT_NEAR(f.values[0].second, 0.7, 0.002);
  EXPECT_LT(f.mape_after, 0.2);
  EXPECT_GT(f.mape_before, 5.0);
  EXPECT_GT(f.rows, 50u);
  EXPECT_EQ(f.overrides()[0].rfind("gpu.wgmma_fraction=0.7", 0), 0u);
  EXPECT_THROW(fit(m, gpu("h100_sxm"), {"clock_mhz"}, o), Error);  // only the documented globals
}

}  // namespace
