// The ONNX importer on whole models and on the forms exporters write: ResNet-50 and BERT-base
// written as ONNX by onnx_fixtures.py import with the zoo's per-layer MACs; shape arithmetic,
// dynamic dimensions, folding patterns, attribute and input forms of opsets 7 to 21, external
// data, and the warning that lists ops without a model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <numeric>

#include "tests/error_of.h"
#include "tests/workloads/onnx_test_util.h"
#include "workloads/training.h"
#include "workloads/zoo.h"

namespace npusim::workloads::onnx_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing_support::error_of;

ModelParams with_inputs(std::vector<InputShape> inputs, std::int64_t batch = 1) {
  ModelParams p;
  p.batch = batch;
  p.inputs = std::move(inputs);
  return p;
}

const Op* find(const Graph& g, const std::string& name) {
  for (const auto& op : g.ops())
    if (op.name == name) return &op;
  return nullptr;
}

std::size_t count_kind(const Graph& g, OpKind k) {
  std::size_t n = 0;
  for (const auto& op : g.ops()) n += op.kind == k;
  return n;
}

// ---------------------------------------------------------------- whole models against the zoo

TEST(OnnxFixtures, ResNet50HasTheZoosPerLayerMacs) {
  for (std::int64_t batch : {1, 4}) {
    ModelParams p;
    p.batch = batch;
    const Graph onnx = load_model(kFixtures + "/resnet50.onnx", p);
    const Graph zoo = load_model("resnet50", p);
    const auto a = mac_ops(onnx), b = mac_ops(zoo);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].macs, b[i].macs) << a[i].name << " vs " << b[i].name;
      EXPECT_EQ(a[i].shape, b[i].shape) << a[i].name << " vs " << b[i].name;
    }
    EXPECT_EQ(onnx.total_macs(), zoo.total_macs());
    // BatchNormalization folded into every convolution: no normalisation op remains, and the
    // folded shift is each convolution's bias.
    EXPECT_EQ(count_kind(onnx, OpKind::Norm), 0u);
    EXPECT_EQ(count_kind(onnx, OpKind::Conv2d), 53u);
    EXPECT_TRUE(find(onnx, "conv1")->as<Conv2dAttrs>().bias);
    EXPECT_TRUE(onnx.warnings().empty());
  }
}

TEST(OnnxFixtures, BertBaseHasTheZoosPerLayerMacs) {
  for (auto [batch, seq] : {std::pair<std::int64_t, std::int64_t>{1, 128}, {2, 384}}) {
    ModelParams zp;
    zp.batch = batch;
    zp.seq = seq;
    const Graph zoo = load_model("bert-base", zp);
    const Graph onnx = load_model(kFixtures + "/bert-base.onnx", with_inputs({{"input_ids", {batch, seq}}}, batch));
    auto b = mac_ops(zoo);
    // The zoo picks the [CLS] token with a one-hot batched matmul (its IR had no gather,
    // docs/WORKLOADS.md); the ONNX graph gathers it (a slice): the one zoo layer without a twin.
    const auto cls = std::find_if(b.begin(), b.end(), [](const MacOp& m) { return m.name == "pooler.cls"; });
    ASSERT_NE(cls, b.end());
    b.erase(cls);
    const auto a = mac_ops(onnx);
    ASSERT_EQ(a.size(), b.size());
    auto elements = [](const Shape& s) { return std::accumulate(s.begin(), s.end(), std::int64_t{1}, std::multiplies<>()); };
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].macs, b[i].macs) << a[i].name << " vs " << b[i].name;
      // (the zoo's pooler keeps the token axis of its one-hot selection: [B, 1, 768])
      if (b[i].name != "pooler.dense") {
        EXPECT_EQ(a[i].shape, b[i].shape) << a[i].name << " vs " << b[i].name;
      }
      EXPECT_EQ(elements(a[i].shape), elements(b[i].shape)) << a[i].name << " vs " << b[i].name;
    }
    // The written-out layer norms, the Erf GELUs and the matmul biases were recognised.
    EXPECT_EQ(count_kind(onnx, OpKind::Norm), 25u);
    EXPECT_EQ(count_kind(onnx, OpKind::Reduce), 0u);
    std::size_t gelus = 0, biased = 0;
    for (const auto& op : onnx.ops()) {
      gelus += op.kind == OpKind::Elementwise && op.as<EltwiseAttrs>().fn == EltFn::Gelu;
      biased += op.kind == OpKind::MatMul && op.as<MatMulAttrs>().bias;
    }
    EXPECT_EQ(gelus, 12u);
    EXPECT_EQ(biased, 12u * 6 + 1);
    EXPECT_EQ(count_kind(onnx, OpKind::Embedding), 2u);  // the position table was folded with its constant ids
    EXPECT_EQ(onnx.tensor(onnx.outputs()[0]).shape, (Shape{batch, seq, 768}));
    EXPECT_EQ(onnx.tensor(onnx.outputs()[1]).shape, (Shape{batch, 768}));
  }
}

TEST(OnnxFixtures, SymbolsBoundByOneInputApplyToTheOthers) {
  // input_ids binds 'batch' and 'sequence'; attention_mask and token_type_ids share them.
  const Graph g = load_model(kFixtures + "/bert-base.onnx", with_inputs({{"input_ids", {1, 64}}}));
  for (const auto& t : g.tensors())
    if (t.kind == TensorKind::Input) {
      EXPECT_EQ(t.shape, (Shape{1, 64})) << t.name;
    }
  EXPECT_THAT(error_of([] {
                load_model(kFixtures + "/bert-base.onnx",
                           with_inputs({{"input_ids", {1, 64}}, {"attention_mask", {1, 32}}}));
              }),
              AllOf(HasSubstr("attention_mask"), HasSubstr("'sequence'"), HasSubstr("binds 'sequence' to 64")));
  EXPECT_THAT(error_of([] { load_model(kFixtures + "/bert-base.onnx", ModelParams{}); }),
              AllOf(HasSubstr("input 'input_ids' dimension 1 ('sequence') is dynamic"), HasSubstr("--input input_ids=")));
}

TEST(OnnxFixtures, BatchBindsALeadingDynamicDimension) {
  ModelParams p;
  p.batch = 3;
  const Graph g = load_model(kFixtures + "/resnet50.onnx", p);
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{3, 1000}));
  // A model with fixed shapes cannot take another batch.
  EXPECT_THAT(error_of([&] { load_model(kFixtures + "/small.onnx", p); }),
              AllOf(HasSubstr("--batch 3"), HasSubstr("x: [1, 3, 8, 8]")));
  // --input must agree with the model's fixed sizes.
  EXPECT_THAT(error_of([] { load_model(kFixtures + "/small.onnx", with_inputs({{"x", {1, 3, 9, 8}}})); }),
              HasSubstr("--input x: dimension 2 is 9 but the model fixes it at 8"));
  EXPECT_THAT(error_of([] { load_model(kFixtures + "/small.onnx", with_inputs({{"y", {1}}})); }),
              HasSubstr("has no input 'y' (its inputs: x)"));
  EXPECT_THAT(error_of([] { load_model("resnet50", with_inputs({{"x", {1}}})); }),
              HasSubstr("input shapes apply to ONNX models"));
}

TEST(OnnxInputShape, ParsesNamesAndDimensions) {
  EXPECT_EQ(parse_input_shape("--input", "input_ids=1x128"), (InputShape{"input_ids", {1, 128}}));
  EXPECT_EQ(parse_input_shape("--input", "x:0=1,3,224,224"), (InputShape{"x:0", {1, 3, 224, 224}}));
  EXPECT_EQ(parse_input_shape("--input", "a=b=4"), (InputShape{"a=b", {4}}));
  EXPECT_EQ(parse_input_shape("--input", "scalar="), (InputShape{"scalar", {}}));
  EXPECT_EQ(to_string(InputShape{"x", {1, 3}}), "x=1x3");
  for (const char* bad : {"x", "=1x2", "x=1x", "x=0x3", "x=1xa", "x=-1"})
    EXPECT_THAT(error_of([&] { parse_input_shape("--input", bad); }), HasSubstr("expected NAME=D1xD2x...")) << bad;
}

// ---------------------------------------------------------------- shape arithmetic

// The subgraph PyTorch emits for position ids and masks of a dynamic sequence:
// Range(0, Shape(x)[1], 1) -> Unsqueeze -> Expand(Concat(Shape(x)[0], seq)) -> Gather(table);
// ConstantOfShape(Shape(x)) -> Cast -> Mul with the scores.
TEST(OnnxShapeArithmetic, RangeExpandConstantOfShapeAndCastResolve) {
  ModelBuilder b(14);
  b.input("ids", {"batch", "seq"}, proto::TensorProto::INT64).weight("table", {512, 16}).output("y");
  b.ints("zero", {0}, true).ints("one", {1}, true).ints("i0", {0}, true).ints("i1", {1}, true).ints("ax0", {0});
  b.node("Shape", {"ids"}, {"shape"});
  b.node("Gather", {"shape", "i1"}, {"seq_len"});
  b.node("Gather", {"shape", "i0"}, {"batch_len"});
  b.node("Range", {"zero", "seq_len", "one"}, {"positions"});
  b.node("Unsqueeze", {"positions", "ax0"}, {"pos2d"});
  b.node("Unsqueeze", {"batch_len", "ax0"}, {"b1"});
  b.node("Unsqueeze", {"seq_len", "ax0"}, {"s1"});
  attr(b.node("Concat", {"b1", "s1"}, {"target"}), "axis", std::int64_t{0});
  b.node("Expand", {"pos2d", "target"}, {"pos_ids"});
  b.node("Gather", {"table", "pos_ids"}, {"pos_emb"});
  b.node("Gather", {"table", "ids"}, {"tok_emb"});
  b.node("ConstantOfShape", {"shape"}, {"ones"});
  attr(b.node("Cast", {"ones"}, {"mask"}), "to", std::int64_t{proto::TensorProto::FLOAT});
  b.node("Unsqueeze", {"mask", "ax2"}, {"mask3"});
  b.ints("ax2", {2});
  b.node("Mul", {"tok_emb", "mask3"}, {"masked"});
  b.node("Add", {"masked", "pos_emb"}, {"y"});
  const Graph g = b.import(with_inputs({{"ids", {2, 7}}}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{2, 7, 16}));
  // Only the token lookup and the two element-wise ops run: the rest folded at import time.
  EXPECT_EQ(g.ops().size(), 3u);
  EXPECT_EQ(g.ops()[0].kind, OpKind::Embedding);
}

TEST(OnnxShapeArithmetic, ReshapeTargetsComputedFromShapes) {
  // [B, S, 64] -> [B, S, 4, 16] with the target assembled from Shape, Gather, Squeeze, Unsqueeze
  // and Concat, and Div on int64 (as TensorFlow and Paddle exporters write head splits).
  ModelBuilder b(13);
  b.input("x", {"B", "S", 64}).output("y");
  b.ints("i0", {0}, true).ints("i1", {1}, true).ints("ax0", {0}).ints("heads", {4}).ints("width", {64}, true);
  b.node("Shape", {"x"}, {"s"});
  b.node("Gather", {"s", "i0"}, {"b"});
  b.node("Gather", {"s", "i1"}, {"l"});
  b.node("Unsqueeze", {"b", "ax0"}, {"b1"});
  b.node("Unsqueeze", {"l", "ax0"}, {"l1"});
  b.node("Div", {"width", "heads"}, {"d"});
  attr(b.node("Concat", {"b1", "l1", "heads", "d"}, {"target"}), "axis", std::int64_t{0});
  b.node("Reshape", {"x", "target"}, {"y"});
  const Graph g = b.import(with_inputs({{"x", {3, 5, 64}}}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{3, 5, 4, 16}));
}

// ---------------------------------------------------------------- patterns

TEST(OnnxPatterns, ErfGeluInEveryOrderExportersWrite) {
  for (int variant = 0; variant < 3; ++variant) {
    ModelBuilder b(13);
    b.input("x", {2, 8}).output("y");
    b.floats("sqrt2", {1.4142135f}, true).floats("one", {1}, true).floats("half", {0.5f}, true);
    b.node("Div", {"x", "sqrt2"}, {"d"});
    b.node("Erf", {"d"}, {"e"});
    b.node("Add", {"e", "one"}, {"a"});
    if (variant == 0) {  // x * (1 + erf) * 0.5
      b.node("Mul", {"x", "a"}, {"m"});
      b.node("Mul", {"m", "half"}, {"y"});
    } else if (variant == 1) {  // (1 + erf) * 0.5 * x
      b.node("Mul", {"a", "half"}, {"m"});
      b.node("Mul", {"m", "x"}, {"y"});
    } else {  // (x * 0.5) * (1 + erf)
      b.node("Mul", {"x", "half"}, {"h"});
      b.node("Mul", {"h", "a"}, {"y"});
    }
    const Graph g = b.import();
    ASSERT_EQ(g.ops().size(), 1u) << variant;
    EXPECT_EQ(g.ops()[0].as<EltwiseAttrs>().fn, EltFn::Gelu) << variant;
    EXPECT_EQ(g.ops()[0].inputs[0], 0) << variant;
  }
  // The wrong constant: element-wise ops, not a GELU.
  ModelBuilder b(13);
  b.input("x", {2, 8}).output("y");
  b.floats("c", {3.0f}, true).floats("one", {1}, true).floats("half", {0.5f}, true);
  b.node("Div", {"x", "c"}, {"d"});
  b.node("Erf", {"d"}, {"e"});
  b.node("Add", {"e", "one"}, {"a"});
  b.node("Mul", {"x", "a"}, {"m"});
  b.node("Mul", {"m", "half"}, {"y"});
  EXPECT_EQ(b.import().ops().size(), 5u);
}

TEST(OnnxPatterns, WrittenOutLayerNormBecomesOneNormAndOtherAxesStayVectorWork) {
  for (int axis : {-1, 1}) {
    ModelBuilder b(13);
    b.input("x", {4, 8, 32}).output("y").weight("gamma", {32}).weight("beta", {32});
    b.floats("two", {2}, true).floats("eps", {1e-5f}, true);
    attr(b.node("ReduceMean", {"x"}, {"mean"}), "axes", std::vector<std::int64_t>{axis});
    b.node("Sub", {"x", "mean"}, {"d"});
    b.node("Pow", {"d", "two"}, {"sq"});
    attr(b.node("ReduceMean", {"sq"}, {"var"}), "axes", std::vector<std::int64_t>{axis});
    b.node("Add", {"var", "eps"}, {"ve"});
    b.node("Sqrt", {"ve"}, {"std"});
    b.node("Div", {"d", "std"}, {"n"});
    b.node("Mul", {"n", "gamma"}, {"g"});
    b.node("Add", {"g", "beta"}, {"y"});
    const Graph g = b.import();
    EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{4, 8, 32}));
    if (axis == -1) {
      ASSERT_EQ(g.ops().size(), 1u);
      EXPECT_EQ(g.ops()[0].kind, OpKind::Norm);
    } else {  // over the middle axis: the ops one by one, on the vector unit
      EXPECT_EQ(g.ops().size(), 9u);
      EXPECT_EQ(count_kind(g, OpKind::Reduce), 2u);
      EXPECT_EQ(g.total_macs(), 0);
    }
  }
}

TEST(OnnxPatterns, ZeroPadFoldsIntoTheConvolutionAndOtherPadsStay) {
  for (float value : {0.0f, 1.0f}) {
    ModelBuilder b(13);
    b.input("x", {1, 3, 8, 8}).output("y").weight("w", {4, 3, 3, 3}).ints("pads", {0, 0, 1, 1, 0, 0, 1, 1});
    b.floats("v", {value}, true);
    b.node("Pad", {"x", "pads", "v"}, {"p"});
    b.node("Conv", {"p", "w"}, {"y"});
    const Graph g = b.import();
    EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 4, 8, 8}));
    EXPECT_EQ(g.total_macs(), 8 * 8 * 4 * 3 * 9);
    if (value == 0) {
      ASSERT_EQ(g.ops().size(), 1u);
      EXPECT_EQ(g.ops()[0].as<Conv2dAttrs>().pad_top, 1);
    } else {
      EXPECT_EQ(g.ops()[0].kind, OpKind::Pad);
    }
  }
}

TEST(OnnxPatterns, SiluAndHardSwishFromTheirProducts) {
  ModelBuilder b(13);
  b.input("x", {2, 16}).output("y");
  b.node("Sigmoid", {"x"}, {"s"});
  b.node("Mul", {"x", "s"}, {"a"});
  auto& hs = b.node("HardSigmoid", {"a"}, {"h"});
  attr_f(hs, "alpha", 1.0f / 6);
  b.node("Mul", {"h", "a"}, {"y"});
  const Graph g = b.import();
  ASSERT_EQ(g.ops().size(), 2u);
  EXPECT_EQ(g.ops()[0].as<EltwiseAttrs>().fn, EltFn::Silu);
  EXPECT_EQ(g.ops()[1].as<EltwiseAttrs>().fn, EltFn::HardSwish);
}

// ---------------------------------------------------------------- opsets: attribute and input forms

// The same graph in its old form (attributes) and its new form (constant inputs).
Graph forms(int opset, bool inputs) {
  ModelBuilder b(opset);
  b.input("x", {2, 6, 8}).output("r").output("s0").output("sq").output("sl").output("pd").output("cl");
  auto list = [&](proto::NodeProto& n, const std::string& a, const std::string& in, std::vector<std::int64_t> v) {
    if (inputs) {
      b.ints(in, v);
      n.add_input(in);
    } else {
      attr(n, a, v);
    }
  };
  list(b.node("ReduceMean", {"x"}, {"r"}), "axes", "r_axes", {-1});
  auto& split = b.node("Split", {"x"}, {"s0", "s1"});
  attr(split, "axis", std::int64_t{1});
  list(split, "split", "s_sizes", {2, 4});
  list(b.node("Unsqueeze", {"x"}, {"u"}), "axes", "u_axes", {0});
  list(b.node("Squeeze", {"u"}, {"sq"}), "axes", "q_axes", {0});
  if (inputs) {
    b.ints("starts", {1}).ints("ends", {5}).ints("axes", {1});
    b.node("Slice", {"x", "starts", "ends", "axes"}, {"sl"});
    b.ints("pads", {0, 1, 0, 0, 1, 0});
    b.node("Pad", {"x", "pads"}, {"pd"});
    b.floats("lo", {0}, true).floats("hi", {6}, true);
    b.node("Clip", {"x", "lo", "hi"}, {"cl"});
  } else {
    auto& sl = b.node("Slice", {"x"}, {"sl"});
    attr(sl, "starts", std::vector<std::int64_t>{1});
    attr(sl, "ends", std::vector<std::int64_t>{5});
    attr(sl, "axes", std::vector<std::int64_t>{1});
    attr(b.node("Pad", {"x"}, {"pd"}), "pads", std::vector<std::int64_t>{0, 1, 0, 0, 1, 0});
    auto& cl = b.node("Clip", {"x"}, {"cl"});
    attr_f(cl, "min", 0);
    attr_f(cl, "max", 6);
  }
  return b.import();
}

TEST(OnnxOpsets, AttributeFormsAndInputFormsGiveTheSameGraph) {
  const std::vector<Shape> want = {{2, 6, 1}, {2, 2, 8}, {2, 6, 8}, {2, 4, 8}, {2, 8, 8}, {2, 6, 8}};
  for (auto [opset, inputs] : {std::pair{7, false}, {9, false}, {18, true}, {21, true}}) {
    const Graph g = forms(opset, inputs);
    ASSERT_EQ(g.outputs().size(), want.size()) << opset;
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(g.tensor(g.outputs()[i]).shape, want[i]) << opset << " " << i;
    EXPECT_EQ(g.ops().back().as<EltwiseAttrs>().fn, EltFn::Relu6) << opset;
  }
}

TEST(OnnxOpsets, SplitByNumOutputsAndGeluOfOpset20) {
  ModelBuilder b(20);
  b.input("x", {2, 7}).output("a").output("b").output("c").output("g");
  auto& s = b.node("Split", {"x"}, {"a", "b", "c"});
  attr(s, "axis", std::int64_t{1});
  attr(s, "num_outputs", std::int64_t{3});  // 7 = 3 + 3 + 1 (opset 18)
  b.node("Gelu", {"x"}, {"g"});
  const Graph g = b.import();
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{2, 3}));
  EXPECT_EQ(g.tensor(g.outputs()[2]).shape, (Shape{2, 1}));
  EXPECT_EQ(g.ops().back().as<EltwiseAttrs>().fn, EltFn::Gelu);
}

// ---------------------------------------------------------------- data, constants, weights

TEST(OnnxData, ExternalDataIsReadOnlyForShapesAndWeightsNeedNoFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "npusim_onnx_external";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir / "shapes.bin", std::ios::binary);
    const std::int64_t shape[2] = {6, 4};
    f.write("padding!", 8);
    f.write(reinterpret_cast<const char*>(shape), sizeof shape);
  }
  ModelBuilder b(13);
  b.input("x", {2, 3, 4}).output("y").weight("w", {4, 100000});  // 1.6 MB of weights in a file that is absent
  auto* t = b.graph().add_initializer();
  t->set_name("target");
  t->set_data_type(proto::TensorProto::INT64);
  t->add_dims(2);
  ModelBuilder::set_external(*t, "shapes.bin", 8, 16);
  b.node("Reshape", {"x", "target"}, {"r"});
  b.node("MatMul", {"r", "w"}, {"y"});
  const Graph g = b.import({}, dir.string());
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{6, 100000}));
  EXPECT_EQ(g.total_macs(), 6 * 4 * 100000);
  EXPECT_EQ(g.total_params(), 400000);
  // Without the file, the shape is unknown: an error naming the node and the file.
  std::filesystem::remove(dir / "shapes.bin");
  EXPECT_THAT(error_of([&] { b.import({}, dir.string()); }),
              AllOf(HasSubstr("node 'r' (Reshape)"), HasSubstr("shapes.bin' cannot be read")));
  // A location outside the model's folder is refused.
  ModelBuilder::set_external(*t, "../etc/shapes.bin", 0, 16);
  t->mutable_external_data()->DeleteSubrange(0, 3);
  EXPECT_THAT(error_of([&] { b.import({}, dir.string()); }), HasSubstr("must be a path inside the model's folder"));
  std::filesystem::remove_all(dir);
}

TEST(OnnxData, ConstantNodesCountLikeInitializers) {
  ModelBuilder b(13);
  b.input("x", {2, 8}).output("y");
  auto& c = b.node("Constant", {}, {"w"});
  auto* a = c.add_attribute();
  a->set_name("value");
  a->set_type(proto::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(proto::TensorProto::FLOAT);
  a->mutable_t()->add_dims(8);
  a->mutable_t()->add_dims(16);
  a->mutable_t()->mutable_raw_data()->assign(8 * 16 * 4, '\0');
  b.node("MatMul", {"x", "w"}, {"y"});
  const Graph g = b.import();
  EXPECT_EQ(g.total_params(), 8 * 16);
  EXPECT_EQ(g.total_macs(), 2 * 8 * 16);
  EXPECT_EQ(g.ops()[0].kind, OpKind::MatMul);
}

TEST(OnnxData, OpsWithoutAModelRunOnTheVectorUnitListedInOneWarningWithCounts) {
  ModelBuilder b(13);
  b.input("x", {2, 8}).output("y");
  b.model().add_opset_import()->set_domain("com.example");
  b.model().mutable_opset_import(1)->set_version(1);
  b.node("LeakyRelu", {"x"}, {"a"});
  b.node("LeakyRelu", {"a"}, {"c"});
  b.node("Neg", {"c"}, {"d"});
  auto& custom = b.node("Mystery", {"d"}, {"y"});
  custom.set_domain("com.example");
  const Graph g = b.import();
  ASSERT_EQ(g.warnings().size(), 2u);
  EXPECT_THAT(g.warnings()[0], AllOf(HasSubstr("4 ops without a model"), HasSubstr("LeakyRelu x2"),
                                     HasSubstr("Neg x1"), HasSubstr("com.example:Mystery x1")));
  // The custom op has no shape rule and no declared shape: its first input's shape, said so.
  EXPECT_THAT(g.warnings()[1], HasSubstr("com.example:Mystery") );
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{2, 8}));
  for (const auto& op : g.ops()) EXPECT_EQ(op.kind, OpKind::Opaque);
}

TEST(OnnxData, DeclaredShapesOfOpsWithoutARuleAreUsed) {
  ModelBuilder b(13);
  b.input("x", {"N", 8}).output("y");
  auto& k = b.node("TopK", {"x", "k"}, {"y", "idx"});
  attr(k, "axis", std::int64_t{1});
  b.ints("k", {3});
  auto* vi = b.graph().add_value_info();
  vi->set_name("y");
  auto* shape = vi->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->add_dim()->set_dim_param("N");
  shape->add_dim()->set_dim_value(3);
  const Graph g = b.import(with_inputs({}, 5));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{5, 3}));
  ASSERT_EQ(g.warnings().size(), 1u);  // TopK is listed; its shape was declared, not assumed
}

TEST(OnnxData, TheImportedGraphCompilesAsItIsLowered) {
  // ConvTranspose as a GEMM and its overlap-add, a Resize, a Gather on activations, a reduction:
  // ops the IR gained for the importer keep their MACs through the graph.
  ModelBuilder b(13);
  b.input("x", {1, 8, 4, 4}).output("y").output("r").output("gt").weight("w", {8, 4, 2, 2});
  b.ints("ids", {2, 0}).floats("scales", {1, 1, 2, 2});
  auto& ct = b.node("ConvTranspose", {"x", "w"}, {"up"});
  attr(ct, "strides", std::vector<std::int64_t>{2, 2});
  b.node("Resize", {"up", "", "scales"}, {"y"});
  attr(b.node("ReduceMean", {"x"}, {"r"}), "axes", std::vector<std::int64_t>{2, 3});
  attr(b.node("Gather", {"x", "ids"}, {"gt"}), "axis", std::int64_t{1});
  const Graph g = b.import();
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 4, 16, 16}));
  EXPECT_EQ(g.tensor(g.outputs()[1]).shape, (Shape{1, 8, 1, 1}));
  EXPECT_EQ(g.tensor(g.outputs()[2]).shape, (Shape{1, 2, 4, 4}));
  EXPECT_EQ(g.total_macs(), 1 * 8 * 4 * 4 * 4 * 2 * 2);  // input elements x F x kh x kw
  EXPECT_EQ(count_kind(g, OpKind::Col2Im), 1u);
  EXPECT_EQ(count_kind(g, OpKind::Resize), 1u);
  EXPECT_EQ(count_kind(g, OpKind::Gather), 1u);
}

}  // namespace
}  // namespace npusim::workloads::onnx_test

// Imported models train (workloads/training.h) like the zoo's: the same trained parameters and
// backward MACs (the backward of every GEMM), whatever the exporter's broadcast operands and
// shape arithmetic; ops without a backward of their own get an opaque gradient over their bytes.
namespace npusim::workloads::onnx_test {
namespace {

std::int64_t macs_in(const TrainingGraph& tg, Phase p) {
  std::int64_t m = 0;
  for (std::size_t i = 0; i < tg.graph.ops().size(); ++i)
    if (tg.phase[i] == p) m += tg.graph.op(i).macs;
  return m;
}

TEST(OnnxTraining, ImportedResNet50AndBertTrainLikeTheZoo) {
  ModelParams zp;
  zp.dtype = DType::Bf16;
  ModelParams rp = zp;
  ModelParams bp = with_inputs({{"input_ids", {1, 128}}});
  bp.dtype = DType::Bf16;
  zp.seq = 128;
  const std::pair<Graph, Graph> pairs[] = {
      {load_model(kFixtures + "/resnet50.onnx", rp), load_model("resnet50", rp)},
      {load_model(kFixtures + "/bert-base.onnx", bp), load_model("bert-base", zp)},
  };
  for (const auto& [onnx, zoo] : pairs) {
    const TrainingGraph a = make_training_graph(onnx);
    const TrainingGraph b = make_training_graph(zoo);
    // The zoo picks BERT's [CLS] token with a one-hot batched matmul (OnnxFixtures above), the
    // ONNX graph with a gather: forward and backward (the gradient of its activation input)
    // differ by that layer's MACs, and by nothing else.
    const Op* cls = find(zoo, "pooler.cls");
    const std::int64_t extra = cls ? cls->macs : 0;
    EXPECT_EQ(macs_in(a, Phase::Forward) + extra, macs_in(b, Phase::Forward)) << zoo.name();
    EXPECT_EQ(macs_in(a, Phase::Backward) + extra, macs_in(b, Phase::Backward)) << zoo.name();
    // The zoo's BERT has no pooler: the ONNX file's extra parameters are its only difference.
    EXPECT_NEAR(double(a.figures.params), double(b.figures.params), 0.01 * double(b.figures.params)) << zoo.name();
  }
}

}  // namespace
}  // namespace npusim::workloads::onnx_test
