// The parallel training step: pipeline bubbles that emerge from the schedules played, memory per
// chip against ZeRO's and Megatron's accounting, data-parallel overlap, placement, and the
// errors a user gets for impossible splits.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system/pipeline.h"
#include "system/training.h"
#include "tests/error_of.h"

using namespace npusim;
using namespace npusim::system;
using ::testing::HasSubstr;
using testing_support::error_of;

namespace {

PipelineInput uniform(PipelineSchedule s, std::int32_t p, std::int64_t m, std::int32_t v, double tf, double tb) {
  PipelineInput in;
  in.schedule = s;
  in.stages = p;
  in.micro_batches = m;
  in.chunks = v;
  in.fwd.assign(static_cast<std::size_t>(p * v), tf);
  in.bwd.assign(static_cast<std::size_t>(p * v), tb);
  in.send_fwd.assign(static_cast<std::size_t>(p * v), 0);
  in.send_bwd.assign(static_cast<std::size_t>(p * v), 0);
  return in;
}

double end_of(const std::vector<StagePlay>& play) {
  double e = 0;
  for (const auto& s : play) e = std::max(e, s.end);
  return e;
}

SystemConfigPtr pod(std::vector<std::string> sets = {}, std::vector<std::string> arch_sets = {}) {
  SystemRequest r;
  r.system = "dc-npu-pod";
  r.sets = std::move(sets);
  r.arch_sets = std::move(arch_sets);
  return load_system(r);
}

const workloads::LlmSpec kGpt = workloads::parse_gpt_spec("gpt:layers=8,hidden=256,heads=8,seq=128,vocab=4096");

}  // namespace

TEST(Pipeline, BubbleOfGpipeAnd1f1bIsPMinusOneOverM) {
  for (PipelineSchedule s : {PipelineSchedule::GPipe, PipelineSchedule::OneFOneB})
    for (std::int32_t p : {1, 2, 4, 8})
      for (std::int64_t m : {1, 4, 8, 32}) {
        const auto play = play_pipeline(uniform(s, p, m, 1, 1.0, 2.0));
        const double ideal = double(m) * 3.0;
        EXPECT_DOUBLE_EQ(end_of(play), ideal * (1.0 + double(p - 1) / double(m))) << name_of(s) << p << " " << m;
        EXPECT_DOUBLE_EQ(play.front().bubble, double(p - 1) * 3.0);
      }
}

TEST(Pipeline, InterleavedBubbleShrinksByTheChunks) {
  // v chunks per stage, each a v-th of the model: bubble (p - 1) / (v m) of the ideal time.
  for (std::int32_t v : {2, 3, 4})
    for (std::int32_t p : {2, 4})
      for (std::int64_t m : {4, 8, 16}) {
        const auto play = play_pipeline(uniform(PipelineSchedule::Interleaved, p, m, v, 1.0 / v, 2.0 / v));
        const double ideal = double(m) * 3.0;
        EXPECT_NEAR(end_of(play), ideal * (1.0 + double(p - 1) / (double(v) * double(m))), 1e-9)
            << "v=" << v << " p=" << p << " m=" << m;
      }
}

TEST(Pipeline, MicroBatchesInFlightFollowTheSchedule) {
  const auto gpipe = play_pipeline(uniform(PipelineSchedule::GPipe, 4, 16, 1, 1, 2));
  const auto ofob = play_pipeline(uniform(PipelineSchedule::OneFOneB, 4, 16, 1, 1, 2));
  EXPECT_EQ(gpipe.front().max_in_flight, 16);  // every micro-batch
  for (std::int32_t s = 0; s < 4; ++s) EXPECT_EQ(ofob[static_cast<std::size_t>(s)].max_in_flight, 4 - s);
}

TEST(Pipeline, SendsThatDoNotOverlapAreExposed) {
  PipelineInput in = uniform(PipelineSchedule::OneFOneB, 2, 1, 1, 1, 2);
  in.send_fwd[1] = 0.5;
  in.send_bwd[0] = 0.25;
  const auto play = play_pipeline(in);
  EXPECT_DOUBLE_EQ(end_of(play), 1 + 0.5 + 1 + 2 + 0.25 + 2);
  EXPECT_DOUBLE_EQ(play[0].p2p_exposed, 0.25);
  EXPECT_DOUBLE_EQ(play[1].p2p_exposed, 0.5);
}

TEST(Training, OneChipStepIsItsMicroBatchesPlusTheOptimizer) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.micro_batch = 2, p.global_batch = 8;
  const TrainResult r = tm.step(kGpt, p);
  EXPECT_EQ(r.micro_batches, 4);
  EXPECT_NEAR(r.iteration_seconds, r.forward_seconds + r.backward_seconds + r.optimizer_seconds, 1e-12);
  EXPECT_DOUBLE_EQ(r.bubble_seconds, 0);
  EXPECT_GT(r.mfu, 0);
  EXPECT_LT(r.mfu, 1);
}

TEST(Training, PipelineAndTensorParallelStepAddsUp) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.tp = 2, p.pp = 4, p.dp = 2, p.micro_batch = 1, p.global_batch = 16;
  const TrainResult r = tm.step(kGpt, p);
  double sum = r.forward_seconds + r.backward_seconds + r.recompute_seconds + r.optimizer_seconds + r.bubble_seconds;
  for (const auto& [k, c] : r.comm) sum += c.exposed;
  EXPECT_NEAR(sum, r.iteration_seconds, 1e-9 * r.iteration_seconds);
  EXPECT_GT(r.comm.at("tp").exposed, 0);
  EXPECT_GT(r.bubble_seconds, 0);
  EXPECT_GT(r.comm.at("dp").exposed + r.comm.at("dp").hidden, 0);
}

TEST(Training, ZeroStagesDivideStateAsRajbhandariEtAl) {
  // Mixed-precision Adam, Psi parameters per chip before sharding, N data-parallel ranks:
  // ZeRO-0 16 Psi, ZeRO-1 4 Psi + 12 Psi / N, ZeRO-2 2 Psi + 14 Psi / N, ZeRO-3 16 Psi / N.
  TrainingModel tm(pod());
  TrainPlan p;
  p.dp = 8, p.global_batch = 8;
  std::array<double, 4> state{};
  for (std::int32_t z = 0; z <= 3; ++z) {
    p.zero = z;
    const TrainResult r = tm.step(kGpt, p);
    state[static_cast<std::size_t>(z)] = r.memory.weights + r.memory.gradients + r.memory.optimizer;
  }
  const double psi = state[0] / 16;
  EXPECT_NEAR(state[1], 4 * psi + 12 * psi / 8, 1e-6 * psi);
  EXPECT_NEAR(state[2], 2 * psi + 14 * psi / 8, 1e-6 * psi);
  EXPECT_NEAR(state[3], 16 * psi / 8, 1e-6 * psi);
}

TEST(Training, OverlappedGradientReductionHidesPartOfIt) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.dp = 16, p.global_batch = 64, p.bucket_params = 1e5;
  p.overlap_dp = false;
  const TrainResult serial = tm.step(kGpt, p);
  p.overlap_dp = true;
  const TrainResult overlap = tm.step(kGpt, p);
  EXPECT_DOUBLE_EQ(serial.comm.at("dp").hidden, 0);
  EXPECT_GT(overlap.comm.at("dp").hidden, 0);
  EXPECT_LT(overlap.iteration_seconds, serial.iteration_seconds);
}

TEST(Training, TensorParallelAcrossNodesIsSlower) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.tp = 8, p.dp = 2, p.global_batch = 2;
  const TrainResult inside = tm.step(kGpt, p);
  p.placement = parse_placement("--placement", "dp,tp,pp");
  const TrainResult across = tm.step(kGpt, p);
  EXPECT_GT(across.comm.at("tp").exposed, inside.comm.at("tp").exposed);
}

TEST(Training, EachShapeIsTimedOnce) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.pp = 2, p.dp = 4, p.global_batch = 8;
  tm.step(kGpt, p);
  const std::size_t n = tm.distinct_shapes();
  p.dp = 8, p.global_batch = 16;
  p.schedule = PipelineSchedule::GPipe;
  tm.step(kGpt, p);  // the same block, embedding and head shapes
  EXPECT_LE(tm.distinct_shapes(), n + 1);  // only the optimizer's share may be new
}

TEST(Training, ImpossibleSplitsNameTheFlag) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.tp = 3;
  EXPECT_THAT(error_of([&] { tm.step(kGpt, p); }), HasSubstr("--tp 3: must divide the 8 attention heads"));
  p.tp = 1, p.pp = 3;
  EXPECT_THAT(error_of([&] { tm.step(kGpt, p); }), HasSubstr("--pp 3: must divide the 8 layers"));
  p.pp = 1, p.dp = 4, p.micro_batch = 2, p.global_batch = 12;
  EXPECT_THAT(error_of([&] { tm.step(kGpt, p); }),
              HasSubstr("--global-batch 12: must be a multiple of --micro-batch 2 x --dp 4 = 8"));
  p.dp = 256, p.micro_batch = 1, p.global_batch = 256;
  EXPECT_THAT(error_of([&] { tm.step(kGpt, p); }), HasSubstr("needs 256 chips, system 'dc-npu-pod' has 128"));
}

TEST(Training, AStepThatDoesNotFitSaysSo) {
  TrainingModel tm(pod({}, {"dram.capacity_gib=0.01"}));
  TrainPlan p;
  EXPECT_THAT(error_of([&] { tm.step(kGpt, p); }),
              HasSubstr("dram.capacity_gib of 'dc-npu' is 0.01: does not fit"));
}

TEST(Training, TimelineHasEveryStage) {
  TrainingModel tm(pod());
  TrainPlan p;
  p.pp = 4, p.global_batch = 8, p.timeline = true;
  const TrainResult r = tm.step(kGpt, p);
  std::set<std::int32_t> stages;
  for (const auto& e : r.timeline) stages.insert(e.stage);
  EXPECT_EQ(stages.size(), 4u);
  EXPECT_THAT(timeline_json(r, p), HasSubstr("\"traceEvents\""));
}
