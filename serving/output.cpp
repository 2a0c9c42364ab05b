#include "serving/output.h"

#include <fmt/format.h>

namespace npusim::serving {

using nlohmann::json;

namespace {

json dist_json(const Dist& d) {
  return {{"mean", d.mean}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}, {"min", d.min}, {"max", d.max},
          {"count", d.count}};
}

}  // namespace

json summary_json(const Summary& s, const Slo& slo) {
  json j;
  j["requests"] = s.requests;
  j["ttft_s"] = dist_json(s.ttft_s);
  j["tpot_s"] = dist_json(s.tpot_s);
  j["e2e_s"] = dist_json(s.e2e_s);
  j["queue_s"] = dist_json(s.queue_s);
  j["duration_s"] = s.duration_s;
  j["throughput_tokens_per_s"] = s.throughput_tokens_per_s;
  j["prompt_tokens_per_s"] = s.prompt_tokens_per_s;
  j["requests_per_s"] = s.requests_per_s;
  j["goodput_rps"] = s.goodput_rps;
  j["slo_attainment"] = s.slo_attainment;
  j["slo"] = {{"ttft_s", slo.ttft_s > 0 ? json(slo.ttft_s) : json(nullptr)},
              {"tpot_s", slo.tpot_s > 0 ? json(slo.tpot_s) : json(nullptr)}};
  j["energy_j"] = s.energy_j > 0 ? json(s.energy_j) : json(nullptr);
  j["energy_per_token_j"] = s.energy_j > 0 ? json(s.energy_per_token_j) : json(nullptr);
  j["chip_utilisation"] = s.chip_utilisation;
  j["mac_utilisation"] = s.mac_utilisation;
  j["preemptions"] = s.preemptions;
  return j;
}

json to_json(const RunDescription& d, const ServeConfig& c, const ServeResult& r, const Summary& s) {
  json j;
  j["summary"] = summary_json(s, c.slo);
  j["checks"] = {{"requests_in", s.requests_in},
                 {"requests_out", s.requests_out},
                 {"prompt_tokens_in", s.prompt_tokens_in},
                 {"prompt_tokens_out", s.prompt_tokens_out},
                 {"output_tokens_in", s.output_tokens_in},
                 {"output_tokens_out", s.output_tokens_out},
                 {"littles_law",
                  {{"mean_in_system", s.mean_in_system},
                   {"arrival_rate_per_s", s.arrival_rate_per_s},
                   {"mean_e2e_s", s.mean_e2e_s},
                   {"relative_error", s.littles_law_error}}}};
  j["config"] = {{"workload", d.workload},
                 {"chip", d.chip},
                 {"model", d.model},
                 {"tp", d.tp},
                 {"pp", d.pp},
                 {"replicas", c.replicas},
                 {"prefill_replicas", c.scheduler == SchedulerKind::Disaggregated
                                          ? json(c.prefill_replicas > 0 ? c.prefill_replicas : (c.replicas + 1) / 2)
                                          : json(nullptr)},
                 {"scheduler", name_of(c.scheduler)},
                 {"router", name_of(c.router)},
                 {"max_batch", c.max_batch},
                 {"max_batched_tokens", c.max_batched_tokens},
                 {"block_size", c.block_size},
                 {"watermark", c.watermark},
                 {"preemption", name_of(c.preemption)}};
  const ReplicaInfo& in = r.replica;
  j["replica"] = {{"chips", in.chips()},
                  {"memory_bytes_per_chip", in.memory_bytes_per_chip},
                  {"usable_fraction", in.usable_fraction},
                  {"weight_bytes_per_chip", in.weight_bytes_per_chip},
                  {"activation_bytes_per_chip", in.activation_bytes_per_chip},
                  {"kv_bytes_per_token_per_chip", in.kv_bytes_per_token_per_chip},
                  {"kv_tokens", in.kv_tokens},
                  {"timing", in.timing}};
  json reps = json::array();
  for (const ReplicaStats& x : r.replicas)
    reps.push_back({{"id", x.id},
                    {"role", x.role},
                    {"requests", x.requests},
                    {"iterations", x.iterations},
                    {"busy_s", x.busy_s},
                    {"utilisation", s.duration_s > 0 ? x.busy_s / s.duration_s : 0},
                    {"prefill_tokens", x.prefill_tokens},
                    {"decode_tokens", x.decode_tokens},
                    {"preemptions", x.preemptions},
                    {"swaps_out", x.swaps_out},
                    {"kv_blocks", x.kv_blocks},
                    {"peak_kv_blocks", x.peak_kv_blocks},
                    {"max_batch", x.max_batch_seen},
                    {"kv_transfers", x.kv_transfers},
                    {"kv_transfer_s", x.kv_transfer_s}});
  j["replicas"] = reps;
  const Timeline& t = r.timeline;
  json ts = json::array();
  for (std::size_t b = 0; b < t.in_system.size(); ++b) ts.push_back(double(b) * t.bin_s);
  j["timeline"] = {{"bin_s", t.bin_s},
                   {"t_s", ts},
                   {"kv_utilisation", t.kv_utilisation},
                   {"waiting", t.waiting},
                   {"running", t.running},
                   {"busy_replicas", t.busy_replicas},
                   {"in_system", t.in_system}};
  j["simulation"] = {{"iterations", r.iterations}, {"wall_s", r.wall_s}};
  return j;
}

const std::vector<ServingMetric>& serving_metrics() {
  static const std::vector<ServingMetric> m = {
      {"ttft_p50_s", "s", "Time to first token, median", true},
      {"ttft_p90_s", "s", "Time to first token, 90th percentile", true},
      {"ttft_p99_s", "s", "Time to first token, 99th percentile", true},
      {"tpot_p50_s", "s", "Time per output token after the first, median", true},
      {"tpot_p90_s", "s", "Time per output token after the first, 90th percentile", true},
      {"tpot_p99_s", "s", "Time per output token after the first, 99th percentile", true},
      {"e2e_p90_s", "s", "End-to-end latency, 90th percentile", true},
      {"goodput_rps", "1/s", "Completed requests meeting every SLO bound, per second", false},
      {"slo_attainment", "fraction", "Fraction of the requests meeting every SLO bound", false},
      {"serve_tokens_per_s", "1/s", "Generated tokens per second of the pool", false},
      {"serve_requests_per_s", "1/s", "Completed requests per second of the pool", false},
      {"chips", "chips", "Chips of the pool: replicas x tp x pp", true},
      {"serve_energy_per_token_j", "J", "Energy per generated token (NPUs; not modelled on GPUs)", true},
      {"chip_busy", "fraction", "Fraction of replica-time spent in iterations", false},
      {"kv_tokens", "tokens", "KV-cache capacity of one replica", false},
  };
  return m;
}

std::map<std::string, double> serving_metric_values(const ServeConfig& c, const ServeResult& r, const Summary& s) {
  std::map<std::string, double> v = {{"ttft_p50_s", s.ttft_s.p50},
                                     {"ttft_p90_s", s.ttft_s.p90},
                                     {"ttft_p99_s", s.ttft_s.p99},
                                     {"e2e_p90_s", s.e2e_s.p90},
                                     {"goodput_rps", s.goodput_rps},
                                     {"slo_attainment", s.slo_attainment},
                                     {"serve_tokens_per_s", s.throughput_tokens_per_s},
                                     {"serve_requests_per_s", s.requests_per_s},
                                     {"chips", double(c.replicas) * double(r.replica.chips())},
                                     {"chip_busy", s.chip_utilisation},
                                     {"kv_tokens", double(r.replica.kv_tokens)}};
  if (s.tpot_s.count > 0) {
    v["tpot_p50_s"] = s.tpot_s.p50;
    v["tpot_p90_s"] = s.tpot_s.p90;
    v["tpot_p99_s"] = s.tpot_s.p99;
  }
  if (s.energy_j > 0) v["serve_energy_per_token_j"] = s.energy_per_token_j;
  return v;
}

std::string requests_csv(const ServeResult& r) {
  std::string out =
      "id,arrival_s,prompt_tokens,output_tokens,replica,decode_replica,queue_s,ttft_s,tpot_s,e2e_s,max_gap_s,"
      "preemptions\n";
  out.reserve(out.size() + r.requests.size() * 96);
  for (const RequestRecord& q : r.requests) {
    fmt::format_to(std::back_inserter(out), "{},{:.9g},{},{},{},{},{:.9g},{:.9g},", q.id, q.arrival_s,
                   q.prompt_tokens, q.output_tokens, q.replica, q.decode_replica, q.queue(), q.ttft());
    if (q.has_tpot()) fmt::format_to(std::back_inserter(out), "{:.9g}", q.tpot());
    fmt::format_to(std::back_inserter(out), ",{:.9g},{:.9g},{}\n", q.e2e(), q.max_gap_s, q.preemptions);
  }
  return out;
}

}  // namespace npusim::serving
