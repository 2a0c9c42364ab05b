// Running a sweep: the plan (design points validated and pruned by the constraints, times the
// workloads), worker processes (long-lived for analytic tasks, one per SystemC task: SystemC
// elaborates once per process; a crash costs one row), the parent that records every result in
// the database as it arrives, resume, shards, and the MPI coordinator/worker split (mpi.cpp).
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arch/arch_config.h"
#include "dse/results_db.h"
#include "dse/spec.h"
#include "compiler/mapping_cache.h"
#include "compiler/results.h"

namespace npusim::system {
class TrainingModel;
}

namespace npusim::dse {

// ---- one task: a design point on a workload ----
struct TaskInput {
  arch::ArchConfigPtr cfg;
  Workload workload;
  driver::Engine engine = driver::Engine::SystemC;
  compiler::Objective mapper_objective = compiler::Objective::Latency;
};
// A task as a message, for a process without the plan (an MPI rank, a worker decoding a request):
// the configuration as YAML, the closed sets by name. `hash` names the point in errors.
nlohmann::json task_message(const TaskInput& t, const std::string& hash = "");
// Decodes and validates a task_message() (the edge: names parsed into enums); throws Error.
TaskInput task_from_message(const nlohmann::json& j);

struct TaskOutcome {
  bool ok = false;
  std::string error;
  std::map<std::string, double> metrics;
  std::string result;  // to_json(RunResult) without config and stat catalog
  double wall_s = 0;
  std::string worker;  // "pid N" or "rank R pid N"
  std::string host;
};
nlohmann::json to_json(const TaskOutcome& o);
TaskOutcome outcome_from_json(const nlohmann::json& j);

// What a worker process keeps from one task to the next.
struct WorkerState {
  bool retire = false;  // the process is spent (it ran SystemC, which elaborates once per process)
  // Mapping searches of earlier tasks, reused by tasks on points that differ from them only in
  // buffer capacities (compiler/mapping_cache.h): the same results, sooner.
  compiler::MappingCache mappings;
  // The models of earlier tasks by model, batch, sequence and datatype (a copy is compiled).
  std::map<std::string, driver::LoadedModel> models;
  // The training models of earlier training tasks by system and chip: their memo of chip shapes
  // and collectives serves the next group of a plan search (dse/train_plan.h).
  std::map<std::string, std::shared_ptr<system::TrainingModel>> training;
};

// Compiles and runs one task in this process. With `worker` (a worker process of its own), a
// SystemC task simulates in this process and sets worker->retire; without, it simulates in a
// child. Throws Error.
TaskOutcome execute_task(const TaskInput& t, WorkerState* worker = nullptr);

// Worker processes (base/subprocess.h), started as tasks need them, up to `workers`, and kept for
// task after task: each runs `run` on the requests it is sent, in a process of its own, so a task
// that crashes costs its own row (its worker is replaced) and no worker touches the parent's
// database. Workers die with the parent (PR_SET_PDEATHSIG). A worker whose task set
// WorkerState::retire leaves after answering.
class WorkerPool {
 public:
  using Runner = std::function<TaskOutcome(const std::string& request, WorkerState& state)>;
  // `timeout_s` > 0: a task running longer is killed with its worker and reported as failed.
  WorkerPool(std::size_t workers, Runner run, double timeout_s = 0, std::string worker_prefix = "");
  ~WorkerPool();  // kills and reaps every worker
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t workers() const { return workers_; }
  std::size_t running() const;  // tasks in flight

  // Affinity: a worker keeps what it learned from its tasks (WorkerState::mappings), so tasks
  // that can reuse it are best handed to the worker that ran their like before (TaskQueue).
  static constexpr std::size_t kNoAffinity = ~std::size_t{0};
  struct Slot {
    std::size_t worker;    // an idle worker, or kNewWorker: a worker to start
    std::size_t affinity;  // of that worker's last task
  };
  static constexpr std::size_t kNewWorker = ~std::size_t{0};
  std::vector<Slot> idle() const;  // one per task that may start now (workers() - running())
  // The affinities of the workers that live (busy or idle).
  std::vector<std::size_t> affinities() const;
  // Hands `request` to the worker of `slot` (one of idle(), used once).
  void start(const Slot& slot, std::size_t id, const std::string& request, std::size_t affinity = kNoAffinity);
  // Hands `request` to any idle worker; needs running() < workers().
  void start(std::size_t id, const std::string& request);
  // Waits up to `timeout_ms` for results; returns the tasks that finished (id, outcome).
  std::vector<std::pair<std::size_t, TaskOutcome>> wait(int timeout_ms);

 private:
  struct Worker;
  TaskOutcome lost(Worker& w, const std::string& why);
  std::size_t workers_;
  Runner run_;
  double timeout_s_;
  std::string prefix_;
  std::string host_;
  std::vector<std::unique_ptr<Worker>> pool_;
};
// The runner of task_message() requests (MPI ranks).
TaskOutcome run_task_message(const std::string& request, WorkerState& state);

// ---- the plan ----
struct PlannedPoint {
  Point point;
  arch::ArchConfigPtr cfg;  // null when the point did not validate
  std::string config_yaml;  // effective configuration
  std::string hash;
  std::string invalid;      // the validation message, for a point that did not validate
};

struct Task {
  std::size_t point = 0;     // into Plan::points
  std::size_t workload = 0;  // into spec.workloads
};

struct Plan {
  SweepSpec spec;
  std::vector<PlannedPoint> points;  // constraint-skipped and duplicate points removed
  std::size_t expanded = 0;          // points of the design space
  std::size_t skipped = 0;           // violating a constraint
  std::size_t duplicates = 0;        // the same effective configuration as an earlier point
  std::size_t invalid = 0;           // recorded as failed without running
  std::vector<Task> tasks;           // points x workloads, in a stable order

  std::string key(const Task& t) const;  // ResultRow::key() of its row
};
// Expands and validates every point and applies the constraints. `engine` overrides the spec's.
Plan make_plan(SweepSpec spec, std::optional<driver::Engine> engine = std::nullopt);

// The row recording a task's outcome (or a point that did not validate: outcome.ok false).
ResultRow make_row(const Plan& plan, const Task& t, const TaskOutcome& o);

// ---- running ----
struct SweepOptions {
  std::string db = "sweep.db";
  int jobs = 0;  // 0 = the CPUs this process may use
  int shard = 0, shards = 1;
  bool retry_failed = false;
  double task_timeout_s = 0;
  double progress_interval_s = 5;  // plain progress lines when stderr is not a terminal
  bool quiet = false;              // no progress at all
};

struct SweepSummary {
  std::size_t tasks = 0;    // this shard's tasks
  std::size_t present = 0;  // already in the database (skipped)
  std::size_t ran = 0, done = 0, failed = 0;
  int workers = 0;
  double seconds = 0;
};

int default_jobs();
// Indices into plan.tasks that this shard still has to run, given what the database holds.
std::vector<std::size_t> pending_tasks(const Plan& plan, const std::map<std::string, std::string>& existing,
                                       const SweepOptions& o, std::size_t* shard_total = nullptr);
// Records the sweep (spec, axes, objectives, counts) in the database's sweeps table.
void record_sweep_of(ResultsDb& db, const Plan& plan);
// Runs the sweep on this machine; returns when every pending task has a row.
SweepSummary run_sweep(const Plan& plan, const SweepOptions& o);

// npusim bench --suite sweep: runs `spec` with each engine into a fresh database in a temporary
// directory on `jobs` workers and prints the wall times (docs/PERFORMANCE.md).
void sweep_benchmark(const std::string& spec, const std::vector<driver::Engine>& engines, int jobs);

// Done/total with rate and ETA on stderr: a bar redrawn in place on a terminal, a plain line
// every `interval_s` otherwise, each headed by `label`.
class Progress {
 public:
  Progress(std::size_t total, double interval_s, bool quiet, std::string label = "sweep");
  void update(std::size_t done, std::size_t failed, bool force = false);
  void finish(std::size_t done, std::size_t failed);

 private:
  std::string line(std::size_t done, std::size_t failed) const;
  std::size_t total_;
  double interval_s_;
  bool quiet_, tty_;
  std::string label_;
  std::chrono::steady_clock::time_point start_, last_;
  bool drawn_ = false;
};

// ---- MPI (mpi.cpp; without MPI support these report that it is absent) ----
// Holds MPI initialised for the life of the sweep command when the process was started by
// mpirun or srun; otherwise does nothing.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  bool active() const { return size_ > 1; }
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
  bool initialized_ = false;
};
bool mpi_supported();
// Rank 0: hands pending tasks to the other ranks as they ask (dynamic load balancing) and writes
// every result; `plan` null = nothing to run (an error before the plan): the workers are stopped.
SweepSummary run_mpi_coordinator(const MpiSession& mpi, const Plan* plan, const SweepOptions& o);
// Ranks > 0: ask for tasks, run up to o.jobs at a time in worker processes, send the outcomes.
void run_mpi_worker(const MpiSession& mpi, const SweepOptions& o);

}  // namespace npusim::dse
