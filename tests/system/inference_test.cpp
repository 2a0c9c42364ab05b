// Inference on a tensor/pipeline-parallel group: iteration times by batch composition, the KV
// cache per chip, memoisation by shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system/inference.h"
#include "tests/error_of.h"

using namespace npusim;
using namespace npusim::system;
using ::testing::HasSubstr;

namespace {

SystemConfigPtr pod() {
  SystemRequest r;
  r.system = "dc-npu-pod";
  return load_system(r);
}

const workloads::LlmSpec kGpt = workloads::parse_gpt_spec("gpt:layers=8,hidden=256,heads=8,seq=512,vocab=4096");

}  // namespace

TEST(Inference, DecodeGrowsWithBatchAndContext) {
  InferencePlan plan;
  plan.tp = 2;
  InferenceGroup g(pod(), kGpt, plan);
  const double d1 = g.decode(1, 128).seconds;
  EXPECT_GT(g.decode(16, 128).seconds, d1);
  EXPECT_GT(g.decode(16, 512).seconds, g.decode(16, 128).seconds);
  EXPECT_GT(g.prefill(256).seconds, d1);
  EXPECT_GT(g.decode(4, 128).tp_comm_seconds, 0);
}

TEST(Inference, MixedBatchCostsItsPartsAndIsMemoised) {
  InferenceGroup g(pod(), kGpt, InferencePlan{});
  BatchComposition b;
  b.prefills = {{128, 0}, {64, 256}};
  b.decodes = {100, 200, 300};
  const IterationTime t = g.iteration(b);
  EXPECT_EQ(t.tokens, 128 + 64 + 3);
  EXPECT_GT(t.attention_seconds, 0);
  EXPECT_NEAR(t.seconds, t.compute_seconds + t.attention_seconds + t.tp_comm_seconds, 1e-15);
  const std::size_t shapes = g.distinct_shapes();
  EXPECT_DOUBLE_EQ(g.iteration(b).seconds, t.seconds);
  EXPECT_EQ(g.distinct_shapes(), shapes);
}

TEST(Inference, PipelineStagesAddTheirSends) {
  InferencePlan plan;
  plan.pp = 4;
  InferenceGroup g(pod(), kGpt, plan);
  const IterationTime t = g.prefill(128);
  EXPECT_GT(t.pp_comm_seconds, 0);
  EXPECT_LT(t.stage_seconds, t.seconds);
}

TEST(Inference, KvCachePerChip) {
  InferencePlan plan;
  plan.tp = 4;
  plan.pp = 2;
  InferenceGroup g(pod(), kGpt, plan);
  const KvCacheInfo k = g.kv_cache();
  // K and V, 4 of 8 layers, 2 of 8 heads of 32, bf16.
  EXPECT_DOUBLE_EQ(k.bytes_per_token, 2.0 * 4 * 2 * 32 * 2);
  EXPECT_GT(k.max_tokens, 0);
  EXPECT_LT(k.weight_bytes, k.capacity_bytes);
}

TEST(Inference, BadSplitsNameTheFlag) {
  InferencePlan plan;
  plan.pp = 3;
  EXPECT_THAT(testing_support::error_of([&] { InferenceGroup(pod(), kGpt, plan); }),
              HasSubstr("--pp 3: must divide the 8 layers"));
  plan.pp = 1, plan.tp = 3;
  EXPECT_THAT(testing_support::error_of([&] { InferenceGroup(pod(), kGpt, plan); }), HasSubstr("--tp 3"));
}
