// The plan search: every valid split of a training step over exactly N chips (tensor, pipeline
// and data parallelism, micro-batch, recomputation, ZeRO stage, sequence parallelism, schedule),
// each played by the training model, the fastest that fits kept. Candidates are grouped by the
// block shape they time on the chip (tensor-parallel size, micro-batch, sequence parallelism,
// recomputation), so a group costs one chip compilation; a group is the unit of work the sweep
// engine hands to a worker process or an MPI rank (dse/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "system/training.h"

namespace npusim::system {

struct PlanSpace {
  std::int32_t chips = 0;
  std::int64_t global_batch = 0;
  std::int64_t seq = 0;  // 0 = the model's
  std::vector<std::int64_t> micro_batches = {1, 2, 4, 8};
  std::vector<workloads::Recompute> recomputes = {workloads::Recompute::None, workloads::Recompute::Selective,
                                                  workloads::Recompute::Full};
  std::vector<std::int32_t> zeros = {0, 1, 2, 3};
  std::vector<bool> sequence_parallel = {false, true};
  std::vector<PipelineSchedule> schedules = {PipelineSchedule::OneFOneB, PipelineSchedule::Interleaved};
  std::int32_t max_tp = 0;  // 0 = chips per node
};

// Every plan of the space that check_plan accepts, grouped by block shape.
std::vector<std::vector<TrainPlan>> enumerate_plans(const SystemConfig& sys, const workloads::LlmSpec& m,
                                                    const PlanSpace& space);

struct PlanOutcome {
  TrainPlan plan;
  bool fits = false;
  std::string error;  // why it does not fit
  double iteration_seconds = 0, mfu = 0, memory_bytes = 0, tokens_per_s = 0;
};

// Plays each plan of a group on `tm` (its memo makes the group's chip compilation one).
std::vector<PlanOutcome> evaluate_plans(TrainingModel& tm, const workloads::LlmSpec& m,
                                        const std::vector<TrainPlan>& plans);

// Plans and outcomes as JSON (the messages between the sweep engine's processes).
nlohmann::json to_json(const TrainPlan& p);
TrainPlan plan_from_json(const nlohmann::json& j);
nlohmann::json to_json(const PlanOutcome& o);
PlanOutcome outcome_from_json(const nlohmann::json& j);

}  // namespace npusim::system
