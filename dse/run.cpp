#include "dse/run.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <set>

#include "base/error.h"
#include "arch/loader.h"
#include "driver/driver.h"
#include "compiler/mapper.h"

namespace npusim::dse {

// ---------------------------------------------------------------------------------------------
// one task

TaskOutcome execute_task(const TaskInput& t) {
  driver::ModelSpec ms;
  ms.model = t.workload.model;
  ms.batch = t.workload.batch;
  ms.seq = t.workload.seq;
  if (!t.workload.dtype.empty()) ms.dtype = driver::parse_operand_dtype("dtype", t.workload.dtype);
  compiler::CompileOptions co;
  co.objective = driver::parse_objective("mapper objective", t.mapper_objective);
  const compiler::CompiledModel cm = driver::compile(driver::load_model(ms, *t.cfg), t.cfg, co, ms.batch);
  const compiler::RunResult r = driver::run(cm, driver::run_options(driver::parse_engine("engine", t.engine)));
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

// ---------------------------------------------------------------------------------------------
// worker processes

namespace {

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

WorkerPool::WorkerPool(double timeout_s, std::string worker_prefix)
    : timeout_s_(timeout_s), prefix_(std::move(worker_prefix)), host_(host_name()) {}

WorkerPool::~WorkerPool() {
  for (auto& c : children_) {
    ::kill(c.pid, SIGKILL);
    ::close(c.fd);
    int st = 0;
    while (::waitpid(c.pid, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

void WorkerPool::start(std::size_t id, const TaskInput& t) {
  int fds[2];
  if (::pipe(fds) != 0) throw Error(fmt::format("sweep: cannot create a pipe: {}", std::strerror(errno)));
  const pid_t parent = ::getpid();
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]), ::close(fds[1]);
    throw Error(fmt::format("sweep: cannot fork a worker: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    // The worker: dies with the parent, never touches the parent's database, leaves with _exit.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(3);
    ::close(fds[0]);
    for (const auto& c : children_) ::close(c.fd);
    std::string out;
    try {
      TaskOutcome o = execute_task(t);
      out = to_json(o).dump();
    } catch (const std::exception& e) {
      out = nlohmann::json{{"error", e.what()}}.dump();
    }
    write_all(fds[1], out);
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  Child c;
  c.pid = pid;
  c.fd = fds[0];
  c.id = id;
  c.started = std::chrono::steady_clock::now();
  children_.push_back(std::move(c));
}

TaskOutcome WorkerPool::reap(Child& c) {
  ::close(c.fd);
  int st = 0;
  while (::waitpid(c.pid, &st, 0) < 0 && errno == EINTR) {
  }
  TaskOutcome o;
  if (c.timed_out) {
    o.error = fmt::format("timed out after {:g} s (killed)", timeout_s_);
  } else if (WIFSIGNALED(st)) {
    o.error = fmt::format("worker died with signal {} ({})", WTERMSIG(st), ::strsignal(WTERMSIG(st)));
  } else {
    try {
      o = outcome_from_json(nlohmann::json::parse(c.out));
    } catch (const std::exception&) {
      o = TaskOutcome{};
      o.error = fmt::format("worker exited (status {}) without a result", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
  }
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
  o.worker = fmt::format("{}pid {}", prefix_, c.pid);
  o.host = host_;
  return o;
}

std::vector<std::pair<std::size_t, TaskOutcome>> WorkerPool::wait(int timeout_ms) {
  std::vector<std::pair<std::size_t, TaskOutcome>> done;
  if (children_.empty()) return done;
  std::vector<pollfd> pfds;
  for (const auto& c : children_) pfds.push_back(pollfd{c.fd, POLLIN, 0});
  int rc = ::poll(pfds.data(), pfds.size(), timeout_ms);
  if (rc < 0 && errno != EINTR) throw Error(fmt::format("sweep: poll: {}", std::strerror(errno)));
  const auto now = std::chrono::steady_clock::now();
  std::vector<Child> still;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    Child& c = children_[i];
    bool eof = false;
    if (rc > 0 && pfds[i].revents) {
      char buf[1 << 16];
      while (true) {
        const ssize_t n = ::read(c.fd, buf, sizeof buf);
        if (n > 0) {
          c.out.append(buf, static_cast<std::size_t>(n));
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) eof = true;
        break;  // EAGAIN: more later
      }
    }
    if (!eof && timeout_s_ > 0 && std::chrono::duration<double>(now - c.started).count() > timeout_s_) {
      ::kill(c.pid, SIGKILL);
      c.timed_out = true;
      eof = true;
    }
    if (eof)
      done.emplace_back(c.id, reap(c));
    else
      still.push_back(std::move(c));
  }
  children_ = std::move(still);
  return done;
}

// ---------------------------------------------------------------------------------------------
// the plan

std::string Plan::key(const Task& t) const {
  return points[t.point].hash + '\t' + spec.workloads[t.workload].key() + '\t' + spec.engine;
}

Plan make_plan(SweepSpec spec, const std::string& engine) {
  Plan plan;
  if (!engine.empty()) {
    if (engine != "systemc" && engine != "analytic")
      throw Error(fmt::format("--engine {}: expected systemc or analytic", engine));
    spec.engine = engine;
  }
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
      for (const auto& o : s.fixed) id += "\n" + o.text();
      for (const auto& o : p.overrides) id += "\n" + o.text();
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
  r.engine = plan.spec.engine;
  r.sweep = plan.spec.name;
  r.model = w.model;
  r.batch = w.batch;
  r.seq = w.seq;
  r.dtype = w.dtype;
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
  r.spec_hash = hex64(fnv1a64(p.spec.text + "\n# engine " + p.spec.engine));
  r.name = p.spec.name;
  r.source = p.spec.source;
  r.spec_text = p.spec.text;
  r.engine = p.spec.engine;
  r.axes = p.spec.axis_keys;
  r.objectives = p.spec.objectives;
  r.points = std::int64_t(p.expanded);
  r.skipped = std::int64_t(p.skipped);
  r.tasks = std::int64_t(p.tasks.size());
  r.started_at = utc_now();
  db.record_sweep(r);
}

SweepSummary run_sweep(const Plan& plan, const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  ResultsDb db(o.db);
  record_sweep_of(db, plan);
  SweepSummary sum;
  const std::vector<std::size_t> todo = pending_tasks(plan, db.existing(), o, &sum.tasks);
  sum.present = sum.tasks - todo.size();
  sum.workers = o.jobs > 0 ? o.jobs : default_jobs();
  Progress progress(todo.size(), o.progress_interval_s, o.quiet);
  WorkerPool pool(o.task_timeout_s);
  auto record = [&](std::size_t task, const TaskOutcome& out) {
    db.put(make_row(plan, plan.tasks[task], out));
    ++sum.ran;
    (out.ok ? sum.done : sum.failed) += 1;
    progress.update(sum.done, sum.failed);
  };
  std::size_t next = 0;
  while (next < todo.size() || pool.running() > 0) {
    while (next < todo.size() && pool.running() < std::size_t(sum.workers)) {
      const Task& t = plan.tasks[todo[next]];
      const PlannedPoint& p = plan.points[t.point];
      if (!p.cfg) {
        record(todo[next++], TaskOutcome{});  // did not validate: recorded as failed, not run
        continue;
      }
      pool.start(todo[next++], TaskInput{p.cfg, plan.spec.workloads[t.workload], plan.spec.engine,
                                         plan.spec.mapper_objective});
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

void sweep_benchmark(const std::string& spec, const std::vector<std::string>& engines, int jobs) {
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
  for (const auto& engine : engines) {
    Row r;
    r.engine = engine;
    const auto t0 = std::chrono::steady_clock::now();
    const Plan plan = make_plan(load_spec(spec), engine);
    r.plan_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    name = plan.spec.name;
    r.points = plan.points.size();
    r.tasks = plan.tasks.size();
    SweepOptions o;
    o.db = (dir / fmt::format("{}.db", engine)).string();
    o.jobs = jobs;
    o.progress_interval_s = 30;
    fmt::print(stderr, "bench: sweep {} with the {} engine, {} tasks on {} workers\n", name, engine, r.tasks, jobs);
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
  fmt::print("\n(ms per task: a worker's wall time from fork to its result, compile and run included)\n");
}

// ---------------------------------------------------------------------------------------------
// progress

Progress::Progress(std::size_t total, double interval_s, bool quiet)
    : total_(total), interval_s_(interval_s), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {
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
    fmt::print(stderr, "\r\x1b[Ksweep [{}{}] {}", std::string(std::size_t(fill), '#'),
               std::string(std::size_t(width - fill), '.'), line(done, failed));
    std::fflush(stderr);
    drawn_ = true;
  } else {
    if (!force && since < interval_s_) return;
    fmt::print(stderr, "sweep: {}\n", line(done, failed));
  }
  last_ = now;
}

void Progress::finish(std::size_t done, std::size_t failed) {
  if (quiet_ || total_ == 0) return;
  update(done, failed, true);
  if (tty_) fmt::print(stderr, "\n");
}

}  // namespace npusim::dse
