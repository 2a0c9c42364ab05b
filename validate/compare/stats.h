// Error statistics of predictions against measurements (npusim validate): absolute percentage
// errors and their mean, median, 90th percentile and maximum, the signed mean error (bias), and
// two correlations. Pure functions, tested on known inputs (tests/validate/compare_test.cpp).
#pragma once

#include <cstddef>
#include <vector>

namespace npusim::validate::compare {

struct ErrorStats {
  std::size_t n = 0;
  double mape = 0;        // mean of |p - m| / m, in percent
  double median_ape = 0;  // median of the same
  double p90_ape = 0;     // its 90th percentile (linear interpolation, numpy's default)
  double max_ape = 0;
  double bias = 0;        // mean of (p - m) / m, in percent: > 0 predicts too slow
  double spearman_tflops = 0;      // Spearman's rho between predicted and measured TFLOP/s
  double pearson_log_latency = 0;  // Pearson's r between log predicted and log measured time
};

// `predicted` and `measured` are times (> 0), `flops` the work of each entry (> 0), all of one
// length. Throws std::invalid_argument on mismatched lengths, an empty input or a non-positive
// value.
ErrorStats error_stats(const std::vector<double>& predicted, const std::vector<double>& measured,
                       const std::vector<double>& flops);

// Pearson's product-moment correlation; 0 when either input is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rank correlation: Pearson's r of the ranks, ties getting the mean of their ranks.
double spearman(const std::vector<double>& x, const std::vector<double>& y);
// Ranks 1..n, ties averaged.
std::vector<double> ranks(const std::vector<double>& x);
// The q-quantile (0 <= q <= 1), linear interpolation between closest ranks (numpy's default).
double quantile(std::vector<double> values, double q);

}  // namespace npusim::validate::compare
