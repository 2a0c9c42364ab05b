#include "dse/serve_plan.h"

#include <fmt/format.h>

#include <filesystem>

#include "arch/raw_yaml.h"
#include "base/error.h"
#include "base/files.h"
#include "base/hash.h"
#include "configs/embedded.h"
#include "driver/driver.h"

namespace npusim::dse {

Plan make_serve_plan(const ServePlanSpec& s) {
  const serving::ServeConfig& c = s.base.config;
  if (!c.slo.any()) throw Error("serve-plan: give the SLO the pool must meet (--slo ttft=2s,tpot=200ms)");
  if (!(s.attainment > 0 && s.attainment <= 1))
    throw Error(fmt::format("--attainment {}: must be in (0, 1]", s.attainment));
  if (s.max_replicas < 1) throw Error(fmt::format("--max-replicas {}: must be >= 1", s.max_replicas));
  const serving::LlmShape& m = serving::find_llm_shape(s.base.model);

  SweepSpec spec;
  spec.name = fmt::format("serve-plan {}", m.name);
  set_base_arch(spec, s.arch.empty() ? std::string(kDefaultArchPreset) : s.arch, "--arch");
  for (const auto& o : s.sets) spec.fixed.push_back(parse_override(o));
  (void)driver::load_arch(spec.base, s.sets);  // the chip must be valid before anything runs
  spec.engine = driver::Engine::Analytic;
  spec.source = "npusim serve-plan";
  spec.objectives = {"chips", "goodput_rps"};
  nlohmann::json text = {{"name", spec.name}, {"base", spec.base}, {"set", s.sets}, {"tp", s.tps},
                         {"pp", s.pps},        {"max_replicas", s.max_replicas}};
  for (std::int32_t tp : s.tps) {
    for (std::int32_t pp : s.pps) {
      if (tp < 1 || pp < 1) throw Error(fmt::format("--tp {} --pp {}: must be >= 1", tp, pp));
      if (m.heads % tp != 0 || m.ffn % tp != 0 || pp > m.layers) continue;  // does not divide the model
      for (std::int32_t r = 1; r <= s.max_replicas; ++r) {
        if (c.scheduler == serving::SchedulerKind::Disaggregated && r < 2) continue;
        serving::ServeRequest req = s.base;
        req.tp = tp;
        req.pp = pp;
        req.config.replicas = r;
        Workload w;
        w.model = m.name;
        w.serving = serving::request_to_json(req);
        spec.workloads.push_back(std::move(w));
      }
    }
  }
  if (spec.workloads.empty())
    throw Error(fmt::format("serve-plan: no candidate split divides {} ({} heads, FFN {}, {} layers)", m.name, m.heads,
                            m.ffn, m.layers));
  text["request"] = serving::request_to_json(s.base);
  spec.text = text.dump(2);
  return make_plan(std::move(spec), driver::Engine::Analytic);
}

ServePlanResult choose_pool(const Plan& plan, const ResultsDb& db, double attainment) {
  std::map<std::string, ResultRow> rows;
  for (ResultRow& r : db.rows(RowFilter{}))
    if (r.engine == driver::name_of(plan.spec.engine)) rows.emplace(r.key(), std::move(r));
  ServePlanResult out;
  for (const Task& t : plan.tasks) {
    const Workload& w = plan.spec.workloads[t.workload];
    PoolCandidate c;
    c.tp = w.serving.at("tp").get<std::int32_t>();
    c.pp = w.serving.at("pp").get<std::int32_t>();
    c.replicas = w.serving.at("replicas").get<std::int32_t>();
    c.chips = c.tp * c.pp * c.replicas;
    auto it = rows.find(plan.key(t));
    if (it != rows.end()) {
      c.ran = true;
      c.error = it->second.error;
      c.metrics = it->second.metrics;
      const auto a = it->second.metric("slo_attainment");
      c.meets = it->second.status == "done" && a && *a >= attainment;
    }
    out.candidates.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < out.candidates.size(); ++i) {
    const PoolCandidate& c = out.candidates[i];
    if (!c.meets) continue;
    if (!out.chosen) {
      out.chosen = i;
      continue;
    }
    const PoolCandidate& b = out.candidates[*out.chosen];
    const double gc = c.metrics.count("goodput_rps") ? c.metrics.at("goodput_rps") : 0;
    const double gb = b.metrics.count("goodput_rps") ? b.metrics.at("goodput_rps") : 0;
    if (c.chips < b.chips || (c.chips == b.chips && gc > gb)) out.chosen = i;
  }
  return out;
}

}  // namespace npusim::dse
