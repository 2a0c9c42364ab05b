// The training plan search on the sweep engine (npusim train-plan, docs/MULTICHIP.md): every
// valid split of a training step over N chips (system/plan_search.h enumerates them, grouped by
// the block shape they time on the chip), one task per group, so the groups run in worker
// processes or over MPI ranks like any sweep and land in the results database (each row's
// `result` holds its plans' outcomes); the fastest plan that fits is chosen from the rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dse/results_db.h"
#include "dse/run.h"
#include "system/plan_search.h"

namespace npusim::dse {

struct TrainPlanSpec {
  system::SystemRequest system;  // the system and its chip (--system, --arch, --set)
  std::string model;             // a decoder-only LLM (workloads::resolve_llm)
  system::PlanSpace space;
};

// The plan: one point (the chip), one training workload per group of candidate splits.
// Throws Error for an invalid system, model or space, or when no split is valid.
Plan make_train_plan(const TrainPlanSpec& s);

struct TrainPlanResult {
  std::vector<system::PlanOutcome> outcomes;  // of every group that ran, in plan order
  std::size_t groups = 0, groups_ran = 0;
  std::vector<std::string> failed;            // groups whose task failed: "key: error"
  std::optional<std::size_t> chosen;          // the fastest plan that fits (index into outcomes)
};
// Reads the plan's rows back from the database and chooses.
TrainPlanResult choose_train_plan(const Plan& plan, const ResultsDb& db);

// Runs one training workload (Workload::training) with `cfg` as the chip: the group's outcomes
// as the result (a JSON array of system::to_json(PlanOutcome)). With `worker`, the training
// model (and its memo) is kept there for the next task on the same system and chip. Throws Error.
TaskOutcome execute_training_task(const arch::ArchConfigPtr& cfg, const nlohmann::json& training,
                                  WorkerState* worker = nullptr);

}  // namespace npusim::dse
