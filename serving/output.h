// What a serving run writes: the summary JSON (stable key names: scripts rely on them), the
// per-request CSV, and the data of the serving report (report/ draws it without knowing serving/).
//
// JSON layout (docs/SERVING.md lists every key with its unit):
//   summary.requests, summary.ttft_s / tpot_s / e2e_s / queue_s {mean, p50, p90, p99, min, max},
//   summary.throughput_tokens_per_s, summary.goodput_rps, summary.slo_attainment,
//   summary.energy_per_token_j, summary.chip_utilisation, summary.mac_utilisation, ...
//   checks {requests_in, requests_out, ..., littles_law {...}}, config {...}, replica {...},
//   replicas [...], timeline {bin_s, t_s, kv_utilisation, waiting, running, busy_replicas, in_system}
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "serving/simulator.h"

namespace npusim::serving {

// What was run, for the record: the command's inputs as given.
struct RunDescription {
  std::string workload;  // "trace FILE (xN)" or "poisson 5/s, prompt ..., output ..."
  std::string chip, model;
  std::int32_t tp = 1, pp = 1;
};

nlohmann::json to_json(const RunDescription& d, const ServeConfig& c, const ServeResult& r, const Summary& s);
nlohmann::json summary_json(const Summary& s, const Slo& slo);
// ---- the figures of a run a sweep keeps (a column each in the results database) ----
struct ServingMetric {
  std::string name, unit, description;
  bool minimize = true;
};
const std::vector<ServingMetric>& serving_metrics();
// The values of serving_metrics() for a run (absent: not available, e.g. energy on a GPU).
std::map<std::string, double> serving_metric_values(const ServeConfig& c, const ServeResult& r, const Summary& s);

// One row per request: id, arrival_s, prompt_tokens, output_tokens, replica, decode_replica,
// queue_s, ttft_s, tpot_s (empty for one-token outputs), e2e_s, max_gap_s, preemptions.
std::string requests_csv(const ServeResult& r);

}  // namespace npusim::serving
