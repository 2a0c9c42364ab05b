// Running sweeps in worker processes: every task gets one row, failures are rows and do not stop
// the sweep, reruns resume, shards partition the tasks, a task past its time limit is killed.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "base/error.h"
#include "base/subprocess.h"
#include "dse/run.h"
#include "tests/sweep/sweep_test_util.h"

namespace npusim::dse {
namespace {

using ::testing::HasSubstr;
using test_util::filter;

const std::string kData = std::string(NPUSIM_SOURCE_DIR) + "/tests/sweep/data/";

struct TempDir : test_util::TempDir {
  TempDir() : test_util::TempDir("npusim_run") {}
};

SweepOptions opts(const std::string& db, int jobs = 2) {
  SweepOptions o;
  o.db = db;
  o.jobs = jobs;
  o.quiet = true;
  return o;
}

TEST(SweepRun, EveryTaskGetsOneCompleteRowAndARerunRunsNothing) {
  TempDir t;
  const Plan plan = make_plan(load_spec(kData + "small.yaml"));
  ASSERT_EQ(plan.tasks.size(), 12u);
  const SweepSummary s = run_sweep(plan, opts(t.file("r.db")));
  EXPECT_EQ(s.ran, 12u);
  EXPECT_EQ(s.done, 12u);
  EXPECT_EQ(s.failed, 0u);
  ResultsDb db(t.file("r.db"), false);
  const auto rows = db.rows(filter("", "", {}, true));
  ASSERT_EQ(rows.size(), 12u);
  std::set<std::string> keys;
  for (const auto& r : rows) {
    keys.insert(r.key());
    EXPECT_EQ(r.status, "done");
    EXPECT_EQ(r.sweep, "small");
    for (const auto& m : compiler::metric_catalog()) EXPECT_TRUE(r.metric(m.name).has_value()) << m.name;
    EXPECT_GT(*r.metric("latency_s"), 0);
    EXPECT_NEAR(*r.metric("edp"), *r.metric("latency_s") * *r.metric("energy_j"), 1e-12 * *r.metric("edp") + 1e-30);
    EXPECT_LE(r.point["core.pe_array.rows"].get<int>() * r.point["core.pe_array.cols"].get<int>(), 128);
    const auto res = nlohmann::json::parse(r.result);
    EXPECT_EQ(res["engine"], "analytic");
    EXPECT_FALSE(res["layers"].empty());
    EXPECT_THAT(r.config, HasSubstr("rows: "));
    EXPECT_THAT(r.worker, HasSubstr("pid "));
    EXPECT_GT(r.wall_s, 0);
  }
  EXPECT_EQ(keys.size(), 12u);
  // analytic tasks run in long-lived workers: at most 2 processes ran the 12 tasks
  std::set<std::string> workers;
  for (const auto& r : rows) workers.insert(r.worker);
  EXPECT_LE(workers.size(), 2u);
  // the same answer as running the task in this process
  const Task& t0 = plan.tasks[0];
  TaskInput in{plan.points[t0.point].cfg, plan.spec.workloads[t0.workload], driver::Engine::Analytic, compiler::Objective::Latency};
  const TaskOutcome direct = execute_task(in);
  for (const auto& r : rows)
    if (r.key() == plan.key(t0)) {
      EXPECT_DOUBLE_EQ(*r.metric("latency_s"), direct.metrics.at("latency_s"));
    }
  const SweepSummary again = run_sweep(plan, opts(t.file("r.db")));
  EXPECT_EQ(again.ran, 0u);
  EXPECT_EQ(again.present, 12u);
  EXPECT_EQ(db.count(), 12);
  // the spec is recorded with its axes and objectives
  const auto sw = db.sweeps();
  ASSERT_EQ(sw.size(), 1u);
  EXPECT_EQ(sw[0].name, "small");
  EXPECT_EQ(sw[0].points, 8);
  EXPECT_EQ(sw[0].skipped, 2);
  EXPECT_EQ(sw[0].axes.size(), 3u);
}

TEST(SweepRun, FailuresAreRowsWithTheirErrorAndRetryFailedRunsThemAgain) {
  TempDir t;
  const Plan plan = make_plan(load_spec(kData + "failures.yaml"));
  ASSERT_EQ(plan.tasks.size(), 8u);
  const SweepSummary s = run_sweep(plan, opts(t.file("r.db")));
  EXPECT_EQ(s.ran, 8u);
  EXPECT_EQ(s.done, 2u);    // double buffered x {8, 16} rows x the int8 workload
  EXPECT_EQ(s.failed, 6u);  // 4 rows of invalid points, 2 of an unsupported datatype
  ResultsDb db(t.file("r.db"), false);
  for (const auto& r : db.rows(filter("", "failed"))) {
    if (r.point["core.pe_array.stationary_double_buffer"] == false) {
      EXPECT_THAT(r.error, HasSubstr("requires core.pe_array.stationary_double_buffer"));
      EXPECT_EQ(r.config, "");
    } else {
      EXPECT_EQ(r.workload, "gemm:64,64,64/b1/bf16");
      EXPECT_THAT(r.error, HasSubstr("bf16"));
    }
  }
  EXPECT_EQ(run_sweep(plan, opts(t.file("r.db"))).ran, 0u);
  SweepOptions retry = opts(t.file("r.db"));
  retry.retry_failed = true;
  const SweepSummary r = run_sweep(plan, retry);
  EXPECT_EQ(r.ran, 6u);
  EXPECT_EQ(r.failed, 6u);
  EXPECT_EQ(db.count(), 8);
}

TEST(SweepRun, ShardsPartitionTheTasks) {
  TempDir t;
  const Plan plan = make_plan(load_spec(kData + "small.yaml"));
  std::size_t total = 0;
  for (int i = 0; i < 3; ++i) {
    SweepOptions o = opts(t.file(fmt::format("s{}.db", i)), 1);
    o.shard = i, o.shards = 3;
    const SweepSummary s = run_sweep(plan, o);
    EXPECT_EQ(s.ran, 4u);
    total += s.ran;
  }
  EXPECT_EQ(total, plan.tasks.size());
  ResultsDb merged(t.file("all.db"));
  for (int i = 0; i < 3; ++i) merged.merge_from(t.file(fmt::format("s{}.db", i)));
  EXPECT_EQ(merged.count("done"), 12);
  // the merged database is complete: a sweep over it has nothing left to do
  EXPECT_EQ(run_sweep(plan, opts(t.file("all.db"))).ran, 0u);
}

TEST(SweepRun, ATaskPastItsTimeLimitIsKilledAndRecorded) {
  TempDir t;
  const Plan plan = make_plan(load_spec(kData + "small.yaml"));
  SweepOptions o = opts(t.file("r.db"), 2);
  o.task_timeout_s = 1e-6;  // every task is over time before its output arrives
  const SweepSummary s = run_sweep(plan, o);
  EXPECT_EQ(s.ran, 12u);
  ResultsDb db(t.file("r.db"), false);
  for (const auto& r : db.rows()) {
    if (r.status == "failed") {
      EXPECT_THAT(r.error, HasSubstr("timed out after"));
    }
  }
  EXPECT_GT(s.failed, 0u);
}

// The pids of this process's children, from /proc.
std::vector<pid_t> children() {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "stat");
    std::string stat;
    std::getline(f, stat);
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid()) out.push_back(pid_t(std::stol(name)));
  }
  return out;
}

TEST(SweepRun, WorkerPoolReportsFailingAndDyingTasks) {
  const Plan plan = make_plan(load_spec(kData + "small.yaml"));
  auto pool = std::make_unique<WorkerPool>(1, run_task_message);
  TaskInput in{plan.points[0].cfg, Workload{}, driver::Engine::Analytic, compiler::Objective::Latency};
  in.workload.model = "no-such-model";
  pool->start(7, task_message(in).dump());
  std::vector<std::pair<std::size_t, TaskOutcome>> done;
  while (done.empty()) done = pool->wait(1000);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].first, 7u);
  EXPECT_FALSE(done[0].second.ok);
  EXPECT_THAT(done[0].second.error, HasSubstr("unknown model 'no-such-model'"));
  // a worker killed by a signal: a failed outcome naming the signal
  TaskInput slow = in;
  slow.workload.model = "bert-base";
  slow.workload.seq = 512;
  slow.engine = driver::Engine::SystemC;  // long enough to be killed while it runs
  pool->start(8, task_message(slow).dump());
  const auto kids = children();
  ASSERT_EQ(kids.size(), 1u);  // the worker of the first task took this one
  EXPECT_EQ(done[0].second.worker, fmt::format("pid {}", kids[0]));
  ::kill(kids[0], SIGKILL);
  done.clear();
  while (done.empty()) done = pool->wait(1000);
  EXPECT_EQ(done[0].first, 8u);
  EXPECT_THAT(done[0].second.error, HasSubstr("worker died with signal 9"));
  EXPECT_EQ(pool->running(), 0u);
  // the dead worker is replaced: the next task runs in a new one
  in.workload.model = "mlp";
  pool->start(9, task_message(in).dump());
  done.clear();
  while (done.empty()) done = pool->wait(1000);
  EXPECT_EQ(done[0].first, 9u);
  EXPECT_TRUE(done[0].second.ok) << done[0].second.error;
  EXPECT_NE(done[0].second.worker, fmt::format("pid {}", kids[0]));
  // a pool destroyed with a task running kills and reaps its workers
  pool->start(10, task_message(slow).dump());
  EXPECT_EQ(pool->running(), 1u);
  EXPECT_EQ(children().size(), 1u);
  pool.reset();
  EXPECT_TRUE(children().empty());
}

TEST(SweepRun, TheSystemCEngineRunsEachTaskInItsOwnProcess) {
  TempDir t;
  const Plan plan = make_plan(load_spec(kData + "systemc.yaml"));
  ASSERT_EQ(plan.spec.engine, driver::Engine::SystemC);
  const SweepSummary s = run_sweep(plan, opts(t.file("r.db")));
  EXPECT_EQ(s.done, 4u);
  ResultsDb db(t.file("r.db"), false);
  std::set<std::string> workers;
  for (const auto& r : db.rows(filter("", "", {}, true))) {
    EXPECT_EQ(r.engine, "systemc");
    EXPECT_TRUE(nlohmann::json::parse(r.result).contains("simulation"));
    workers.insert(r.worker);
  }
  EXPECT_EQ(workers.size(), 4u);  // a worker that simulated leaves: one process per task
  // more DRAM bandwidth never makes the same array slower
  std::map<int, std::map<double, double>> lat;
  for (const auto& r : db.rows())
    lat[r.point["core.pe_array.rows"].get<int>()][r.point["dram.bandwidth_gb_per_s"].get<double>()] =
        *r.metric("latency_s");
  for (auto& [rows, by_bw] : lat) EXPECT_LE(by_bw.at(16), by_bw.at(4)) << rows;
}

// A worker simulates in its own process (no second fork); SystemC cannot run twice in a process,
// so the worker retires. Run in a child here: the test process must stay free of SystemC.
TEST(SweepRun, AWorkerSimulatesInItsOwnProcessOnceThenRetires) {
  const Plan plan = make_plan(load_spec(kData + "systemc.yaml"));
  const TaskInput in{plan.points[0].cfg, plan.spec.workloads[0], driver::Engine::SystemC, compiler::Objective::Latency};
  const ChildResult r = run_in_child(
      [&] {
        WorkerState state;
        const TaskOutcome first = execute_task(in, &state);
        std::string second;
        try {
          execute_task(in, &state);
        } catch (const Error& e) {
          second = e.what();
        }
        return nlohmann::json{{"ok", first.ok}, {"retire", state.retire}, {"second", second},
                              {"latency_s", first.metrics.at("latency_s")}}.dump();
      },
      {}, "test");
  ASSERT_TRUE(r.output) << r.status.str();
  const auto j = nlohmann::json::parse(*r.output);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_TRUE(j["retire"].get<bool>());
  EXPECT_THAT(j["second"].get<std::string>(), HasSubstr("SystemC already ran in this process"));
  // the same result as a simulation in a child of its own
  EXPECT_EQ(j["latency_s"].get<double>(), execute_task(in).metrics.at("latency_s"));
}

}  // namespace
}  // namespace npusim::dse
