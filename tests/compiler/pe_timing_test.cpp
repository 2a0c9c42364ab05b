// The PE-array timing formula: hand-computed points and properties.
#include <gtest/gtest.h>

#include "compiler/pe_timing.h"

using namespace npusim;
using namespace npusim::compiler;
using arch::Dataflow;

namespace {
PeGeometry geom(Dataflow d, std::int64_t R, std::int64_t C, bool db, bool ov, std::int64_t v = 1) {
  PeGeometry g;
  g.rows = R, g.cols = C, g.dataflow = d, g.double_buffer = db, g.fold_overlap = ov, g.v = v;
  return g;
}
}  // namespace

TEST(PeTiming, WeightStationaryHandComputed) {
  // 4x4 array, m=10 rows streamed, one fold (k=4, n=4): load 4 + stream 10 + wave 4+4-2
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 4, 4, false, false), 10, 4, 4).cycles, 4 + 10 + 6);
  // two k-folds: serial / load hidden / folds pipelined
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 4, 4, false, false), 10, 4, 8).cycles, 2 * 20);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 4, 4, true, false), 10, 4, 8).cycles, 4 + 2 * 16);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 4, 4, true, true), 10, 4, 8).cycles, 4 + 10 + 10 + 6);
  // a short stream cannot hide the next fold's R-cycle load
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 4, 4, true, true), 2, 4, 8).cycles, 4 + 4 + 2 + 6);
}

TEST(PeTiming, RemaindersCountFoldsExactly) {
  // k = 300 on 128 rows: folds of 128, 128, 44 -> 3; n = 130 on 128 cols -> 2
  auto t = pe_tile_timing(geom(Dataflow::WeightStationary, 128, 128, true, true), 64, 130, 300);
  EXPECT_EQ(t.folds, 6);
  EXPECT_EQ(t.macs, 64 * 130 * 300);
  EXPECT_EQ(t.cycles, 128 + 5 * std::max<std::int64_t>(64, 128) + 64 + 254);
}

TEST(PeTiming, OutputStationaryStreamsK) {
  // os: folds over m (rows) and n (cols); T = k; no load, sums leave on the column buses
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 4, 4, false, false), 4, 4, 10).cycles, 10 + 6);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 4, 4, true, false), 8, 4, 10).cycles, 2 * (10 + 6));
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 4, 4, true, true), 8, 4, 10).cycles, 10 + 10 + 6);
  // a short stream: folds still start R apart (they share the column buses)
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 4, 4, true, true), 8, 4, 2).cycles, 4 + 2 + 6);
  // v = 2 MACs per PE per cycle halves the streaming length
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 4, 4, false, false, 2), 4, 4, 10).cycles, 5 + 6);
}

TEST(PeTiming, ScaleSimFoldLengths) {
  // SCALE-Sim's own golden runs (scale-sim-v2 test/general, 32x32, GEMM M=256 N=128 K=256)
  // report compute cycles (total - stall) of 11199 (ws), 10175 (os) and 14207 (is): one less
  // than the formula, which counts both the first and the last edge (docs/PE_TIMING.md).
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::WeightStationary, 32, 32, false, false), 256, 128, 256).cycles, 11199 + 1);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::OutputStationary, 32, 32, false, false), 256, 128, 256).cycles, 10175 + 1);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::InputStationary, 32, 32, false, false), 256, 128, 256).cycles, 14207 + 1);
}

TEST(PeTiming, InputStationaryStreamsN) {
  auto t = pe_tile_timing(geom(Dataflow::InputStationary, 4, 4, false, false), 4, 10, 4);
  EXPECT_EQ(t.folds, 1);
  EXPECT_EQ(t.cycles, 4 + 10 + 6);
  EXPECT_EQ(pe_tile_timing(geom(Dataflow::InputStationary, 4, 4, false, false), 8, 10, 4).folds, 2);
}

TEST(PeTiming, PackingPutsGroupsSideBySide) {
  auto g = geom(Dataflow::WeightStationary, 16, 16, true, true);
  // depthwise 3x3: k = 9 per group, n = 1: min(16/9, 16/1) = 1 group per fold
  EXPECT_EQ(groups_per_fold(g, 100, 1, 9), 1);
  // k = 4, n = 4: four groups per fold
  EXPECT_EQ(groups_per_fold(g, 100, 4, 4), 4);
  EXPECT_EQ(pe_tile_timing(g, 100, 4, 4, 8).folds, 2);
  EXPECT_EQ(pe_tile_timing(g, 100, 4, 4, 8).macs, 8 * 100 * 4 * 4);
}

TEST(PeTiming, PropertiesOverAGrid) {
  for (Dataflow d : {Dataflow::WeightStationary, Dataflow::OutputStationary, Dataflow::InputStationary})
    for (std::int64_t R : {1, 3, 8})
      for (std::int64_t C : {1, 5, 8})
        for (std::int64_t m : {1, 7, 33})
          for (std::int64_t n : {1, 9, 20})
            for (std::int64_t k : {1, 8, 70}) {
              const auto a = pe_tile_timing(geom(d, R, C, false, false), m, n, k);
              const auto b = pe_tile_timing(geom(d, R, C, true, false), m, n, k);
              const auto c = pe_tile_timing(geom(d, R, C, true, true), m, n, k);
              // never faster than the peak rate; each feature only removes cycles
              EXPECT_GE(a.cycles * R * C, m * n * k);
              EXPECT_GE(a.cycles, b.cycles);
              EXPECT_GE(b.cycles, c.cycles);
              EXPECT_EQ(a.folds, b.folds);
              // more work never takes fewer cycles
              EXPECT_GE(pe_tile_timing(geom(d, R, C, true, true), m + 1, n, k).cycles, c.cycles);
              EXPECT_GE(pe_tile_timing(geom(d, R, C, true, true), m, n, k + 1).cycles, c.cycles);
            }
}
