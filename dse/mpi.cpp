// Sweeps over MPI ranks: `mpirun -n N npusim sweep SPEC`. Rank 0 plans, hands out tasks one at a
// time as workers ask for them (dynamic load balancing: a rank that finishes early asks again)
// and writes every result into the one database; ranks 1..N-1 run the tasks in worker processes
// (dse::WorkerPool), up to -j at a time. Without mpirun nothing here runs.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <thread>

#include "base/error.h"
#include "dse/run.h"

#ifdef NPUSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace npusim::dse {

namespace {

// The ranks of this job as the launcher (mpirun, srun) announces them; 1 when not launched so.
int launched_ranks() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* s = std::getenv(v)) return std::max(1, std::atoi(s));
  if (std::getenv("PMIX_RANK"))
    if (const char* s = std::getenv("SLURM_NTASKS")) return std::max(1, std::atoi(s));
  return 1;
}

}  // namespace

#ifdef NPUSIM_HAVE_MPI

namespace {

enum Tag : int { kRequest = 1, kTask = 2, kStop = 3, kResult = 4, kBye = 5 };

void send(const std::string& s, int dest, int tag) {
  MPI_Send(s.data(), int(s.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

// Receives the probed message.
std::string receive(const MPI_Status& probed) {
  int n = 0;
  MPI_Get_count(&probed, MPI_CHAR, &n);
  std::string s(std::size_t(n), '\0');
  MPI_Status st;
  MPI_Recv(s.data(), n, MPI_CHAR, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, &st);
  return s;
}

bool probe(int source, MPI_Status& st) {
  int flag = 0;
  MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
  return flag != 0;
}

}  // namespace

bool mpi_supported() { return true; }

MpiSession::MpiSession() {
  if (launched_ranks() <= 1) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    MPI_Init(nullptr, nullptr);
    initialized_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (initialized_) MPI_Finalize();
}

SweepSummary run_mpi_coordinator(const MpiSession& mpi, const Plan* plan, const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  SweepSummary sum;
  std::unique_ptr<ResultsDb> db;
  std::vector<std::size_t> todo;
  if (plan) {
    try {
      db = std::make_unique<ResultsDb>(o.db);
      record_sweep_of(*db, *plan);
      todo = pending_tasks(*plan, db->existing(), o, &sum.tasks);
      sum.present = sum.tasks - todo.size();
    } catch (...) {
      run_mpi_coordinator(mpi, nullptr, o);  // the workers wait for tasks: stop them first
      throw;
    }
  }
  const int workers = mpi.size() - 1;
  sum.workers = workers * (o.jobs > 0 ? o.jobs : 1);
  Progress progress(todo.size(), o.progress_interval_s, o.quiet || !plan);
  auto record = [&](std::size_t task, const TaskOutcome& out) {
    db->put(make_row(*plan, plan->tasks[task], out));
    ++sum.ran;
    (out.ok ? sum.done : sum.failed) += 1;
    progress.update(sum.done, sum.failed);
  };
  std::size_t next = 0;
  int byes = 0;
  bool failing = false;  // after an error here: stop handing out tasks, let the workers finish
  std::exception_ptr error;
  while (byes < workers) {
    MPI_Status st;
    if (!probe(MPI_ANY_SOURCE, st)) {
      progress.update(sum.done, sum.failed);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      continue;
    }
    const std::string msg = receive(st);
    if (st.MPI_TAG == kRequest) {
      try {
        // points that did not validate are recorded here, without a worker
        while (!failing && next < todo.size() && !plan->points[plan->tasks[todo[next]].point].cfg)
          record(todo[next++], TaskOutcome{});
      } catch (...) {
        failing = true;
        error = std::current_exception();
      }
      if (failing || next >= todo.size()) {
        send("", st.MPI_SOURCE, kStop);
        continue;
      }
      const std::size_t id = todo[next++];
      const Task& t = plan->tasks[id];
      const PlannedPoint& p = plan->points[t.point];
      const nlohmann::json task = {
          {"id", id},
          {"task", task_message(TaskInput{p.cfg, plan->spec.workloads[t.workload], plan->spec.engine,
                                          plan->spec.mapper_objective},
                                p.hash)}};
      send(task.dump(), st.MPI_SOURCE, kTask);
    } else if (st.MPI_TAG == kResult) {
      if (!plan || failing) continue;
      try {
        const auto j = nlohmann::json::parse(msg);
        record(j.at("id").get<std::size_t>(), outcome_from_json(j.at("outcome")));
      } catch (...) {
        failing = true;
        error = std::current_exception();
      }
    } else if (st.MPI_TAG == kBye) {
      ++byes;
    }
  }
  if (error) std::rethrow_exception(error);
  progress.finish(sum.done, sum.failed);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

void run_mpi_worker(const MpiSession& mpi, const SweepOptions& o) {
  const int jobs = o.jobs > 0 ? o.jobs : 1;
  // The workers decode each task (the edge: names parsed, the configuration validated) and run it.
  WorkerPool pool(std::size_t(jobs), run_task_message, o.task_timeout_s, fmt::format("rank {} ", mpi.rank()));
  int outstanding = 0;  // requests not yet answered
  bool stopped = false;
  while (!stopped || outstanding > 0 || pool.running() > 0) {
    while (!stopped && int(pool.running()) + outstanding < jobs) {
      send("", 0, kRequest);
      ++outstanding;
    }
    MPI_Status st;
    bool got = false;
    while (outstanding > 0 && probe(0, st)) {
      got = true;
      const std::string msg = receive(st);
      --outstanding;
      if (st.MPI_TAG == kStop) {
        stopped = true;
        continue;
      }
      const auto j = nlohmann::json::parse(msg);
      pool.start(j.at("id").get<std::size_t>(), j.at("task").dump());
    }
    const auto finished = pool.wait(pool.running() > 0 ? 5 : 0);
    for (const auto& [id, out] : finished) send(nlohmann::json{{"id", id}, {"outcome", to_json(out)}}.dump(), 0, kResult);
    if (!got && finished.empty() && pool.running() == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  send("", 0, kBye);
}

#else  // no MPI support in this build

bool mpi_supported() { return false; }

MpiSession::MpiSession() {
  if (launched_ranks() > 1)
    throw Error("this npusim was built without MPI support (cmake -DNPUSIM_MPI=ON needs libopenmpi-dev); "
                "run the sweep without mpirun, or with --shard I/N per process");
}

MpiSession::~MpiSession() = default;

SweepSummary run_mpi_coordinator(const MpiSession&, const Plan*, const SweepOptions&) {
  throw Error("this npusim was built without MPI support");
}

void run_mpi_worker(const MpiSession&, const SweepOptions&) { throw Error("this npusim was built without MPI support"); }

#endif

}  // namespace npusim::dse
