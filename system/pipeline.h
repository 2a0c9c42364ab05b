// Pipeline schedules played op by op: GPipe (every forward, then every backward), 1F1B (warm-up
// forwards, then one forward and one backward alternating, then the remaining backwards) and
// interleaved 1F1B (each stage holds v model chunks; Megatron-LM's order). A forward of micro-batch
// i on virtual stage j waits for its forward on j - 1 and the send; a backward waits for its own
// forward and for the backward of j + 1 and the send. Each stage runs its ops in its order, one
// at a time. No bubble is written into the model: it is what the stages wait, and it emerges as
// (p - 1) / m of the ideal time for GPipe and 1F1B, (p - 1) / (v m) for the interleaved schedule
// (Narayanan et al. 2021), tests check.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "system/training_plan.h"

namespace npusim::system {

struct PipelineInput {
  PipelineSchedule schedule = PipelineSchedule::OneFOneB;
  std::int32_t stages = 1;            // p
  std::int64_t micro_batches = 1;     // m
  std::int32_t chunks = 1;            // v (interleaved), else 1
  // Per virtual stage j = chunk x p + stage: the time of one forward and one backward of one
  // micro-batch, and the send into it (forward: from j - 1; backward: from j + 1).
  std::vector<double> fwd, bwd, send_fwd, send_bwd;
};

struct PipelineOp {
  std::int64_t mb = 0;
  std::int32_t chunk = 0;
  bool fwd = true;
  double start = 0, end = 0;
};

struct StagePlay {
  double end = 0, busy = 0;
  double bubble = 0;       // waiting, except while the awaited input was in flight
  double p2p_exposed = 0;  // waiting while the awaited input was in flight
  double p2p_total = 0;    // sends into this stage's ops
  double max_in_flight = 0;  // micro-batch chunks forwarded but not yet backwarded, at most
  std::vector<PipelineOp> ops;
};

// The order in which stage s runs its ops (mb, chunk, forward?).
std::vector<PipelineOp> stage_order(PipelineSchedule sched, std::int32_t s, std::int32_t p, std::int64_t m,
                                    std::int32_t v);

// Plays every stage; throws Error if the schedule cannot complete (an internal error).
std::vector<StagePlay> play_pipeline(const PipelineInput& in);

}  // namespace npusim::system
