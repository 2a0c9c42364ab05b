#include "compiler/pe_timing.h"

#include <algorithm>

#include "base/checked.h"

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
  const std::int64_t wave = R + C - 2;  // a wavefront crossing the skewed array
  if (g.dataflow == Dataflow::OutputStationary) {
    // Nothing to load; each PE drives its finished sum onto its column's output bus in the
    // cycle of its last MAC, so there is no drain either. Overlapping folds start max(T, R)
    // apart: a PE cannot start the next sum before finishing this one (T), and two folds must
    // not finish a row of the same column in the same cycle (R).
    t.cycles = g.fold_overlap ? (F - 1) * std::max(T, R) + T + wave : F * (T + wave);
  } else if (!g.double_buffer) {
    t.cycles = F * (R + T + wave);  // every block loads through the PEs while the array is empty
  } else if (!g.fold_overlap) {
    t.cycles = R + F * (T + wave);  // only the first load is exposed; folds do not overlap
  } else {
    // Folds pipelined: the next block needs R cycles to load behind the current fold.
    t.cycles = R + (F - 1) * std::max(T, R) + T + wave;
  }
  t.folds = F;
  t.stream_cycles = F * T;
  t.macs = m * n * k * groups;
  return t;
}

}  // namespace npusim::compiler
