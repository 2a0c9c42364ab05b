// npusim train-plan on the sweep engine: every valid split lands in the database through the
// worker processes, each group as one row, and the choice is the fastest split that fits. The
// reference is the same training model played in this process (a consistency test of the
// sweep plumbing, not a validation of the times).
#include <gtest/gtest.h>

#include <map>

#include "dse/train_plan.h"
#include "tests/sweep/sweep_test_util.h"

namespace npusim::dse {
namespace {

TrainPlanSpec small_spec() {
  TrainPlanSpec s;
  s.system.system = "dc-npu-pod";
  s.model = "gpt:layers=8,hidden=256,heads=8,seq=128";
  s.space.chips = 8;
  s.space.global_batch = 16;
  s.space.micro_batches = {1, 4};
  return s;
}

TEST(TrainPlan, EveryValidSplitRunsOnTheSweepEngineAndTheFastestThatFitsIsChosen) {
  test_util::TempDir t("npusim_train_plan");
  const TrainPlanSpec s = small_spec();
  const Plan plan = make_train_plan(s);

  // the same space, played here
  system::SystemRequest req = s.system;
  const auto sys = system::load_system(req);
  const auto m = *workloads::resolve_llm(s.model);
  const auto groups = system::enumerate_plans(*sys, m, s.space);
  ASSERT_EQ(plan.tasks.size(), groups.size());
  system::TrainingModel tm(sys);
  std::map<std::string, double> direct;  // plan -> iteration (fitting plans)
  std::size_t n = 0;
  for (const auto& g : groups)
    for (const auto& o : system::evaluate_plans(tm, m, g)) {
      ++n;
      if (o.fits) direct[system::to_json(o.plan).dump()] = o.iteration_seconds;
    }
  ASSERT_GT(n, 100u);

  SweepOptions o;
  o.db = t.file("plan.db");
  o.jobs = 2;
  o.quiet = true;
  const SweepSummary sum = run_sweep(plan, o);
  EXPECT_EQ(sum.ran, groups.size());
  EXPECT_EQ(sum.failed, 0u);
  const ResultsDb db(o.db, false);
  const TrainPlanResult r = choose_train_plan(plan, db);
  ASSERT_EQ(r.outcomes.size(), n);
  EXPECT_EQ(r.groups_ran, groups.size());
  ASSERT_TRUE(r.chosen.has_value());
  double best = 1e300;
  for (const auto& [k, v] : direct) best = std::min(best, v);
  EXPECT_DOUBLE_EQ(r.outcomes[*r.chosen].iteration_seconds, best);
  for (const auto& x : r.outcomes) {
    const auto it = direct.find(system::to_json(x.plan).dump());
    ASSERT_EQ(it != direct.end(), x.fits) << system::to_json(x.plan).dump();
    if (x.fits) {
      EXPECT_DOUBLE_EQ(x.iteration_seconds, it->second);
    }
  }

  // a rerun finds every group in the database
  EXPECT_EQ(run_sweep(plan, o).ran, 0u);
}

TEST(TrainPlan, ASpaceWithNoValidSplitIsAnErrorNamingTheChips) {
  TrainPlanSpec s = small_spec();
  // 7 chips: tp 7 does not divide the 8 heads, pp 7 not the 8 layers, dp 7 not the batch of 3
  s.space.global_batch = 3;
  s.space.chips = 7;
  try {
    (void)make_train_plan(s);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--chips 7"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace npusim::dse
