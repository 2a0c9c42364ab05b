// npusim serve: a pool of replicas serving a request stream (serving/, docs/SERVING.md). Argument
// parsing and printing only.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "base/error.h"
#include "base/files.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "dse/run.h"
#include "serving/serve.h"

namespace npusim::cli {

namespace {

struct ServeOptions {
  ModelOptions m;  // --arch and --set
  std::string model = "llama2-70b";
  std::int32_t tp = 1, pp = 1;
  std::string dtype;
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
  std::string csv, json_out;
  bool quiet = false;
};

// The options every serving command shares (serve, serve-plan).
void add_replica_options(CLI::App& c, ServeOptions& o) {
  add_arch_options(c, o.m);
  c.add_option("--model", o.model, "LLM: " + serving::llm_shape_names())->capture_default_str();
  c.add_option("--tp", o.tp, "Tensor-parallel chips per replica")->capture_default_str();
  c.add_option("--pp", o.pp, "Pipeline stages per replica")->capture_default_str();
  c.add_option("--dtype", o.dtype, "Weights, activations and KV cache [default: the architecture's datatypes.default]");
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
  c->callback([o] {
    check_choice("--format", o->format, {"table", "json"});
    const serving::ServeRequest req = request_of(*o);
    std::unique_ptr<dse::Progress> bar;
    serving::ProgressFn progress;
    if (!o->quiet && isatty(STDERR_FILENO)) {
      progress = [&bar](std::int64_t done, std::int64_t total) {
        if (!bar) bar = std::make_unique<dse::Progress>(std::size_t(total), 1.0, false);
        bar->update(std::size_t(done), 0);
      };
    }
    const serving::ServeOutcome out = serving::serve(req, progress);
    if (bar) bar->finish(std::size_t(out.summary.requests), 0);
    const nlohmann::json j = serving::to_json(out.description, req.config, out.result, out.summary);
    if (!o->csv.empty()) write_text_file(o->csv, serving::requests_csv(out.result));
    if (!o->json_out.empty()) write_text_file(o->json_out, j.dump(2) + "\n");
    if (o->format == "json")
      fmt::print("{}\n", j.dump(2));
    else
      print_table(out, req.config);
  });
}

}  // namespace npusim::cli
