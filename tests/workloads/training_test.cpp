// Training graphs: backward MACs and data, recomputation, the activations kept for the backward
// pass (against Korthikanti et al. 2022's counts, which must emerge from the graph), optimizer
// state and gradient accumulation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/error.h"
#include "tests/error_of.h"
#include "tests/workloads/graph_counts.h"
#include "workloads/models/llm.h"
#include "workloads/training.h"
#include "workloads/zoo.h"

using namespace npusim;
using namespace npusim::workloads;
using testing_support::count_ops;
using ::testing::HasSubstr;

namespace {

struct PhaseMacs {
  std::int64_t forward = 0, recompute = 0, backward = 0, optimizer = 0;
};

PhaseMacs macs_by_phase(const TrainingGraph& tg) {
  PhaseMacs m;
  for (std::size_t i = 0; i < tg.graph.ops().size(); ++i) {
    const std::int64_t x = tg.graph.op(i).macs;
    switch (tg.phase[i]) {
      case Phase::Forward: m.forward += x; break;
      case Phase::Recompute: m.recompute += x; break;
      case Phase::Backward: m.backward += x; break;
      case Phase::Optimizer: m.optimizer += x; break;
    }
  }
  return m;
}

Graph zoo(const std::string& name, std::int64_t batch = 1, std::int64_t seq = 0) {
  ModelParams p;
  p.batch = batch;
  p.seq = seq;
  p.dtype = DType::Bf16;
  return load_model(name, p);
}

}  // namespace

TEST(Training, LinearBackwardIsTwiceTheForwardButTheFirstInputGradient) {
  const Graph f = zoo("mlp", 4);
  const TrainingGraph tg = make_training_graph(f);
  ASSERT_EQ(tg.phase.size(), tg.graph.ops().size());
  const PhaseMacs m = macs_by_phase(tg);
  EXPECT_EQ(m.forward, f.total_macs());
  // wgrad of every layer, dgrad of every layer but the first (its input needs no gradient).
  const std::int64_t first = f.op(0).macs;
  EXPECT_EQ(m.backward, 2 * f.total_macs() - first);
  EXPECT_EQ(m.recompute, 0);
  EXPECT_EQ(tg.figures.params, f.total_params());
  EXPECT_EQ(count_ops(tg.graph, OpKind::OptimizerStep), 6);  // 3 weights, 3 biases
}

TEST(Training, ConvolutionGradientsAreImplicitGemmsOfTheirOwnShapes) {
  // wgrad: the forward's MACs. dgrad: a stride-1 convolution of dY over every input pixel
  // (N H W C F/g kh kw, the forward's MACs for "same" padding), or for strided convolutions a GEMM
  // into per-tap columns with the forward's MACs. No dgrad for conv1 (its input is the image).
  for (const char* name : {"resnet50", "mobilenetv2", "lenet5", "vgg16"}) {
    const Graph f = zoo(name, 2);
    const TrainingGraph tg = make_training_graph(f);
    std::map<std::string, std::int64_t> bw;
    for (std::size_t i = 0; i < tg.graph.ops().size(); ++i)
      if (tg.phase[i] == Phase::Backward) bw[tg.graph.op(i).name] = tg.graph.op(i).macs;
    int convs = 0;
    for (std::size_t i = 0; i < f.ops().size(); ++i) {
      const Op& op = f.op(i);
      if (op.kind != OpKind::Conv2d) continue;
      ++convs;
      const auto& a = op.as<Conv2dAttrs>();
      const Shape& x = f.tensor(op.inputs[0]).shape;
      const Shape& y = f.tensor(op.output).shape;
      EXPECT_EQ(bw.at(op.name + ".wgrad"), op.macs) << name << " " << op.name;
      if (i == 0) {
        EXPECT_EQ(bw.count(op.name + ".dgrad"), 0u);
        continue;
      }
      const std::int64_t dgrad = a.stride_h == 1 && a.stride_w == 1
                                     ? x[0] * x[2] * x[3] * x[1] * (y[1] / a.groups) * a.kh * a.kw
                                     : op.macs;
      EXPECT_EQ(bw.at(op.name + ".dgrad"), dgrad) << name << " " << op.name;
    }
    EXPECT_GT(convs, 0);
    EXPECT_EQ(tg.figures.params, f.total_params()) << name;
  }
}

TEST(Training, EveryZooModelHasATrainingGraph) {
  for (const ModelInfo& info : model_zoo()) {
    if (info.name.find("decode") != std::string::npos) continue;  // a KV-cached step is not trained
    if (find_llm(info.name)) continue;                            // full-size: covered below
    const TrainingGraph tg = make_training_graph(zoo(info.name, 1));
    const PhaseMacs m = macs_by_phase(tg);
    EXPECT_GT(m.backward, m.forward) << info.name;
    EXPECT_GT(count_ops(tg.graph, OpKind::OptimizerStep), 0) << info.name;
  }
  const TrainingGraph tg = make_training_graph(zoo("gpt:layers=2,hidden=64,heads=4,seq=32,vocab=512", 1));
  EXPECT_GT(macs_by_phase(tg).backward, 0);
}

TEST(Training, RecomputationRerunsTheForwardOrTheAttentionCore) {
  const Graph f = zoo("gpt:layers=2,hidden=64,heads=4,seq=32,vocab=512", 2);
  const PhaseMacs none = macs_by_phase(make_training_graph(f));
  TrainingOptions full;
  full.recompute = Recompute::Full;
  const PhaseMacs fm = macs_by_phase(make_training_graph(f, full));
  // Everything the backward pass needs is rerun: the whole forward but the loss-side softmax's
  // consumers (the LM head's output is only read by the loss softmax, itself recomputed).
  EXPECT_EQ(fm.recompute, f.total_macs());
  EXPECT_EQ(fm.backward, none.backward);
  TrainingOptions sel;
  sel.recompute = Recompute::Selective;
  const PhaseMacs sm = macs_by_phase(make_training_graph(f, sel));
  // Only Q.K^T: 2 layers x B x heads x S x S x head_dim.
  EXPECT_EQ(sm.recompute, 2 * 2 * 4 * 32 * 32 * 16);
}

TEST(Training, SavedActivationsMatchKorthikantiEtAl) {
  // Per transformer layer, 16-bit activations with dropout: s b h (34 + 5 a s / h) bytes without
  // parallelism; s b h (10 + 24 / t + 5 a s / (h t)) with tensor parallelism t; s b h (34 + 5 a s
  // / h) / t with sequence parallelism too; 34 s b h / t with selective recomputation; and only
  // the layer's input (2 s b h / t) with full recomputation.
  const LlmSpec m = parse_gpt_spec("gpt:layers=1,hidden=256,heads=8,seq=128");
  const std::int64_t s = 128, b = 2, h = 256, a = 8;
  LlmPass pass;
  pass.batch = b, pass.tokens = s;
  auto saved = [&](std::int32_t t, bool sp, Recompute r) {
    LlmShard sh;
    sh.tp = t, sh.sequence_parallel = sp;
    TrainingOptions o;
    o.recompute = r;
    o.input_grad = true;
    return make_training_graph(llm_blocks_graph(m, pass, sh, DType::Bf16), o).figures.saved_bytes;
  };
  EXPECT_EQ(saved(1, false, Recompute::None), s * b * h * 34 + 5 * a * s * s * b);
  for (std::int32_t t : {2, 4, 8}) {
    EXPECT_EQ(saved(t, false, Recompute::None), s * b * h * 10 + (s * b * h * 24 + 5 * a * s * s * b) / t) << t;
    EXPECT_EQ(saved(t, true, Recompute::None), (s * b * h * 34 + 5 * a * s * s * b) / t) << t;
    EXPECT_EQ(saved(t, true, Recompute::Selective), s * b * h * 34 / t) << t;
    EXPECT_EQ(saved(t, true, Recompute::Full), 2 * s * b * h / t) << t;
  }
}

TEST(Training, SequenceParallelGathersAgainInTheBackwardPass) {
  const LlmSpec m = parse_gpt_spec("gpt:layers=1,hidden=256,heads=8,seq=128");
  LlmPass pass;
  pass.tokens = 128;
  LlmShard sh;
  sh.tp = 4, sh.sequence_parallel = true;
  TrainingOptions o;
  o.input_grad = true;
  const TrainingGraph tg = make_training_graph(llm_blocks_graph(m, pass, sh, DType::Bf16), o);
  std::map<std::pair<Phase, CommKind>, int> n;
  for (std::size_t i = 0; i < tg.graph.ops().size(); ++i)
    if (tg.graph.op(i).kind == OpKind::Comm) ++n[{tg.phase[i], tg.graph.op(i).as<CommAttrs>().kind}];
  EXPECT_EQ((n[{Phase::Forward, CommKind::AllGather}]), 2);
  EXPECT_EQ((n[{Phase::Forward, CommKind::ReduceScatter}]), 2);
  EXPECT_EQ((n[{Phase::Recompute, CommKind::AllGather}]), 2);  // the wgrads need the gathered inputs
  EXPECT_EQ((n[{Phase::Backward, CommKind::AllGather}]), 2);   // conjugate of the reduce-scatters
  EXPECT_EQ((n[{Phase::Backward, CommKind::ReduceScatter}]), 2);
}

TEST(Training, TensorParallelConjugatesTheCollectives) {
  const LlmSpec m = parse_gpt_spec("gpt:layers=1,hidden=256,heads=8,seq=128");
  LlmShard sh;
  sh.tp = 2;
  TrainingOptions o;
  o.input_grad = true;
  LlmPass pass;
  pass.tokens = 128;
  const TrainingGraph tg = make_training_graph(llm_blocks_graph(m, pass, sh, DType::Bf16), o);
  int fwd_ar = 0, bwd_ar = 0;
  for (std::size_t i = 0; i < tg.graph.ops().size(); ++i) {
    const Op& op = tg.graph.op(i);
    if (op.kind != OpKind::Comm || op.as<CommAttrs>().kind != CommKind::AllReduce) continue;
    (tg.phase[i] == Phase::Forward ? fwd_ar : bwd_ar)++;
  }
  EXPECT_EQ(fwd_ar, 2);  // g after attention and MLP
  EXPECT_EQ(bwd_ar, 2);  // the backward of f before them
}

TEST(Training, MixedPrecisionAdamKeepsSixteenBytesPerParameter) {
  const Graph f = zoo("mlp", 2);
  const TrainingGraph tg = make_training_graph(f);
  EXPECT_TRUE(tg.figures.mixed_precision);
  EXPECT_EQ(tg.figures.weight_bytes_per_param + tg.figures.grad_bytes_per_param + tg.figures.optimizer_bytes_per_param, 16);
  std::int64_t state = 0;
  for (const Tensor& t : tg.graph.tensors())
    if (t.kind == TensorKind::State) state += t.bytes();
  EXPECT_EQ(state, 12 * f.total_params());  // master weights, m, v
  TrainingOptions sgd;
  sgd.optimizer = OptimizerKind::Sgd;
  sgd.fp32_grads = true;
  const TrainingGraph ts = make_training_graph(f, sgd);
  EXPECT_EQ(ts.figures.weight_bytes_per_param + ts.figures.grad_bytes_per_param + ts.figures.optimizer_bytes_per_param, 2 + 4 + 4);
}

TEST(Training, GradientAccumulationAddsIntoABuffer) {
  const Graph f = zoo("mlp", 2);
  TrainingOptions o;
  o.micro_batches = 4;
  const TrainingGraph tg = make_training_graph(f, o);
  int acc = 0;
  for (std::size_t i = 0; i < tg.graph.ops().size(); ++i)
    acc += tg.graph.op(i).name.ends_with(".grad.accumulate") && tg.phase[i] == Phase::Backward;
  EXPECT_EQ(acc, 6);
  PhaseSeconds p{1, 0, 2, 0.5};
  EXPECT_DOUBLE_EQ(p.step(4), 4 * 3 + 0.5);
}

TEST(Training, RefusesIntegerGraphs) {
  ModelParams p;
  p.dtype = DType::Int8;
  EXPECT_THAT(testing_support::error_of([&] { make_training_graph(load_model("mlp", p)); }),
              HasSubstr("training needs a floating-point datatype"));
}
