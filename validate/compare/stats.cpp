#include "validate/compare/stats.h"

#include "validate/harness/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace npusim::validate::compare {

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return harness::quantile_sorted(v, q);  // the harness's definition, the same for both sides
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.empty()) throw std::invalid_argument("pearson: inputs of different or zero length");
  const double n = double(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]]) ++j;
    const double mean_rank = (double(i) + double(j)) / 2.0 + 1.0;  // ranks i+1 .. j+1
    for (std::size_t t = i; t <= j; ++t) r[idx[t]] = mean_rank;
    i = j + 1;
  }
  return r;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) { return pearson(ranks(x), ranks(y)); }

ErrorStats error_stats(const std::vector<double>& predicted, const std::vector<double>& measured,
                       const std::vector<double>& flops) {
  if (predicted.size() != measured.size() || predicted.size() != flops.size())
    throw std::invalid_argument("error_stats: inputs of different lengths");
  if (predicted.empty()) throw std::invalid_argument("error_stats: no entries");
  ErrorStats s;
  s.n = predicted.size();
  std::vector<double> ape, pred_tflops, meas_tflops, log_p, log_m;
  double signed_sum = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const double p = predicted[i], m = measured[i];
    if (!(p > 0) || !(m > 0) || !(flops[i] > 0)) throw std::invalid_argument("error_stats: a non-positive value");
    const double e = (p - m) / m;
    ape.push_back(100.0 * std::abs(e));
    signed_sum += 100.0 * e;
    pred_tflops.push_back(flops[i] / p);
    meas_tflops.push_back(flops[i] / m);
    log_p.push_back(std::log(p));
    log_m.push_back(std::log(m));
  }
  s.mape = std::accumulate(ape.begin(), ape.end(), 0.0) / double(s.n);
  s.median_ape = quantile(ape, 0.5);
  s.p90_ape = quantile(ape, 0.9);
  s.max_ape = *std::max_element(ape.begin(), ape.end());
  s.bias = signed_sum / double(s.n);
  s.spearman_tflops = spearman(pred_tflops, meas_tflops);
  s.pearson_log_latency = pearson(log_p, log_m);
  return s;
}

}  // namespace npusim::validate::compare
