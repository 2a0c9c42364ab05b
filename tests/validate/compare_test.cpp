// npusim validate's statistics on inputs whose answers are known by hand, and its reading of the
// harness's files (validate/data/README.md) on a small synthetic example (not a measurement).
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
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

}  // namespace
