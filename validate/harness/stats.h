// Order statistics of repeated timings: median and interquartile range.
#pragma once

#include <cstddef>
#include <vector>

namespace npusim::validate::harness {

struct Summary {
  std::size_t n = 0;
  double median = 0, p25 = 0, p75 = 0, min = 0, max = 0, mean = 0;
  double iqr() const { return p75 - p25; }
};

// The q-quantile (0 <= q <= 1) of sorted values, linear interpolation between the closest ranks
// (Hyndman & Fan type 7, numpy's default): h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
// Throws std::invalid_argument on an empty input or q outside [0, 1].
double quantile_sorted(const std::vector<double>& sorted, double q);

// Sorts a copy; throws std::invalid_argument on an empty input or a non-finite value.
Summary summarize(std::vector<double> values);

}  // namespace npusim::validate::harness
