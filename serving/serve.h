// One serving run from typed options: the requests (a trace or a synthetic stream), the chip
// model of a replica, the pool and its schedulers. `npusim serve`, the serving report and the
// capacity planner (`npusim serve-plan`, a task of dse/) all run through here.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "serving/chip_model.h"
#include "serving/output.h"
#include "serving/requests.h"
#include "serving/simulator.h"

namespace npusim::serving {

struct ServeRequest {
  // the replica
  std::string arch;               // preset or file (driver::load_arch)
  arch::ArchConfigPtr arch_config;  // an architecture already validated (a sweep's point): used instead of `arch`
  std::vector<std::string> sets;  // --set overrides
  std::string model = "llama2-70b";
  std::int32_t tp = 1, pp = 1;
  std::optional<DType> dtype, activation_dtype, kv_dtype;  // see ChipModelOptions
  // A system preset or file (configs/systems/): the replica's tensor- and pipeline-parallel
  // traffic on its network (ChipModelOptions::system); when replica_link is not given, the
  // replicas' link is each chip's share of a node's inter-node bandwidth.
  std::string system;
  Link chip_link, replica_link;   // see ChipModelOptions
  double host_bytes_per_s = 0;
  double memory_utilisation = 0.9;
  ShapeGrid grid = ShapeGrid::Interpolated;
  // the requests: a trace (with rate scaling) or a synthetic stream
  std::string trace;
  double rate_scale = 1;
  std::int64_t limit = 0;  // the first N requests of the trace (0: all)
  StreamSpec stream;       // when `trace` is empty and `requests` too
  std::vector<Request> requests;  // given requests (sorted by arrival), instead of a trace or a stream
  // the pool
  ServeConfig config;
};

struct ServeOutcome {
  std::vector<Request> requests;
  ServeResult result;
  Summary summary;
  RunDescription description;
};

// The request as JSON (everything but the architecture and given requests), for the sweep
// engine's task messages; request_from_json() validates it (throws Error naming the field).
nlohmann::json request_to_json(const ServeRequest& r);
ServeRequest request_from_json(const nlohmann::json& j);

// The requests a ServeRequest names.
std::vector<Request> requests_of(const ServeRequest& r);
// Throws Error for a bad option (naming it), a request that cannot fit, a model that does not fit.
ServeOutcome serve(const ServeRequest& r, const ProgressFn& progress = {});

}  // namespace npusim::serving
