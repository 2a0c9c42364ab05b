// Lowering: implicit GEMM, depthwise without inflated MACs, fusion of elementwise ops, views.
#include <gtest/gtest.h>

#include "compiler/layer.h"

using namespace npusim;
using namespace npusim::compiler;

TEST(Lowering, ConvBecomesImplicitGemm) {
  workloads::Graph g("c", DType::Int8);
  auto x = g.input("x", {2, 64, 56, 56});
  workloads::Graph::ConvSpec s;
  s.out_channels = 128, s.kh = s.kw = 3, s.stride = 2, s.pad = 1;
  g.conv2d("conv", x, s);
  auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 1u);
  const Layer& L = lg.layers[0];
  EXPECT_EQ(L.cls, LayerClass::Gemm);
  EXPECT_EQ(L.M, 2 * 28 * 28);
  EXPECT_EQ(L.N, 128);
  EXPECT_EQ(L.K, 64 * 9);
  EXPECT_EQ(L.G, 1);
  EXPECT_EQ(L.macs, L.M * L.N * L.K);
  // every input row and column is read by some tap
  EXPECT_EQ(L.a_bytes, 2 * 64 * 56 * 56);
}

TEST(Lowering, StridedPointwiseReadsOnlyTouchedPixels) {
  workloads::Graph g("c", DType::Int8);
  workloads::Graph::ConvSpec s;
  s.out_channels = 8, s.stride = 2;
  g.conv2d("down", g.input("x", {1, 4, 8, 8}), s);
  EXPECT_EQ(lower(g).layers[0].a_bytes, 4 * 4 * 4);  // every other row and column
}

TEST(Lowering, DepthwiseIsGroupedWithoutInflatingMacs) {
  workloads::Graph g("dw", DType::Int8);
  workloads::Graph::ConvSpec s;
  s.out_channels = 32, s.kh = s.kw = 3, s.pad = 1, s.groups = 32;
  g.conv2d("dw", g.input("x", {1, 32, 14, 14}), s);
  const Layer L = lower(g).layers[0];
  EXPECT_EQ(L.G, 32);
  EXPECT_EQ(L.N, 1);
  EXPECT_EQ(L.K, 9);
  EXPECT_EQ(L.G * L.M * L.N * L.K, 14 * 14 * 32 * 9);
  EXPECT_EQ(L.macs, 14 * 14 * 32 * 9);
}

TEST(Lowering, ElementwiseFusesIntoItsProducer) {
  workloads::Graph g("f", DType::Int8);
  auto x = g.input("x", {1, 16, 8, 8});
  workloads::Graph::ConvSpec s;
  s.out_channels = 16, s.kh = s.kw = 3, s.pad = 1;
  auto c = g.conv2d("conv", x, s);
  auto r = g.eltwise("add", workloads::EltFn::Add, c, x);  // residual
  auto y = g.eltwise("relu", workloads::EltFn::Relu, r);
  g.mark_output(y);
  auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 1u);
  const Layer& L = lg.layers[0];
  EXPECT_EQ(L.fused, (std::vector<std::string>{"add", "relu"}));
  EXPECT_EQ(L.out, y);
  EXPECT_EQ(L.side_inputs, std::vector<workloads::TensorId>{x});
  EXPECT_EQ(L.side_per_elem_bytes, 1);
  // convert + add + relu per output element
  EXPECT_EQ(L.ops_per_elem[0], 3);
}

TEST(Lowering, ElementwiseWithTwoConsumersIsNotFused) {
  workloads::Graph g("f", DType::Int8);
  auto x = g.input("x", {4, 32});
  auto a = g.matmul("fc", x, 32);
  auto r = g.eltwise("relu", workloads::EltFn::Relu, a);
  g.eltwise("use1", workloads::EltFn::Add, a, r);  // a is read twice: relu cannot take it over
  auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 2u);
  EXPECT_TRUE(lg.layers[0].fused.empty());                          // fc keeps its output for both readers
  EXPECT_EQ(lg.layers[1].fused, std::vector<std::string>{"use1"});  // relu's only reader joins relu
  EXPECT_EQ(lg.layers[1].deps, std::vector<std::int32_t>{0});
}

TEST(Lowering, ReshapeAndLayoutTransposeAreViews) {
  workloads::Graph g("t", DType::Int8);
  auto x = g.input("x", {1, 8, 64});
  auto q = g.matmul("q", x, 64);
  auto h = g.reshape("split", q, {1, 8, 4, 16});
  auto t = g.transpose("heads", h, {0, 2, 1, 3});
  auto s = g.batched_matmul("scores", t, t, true);
  g.softmax("softmax", s);
  auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 3u);  // q, scores, softmax
  EXPECT_TRUE(lg.is_view[static_cast<std::size_t>(h)]);
  EXPECT_TRUE(lg.is_view[static_cast<std::size_t>(t)]);
  EXPECT_EQ(lg.producer[static_cast<std::size_t>(t)], 0);
  EXPECT_EQ(lg.layers[1].deps, std::vector<std::int32_t>{0});
  EXPECT_EQ(lg.layers[1].G, 4);
  EXPECT_EQ(lg.layers[2].cls, LayerClass::Vector);
  EXPECT_TRUE(lg.layers[2].whole_rows);
}
