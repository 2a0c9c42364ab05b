// Bad ONNX models: every problem is one npusim::Error line naming the file and, where a node is
// at fault, the node and its op; nothing crashes. (The command line's exit code and single line
// on stderr are checked in tests/cli.)
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/error_of.h"
#include "tests/workloads/onnx_test_util.h"

namespace npusim::workloads::onnx_test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::error_of;

std::string import_error(const ModelBuilder& b, const ModelParams& p = {}) {
  const std::string e = error_of([&] { b.import(p); });
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_TRUE(e.starts_with("test.onnx: ")) << e;
  return e;
}

// One Conv node "conv" over x [1, 3, 8, 8] with weight w [4, 3, 3, 3]; `edit` changes it.
template <class F>
std::string conv_error(F edit, std::vector<std::int64_t> wdims = {4, 3, 3, 3}) {
  ModelBuilder b(13);
  b.input("x", {1, 3, 8, 8}).output("y").weight("w", wdims);
  auto& n = b.node("Conv", {"x", "w"}, {"y"}, "conv");
  edit(n);
  return import_error(b);
}

TEST(OnnxErrors, TruncatedAndCorruptFilesAreOneLineNeverACrash) {
  const std::string whole = read_file(kFixtures + "/resnet50.onnx");
  for (std::size_t cut = 1; cut < whole.size(); cut += 613) {
    const std::string e = error_of([&] { onnx::import_bytes(whole.substr(0, cut), "cut.onnx", "", {}); });
    EXPECT_TRUE(e.starts_with("cut.onnx: ")) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_THAT(error_of([] { load_model(kFixtures + "/truncated.onnx", {}); }),
              HasSubstr("truncated.onnx: not an ONNX model: the protobuf message does not parse"));
  EXPECT_THAT(error_of([] { load_model(kFixtures + "/corrupt.onnx", {}); }), HasSubstr("corrupt.onnx: not an ONNX model"));
  EXPECT_THAT(error_of([] { onnx::import_bytes("", "empty.onnx", "", {}); }), HasSubstr("empty.onnx: not an ONNX model"));
}

TEST(OnnxErrors, OpsetsOutside7To21) {
  for (int opset : {1, 5, 6, 22}) {
    ModelBuilder b(opset);
    b.input("x", {1, 4}).output("y");
    b.node("Relu", {"x"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr(fmt::format("opset {} of the default domain (ai.onnx) is not supported: npusim "
                                                       "imports opsets 7 to 21",
                                                       opset)));
  }
  ModelBuilder none(13, "ai.onnx.ml");
  none.input("x", {1, 4}).output("y");
  none.node("Relu", {"x"}, {"y"});
  EXPECT_THAT(import_error(none), HasSubstr("the model imports none"));
}

TEST(OnnxErrors, ACycleNamesANodeOnIt) {
  ModelBuilder b(13);
  b.input("x", {1, 4}).output("b");
  b.node("Add", {"x", "b"}, {"a"}, "first");
  b.node("Add", {"a", "x"}, {"b"}, "second");
  EXPECT_THAT(import_error(b), HasSubstr("node 'first' (Add): the graph has a cycle through this node (its input 'b'"));
}

TEST(OnnxErrors, BrokenGraphs) {
  {
    ModelBuilder b(13);
    b.input("x", {1, 4}).output("y");
    b.node("Add", {"x", "ghost"}, {"y"}, "add");
    EXPECT_THAT(import_error(b), HasSubstr("node 'add' (Add): input 'ghost' is produced by no node"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {1, 4}).output("y");
    b.node("Relu", {"x"}, {"y"}, "one");
    b.node("Relu", {"x"}, {"y"}, "two");
    EXPECT_THAT(import_error(b), HasSubstr("node 'two' (Relu): output 'y' is also produced by node 'one' (Relu)"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {1, 4}).output("nowhere");
    b.node("Relu", {"x"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr("graph output 'nowhere' is produced by no node"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {1, 4}).output("y");
    b.node("Identity", {"x"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr("computes nothing at run time"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {1, 4}).output("y");
    EXPECT_THAT(import_error(b), HasSubstr("the graph has no nodes"));
  }
}

TEST(OnnxErrors, MissingInputShapes) {
  {
    ModelBuilder b(13);
    b.input("x", {"N", 3, "height", 8}).output("y").weight("w", {4, 3, 3, 3});
    b.node("Conv", {"x", "w"}, {"y"}, "conv");
    EXPECT_THAT(import_error(b), AllOf(HasSubstr("input 'x' dimension 2 ('height') is dynamic: bind it with --input x="),
                                       HasSubstr("(read by node 'conv' (Conv))")));
  }
  {
    ModelBuilder b(13);
    b.output("y").weight("w", {4, 3, 3, 3});
    auto* vi = b.graph().add_input();
    vi->set_name("x");
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(proto::TensorProto::FLOAT);
    b.node("Conv", {"x", "w"}, {"y"}, "conv");
    EXPECT_THAT(import_error(b), AllOf(HasSubstr("input 'x' has no shape in the model: give it with --input x="),
                                       HasSubstr("(read by node 'conv' (Conv))")));
  }
  {
    ModelBuilder b(13);
    b.output("y");
    auto* vi = b.graph().add_input();
    vi->set_name("seq");
    vi->mutable_type()->mutable_sequence_type();
    b.node("Identity", {"seq"}, {"y"}, "id");
    EXPECT_THAT(import_error(b), HasSubstr("input 'seq' is not a tensor"));
  }
}

TEST(OnnxErrors, ImpossibleAttributesNameTheNodeAndOp) {
  using N = proto::NodeProto;
  EXPECT_THAT(conv_error([](N& n) { attr(n, "strides", std::vector<std::int64_t>{0, 1}); }),
              HasSubstr("node 'conv' (Conv): strides [0, 1] must be positive"));
  EXPECT_THAT(conv_error([](N& n) { attr(n, "kernel_shape", std::vector<std::int64_t>{5, 5}); }),
              HasSubstr("node 'conv' (Conv): kernel_shape [5, 5] differs from the weight's [4, 3, 3, 3]"));
  EXPECT_THAT(conv_error([](N& n) { attr(n, "group", std::int64_t{2}); }),
              HasSubstr("node 'conv' (Conv): groups 2 must divide input channels 3"));
  EXPECT_THAT(conv_error([](N& n) { attr_s(n, "auto_pad", "SOMETIMES"); }),
              HasSubstr("node 'conv' (Conv): unknown auto_pad 'SOMETIMES'"));
  EXPECT_THAT(conv_error([](N&) {}, {4, 3, 9, 9}), HasSubstr("node 'conv' (Conv): kernel 9x9 (dilation 1x1) does not fit"));
  EXPECT_THAT(conv_error([](N& n) { attr(n, "pads", std::vector<std::int64_t>{1, 1}); }),
              HasSubstr("do not fit 2 spatial axes"));

  auto single = [](const std::string& op, auto edit, std::vector<std::string> extra_inputs = {}) {
    ModelBuilder b(13);
    b.input("x", {2, 3, 4}).output("y");
    std::vector<std::string> ins{"x"};
    ins.insert(ins.end(), extra_inputs.begin(), extra_inputs.end());
    auto& n = b.node(op, ins, {"y"}, "bad");
    edit(b, n);
    return import_error(b);
  };
  using B = ModelBuilder;
  EXPECT_THAT(single("Transpose", [](B&, N& n) { attr(n, "perm", std::vector<std::int64_t>{0, 0, 1}); }),
              HasSubstr("node 'bad' (Transpose): perm [0, 0, 1] is not a permutation"));
  EXPECT_THAT(single("Gather", [](B& b, N& n) { attr(n, "axis", std::int64_t{3}); b.ints("i", {0}); }, {"i"}),
              HasSubstr("node 'bad' (Gather): axis 3 is out of range for rank 3"));
  EXPECT_THAT(single("Gather", [](B& b, N&) { b.ints("i", {7}); }, {"i"}),
              HasSubstr("node 'bad' (Gather): index 7 is out of range for axis 0 of size 2"));
  EXPECT_THAT(single("Reshape", [](B& b, N&) { b.ints("s", {5, 5}); }, {"s"}),
              HasSubstr("node 'bad' (Reshape): cannot reshape [2, 3, 4] (24 elements) to [5, 5]"));
  EXPECT_THAT(single("Reshape", [](B& b, N&) { b.ints("s", {-1, -1}); }, {"s"}), HasSubstr("more than one -1"));
  EXPECT_THAT(single("Softmax", [](B&, N& n) { attr(n, "axis", std::int64_t{5}); }),
              HasSubstr("node 'bad' (Softmax): axis 5 is out of range"));
  EXPECT_THAT(single("Split", [](B& b, N& n) { attr(n, "axis", std::int64_t{1}); b.ints("s", {1, 1}); }, {"s"}),
              HasSubstr("node 'bad' (Split): split [1, 1] has 2 parts for 1 outputs"));
  EXPECT_THAT(single("Slice", [](B& b, N&) { b.ints("st", {0}).ints("en", {2}).ints("ax", {0}).ints("sp", {0}); },
                     {"st", "en", "ax", "sp"}),
              HasSubstr("node 'bad' (Slice): a slice step must not be 0"));
  EXPECT_THAT(single("Unsqueeze", [](B& b, N&) { b.ints("a", {9}); }, {"a"}),
              HasSubstr("node 'bad' (Unsqueeze): unsqueeze axis 9 is out of range"));
  EXPECT_THAT(single("Squeeze", [](B& b, N&) { b.ints("a", {1}); }, {"a"}),
              HasSubstr("node 'bad' (Squeeze): cannot squeeze axis 1 of [2, 3, 4]"));
  EXPECT_THAT(single("Expand", [](B& b, N&) { b.ints("s", {5, 4}); }, {"s"}),
              HasSubstr("node 'bad' (Expand): shapes [2, 3, 4] and [5, 4] do not broadcast"));
  EXPECT_THAT(single("MatMul", [](B& b, N&) { b.weight("w", {5, 6}); }, {"w"}),
              HasSubstr("node 'bad' (MatMul): inner dimensions differ: [2, 3, 4] . [5, 6]"));
  EXPECT_THAT(single("Add", [](B& b, N&) { b.weight("w", {5}); }, {"w"}),
              HasSubstr("node 'bad' (Add): shapes [2, 3, 4] and [5] do not broadcast"));
  EXPECT_THAT(single("Concat", [](B& b, N& n) { attr(n, "axis", std::int64_t{0}); b.weight("w", {2, 5, 4}); }, {"w"}),
              HasSubstr("node 'bad' (Concat): inputs [2, 3, 4] and [2, 5, 4] differ outside axis 0"));
  EXPECT_THAT(single("MaxPool", [](B&, N& n) { attr(n, "kernel_shape", std::vector<std::int64_t>{9}); }),
              HasSubstr("node 'bad' (MaxPool): window 1x9 does not fit input 1x4"));
  EXPECT_THAT(single("Resize", [](B& b, N& n) { attr_s(n, "mode", "magic"); b.floats("sc", {1, 1, 2}); }, {"", "sc"}),
              HasSubstr("node 'bad' (Resize): unknown mode 'magic'"));
  EXPECT_THAT(single("Resize", [](B& b, N&) { b.floats("sc", {1, -1, 2}); }, {"", "sc"}),
              HasSubstr("node 'bad' (Resize): scale -1 is impossible"));
  EXPECT_THAT(single("Pad", [](B& b, N&) { b.ints("p", {0, 0, 0, 0}); }, {"p"}),
              HasSubstr("node 'bad' (Pad): pads [0, 0, 0, 0] must hold two amounts for each of 3 axes"));
  EXPECT_THAT(single("Clip", [](B& b, N&) { b.floats("lo", {6}, true).floats("hi", {0}, true); }, {"lo", "hi"}),
              HasSubstr("node 'bad' (Clip): min 6 is larger than max 0"));
  EXPECT_THAT(single("Reshape", [](B&, N&) {}, {"x"}),
              HasSubstr("node 'bad' (Reshape): input 'x' (shape) must be known at import time, but it is computed at run time"));
  EXPECT_THAT(single("Cast", [](B&, N& n) { attr_f(n, "to", 1.0f); }), HasSubstr("node 'bad' (Cast): attribute 'to' must be an integer"));
}

TEST(OnnxErrors, BadTensorsInTheFile) {
  {
    ModelBuilder b(13);
    b.input("x", {2, 4}).output("y");
    auto* t = b.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(proto::TensorProto::FLOAT);
    t->add_dims(4);
    t->add_dims(3);
    t->mutable_raw_data()->assign(10, '\0');
    b.node("MatMul", {"x", "w"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr("initializer 'w': tensor 'w' [4, 3]: raw data has 10 bytes, expected 48"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {2, 4}).output("y");
    auto* t = b.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(proto::TensorProto::FLOAT);
    t->add_dims(-4);
    b.node("MatMul", {"x", "w"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr("tensor 'w' has a negative dimension -4"));
  }
  {
    ModelBuilder b(13);
    b.input("x", {2, 4}).output("y");
    auto* t = b.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(proto::TensorProto::FLOAT);
    for (int i = 0; i < 4; ++i) t->add_dims(std::int64_t{1} << 20);
    b.node("MatMul", {"x", "w"}, {"y"});
    EXPECT_THAT(import_error(b), AllOf(HasSubstr("initializer 'w'"), HasSubstr("overflow")));
  }
  {
    ModelBuilder b(13);
    b.input("x", {2, 4}).output("y");
    b.node("Constant", {}, {"c"}, "const");
    b.node("Add", {"x", "c"}, {"y"});
    EXPECT_THAT(import_error(b), HasSubstr("node 'const' (Constant): a Constant needs exactly one attribute"));
  }
}

// Found by the fuzzer (docs/WORKLOADS.md): names from the file may hold line breaks.
TEST(OnnxErrors, NamesWithControlCharactersStayOnOneLine) {
  ModelBuilder b(13);
  b.input("x", {1, 4}).output(std::string("Y\x12\n\x14"));
  b.node("Relu", {"x"}, {"y"}, "relu\nop");
  const std::string e = import_error(b);
  EXPECT_THAT(e, HasSubstr("graph output 'Y\\x12\\x0a\\x14' is produced by no node"));
  // In the graph too: op names are printable.
  ModelBuilder ok(13);
  ok.input("x", {1, 4}).output("y");
  ok.node("Relu", {"x"}, {"y"}, "relu\nop");
  EXPECT_EQ(ok.import().ops()[0].name, "relu\\x0aop");
}

TEST(OnnxErrors, ErrorsDoNotRepeatTheNodeName) {
  const std::string e = conv_error([](proto::NodeProto&) {}, {4, 3, 9, 9});
  EXPECT_THAT(e, Not(HasSubstr("(Conv): conv:")));
}

}  // namespace
}  // namespace npusim::workloads::onnx_test
