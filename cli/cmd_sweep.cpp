// npusim sweep / merge / pareto / report / export / compare: design-space sweeps into an SQLite
// database, and what users do with the results (docs/SWEEPS.md).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "base/error.h"
#include "base/files.h"
#include "base/scalar_text.h"
#include "arch/loader.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "report/html.h"
#include "dse/analysis.h"
#include "dse/results_db.h"
#include "dse/run.h"
#include "serving/output.h"
#include "dse/spec.h"

namespace npusim::cli {

using namespace dse;
using compiler::Metric;
using compiler::metric_catalog;
using compiler::metric_or_throw;
using compiler::metrics_of;
using text::value_text;

namespace {

// An existing results database (commands that read one never create it).
std::unique_ptr<ResultsDb> open_existing(const std::string& path) {
  if (!std::filesystem::exists(path)) throw Error(fmt::format("--db {}: no such results database", path));
  return std::make_unique<ResultsDb>(path, false);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

std::string metric_value_text(const Metric& m, double v) {
  if (m.integer) return fmt::format("{}", std::llround(v));
  return fmt::format("{:.9g}", v);
}

// Metrics as JSON: counts as integers.
nlohmann::json metrics_json(const ResultRow& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& m : metric_catalog()) {
    auto v = r.metric(m.name);
    if (!v) continue;
    if (m.integer)
      j[m.name] = std::llround(*v);
    else
      j[m.name] = *v;
  }
  for (const auto& m : serving::serving_metrics())
    if (auto v = r.metric(m.name)) j[m.name] = *v;
  return j;
}

// ---- sweep ----

struct SweepCmd {
  std::string spec;
  SweepOptions o;
  std::string shard;
  std::string engine;
  bool dry_run = false;
  bool jobs_given = false;
};

void parse_shard(const std::string& s, SweepOptions& o) {
  const auto slash = s.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(s);
    std::size_t a = 0, b = 0;
    o.shard = std::stoi(s.substr(0, slash), &a);
    o.shards = std::stoi(s.substr(slash + 1), &b);
    if (a != slash || b != s.size() - slash - 1) throw std::invalid_argument(s);
  } catch (const std::exception&) {
    throw Error(fmt::format("--shard {}: expected I/N, e.g. 0/4", s));
  }
  if (o.shards < 1 || o.shard < 0 || o.shard >= o.shards)
    throw Error(fmt::format("--shard {}: needs 0 <= I < N", s));
}

void print_plan(const Plan& p) {
  fmt::print("sweep '{}' (engine {}): {} points", p.spec.name, driver::name_of(p.spec.engine), p.expanded);
  std::string notes;
  if (p.skipped) notes += fmt::format("{} skipped by constraints", p.skipped);
  if (p.duplicates) notes += fmt::format("{}{} duplicate configurations", notes.empty() ? "" : ", ", p.duplicates);
  if (p.invalid) notes += fmt::format("{}{} invalid (recorded as failed)", notes.empty() ? "" : ", ", p.invalid);
  if (!notes.empty()) fmt::print(" ({})", notes);
  fmt::print(" x {} workload{} = {} tasks\n", p.spec.workloads.size(), p.spec.workloads.size() == 1 ? "" : "s",
             p.tasks.size());
}

void run_sweep_command(SweepCmd& c) {
  if (!c.shard.empty()) parse_shard(c.shard, c.o);
  if (c.o.jobs < 0) throw Error(fmt::format("-j {}: must be >= 1", c.o.jobs));
  MpiSession mpi;
  if (mpi.active() && mpi.rank() != 0) {
    if (!c.jobs_given) c.o.jobs = 1;
    run_mpi_worker(mpi, c.o);
    return;
  }
  // Under mpirun the other ranks wait for tasks: whatever ends this rank's work before the sweep
  // runs (an error, --dry-run) stops them first.
  bool stopped = false;
  auto stop_workers = [&] {
    if (mpi.active() && !stopped) {
      stopped = true;
      run_mpi_coordinator(mpi, nullptr, c.o);
    }
  };
  Plan plan;
  try {
    std::optional<driver::Engine> engine;
    if (!c.engine.empty()) engine = driver::parse_engine("--engine", c.engine);
    plan = make_plan(load_spec(c.spec), engine);
    print_plan(plan);
    if (c.dry_run) {
      std::map<std::string, std::string> existing;
      if (std::filesystem::exists(c.o.db)) existing = ResultsDb(c.o.db, false).existing();
      std::size_t mine = 0;
      const auto todo = pending_tasks(plan, existing, c.o, &mine);
      fmt::print("dry run: {} of {} tasks{} would run; {} are in {}\n", todo.size(), mine,
                 c.o.shards > 1 ? fmt::format(" (shard {}/{})", c.o.shard, c.o.shards) : "", mine - todo.size(),
                 c.o.db);
      for (std::size_t i = 0; i < plan.points.size() && i < 20; ++i) {
        const auto& p = plan.points[i];
        std::string ov;
        for (const auto& o : p.point.overrides) ov += fmt::format("{}{}", ov.empty() ? "" : " ", o.text());
        fmt::print("  {} {}{}\n", p.hash, ov, p.cfg ? "" : fmt::format("  invalid: {}", p.invalid));
      }
      if (plan.points.size() > 20) fmt::print("  ... and {} more points\n", plan.points.size() - 20);
      stop_workers();
      return;
    }
  } catch (...) {
    stop_workers();
    throw;
  }
  if (mpi.active() && !c.jobs_given) c.o.jobs = 1;
  const SweepSummary s = mpi.active() ? run_mpi_coordinator(mpi, &plan, c.o) : run_sweep(plan, c.o);
  if (c.o.shards > 1) fmt::print("shard {}/{}: {} of the tasks\n", c.o.shard, c.o.shards, s.tasks);
  fmt::print("ran {} task{} in {:.1f} s on {} worker{}{} ({:.1f} tasks/s): {} done, {} failed; {} already in the database\n",
             s.ran, s.ran == 1 ? "" : "s", s.seconds, s.workers, s.workers == 1 ? "" : "s",
             mpi.active() ? fmt::format(" over {} MPI ranks", mpi.size() - 1) : "",
             s.seconds > 0 ? double(s.ran) / s.seconds : 0.0, s.done, s.failed, s.present);
  ResultsDb db(c.o.db, false);
  fmt::print("results: {} ({} rows: {} done, {} failed)\n", c.o.db, db.count(), db.count("done"), db.count("failed"));
}

// ---- pareto ----

struct ParetoCmd {
  std::string db, x = "area_mm2", y = "latency_s", workload, format = "table";
};

void run_pareto(const ParetoCmd& c) {
  check_choice("--format", c.format, {"table", "csv", "json"});
  const Metric& xm = metric_or_throw(c.x, "--x");
  const Metric& ym = metric_or_throw(c.y, "--y");
  auto db = open_existing(c.db);
  RowFilter f;
  f.workload = c.workload;
  f.status = "done";
  f.with_config = false;
  const auto rows = db->rows(f);
  if (rows.empty())
    throw Error(c.workload.empty() ? fmt::format("--db {}: no finished rows", c.db)
                                   : fmt::format("--workload {}: no finished rows in {}", c.workload, c.db));
  std::vector<std::string> preferred;
  for (const auto& s : db->sweeps()) preferred.insert(preferred.end(), s.axes.begin(), s.axes.end());
  const auto axes = axes_of(rows, preferred);
  const auto groups = group_rows(rows);
  nlohmann::json j = nlohmann::json::array();
  std::string csv;
  if (c.format == "csv") {
    csv = fmt::format("workload,engine,config_hash,{},{}", xm.name, ym.name);
    for (const auto& a : axes) csv += fmt::format(",{}", csv_field(a));
    csv += "\n";
  }
  for (const auto& g : groups) {
    const auto front = pareto_rows(g, xm, ym);
    if (c.format == "table") {
      fmt::print("Pareto set of {} ({}) and {} ({}) for {}: {} of {} points\n\n", xm.name, xm.minimize ? "min" : "max",
                 ym.name, ym.minimize ? "min" : "max", g.title(), front.size(), g.rows.size());
      std::string head = fmt::format("{:<16} {:>12} {:>12}", "config_hash", xm.name, ym.name);
      for (const auto& a : axes) head += fmt::format("  {:>{}}", a, std::max<std::size_t>(a.size(), 6));
      fmt::print("{}\n", head);
      for (const ResultRow* r : front) {
        std::string line = fmt::format("{:<16} {:>12.5g} {:>12.5g}", r->config_hash, *r->metric(xm.name), *r->metric(ym.name));
        for (const auto& a : axes)
          line += fmt::format("  {:>{}}", r->point.contains(a) ? value_text(r->point[a]) : "-", std::max<std::size_t>(a.size(), 6));
        fmt::print("{}\n", line);
      }
      fmt::print("\n");
    } else if (c.format == "csv") {
      for (const ResultRow* r : front) {
        csv += fmt::format("{},{},{},{},{}", csv_field(g.workload), g.engine, r->config_hash,
                           metric_value_text(xm, *r->metric(xm.name)), metric_value_text(ym, *r->metric(ym.name)));
        for (const auto& a : axes) csv += fmt::format(",{}", csv_field(r->point.contains(a) ? value_text(r->point[a]) : ""));
        csv += "\n";
      }
    } else {
      nlohmann::json pts = nlohmann::json::array();
      for (const ResultRow* r : front)
        pts.push_back({{"config_hash", r->config_hash},
                       {xm.name, *r->metric(xm.name)},
                       {ym.name, *r->metric(ym.name)},
                       {"point", r->point}});
      j.push_back({{"workload", g.workload},
                   {"engine", g.engine},
                   {"x", xm.name},
                   {"y", ym.name},
                   {"points", g.rows.size()},
                   {"pareto", pts}});
    }
  }
  if (c.format == "csv") fmt::print("{}", csv);
  if (c.format == "json") fmt::print("{}\n", j.dump(2));
}

// ---- export ----

struct ExportCmd {
  std::string db, format = "csv", out, workload, status;
  bool with_result = false;
};

void run_export(const ExportCmd& c) {
  check_choice("--format", c.format, {"csv", "json"});
  if (!c.status.empty()) check_choice("--status", c.status, {"done", "failed"});
  auto db = open_existing(c.db);
  RowFilter f;
  f.workload = c.workload;
  f.status = c.status;
  f.with_result = c.with_result;
  f.with_config = c.format == "json";
  const auto rows = db->rows(f);
  std::vector<std::string> preferred;
  for (const auto& s : db->sweeps()) preferred.insert(preferred.end(), s.axes.begin(), s.axes.end());
  const auto axes = axes_of(rows, preferred);
  std::string text;
  if (c.format == "csv") {
    text = "config_hash,workload,engine,sweep,model,batch,seq,dtype,status";
    for (const auto& a : axes) text += fmt::format(",{}", csv_field(a));
    for (const auto& m : metric_catalog()) text += fmt::format(",{}", m.name);
    for (const auto& m : serving::serving_metrics()) text += fmt::format(",{}", m.name);
    text += ",wall_s,host,worker,finished_at,error\n";
    for (const auto& r : rows) {
      text += fmt::format("{},{},{},{},{},{},{},{},{}", r.config_hash, csv_field(r.workload), r.engine, csv_field(r.sweep),
                          csv_field(r.model), r.batch, r.seq, r.dtype, r.status);
      for (const auto& a : axes) text += fmt::format(",{}", csv_field(r.point.contains(a) ? value_text(r.point[a]) : ""));
      for (const auto& m : metric_catalog()) {
        auto v = r.metric(m.name);
        text += fmt::format(",{}", v ? metric_value_text(m, *v) : std::string());
      }
      for (const auto& m : serving::serving_metrics()) {
        auto v = r.metric(m.name);
        text += fmt::format(",{}", v ? fmt::format("{:.9g}", *v) : std::string());
      }
      text += fmt::format(",{:.6g},{},{},{},{}\n", r.wall_s, csv_field(r.host), csv_field(r.worker), r.finished_at,
                          csv_field(r.error));
    }
  } else {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : rows) {
      nlohmann::json j = {{"config_hash", r.config_hash}, {"workload", r.workload}, {"engine", r.engine},
                          {"sweep", r.sweep},             {"model", r.model},       {"batch", r.batch},
                          {"seq", r.seq},                 {"dtype", r.dtype},       {"status", r.status},
                          {"point", r.point},             {"metrics", metrics_json(r)}, {"wall_s", r.wall_s},
                          {"host", r.host},               {"worker", r.worker},     {"finished_at", r.finished_at},
                          {"config", r.config}};
      if (!r.error.empty()) j["error"] = r.error;
      if (c.with_result && !r.result.empty()) j["result"] = nlohmann::json::parse(r.result);
      all.push_back(std::move(j));
    }
    text = all.dump(2) + "\n";
  }
  if (c.out.empty())
    fmt::print("{}", text);
  else
    write_text_file(c.out, text);
}

// ---- merge ----

struct MergeCmd {
  std::string db;
  std::vector<std::string> inputs;
};

void run_merge(const MergeCmd& c) {
  std::error_code ec;
  for (const auto& in : c.inputs) {
    if (!std::filesystem::exists(in)) throw Error(fmt::format("merge: no such results database '{}'", in));
    if (std::filesystem::exists(c.db) && std::filesystem::equivalent(in, c.db, ec))
      throw Error(fmt::format("merge: '{}' is the output database itself", in));
  }
  ResultsDb out(c.db);
  MergeStats total;
  for (const auto& in : c.inputs) {
    const MergeStats s = out.merge_from(in);
    fmt::print("{}: {} rows: {} added, {} replaced a failed row, {} already present\n", in, s.read, s.added, s.replaced,
               s.kept);
    total.read += s.read, total.added += s.added, total.replaced += s.replaced, total.kept += s.kept;
  }
  fmt::print("{}: {} rows ({} done, {} failed)\n", c.db, out.count(), out.count("done"), out.count("failed"));
}

// ---- report ----

struct ReportCmd {
  std::string db, out, x = "area_mm2", y = "latency_s", workload, metric;
  std::vector<std::string> points;
  int detail = 3;
};

report::Point to_point(const ResultRow& r, const std::string& group) {
  report::Point p;
  p.id = r.config_hash;
  p.label = r.config_hash.substr(0, 10);
  p.group = group;
  p.metrics = r.metrics;
  p.values = r.point;
  return p;
}

// Fills the layers and roofs of a detailed point from its stored result and configuration.
void add_detail(report::Point& p, const ResultRow& full) {
  if (!full.result.empty()) p.layers = compiler::layers_from_json(nlohmann::json::parse(full.result), true);
  if (!full.config.empty()) {
    try {
      const auto cfg = arch::load_arch(full.config, fmt::format("<point {}>", full.config_hash));
      p.clock_hz = cfg->clock_mhz * 1e6;
      p.dram_bytes_per_s = cfg->dram.bandwidth_gb_per_s * 1e9;
    } catch (const Error&) {
      // the stored configuration no longer loads (another npusim version): no roofs
    }
  }
  p.peak_ops_per_s = full.metric("peak_tops").value_or(0) * 1e12;
}

void run_report(const ReportCmd& c) {
  const Metric& xm = metric_or_throw(c.x, "--x");
  const Metric& ym = metric_or_throw(c.y, "--y");
  const Metric& sm = metric_or_throw(c.metric.empty() ? ym.name : c.metric, "--metric");
  if (c.detail < 0) throw Error(fmt::format("--detail {}: must be >= 0", c.detail));
  auto db = open_existing(c.db);
  RowFilter f;
  f.workload = c.workload;
  f.with_config = false;
  const auto rows = db->rows(f);
  if (rows.empty())
    throw Error(c.workload.empty() ? fmt::format("--db {}: no rows", c.db)
                                   : fmt::format("--workload {}: no rows in {}", c.workload, c.db));
  const auto sweeps = db->sweeps();
  std::vector<std::string> preferred, objectives;
  for (const auto& s : sweeps) {
    preferred.insert(preferred.end(), s.axes.begin(), s.axes.end());
    for (const auto& o : s.objectives)
      if (std::find(objectives.begin(), objectives.end(), o) == objectives.end()) objectives.push_back(o);
  }
  report::ReportData d;
  d.title = sweeps.empty() ? "npusim sweep report" : fmt::format("npusim sweep report: {}", sweeps.back().name);
  d.x_metric = xm.name, d.y_metric = ym.name;
  d.axes = axes_of(rows, preferred);
  d.table_metrics = objectives;
  for (const char* m : {"energy_j", "edp", "tops_per_watt", "utilization"})
    if (std::find(d.table_metrics.begin(), d.table_metrics.end(), m) == d.table_metrics.end()) d.table_metrics.push_back(m);
  d.facts.emplace_back("database", c.db);
  for (const auto& s : sweeps)
    d.facts.emplace_back("sweep", fmt::format("{} ({}, engine {}): {} points, {} skipped by constraints, {} tasks; started {}",
                                              s.name, s.source, s.engine, s.points, s.skipped, s.tasks, s.started_at));
  std::size_t done = 0, failed = 0;
  for (const auto& r : rows) (r.status == "done" ? done : failed) += 1;
  d.facts.emplace_back("rows", fmt::format("{} done, {} failed{}", done, failed,
                                           c.workload.empty() ? "" : fmt::format(" (workload {})", c.workload)));
  const auto groups = group_rows(rows);
  for (const auto& g : groups)
    for (const ResultRow* r : g.rows) d.points.push_back(to_point(*r, g.title()));
  // points in detail: the ones asked for, else up to --detail spread along each Pareto set
  std::vector<std::pair<const ResultRow*, std::string>> chosen;
  if (!c.points.empty()) {
    for (const auto& g : groups)
      for (const ResultRow* r : g.rows)
        for (const auto& h : c.points)
          if (r->config_hash.rfind(h, 0) == 0) chosen.emplace_back(r, g.title());
    if (chosen.empty()) throw Error(fmt::format("--point {}: no finished row has this config hash", c.points.front()));
  } else if (c.detail > 0) {
    for (const auto& g : groups) {
      const auto front = pareto_rows(g, xm, ym);
      const std::size_t n = front.size(), k = std::min<std::size_t>(std::size_t(c.detail), n);
      std::set<std::size_t> at;
      for (std::size_t i = 0; i < k; ++i) at.insert(k == 1 ? 0 : (i * (n - 1) + (k - 1) / 2) / (k - 1));
      for (std::size_t i : at) chosen.emplace_back(front[i], g.title());
    }
  }
  std::vector<std::string> hashes;
  for (const auto& [r, g] : chosen) hashes.push_back(r->config_hash);
  if (!chosen.empty()) {
    RowFilter full;
    full.hashes = hashes;
    full.with_result = true;
    full.status = "done";
    const auto details = db->rows(full);
    for (const auto& [r, g] : chosen) {
      report::Point p = to_point(*r, g);
      for (const auto& x : details)
        if (x.key() == r->key()) add_detail(p, x);
      d.detailed.push_back(std::move(p));
    }
  }
  d.sensitivity_metric = sm.name;
  for (const auto& s : sensitivity(groups, d.axes, sm)) {
    report::SensitivitySeries x;
    x.axis = s.axis;
    x.group = s.group;
    x.numeric = std::all_of(s.points.begin(), s.points.end(), [](const auto& p) { return p.value.is_number(); });
    for (const auto& p : s.points) x.points.emplace_back(value_text(p.value), p.best);
    d.sensitivity.push_back(std::move(x));
  }
  for (const auto& r : rows) {
    if (r.status != "failed") continue;
    ++d.failures_total;
    if (d.failures.size() < 200) d.failures.push_back({r.config_hash, r.workload, r.error});
  }
  const std::filesystem::path out = std::filesystem::path(c.out) / "report.html";
  write_text_file(out, report::render_html(d));
  fmt::print("wrote {}: {} points in {} workload group{}, {} in detail, {} axes{}\n", out.string(), d.points.size(),
             groups.size(), groups.size() == 1 ? "" : "s", d.detailed.size(), d.axes.size(),
             failed ? fmt::format(", {} failed rows listed", d.failures_total) : "");
}

// ---- compare ----

struct CompareCmd {
  std::vector<std::string> archs, models, inputs;
  std::int64_t batch = 1, seq = 0;
  std::string engine = "systemc", format = "table", out;
};

struct CompareCell {
  std::string arch;
  bool ok = false;
  std::string error;
  compiler::RunResult r;
  std::map<std::string, double> m;
};

std::string pct(double v) { return fmt::format("{:.1f}%", 100 * v); }

void run_compare(const CompareCmd& c) {
  driver::parse_engine("--engine", c.engine);
  check_choice("--format", c.format, {"table", "json"});
  if (c.archs.size() < 2) throw Error("compare: give at least two --arch");
  std::vector<std::string> models = c.models.empty() ? std::vector<std::string>{"resnet50"} : c.models;
  std::vector<arch::ArchConfigPtr> cfgs;
  for (const auto& a : c.archs) cfgs.push_back(driver::load_arch(a, {}));
  report::ReportData d;
  d.title = fmt::format("npusim compare: {}", [&] {
    std::string s;
    for (const auto& a : cfgs) s += fmt::format("{}{}", s.empty() ? "" : " vs ", a->name);
    return s;
  }());
  d.facts.emplace_back("engine", c.engine);
  d.speedup = true;
  d.table_metrics = {"inferences_per_s", "utilization", "energy_j", "tops_per_watt", "peak_tops"};
  nlohmann::json jout = nlohmann::json::array();
  for (const auto& model : models) {
    std::vector<CompareCell> cells;
    std::string group;
    for (std::size_t i = 0; i < cfgs.size(); ++i) {
      CompareCell cell;
      cell.arch = cfgs[i]->name;
      try {
        driver::ModelSpec ms;
        ms.model = model, ms.batch = c.batch, ms.seq = c.seq;
        ms.inputs = parse_inputs(c.inputs);
        const auto cm = driver::compile(driver::load_model(ms, *cfgs[i]), cfgs[i], {}, ms.batch);
        if (i == 0) print_model_warnings(cm.graph);
        cell.r = driver::run(cm, driver::run_options(driver::parse_engine("--engine", c.engine)));
        cell.m = metrics_of(cell.r);
        cell.ok = true;
      } catch (const Error& e) {
        cell.error = e.what();
      }
      cells.push_back(std::move(cell));
    }
    Workload w;
    w.model = model, w.batch = c.batch, w.seq = c.seq;
    group = w.key();
    // ---- table ----
    const std::size_t cw = 16;
    std::string t = fmt::format("{} (batch {}{}), engine {}\n\n{:<22}", model, c.batch,
                                c.seq ? fmt::format(", seq {}", c.seq) : "", c.engine, "");
    for (const auto& cell : cells) t += fmt::format("{:>{}}", fit(cell.arch, cw - 1), cw);
    t += "\n";
    const CompareCell* base = cells.front().ok ? &cells.front() : nullptr;
    auto row = [&](const std::string& name, auto&& text) {
      t += fmt::format("{:<22}", name);
      for (const auto& cell : cells) t += fmt::format("{:>{}}", cell.ok ? text(cell) : std::string("failed"), cw);
      t += "\n";
    };
    row("latency", [](const CompareCell& x) { return report::si(x.m.at("latency_s")) + "s"; });
    row("speed-up", [&](const CompareCell& x) {
      return base ? fmt::format("{:.2f}x", base->m.at("latency_s") / x.m.at("latency_s")) : std::string("-");
    });
    row("throughput (inf/s)", [](const CompareCell& x) { return fmt::format("{:.4g}", x.m.at("inferences_per_s")); });
    if (std::any_of(cells.begin(), cells.end(), [](const auto& x) { return x.ok && x.m.at("tokens_per_s") > 0; }))
      row("tokens/s", [](const CompareCell& x) { return fmt::format("{:.4g}", x.m.at("tokens_per_s")); });
    row("PE utilisation", [](const CompareCell& x) { return pct(x.m.at("utilization")); });
    row("energy", [](const CompareCell& x) { return report::si(x.m.at("energy_j")) + "J"; });
    row("TOPS (attained)", [](const CompareCell& x) { return fmt::format("{:.3g}", x.m.at("tops")); });
    row("TOPS (peak)", [](const CompareCell& x) { return fmt::format("{:.3g}", x.m.at("peak_tops")); });
    row("TOPS/W", [](const CompareCell& x) { return fmt::format("{:.3g}", x.m.at("tops_per_watt")); });
    row("area (mm2)", [](const CompareCell& x) { return fmt::format("{:.4g}", x.m.at("area_mm2")); });
    row("inf/s per mm2", [](const CompareCell& x) { return fmt::format("{:.4g}", x.m.at("throughput_per_mm2")); });
    row("DRAM traffic", [](const CompareCell& x) { return human_bytes(x.m.at("dram_bytes")); });
    row("datatype", [](const CompareCell& x) { return std::string(name_of(x.r.dtype)); });
    // per layer: time on each architecture and the speed-up over the first
    nlohmann::json jl = nlohmann::json::array();
    if (base) {
      t += fmt::format("\nper-layer time and speed-up over {}\n{:<28}", base->arch, "layer");
      for (const auto& cell : cells) t += fmt::format("{:>12}{}", fit(cell.arch, 11), &cell == base ? "" : "        ");
      t += "\n";
      for (const auto& bl : base->r.layers) {
        const double tb = double(bl.cycles) * base->r.arch->cycle_ns() * 1e-9;
        t += fmt::format("{:<28}", fit(bl.name, 27));
        nlohmann::json lj = {{"layer", bl.name}, {"time_s", nlohmann::json::object()}, {"speedup", nlohmann::json::object()}};
        for (const auto& cell : cells) {
          const compiler::LayerResult* l = nullptr;
          if (cell.ok)
            for (const auto& x : cell.r.layers)
              if (x.name == bl.name) l = &x;
          if (!l) {
            t += fmt::format("{:>12}{}", "-", &cell == base ? "" : "        ");
            continue;
          }
          const double tl = double(l->cycles) * cell.r.arch->cycle_ns() * 1e-9;
          lj["time_s"][cell.arch] = tl;
          t += fmt::format("{:>12}", report::si(tl) + "s");
          if (&cell != base) {
            t += fmt::format("{:>8}", tl > 0 ? fmt::format("{:.2f}x", tb / tl) : "-");
            if (tl > 0) lj["speedup"][cell.arch] = tb / tl;
          }
        }
        t += "\n";
        jl.push_back(std::move(lj));
      }
    }
    for (const auto& cell : cells)
      if (!cell.ok) t += fmt::format("{}: failed: {}\n", cell.arch, cell.error);
    if (c.format == "table") fmt::print("{}\n", t);
    nlohmann::json jm = {{"model", model}, {"batch", c.batch}, {"seq", c.seq}, {"engine", c.engine}};
    for (const auto& cell : cells) {
      nlohmann::json a = {{"arch", cell.arch}};
      if (cell.ok)
        a["metrics"] = cell.m;
      else
        a["error"] = cell.error;
      jm["archs"].push_back(std::move(a));
    }
    jm["layers"] = std::move(jl);
    jout.push_back(std::move(jm));
    // ---- the report's points ----
    for (const auto& cell : cells) {
      if (!cell.ok) continue;
      report::Point p;
      p.id = cell.arch;
      p.label = cell.arch;
      p.group = group;
      p.metrics = cell.m;
      d.points.push_back(p);
      p.layers = cell.r.layers;
      p.clock_hz = cell.r.arch->clock_mhz * 1e6;
      p.peak_ops_per_s = cell.m.at("peak_tops") * 1e12;
      p.dram_bytes_per_s = cell.r.arch->dram.bandwidth_gb_per_s * 1e9;
      d.detailed.push_back(std::move(p));
    }
  }
  if (c.format == "json") fmt::print("{}\n", jout.dump(2));
  if (!c.out.empty()) {
    const std::filesystem::path dir(c.out);
    write_text_file(dir / "compare.html", report::render_html(d));
    write_text_file(dir / "compare.json", jout.dump(2) + "\n");
    if (c.format == "table") fmt::print("wrote {} and {}\n", (dir / "compare.html").string(), (dir / "compare.json").string());
  }
}

}  // namespace

void register_sweep_commands(CLI::App& app) {
  auto sc = std::make_shared<SweepCmd>();
  CLI::App* sw = app.add_subcommand("sweep", "Run a design-space sweep from a spec into a results database");
  sw->add_option("spec", sc->spec, "Sweep spec: a YAML file, or an example name (configs/sweeps/*.yaml)")->required();
  auto* j = sw->add_option("-j,--jobs", sc->o.jobs,
                           "Worker processes at a time [default: the CPUs; under mpirun: 1 per rank]");
  sw->add_option("--db", sc->o.db, "Results database (SQLite); rerunning resumes it")->capture_default_str();
  sw->add_option("--engine", sc->engine, "systemc or analytic, instead of the spec's engine");
  sw->add_option("--shard", sc->shard, "Run only the tasks I, I+N, I+2N, ... (I/N, from 0), e.g. for Slurm job arrays");
  sw->add_flag("--retry-failed", sc->o.retry_failed, "Run again the tasks whose rows failed");
  sw->add_option("--timeout", sc->o.task_timeout_s, "Kill a task after this many seconds and record it as failed");
  sw->add_option("--progress-interval", sc->o.progress_interval_s,
                 "Seconds between progress lines when stderr is not a terminal")
      ->capture_default_str();
  sw->add_flag("--quiet", sc->o.quiet, "No progress on stderr");
  sw->add_flag("--dry-run", sc->dry_run, "Print the plan and what would run; run nothing");
  sw->callback([sc, j] {
    sc->jobs_given = j->count() > 0;
    if (sc->jobs_given && sc->o.jobs < 1) throw Error(fmt::format("--jobs {}: must be >= 1", sc->o.jobs));
    run_sweep_command(*sc);
  });

  auto mc = std::make_shared<MergeCmd>();
  CLI::App* mg = app.add_subcommand("merge", "Merge results databases (shards, other machines) into one");
  mg->add_option("--db", mc->db, "The database to merge into (created if absent)")->required();
  mg->add_option("inputs", mc->inputs, "Databases to read")->required();
  mg->callback([mc] { run_merge(*mc); });

  auto pc = std::make_shared<ParetoCmd>();
  CLI::App* pa = app.add_subcommand("pareto", "Print the Pareto set of two metrics from a results database");
  pa->add_option("--db", pc->db, "Results database")->required();
  pa->add_option("--x", pc->x, "First metric (e.g. area_mm2, energy, tops_per_watt)")->capture_default_str();
  pa->add_option("--y", pc->y, "Second metric (e.g. latency, edp, throughput_per_mm2)")->capture_default_str();
  pa->add_option("--workload", pc->workload, "Only this workload (a key such as resnet50/b1, or a model name)");
  pa->add_option("--format", pc->format, "table, csv or json")->capture_default_str();
  pa->callback([pc] { run_pareto(*pc); });

  auto rc = std::make_shared<ReportCmd>();
  CLI::App* rp = app.add_subcommand("report", "Write a self-contained HTML report with SVG charts from a results database");
  rp->add_option("--db", rc->db, "Results database")->required();
  rp->add_option("--out", rc->out, "Directory for report.html")->required();
  rp->add_option("--x", rc->x, "Metric on the x axis of the Pareto charts")->capture_default_str();
  rp->add_option("--y", rc->y, "Metric on the y axis of the Pareto charts")->capture_default_str();
  rp->add_option("--metric", rc->metric, "Metric of the sensitivity charts [default: --y]");
  rp->add_option("--workload", rc->workload, "Only this workload");
  rp->add_option("--point", rc->points, "Show this point (config hash or a prefix) per layer (repeatable)");
  rp->add_option("--detail", rc->detail, "Without --point: points per workload shown per layer, spread along the Pareto set")
      ->capture_default_str();
  rp->callback([rc] { run_report(*rc); });

  auto ec = std::make_shared<ExportCmd>();
  CLI::App* ex = app.add_subcommand("export", "Export the rows of a results database as CSV or JSON");
  ex->add_option("--db", ec->db, "Results database")->required();
  ex->add_option("--format", ec->format, "csv or json")->capture_default_str();
  ex->add_option("--out", ec->out, "File to write [default: stdout]");
  ex->add_option("--workload", ec->workload, "Only this workload");
  ex->add_option("--status", ec->status, "Only done or failed rows");
  ex->add_flag("--with-result", ec->with_result, "JSON: include each row's per-layer result");
  ex->callback([ec] { run_export(*ec); });

  auto cc = std::make_shared<CompareCmd>();
  CLI::App* cp = app.add_subcommand("compare", "Compare architectures on models side by side (and the report's charts)");
  cp->add_option("--arch", cc->archs, "Architecture: a preset or a YAML file (repeat, at least two)")->required();
  cp->add_option("--model", cc->models, "Model (repeatable) [default: resnet50]");
  cp->add_option("--input", cc->inputs, "ONNX models: the shape of an input, e.g. --input input_ids=1x128 (repeatable)");
  cp->add_option("--batch", cc->batch, "Batch size")->capture_default_str();
  cp->add_option("--seq", cc->seq, "Sequence length for sequence models [default: the model's]");
  cp->add_option("--engine", cc->engine, "systemc or analytic")->capture_default_str();
  cp->add_option("--format", cc->format, "table or json")->capture_default_str();
  cp->add_option("--out", cc->out, "Also write compare.html (Pareto, per-layer, roofline, speed-up charts) and compare.json here");
  cp->callback([cc] { run_compare(*cc); });
}

}  // namespace npusim::cli
