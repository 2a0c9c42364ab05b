// The analytic cost model: closed forms against brute force, remainders, buffers.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "compiler/cost_model.h"
#include "test_util.h"

using namespace npusim;
using namespace npusim::compiler;

namespace {

// Replays the load policy of docs/MAPPING.md over the loop nest: a non-resident operand is
// loaded when its tile changes between consecutive steps; a resident one once per slice.
std::int64_t simulate_loads(Operand x, const std::array<std::int64_t, 4>& t, const LoopOrder& o, Resident res) {
  const bool is_res = (x == Operand::A && res == Resident::A) || (x == Operand::B && res == Resident::B) ||
                      (x == Operand::C && res == Resident::C);
  std::int64_t loads = 0;
  std::tuple<std::int64_t, std::int64_t, std::int64_t> prev{-1, -1, -1};
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t>> slice;
  std::pair<std::int64_t, std::int64_t> slice_id{-1, -1};
  for (std::int64_t g = 0; g < t[0]; ++g)
    for (std::int64_t i0 = 0; i0 < t[1]; ++i0)
      for (std::int64_t i1 = 0; i1 < t[2]; ++i1)
        for (std::int64_t i2 = 0; i2 < t[3]; ++i2) {
          std::array<std::int64_t, 3> idx{};
          idx[static_cast<int>(o.dims[0])] = i0, idx[static_cast<int>(o.dims[1])] = i1, idx[static_cast<int>(o.dims[2])] = i2;
          const std::int64_t m = idx[0], n = idx[1], k = idx[2];
          auto key = x == Operand::A ? std::make_tuple(g, m, k) : (x == Operand::B ? std::make_tuple(g, k, n) : std::make_tuple(g, m, n));
          if (is_res) {
            std::pair<std::int64_t, std::int64_t> sid{g, relevant(x, o.dims[0]) ? i0 : -1};
            if (sid != slice_id) slice.clear(), slice_id = sid;
            if (slice.insert(key).second) ++loads;
          } else if (key != prev) {
            ++loads;
            prev = key;
          }
        }
  return loads;
}

std::int64_t distinct_tiles(Operand x, const std::array<std::int64_t, 4>& t, const LoopOrder& o) {
  std::int64_t n = t[0];
  for (int i = 0; i < 3; ++i)
    if (relevant(x, o.dims[static_cast<std::size_t>(i)])) n *= t[static_cast<std::size_t>(i + 1)];
  return n;
}

}  // namespace

TEST(CostModel, ReloadFactorMatchesBruteForce) {
  for (std::int64_t g : {1, 2})
    for (std::int64_t a : {1, 2, 3})
      for (std::int64_t b : {1, 3})
        for (std::int64_t c : {1, 2, 4})
          for (const LoopOrder& o : kAllOrders)
            for (Resident r : {Resident::None, Resident::A, Resident::B, Resident::C})
              for (Operand x : {Operand::A, Operand::B, Operand::C}) {
                const std::array<std::int64_t, 4> t = {g, a, b, c};
                EXPECT_EQ(reload_factor(x, t, o, r) * distinct_tiles(x, t, o), simulate_loads(x, t, o, r))
                    << "order " << o.str() << " resident " << name_of(r) << " operand " << static_cast<int>(x)
                    << " trips " << g << a << b << c;
              }
}

TEST(CostModel, ResidentSliceHoldsWhatOneOuterIterationTouches) {
  const LoopOrder mnk{{Dim::M, Dim::N, Dim::K}};
  // A depends on m (outer) and k (inner): one m-row of A tiles
  EXPECT_EQ(resident_slice_tiles(Operand::A, {1, 5, 3, 7}, mnk), 7);
  // B does not depend on m: every B tile
  EXPECT_EQ(resident_slice_tiles(Operand::B, {1, 5, 3, 7}, mnk), 21);
  EXPECT_EQ(resident_slice_tiles(Operand::C, {1, 5, 3, 7}, mnk), 3);
}

TEST(CostModel, ConvSpanMatchesBruteForce) {
  for (std::int64_t in : {5, 12, 17})
    for (std::int64_t k : {1, 2, 3, 5})
      for (std::int64_t s : {1, 2, 3})
        for (std::int64_t pad : {0, 1, 2})
          for (std::int64_t dil : {1, 2}) {
            if (pad >= (k - 1) * dil + 1) continue;
            const std::int64_t out = (in + 2 * pad - ((k - 1) * dil + 1)) / s + 1;
            if (out <= 0) continue;
            for (std::int64_t o0 = 0; o0 < out; ++o0)
              for (std::int64_t n = 1; o0 + n <= out; ++n) {
                std::set<std::int64_t> rows;
                for (std::int64_t o = o0; o < o0 + n; ++o)
                  for (std::int64_t r = 0; r < k; ++r) {
                    std::int64_t p = o * s - pad + r * dil;
                    if (p >= 0 && p < in) rows.insert(p);
                  }
                EXPECT_EQ(conv_span(in, o0, n, k, s, pad, dil), static_cast<std::int64_t>(rows.size()))
                    << in << " " << k << " " << s << " " << pad << " " << dil << " " << o0 << " " << n;
              }
          }
}

TEST(CostModel, ExactEvaluationCoversEveryMacWithRemainders) {
  auto a = test::preset("edge-npu");
  auto ctx = CostContext::make(a, DType::Int8);
  workloads::Graph g("odd", DType::Int8);
  auto x = g.input("x", {37, 123});
  g.matmul("fc", x, 45);
  auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 1u);
  const Layer& L = lg.layers[0];
  for (std::int64_t tm : {1, 7, 16, 37, 64})
    for (std::int64_t tn : {16, 32, 45})
      for (std::int64_t tk : {16, 100, 123}) {
        Mapping m;
        m.tm = tm, m.tn = tn, m.tk = tk;
        auto c = evaluate(ctx, L, m);
        ASSERT_TRUE(c.has_value());
        EXPECT_EQ(c->macs, 37 * 45 * 123);
        EXPECT_GE(c->dram_bytes(), c->compulsory_dram_bytes);
      }
}

TEST(CostModel, LargerTilesNeedLargerBuffers) {
  auto a = test::preset("edge-npu");
  auto ctx = CostContext::make(a, DType::Int8);
  workloads::Graph g("big", DType::Int8);
  g.matmul("fc", g.input("x", {4096, 4096}), 4096);
  const Layer L = lower(g).layers[0];
  Mapping small, huge;
  small.tm = 64, small.tn = 64, small.tk = 64;
  huge.tm = 4096, huge.tn = 4096, huge.tk = 4096;
  EXPECT_TRUE(evaluate(ctx, L, small).has_value());
  EXPECT_FALSE(evaluate(ctx, L, huge).has_value());  // 16 MiB of A alone
}

TEST(CostModel, StallsAddUpToCyclesBeyondCompute) {
  auto cm = test::compile_model("resnet50", "edge-npu");
  for (const auto& l : cm.layers) {
    std::int64_t s = 0;
    for (auto v : l.cost.stalls) s += v;
    EXPECT_EQ(s, l.cost.cycles - l.cost.compute_cycles) << l.layer.name;
  }
}
