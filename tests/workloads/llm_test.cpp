// The full-size LLMs: parameter counts against the published figures, the gpt: spec, and the
// shards system/ builds (tensor, sequence and expert parallelism).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "tests/error_of.h"
#include "tests/workloads/graph_counts.h"
#include "workloads/models/llm.h"
#include "workloads/zoo.h"

using namespace npusim;
using namespace npusim::workloads;
using testing_support::count_ops;
using ::testing::HasSubstr;
using testing_support::error_of;

namespace {

}  // namespace

TEST(Llm, ParameterCountsMatchThePublishedFigures) {
  // The exact counts follow from each architecture (HF model cards list the same); the
  // published figures are rounded, so they must agree within 1%.
  const std::map<std::string, std::int64_t> exact = {
      {"llama2-7b", 6738415616},     {"llama2-13b", 13015864320},  {"llama2-70b", 68976648192},
      {"llama3-8b", 8030261248},     {"llama3-70b", 70553706496},  {"llama3-405b", 405853388800},
      {"bloom-176b", 176247271424},  {"mixtral-8x7b", 46702792704},
  };
  ASSERT_EQ(llm_specs().size(), 10u);
  for (const LlmSpec& s : llm_specs()) {
    ModelParams p;
    p.batch = 1;
    p.seq = 16;  // the count does not depend on it (learned position tables keep spec.seq rows)
    p.dtype = DType::Bf16;
    const Graph g = llm_graph(s, p);
    const double n = double(g.total_params());
    EXPECT_NEAR(n / s.published_params, 1.0, 0.01) << s.name << ": " << n;
    if (auto it = exact.find(s.name); it != exact.end()) {
      EXPECT_EQ(g.total_params(), it->second) << s.name;
    }
    EXPECT_NE(find_model(s.name), nullptr) << s.name << " is in the zoo";
  }
}

TEST(Llm, Gpt3MacsAreTwiceParamsPerTokenPlusAttention) {
  // Forward MACs of a GPT: per token 12 l h^2 (the blocks) + 2 l s h (scores and context, the
  // causal mask not exploited) + V h (LM head), as in Narayanan et al. 2021's 24 B s l h^2 (1 +
  // s / 6h + V / 16 l h) FLOPs per forward pass divided by 2.
  const LlmSpec s = parse_gpt_spec("gpt:layers=4,hidden=256,heads=8,seq=128,vocab=1024");
  ModelParams p;
  p.batch = 2;
  p.dtype = DType::Bf16;
  const Graph g = llm_graph(s, p);
  const std::int64_t B = 2, S = 128, L = 4, H = 256, V = 1024;
  EXPECT_EQ(g.total_macs(), B * S * (12 * L * H * H + 2 * L * S * H + V * H));
}

TEST(Llm, GptSpecErrorsNameTheField) {
  EXPECT_THAT(error_of([] { parse_gpt_spec("gpt:layers=2,hidden=64,heads=3,seq=16"); }),
              HasSubstr("heads=3 must divide hidden=64"));
  EXPECT_THAT(error_of([] { parse_gpt_spec("gpt:layers=2,hidden=64,seq=16"); }), HasSubstr("heads= is required"));
  EXPECT_THAT(error_of([] { parse_gpt_spec("gpt:layers=2,hidden=64,heads=4,seq=0"); }),
              HasSubstr("seq must be a positive integer, got '0'"));
  EXPECT_THAT(error_of([] { parse_gpt_spec("gpt:layers=2,hidden=64,heads=4,seq=8,depth=3"); }),
              HasSubstr("'depth=3' is not one of"));
  const LlmSpec s = parse_gpt_spec("gpt:layers=2,hidden=64,heads=4,seq=16,ffn=100,vocab=500");
  EXPECT_EQ(s.ffn, 100);
  EXPECT_EQ(s.vocab, 500);
  EXPECT_EQ(parse_gpt_spec("gpt:layers=2,hidden=64,heads=4,seq=16").ffn, 256);
  ModelParams p;
  p.dtype = DType::Bf16;
  EXPECT_EQ(load_model("gpt:layers=2,hidden=64,heads=4,seq=16", p).total_params(),
            llm_graph(parse_gpt_spec("gpt:layers=2,hidden=64,heads=4,seq=16"), p).total_params());
}

TEST(Llm, TensorParallelShardHoldsItsShareOfTheBlock) {
  const LlmSpec& m = *find_llm("llama2-70b");
  LlmPass pass;
  pass.batch = 1, pass.tokens = 64;
  const Graph whole = llm_blocks_graph(m, pass, {}, DType::Bf16);
  for (std::int32_t tp : {2, 8, 16}) {
    LlmShard s;
    s.tp = tp;
    const Graph g = llm_blocks_graph(m, pass, s, DType::Bf16);
    // Linear layers split t ways (key/value heads replicated once t exceeds their 8); norms not.
    const std::int64_t kv_local = std::max<std::int64_t>(1, 8 / tp) * 128;
    const std::int64_t expect = (8192 * 8192 / tp) * 2 + 8192 * kv_local * 2 + 3 * 8192 * (28672 / tp) + 2 * 8192;
    EXPECT_EQ(g.total_params(), expect) << tp;
    EXPECT_LT(g.total_macs(), whole.total_macs());
    EXPECT_EQ(count_ops(g, OpKind::Comm), 4);  // identity and all-reduce around attention and MLP
  }
  EXPECT_EQ(count_ops(whole, OpKind::Comm), 0);
}

TEST(Llm, SequenceParallelNormsRunOnAShareOfTheTokens) {
  const LlmSpec s = parse_gpt_spec("gpt:layers=1,hidden=128,heads=8,seq=64");
  LlmPass pass;
  pass.tokens = 64;
  LlmShard sh;
  sh.tp = 4, sh.sequence_parallel = true;
  const Graph g = llm_blocks_graph(s, pass, sh, DType::Bf16);
  EXPECT_EQ(g.tensor(0).name, "hidden_states");
  EXPECT_EQ(g.tensor(0).shape, (Shape{1, 16, 128}));
  for (const Op& op : g.ops()) {
    if (op.kind == OpKind::Norm) {
      EXPECT_EQ(g.tensor(op.output).shape[1], 16) << op.name;
    }
  }
}

TEST(Llm, ShardErrorsNameTheFlagAndTheValue) {
  const LlmSpec& m = *find_llm("gpt3-175b");
  LlmPass pass;
  LlmShard s;
  s.tp = 5;
  EXPECT_THAT(error_of([&] { check_shard(m, pass, s); }), HasSubstr("--tp 5: must divide the 96 attention heads"));
  s.tp = 1, s.ep = 2;
  EXPECT_THAT(error_of([&] { check_shard(m, pass, s); }), HasSubstr("--ep 2: gpt3-175b has no experts"));
  EXPECT_THAT(error_of([&] { check_shard(*find_llm("mixtral-8x7b"), pass, LlmShard{1, false, 3}); }),
              HasSubstr("--ep 3: must divide the 8 experts"));
}

TEST(Llm, ExpertParallelShardKeepsItsExpertsAndExchangesTokens) {
  const LlmSpec& m = *find_llm("mixtral-8x7b");
  LlmPass pass;
  pass.batch = 2, pass.tokens = 32;
  const Graph one = llm_blocks_graph(m, pass, {}, DType::Bf16);
  const Graph four = llm_blocks_graph(m, pass, LlmShard{1, false, 4}, DType::Bf16);
  const std::int64_t expert = 3 * 4096 * 14336;
  EXPECT_EQ(one.total_params() - four.total_params(), 6 * expert);  // 8 experts, then 2
  EXPECT_EQ(count_ops(four, OpKind::Comm), 2);                     // dispatch and combine all-to-alls
  // Balanced routing: every chip computes k tokens' worth of expert FFN per token.
  EXPECT_EQ(one.total_macs(), four.total_macs());
}
