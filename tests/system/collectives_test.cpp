// Collectives: every algorithm's schedule, played on an idle network by the link model, costs
// exactly its alpha-beta formula (collectives.h); collectives sharing links take longer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>

#include "system/collectives.h"
#include "system/flow_sim.h"
#include "tests/error_of.h"

using namespace npusim;
using namespace npusim::system;

namespace {

constexpr double kAlpha = 1.5e-6, kInter = 3e-6;

SystemConfig make(std::int32_t nodes, std::int32_t cpn, IntraFabric f = IntraFabric::Switch,
                  InterTopology t = InterTopology::FatTree, std::int32_t nics = 8) {
  SystemConfig s;
  s.name = "test";
  s.nodes = nodes;
  s.chips_per_node = cpn;
  s.intra_node.fabric = f;
  s.intra_node.bandwidth_gb_per_s = 300;
  s.intra_node.latency_us = kAlpha * 1e6;
  s.inter_node.topology = t;
  s.inter_node.nics_per_node = nics;
  s.inter_node.bandwidth_gb_per_s = 200;
  s.inter_node.latency_us = kInter * 1e6;
  return s;
}

std::vector<ChipId> iota(std::int32_t n, std::int32_t first = 0, std::int32_t stride = 1) {
  std::vector<ChipId> g;
  for (std::int32_t i = 0; i < n; ++i) g.push_back(first + i * stride);
  return g;
}

double played(const Network& net, const Collective& c) { return play(net, {schedule(net, c)}).front(); }

void expect_exact(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, want * 1e-12) << what;  // the same sums, up to rounding
}

}  // namespace

TEST(Collectives, RingIsExactlyAlphaBeta) {
  const SystemConfig s = make(1, 8);
  const Network net(s);
  const double B = 300e9;
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::ReduceScatter, CollectiveKind::AllGather})
    for (std::int32_t n : {2, 3, 5, 8})
      for (double M : {4096.0, 1e6, 3e9})
        for (std::int32_t c : {1, 4}) {
          const Collective col{k, Algorithm::Ring, iota(n), M, c};
          expect_exact(played(net, col), ring_seconds(k, n, M, c, kAlpha, B),
                       fmt::format("{} n={} M={} c={}", name_of(k), n, M, c));
        }
  // The textbook form: 2 (n - 1) alpha + 2 (n - 1) / n M / B.
  EXPECT_NEAR(ring_seconds(CollectiveKind::AllReduce, 8, 1e9, 1, kAlpha, B), 14 * kAlpha + 14.0 / 8 * 1e9 / B, 1e-15);
}

TEST(Collectives, RingBetweenNodesUsesTheNicPort) {
  const SystemConfig s = make(4, 8);  // 8 ports of 25 GB/s per node
  const Network net(s);
  const Collective col{CollectiveKind::AllReduce, Algorithm::Ring, iota(4, 3, 8), 1e8, 1};
  expect_exact(played(net, col), ring_seconds(CollectiveKind::AllReduce, 4, 1e8, 1, kInter, 25e9), "inter ring");
}

TEST(Collectives, TreesAreExactlyAlphaBeta) {
  const SystemConfig s = make(1, 16);
  const Network net(s);
  const double B = 300e9;
  for (std::int32_t n : {2, 3, 5, 6, 7, 15})
    for (std::int32_t c : {1, 3, 8})
      for (bool dbt : {false, true}) {
        const Collective col{CollectiveKind::AllReduce, dbt ? Algorithm::DoubleBinaryTree : Algorithm::Tree, iota(n),
                             1e7, c};
        expect_exact(played(net, col), tree_seconds(n, 1e7, c, kAlpha, B, dbt), fmt::format("n={} c={} dbt={}", n, c, dbt));
      }
  // Complete trees of depth d: 2 (d + c - 1) (alpha + 2 M / (c B)); two trees on half each:
  // 2 (d + c - 1) (alpha + M / (c B)).
  for (std::int32_t d : {1, 2, 3})
    for (std::int32_t c : {1, 4}) {
      const std::int32_t n = (1 << (d + 1)) - 1;
      EXPECT_NEAR(tree_seconds(n, 1e7, c, kAlpha, B, false), 2.0 * (d + c - 1) * (kAlpha + 2 * 1e7 / (c * B)), 1e-15);
      EXPECT_NEAR(tree_seconds(n, 1e7, c, kAlpha, B, true), 2.0 * (d + c - 1) * (kAlpha + 1e7 / (c * B)), 1e-15);
    }
}

TEST(Collectives, HalvingDoublingIsExactlyAlphaBeta) {
  const SystemConfig s = make(1, 16);
  const Network net(s);
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::ReduceScatter, CollectiveKind::AllGather})
    for (std::int32_t n : {2, 4, 8, 16}) {
      const Collective col{k, Algorithm::HalvingDoubling, iota(n), 6e7, 1};
      expect_exact(played(net, col), halving_doubling_seconds(k, n, 6e7, 1, kAlpha, 300e9), fmt::format("n={}", n));
    }
  EXPECT_NEAR(halving_doubling_seconds(CollectiveKind::AllReduce, 8, 8e6, 1, kAlpha, 300e9),
              2 * 3 * kAlpha + 2 * 7.0 / 8 * 8e6 / 300e9, 1e-15);
  EXPECT_FALSE(applicable(net, Collective{CollectiveKind::AllReduce, Algorithm::HalvingDoubling, iota(6), 1, 1}));
  EXPECT_THAT(testing_support::error_of([&] { schedule(net, {CollectiveKind::AllReduce, Algorithm::HalvingDoubling, iota(6), 1, 1}); }),
              ::testing::HasSubstr("halving_doubling algorithm does not apply"));
}

TEST(Collectives, HierarchicalIsExactlyAlphaBeta) {
  const SystemConfig s = make(4, 8);
  const Network net(s);
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::ReduceScatter, CollectiveKind::AllGather}) {
    const Collective col{k, Algorithm::Hierarchical, iota(32), 2e8, 1};
    expect_exact(played(net, col), hierarchical_seconds(k, 8, 4, 2e8, 1, kAlpha, 300e9, kInter, 25e9),
                 std::string(name_of(k)));
  }
}

TEST(Collectives, TorusIsExactlyAlphaBetaPerDimension) {
  SystemConfig s = make(64, 1, IntraFabric::Switch, InterTopology::Torus);
  s.inter_node.shape = {4, 4, 4};
  s.inter_node.bandwidth_gb_per_s = 6 * 40;  // 40 GB/s per link
  const Network net(s);
  ASSERT_EQ(net.torus_shape(), (std::vector<std::int32_t>{4, 4, 4}));
  for (CollectiveKind k : {CollectiveKind::AllReduce, CollectiveKind::ReduceScatter, CollectiveKind::AllGather}) {
    const Collective col{k, Algorithm::Torus, iota(64), 6.4e7, 1};
    expect_exact(played(net, col), torus_seconds(k, {4, 4, 4}, 6.4e7, 1, kInter, 40e9), std::string(name_of(k)));
  }
  // A 2x2x2 torus inside a node: dimensions of two have one neighbour.
  SystemConfig b = make(1, 8, IntraFabric::Torus);
  b.intra_node.shape = {2, 2, 2};
  const Network nb(b);
  const Collective col{CollectiveKind::AllReduce, Algorithm::Torus, iota(8), 1e6, 2};
  expect_exact(played(nb, col), torus_seconds(CollectiveKind::AllReduce, {2, 2, 2}, 1e6, 2, kAlpha, 50e9), "2x2x2");
}

TEST(Collectives, DirectAllToAllAndSendRecv) {
  const SystemConfig s = make(1, 8);
  const Network net(s);
  expect_exact(played(net, {CollectiveKind::AllToAll, Algorithm::Direct, iota(8), 8e6, 1}),
               direct_seconds(CollectiveKind::AllToAll, 8, 8e6, kAlpha, 300e9), "all-to-all");
  expect_exact(played(net, {CollectiveKind::SendRecv, Algorithm::Direct, {0, 5}, 1e6, 1}), kAlpha + 1e6 / 300e9,
               "send/recv");
}

TEST(Collectives, SharedLinksSlowCollectivesDown) {
  // Two nodes, one NIC port each: eight rings between the nodes (one per local rank) all cross it.
  const SystemConfig s = make(2, 8, IntraFabric::Switch, InterTopology::FatTree, 1);
  const Network net(s);
  std::vector<StepSchedule> all;
  for (std::int32_t i = 0; i < 8; ++i)
    all.push_back(schedule(net, {CollectiveKind::AllReduce, Algorithm::Ring, {i, 8 + i}, 1e8, 1}));
  const double alone = play(net, {all.front()}).front();
  const double shared = play(net, all).front();
  const double bw_term = alone - 2 * kInter;  // 2 steps, the rest is bandwidth
  EXPECT_NEAR(shared, 2 * kInter + 8 * bw_term, 1e-9);
  // With a port per chip (8 NICs) they do not interfere.
  const Network wide(make(2, 8));
  std::vector<StepSchedule> w;
  for (std::int32_t i = 0; i < 8; ++i) w.push_back(schedule(wide, {CollectiveKind::AllReduce, Algorithm::Ring, {i, 8 + i}, 1e8, 1}));
  const auto t = play(wide, w);
  for (double x : t) EXPECT_NEAR(x, play(wide, {w.front()}).front(), 1e-12);
}

TEST(Collectives, RailsSendOtherRailsThroughAPeer) {
  const Network rails(make(2, 8, IntraFabric::Switch, InterTopology::RailOptimized));
  const Network tree(make(2, 8));
  // Chip 0 (rail 0) to chip 11 (node 1, rail 3): up to peer chip 3 over NVLink first.
  EXPECT_EQ(rails.route(0, 11).size(), 4u);
  EXPECT_EQ(tree.route(0, 11).size(), 2u);
  EXPECT_EQ(rails.route(3, 11).size(), 2u);
}

TEST(Collectives, AutoPicksTheFastestOnTheIdleNetwork) {
  const SystemConfig s = make(4, 8);
  const Network net(s);
  CommModel cm(net);
  const std::vector<std::vector<ChipId>> g{iota(32)};
  const auto best = cm.time(CollectiveKind::AllReduce, Algorithm::Auto, g, 1e9);
  for (Algorithm a : {Algorithm::Ring, Algorithm::Hierarchical, Algorithm::HalvingDoubling, Algorithm::DoubleBinaryTree})
    EXPECT_LE(best.seconds, cm.time(CollectiveKind::AllReduce, a, g, 1e9).seconds * (1 + 1e-12)) << name_of(a);
  // Large messages across nodes: hierarchical beats a flat ring over 32 chips.
  EXPECT_EQ(best.algorithm, Algorithm::Hierarchical);
}
