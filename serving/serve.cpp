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

ServeOutcome serve(const ServeRequest& r, const ProgressFn& progress) {
  ServeOutcome out;
  out.requests = requests_of(r);
  ChipModelOptions o;
  o.arch = driver::load_arch(r.arch, r.sets);
  o.model = find_llm_shape(r.model);
  o.tp = r.tp;
  o.pp = r.pp;
  o.dtype = r.dtype;
  o.chip_link = r.chip_link;
  o.replica_link = r.replica_link;
  o.host_bytes_per_s = r.host_bytes_per_s;
  o.memory_utilisation = r.memory_utilisation;
  o.grid = r.grid;
  const ServeConfig& c = r.config;
  o.max_batched_tokens = c.max_batched_tokens > 0 ? c.max_batched_tokens : default_batched_tokens(c.scheduler, out.requests);
  if (r.tp * r.pp > 1 && !(r.chip_link.bytes_per_s > 0))
    throw Error(fmt::format("--tp {} --pp {}: a replica of {} chips needs the link between them "
                            "(--intra-node-gb-per-s)",
                            r.tp, r.pp, r.tp * r.pp));
  if (c.scheduler == SchedulerKind::Disaggregated && !(r.replica_link.bytes_per_s > 0))
    throw Error("--scheduler disaggregated: the KV cache moves between replicas over --inter-node-gb-per-s, which is "
                "not given");
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
