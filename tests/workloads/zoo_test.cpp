// The model zoo: every model builds, reproduces its published MACs / parameter counts, scales
// with batch and context as it should; and --model resolution (zoo name, gemm:M,N,K, CSV file).
#include "workloads/zoo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

#include "base/error.h"
#include "tests/error_of.h"
#include "tests/workloads/graph_counts.h"

namespace npusim::workloads {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const char* const kZooNames[] = {"resnet50",     "mobilenetv2",           "vgg16",
                                 "bert-base",    "gpt2-prefill",          "gpt2-decode",
                                 "llama7b-layer-prefill", "llama7b-layer-decode", "vit-b16", "mlp", "lenet5",
                                 "gpt3-175b", "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b",
                                 "llama3-405b", "mtnlg-530b", "bloom-176b", "mixtral-8x7b"};

using testing_support::count_ops;
using testing_support::count_tensors;
using testing_support::error_of;

Graph build(const std::string& name, std::int64_t batch = 1, std::int64_t seq = 0, DType dt = DType::Int8) {
  const ModelInfo* m = find_model(name);
  if (!m) throw std::runtime_error("no model " + name);
  return m->build(ModelParams{batch, seq, dt, {}});
}

int count_eltwise(const Graph& g, EltFn fn) {
  int n = 0;
  for (const Op& op : g.ops()) n += op.kind == OpKind::Elementwise && op.as<EltwiseAttrs>().fn == fn;
  return n;
}

const Op* find_op(const Graph& g, const std::string& name) {
  for (const Op& op : g.ops())
    if (op.name == name) return &op;
  return nullptr;
}


// ---------------------------------------------------------------- the zoo itself

TEST(Zoo, HasExactlyTheStableNames) {
  std::set<std::string> names;
  for (const ModelInfo& m : model_zoo()) names.insert(m.name);
  EXPECT_EQ(names, std::set<std::string>(std::begin(kZooNames), std::end(kZooNames)));
  EXPECT_EQ(model_zoo().size(), std::size(kZooNames));
}

TEST(Zoo, FindModelFindsEveryName) {
  for (const char* name : kZooNames) {
    const ModelInfo* m = find_model(name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->name, name);
    EXPECT_FALSE(m->description.empty()) << name;
    EXPECT_EQ(m->description.find('\n'), std::string::npos) << name << ": description must be one line";
    EXPECT_TRUE(static_cast<bool>(m->build)) << name;
  }
  EXPECT_EQ(find_model("resnet"), nullptr);
  EXPECT_EQ(find_model("ResNet50"), nullptr);
  EXPECT_EQ(find_model(""), nullptr);
}

TEST(Zoo, SequenceMetadata) {
  struct Expect {
    const char* name;
    bool uses_seq;
    std::int64_t default_seq;
  };
  for (const Expect& e : {Expect{"resnet50", false, 0}, Expect{"mobilenetv2", false, 0}, Expect{"vgg16", false, 0},
                          Expect{"vit-b16", false, 0}, Expect{"mlp", false, 0}, Expect{"lenet5", false, 0},
                          Expect{"bert-base", true, 128},
                          Expect{"gpt2-prefill", true, 1024}, Expect{"gpt2-decode", true, 1024},
                          Expect{"llama7b-layer-prefill", true, 2048}, Expect{"llama7b-layer-decode", true, 2048}}) {
    const ModelInfo* m = find_model(e.name);
    ASSERT_NE(m, nullptr) << e.name;
    EXPECT_EQ(m->uses_seq, e.uses_seq) << e.name;
    EXPECT_EQ(m->default_seq, e.default_seq) << e.name;
    EXPECT_EQ(m->seq_meaning.empty(), !e.uses_seq) << e.name;
  }
}

TEST(Zoo, EveryModelBuildsAtBatch1And4) {
  for (const ModelInfo& m : model_zoo()) {
    for (std::int64_t batch : {1, 4}) {
      SCOPED_TRACE(m.name + " batch " + std::to_string(batch));
      Graph g = m.build(ModelParams{batch, 0, DType::Int8, {}});
      EXPECT_EQ(g.name(), m.name);
      EXPECT_FALSE(g.ops().empty());
      EXPECT_FALSE(g.outputs().empty());
      EXPECT_GT(g.total_macs(), 0);
      EXPECT_GT(g.total_params(), 0);
      // Every input's leading dimension is the batch (except per-sequence tables such as
      // position ids and RoPE tables, which are shared across the batch).
      bool batched_input = false;
      for (const Tensor& t : g.tensors())
        if (t.kind == TensorKind::Input && t.shape.front() == batch && t.shape.size() >= 2) batched_input = true;
      EXPECT_TRUE(batched_input);
    }
  }
}

// ---------------------------------------------------------------- published figures

void expect_within(const char* what, double actual, double published, double tolerance = 0.02) {
  EXPECT_LE(std::abs(actual - published), tolerance * published)
      << what << ": " << actual << " vs published " << published;
}

TEST(ZooFigures, MatchPublishedMacsAndParams) {
  struct Figure {
    const char* name;
    double macs;    // 0 = not checked
    double params;
  };
  for (const Figure& f : {Figure{"resnet50", 4.09e9, 25.557e6}, Figure{"vgg16", 15.47e9, 138.36e6},
                          Figure{"mobilenetv2", 0.300e9, 3.50e6}, Figure{"bert-base", 0, 109.5e6},
                          Figure{"gpt2-prefill", 0, 124.4e6}, Figure{"gpt2-decode", 0, 124.4e6},
                          Figure{"vit-b16", 17.56e9, 86.6e6}}) {
    SCOPED_TRACE(f.name);
    Graph g = build(f.name);
    if (f.macs > 0) expect_within("MACs", static_cast<double>(g.total_macs()), f.macs);
    expect_within("params", static_cast<double>(g.total_params()), f.params);
  }
}

TEST(ZooFigures, ExactParameterCounts) {
  // Reference implementations' counts (torchvision / Hugging Face / timm), where no BatchNorm is
  // folded away.
  EXPECT_EQ(build("vgg16").total_params(), 138'357'544);
  EXPECT_EQ(build("bert-base").total_params(), 109'482'240);
  EXPECT_EQ(build("gpt2-prefill").total_params(), 124'439'808);
  EXPECT_EQ(build("gpt2-decode").total_params(), 124'439'808);
  EXPECT_EQ(build("vit-b16").total_params(), 86'567'656);
  EXPECT_EQ(build("mlp").total_params(), 1024 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1024 + 1024);
  // LeNet-5 with full C3 connectivity: 156 + 2,416 + 48,120 + 10,164 + 850
  EXPECT_EQ(build("lenet5").total_params(), 61'706);
  EXPECT_EQ(build("lenet5").total_macs(), 117'600 + 240'000 + 48'000 + 10'080 + 840);
  // torchvision's 25,557,032 includes 53,120 BatchNorm scale/shift values, folded here.
  EXPECT_EQ(build("resnet50").total_params(), 25'557'032 - 53'120);
}

TEST(ZooFigures, Llama7bLayerParamsExact) {
  const std::int64_t expected = 4LL * 4096 * 4096 + 3LL * 4096 * 11008 + 2 * 4096;
  ASSERT_EQ(expected, 202'383'360);
  EXPECT_EQ(build("llama7b-layer-prefill").total_params(), expected);
  EXPECT_EQ(build("llama7b-layer-decode").total_params(), expected);
  EXPECT_EQ(build("llama7b-layer-decode", 4, 100).total_params(), expected);
}

TEST(ZooFigures, Llama7bPrefillMacs) {
  // Per token: the weights (less the norms) once; attention: 2 * seq * hidden per token.
  const std::int64_t s = 512;
  const std::int64_t weights = 4LL * 4096 * 4096 + 3LL * 4096 * 11008;
  EXPECT_EQ(build("llama7b-layer-prefill", 1, s).total_macs(), s * weights + 2 * s * s * 4096);
}

// ---------------------------------------------------------------- scaling

TEST(ZooScaling, MacsScaleLinearlyWithBatch) {
  for (const char* name : {"resnet50", "mobilenetv2", "vgg16", "vit-b16", "mlp", "bert-base", "gpt2-decode",
                           "llama7b-layer-decode"}) {
    SCOPED_TRACE(name);
    const std::int64_t one = build(name, 1).total_macs();
    EXPECT_EQ(build(name, 4).total_macs(), 4 * one);
    EXPECT_EQ(build(name, 3).total_macs(), 3 * one);
    EXPECT_EQ(build(name, 4).total_params(), build(name, 1).total_params());
  }
}

TEST(ZooScaling, DecodeMacsGrowWithContext) {
  // Llama decode: each cached token adds 2 * heads * head_dim MACs (one in Q.K^T, one in P.V).
  const std::int64_t l1 = build("llama7b-layer-decode", 1, 1000).total_macs();
  const std::int64_t l2 = build("llama7b-layer-decode", 1, 3000).total_macs();
  EXPECT_GT(l2, l1);
  EXPECT_EQ(l2 - l1, 2000 * 2 * 32 * 128);
  // GPT-2 decode: 12 layers of 12 heads x 64.
  const std::int64_t g1 = build("gpt2-decode", 2, 256).total_macs();
  const std::int64_t g2 = build("gpt2-decode", 2, 1024).total_macs();
  EXPECT_EQ(g2 - g1, 2 * 768 * 12 * 2 * 12 * 64);
  EXPECT_EQ(build("gpt2-decode").total_macs(), build("gpt2-decode", 1, 1024).total_macs());
}

TEST(ZooScaling, PrefillSeqChangesTheWork) {
  EXPECT_LT(build("bert-base", 1, 64).total_macs(), build("bert-base").total_macs());
  EXPECT_EQ(build("bert-base").total_macs(), build("bert-base", 1, 128).total_macs());
  EXPECT_LT(build("gpt2-prefill", 1, 128).total_macs(), build("gpt2-prefill").total_macs());
}

// ---------------------------------------------------------------- structure

TEST(ZooStructure, Resnet50) {
  Graph g = build("resnet50", 2);
  EXPECT_EQ(count_ops(g, OpKind::Conv2d), 53);  // 1 + 16 blocks x 3 + 4 projection shortcuts
  EXPECT_EQ(count_ops(g, OpKind::MatMul), 1);
  EXPECT_EQ(count_ops(g, OpKind::Norm), 0);     // BatchNorm folded
  EXPECT_EQ(count_eltwise(g, EltFn::Add), 16);  // one residual per bottleneck
  EXPECT_EQ(count_eltwise(g, EltFn::Relu), 49);
  const Op* c = find_op(g, "layer3.2.conv2");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(g.tensor(c->output).shape, (Shape{2, 256, 14, 14}));
  // v1.5: the stride is in the 3x3 conv of the first block of a stage.
  const Op* s = find_op(g, "layer2.0.conv2");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->as<Conv2dAttrs>().stride_h, 2);
  EXPECT_EQ(find_op(g, "layer2.0.conv1")->as<Conv2dAttrs>().stride_h, 1);
  EXPECT_FALSE(find_op(g, "layer1.0.conv1")->as<Conv2dAttrs>().bias);
  EXPECT_NE(find_op(g, "layer4.0.downsample"), nullptr);
  EXPECT_EQ(find_op(g, "layer4.1.downsample"), nullptr);
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{2, 1000}));
}

TEST(ZooStructure, MobileNetV2) {
  Graph g = build("mobilenetv2");
  int depthwise = 0;
  for (const Op& op : g.ops()) {
    if (op.kind != OpKind::Conv2d) continue;
    const std::int64_t c = g.tensor(op.inputs[0]).shape[1];
    if (op.as<Conv2dAttrs>().groups == c && c > 1) {
      ++depthwise;
      // groups = channels: the MACs carry one input channel per filter.
      const Shape& o = g.tensor(op.output).shape;
      EXPECT_EQ(op.macs, o[0] * o[1] * o[2] * o[3] * 9) << op.name;
    }
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(count_ops(g, OpKind::Conv2d), 52);
  EXPECT_EQ(count_eltwise(g, EltFn::Add), 10);
  EXPECT_EQ(count_eltwise(g, EltFn::Relu6), 35);
  EXPECT_EQ(g.tensor(find_op(g, "features.18.conv")->output).shape, (Shape{1, 1280, 7, 7}));
}

TEST(ZooStructure, Vgg16) {
  Graph g = build("vgg16");
  EXPECT_EQ(count_ops(g, OpKind::Conv2d), 13);
  EXPECT_EQ(count_ops(g, OpKind::MatMul), 3);
  EXPECT_EQ(count_ops(g, OpKind::Pool), 5);
  EXPECT_EQ(count_eltwise(g, EltFn::Relu), 15);
  EXPECT_EQ(g.tensor(find_op(g, "pool5")->output).shape, (Shape{1, 512, 7, 7}));
}

TEST(ZooStructure, BertBase) {
  Graph g = build("bert-base", 2, 64);
  EXPECT_EQ(count_ops(g, OpKind::Embedding), 3);
  EXPECT_EQ(count_ops(g, OpKind::Norm), 1 + 12 * 2);
  EXPECT_EQ(count_ops(g, OpKind::Softmax), 12);
  EXPECT_EQ(count_ops(g, OpKind::BatchedMatMul), 12 * 2 + 1);  // QK^T, PV, [CLS] gather
  EXPECT_EQ(count_eltwise(g, EltFn::Gelu), 12);
  const Op* scores = find_op(g, "layer11.attn.scores");
  ASSERT_NE(scores, nullptr);
  EXPECT_EQ(g.tensor(scores->output).shape, (Shape{2, 12, 64, 64}));
  EXPECT_TRUE(scores->as<BatchedMatMulAttrs>().transpose_b);
  const Op* pooler = find_op(g, "pooler.dense");
  ASSERT_NE(pooler, nullptr);
  EXPECT_EQ(g.tensor(pooler->output).shape, (Shape{2, 1, 768}));
}

TEST(ZooStructure, Gpt2LmHeadIsTiedAndOnTheLastToken) {
  Graph g = build("gpt2-prefill", 2, 256);
  const Op* head = find_op(g, "lm_head");
  const Op* emb = find_op(g, "embed.tokens");
  ASSERT_NE(head, nullptr);
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(head->inputs[1], emb->inputs[1]);  // the same weight tensor
  EXPECT_EQ(g.tensor(head->output).shape, (Shape{2, 1, 50257}));
  EXPECT_EQ(head->macs, 2 * 768 * 50257);
  EXPECT_EQ(count_ops(g, OpKind::Norm), 12 * 2 + 1);
  EXPECT_EQ(g.tensor(find_op(g, "layer0.attn.scores")->output).shape, (Shape{2, 12, 256, 256}));
  EXPECT_EQ(count_tensors(g, TensorKind::KvCache), 0);
}

TEST(ZooStructure, Gpt2DecodeUsesAKvCache) {
  Graph g = build("gpt2-decode", 3, 500);
  EXPECT_EQ(count_tensors(g, TensorKind::KvCache), 24);
  for (const Tensor& t : g.tensors())
    if (t.kind == TensorKind::KvCache) {
      EXPECT_EQ(t.shape, (Shape{3, 12, 500, 64})) << t.name;
    }
  EXPECT_EQ(g.tensor(find_op(g, "layer5.attn.k.append")->output).shape, (Shape{3, 12, 501, 64}));
  EXPECT_EQ(g.tensor(find_op(g, "layer5.attn.scores")->output).shape, (Shape{3, 12, 1, 501}));
  EXPECT_EQ(g.tensor(find_op(g, "lm_head")->output).shape, (Shape{3, 1, 50257}));
}

TEST(ZooStructure, Llama7bLayer) {
  Graph g = build("llama7b-layer-prefill", 1, 256);
  EXPECT_EQ(count_ops(g, OpKind::Embedding), 0);
  int rms = 0;
  for (const Op& op : g.ops()) {
    if (op.kind == OpKind::Norm) {
      EXPECT_EQ(op.as<NormAttrs>().fn, NormFn::RmsNorm);
      ++rms;
    }
  }
  EXPECT_EQ(rms, 2);
  for (const Tensor& t : g.tensors())
    if (t.kind == TensorKind::Weight) {
      EXPECT_EQ(t.name.find(".bias"), std::string::npos) << t.name;
    }
  EXPECT_EQ(count_eltwise(g, EltFn::Silu), 1);
  for (const char* name : {"layer0.mlp.gate", "layer0.mlp.up", "layer0.mlp.down", "layer0.attn.q.rope",
                           "layer0.attn.k.rope", "layer0.mlp.mul"})
    EXPECT_NE(find_op(g, name), nullptr) << name;
  // RoPE multiplies Q and K (cos and sin terms) and rotates nothing else.
  EXPECT_EQ(count_eltwise(g, EltFn::Mul), 4 + 1);
  EXPECT_EQ(g.tensor(find_op(g, "layer0.attn.scores")->output).shape, (Shape{1, 32, 256, 256}));
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{1, 256, 4096}));

  Graph d = build("llama7b-layer-decode", 2, 700);
  EXPECT_EQ(count_tensors(d, TensorKind::KvCache), 2);
  EXPECT_EQ(d.tensor(find_op(d, "layer0.attn.scores")->output).shape, (Shape{2, 32, 1, 701}));
}

TEST(ZooStructure, VitB16) {
  Graph g = build("vit-b16", 2);
  EXPECT_EQ(g.tensor(find_op(g, "tokens")->output).shape, (Shape{2, 197, 768}));
  EXPECT_EQ(g.tensor(find_op(g, "head")->output).shape, (Shape{2, 1, 1000}));
  EXPECT_EQ(count_ops(g, OpKind::Norm), 12 * 2 + 1);
  const Op* patch = find_op(g, "patch_embed");
  ASSERT_NE(patch, nullptr);
  EXPECT_EQ(patch->as<Conv2dAttrs>().stride_h, 16);
  EXPECT_EQ(g.tensor(patch->output).shape, (Shape{2, 768, 14, 14}));
}

TEST(ZooStructure, DtypeIsApplied) {
  Graph g = build("mlp", 2, 0, DType::Bf16);
  EXPECT_EQ(g.dtype(), DType::Bf16);
  for (const Tensor& t : g.tensors()) EXPECT_EQ(t.dtype, DType::Bf16) << t.name;
}

// ---------------------------------------------------------------- bad parameters

TEST(ZooParams, RejectsBadBatchAndSeq) {
  EXPECT_THAT(error_of([] { build("resnet50", 0); }), HasSubstr("model resnet50: batch must be >= 1, got 0"));
  EXPECT_THAT(error_of([] { build("bert-base", -3); }), HasSubstr("model bert-base: batch must be >= 1, got -3"));
  EXPECT_THAT(error_of([] { build("gpt2-decode", 1, -1); }), AllOf(HasSubstr("model gpt2-decode: seq"), HasSubstr("got -1")));
  EXPECT_THAT(error_of([] { build("bert-base", 1, 513); }), AllOf(HasSubstr("bert-base"), HasSubstr("got 513")));
  EXPECT_THAT(error_of([] { build("gpt2-prefill", 1, 2048); }), AllOf(HasSubstr("gpt2-prefill"), HasSubstr("got 2048")));
  EXPECT_THAT(error_of([] { load_model("mlp", ModelParams{0, 0, DType::Int8, {}}); }), HasSubstr("model mlp: batch"));
}

// ---------------------------------------------------------------- load_model

TEST(LoadModel, ZooNameWithParams) {
  Graph g = load_model("resnet50", ModelParams{3, 0, DType::Fp16, {}});
  EXPECT_EQ(g.name(), "resnet50");
  EXPECT_EQ(g.dtype(), DType::Fp16);
  EXPECT_EQ(g.tensor(g.outputs().front()).shape, (Shape{3, 1000}));
  EXPECT_EQ(load_model("llama7b-layer-decode", ModelParams{1, 64, DType::Int8, {}}).total_macs(),
            build("llama7b-layer-decode", 1, 64).total_macs());
}

TEST(LoadModel, UnknownNameListsTheZoo) {
  const std::string msg = error_of([] { load_model("resnet-50", ModelParams{}); });
  EXPECT_THAT(msg, HasSubstr("unknown model 'resnet-50'"));
  for (const char* name : kZooNames) EXPECT_THAT(msg, HasSubstr(name));
  EXPECT_THAT(msg, HasSubstr("readable file"));
  EXPECT_THAT(error_of([] { load_model("", ModelParams{}); }), HasSubstr("unknown model ''"));
  EXPECT_THAT(error_of([] { load_model("/no/such/dir/layers.csv", ModelParams{}); }),
              HasSubstr("unknown model '/no/such/dir/layers.csv'"));
}

TEST(LoadModel, GemmSpec) {
  Graph g = load_model("gemm:64,128,256", ModelParams{7, 0, DType::Bf16, {}});
  EXPECT_EQ(g.name(), "gemm_64x128x256");
  ASSERT_EQ(g.ops().size(), 1u);
  EXPECT_EQ(g.op(0).kind, OpKind::MatMul);
  EXPECT_EQ(g.total_macs(), 64 * 128 * 256);
  EXPECT_EQ(g.total_params(), 256 * 128);
  EXPECT_EQ(g.tensor(g.op(0).inputs[0]).shape, (Shape{64, 256}));  // batch does not apply
  EXPECT_EQ(g.tensor(g.op(0).output).shape, (Shape{64, 128}));
  EXPECT_EQ(g.dtype(), DType::Bf16);
  EXPECT_EQ(load_model("gemm:1,1,1", ModelParams{}).total_macs(), 1);
}

TEST(LoadModel, GemmSpecErrors) {
  for (const char* bad : {"gemm:", "gemm:1,2", "gemm:1,2,3,4", "gemm:0,2,3", "gemm:1,-2,3", "gemm:1,2,x",
                          "gemm:1.5,2,3", "gemm:1,,3", "gemm: 1,2,3", "gemm:1,2,3,", "gemm:99999999999999999999,1,1"}) {
    SCOPED_TRACE(bad);
    const std::string msg = error_of([&] { load_model(bad, ModelParams{}); });
    EXPECT_THAT(msg, AllOf(HasSubstr(std::string("--model ") + bad + ":"),
                           HasSubstr("expected gemm:M,N,K with positive integers, got '")));
  }
  EXPECT_THAT(error_of([] { load_model("gemm:0,2,3", ModelParams{}); }), HasSubstr("got '0'"));
  EXPECT_THAT(error_of([] { load_model("gemm:1,2", ModelParams{}); }), HasSubstr("got '1,2'"));
}

TEST(LoadModel, ScaleSimFileByPath) {
  const std::string path = ::testing::TempDir() + "/zoo_test_layers.csv";
  {
    std::ofstream f(path);
    f << "Layer, M, N, K,\nfc1, 8, 16, 32,\nfc2, 8, 4, 16,\n";
  }
  Graph g = load_model(path, ModelParams{});
  EXPECT_EQ(g.name(), "zoo_test_layers");
  EXPECT_EQ(g.ops().size(), 2u);
  EXPECT_EQ(g.total_macs(), 8 * 16 * 32 + 8 * 4 * 16);
  std::remove(path.c_str());
}

TEST(LoadModel, ScaleSimFileInTheRepository) {
  const std::string path = std::string(NPUSIM_SOURCE_DIR) + "/tests/workloads/data/scalesim_conv_quirks.csv";
  Graph g = load_model(path, ModelParams{2, 0, DType::Int8, {}});
  EXPECT_EQ(g.name(), "scalesim_conv_quirks");
  EXPECT_EQ(g.ops().size(), 5u);
  EXPECT_EQ(g.tensor(g.op(0).inputs[0]).shape, (Shape{2, 3, 224, 224}));
}

TEST(LoadModel, ZooNameWinsOverSpecPrefixes) {
  // Names that look like neither a gemm spec nor a file still resolve through the zoo first.
  for (const char* name : kZooNames) EXPECT_EQ(load_model(name, ModelParams{}).name(), name);
}

}  // namespace
}  // namespace npusim::workloads
