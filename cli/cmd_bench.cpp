// npusim bench: speed of npusim itself. The figures in docs/PERFORMANCE.md come from here, never
// from tests.
//  mapping:    compile = lowering + mapping search + inter-layer reuse
//  simulation: a whole `npusim run` with the SystemC engine: compile, then the simulation in its
//              own process; wall time end to end, the simulation's own time and events, and the
//              peak memory of the simulating process
//  sweep:      a whole `npusim sweep` of 1,000 design points x ResNet-50 with each engine
//              (cli/sweep_run.h: sweep_benchmark), into a fresh database
//  mapping-optimality: the mapping search against an exhaustive search (compiler::
//              exhaustive_mapping) on every distinct layer of the zoo, per preset: how much slower
//              (analytic cycles) the chosen mapping is than the best of the exhaustive grid
//  training:   one training step of gpt3-175b on 1,024 A100s (a fresh model each time: chip
//              compilation, network, pipeline), and `npusim train-plan` over those 1,024 chips on
//              the sweep engine into a fresh database
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "compiler/compile.h"
#include "compiler/mapper.h"
#include "compiler/mapping_cache.h"
#include "dse/run.h"
#include "dse/train_plan.h"
#include "serving/serve.h"
#include "sim/simulate.h"
#include "workloads/zoo.h"

namespace npusim::cli {

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

struct Case {
  std::string model, arch;
  std::int64_t seq = 0;
};

std::vector<Case> parse_cases(const std::vector<std::string>& specs) {
  std::vector<Case> cases;
  for (const auto& c : specs) {
    auto at = c.find('@');
    if (at == std::string::npos) throw Error(fmt::format("--case {}: expected MODEL@ARCH[:SEQ]", c));
    Case k{c.substr(0, at), c.substr(at + 1), 0};
    if (auto colon = k.arch.find(':'); colon != std::string::npos) {
      k.seq = std::stoll(k.arch.substr(colon + 1));
      k.arch = k.arch.substr(0, colon);
    }
    cases.push_back(k);
  }
  return cases;
}

template <class F>
std::vector<double> timed(int repeat, F&& f) {
  std::vector<double> ms;
  for (int r = 0; r < std::max(1, repeat); ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

void mapping_suite(const std::vector<Case>& cases, int repeat) {
  fmt::print("mapping: lowering + mapping search + inter-layer reuse, one thread; median of {} runs\n\n", repeat);
  fmt::print("{:<22} {:<10} {:>7} {:>12} {:>11} {:>11} {:>10}\n", "model", "arch", "layers", "mappings", "median ms",
             "min ms", "peak MiB");
  for (const Case& c : cases) {
    ModelOptions mo;
    mo.model = c.model, mo.arch = c.arch, mo.seq = c.seq;
    std::int64_t evaluated = 0;
    std::size_t layers = 0;
    auto ms = timed(repeat, [&] {
      auto cm = driver::compile(compile_request(mo));
      evaluated = 0;
      for (const auto& l : cm.layers) evaluated += l.evaluated;
      layers = cm.layers.size();
    });
    fmt::print("{:<22} {:<10} {:>7} {:>12} {:>11.1f} {:>11.1f} {:>10.1f}\n", c.model, c.arch, layers, evaluated,
               ms[ms.size() / 2], ms.front(), peak_rss_mib());
  }
}

void simulation_suite(const std::vector<Case>& cases, int repeat) {
  fmt::print("\nsimulation: `npusim run` with the SystemC engine (compile, then simulate in a child process); "
             "median of {} runs\n\n",
             repeat);
  fmt::print("{:<22} {:<10} {:>8} {:>12} {:>10} {:>10} {:>11} {:>12} {:>9}\n", "model", "arch", "seq", "sim cycles",
             "run ms", "sim ms", "events", "M events/s", "peak MiB");
  for (const Case& c : cases) {
    ModelOptions mo;
    mo.model = c.model, mo.arch = c.arch, mo.seq = c.seq;
    compiler::RunResult last;
    std::vector<double> sim_ms;
    auto ms = timed(repeat, [&] {
      auto cm = driver::compile(compile_request(mo));
      last = sim::simulate(cm);
      sim_ms.push_back(last.sim_wall_seconds * 1e3);
    });
    std::sort(sim_ms.begin(), sim_ms.end());
    const double sim_med = sim_ms[sim_ms.size() / 2];
    fmt::print("{:<22} {:<10} {:>8} {:>12} {:>10.1f} {:>10.1f} {:>11} {:>12.2f} {:>9.1f}\n", c.model, c.arch,
               c.seq ? std::to_string(c.seq) : "-", last.total_cycles, ms[ms.size() / 2], sim_med, last.sim_events,
               sim_med > 0 ? double(last.sim_events) / (sim_med * 1e-3) * 1e-6 : 0.0,
               std::max(last.sim_peak_rss_mib, peak_rss_mib()));
  }
}

std::vector<Case> default_mapping_cases() {
  std::vector<Case> v;
  v.push_back({"resnet50", "tpu-v1", 0});
  v.push_back({"resnet50", "edge-npu", 0});
  v.push_back({"resnet50", "dc-npu", 0});
  v.push_back({"bert-base", "tpu-v1", 128});
  v.push_back({"gpt2-decode", "dc-npu", 1024});
  v.push_back({"mobilenetv2", "eyeriss", 0});
  return v;
}

// Every distinct layer (compiler::mapping_signature) of the zoo's models at their default sizes,
// lowered for `arch`'s default datatype; `only` restricts to the named models.
std::vector<compiler::Layer> distinct_zoo_layers(const arch::ArchConfig& arch, const std::set<std::string>& only) {
  std::vector<compiler::Layer> out;
  std::set<std::string> seen;
  for (const workloads::ModelInfo& info : workloads::model_zoo()) {
    if (!only.empty() && !only.contains(info.name)) continue;
    workloads::ModelParams p;
    p.dtype = arch.datatypes.default_dtype;
    const compiler::LayerGraph lg = compiler::lower(info.build(p));
    for (const compiler::Layer& L : lg.layers)
      if (seen.insert(compiler::mapping_signature(L, false, false)).second) out.push_back(L);
  }
  return out;
}

// The mapper against the exhaustive search, per preset: the gap is the chosen mapping's analytic
// cycles over the exhaustive best's, minus one (both evaluated exactly). Deterministic.
void mapping_optimality_suite(const std::vector<Case>& cases) {
  std::map<std::string, std::set<std::string>> per_arch;  // arch -> models (empty: the whole zoo)
  if (cases.empty())
    for (const char* a : {"edge-npu", "tpu-v1", "dc-npu", "eyeriss"}) per_arch[a] = {};
  for (const Case& c : cases) per_arch[c.arch].insert(c.model);
  fmt::print("mapping-optimality: the mapping search against an exhaustive search (every candidate of the search, "
             "every\nmultiple of the array quantum or 48 evenly spaced ones, every power of two; all orders, "
             "residencies and\nsplits; no pruning) on the distinct layers of the zoo; gap = search cycles / "
             "exhaustive cycles - 1\n\n");
  fmt::print("{:<10} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>13} {:>14}  {}\n", "arch", "layers", "no fit", "exact",
             "<= 1%", "mean gap", "worst gap", "search maps", "exhaust. maps", "worst layer");
  for (const auto& [arch_name, models] : per_arch) {
    const arch::ArchConfigPtr arch = driver::load_arch(arch_name);
    const compiler::CostContext ctx = compiler::CostContext::make(arch, arch->datatypes.default_dtype);
    const std::vector<compiler::Layer> layers = distinct_zoo_layers(*arch, models);
    std::int64_t no_fit = 0, exact = 0, within = 0, n = 0, ev_search = 0, ev_exh = 0;
    double sum = 0, worst = -1;
    std::string worst_layer = "-";
    for (const compiler::Layer& L : layers) {
      const auto fast = compiler::search_mapping(ctx, L, {});
      const auto full = compiler::exhaustive_mapping(ctx, L, {});
      if (!fast || !full) {
        ++no_fit;
        continue;
      }
      const double gap = double(fast->cost.cycles) / double(std::max<std::int64_t>(1, full->cost.cycles)) - 1.0;
      ++n;
      sum += gap;
      exact += fast->cost.cycles == full->cost.cycles ? 1 : 0;
      within += gap <= 0.01 ? 1 : 0;
      ev_search += fast->evaluated;
      ev_exh += full->evaluated;
      if (gap > worst) worst = gap, worst_layer = L.name;
    }
    fmt::print("{:<10} {:>7} {:>9} {:>9} {:>9} {:>8.2f}% {:>9.2f}% {:>13} {:>14}  {}\n", arch_name, layers.size(), no_fit,
               exact, within, n ? 100.0 * sum / double(n) : 0.0, 100.0 * std::max(0.0, worst), ev_search, ev_exh,
               worst_layer);
  }
}

// Issue 3's suite: ResNet-50 (batch 1), BERT-base (seq 128), GPT-2 decode (one token at 1024
// context) on two presets.
std::vector<Case> default_simulation_cases() {
  std::vector<Case> v;
  for (const char* arch : {"edge-npu", "dc-npu"}) {
    v.push_back({"resnet50", arch, 0});
    v.push_back({"bert-base", arch, 128});
    v.push_back({"gpt2-decode", arch, 1024});
  }
  return v;
}

// Issue 15's targets: the whole 2023 Azure conversation trace on 4 replicas (< 10 s); one
// million requests (< 3 min, with the progress bar of `npusim serve`).
void serving_suite(const std::string& trace_file, std::int64_t million, bool quiet) {
  fmt::print("serving: `npusim serve`, llama2-70b on h100_sxm replicas of 4 (tp 4, NVLink 450 GB/s), continuous "
             "batching; wall time end to end (trace reading, chip model, simulation)\n\n");
  fmt::print("{:<52} {:>9} {:>9} {:>12} {:>9} {:>9}\n", "case", "requests", "replicas", "iterations", "wall s",
             "sim s");
  auto run = [&](const std::string& name, serving::ServeRequest r, bool bar) {
    r.arch = "h100_sxm";
    r.model = "llama2-70b";
    r.tp = 4;
    r.chip_link = {450e9, 936.25e-9};
    std::unique_ptr<dse::Progress> progress;
    serving::ProgressFn fn;
    if (bar) {
      fn = [&progress](std::int64_t done, std::int64_t total) {
        if (!progress) progress = std::make_unique<dse::Progress>(std::size_t(total), 5.0, false, "serve");
        progress->update(std::size_t(done), 0);
      };
    }
    const auto t0 = std::chrono::steady_clock::now();
    const serving::ServeOutcome out = serving::serve(r, fn);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress) progress->finish(std::size_t(out.summary.requests), 0);
    fmt::print("{:<52} {:>9} {:>9} {:>12} {:>9.2f} {:>9.2f}\n", name, out.summary.requests, r.config.replicas,
               out.result.iterations, wall, out.result.wall_s);
  };
  serving::ServeRequest trace;
  trace.trace = trace_file;
  trace.config.replicas = 4;
  run("azure_conv_2023.csv (19,366 requests)", trace, false);
  serving::ServeRequest big;
  big.stream.count = million;
  big.stream.rate_per_s = 22;
  big.stream.prompt = serving::LengthDist::parse("--prompt", "trace:" + trace.trace, "ContextTokens");
  big.stream.output = serving::LengthDist::parse("--output", "trace:" + trace.trace, "GeneratedTokens");
  big.config.replicas = 16;
  run(fmt::format("poisson 22/s, lengths from the trace ({} requests)", human_count(double(million))), big, !quiet);
}

// Issue 14's targets: 175B on 1,024 chips estimated in < 1 s; a plan search over >= 1,000
// configurations in < 1 min.
void training_suite(int repeat, int jobs) {
  system::SystemRequest req;
  req.system = "dgx-a100";
  req.sets = {"nodes=128"};
  const workloads::LlmSpec m = *workloads::resolve_llm("gpt3-175b");
  system::TrainPlan p;
  p.tp = 8, p.pp = 16, p.dp = 8, p.micro_batch = 1, p.global_batch = 1536;
  p.schedule = system::PipelineSchedule::Interleaved;
  p.recompute = workloads::Recompute::Selective;
  p.sequence_parallel = true;
  double iteration = 0;
  std::size_t shapes = 0;
  const auto ms = timed(repeat, [&] {
    system::TrainingModel tm(system::load_system(req));
    const system::TrainResult r = tm.step(m, p);
    iteration = r.iteration_seconds;
    shapes = r.distinct_shapes;
  });
  fmt::print("training: gpt3-175b on dgx-a100 x 128 nodes (1,024 A100), tp 8 pp 16 dp 8 +sp, interleaved, "
             "selective recompute, batch 1536; a fresh model per run (chip compilation of {} shapes, network, "
             "pipeline)\n",
             shapes);
  fmt::print("  one step: median {:.1f} ms of {} runs (min {:.1f}, max {:.1f}); iteration {:.2f} s\n\n",
             ms[ms.size() / 2], ms.size(), ms.front(), ms.back(), iteration);

  dse::TrainPlanSpec spec;
  spec.system = req;
  spec.model = "gpt3-175b";
  spec.space.chips = 1024;
  spec.space.global_batch = 1536;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("npusim_bench_train_plan_{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  dse::SweepOptions o;
  o.db = (dir / "plan.db").string();
  o.jobs = jobs;
  o.quiet = true;
  const auto t0 = std::chrono::steady_clock::now();
  const dse::Plan plan = dse::make_train_plan(spec);
  const dse::SweepSummary sum = dse::run_sweep(plan, o);
  const dse::ResultsDb db(o.db, false);
  const dse::TrainPlanResult r = dse::choose_train_plan(plan, db);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::filesystem::remove_all(dir);
  std::size_t fit = 0;
  for (const auto& x : r.outcomes) fit += x.fits ? 1 : 0;
  fmt::print("train-plan: gpt3-175b over 1,024 chips of dgx-a100, batch 1536, on the sweep engine with {} worker "
             "processes into a fresh database\n",
             jobs);
  fmt::print("  {} configurations in {} groups ({} failed), {} fit; wall {:.1f} s; fastest {:.2f} s\n",
             r.outcomes.size(), sum.tasks, sum.failed, fit, wall,
             r.chosen ? r.outcomes[*r.chosen].iteration_seconds : 0.0);
}

}  // namespace

void register_bench_command(CLI::App& app) {
  struct Opts {
    int repeat = 5;
    std::string suite = "all";
    std::vector<std::string> cases;
    int jobs = 2;
    std::vector<std::string> engines{"analytic", "systemc"};
    std::string spec = "bench-resnet50-1000";
    std::int64_t serving_requests = 1000000;
    std::string serving_trace = "workloads/traces/azure_conv_2023.csv";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* bench = app.add_subcommand(
      "bench", "Benchmark npusim itself: the mapping search, the SystemC simulation, a 1,000-point sweep");
  bench->add_option("--repeat", o->repeat, "Runs per case; the median is reported")->capture_default_str();
  bench->add_option("--suite", o->suite,
                    "mapping, simulation, all (mapping and simulation), sweep, serving, training or mapping-optimality")
      ->capture_default_str();
  bench->add_option("--case", o->cases, "MODEL@ARCH[:SEQ] to run instead of the default cases (repeatable)");
  bench->add_option("--jobs", o->jobs, "sweep, training: worker processes")->capture_default_str();
  bench->add_option("--engine", o->engines, "sweep: the engines to time (repeatable) [default: analytic and systemc]");
  bench->add_option("--spec", o->spec, "sweep: the spec (a file or an example name)")->capture_default_str();
  bench->add_option("--serving-requests", o->serving_requests, "serving: requests of the synthetic stream")
      ->capture_default_str();
  bench->add_option("--serving-trace", o->serving_trace, "serving: the trace (from the repository's root)")
      ->capture_default_str();
  bench->callback([o] {
    if (o->suite == "training") {
      training_suite(o->repeat, o->jobs);
      return;
    }
    if (o->suite == "serving") {
      serving_suite(o->serving_trace, o->serving_requests, false);
      return;
    }
    if (o->suite == "sweep") {
      std::vector<driver::Engine> engines;
      for (const auto& e : o->engines) engines.push_back(driver::parse_engine("--engine", e));
      dse::sweep_benchmark(o->spec, engines, o->jobs);
      return;
    }
    if (o->suite != "mapping" && o->suite != "simulation" && o->suite != "all" && o->suite != "mapping-optimality")
      throw Error(fmt::format(
          "--suite {}: expected mapping, simulation, all, sweep, serving, training or mapping-optimality", o->suite));
    std::vector<Case> custom = parse_cases(o->cases);
    if (o->suite == "mapping-optimality") {
      mapping_optimality_suite(custom);
      return;
    }
    if (o->suite != "simulation") mapping_suite(custom.empty() ? default_mapping_cases() : custom, o->repeat);
    if (o->suite != "mapping") simulation_suite(custom.empty() ? default_simulation_cases() : custom, o->repeat);
  });
}

}  // namespace npusim::cli
