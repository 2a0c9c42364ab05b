// npusim serve: a pool of replicas serving a request stream (serving/, docs/SERVING.md). Argument
// parsing and printing only.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <type_traits>

#include "base/error.h"
#include "base/files.h"
#include "base/scalar_text.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "dse/run.h"
#include "dse/serve_plan.h"
#include "report/serving_html.h"
#include "serving/published.h"
#include "serving/serve.h"

namespace npusim::cli {

namespace {

struct ServeOptions {
  ModelOptions m;  // --arch and --set
  std::string model = "llama2-70b";
  std::int32_t tp = 1, pp = 1;
  std::string dtype, activation_dtype, kv_dtype;
  std::string system;
  double intra_gb = 0, intra_us = 0, inter_gb = 0, inter_us = 0, host_gb = 0;
  double memory_utilisation = 0.9;
  bool exact_shapes = false;
  std::string trace;
  double rate_scale = 1;
  std::int64_t limit = 0;
  double rate = 0;
  std::int64_t requests = 1000;
  std::string arrival = "poisson";
  double cv = 1;
  std::string prompt = "fixed:512", output = "fixed:128";
  std::uint64_t seed = 1;
  std::int32_t replicas = 1, prefill_replicas = 0;
  std::string scheduler = "continuous", router = "round-robin", preemption = "recompute";
  std::int64_t max_batch = 256, max_batched_tokens = 0, block_size = 16;
  double watermark = 0.01, swap_gib = 4;
  std::string slo;
  std::string format = "table";
  std::string csv, json_out, report_dir, compare;
  bool quiet = false;
};

// The options every serving command shares (serve, serve-plan).
void add_replica_options(CLI::App& c, ServeOptions& o) {
  add_arch_options(c, o.m);
  c.add_option("--model", o.model, "LLM: " + serving::llm_shape_names())->capture_default_str();
  c.add_option("--tp", o.tp, "Tensor-parallel chips per replica")->capture_default_str();
  c.add_option("--pp", o.pp, "Pipeline stages per replica")->capture_default_str();
  c.add_option("--dtype", o.dtype,
               "Weights and the GEMMs' inputs (and, unless given below, activations and KV cache) [default: the "
               "architecture's datatypes.default]");
  c.add_option("--activation-dtype", o.activation_dtype,
               "GPU: activations between the GEMMs (norms, residuals, attention math, all-reduces) [default: --dtype]");
  c.add_option("--kv-dtype", o.kv_dtype, "GPU: the KV cache [default: --dtype]");
  c.add_option("--system", o.system,
               "A system preset or file (npusim systems: dgx-a100, dgx-h100, ...): the replica's tensor- and "
               "pipeline-parallel traffic on its network and collectives (instead of --intra-node-*); the replicas' "
               "link, unless --inter-node-gb-per-s is given, each chip's share of a node's inter-node bandwidth");
  c.add_option("--intra-node-gb-per-s", o.intra_gb,
               "Link between the chips of a replica, GB/s per chip per direction (e.g. 450 for NVLink 4); needed "
               "when --tp x --pp > 1");
  c.add_option("--intra-node-latency-us", o.intra_us, "Latency of that link, us")->capture_default_str();
  c.add_option("--inter-node-gb-per-s", o.inter_gb,
               "Link between replicas, GB/s per chip per direction (e.g. 50 for one 400 Gb/s NIC per GPU); "
               "disaggregated serving moves the KV cache over it");
  c.add_option("--inter-node-latency-us", o.inter_us, "Latency of that link, us")->capture_default_str();
  c.add_option("--host-gb-per-s", o.host_gb,
               "Chip to host memory, GB/s per chip (e.g. 32 for PCIe 4.0 x16); needed by --preemption swap");
  c.add_option("--memory-utilisation", o.memory_utilisation,
               "Fraction of each chip's memory the server uses for weights, activations and KV cache (vLLM's "
               "gpu_memory_utilization)")
      ->capture_default_str();
  c.add_flag("--exact-shapes", o.exact_shapes,
             "Time every distinct shape on the chip model instead of interpolating between checked grid points");
}

void add_pool_options(CLI::App& c, ServeOptions& o) {
  c.add_option("--scheduler", o.scheduler, "static, continuous, chunked or disaggregated")->capture_default_str();
  c.add_option("--router", o.router, "round-robin, least-work or shortest-queue")->capture_default_str();
  c.add_option("--max-batch", o.max_batch, "Sequences per iteration (vLLM's max_num_seqs)")->capture_default_str();
  c.add_option("--max-batched-tokens", o.max_batched_tokens,
               "Tokens per iteration [default: chunked 512; the others max(2048, longest prompt + output)]");
  c.add_option("--block-size", o.block_size, "Tokens per KV-cache block")->capture_default_str();
  c.add_option("--watermark", o.watermark, "Fraction of KV blocks kept free when admitting")->capture_default_str();
  c.add_option("--preemption", o.preemption, "recompute or swap")->capture_default_str();
  c.add_option("--swap-gib", o.swap_gib, "Host memory per chip for swapped KV blocks, GiB")->capture_default_str();
  c.add_option("--prefill-replicas", o.prefill_replicas,
               "Disaggregated: replicas in the prefill pool [default: half, rounded up]");
  c.add_option("--slo", o.slo, "Latency objectives, e.g. ttft=2s,tpot=200ms (units s, ms, us)");
}

void add_workload_options(CLI::App& c, ServeOptions& o) {
  c.add_option("--trace", o.trace,
               "Requests from a trace in the Azure LLM inference format (TIMESTAMP, ContextTokens, GeneratedTokens), "
               "e.g. workloads/traces/azure_conv_2023.csv");
  c.add_option("--rate-scale", o.rate_scale, "With --trace: arrivals this many times faster")->capture_default_str();
  c.add_option("--limit", o.limit, "With --trace: only the first N requests");
  c.add_option("--rate", o.rate, "A synthetic stream at this many requests per second (instead of --trace)");
  c.add_option("--requests", o.requests, "Synthetic: requests in the stream")->capture_default_str();
  c.add_option("--arrival", o.arrival, "Synthetic: poisson or gamma")->capture_default_str();
  c.add_option("--cv", o.cv, "Synthetic, gamma: coefficient of variation of the gaps")->capture_default_str();
  c.add_option("--prompt", o.prompt,
               "Synthetic prompt lengths: fixed:N, uniform:LO,HI, lognormal:MEDIAN,SIGMA or trace:FILE")
      ->capture_default_str();
  c.add_option("--output", o.output, "Synthetic output lengths, as --prompt")->capture_default_str();
  c.add_option("--seed", o.seed, "Synthetic: random seed")->capture_default_str();
}

serving::ServeRequest request_of(const ServeOptions& o) {
  serving::ServeRequest r;
  r.arch = o.m.arch;
  r.sets = o.m.sets;
  r.model = o.model;
  r.tp = o.tp;
  r.pp = o.pp;
  if (!o.dtype.empty()) r.dtype = driver::parse_operand_dtype("--dtype", o.dtype);
  if (!o.activation_dtype.empty())
    r.activation_dtype = driver::parse_operand_dtype("--activation-dtype", o.activation_dtype);
  if (!o.kv_dtype.empty()) r.kv_dtype = driver::parse_operand_dtype("--kv-dtype", o.kv_dtype);
  r.system = o.system;
  r.chip_link = {o.intra_gb * 1e9, o.intra_us * 1e-6};
  r.replica_link = {o.inter_gb * 1e9, o.inter_us * 1e-6};
  r.host_bytes_per_s = o.host_gb * 1e9;
  r.memory_utilisation = o.memory_utilisation;
  r.grid = o.exact_shapes ? serving::ShapeGrid::Exact : serving::ShapeGrid::Interpolated;
  if (o.trace.empty() == (o.rate <= 0)) throw Error("give either --trace FILE or --rate REQUESTS_PER_S");
  r.trace = o.trace;
  r.rate_scale = o.rate_scale;
  r.limit = o.limit;
  if (o.trace.empty()) {
    serving::StreamSpec& s = r.stream;
    s.arrival = serving::parse_arrival("--arrival", o.arrival);
    s.rate_per_s = o.rate;
    s.cv = o.cv;
    s.count = o.requests;
    s.prompt = serving::LengthDist::parse("--prompt", o.prompt, "ContextTokens");
    s.output = serving::LengthDist::parse("--output", o.output, "GeneratedTokens");
    s.seed = o.seed;
  }
  serving::ServeConfig& c = r.config;
  c.replicas = o.replicas;
  c.prefill_replicas = o.prefill_replicas;
  c.scheduler = serving::parse_scheduler("--scheduler", o.scheduler);
  c.router = serving::parse_router("--router", o.router);
  c.preemption = serving::parse_preemption("--preemption", o.preemption);
  c.max_batch = o.max_batch;
  c.max_batched_tokens = o.max_batched_tokens;
  c.block_size = o.block_size;
  c.watermark = o.watermark;
  c.swap_bytes_per_chip = o.swap_gib * double(1ULL << 30);
  if (!o.slo.empty()) c.slo = serving::Slo::parse("--slo", o.slo);
  return r;
}

std::string ms(double s) { return fmt::format("{:.1f}", s * 1e3); }

void print_table(const serving::ServeOutcome& out, const serving::ServeConfig& c) {
  const serving::Summary& s = out.summary;
  const serving::ReplicaInfo& in = out.result.replica;
  const serving::RunDescription& d = out.description;
  fmt::print("{} on {} replica{} of {} x {} (tp {} pp {}), {} scheduler, {} router\n", d.model, c.replicas,
             c.replicas == 1 ? "" : "s", in.chips(), d.chip, d.tp, d.pp, serving::name_of(c.scheduler),
             serving::name_of(c.router));
  fmt::print("workload: {}\n", d.workload);
  fmt::print("replica memory per chip: {} weights, {} activations, KV cache {} tokens ({} per token)\n",
             human_bytes(in.weight_bytes_per_chip), human_bytes(in.activation_bytes_per_chip), in.kv_tokens,
             human_bytes(in.kv_bytes_per_token_per_chip));
  fmt::print("timing: {}\n\n", in.timing);
  fmt::print("{:<14} {:>10} {:>10} {:>10} {:>10}\n", "latency (ms)", "mean", "p50", "p90", "p99");
  for (auto [name, x] : {std::pair{"TTFT", &s.ttft_s}, {"TPOT", &s.tpot_s}, {"end to end", &s.e2e_s}, {"queue", &s.queue_s}})
    fmt::print("{:<14} {:>10} {:>10} {:>10} {:>10}\n", name, ms(x->mean), ms(x->p50), ms(x->p90), ms(x->p99));
  fmt::print("\nrequests {} in {:.1f} s: {:.2f} req/s, {:.0f} output tokens/s, {:.0f} prompt tokens/s\n", s.requests,
             s.duration_s, s.requests_per_s, s.throughput_tokens_per_s, s.prompt_tokens_per_s);
  if (c.slo.any())
    fmt::print("goodput {:.2f} req/s ({:.1f}% of requests meet the SLO)\n", s.goodput_rps, 100 * s.slo_attainment);
  fmt::print("chip utilisation {:.1f}% busy, {:.1f}% of peak MACs; preemptions {}\n", 100 * s.chip_utilisation,
             100 * s.mac_utilisation, s.preemptions);
  if (s.energy_j > 0)
    fmt::print("energy {:.3g} J, {:.3g} J per output token\n", s.energy_j, s.energy_per_token_j);
  else
    fmt::print("energy: not modelled for {} (the GPU kernel model times kernels only)\n", d.chip);
  fmt::print("checks: {} of {} requests out, {} of {} output tokens; Little's law L = {:.3f}, lambda W = {:.3f}\n",
             s.requests_out, s.requests_in, s.output_tokens_out, s.output_tokens_in, s.mean_in_system,
             s.arrival_rate_per_s * s.mean_e2e_s);
  fmt::print("simulated {} iterations in {:.2f} s\n", out.result.iterations, out.result.wall_s);
}


// --compare KEY=V1,V2: the options once per value, labelled "KEY=V".
std::vector<std::pair<std::string, ServeOptions>> compare_variants(const ServeOptions& o) {
  if (o.compare.empty()) return {{"", o}};
  const std::size_t eq = o.compare.find('=');
  if (eq == std::string::npos || eq + 1 >= o.compare.size())
    throw Error(fmt::format("--compare {}: expected KEY=V1,V2,...", o.compare));
  const std::string key = o.compare.substr(0, eq);
  check_choice("--compare", key,
               {"scheduler", "router", "arch", "tp", "replicas", "max-batch", "max-batched-tokens", "preemption"});
  std::vector<std::pair<std::string, ServeOptions>> out;
  std::string values = o.compare.substr(eq + 1);
  std::size_t pos = 0;
  while (pos <= values.size()) {
    const std::size_t comma = values.find(',', pos);
    const std::string v = values.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? values.size() + 1 : comma + 1;
    ServeOptions x = o;
    auto integer = [&](auto& field) {
      std::int64_t n = 0;
      if (!text::parse_int(v, n) || n < 1) throw Error(fmt::format("--compare {}: '{}' is not a count >= 1", o.compare, v));
      field = static_cast<std::remove_reference_t<decltype(field)>>(n);
    };
    if (key == "scheduler") x.scheduler = v;
    else if (key == "router") x.router = v;
    else if (key == "arch") x.m.arch = v;
    else if (key == "preemption") x.preemption = v;
    else if (key == "tp") integer(x.tp);
    else if (key == "replicas") integer(x.replicas);
    else if (key == "max-batch") integer(x.max_batch);
    else integer(x.max_batched_tokens);
    out.emplace_back(key + "=" + v, std::move(x));
  }
  return out;
}

report::ServingReport report_of(const std::vector<std::pair<std::string, serving::ServeOutcome>>& outcomes,
                                const std::vector<serving::ServeRequest>& requests) {
  report::ServingReport rep;
  const serving::ServeOutcome& first = outcomes.front().second;
  rep.title = fmt::format("Serving {} on {}", first.description.model, first.description.chip);
  rep.facts.emplace_back("workload", first.description.workload);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const auto& [label, out] = outcomes[i];
    const serving::ServeConfig& c = requests[i].config;
    const std::string name = label.empty() ? "run" : label;
    rep.facts.emplace_back(name, fmt::format("{} replica(s) of {} x {} (tp {} pp {}), {} scheduler, {} router; {}",
                                             c.replicas, out.result.replica.chips(), out.description.chip,
                                             out.description.tp, out.description.pp, serving::name_of(c.scheduler),
                                             serving::name_of(c.router), out.result.replica.timing));
    report::ServingRun run;
    run.label = name;
    for (const serving::RequestRecord& q : out.result.requests) {
      if (q.finish_s < 0) continue;
      run.arrival_s.push_back(q.arrival_s);
      run.ttft_s.push_back(q.ttft());
      run.tpot_s.push_back(q.has_tpot() ? q.tpot() : NAN);
      run.e2e_s.push_back(q.e2e());
    }
    const serving::Timeline& t = out.result.timeline;
    run.bin_s = t.bin_s;
    run.kv_utilisation = t.kv_utilisation;
    run.waiting = t.waiting;
    run.running = t.running;
    const serving::Summary& s = out.summary;
    run.figures = {{"TTFT p50", s.ttft_s.p50, "s"},        {"TTFT p90", s.ttft_s.p90, "s"},
                   {"TTFT p99", s.ttft_s.p99, "s"},        {"TPOT p50", s.tpot_s.p50, "s"},
                   {"TPOT p90", s.tpot_s.p90, "s"},        {"TPOT p99", s.tpot_s.p99, "s"},
                   {"E2E p90", s.e2e_s.p90, "s"},          {"requests/s", s.requests_per_s, "1/s"},
                   {"goodput", s.goodput_rps, "1/s"},      {"kilotokens/s", s.throughput_tokens_per_s / 1e3, "1/s"},
                   {"chip busy", s.chip_utilisation, ""},  {"preemptions", double(s.preemptions), ""}};
    if (s.energy_j > 0) run.figures.push_back({"energy/token", s.energy_per_token_j, "J"});
    rep.runs.push_back(std::move(run));
  }
  return rep;
}

void print_comparison(const std::vector<std::pair<std::string, serving::ServeOutcome>>& outcomes,
                      const serving::ServeConfig& c) {
  const serving::RunDescription& d = outcomes.front().second.description;
  fmt::print("{} on {}; workload: {}\n\n", d.model, d.chip, d.workload);
  fmt::print("{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}\n", "run", "TTFT p50", "TTFT p90", "TTFT p99",
             "TPOT p50", "TPOT p90", "TPOT p99", "tokens/s", c.slo.any() ? "goodput" : "req/s");
  for (const auto& [label, out] : outcomes) {
    const serving::Summary& s = out.summary;
    fmt::print("{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10.0f} {:>9.2f}\n", fit(label, 28), ms(s.ttft_s.p50),
               ms(s.ttft_s.p90), ms(s.ttft_s.p99), ms(s.tpot_s.p50), ms(s.tpot_s.p90), ms(s.tpot_s.p99),
               s.throughput_tokens_per_s, c.slo.any() ? s.goodput_rps : s.requests_per_s);
  }
  fmt::print("(latencies in ms)\n");
}

}  // namespace

void register_serve_commands(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* c = app.add_subcommand(
      "serve", "Serve a request stream from a pool of replicas: TTFT, TPOT, end-to-end latency, goodput, KV cache");
  add_replica_options(*c, *o);
  add_workload_options(*c, *o);
  add_pool_options(*c, *o);
  c->add_option("--replicas", o->replicas, "Replicas in the pool")->capture_default_str();
  c->add_option("--format", o->format, "Output: table or json")->capture_default_str();
  c->add_option("--requests-csv", o->csv, "Write one row per request here");
  c->add_option("--json-out", o->json_out, "Also write the JSON result here");
  c->add_flag("--quiet", o->quiet, "No progress bar");
  c->add_option("--report", o->report_dir, "Write an HTML report (latency CDFs, over time, KV cache, queue) here");
  c->add_option("--compare", o->compare,
                "Run the same requests once per value and compare them: KEY=V1,V2,... with KEY one of scheduler, "
                "router, arch, tp, replicas, max-batch, max-batched-tokens, preemption");
  c->callback([o] {
    check_choice("--format", o->format, {"table", "json"});
    std::vector<std::pair<std::string, ServeOptions>> variants = compare_variants(*o);
    std::vector<std::pair<std::string, serving::ServeOutcome>> outcomes;
    std::vector<serving::ServeRequest> requests;
    for (auto& [label, v] : variants) {
      requests.push_back(request_of(v));
      std::unique_ptr<dse::Progress> bar;
      serving::ProgressFn progress;
      if (!o->quiet && isatty(STDERR_FILENO)) {
        progress = [&bar](std::int64_t done, std::int64_t total) {
          if (!bar) bar = std::make_unique<dse::Progress>(std::size_t(total), 1.0, false, "serve");
          bar->update(std::size_t(done), 0);
        };
      }
      outcomes.emplace_back(label, serving::serve(requests.back(), progress));
      if (bar) bar->finish(std::size_t(outcomes.back().second.summary.requests), 0);
    }
    nlohmann::json j;
    if (outcomes.size() == 1) {
      j = serving::to_json(outcomes[0].second.description, requests[0].config, outcomes[0].second.result,
                           outcomes[0].second.summary);
    } else {
      j["compare"] = o->compare;
      j["runs"] = nlohmann::json::array();
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        nlohmann::json run = serving::to_json(outcomes[i].second.description, requests[i].config,
                                              outcomes[i].second.result, outcomes[i].second.summary);
        run["label"] = outcomes[i].first;
        j["runs"].push_back(std::move(run));
      }
    }
    if (!o->csv.empty()) {
      if (outcomes.size() > 1) throw Error("--requests-csv: one file per run; not with --compare");
      write_text_file(o->csv, serving::requests_csv(outcomes[0].second.result));
    }
    if (!o->json_out.empty()) write_text_file(o->json_out, j.dump(2) + "\n");
    if (!o->report_dir.empty()) {
      report::ServingReport rep = report_of(outcomes, requests);
      const std::filesystem::path dir(o->report_dir);
      write_text_file(dir / "serving.html", report::render_serving_html(rep));
      write_text_file(dir / "result.json", j.dump(2) + "\n");
    }
    if (o->format == "json") {
      fmt::print("{}\n", j.dump(2));
    } else if (outcomes.size() == 1) {
      print_table(outcomes[0].second, requests[0].config);
    } else {
      print_comparison(outcomes, requests[0].config);
    }
  });

  struct ValidateOptions {
    std::string file = "validate/data/public/trtllm/llama2_70b_serving.csv";
    std::string model = "llama2-70b";
    std::string format = "table";
  };
  auto v = std::make_shared<ValidateOptions>();
  CLI::App* val = app.add_subcommand(
      "serve-validate", "Published serving measurements (TTFT, static-batch throughput) against the chip model");
  val->add_option("--measurements", v->file, "CSV: source,gpu,dtype,tp,measure,batch,input,output,value,unit")
      ->capture_default_str();
  val->add_option("--model", v->model, "The model the rows measure")->capture_default_str();
  val->add_option("--format", v->format, "table or json")->capture_default_str();
  val->callback([v] {
    check_choice("--format", v->format, {"table", "json"});
    const auto preds = serving::predict_published(serving::load_published(v->file), v->model);
    if (v->format == "json") {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& p : preds)
        j.push_back({{"source", p.row.source}, {"gpu", p.row.gpu}, {"dtype", p.row.dtype}, {"tp", p.row.tp},
                     {"measure", p.row.measure}, {"batch", p.row.batch}, {"input", p.row.input},
                     {"output", p.row.output}, {"measured", p.row.value}, {"predicted", p.predicted},
                     {"unit", p.row.unit}, {"error", p.error}});
      fmt::print("{}\n", j.dump(2));
      return;
    }
    fmt::print("{:<13} {:<9} {:<5} {:>3} {:<11} {:>6} {:>6} {:>6} {:>10} {:>10} {:>8}  {}\n", "source", "gpu", "dtype",
               "tp", "measure", "batch", "input", "output", "measured", "predicted", "error", "unit");
    double sum = 0, worst = 0;
    for (const auto& p : preds) {
      fmt::print("{:<13} {:<9} {:<5} {:>3} {:<11} {:>6} {:>6} {:>6} {:>10.4g} {:>10.4g} {:>+7.1f}%  {}\n", p.row.source,
                 p.row.gpu, p.row.dtype, p.row.tp, p.row.measure, p.row.batch, p.row.input, p.row.output, p.row.value,
                 p.predicted, 100 * p.error, p.row.unit);
      sum += std::abs(p.error);
      worst = std::max(worst, std::abs(p.error));
    }
    if (!preds.empty())
      fmt::print("\n{} rows: mean absolute error {:.1f}%, worst {:.1f}%\n", preds.size(), 100 * sum / double(preds.size()),
                 100 * worst);
  });

  struct PlanOptions {
    ServeOptions o;
    std::vector<std::int32_t> tps{1, 2, 4, 8}, pps{1};
    std::int32_t max_replicas = 8;
    double attainment = 0.9;
    dse::SweepOptions sweep;
    bool jobs_given = false;
    std::string format = "table";
  };
  auto p = std::make_shared<PlanOptions>();
  p->sweep.db = "serve-plan.db";
  CLI::App* plan = app.add_subcommand(
      "serve-plan", "The smallest pool (replicas x TP/PP split) that meets an SLO at a rate, on the sweep engine");
  add_replica_options(*plan, p->o);
  add_workload_options(*plan, p->o);
  add_pool_options(*plan, p->o);
  plan->remove_option(plan->get_option("--tp"));
  plan->remove_option(plan->get_option("--pp"));
  plan->add_option("--tp", p->tps, "Tensor-parallel splits to try (comma-separated)")->delimiter(',')->default_str("1,2,4,8");
  plan->add_option("--pp", p->pps, "Pipeline splits to try (comma-separated)")->delimiter(',')->default_str("1");
  plan->add_option("--max-replicas", p->max_replicas, "Replicas to try: 1 to this")->capture_default_str();
  plan->add_option("--attainment", p->attainment,
                   "A pool meets the SLO when this fraction of its requests does (DistServe's goodput criterion)")
      ->capture_default_str();
  plan->add_option("--db", p->sweep.db, "Results database (SQLite; resumable)")->capture_default_str();
  plan->add_option("-j,--jobs", p->sweep.jobs, "Worker processes [default: the CPUs]")
      ->each([p](const std::string&) { p->jobs_given = true; });
  plan->add_option("--format", p->format, "table or json")->capture_default_str();
  plan->add_flag("--quiet", p->sweep.quiet, "No progress");
  plan->callback([p] {
    check_choice("--format", p->format, {"table", "json"});
    dse::MpiSession mpi;
    if (mpi.active() && mpi.rank() != 0) {
      if (!p->jobs_given) p->sweep.jobs = 1;
      dse::run_mpi_worker(mpi, p->sweep);
      return;
    }
    dse::Plan pl;
    double attainment = p->attainment;
    try {
      dse::ServePlanSpec spec;
      spec.arch = p->o.m.arch;
      spec.sets = p->o.m.sets;
      ServeOptions one = p->o;
      one.tp = one.pp = 1;
      one.replicas = 1;
      spec.base = request_of(one);
      spec.tps = p->tps;
      spec.pps = p->pps;
      spec.max_replicas = p->max_replicas;
      spec.attainment = p->attainment;
      for (auto tp : p->tps)
        for (auto pp : p->pps)
          if (tp * pp > 1 && p->o.system.empty() && !(p->o.intra_gb > 0))
            throw Error(fmt::format("--tp {} --pp {}: replicas of several chips need the link between them "
                                    "(--system, or --intra-node-gb-per-s)",
                                    tp, pp));
      pl = dse::make_serve_plan(spec);
    } catch (...) {
      if (mpi.active()) dse::run_mpi_coordinator(mpi, nullptr, p->sweep);
      throw;
    }
    if (mpi.active() && !p->jobs_given) p->sweep.jobs = 1;
    const dse::SweepSummary s = mpi.active() ? dse::run_mpi_coordinator(mpi, &pl, p->sweep) : dse::run_sweep(pl, p->sweep);
    const dse::ResultsDb db(p->sweep.db, false);
    const dse::ServePlanResult r = dse::choose_pool(pl, db, attainment);
    if (p->format == "json") {
      nlohmann::json j;
      j["candidates"] = nlohmann::json::array();
      for (const auto& x : r.candidates)
        j["candidates"].push_back({{"tp", x.tp}, {"pp", x.pp}, {"replicas", x.replicas}, {"chips", x.chips},
                                   {"meets_slo", x.meets}, {"error", x.error}, {"metrics", x.metrics}});
      j["chosen"] = r.chosen ? nlohmann::json(*r.chosen) : nlohmann::json(nullptr);
      j["db"] = p->sweep.db;
      fmt::print("{}\n", j.dump(2));
      return;
    }
    fmt::print("{} candidate pools ({} ran now, {} already in {}), SLO {} met by >= {:.0f}% of the requests\n\n",
               r.candidates.size(), s.ran, s.present, p->sweep.db, p->o.slo, 100 * attainment);
    fmt::print("{:>3} {:>3} {:>8} {:>6} {:>10} {:>10} {:>10} {:>10}  {}\n", "tp", "pp", "replicas", "chips",
               "attained", "TTFT p90", "TPOT p90", "goodput", "");
    auto metric = [](const dse::PoolCandidate& x, const char* k) {
      auto it = x.metrics.find(k);
      return it == x.metrics.end() ? NAN : it->second;
    };
    for (std::size_t i = 0; i < r.candidates.size(); ++i) {
      const auto& x = r.candidates[i];
      fmt::print("{:>3} {:>3} {:>8} {:>6} {:>9.1f}% {:>10} {:>10} {:>10.2f}  {}\n", x.tp, x.pp, x.replicas, x.chips,
                 100 * metric(x, "slo_attainment"), ms(metric(x, "ttft_p90_s")), ms(metric(x, "tpot_p90_s")),
                 metric(x, "goodput_rps"),
                 r.chosen && *r.chosen == i ? "<- the smallest pool meeting the SLO"
                                            : (!x.error.empty() ? fit(x.error, 60) : ""));
    }
    if (!r.chosen) fmt::print("\nno candidate meets the SLO: more replicas (--max-replicas) or larger splits\n");
  });
}

}  // namespace npusim::cli
