#include "dse/run.h"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <set>

#include "base/error.h"
#include "base/subprocess.h"
#include "arch/loader.h"
#include "driver/driver.h"
#include "serving/serve.h"
#include "compiler/mapper.h"
#include "dse/task_queue.h"
#include "dse/train_plan.h"

namespace npusim::dse {

// ---------------------------------------------------------------------------------------------
// one task

namespace {
// A serving workload on the point's architecture (npusim serve-plan): the pool's figures as
// metrics, its summary as the result.
TaskOutcome execute_serving_task(const TaskInput& t) {
  serving::ServeRequest r = serving::request_from_json(t.workload.serving);
  r.arch_config = t.cfg;
  const serving::ServeOutcome out = serving::serve(r);
  TaskOutcome o;
  o.ok = true;
  o.metrics = serving::serving_metric_values(r.config, out.result, out.summary);
  nlohmann::json j = serving::to_json(out.description, r.config, out.result, out.summary);
  j.erase("timeline");  // rows stay small; `npusim serve` draws it
  o.result = j.dump();
  return o;
}
}  // namespace

TaskOutcome execute_task(const TaskInput& t, WorkerState* worker) {
  if (!t.workload.serving.is_null()) return execute_serving_task(t);
  if (!t.workload.training.is_null()) return execute_training_task(t.cfg, t.workload.training, worker);
  driver::ModelSpec ms;
  ms.model = t.workload.model;
  ms.batch = t.workload.batch;
  ms.seq = t.workload.seq;
  ms.dtype = t.workload.dtype;
  ms.inputs = t.workload.inputs;
  compiler::CompileOptions co;
  co.objective = t.mapper_objective;
  auto load = [&]() -> driver::LoadedModel {
    if (!worker) return driver::load_model(ms, *t.cfg);
    const std::string key = fmt::format("{}\n{}\n{}\n{}", ms.model, ms.batch, ms.seq,
                                        name_of(ms.dtype.value_or(t.cfg->datatypes.default_dtype)));
    auto it = worker->models.find(key);
    if (it == worker->models.end()) it = worker->models.emplace(key, driver::load_model(ms, *t.cfg)).first;
    return it->second;  // a copy: the compile consumes it
  };
  const compiler::CompiledModel cm =
      driver::compile(load(), t.cfg, co, ms.batch, worker ? &worker->mappings : nullptr);
  driver::RunOptions ro = driver::run_options(t.engine);
  if (worker && ro.engine == driver::Engine::SystemC) {
    ro.in_this_process = true;  // this process is a fresh worker: it simulates once, then leaves
    worker->retire = true;
  }
  const compiler::RunResult r = driver::run(cm, ro);
  TaskOutcome o;
  o.ok = true;
  o.metrics = compiler::metrics_of(r);
  nlohmann::json j = compiler::to_json(r);
  j.erase("config");  // the row holds the effective configuration
  j.erase("stats");   // the same catalog in every row (docs/STATS.md)
  o.result = j.dump();
  return o;
}

nlohmann::json to_json(const TaskOutcome& o) {
  nlohmann::json j;
  if (!o.ok) {
    j["error"] = o.error;
  } else {
    j["metrics"] = o.metrics;
    j["result"] = o.result;
  }
  j["wall_s"] = o.wall_s;
  j["worker"] = o.worker;
  j["host"] = o.host;
  return j;
}

TaskOutcome outcome_from_json(const nlohmann::json& j) {
  TaskOutcome o;
  if (j.contains("error")) {
    o.error = j["error"].get<std::string>();
  } else {
    o.ok = true;
    o.metrics = j.at("metrics").get<std::map<std::string, double>>();
    o.result = j.at("result").get<std::string>();
  }
  o.wall_s = j.value("wall_s", 0.0);
  o.worker = j.value("worker", std::string());
  o.host = j.value("host", std::string());
  return o;
}

nlohmann::json task_message(const TaskInput& t, const std::string& hash) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& i : t.workload.inputs) inputs.push_back(workloads::to_string(i));
  return {{"config", arch::to_yaml(*t.cfg)},
          {"inputs", inputs},
          {"hash", hash},
          {"model", t.workload.model},
          {"batch", t.workload.batch},
          {"seq", t.workload.seq},
          {"dtype", t.workload.dtype ? std::string(name_of(*t.workload.dtype)) : std::string()},
          {"engine", driver::name_of(t.engine)},
          {"mapper_objective", compiler::name_of(t.mapper_objective)},
          {"serving", t.workload.serving},
          {"training", t.workload.training}};
}

TaskInput task_from_message(const nlohmann::json& j) {
  TaskInput t;
  try {
    const std::string hash = j.value("hash", std::string());
    t.cfg = arch::load_arch(j.at("config").get<std::string>(), fmt::format("<point {}>", hash.empty() ? "?" : hash));
    t.workload.model = j.at("model").get<std::string>();
    t.workload.batch = j.at("batch").get<std::int64_t>();
    t.workload.seq = j.at("seq").get<std::int64_t>();
    if (const auto d = j.at("dtype").get<std::string>(); !d.empty()) t.workload.dtype = driver::parse_operand_dtype("dtype", d);
    for (const auto& i : j.value("inputs", nlohmann::json::array()))
      t.workload.inputs.push_back(workloads::parse_input_shape("input", i.get<std::string>()));
    t.engine = driver::parse_engine("engine", j.at("engine").get<std::string>());
    t.mapper_objective = driver::parse_objective("mapper objective", j.at("mapper_objective").get<std::string>());
    if (j.contains("serving")) t.workload.serving = j.at("serving");
    if (j.contains("training")) t.workload.training = j.at("training");
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("a malformed task message: {}", e.what()));
  }
  return t;
}

TaskOutcome run_task_message(const std::string& request, WorkerState& state) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(request);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("a malformed task message: {}", e.what()));
  }
  return execute_task(task_from_message(j), &state);
}

// ---------------------------------------------------------------------------------------------
// worker processes

struct WorkerPool::Worker {
  Subprocess proc;
  std::optional<std::size_t> task;  // in flight
  std::chrono::steady_clock::time_point started = {};
  bool retiring = false;  // answered its last task; leaves
  std::size_t affinity = kNoAffinity;  // of its last task
  std::optional<std::string> header;   // the first message of an answer, awaiting the second
};

WorkerPool::WorkerPool(std::size_t workers, Runner run, double timeout_s, std::string worker_prefix)
    : workers_(std::max<std::size_t>(workers, 1)),
      run_(std::move(run)),
      timeout_s_(timeout_s),
      prefix_(std::move(worker_prefix)),
      host_(host_name()) {}

WorkerPool::~WorkerPool() = default;  // each Subprocess kills and reaps its child

std::size_t WorkerPool::running() const {
  std::size_t n = 0;
  for (const auto& w : pool_) n += w->task.has_value();
  return n;
}

std::vector<WorkerPool::Slot> WorkerPool::idle() const {
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    const Worker& w = *pool_[i];
    if (!w.task && !w.retiring && !w.proc.ended()) slots.push_back(Slot{i, w.affinity});
  }
  const std::size_t free = workers_ - std::min(workers_, running());
  slots.resize(std::min(slots.size(), free));
  while (slots.size() < free) slots.push_back(Slot{kNewWorker, kNoAffinity});
  return slots;
}

std::vector<std::size_t> WorkerPool::affinities() const {
  std::vector<std::size_t> out;
  for (const auto& w : pool_)
    if (!w->retiring && !w->proc.ended() && w->affinity != kNoAffinity) out.push_back(w->affinity);
  return out;
}

void WorkerPool::start(std::size_t id, const std::string& request) { start(idle().at(0), id, request); }

void WorkerPool::start(const Slot& slot, std::size_t id, const std::string& request, std::size_t affinity) {
  if (running() >= workers_) throw Error("internal: WorkerPool::start with every worker busy");
  Worker* w = slot.worker == kNewWorker ? nullptr : pool_.at(slot.worker).get();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!w) {
      SpawnOptions so;
      so.stdout_to_stderr = true;  // the sweep's reports own stdout
      for (const auto& x : pool_) so.close_in_child.push_back(x->proc.fd());
      // The worker: answers requests until the parent closes its end or a task spends the process.
      // An answer is the outcome as JSON, then its result (JSON text already) as a message of its
      // own, so that it is neither escaped here nor parsed in the parent.
      auto body = [run = run_](Channel& ch) {
        WorkerState state;
        while (auto req = ch.receive()) {
          nlohmann::json reply;
          std::string result;
          try {
            TaskOutcome o = run(*req, state);
            result = std::move(o.result);
            o.result.clear();
            reply["outcome"] = to_json(o);
          } catch (const std::exception& e) {
            reply["outcome"] = nlohmann::json{{"error", e.what()}};
          }
          reply["retire"] = state.retire;
          if (!ch.send(reply.dump()) || !ch.send(result) || state.retire) return 0;
        }
        return 0;
      };
      pool_.push_back(std::make_unique<Worker>(Worker{Subprocess(body, so, "sweep worker"), {}, {}, false, kNoAffinity, {}}));
      w = pool_.back().get();
    }
    if (w->task || w->retiring) throw Error("internal: WorkerPool::start on a busy worker");
    w->started = std::chrono::steady_clock::now();
    if (w->proc.send(request)) {
      w->task = id;
      w->affinity = affinity;
      return;
    }
    w->retiring = true;  // it died while idle: reaped by wait(); a new one takes the task
    w = nullptr;
  }
  throw Error("sweep: a new worker process did not take its task");
}

TaskOutcome WorkerPool::lost(Worker& w, const std::string& why) {
  TaskOutcome o;
  o.error = why;
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w.started).count();
  o.worker = fmt::format("{}pid {}", prefix_, w.proc.pid());
  o.host = host_;
  return o;
}

std::vector<std::pair<std::size_t, TaskOutcome>> WorkerPool::wait(int timeout_ms) {
  std::vector<std::pair<std::size_t, TaskOutcome>> done;
  if (pool_.empty()) return done;
  std::vector<const Subprocess*> procs;
  for (const auto& w : pool_) procs.push_back(&w->proc);
  wait_readable(procs, running() > 0 ? timeout_ms : 0);
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<Worker>> still;
  for (auto& wp : pool_) {
    Worker& w = *wp;
    for (std::string& msg : w.proc.read_available()) {
      if (!w.task) continue;  // cannot happen: a worker answers only what it was asked
      if (!w.header) {  // an answer is two messages: the outcome as JSON, then its result as is
        w.header = std::move(msg);
        continue;
      }
      TaskOutcome o;
      try {
        const auto j = nlohmann::json::parse(*w.header);
        o = outcome_from_json(j.at("outcome"));
        o.result = std::move(msg);
        w.retiring = w.retiring || j.at("retire").get<bool>();
      } catch (const std::exception& e) {
        o = TaskOutcome{};
        o.error = fmt::format("worker sent a malformed result: {}", e.what());
        w.retiring = true;
      }
      w.header.reset();
      o.wall_s = std::chrono::duration<double>(now - w.started).count();
      o.worker = fmt::format("{}pid {}", prefix_, w.proc.pid());
      o.host = host_;
      done.emplace_back(*w.task, std::move(o));
      w.task.reset();
    }
    if (w.task && timeout_s_ > 0 && std::chrono::duration<double>(now - w.started).count() > timeout_s_) {
      w.proc.kill(SIGKILL);
      w.proc.wait();
      done.emplace_back(*w.task, lost(w, fmt::format("timed out after {:g} s (killed)", timeout_s_)));
      continue;  // the worker is dropped
    }
    if (w.proc.ended()) {
      const ExitStatus st = w.proc.wait();
      if (w.task)
        done.emplace_back(*w.task, lost(w, st.signaled ? fmt::format("worker died with {}", st.str())
                                                        : fmt::format("worker exited ({}) without a result", st.str())));
      continue;
    }
    // a retiring worker leaves on its own: kept until its end is seen, then reaped
    still.push_back(std::move(wp));
  }
  pool_ = std::move(still);
  return done;
}

// ---------------------------------------------------------------------------------------------
// the plan

std::string Plan::key(const Task& t) const {
  return points[t.point].hash + '\t' + spec.workloads[t.workload].key() + '\t' + std::string(driver::name_of(spec.engine));
}

Plan make_plan(SweepSpec spec, std::optional<driver::Engine> engine) {
  Plan plan;
  if (engine) spec.engine = *engine;
  plan.spec = std::move(spec);
  const SweepSpec& s = plan.spec;
  // The base is parsed once; each point is a copy with its overrides, validated on its own.
  RawNode base = parse_yaml(s.base_text, s.base_source);
  for (const auto& o : s.fixed) apply_override(base, o);
  std::set<std::string> seen;
  std::vector<Point> points = expand(s);
  plan.expanded = points.size();
  for (auto& p : points) {
    PlannedPoint pp;
    RawNode root = base;
    for (const auto& o : p.overrides) apply_override(root, o);
    std::vector<Diagnostic> diags;
    pp.cfg = arch::validate(root, diags);
    if (!pp.cfg) {
      // A point that does not validate is still skipped when a constraint over its raw values
      // (plain config keys) says so; otherwise it is recorded as failed with the problems.
      bool violates = false;
      for (const auto& c : s.constraints) violates = violates || satisfies_raw(c, root) == false;
      if (violates) {
        ++plan.skipped;
        continue;
      }
      for (const auto& d : diags) pp.invalid += fmt::format("{}{}", pp.invalid.empty() ? "" : "; ", d.str());
    } else {
      try {
        bool ok = true;
        for (const auto& c : s.constraints) ok = ok && satisfies(c, *pp.cfg);
        if (!ok) {
          ++plan.skipped;
          continue;
        }
      } catch (const Error& e) {
        pp.invalid = e.what();
        pp.cfg = nullptr;
      }
    }
    if (pp.cfg) {
      pp.config_yaml = arch::to_yaml(*pp.cfg);
      pp.hash = hex64(fnv1a64(pp.config_yaml));
    } else {
      // No effective configuration: the hash names the base and the overrides.
      std::string id = "invalid\n" + s.base_source + "\n" + s.base_text;
      for (const auto& o : s.fixed) id.append("\n").append(o.text());
      for (const auto& o : p.overrides) id.append("\n").append(o.text());
      pp.hash = hex64(fnv1a64(id));
      ++plan.invalid;
    }
    if (!seen.insert(pp.hash).second) {
      ++plan.duplicates;
      if (!pp.cfg) --plan.invalid;
      continue;
    }
    pp.point = std::move(p);
    plan.points.push_back(std::move(pp));
  }
  for (std::size_t i = 0; i < plan.points.size(); ++i)
    for (std::size_t w = 0; w < s.workloads.size(); ++w) plan.tasks.push_back(Task{i, w});
  return plan;
}

ResultRow make_row(const Plan& plan, const Task& t, const TaskOutcome& o) {
  const PlannedPoint& p = plan.points[t.point];
  const Workload& w = plan.spec.workloads[t.workload];
  ResultRow r;
  r.config_hash = p.hash;
  r.workload = w.key();
  r.engine = driver::name_of(plan.spec.engine);
  r.sweep = plan.spec.name;
  r.model = w.model;
  r.batch = w.batch;
  r.seq = w.seq;
  r.dtype = w.dtype ? std::string(name_of(*w.dtype)) : std::string();
  r.point = p.point.values;
  r.config = p.config_yaml;
  r.status = o.ok ? "done" : "failed";
  r.error = o.ok ? "" : (p.cfg ? o.error : p.invalid);
  r.metrics = o.metrics;
  if (p.cfg && !r.metrics.count("area_mm2")) r.metrics["area_mm2"] = p.cfg->area_mm2();
  r.result = o.result;
  r.wall_s = o.wall_s;
  r.host = o.host.empty() ? host_name() : o.host;
  r.worker = o.worker;
  r.finished_at = utc_now();
  return r;
}

// ---------------------------------------------------------------------------------------------
// running

int default_jobs() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return int(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
}

std::vector<std::size_t> pending_tasks(const Plan& plan, const std::map<std::string, std::string>& existing,
                                       const SweepOptions& o, std::size_t* shard_total) {
  std::vector<std::size_t> todo;
  std::size_t mine = 0;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    if (int(i % std::size_t(o.shards)) != o.shard) continue;
    ++mine;
    auto it = existing.find(plan.key(plan.tasks[i]));
    if (it != existing.end() && !(o.retry_failed && it->second == "failed")) continue;
    todo.push_back(i);
  }
  if (shard_total) *shard_total = mine;
  return todo;
}

void record_sweep_of(ResultsDb& db, const Plan& p) {
  SweepRecord r;
  r.spec_hash = hex64(fnv1a64(fmt::format("{}\n# engine {}", p.spec.text, driver::name_of(p.spec.engine))));
  r.name = p.spec.name;
  r.source = p.spec.source;
  r.spec_text = p.spec.text;
  r.engine = driver::name_of(p.spec.engine);
  r.axes = p.spec.axis_keys;
  r.objectives = p.spec.objectives;
  r.points = std::int64_t(p.expanded);
  r.skipped = std::int64_t(p.skipped);
  r.tasks = std::int64_t(p.tasks.size());
  r.started_at = utc_now();
  db.record_sweep(r);
}

namespace {

// What a worker can reuse between tasks (WorkerState::mappings): the mapping cache's key of the
// point's architecture and the workload's datatype.
std::vector<std::string> affinity_keys(const Plan& plan, const std::vector<std::size_t>& tasks) {
  std::vector<std::string> keys;
  std::map<std::pair<std::size_t, std::optional<DType>>, std::string> seen;
  for (std::size_t i : tasks) {
    const Task& t = plan.tasks[i];
    const PlannedPoint& p = plan.points[t.point];
    const std::optional<DType> dtype = plan.spec.workloads[t.workload].dtype;
    auto it = seen.find({t.point, dtype});
    if (it == seen.end()) {
      const std::string key =
          p.cfg ? compiler::MappingCache::arch_key(*p.cfg, dtype.value_or(p.cfg->datatypes.default_dtype), false) : "";
      it = seen.emplace(std::make_pair(t.point, dtype), key).first;
    }
    keys.push_back(it->second);
  }
  return keys;
}

}  // namespace

SweepSummary run_sweep(const Plan& plan, const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  ResultsDb db(o.db);
  record_sweep_of(db, plan);
  SweepSummary sum;
  const std::vector<std::size_t> todo = pending_tasks(plan, db.existing(), o, &sum.tasks);
  sum.present = sum.tasks - todo.size();
  sum.workers = o.jobs > 0 ? o.jobs : default_jobs();
  Progress progress(todo.size(), o.progress_interval_s, o.quiet);
  // Workers run tasks by their index into the plan (they hold a copy of it from the fork).
  WorkerPool pool(std::size_t(sum.workers), [&plan](const std::string& request, WorkerState& state) {
    const Task& t = plan.tasks.at(std::stoul(request));
    const PlannedPoint& p = plan.points[t.point];
    return execute_task(TaskInput{p.cfg, plan.spec.workloads[t.workload], plan.spec.engine, plan.spec.mapper_objective},
                        &state);
  }, o.task_timeout_s);
  auto record = [&](std::size_t task, const TaskOutcome& out) {
    db.put(make_row(plan, plan.tasks[task], out));
    ++sum.ran;
    (out.ok ? sum.done : sum.failed) += 1;
    progress.update(sum.done, sum.failed);
  };
  TaskQueue queue(todo, affinity_keys(plan, todo));
  while (!queue.empty() || pool.running() > 0) {
    for (const WorkerPool::Slot& slot : pool.idle()) {
      if (queue.empty()) break;
      const auto [task, group] = queue.next(slot.affinity, pool.affinities());
      if (!plan.points[plan.tasks[task].point].cfg) {
        record(task, TaskOutcome{});  // did not validate: recorded as failed, not run
        continue;
      }
      pool.start(slot, task, std::to_string(task), group);
    }
    for (auto& [task, out] : pool.wait(250)) record(task, out);
    progress.update(sum.done, sum.failed);
  }
  progress.finish(sum.done, sum.failed);
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sum;
}

// ---------------------------------------------------------------------------------------------
// benchmark

void sweep_benchmark(const std::string& spec, const std::vector<driver::Engine>& engines, int jobs) {
  if (jobs < 1) throw Error(fmt::format("--jobs {}: must be >= 1", jobs));
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("npusim_bench_sweep_{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  struct Row {
    std::string engine;
    std::size_t points = 0, tasks = 0, done = 0, failed = 0;
    double plan_s = 0, run_s = 0, task_ms = 0, db_mib = 0;
  };
  std::vector<Row> rows;
  std::string name;
  for (const driver::Engine engine : engines) {
    Row r;
    r.engine = driver::name_of(engine);
    const auto t0 = std::chrono::steady_clock::now();
    const Plan plan = make_plan(load_spec(spec), engine);
    r.plan_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    name = plan.spec.name;
    r.points = plan.points.size();
    r.tasks = plan.tasks.size();
    SweepOptions o;
    o.db = (dir / fmt::format("{}.db", r.engine)).string();
    o.jobs = jobs;
    o.progress_interval_s = 30;
    fmt::print(stderr, "bench: sweep {} with the {} engine, {} tasks on {} workers\n", name, r.engine, r.tasks, jobs);
    const SweepSummary s = run_sweep(plan, o);
    r.run_s = s.seconds;
    r.done = s.done, r.failed = s.failed;
    double sum = 0;
    const ResultsDb db(o.db, false);
    const auto all = db.rows(RowFilter{"", "", "", {}, false, false});
    for (const auto& x : all) sum += x.wall_s;
    r.task_ms = all.empty() ? 0 : 1e3 * sum / double(all.size());
    for (const char* ext : {"", "-wal"})
      if (std::filesystem::exists(o.db + ext)) r.db_mib += double(std::filesystem::file_size(o.db + ext)) / (1 << 20);
    rows.push_back(r);
  }
  std::filesystem::remove_all(dir);
  fmt::print("sweep: `npusim sweep {}` into a fresh database, {} worker processes\n\n", name, jobs);
  fmt::print("{:<10} {:>7} {:>7} {:>6} {:>7} {:>8} {:>9} {:>9} {:>14} {:>8}\n", "engine", "points", "tasks", "done",
             "failed", "plan s", "sweep s", "tasks/s", "ms per task", "DB MiB");
  for (const auto& r : rows)
    fmt::print("{:<10} {:>7} {:>7} {:>6} {:>7} {:>8.2f} {:>9.1f} {:>9.1f} {:>14.1f} {:>8.1f}\n", r.engine, r.points,
               r.tasks, r.done, r.failed, r.plan_s, r.run_s, r.run_s > 0 ? double(r.done + r.failed) / r.run_s : 0.0,
               r.task_ms, r.db_mib);
  fmt::print("\n(ms per task: a task's wall time from its hand-over to a worker to its result, compile and run included)\n");
}

// ---------------------------------------------------------------------------------------------
// progress

Progress::Progress(std::size_t total, double interval_s, bool quiet, std::string label)
    : total_(total), interval_s_(interval_s), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1), label_(std::move(label)) {
  start_ = last_ = std::chrono::steady_clock::now();
}

namespace {
std::string duration_text(double s) {
  if (!std::isfinite(s)) return "?";
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", int(s) / 60, int(s) % 60);
  return fmt::format("{}h{:02}m", int(s) / 3600, (int(s) % 3600) / 60);
}
}  // namespace

std::string Progress::line(std::size_t done, std::size_t failed) const {
  const std::size_t n = done + failed;
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = el > 0 ? double(n) / el : 0;
  const double eta = rate > 0 ? double(total_ - std::min(n, total_)) / rate : NAN;
  const int pct = total_ ? int(100.0 * double(n) / double(total_)) : 100;
  std::string text = fmt::format("{}/{} ({}%)  {:.1f}/s  elapsed {}  ETA {}", n, total_, pct, rate, duration_text(el),
                                 n >= total_ ? "0s" : duration_text(eta));
  if (failed) text += fmt::format("  failed {}", failed);
  return text;
}

void Progress::update(std::size_t done, std::size_t failed, bool force) {
  if (quiet_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (tty_) {
    if (!force && drawn_ && since < 0.1) return;
    const std::size_t n = done + failed;
    const int width = 28;
    const int fill = total_ ? int(double(width) * double(n) / double(total_)) : width;
    fmt::print(stderr, "\r\x1b[K{} [{}{}] {}", label_, std::string(std::size_t(fill), '#'),
               std::string(std::size_t(width - fill), '.'), line(done, failed));
    std::fflush(stderr);
    drawn_ = true;
  } else {
    if (!force && since < interval_s_) return;
    fmt::print(stderr, "{}: {}\n", label_, line(done, failed));
  }
  last_ = now;
}

void Progress::finish(std::size_t done, std::size_t failed) {
  if (quiet_ || total_ == 0) return;
  update(done, failed, true);
  if (tty_) fmt::print(stderr, "\n");
}

}  // namespace npusim::dse
