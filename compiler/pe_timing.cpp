#include "compiler/pe_timing.h"

#include <algorithm>

#include "arch/checked.h"

namespace npusim::compiler {

using arch::Dataflow;

PeGeometry PeGeometry::from(const arch::PeArrayConfig& pe, std::int32_t macs_per_cycle) {
  PeGeometry g;
  g.rows = pe.rows;
  g.cols = pe.cols;
  g.v = std::max<std::int64_t>(1, macs_per_cycle);
  g.dataflow = pe.dataflow;
  g.double_buffer = pe.stationary_double_buffer;
  g.fold_overlap = pe.fold_overlap && pe.stationary_double_buffer;
  return g;
}

std::int64_t groups_per_fold(const PeGeometry& g, std::int64_t m, std::int64_t n, std::int64_t k) {
  const std::int64_t Rk = g.rows * g.v;
  switch (g.dataflow) {
    case Dataflow::WeightStationary:  // k on rows, n on columns
      if (k > Rk || n > g.cols) return 1;
      return std::max<std::int64_t>(1, std::min(Rk / k, g.cols / n));
    case Dataflow::InputStationary:  // k on rows, m on columns
      if (k > Rk || m > g.cols) return 1;
      return std::max<std::int64_t>(1, std::min(Rk / k, g.cols / m));
    case Dataflow::OutputStationary:  // m on rows, n on columns
      if (m > g.rows || n > g.cols) return 1;
      return std::max<std::int64_t>(1, std::min(g.rows / m, g.cols / n));
  }
  return 1;
}

PeTileTiming pe_tile_timing(const PeGeometry& g, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups) {
  PeTileTiming t;
  if (m <= 0 || n <= 0 || k <= 0 || groups <= 0) return t;
  const std::int64_t R = g.rows, C = g.cols, Rk = g.rows * g.v;
  const std::int64_t pack = groups_per_fold(g, m, n, k);
  const std::int64_t group_folds = ceil_div(groups, pack);  // fold placements over the groups
  std::int64_t F = 0, T = 0;
  switch (g.dataflow) {
    case Dataflow::WeightStationary:
      F = ceil_div(k, Rk) * ceil_div(n, C);
      T = m;
      break;
    case Dataflow::InputStationary:
      F = ceil_div(k, Rk) * ceil_div(m, C);
      T = n;
      break;
    case Dataflow::OutputStationary:
      F = ceil_div(m, R) * ceil_div(n, C);
      T = ceil_div(k, g.v);
      break;
  }
  F *= group_folds;
  const std::int64_t wave = R + C - 2;  // skew fill/drain of one wavefront
  if (!g.double_buffer) {
    t.cycles = F * (R + T + wave);  // load (ws/is) or drain (os) serialised with every fold
  } else if (!g.fold_overlap) {
    t.cycles = R + F * (T + wave);  // only the first load (ws/is) or last drain (os) exposed
  } else {
    // Folds pipelined: each fold occupies the array for max(T, R) cycles (the next stationary
    // block needs R cycles to load or the previous one R cycles to drain), the last one for T.
    t.cycles = R + (F - 1) * std::max(T, R) + T + wave;
  }
  t.folds = F;
  t.stream_cycles = F * T;
  t.macs = m * n * k * groups;
  return t;
}

}  // namespace npusim::compiler
