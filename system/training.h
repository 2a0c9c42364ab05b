// One training step of a decoder-only LLM on many chips: data parallelism (with ZeRO stages 1-3),
// tensor parallelism (Megatron's column/row split, optionally sequence-parallel), pipeline
// parallelism (GPipe, 1F1B, interleaved 1F1B), expert parallelism (all-to-all), placed onto the
// system's chips (placement.h), played as a schedule:
//  - every chip of a stage runs the same shard: a block's training step (forward, recomputation,
//    backward) timed on the chip model once per shape (chip_model.h), times the layers it holds,
//    with the embedding on the first stage and the LM head and loss on the last;
//  - the collectives the graphs ask for (tensor-parallel all-reduces or all-gathers/reduce-
//    scatters, expert all-to-alls) are timed on the network (collectives.h) with every replica's
//    group playing at once, and block the chip (exposed);
//  - the pipeline is played op by op in the schedule's order on every stage: a forward waits for
//    its input from the previous stage (send/recv), a backward for its gradient from the next;
//    the bubble is the time a stage waits, as it emerges from the schedule;
//  - data-parallel gradient reduction runs in buckets on its own stream, each bucket starting
//    when the last micro-batch's backward has produced it (overlap) or after the backward;
//    then the optimizer (vector work over the parameters the chip updates) and, with ZeRO, the
//    parameter all-gather; ZeRO-3 also gathers each layer's parameters before its forward and
//    backward and scatters its gradients, hidden behind the layer's compute where it is shorter;
//  - memory per chip: weights, gradients and optimizer state per parameter (divided by dp as
//    the ZeRO stage says), activations the backward reads (from the training graph) times the
//    micro-batches in flight on the stage (from the schedule played), and temporary buffers.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "system/chip_model.h"
#include "system/collectives.h"
#include "system/placement.h"
#include "system/training_plan.h"
#include "system/system_config.h"
#include "workloads/models/llm.h"
#include "workloads/training.h"

namespace npusim::system {

struct CommTime {
  double exposed = 0, hidden = 0;
};

struct MemoryPerChip {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0, temporary = 0;
  double total() const { return weights + gradients + optimizer + activations + temporary; }
  std::int32_t stage = 0;     // the stage it is for (the most loaded)
  double in_flight = 0;       // micro-batch chunks whose activations the stage holds at most
  double capacity = 0;
};

struct TimelineEvent {
  std::int32_t stage = 0;
  std::string track;  // "compute", "dp", "p2p"
  std::string name;
  double start = 0, duration = 0;
};

struct TrainResult {
  double iteration_seconds = 0;
  // The breakdown of the stage that finishes last (its time adds up to the iteration).
  double forward_seconds = 0, backward_seconds = 0, recompute_seconds = 0, optimizer_seconds = 0;
  double bubble_seconds = 0;
  std::map<std::string, CommTime> comm;  // "tp", "ep", "pp", "dp", "zero3"
  std::int32_t critical_stage = 0;
  MemoryPerChip memory;
  double model_flops = 0, hardware_flops = 0;  // per iteration, all chips
  double mfu = 0, hfu = 0;
  double tokens_per_s = 0;
  double energy_j = 0;  // the chips' (links' energy is not modelled)
  std::int64_t micro_batches = 0;
  std::int32_t chips = 0;
  std::size_t distinct_shapes = 0;  // graphs compiled and timed on the chip
  std::vector<TimelineEvent> timeline;
  std::map<std::string, std::string> algorithms;  // collective -> algorithm chosen
};

// Errors name the flag and the value (tp not dividing the heads, pp not dividing the layers, a
// batch not divisible, more chips than the system has, a step that does not fit in memory).
void check_plan(const SystemConfig& sys, const workloads::LlmSpec& m, const TrainPlan& p);

// Times steps on one system and chip; keeps the chip model's and the network's memo across calls
// (a plan search reuses every shape).
class TrainingModel {
 public:
  explicit TrainingModel(SystemConfigPtr sys, driver::Engine engine = driver::Engine::Analytic);
  // Throws Error when the plan is impossible or does not fit (`fit_check`).
  TrainResult step(const workloads::LlmSpec& m, const TrainPlan& p, bool fit_check = true);
  const SystemConfig& system() const { return *sys_; }
  std::size_t distinct_shapes() const { return chip_.distinct_graphs(); }

 private:
  SystemConfigPtr sys_;
  Network net_;
  CommModel comm_;
  ChipModel chip_;
};

// A Chrome/Perfetto trace (JSON) of the step's timeline: one process per stage, its compute,
// data-parallel and send/recv tracks.
std::string timeline_json(const TrainResult& r, const TrainPlan& p);

}  // namespace npusim::system
