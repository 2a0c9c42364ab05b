// The graph IR: shape inference, MAC counts, broadcasting and the builders' input validation.
#include "workloads/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "tests/error_of.h"

namespace npusim::workloads {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using testing_support::error_of;

Graph::ConvSpec conv(std::int64_t out, std::int64_t k, std::int64_t stride = 1, std::int64_t pad = 0) {
  Graph::ConvSpec s;
  s.out_channels = out;
  s.kh = s.kw = k;
  s.stride = stride;
  s.pad = pad;
  return s;
}

// ---------------------------------------------------------------- conv2d

TEST(GraphConv, StridedPaddedShapeWeightAndMacs) {
  Graph g("t");
  TensorId x = g.input("x", {2, 3, 224, 224});
  TensorId y = g.conv2d("conv1", x, conv(64, 7, 2, 3));
  EXPECT_EQ(g.tensor(y).shape, (Shape{2, 64, 112, 112}));
  const Op& op = g.op(0);
  EXPECT_EQ(op.kind, OpKind::Conv2d);
  ASSERT_EQ(op.inputs.size(), 2u);  // no bias by default
  EXPECT_EQ(g.tensor(op.inputs[1]).shape, (Shape{64, 3, 7, 7}));
  EXPECT_EQ(g.tensor(op.inputs[1]).kind, TensorKind::Weight);
  EXPECT_EQ(op.macs, std::int64_t{2} * 112 * 112 * 64 * 3 * 7 * 7);
  EXPECT_EQ(g.total_params(), 64 * 3 * 7 * 7);
}

TEST(GraphConv, OutputSizeRoundsDown) {
  Graph g("t");
  // (10 + 2 - 3) / 2 + 1 = 5 (floor of 4.5 + 1)
  TensorId y = g.conv2d("c", g.input("x", {1, 4, 10, 10}), conv(8, 3, 2, 1));
  EXPECT_EQ(g.tensor(y).shape, (Shape{1, 8, 5, 5}));
}

TEST(GraphConv, Dilation) {
  Graph g("t");
  TensorId x = g.input("x", {1, 8, 32, 32});
  Graph::ConvSpec s = conv(8, 3, 1, 2);
  s.dilation = 2;  // effective 5x5 kernel: "same" padding is 2
  EXPECT_EQ(g.tensor(g.conv2d("same", x, s)).shape, (Shape{1, 8, 32, 32}));
  s.pad = 0;
  s.stride = 2;  // (32 - 5) / 2 + 1 = 14
  TensorId y = g.conv2d("strided", x, s);
  EXPECT_EQ(g.tensor(y).shape, (Shape{1, 8, 14, 14}));
  // Dilation spreads the taps but does not add MACs: still 3x3 per output.
  EXPECT_EQ(g.op(1).macs, 14 * 14 * 8 * 8 * 9);
}

TEST(GraphConv, AsymmetricPadding) {
  Graph g("t");
  Graph::ConvSpec s = conv(4, 3, 2);
  s.padding = {0, 1, 0, 1};  // TF "SAME" for an even input: (8 + 1 - 3) / 2 + 1 = 4
  TensorId y = g.conv2d("c", g.input("x", {1, 4, 8, 8}), s);
  EXPECT_EQ(g.tensor(y).shape, (Shape{1, 4, 4, 4}));
  const auto& a = g.op(0).as<Conv2dAttrs>();
  EXPECT_EQ(a.pad_top, 0);
  EXPECT_EQ(a.pad_bottom, 1);
}

TEST(GraphConv, GroupedConvolutionWeightAndMacs) {
  Graph g("t");
  Graph::ConvSpec s = conv(64, 3, 1, 1);
  s.groups = 4;
  TensorId y = g.conv2d("c", g.input("x", {1, 32, 16, 16}), s);
  EXPECT_EQ(g.tensor(y).shape, (Shape{1, 64, 16, 16}));
  EXPECT_EQ(g.tensor(g.op(0).inputs[1]).shape, (Shape{64, 8, 3, 3}));
  EXPECT_EQ(g.op(0).macs, 16 * 16 * 64 * 8 * 9);
}

TEST(GraphConv, DepthwiseMacsAreNotInflatedByChannels) {
  Graph g("t");
  Graph::ConvSpec s = conv(32, 3, 1, 1);
  s.groups = 32;
  TensorId y = g.conv2d("dw", g.input("x", {2, 32, 16, 16}), s);
  EXPECT_EQ(g.tensor(y).shape, (Shape{2, 32, 16, 16}));
  // N * OH * OW * C * kh * kw, not times C again.
  EXPECT_EQ(g.op(0).macs, 2 * 16 * 16 * 32 * 3 * 3);
  EXPECT_EQ(g.total_params(), 32 * 1 * 3 * 3);
}

TEST(GraphConv, BiasIsAWeight) {
  Graph g("t");
  Graph::ConvSpec s = conv(16, 1);
  s.bias = true;
  g.conv2d("c", g.input("x", {1, 8, 4, 4}), s);
  ASSERT_EQ(g.op(0).inputs.size(), 3u);
  EXPECT_EQ(g.tensor(g.op(0).inputs[2]).shape, (Shape{16}));
  EXPECT_EQ(g.total_params(), 16 * 8 + 16);
  EXPECT_TRUE(g.op(0).as<Conv2dAttrs>().bias);
}

TEST(GraphConv, RejectsNonPositiveOutChannelsNamingTheOp) {
  Graph g("t");
  TensorId x = g.input("x", {1, 3, 8, 8});
  EXPECT_THAT(error_of([&] { g.conv2d("stem", x, conv(0, 3)); }),
              AllOf(HasSubstr("stem"), HasSubstr("out_channels"), HasSubstr("got 0")));
  EXPECT_THAT(error_of([&] { g.conv2d("stem", x, conv(8, -3)); }),
              AllOf(HasSubstr("stem"), HasSubstr("kernel height"), HasSubstr("got -3")));
  EXPECT_THAT(error_of([&] { g.conv2d("stem", x, conv(8, 3, 0)); }),
              AllOf(HasSubstr("stem"), HasSubstr("stride"), HasSubstr("got 0")));
}

TEST(GraphConv, RejectsPaddingLargerThanTheKernelAllows) {
  Graph g("t");
  TensorId x = g.input("x", {1, 3, 8, 8});
  EXPECT_THAT(error_of([&] { g.conv2d("c3", x, conv(8, 3, 1, 3)); }),
              AllOf(HasSubstr("c3"), HasSubstr("padding 3/3/3/3 larger than the kernel allows")));
  Graph::ConvSpec s = conv(8, 3);
  s.padding = {0, 0, -1, 0};
  EXPECT_THAT(error_of([&] { g.conv2d("cneg", x, s); }), AllOf(HasSubstr("cneg"), HasSubstr("got -1")));
  // With dilation 2 a 3x3 kernel spans 5 pixels, so padding 4 is fine and 5 is not.
  s = conv(8, 3, 1, 4);
  s.dilation = 2;
  EXPECT_NO_THROW(g.conv2d("dil_ok", x, s));
  s.pad = 5;
  EXPECT_THAT(error_of([&] { g.conv2d("dil_bad", x, s); }), HasSubstr("padding 5/5/5/5"));
}

TEST(GraphConv, RejectsGroupsThatDoNotDivideTheChannels) {
  Graph g("t");
  TensorId x = g.input("x", {1, 10, 8, 8});
  Graph::ConvSpec s = conv(8, 3);
  s.groups = 4;
  EXPECT_THAT(error_of([&] { g.conv2d("grp", x, s); }),
              AllOf(HasSubstr("grp"), HasSubstr("groups 4 must divide input channels 10")));
  s.groups = 5;  // divides 10 but not 8 output channels
  EXPECT_THAT(error_of([&] { g.conv2d("grp", x, s); }), HasSubstr("output channels 8"));
  s.groups = 0;
  EXPECT_THAT(error_of([&] { g.conv2d("grp", x, s); }), AllOf(HasSubstr("groups"), HasSubstr("got 0")));
}

TEST(GraphConv, RejectsKernelLargerThanInput) {
  Graph g("t");
  TensorId x = g.input("x", {1, 3, 4, 4});
  EXPECT_THAT(error_of([&] { g.conv2d("big", x, conv(8, 7)); }),
              AllOf(HasSubstr("big"), HasSubstr("kernel 7x7"), HasSubstr("does not fit input 4x4")));
  // Padding can make it fit: 4 + 2*3 = 10 >= 7.
  EXPECT_EQ(g.tensor(g.conv2d("padded", x, conv(8, 7, 1, 3))).shape, (Shape{1, 8, 4, 4}));
}

TEST(GraphConv, RejectsInputOfWrongRank) {
  Graph g("t");
  TensorId x = g.input("x", {3, 8, 8});
  EXPECT_THAT(error_of([&] { g.conv2d("c", x, conv(8, 3)); }), AllOf(HasSubstr("[N, C, H, W]"), HasSubstr("[3, 8, 8]")));
  EXPECT_THAT(error_of([&] { g.conv2d("c", 42, conv(8, 3)); }), HasSubstr("tensor 42 does not exist"));
}

// ---------------------------------------------------------------- matmul

TEST(GraphMatMul, ShapeMacsAndWeights) {
  Graph g("t");
  TensorId x = g.input("x", {2, 5, 8});
  TensorId y = g.matmul("fc", x, 16, /*bias=*/true);
  EXPECT_EQ(g.tensor(y).shape, (Shape{2, 5, 16}));
  EXPECT_EQ(g.op(0).macs, 2 * 5 * 8 * 16);
  ASSERT_EQ(g.op(0).inputs.size(), 3u);
  EXPECT_EQ(g.tensor(g.op(0).inputs[1]).shape, (Shape{8, 16}));
  EXPECT_EQ(g.tensor(g.op(0).inputs[2]).shape, (Shape{16}));
  EXPECT_TRUE(g.op(0).as<MatMulAttrs>().bias);
  EXPECT_EQ(g.total_params(), 8 * 16 + 16);
  EXPECT_EQ(g.total_macs(), 2 * 5 * 8 * 16);
}

TEST(GraphMatMul, TiedTransposedWeightIsCountedOnce) {
  Graph g("t");
  TensorId table = g.weight("emb", {100, 8});
  TensorId ids = g.input("ids", {3}, DType::Int32);
  TensorId h = g.embedding_with("lookup", ids, table);
  EXPECT_EQ(g.tensor(h).shape, (Shape{3, 8}));
  TensorId logits = g.matmul_with("head", h, table, /*transpose_w=*/true);
  EXPECT_EQ(g.tensor(logits).shape, (Shape{3, 100}));
  EXPECT_EQ(g.op(1).macs, 3 * 8 * 100);
  EXPECT_EQ(g.total_params(), 100 * 8);
  EXPECT_EQ(g.consumers(table), (std::vector<std::int32_t>{0, 1}));
}

TEST(GraphMatMul, RejectsInnerDimensionMismatch) {
  Graph g("t");
  TensorId x = g.input("x", {2, 8});
  TensorId w = g.weight("w", {4, 16});
  EXPECT_THAT(error_of([&] { g.matmul_with("proj", x, w); }),
              AllOf(HasSubstr("proj"), HasSubstr("inner dimensions differ"), HasSubstr("[2, 8]"), HasSubstr("[4, 16]")));
  EXPECT_THAT(error_of([&] { g.matmul("fc", x, 0); }), AllOf(HasSubstr("fc"), HasSubstr("out_features"), HasSubstr("got 0")));
  TensorId w3 = g.weight("w3", {2, 8, 4});
  EXPECT_THAT(error_of([&] { g.matmul_with("proj3", x, w3); }), AllOf(HasSubstr("proj3"), HasSubstr("2-D")));
}

TEST(GraphBatchedMatMul, ShapesAndMacs) {
  Graph g("t");
  TensorId a = g.input("a", {2, 3, 4, 5});
  TensorId b = g.input("b", {2, 3, 5, 6});
  TensorId c = g.batched_matmul("ab", a, b);
  EXPECT_EQ(g.tensor(c).shape, (Shape{2, 3, 4, 6}));
  EXPECT_EQ(g.op(0).macs, 2 * 3 * 4 * 6 * 5);
  TensorId bt = g.input("bt", {2, 3, 6, 5});
  TensorId d = g.batched_matmul("abt", a, bt, /*transpose_b=*/true);
  EXPECT_EQ(g.tensor(d).shape, (Shape{2, 3, 4, 6}));
  EXPECT_TRUE(g.op(1).as<BatchedMatMulAttrs>().transpose_b);
  EXPECT_EQ(g.op(1).macs, 2 * 3 * 4 * 6 * 5);
  EXPECT_EQ(g.total_params(), 0);  // activations only
}

TEST(GraphBatchedMatMul, RejectsMismatches) {
  Graph g("t");
  TensorId a = g.input("a", {2, 3, 4, 5});
  EXPECT_THAT(error_of([&] { g.batched_matmul("qk", a, g.input("b", {2, 3, 6, 5})); }),
              AllOf(HasSubstr("qk"), HasSubstr("inner dimensions differ")));
  EXPECT_THAT(error_of([&] { g.batched_matmul("qk", a, g.input("c", {2, 4, 5, 6})); }),
              AllOf(HasSubstr("qk"), HasSubstr("batch dimensions differ")));
  EXPECT_THAT(error_of([&] { g.batched_matmul("qk", a, g.input("d", {6})); }), HasSubstr("rank >= 2"));
}

TEST(GraphBatchedMatMul, BatchDimensionsBroadcast) {
  Graph g("t");
  TensorId a = g.input("a", {2, 3, 4, 5});
  // A shared right operand (numpy's rules): [5, 6] and [1, 3, 5, 6] broadcast over the batch.
  TensorId c = g.batched_matmul("shared", a, g.input("b", {5, 6}));
  EXPECT_EQ(g.tensor(c).shape, (Shape{2, 3, 4, 6}));
  EXPECT_EQ(g.op(0).macs, 2 * 3 * 4 * 6 * 5);
  TensorId d = g.batched_matmul("grouped", a, g.input("w", {1, 3, 5, 7}));
  EXPECT_EQ(g.tensor(d).shape, (Shape{2, 3, 4, 7}));
  EXPECT_EQ(g.op(1).macs, 2 * 3 * 4 * 7 * 5);
}

// ---------------------------------------------------------------- eltwise broadcasting

TEST(GraphEltwise, BroadcastingRules) {
  Graph g("t");
  TensorId x = g.input("x", {2, 7, 16});
  EXPECT_EQ(g.tensor(g.eltwise("same", EltFn::Add, x, g.input("y", {2, 7, 16}))).shape, (Shape{2, 7, 16}));
  // A trailing suffix broadcasts (position embeddings [S, D] onto [B, S, D]).
  EXPECT_EQ(g.tensor(g.eltwise("suffix", EltFn::Add, x, g.input("pos", {7, 16}))).shape, (Shape{2, 7, 16}));
  EXPECT_EQ(g.tensor(g.eltwise("vector", EltFn::Mul, x, g.input("v", {16}))).shape, (Shape{2, 7, 16}));
  // Per-channel [N, C, 1, 1] onto [N, C, H, W] (squeeze-excite style scaling).
  TensorId img = g.input("img", {2, 8, 5, 5});
  EXPECT_EQ(g.tensor(g.eltwise("se", EltFn::Mul, img, g.input("scale", {2, 8, 1, 1}))).shape, (Shape{2, 8, 5, 5}));
  EXPECT_EQ(g.ops().back().macs, 0);  // element-wise ops have no MACs
  // numpy's rules in both directions: the smaller operand may come first, and both may grow.
  EXPECT_EQ(g.tensor(g.eltwise("first", EltFn::Sub, g.input("s", {16}), x)).shape, (Shape{2, 7, 16}));
  EXPECT_EQ(g.tensor(g.eltwise("outer", EltFn::Add, g.input("col", {4, 1}), g.input("row", {1, 6}))).shape,
            (Shape{4, 6}));
  EXPECT_EQ(broadcast_shapes({3, 1, 5}, {4, 1}), (Shape{3, 4, 5}));
  EXPECT_EQ(broadcast_shapes({3}, {4}), std::nullopt);
}

TEST(GraphEltwise, RejectsShapesThatDoNotBroadcast) {
  Graph g("t");
  TensorId x = g.input("x", {2, 7, 16});
  EXPECT_THAT(error_of([&] { g.eltwise("add", EltFn::Add, x, g.input("a", {7, 8})); }),
              AllOf(HasSubstr("add"), HasSubstr("[2, 7, 16] and [7, 8] do not broadcast")));
  // A leading prefix is not a broadcast.
  EXPECT_THAT(error_of([&] { g.eltwise("add", EltFn::Add, x, g.input("b", {2, 7})); }), HasSubstr("do not broadcast"));
  EXPECT_THAT(error_of([&] { g.eltwise("mul", EltFn::Mul, x); }), AllOf(HasSubstr("mul"), HasSubstr("needs two inputs")));
  EXPECT_THAT(error_of([&] { g.eltwise("relu", EltFn::Relu, x, x); }), AllOf(HasSubstr("relu"), HasSubstr("one input")));
}

// ---------------------------------------------------------------- other ops

TEST(GraphOps, PoolShapesAndErrors) {
  Graph g("t");
  TensorId x = g.input("x", {1, 64, 112, 112});
  EXPECT_EQ(g.tensor(g.pool("maxpool", PoolFn::Max, x, 3, 2, 1)).shape, (Shape{1, 64, 56, 56}));
  EXPECT_EQ(g.tensor(g.global_avg_pool("gap", x)).shape, (Shape{1, 64, 1, 1}));
  EXPECT_THAT(error_of([&] { g.pool("pool3", PoolFn::Max, x, 3, 2, 3); }),
              AllOf(HasSubstr("pool3"), HasSubstr("padding 3 larger than the kernel allows")));
  TensorId tiny = g.input("tiny", {1, 1, 2, 2});
  EXPECT_THAT(error_of([&] { g.pool("p2", PoolFn::Avg, tiny, 3, 1); }), HasSubstr("window 3x3 does not fit input 2x2"));
}

TEST(GraphOps, NormCreatesGammaAndBeta) {
  Graph g("t");
  TensorId x = g.input("x", {2, 4, 32});
  g.norm("ln", NormFn::LayerNorm, x);
  EXPECT_EQ(g.total_params(), 64);
  g.norm("rms", NormFn::RmsNorm, x);
  EXPECT_EQ(g.total_params(), 96);  // RMSNorm has no beta
}

TEST(GraphOps, ReshapeTransposeConcatSoftmax) {
  Graph g("t");
  TensorId x = g.input("x", {2, 6, 12});
  TensorId r = g.reshape("split", x, {2, 6, 3, 4});
  TensorId t = g.transpose("heads", r, {0, 2, 1, 3});
  EXPECT_EQ(g.tensor(t).shape, (Shape{2, 3, 6, 4}));
  TensorId cache = g.kv_cache("cache", {2, 3, 10, 4});
  EXPECT_EQ(g.tensor(cache).kind, TensorKind::KvCache);
  TensorId c = g.concat("append", {cache, t}, 2);
  EXPECT_EQ(g.tensor(c).shape, (Shape{2, 3, 16, 4}));
  EXPECT_EQ(g.tensor(g.softmax("sm", c)).shape, (Shape{2, 3, 16, 4}));
  EXPECT_THAT(error_of([&] { g.reshape("bad", x, {2, 6, 13}); }),
              AllOf(HasSubstr("bad"), HasSubstr("144 elements"), HasSubstr("156 elements")));
  EXPECT_THAT(error_of([&] { g.transpose("perm", x, {0, 1, 1}); }), AllOf(HasSubstr("perm"), HasSubstr("permutation")));
  EXPECT_THAT(error_of([&] { g.concat("cat", {cache, x}, 2); }), AllOf(HasSubstr("cat"), HasSubstr("ranks differ")));
  EXPECT_THAT(error_of([&] { g.concat("cat", {cache, t}, 1); }), HasSubstr("differ outside axis 1"));
  EXPECT_THAT(error_of([&] { g.concat("cat", {cache}, 4); }), HasSubstr("axis 4 out of range"));
}

TEST(GraphOps, EmbeddingShapeAndTable) {
  Graph g("t");
  TensorId ids = g.input("ids", {4, 9}, DType::Int32);
  TensorId e = g.embedding("tok", ids, 1000, 32);
  EXPECT_EQ(g.tensor(e).shape, (Shape{4, 9, 32}));
  EXPECT_EQ(g.tensor(ids).dtype, DType::Int32);
  EXPECT_EQ(g.tensor(e).dtype, DType::Int8);  // the table's dtype
  EXPECT_EQ(g.total_params(), 1000 * 32);
  EXPECT_THAT(error_of([&] { g.embedding("tok2", ids, 0, 32); }),
              AllOf(HasSubstr("tok2"), HasSubstr("vocabulary size"), HasSubstr("got 0")));
}

// ---------------------------------------------------------------- tensors and graph-level checks

TEST(GraphTensors, RejectsZeroAndNegativeDimensions) {
  Graph g("t");
  EXPECT_THAT(error_of([&] { g.input("ifmap", {1, 0, 3}); }),
              AllOf(HasSubstr("ifmap"), HasSubstr("dimension 1"), HasSubstr("got 0")));
  EXPECT_THAT(error_of([&] { g.weight("w", {-2, 3}); }),
              AllOf(HasSubstr("'w'"), HasSubstr("dimension 0"), HasSubstr("got -2")));
  EXPECT_THAT(error_of([&] { g.input("scalar", {}); }), HasSubstr("at least one dimension"));
  EXPECT_THAT(error_of([&] { g.reshape("r", g.input("x", {4}), {4, 0}); }), AllOf(HasSubstr("r"), HasSubstr("got 0")));
}

TEST(GraphTensors, RejectsSizesThatOverflow64Bits) {
  Graph g("t", DType::Fp32);
  const std::int64_t big = std::int64_t{1} << 31;
  // 2^31 * 2^31 * 4 elements overflows the element count itself.
  EXPECT_THAT(error_of([&] { g.input("huge", {big, big, 4}); }),
              AllOf(HasSubstr("huge"), HasSubstr("overflows 64 bits")));
  // 2^62 elements fit in int64, but 2^62 * 4 bytes do not.
  EXPECT_THAT(error_of([&] { g.input("wide", {big, big}); }), AllOf(HasSubstr("wide"), HasSubstr("overflows 64 bits")));
  // The same element count in int8 fits.
  Graph g8("t8", DType::Int8);
  EXPECT_EQ(g8.tensor(g8.input("wide", {big, big})).bytes(), big * big);
  // An op whose output overflows is rejected too.
  TensorId x = g.input("x", {big, 2});
  EXPECT_THAT(error_of([&] { g.matmul("fc", x, big); }), HasSubstr("overflows 64 bits"));
}

TEST(GraphTensors, DtypeSetsBytes) {
  Graph g("t", DType::Bf16);
  TensorId x = g.input("x", {3, 5});
  EXPECT_EQ(g.tensor(x).bytes(), 30);
  TensorId y = g.matmul("fc", x, 7);
  EXPECT_EQ(g.tensor(y).dtype, DType::Bf16);
  EXPECT_EQ(g.tensor(g.op(0).inputs[1]).bytes(), 5 * 7 * 2);
}

TEST(GraphTensors, DuplicateOpNamesAreRejected) {
  Graph g("net");
  TensorId x = g.input("x", {2, 4});
  g.eltwise("relu", EltFn::Relu, x);
  EXPECT_THAT(error_of([&] { g.eltwise("relu", EltFn::Relu, x); }),
              AllOf(HasSubstr("'relu' is used twice"), HasSubstr("'net'")));
}

TEST(GraphTensors, ProducersConsumersAndTotals) {
  Graph g("t");
  TensorId x = g.input("x", {1, 4});
  TensorId h = g.matmul("fc1", x, 8);
  TensorId a = g.eltwise("relu", EltFn::Relu, h);
  TensorId y = g.matmul("fc2", a, 2);
  g.mark_output(y);
  EXPECT_EQ(g.tensor(h).producer, 0);
  EXPECT_EQ(g.tensor(x).producer, -1);
  EXPECT_EQ(g.consumers(h), (std::vector<std::int32_t>{1}));
  EXPECT_EQ(g.outputs(), (std::vector<TensorId>{y}));
  EXPECT_EQ(g.total_macs(), 4 * 8 + 8 * 2);
  EXPECT_EQ(g.total_params(), 4 * 8 + 8 * 2);
  EXPECT_EQ(shape_str({1, 64, 56, 56}), "[1, 64, 56, 56]");
}

}  // namespace
}  // namespace npusim::workloads
