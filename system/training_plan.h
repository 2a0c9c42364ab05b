// A parallel training plan: how a step is split over chips (system/training.h plays it).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "driver/driver.h"
#include "system/collectives.h"
#include "system/placement.h"
#include "workloads/training.h"

namespace npusim::system {

enum class PipelineSchedule : std::uint8_t { OneFOneB, GPipe, Interleaved };
std::string_view name_of(PipelineSchedule s);  // "1f1b", "gpipe", "interleaved"
inline constexpr std::array<PipelineSchedule, 3> kPipelineSchedules = {
    PipelineSchedule::OneFOneB, PipelineSchedule::GPipe, PipelineSchedule::Interleaved};

struct TrainPlan {
  std::int32_t tp = 1, pp = 1, dp = 1, ep = 1;
  bool sequence_parallel = false;
  std::int64_t micro_batch = 1, global_batch = 1;
  std::int64_t seq = 0;  // 0 = the model's
  workloads::Recompute recompute = workloads::Recompute::None;
  PipelineSchedule schedule = PipelineSchedule::OneFOneB;
  std::int32_t virtual_stages = 2;  // interleaved: model chunks per device
  std::int32_t zero = 0;            // 0..3
  Placement placement;
  bool overlap_dp = true;           // gradient buckets reduced during the last backward
  double bucket_params = 40e6;      // parameters per gradient bucket
  Algorithm algorithm = Algorithm::Auto;
  workloads::OptimizerKind optimizer = workloads::OptimizerKind::AdamW;
  bool fp32_grads = false;
  driver::Engine engine = driver::Engine::Analytic;
  bool timeline = false;            // record every op for a Perfetto trace

  std::int32_t chips() const { return tp * pp * dp; }
  std::int64_t micro_batches() const { return global_batch / (micro_batch * dp); }
};

}  // namespace npusim::system
