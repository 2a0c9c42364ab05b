// npusim train / npusim train-plan: a training step of an LLM on many chips (system/training.h),
// and the search for the fastest split that fits (system/plan_search.h). Parsing and printing only.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "base/error.h"
#include "base/files.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "configs/embedded.h"
#include "dse/train_plan.h"
#include "report/breakdown_html.h"
#include "system/training.h"

namespace npusim::cli {

namespace {

struct SystemOptions {
  std::string arch, system;
  std::vector<std::string> sets;
  std::string model = "gpt3-175b";
  std::int64_t seq = 0;
};

void add_system_options(CLI::App& app, SystemOptions& o) {
  std::string presets;
  for (const auto& p : system_presets()) presets += fmt::format("{}{}", presets.empty() ? "" : ", ", p.name);
  app.add_option("--system", o.system,
                 fmt::format("System: a preset ({}) or a YAML file [default: {}]", presets, system::kDefaultSystemPreset));
  app.add_option("--arch", o.arch, "The chip: an architecture preset or file [default: the system's chip]");
  app.add_option("--set", o.sets,
                 "Override a key: system.KEY=VALUE for the system (e.g. system.nodes=16), KEY=VALUE for the chip "
                 "(repeatable)");
  app.add_option("--model", o.model,
                 "A decoder-only LLM: a zoo name (gpt3-175b, llama2-70b, ...) or gpt:layers=L,hidden=H,heads=A,seq=S")
      ->capture_default_str();
  app.add_option("--seq", o.seq, "Sequence length [default: the model's]");
}

system::SystemRequest request_of(const SystemOptions& o) {
  system::SystemRequest r;
  r.system = o.system;
  r.arch = o.arch;
  for (const auto& s : o.sets) {
    if (s.starts_with("system."))
      r.sets.push_back(s.substr(7));
    else
      r.arch_sets.push_back(s);
  }
  return r;
}

system::SystemConfigPtr load(const SystemOptions& o) { return system::load_system(request_of(o)); }

workloads::LlmSpec llm(const std::string& model) {
  if (auto m = workloads::resolve_llm(model)) return *m;
  std::string names;
  for (const auto& s : workloads::llm_specs()) names += fmt::format("{}{}", names.empty() ? "" : ", ", s.name);
  throw Error(fmt::format("--model {}: npusim train splits decoder-only LLMs ({}, or gpt:layers=L,hidden=H,heads=A,"
                          "seq=S); for one chip use npusim run --mode train",
                          model, names));
}

nlohmann::json result_json(const system::TrainResult& r, const system::TrainPlan& p, const system::SystemConfig& s,
                           const workloads::LlmSpec& m) {
  nlohmann::json comm = nlohmann::json::object();
  for (const auto& [k, c] : r.comm) comm[k] = {{"exposed_seconds", c.exposed}, {"hidden_seconds", c.hidden}};
  const auto& mm = r.memory;
  const double tokens = double(p.global_batch) * double(p.seq > 0 ? p.seq : m.seq);
  return {
      {"iteration_seconds", r.iteration_seconds},
      {"model", m.name},
      {"system", s.name},
      {"chip", s.arch->name},
      {"chips", r.chips},
      {"plan",
       {{"tp", p.tp}, {"pp", p.pp}, {"dp", p.dp}, {"ep", p.ep}, {"sequence_parallel", p.sequence_parallel},
        {"micro_batch", p.micro_batch}, {"global_batch", p.global_batch}, {"micro_batches", r.micro_batches},
        {"seq", p.seq > 0 ? p.seq : m.seq}, {"recompute", workloads::name_of(p.recompute)},
        {"schedule", system::name_of(p.schedule)}, {"virtual_stages", p.schedule == system::PipelineSchedule::Interleaved ? p.virtual_stages : 1},
        {"zero", p.zero}, {"placement", p.placement.str()}, {"dp_overlap", p.overlap_dp}}},
      {"breakdown",
       {{"forward_seconds", r.forward_seconds},
        {"backward_seconds", r.backward_seconds},
        {"recompute_seconds", r.recompute_seconds},
        {"optimizer_seconds", r.optimizer_seconds},
        {"pipeline_bubble_seconds", r.bubble_seconds},
        {"communication", comm},
        {"stage", r.critical_stage}}},
      {"memory_per_chip",
       {{"weights_bytes", mm.weights}, {"gradients_bytes", mm.gradients}, {"optimizer_bytes", mm.optimizer},
        {"activations_bytes", mm.activations}, {"temporary_bytes", mm.temporary}, {"total_bytes", mm.total()},
        {"capacity_bytes", mm.capacity}, {"stage", mm.stage}, {"micro_batches_in_flight", mm.in_flight}}},
      {"mfu", r.mfu},
      {"hfu", r.hfu},
      {"model_flops", r.model_flops},
      {"tokens_per_s", r.tokens_per_s},
      {"energy_j", r.energy_j},
      {"energy_per_token_j", r.energy_j / tokens},
      {"algorithms", r.algorithms},
      {"distinct_shapes", r.distinct_shapes},
  };
}

std::string seconds(double s) { return report::human_seconds(s); }

// The report's rows from the step's JSON (report/ knows nothing of system/).
report::BreakdownReport training_report(const nlohmann::json& j) {
  report::BreakdownReport b;
  const auto& p = j.at("plan");
  b.title = fmt::format("{} on {} ({} chips: tp {} pp {} dp {})", j.at("model").get<std::string>(),
                        j.at("system").get<std::string>(), j.at("chips").get<int>(), p.at("tp").get<int>(),
                        p.at("pp").get<int>(), p.at("dp").get<int>());
  b.facts = {{"iteration", report::human_seconds(j.at("iteration_seconds"))},
             {"MFU", fmt::format("{:.1f}%", 100 * j.at("mfu").get<double>())},
             {"tokens/s", human_count(j.at("tokens_per_s"))},
             {"energy per iteration", fmt::format("{:.3g} J", j.at("energy_j").get<double>())},
             {"schedule", p.at("schedule").get<std::string>()},
             {"recompute", p.at("recompute").get<std::string>()},
             {"ZeRO", std::to_string(p.at("zero").get<int>())}};
  const auto& br = j.at("breakdown");
  b.time = {{"forward", br.at("forward_seconds"), "compute"},
            {"backward", br.at("backward_seconds"), "compute"},
            {"recompute", br.at("recompute_seconds"), "compute"},
            {"optimizer", br.at("optimizer_seconds"), "optimizer"},
            {"pipeline bubble", br.at("pipeline_bubble_seconds"), "idle"}};
  for (const auto& [k, c] : br.at("communication").items()) {
    b.time.push_back({k + " exposed", c.at("exposed_seconds"), "communication"});
    if (c.at("hidden_seconds").get<double>() > 0) b.hidden.push_back({k + " hidden", c.at("hidden_seconds"), "communication"});
  }
  const auto& m = j.at("memory_per_chip");
  b.memory = {{"weights", m.at("weights_bytes"), "compute"},
              {"gradients", m.at("gradients_bytes"), "compute"},
              {"optimizer state", m.at("optimizer_bytes"), "optimizer"},
              {"activations", m.at("activations_bytes"), "communication"},
              {"temporary", m.at("temporary_bytes"), "idle"},
              {"total", m.at("total_bytes"), "other"}};
  b.memory_capacity = m.at("capacity_bytes");
  return b;
}

void print_table(const system::TrainResult& r, const system::TrainPlan& p, const system::SystemConfig& s,
                 const workloads::LlmSpec& m) {
  fmt::print("{} on {} ({} x {}: {} chips used of {}), tp {} pp {} dp {}{}{}, micro-batch {} x {}, global batch {}\n",
             m.name, s.name, s.arch->name, s.chips(), r.chips, s.chips(), p.tp, p.pp, p.dp,
             p.sequence_parallel ? " +sp" : "", p.ep > 1 ? fmt::format(" ep {}", p.ep) : "", p.micro_batch,
             r.micro_batches, p.global_batch);
  fmt::print("schedule {}{}, recompute {}, ZeRO {}, placement {}\n\n", system::name_of(p.schedule),
             p.schedule == system::PipelineSchedule::Interleaved ? fmt::format(" (v={})", p.virtual_stages) : "",
             workloads::name_of(p.recompute), p.zero, p.placement.str());
  fmt::print("iteration            {}\n", seconds(r.iteration_seconds));
  fmt::print("  forward            {}\n", seconds(r.forward_seconds));
  fmt::print("  backward           {}\n", seconds(r.backward_seconds));
  fmt::print("  recompute          {}\n", seconds(r.recompute_seconds));
  fmt::print("  optimizer          {}\n", seconds(r.optimizer_seconds));
  fmt::print("  pipeline bubble    {}\n", seconds(r.bubble_seconds));
  for (const auto& [k, c] : r.comm)
    fmt::print("  {:<6} comm        {} exposed, {} hidden\n", k, seconds(c.exposed), seconds(c.hidden));
  const double G = 1024.0 * 1024.0 * 1024.0;
  const auto& mm = r.memory;
  fmt::print("\nmemory per chip (stage {}): {:.2f} GiB of {:.2f}: weights {:.2f}, gradients {:.2f}, optimizer {:.2f}, "
             "activations {:.2f} ({:.0f} micro-batch chunks in flight), temporary {:.2f}\n",
             mm.stage, mm.total() / G, mm.capacity / G, mm.weights / G, mm.gradients / G, mm.optimizer / G,
             mm.activations / G, mm.in_flight, mm.temporary / G);
  fmt::print("MFU {:.1f}% (HFU {:.1f}%), {} tokens/s, {:.3g} J per iteration\n", 100 * r.mfu, 100 * r.hfu,
             human_count(r.tokens_per_s), r.energy_j);
  fmt::print("{} distinct shapes timed on the chip\n", r.distinct_shapes);
}

}  // namespace

void register_train_commands(CLI::App& app) {
  auto schema = std::make_shared<bool>(false);
  CLI::App* sy = app.add_subcommand("systems", "List the system presets (configs/systems/), or their keys");
  sy->add_flag("--schema", *schema, "Print every key of a system description (Markdown table)");
  sy->callback([schema] {
    if (*schema) {
      fmt::print("| key | type | unit | range | presence | meaning |\n|---|---|---|---|---|---|\n{}",
                 system::system_schema_markdown());
      return;
    }
    for (const auto& p : system_presets()) {
      system::SystemRequest r;
      r.system = p.name;
      const auto s = system::load_system(r);
      fmt::print("{:<12} {} x {} {}: {}\n", p.name, s->nodes, s->chips_per_node, s->arch->name, s->description);
    }
  });

  struct Options {
    SystemOptions s;
    std::int32_t tp = 1, pp = 1, dp = 1, ep = 1, virtual_stages = 2;
    std::int64_t micro_batch = 1, global_batch = 0;
    bool sp = false, no_overlap = false;
    std::string recompute = "none", schedule = "1f1b", placement = "tp,dp,pp", algorithm = "auto";
    std::string optimizer = "adamw", engine = "analytic", format = "table", trace, html, out;
    std::int32_t zero = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* t = app.add_subcommand("train", "One training step of an LLM split over the chips of a system");
  add_system_options(*t, o->s);
  t->add_option("--tp", o->tp, "Tensor-parallel group")->capture_default_str();
  t->add_option("--pp", o->pp, "Pipeline stages")->capture_default_str();
  t->add_option("--dp", o->dp, "Data-parallel replicas")->capture_default_str();
  t->add_option("--ep", o->ep, "Expert-parallel group (within the data-parallel replicas; MoE models)")->capture_default_str();
  t->add_flag("--sp", o->sp, "Sequence parallelism (norms and dropouts on seq/tp tokens; all-gather/reduce-scatter)");
  t->add_option("--micro-batch", o->micro_batch, "Sequences per micro-batch")->capture_default_str();
  t->add_option("--global-batch", o->global_batch, "Sequences per iteration [default: micro-batch x dp]");
  t->add_option("--recompute", o->recompute, "Activation recomputation: none, selective or full")->capture_default_str();
  t->add_option("--schedule", o->schedule, "Pipeline schedule: 1f1b, gpipe or interleaved")->capture_default_str();
  t->add_option("--virtual-stages", o->virtual_stages, "With --schedule interleaved: model chunks per stage")
      ->capture_default_str();
  t->add_option("--zero", o->zero, "ZeRO stage 0..3 (1: optimizer state, 2: + gradients, 3: + weights sharded)")
      ->capture_default_str();
  t->add_option("--placement", o->placement, "Order of the parallel dimensions on the chips, innermost first")
      ->capture_default_str();
  t->add_flag("--no-dp-overlap", o->no_overlap, "Reduce gradients after the backward pass instead of in buckets during it");
  t->add_option("--algorithm", o->algorithm,
                "Collective algorithm: auto, ring, tree, dbt, halving_doubling, hierarchical, torus")
      ->capture_default_str();
  t->add_option("--optimizer", o->optimizer, "sgd, adam or adamw")->capture_default_str();
  t->add_option("--engine", o->engine, "What times the chip: analytic, or systemc (NPU chips)")->capture_default_str();
  t->add_option("--format", o->format, "Output: table or json")->capture_default_str();
  t->add_option("--trace", o->trace, "Write a Perfetto (Chrome trace) timeline of the iteration to this file");
  t->add_option("--html", o->html, "Write an HTML report of the breakdown to this file");
  t->callback([o] {
    check_choice("--format", o->format, {"table", "json"});
    const auto sys = load(o->s);
    const workloads::LlmSpec m = llm(o->s.model);
    system::TrainPlan p;
    p.tp = o->tp, p.pp = o->pp, p.dp = o->dp, p.ep = o->ep;
    p.sequence_parallel = o->sp;
    p.micro_batch = o->micro_batch;
    p.global_batch = o->global_batch > 0 ? o->global_batch : o->micro_batch * o->dp;
    p.seq = o->s.seq;
    p.recompute = driver::parse_recompute("--recompute", o->recompute);
    p.schedule = driver::parse_choice("--schedule", o->schedule, system::kPipelineSchedules);
    p.virtual_stages = o->virtual_stages;
    p.zero = o->zero;
    p.placement = system::parse_placement("--placement", o->placement);
    p.overlap_dp = !o->no_overlap;
    p.algorithm = driver::parse_choice("--algorithm", o->algorithm, system::kAlgorithms);
    p.optimizer = driver::parse_optimizer("--optimizer", o->optimizer);
    p.engine = driver::parse_engine("--engine", o->engine);
    p.timeline = !o->trace.empty() || !o->html.empty();
    system::TrainingModel tm(sys, p.engine);
    const system::TrainResult r = tm.step(m, p);
    const nlohmann::json j = result_json(r, p, *sys, m);
    if (o->format == "json")
      fmt::print("{}\n", j.dump(2));
    else
      print_table(r, p, *sys, m);
    if (!o->trace.empty()) write_text_file(o->trace, system::timeline_json(r, p));
    if (!o->html.empty()) write_text_file(o->html, report::breakdown_html(training_report(j)));
  });

  struct PlanOptions {
    SystemOptions s;
    std::int32_t chips = 0, max_tp = 0;
    std::int64_t global_batch = 0;
    std::vector<std::int64_t> micro_batches{1, 2, 4, 8};
    std::size_t top = 10;
    dse::SweepOptions sweep;
    bool jobs_given = false;
    std::string format = "table";
  };
  auto q = std::make_shared<PlanOptions>();
  q->sweep.db = "train-plan.db";
  CLI::App* tp = app.add_subcommand(
      "train-plan", "The fastest split of a training step over N chips that fits (TP, PP, DP, micro-batch, "
                    "recomputation, ZeRO, sequence parallelism, schedule), on the sweep engine");
  add_system_options(*tp, q->s);
  tp->add_option("--chips", q->chips, "Chips to split the step over (all of them)")->required();
  tp->add_option("--global-batch", q->global_batch, "Sequences per iteration")->required();
  tp->add_option("--micro-batch", q->micro_batches, "Micro-batch sizes to try (comma-separated)")
      ->delimiter(',')
      ->default_str("1,2,4,8");
  tp->add_option("--max-tp", q->max_tp, "Largest tensor-parallel group [default: chips per node]");
  tp->add_option("--top", q->top, "Plans to list, fastest first")->capture_default_str();
  tp->add_option("--db", q->sweep.db, "Results database (SQLite; resumable)")->capture_default_str();
  tp->add_option("-j,--jobs", q->sweep.jobs, "Worker processes [default: the CPUs]")
      ->each([q](const std::string&) { q->jobs_given = true; });
  tp->add_option("--format", q->format, "table or json")->capture_default_str();
  tp->add_flag("--quiet", q->sweep.quiet, "No progress");
  tp->callback([q] {
    check_choice("--format", q->format, {"table", "json"});
    dse::MpiSession mpi;
    if (mpi.active() && mpi.rank() != 0) {
      if (!q->jobs_given) q->sweep.jobs = 1;
      dse::run_mpi_worker(mpi, q->sweep);
      return;
    }
    dse::Plan pl;
    try {
      (void)llm(q->s.model);
      dse::TrainPlanSpec spec;
      spec.system = request_of(q->s);
      spec.model = q->s.model;
      spec.space.chips = q->chips;
      spec.space.global_batch = q->global_batch;
      spec.space.seq = q->s.seq;
      spec.space.micro_batches = q->micro_batches;
      spec.space.max_tp = q->max_tp;
      pl = dse::make_train_plan(spec);
    } catch (...) {
      if (mpi.active()) dse::run_mpi_coordinator(mpi, nullptr, q->sweep);
      throw;
    }
    if (mpi.active() && !q->jobs_given) q->sweep.jobs = 1;
    const auto t0 = std::chrono::steady_clock::now();
    const dse::SweepSummary sum = mpi.active() ? dse::run_mpi_coordinator(mpi, &pl, q->sweep) : dse::run_sweep(pl, q->sweep);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const dse::ResultsDb db(q->sweep.db, false);
    const dse::TrainPlanResult r = dse::choose_train_plan(pl, db);
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < r.outcomes.size(); ++i)
      if (r.outcomes[i].fits) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return r.outcomes[a].iteration_seconds < r.outcomes[b].iteration_seconds;
    });
    if (order.size() > q->top) order.resize(q->top);
    std::size_t fit = 0;
    for (const auto& x : r.outcomes) fit += x.fits ? 1 : 0;
    if (q->format == "json") {
      nlohmann::json j;
      j["configurations"] = r.outcomes.size();
      j["fit"] = fit;
      j["groups"] = r.groups;
      j["failed_groups"] = r.failed;
      j["best"] = nlohmann::json::array();
      for (std::size_t i : order) j["best"].push_back(system::to_json(r.outcomes[i]));
      j["chosen"] = r.chosen ? system::to_json(r.outcomes[*r.chosen]) : nlohmann::json(nullptr);
      j["db"] = q->sweep.db;
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("{} configurations in {} groups ({} ran now, {} already in {}; {} failed), {} fit, {:.2f} s\n\n",
                 r.outcomes.size(), r.groups, sum.ran, sum.present, q->sweep.db, r.failed.size(), fit, wall);
      fmt::print("{:>4} {:>4} {:>5} {:>3} {:>4} {:>10} {:>5} {:>12} {:>12} {:>7} {:>10}\n", "tp", "pp", "dp", "sp",
                 "mb", "recompute", "zero", "schedule", "iteration", "MFU", "GiB/chip");
      for (std::size_t i : order) {
        const auto& x = r.outcomes[i];
        const auto& p = x.plan;
        fmt::print("{:>4} {:>4} {:>5} {:>3} {:>4} {:>10} {:>5} {:>12} {:>12} {:>6.1f}% {:>10.1f}\n", p.tp, p.pp, p.dp,
                   p.sequence_parallel ? "y" : "n", p.micro_batch, workloads::name_of(p.recompute), p.zero,
                   system::name_of(p.schedule), seconds(x.iteration_seconds), 100 * x.mfu,
                   x.memory_bytes / (1024.0 * 1024 * 1024));
      }
      for (const auto& f : r.failed) fmt::print("failed: {}\n", f);
    }
    if (!r.chosen)
      throw Error(fmt::format("--chips {}: none of the {} configurations fits in memory", q->chips, r.outcomes.size()));
  });
}

}  // namespace npusim::cli
