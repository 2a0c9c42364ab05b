// Lowering of the ops the graph IR gained for imported models: slices are views, gathers and
// pads move data, resizes, reductions, col2im and opaque ops stream through the vector unit with
// their bytes; every such layer compiles on a preset.
#include <gtest/gtest.h>

#include "compiler/compile.h"
#include "compiler/layer.h"
#include "arch/loader.h"
#include "configs/embedded.h"

using namespace npusim;
using namespace npusim::compiler;
using workloads::Graph;
using workloads::OpKind;

namespace {

const Layer& only_layer(const LayerGraph& lg) {
  EXPECT_EQ(lg.layers.size(), 1u);
  return lg.layers.front();
}

}  // namespace

TEST(LoweringDataOps, SliceIsAViewItsConsumerReadsInPlace) {
  Graph g("s", DType::Int8);
  auto x = g.input("x", {2, 8, 16});
  auto s = g.slice("first", x, {0, 0, 0}, {1, 1, 1}, {2, 1, 16});
  auto y = g.eltwise("relu", workloads::EltFn::Relu, s);
  g.mark_output(y);
  const auto lg = lower(g);
  const Layer& L = only_layer(lg);
  EXPECT_TRUE(lg.is_view[static_cast<std::size_t>(s)]);
  EXPECT_EQ(L.in_bytes, 2 * 16);  // only the window
}

TEST(LoweringDataOps, GatherReadsOneRowPerIndexAndDependsOnItsData) {
  Graph g("g", DType::Int8);
  auto x = g.input("x", {4, 10, 32});
  auto a = g.eltwise("act", workloads::EltFn::Relu, x);
  auto ids = g.input("ids", {3}, DType::Int32);
  g.mark_output(g.gather("pick", a, ids, 1));
  const auto lg = lower(g);
  ASSERT_EQ(lg.layers.size(), 2u);
  const Layer& L = lg.layers[1];
  EXPECT_EQ(L.cls, LayerClass::Gather);
  EXPECT_EQ(L.rows, 4 * 3);
  EXPECT_EQ(L.row_elems, 32);
  EXPECT_EQ(L.in_row_bytes, 4 + 32);  // an int32 index and a row of int8
  EXPECT_EQ(L.deps, (std::vector<std::int32_t>{0}));
}

TEST(LoweringDataOps, PadResizeReduceCol2ImAndOpaqueStreamTheirInputs) {
  {
    Graph g("p", DType::Int8);
    g.mark_output(g.pad("pad", g.input("x", {1, 4, 6, 6}), {0, 0, 1, 1}, {0, 0, 1, 1}));
    const auto lg = lower(g);
    const Layer& L = only_layer(lg);
    EXPECT_EQ(L.cls, LayerClass::DataMove);
    EXPECT_EQ(L.rows, 4 * 8);
    EXPECT_EQ(L.in_row_bytes, 5);  // ceil(144 input bytes / 32 rows)
    EXPECT_EQ(L.in_once_bytes, 0);
  }
  {
    Graph g("r", DType::Int8);
    g.mark_output(g.resize("up", g.input("x", {1, 4, 8, 8}), {1, 4, 16, 16}, workloads::ResizeMode::Linear));
    const auto lg = lower(g);
    const Layer& L = only_layer(lg);
    EXPECT_EQ(L.cls, LayerClass::Vector);
    EXPECT_EQ(L.rows, 4);
    EXPECT_EQ(L.row_elems, 256);
    EXPECT_EQ(L.in_row_bytes, 64);
    EXPECT_EQ(L.vector_ops()[0], 6 * 4 * 256);
  }
  {
    Graph g("m", DType::Int8);
    g.mark_output(g.reduce("mean", workloads::ReduceFn::Mean, g.input("x", {2, 8, 64}), {-1}, true));
    const auto lg = lower(g);
    const Layer& L = only_layer(lg);
    EXPECT_EQ(L.rows, 16);
    EXPECT_EQ(L.row_elems, 1);
    EXPECT_EQ(L.in_row_bytes, 64);
    EXPECT_EQ(L.vector_ops()[2], 16 * 64);  // every input element folded once
  }
  {
    Graph g("c", DType::Int8);
    g.mark_output(g.col2im("overlap", g.input("cols", {1, 4, 4, 8 * 9}), {1, 8, 9, 9}, 3, 3));
    const auto lg = lower(g);
    const Layer& L = only_layer(lg);
    EXPECT_EQ(L.rows, 8);
    EXPECT_EQ(L.vector_ops()[0], 4 * 4 * 8 * 9);  // each column element added once
  }
  {
    Graph g("o", DType::Int8);
    g.mark_output(g.opaque("lstm", "ai.onnx:LSTM", {g.input("x", {4, 16})}, {4, 32}));
    const auto lg = lower(g);
    const Layer& L = only_layer(lg);
    EXPECT_EQ(L.cls, LayerClass::Vector);
    EXPECT_EQ(L.in_bytes, 64);
    EXPECT_EQ(L.out_bytes, 128);
  }
}

TEST(LoweringDataOps, AGraphOfEveryNewKindCompiles) {
  Graph g("all", DType::Int8);
  auto x = g.input("x", {1, 8, 8, 8});
  auto p = g.pad("pad", x, {0, 0, 1, 1}, {0, 0, 1, 1});
  workloads::Graph::ConvSpec s;
  s.out_channels = 8, s.kh = s.kw = 3;
  auto c = g.conv2d("conv", p, s);
  auto r = g.resize("up", c, {1, 8, 16, 16}, workloads::ResizeMode::Nearest);
  auto sl = g.slice("crop", r, {0, 0, 0, 0}, {1, 1, 1, 1}, {1, 8, 12, 12});
  auto m = g.reduce("mean", workloads::ReduceFn::Mean, sl, {2, 3}, true);
  auto o = g.opaque("custom", "x:Custom", {m}, {1, 8, 1, 1});
  g.mark_output(g.gather("pick", o, g.input("ids", {2}, DType::Int32), 1));
  const EmbeddedText* preset = find_arch_preset(kDefaultArchPreset);
  const CompiledModel cm = compile(g, arch::load_arch(preset->text, preset->file));
  EXPECT_EQ(cm.layers.size(), 6u);
  EXPECT_EQ(cm.totals().macs, 8 * 8 * 8 * 8 * 9);
}
