// The PE-array timing formula: cycles for one compute tile m x n x k on an R x C systolic array,
// from the first operand entering the array to the last result leaving it. Derivation in
// docs/PE_TIMING.md; validate/rtl proves it cycle-exact against RTL (a later issue).
//
// Conventions (full-array fill and drain, as in a fixed systolic array without bypass):
//  - a fold is one placement of the stationary operand: ws holds a (R*v) x C block of B,
//    is holds a (R*v) x C block of A^T, os holds an R x C block of C;
//  - the streaming length of a fold is T: m rows of A (ws), n columns of B (is), or
//    ceil(k / v) reduction steps (os); v = MACs per PE per cycle packs v K-elements per PE;
//  - loading a stationary block (ws/is) takes R cycles; os loads nothing and drains each sum
//    through its column's output bus in the cycle it is finished;
//  - a wavefront needs W = R + C - 2 cycles to cross the skewed array after its first input.
//
//                      ws / is                                   os
//  db=0              F * (R + T + W)                             F * (T + W)
//  db=1, ov=0        R + F * (T + W)                             F * (T + W)
//  db=1, ov=1        R + (F-1) * max(T, R) + T + W               (F-1) * max(T, R) + T + W
//
// db = stationary_double_buffer, ov = fold_overlap (ov requires db; arch validation enforces
// it). Counted: clock edges from the one that takes the first operand into the array to the
// one that registers the last result at its south edge, both included. validate/rtl holds
// the RTL this is proven against, cycle for cycle (docs/PE_TIMING.md).
#pragma once

#include <cstdint>

#include "arch/arch_config.h"

namespace npusim::compiler {

struct PeTileTiming {
  std::int64_t cycles = 0;         // first operand in -> last result out
  std::int64_t folds = 0;          // stationary placements
  std::int64_t stream_cycles = 0;  // cycles in which operands enter (sum of T over folds)
  std::int64_t macs = 0;           // useful MACs (m*n*k)
};

// Geometry of the array as the timing formula sees it.
struct PeGeometry {
  std::int64_t rows = 1, cols = 1;
  std::int64_t v = 1;  // MACs per PE per cycle for the operand datatype
  arch::Dataflow dataflow = arch::Dataflow::WeightStationary;
  bool double_buffer = true;
  bool fold_overlap = true;

  static PeGeometry from(const arch::PeArrayConfig& pe, std::int32_t macs_per_cycle);
};

// One GEMM tile. `groups_packed` independent problems of this shape share each fold, placed
// block-diagonally (used for grouped and depthwise convolutions): a fold holds
// min(floor(R*v / k), floor(C / n)) groups for ws when k <= R*v and n <= C (analogously for
// is and os); `groups` is the number of such problems in the tile.
PeTileTiming pe_tile_timing(const PeGeometry& g, std::int64_t m, std::int64_t n, std::int64_t k,
                            std::int64_t groups = 1);

// Groups of an m x n x k problem that fit side by side in one fold (>= 1).
std::int64_t groups_per_fold(const PeGeometry& g, std::int64_t m, std::int64_t n, std::int64_t k);

}  // namespace npusim::compiler
