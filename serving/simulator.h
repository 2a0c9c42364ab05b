// The serving simulator: a discrete-event model of a pool of replicas serving a request stream.
//
// Requests arrive (requests.h), a router picks a replica for each, and every replica runs its
// scheduler: it forms a batch, runs one iteration whose time the chip model gives for that exact
// batch (iteration.h), updates its sequences, and forms the next batch. docs/SERVING.md describes
// every policy; in short:
//  - static: a batch of up to max_batch waiting requests whose whole KV cache (prompt + output)
//    fits is prefilled in one iteration and decoded until its last sequence ends; nobody joins a
//    running batch (FasterTransformer-style request-level batching).
//  - continuous: vLLM's iteration-level scheduler with a paged KV cache: when no sequence is
//    swapped out, waiting prompts are admitted FCFS while the free blocks stay above the
//    watermark, the batch stays within max_batch sequences and max_batched_tokens tokens: that
//    iteration is prefill only; otherwise every running sequence decodes one token, and a
//    sequence that needs a block when none is free preempts the latest-arrived running one (by
//    recomputation: its blocks are freed and it is prefilled again later with everything it had
//    generated; or by swapping its blocks to host memory and back), then swapped sequences come
//    back when no preemption happened.
//  - chunked: Sarathi-Serve's stall-free batching: every iteration has a token budget; the running
//    decodes take one token each, then partly prefilled prompts and new prompts fill the rest in
//    chunks, so long prompts never stall the decodes.
//  - disaggregated: Splitwise / DistServe: prefill replicas run prompts only; a sequence's KV
//    cache then goes over the system's links to a decode replica, which reserves its blocks first
//    (back-pressure: the prefill replica keeps them until the copy ends) and decodes it.
// Routers: round-robin; least outstanding work (tokens still to compute: prompt tokens not yet
// prefilled plus output tokens not yet generated); join-the-shortest-queue (requests assigned and
// not yet finished).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "serving/iteration.h"
#include "serving/requests.h"

namespace npusim::serving {

enum class SchedulerKind : std::uint8_t { Static, Continuous, Chunked, Disaggregated };
enum class RouterKind : std::uint8_t { RoundRobin, LeastWork, ShortestQueue };
enum class PreemptionKind : std::uint8_t { Recompute, Swap };

std::string_view name_of(SchedulerKind s);   // "static", "continuous", "chunked", "disaggregated"
std::string_view name_of(RouterKind r);      // "round-robin", "least-work", "shortest-queue"
std::string_view name_of(PreemptionKind p);  // "recompute", "swap"
SchedulerKind parse_scheduler(std::string_view what, std::string_view value);
RouterKind parse_router(std::string_view what, std::string_view value);
PreemptionKind parse_preemption(std::string_view what, std::string_view value);

// Service-level objectives; 0 = no bound on that metric.
struct Slo {
  double ttft_s = 0;
  double tpot_s = 0;
  // "ttft=2s,tpot=200ms" (units s, ms, us; a bare number is seconds). Throws Error naming `what`.
  static Slo parse(std::string_view what, std::string_view text);
  bool any() const { return ttft_s > 0 || tpot_s > 0; }
};

struct ServeConfig {
  std::int32_t replicas = 1;
  std::int32_t prefill_replicas = 0;  // disaggregated: replicas in the prefill pool (the rest decode)
  RouterKind router = RouterKind::RoundRobin;
  SchedulerKind scheduler = SchedulerKind::Continuous;
  std::int64_t max_batch = 256;           // sequences per iteration (vLLM's max_num_seqs)
  std::int64_t max_batched_tokens = 0;    // tokens per iteration; 0 = the scheduler's default (docs)
  std::int64_t block_size = 16;           // tokens per KV block (vLLM's default)
  double watermark = 0.01;                // fraction of the blocks kept free at admission (vLLM's)
  PreemptionKind preemption = PreemptionKind::Recompute;
  double swap_bytes_per_chip = 4.0 * (1 << 30);  // host memory for swapped blocks (vLLM: 4 GiB per GPU)
  Slo slo;
  std::int32_t timeline_bins = 200;
};

// The token budget an iteration gets by default: static, continuous and disaggregated admit whole
// prompts, so at least the longest prompt plus output (vLLM: max(max_model_len, 2048)); chunked
// 512 tokens (Sarathi-Serve's smaller budget). The chip model sizes the activations for it.
std::int64_t default_batched_tokens(SchedulerKind s, const std::vector<Request>& requests);

struct RequestRecord {
  std::int64_t id = 0;
  double arrival_s = 0;
  std::int64_t prompt_tokens = 0, output_tokens = 0;
  std::int32_t replica = -1;         // where it was prefilled
  std::int32_t decode_replica = -1;  // disaggregated: where it was decoded
  double scheduled_s = -1;           // its first iteration started
  double first_token_s = -1, finish_s = -1;
  std::int64_t generated = 0;        // tokens it received
  double max_gap_s = 0;              // the longest wait between two of its tokens
  std::int32_t preemptions = 0;
  double ttft() const { return first_token_s - arrival_s; }
  double e2e() const { return finish_s - arrival_s; }
  double queue() const { return scheduled_s - arrival_s; }
  // Mean time per output token after the first; only for outputs of 2 tokens or more.
  bool has_tpot() const { return output_tokens > 1; }
  double tpot() const { return (finish_s - first_token_s) / double(output_tokens - 1); }
};

// Time-weighted means over equal time bins.
struct Timeline {
  double bin_s = 0;
  std::vector<double> kv_utilisation;  // used KV blocks / all KV blocks of the pool
  std::vector<double> waiting;         // requests queued (waiting, swapped out, or waiting for KV room)
  std::vector<double> running;         // sequences holding KV in a running batch
  std::vector<double> busy_replicas;   // replicas running an iteration
  std::vector<double> in_system;       // requests arrived and not finished
};

struct ReplicaStats {
  std::int32_t id = 0;
  std::string role;  // "mixed", "prefill" or "decode"
  std::int64_t requests = 0;
  std::int64_t iterations = 0;
  double busy_s = 0;
  double energy_j = 0;  // iterations' energy (idle energy is added in the summary)
  double macs = 0;
  std::int64_t prefill_tokens = 0, decode_tokens = 0;
  std::int64_t preemptions = 0, swaps_out = 0;
  std::int64_t kv_blocks = 0, peak_kv_blocks = 0;
  std::int64_t max_batch_seen = 0;
  std::int64_t kv_transfers = 0;
  double kv_transfer_s = 0;
};

struct ServeResult {
  ReplicaInfo replica;  // the first replica's (all of a pool share one model, but for disaggregation)
  std::vector<RequestRecord> requests;
  std::vector<ReplicaStats> replicas;
  Timeline timeline;
  double end_s = 0;              // last completion
  double in_system_integral = 0; // integral over time of the requests in the system (request-seconds)
  std::int64_t iterations = 0;
  double wall_s = 0;
};

// Called every few thousand events with requests finished so far and their total.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

// Serves `requests` (sorted by arrival) on a pool whose replica i iterations `models[i]` times
// (one model may be shared). Throws Error when a request can never fit a replica (its prompt
// exceeds the token budget, or its KV cache the whole cache).
ServeResult simulate(const std::vector<Request>& requests, const ServeConfig& config,
                     const std::vector<IterationModel*>& models, const ProgressFn& progress = {});

// ---- statistics ----
struct Dist {
  std::int64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0;
};
// Percentiles interpolate linearly between order statistics (numpy's default).
Dist distribution(std::vector<double> values);

struct Summary {
  std::int64_t requests = 0;  // completed
  Dist ttft_s, tpot_s, e2e_s, queue_s;
  double duration_s = 0;      // first arrival to last completion
  double throughput_tokens_per_s = 0;  // generated tokens per second
  double prompt_tokens_per_s = 0;
  double requests_per_s = 0;
  double goodput_rps = 0;     // completed requests meeting every SLO bound, per second
  double slo_attainment = 0;  // their fraction (1 when no SLO is given)
  double energy_j = 0;        // iterations plus idle chips; 0 when the chip model has no energy
  double energy_per_token_j = 0;  // per generated token
  double chip_utilisation = 0;    // fraction of replica-time spent in iterations
  double mac_utilisation = 0;     // MACs / (peak MACs of every chip over the duration)
  std::int64_t preemptions = 0;
  // conservation and Little's law
  std::int64_t requests_in = 0, requests_out = 0;
  std::int64_t prompt_tokens_in = 0, prompt_tokens_out = 0, output_tokens_in = 0, output_tokens_out = 0;
  double mean_in_system = 0, arrival_rate_per_s = 0, mean_e2e_s = 0, littles_law_error = 0;
};
Summary summarize(const std::vector<Request>& requests, const ServeResult& r, const ServeConfig& c);

}  // namespace npusim::serving
