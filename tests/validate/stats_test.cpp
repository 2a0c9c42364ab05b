#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "validate/harness/stats.h"

namespace {

namespace gb = npusim::validate::harness;

TEST(Stats, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(gb::summarize({5, 1, 3, 2, 4}).median, 3.0);
  EXPECT_DOUBLE_EQ(gb::summarize({4, 1, 3, 2}).median, 2.5);
  EXPECT_DOUBLE_EQ(gb::summarize({7}).median, 7.0);
}

TEST(Stats, QuartilesInterpolateLikeNumpy) {
  // numpy.percentile([1, 2, 3, 4], [25, 75]) == [1.75, 3.25]
  const gb::Summary s = gb::summarize({4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(s.p25, 1.75);
  EXPECT_DOUBLE_EQ(s.p75, 3.25);
  EXPECT_DOUBLE_EQ(s.iqr(), 1.5);
  // numpy.percentile(range(1, 11), [25, 50, 75]) == [3.25, 5.5, 7.75]
  std::vector<double> ten;
  for (int i = 10; i >= 1; --i) ten.push_back(i);
  const gb::Summary t = gb::summarize(ten);
  EXPECT_DOUBLE_EQ(t.p25, 3.25);
  EXPECT_DOUBLE_EQ(t.median, 5.5);
  EXPECT_DOUBLE_EQ(t.p75, 7.75);
  EXPECT_DOUBLE_EQ(t.min, 1);
  EXPECT_DOUBLE_EQ(t.max, 10);
  EXPECT_DOUBLE_EQ(t.mean, 5.5);
  EXPECT_EQ(t.n, 10u);
}

TEST(Stats, OutliersMoveTheMeanNotTheMedian) {
  std::vector<double> v(51, 100.0);
  v[0] = 10000;  // one run hit by a clock dip
  const gb::Summary s = gb::summarize(v);
  EXPECT_DOUBLE_EQ(s.median, 100);
  EXPECT_DOUBLE_EQ(s.iqr(), 0);
  EXPECT_GT(s.mean, 290);
}

TEST(Stats, QuantileEnds) {
  const std::vector<double> v{1, 2, 3};
  EXPECT_DOUBLE_EQ(gb::quantile_sorted(v, 0), 1);
  EXPECT_DOUBLE_EQ(gb::quantile_sorted(v, 1), 3);
  EXPECT_DOUBLE_EQ(gb::quantile_sorted(v, 0.5), 2);
  EXPECT_THROW(gb::quantile_sorted(v, 1.5), std::invalid_argument);
  EXPECT_THROW(gb::quantile_sorted({}, 0.5), std::invalid_argument);
}

TEST(Stats, RejectsEmptyAndNonFinite) {
  EXPECT_THROW(gb::summarize({}), std::invalid_argument);
  EXPECT_THROW(gb::summarize({1, std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  EXPECT_THROW(gb::summarize({1, INFINITY}), std::invalid_argument);
}

}  // namespace
