#include "serving/serve.h"

#include <fmt/format.h>

#include "base/error.h"
#include "driver/driver.h"

namespace npusim::serving {

std::vector<Request> requests_of(const ServeRequest& r) {
  if (!r.requests.empty()) return r.requests;
  if (!r.trace.empty()) return take_first(scale_rate(load_azure_trace(r.trace), r.rate_scale), r.limit);
  return synthesize(r.stream);
}

nlohmann::json request_to_json(const ServeRequest& r) {
  using nlohmann::json;
  const ServeConfig& c = r.config;
  json j = {{"model", r.model},
            {"tp", r.tp},
            {"pp", r.pp},
            {"dtype", r.dtype ? json(std::string(name_of(*r.dtype))) : json(nullptr)},
            {"activation_dtype", r.activation_dtype ? json(std::string(name_of(*r.activation_dtype))) : json(nullptr)},
            {"kv_dtype", r.kv_dtype ? json(std::string(name_of(*r.kv_dtype))) : json(nullptr)},
            {"system", r.system},
            {"chip_link", {r.chip_link.bytes_per_s, r.chip_link.latency_s}},
            {"replica_link", {r.replica_link.bytes_per_s, r.replica_link.latency_s}},
            {"host_bytes_per_s", r.host_bytes_per_s},
            {"memory_utilisation", r.memory_utilisation},
            {"exact_shapes", r.grid == ShapeGrid::Exact},
            {"replicas", c.replicas},
            {"prefill_replicas", c.prefill_replicas},
            {"router", name_of(c.router)},
            {"scheduler", name_of(c.scheduler)},
            {"max_batch", c.max_batch},
            {"max_batched_tokens", c.max_batched_tokens},
            {"block_size", c.block_size},
            {"watermark", c.watermark},
            {"preemption", name_of(c.preemption)},
            {"swap_bytes_per_chip", c.swap_bytes_per_chip},
            {"slo", {c.slo.ttft_s, c.slo.tpot_s}}};
  if (!r.trace.empty()) {
    j["trace"] = {{"file", r.trace}, {"rate_scale", r.rate_scale}, {"limit", r.limit}};
  } else {
    const StreamSpec& s = r.stream;
    j["stream"] = {{"arrival", name_of(s.arrival)}, {"rate_per_s", s.rate_per_s}, {"cv", s.cv},
                   {"count", s.count},              {"prompt", s.prompt.str()},  {"output", s.output.str()},
                   {"seed", s.seed}};
  }
  return j;
}

ServeRequest request_from_json(const nlohmann::json& j) {
  ServeRequest r;
  try {
    r.model = j.at("model").get<std::string>();
    r.tp = j.at("tp").get<std::int32_t>();
    r.pp = j.at("pp").get<std::int32_t>();
    auto dtype = [&](const char* key, std::optional<DType>& out) {
      if (!j.at(key).is_null()) out = driver::parse_operand_dtype(key, j.at(key).get<std::string>());
    };
    dtype("dtype", r.dtype);
    dtype("activation_dtype", r.activation_dtype);
    dtype("kv_dtype", r.kv_dtype);
    r.system = j.at("system").get<std::string>();
    r.chip_link = {j.at("chip_link").at(0).get<double>(), j.at("chip_link").at(1).get<double>()};
    r.replica_link = {j.at("replica_link").at(0).get<double>(), j.at("replica_link").at(1).get<double>()};
    r.host_bytes_per_s = j.at("host_bytes_per_s").get<double>();
    r.memory_utilisation = j.at("memory_utilisation").get<double>();
    r.grid = j.at("exact_shapes").get<bool>() ? ShapeGrid::Exact : ShapeGrid::Interpolated;
    ServeConfig& c = r.config;
    c.replicas = j.at("replicas").get<std::int32_t>();
    c.prefill_replicas = j.at("prefill_replicas").get<std::int32_t>();
    c.router = parse_router("router", j.at("router").get<std::string>());
    c.scheduler = parse_scheduler("scheduler", j.at("scheduler").get<std::string>());
    c.max_batch = j.at("max_batch").get<std::int64_t>();
    c.max_batched_tokens = j.at("max_batched_tokens").get<std::int64_t>();
    c.block_size = j.at("block_size").get<std::int64_t>();
    c.watermark = j.at("watermark").get<double>();
    c.preemption = parse_preemption("preemption", j.at("preemption").get<std::string>());
    c.swap_bytes_per_chip = j.at("swap_bytes_per_chip").get<double>();
    c.slo = {j.at("slo").at(0).get<double>(), j.at("slo").at(1).get<double>()};
    if (j.contains("trace")) {
      r.trace = j["trace"].at("file").get<std::string>();
      r.rate_scale = j["trace"].at("rate_scale").get<double>();
      r.limit = j["trace"].at("limit").get<std::int64_t>();
    } else {
      const auto& s = j.at("stream");
      r.stream.arrival = parse_arrival("arrival", s.at("arrival").get<std::string>());
      r.stream.rate_per_s = s.at("rate_per_s").get<double>();
      r.stream.cv = s.at("cv").get<double>();
      r.stream.count = s.at("count").get<std::int64_t>();
      r.stream.prompt = LengthDist::parse("prompt", s.at("prompt").get<std::string>(), "ContextTokens");
      r.stream.output = LengthDist::parse("output", s.at("output").get<std::string>(), "GeneratedTokens");
      r.stream.seed = s.at("seed").get<std::uint64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("a malformed serving request: {}", e.what()));
  }
  return r;
}

ServeOutcome serve(const ServeRequest& r, const ProgressFn& progress) {
  ServeOutcome out;
  out.requests = requests_of(r);
  ChipModelOptions o;
  o.arch = r.arch_config ? r.arch_config : driver::load_arch(r.arch, r.sets);
  o.model = find_llm_shape(r.model);
  o.tp = r.tp;
  o.pp = r.pp;
  o.dtype = r.dtype;
  o.activation_dtype = r.activation_dtype;
  o.kv_dtype = r.kv_dtype;
  o.chip_link = r.chip_link;
  o.replica_link = r.replica_link;
  if (!r.system.empty()) {
    system::SystemRequest sr;
    sr.system = r.system;
    if (!r.arch_config) sr.arch = r.arch, sr.arch_sets = r.sets;  // the chip as --arch gives it
    o.system = system::load_system(sr);
    if (!(o.replica_link.bytes_per_s > 0)) {
      const system::InterNodeConfig& n = o.system->inter_node;
      o.replica_link = {n.bandwidth_gb_per_s * 1e9 / double(o.system->chips_per_node), n.latency_us * 1e-6};
    }
  }
  o.host_bytes_per_s = r.host_bytes_per_s;
  o.memory_utilisation = r.memory_utilisation;
  o.grid = r.grid;
  const ServeConfig& c = r.config;
  o.max_batched_tokens = c.max_batched_tokens > 0 ? c.max_batched_tokens : default_batched_tokens(c.scheduler, out.requests);
  if (r.tp * r.pp > 1 && !o.system && !(r.chip_link.bytes_per_s > 0))
    throw Error(fmt::format("--tp {} --pp {}: a replica of {} chips needs the link between them "
                            "(--system, or --intra-node-gb-per-s)",
                            r.tp, r.pp, r.tp * r.pp));
  if (c.scheduler == SchedulerKind::Disaggregated && !(o.replica_link.bytes_per_s > 0))
    throw Error("--scheduler disaggregated: the KV cache moves between replicas over --inter-node-gb-per-s, which is "
                "not given (nor --system)");
  if (c.preemption == PreemptionKind::Swap && !(r.host_bytes_per_s > 0))
    throw Error("--preemption swap: swapping needs the chips' link to host memory (--host-gb-per-s)");
  ChipIterationModel model(o);
  std::vector<IterationModel*> models(static_cast<std::size_t>(std::max(c.replicas, 1)), &model);
  out.result = simulate(out.requests, c, models, progress);
  out.summary = summarize(out.requests, out.result, c);
  RunDescription& d = out.description;
  d.chip = o.arch->name;
  d.model = o.model.name;
  d.tp = r.tp;
  d.pp = r.pp;
  if (!r.requests.empty()) {
    d.workload = fmt::format("{} given requests", r.requests.size());
  } else if (!r.trace.empty()) {
    d.workload = fmt::format("trace {}", r.trace);
    if (r.rate_scale != 1) d.workload += fmt::format(" at {}x its rate", r.rate_scale);
    if (r.limit > 0) d.workload += fmt::format(", first {} requests", r.limit);
  } else {
    const StreamSpec& s = r.stream;
    d.workload = fmt::format("{} requests, {} arrivals at {}/s{}, prompt {}, output {}, seed {}", s.count,
                             name_of(s.arrival), s.rate_per_s,
                             s.arrival == ArrivalKind::Gamma ? fmt::format(" (cv {})", s.cv) : "", s.prompt.str(),
                             s.output.str(), s.seed);
  }
  return out;
}

}  // namespace npusim::serving
