#include "system/plan_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "base/error.h"

namespace npusim::system {

namespace {

std::vector<std::int32_t> divisors(std::int32_t n) {
  std::vector<std::int32_t> d;
  for (std::int32_t i = 1; i <= n; ++i)
    if (n % i == 0) d.push_back(i);
  return d;
}

}  // namespace

std::vector<std::vector<TrainPlan>> enumerate_plans(const SystemConfig& sys, const workloads::LlmSpec& m,
                                                    const PlanSpace& space) {
  if (space.chips < 1) throw Error(fmt::format("--chips {}: must be >= 1", space.chips));
  if (space.chips > sys.chips())
    throw Error(fmt::format("--chips {}: system '{}' has {} ({} nodes x {}); add --set system.nodes=N", space.chips,
                            sys.name, sys.chips(), sys.nodes, sys.chips_per_node));
  if (space.global_batch < 1) throw Error(fmt::format("--global-batch {}: must be >= 1", space.global_batch));
  const std::int32_t max_tp = space.max_tp > 0 ? space.max_tp : sys.chips_per_node;
  std::map<std::tuple<std::int32_t, std::int64_t, bool, int>, std::vector<TrainPlan>> groups;
  for (std::int32_t tp : divisors(space.chips)) {
    if (tp > max_tp) continue;
    for (std::int32_t pp : divisors(space.chips / tp)) {
      const std::int32_t dp = space.chips / (tp * pp);
      for (std::int64_t mb : space.micro_batches)
        for (bool sp : space.sequence_parallel) {
          if (sp && tp == 1) continue;
          for (workloads::Recompute rc : space.recomputes)
            for (std::int32_t z : space.zeros) {
              if (z > 0 && dp == 1) continue;
              for (PipelineSchedule s : space.schedules) {
                if (s != PipelineSchedule::OneFOneB && pp == 1) continue;
                TrainPlan p;
                p.tp = tp, p.pp = pp, p.dp = dp, p.micro_batch = mb, p.global_batch = space.global_batch;
                p.seq = space.seq, p.sequence_parallel = sp, p.recompute = rc, p.zero = z, p.schedule = s;
                try {
                  check_plan(sys, m, p);
                } catch (const Error&) {
                  continue;
                }
                groups[{tp, mb, sp, static_cast<int>(rc)}].push_back(p);
              }
            }
        }
    }
  }
  std::vector<std::vector<TrainPlan>> out;
  for (auto& [k, v] : groups) out.push_back(std::move(v));
  return out;
}

std::vector<PlanOutcome> evaluate_plans(TrainingModel& tm, const workloads::LlmSpec& m,
                                        const std::vector<TrainPlan>& plans) {
  std::vector<PlanOutcome> out;
  for (const TrainPlan& p : plans) {
    PlanOutcome o;
    o.plan = p;
    try {
      const TrainResult r = tm.step(m, p, false);
      o.iteration_seconds = r.iteration_seconds;
      o.mfu = r.mfu;
      o.memory_bytes = r.memory.total();
      o.tokens_per_s = r.tokens_per_s;
      o.fits = r.memory.total() <= r.memory.capacity;
      if (!o.fits)
        o.error = fmt::format("needs {:.1f} GiB per chip, has {:.1f}", r.memory.total() / (1024.0 * 1024 * 1024),
                              r.memory.capacity / (1024.0 * 1024 * 1024));
    } catch (const Error& e) {
      o.error = e.what();
    }
    out.push_back(std::move(o));
  }
  return out;
}

nlohmann::json to_json(const TrainPlan& p) {
  return {{"tp", p.tp},
          {"pp", p.pp},
          {"dp", p.dp},
          {"ep", p.ep},
          {"sp", p.sequence_parallel},
          {"micro_batch", p.micro_batch},
          {"global_batch", p.global_batch},
          {"seq", p.seq},
          {"recompute", workloads::name_of(p.recompute)},
          {"schedule", name_of(p.schedule)},
          {"virtual_stages", p.virtual_stages},
          {"zero", p.zero},
          {"placement", p.placement.str()},
          {"overlap_dp", p.overlap_dp},
          {"algorithm", name_of(p.algorithm)},
          {"optimizer", workloads::name_of(p.optimizer)},
          {"engine", driver::name_of(p.engine)}};
}

TrainPlan plan_from_json(const nlohmann::json& j) {
  TrainPlan p;
  p.tp = j.at("tp"), p.pp = j.at("pp"), p.dp = j.at("dp"), p.ep = j.at("ep");
  p.sequence_parallel = j.at("sp");
  p.micro_batch = j.at("micro_batch"), p.global_batch = j.at("global_batch"), p.seq = j.at("seq");
  p.recompute = driver::parse_recompute("recompute", j.at("recompute").get<std::string>());
  p.schedule = driver::parse_choice("schedule", j.at("schedule").get<std::string>(), kPipelineSchedules);
  p.virtual_stages = j.at("virtual_stages");
  p.zero = j.at("zero");
  p.placement = parse_placement("placement", j.at("placement").get<std::string>());
  p.overlap_dp = j.at("overlap_dp");
  p.algorithm = driver::parse_choice("algorithm", j.at("algorithm").get<std::string>(), kAlgorithms);
  p.optimizer = driver::parse_optimizer("optimizer", j.at("optimizer").get<std::string>());
  p.engine = driver::parse_engine("engine", j.at("engine").get<std::string>());
  return p;
}

nlohmann::json to_json(const PlanOutcome& o) {
  return {{"plan", to_json(o.plan)}, {"fits", o.fits}, {"error", o.error}, {"iteration_seconds", o.iteration_seconds},
          {"mfu", o.mfu}, {"memory_bytes", o.memory_bytes}, {"tokens_per_s", o.tokens_per_s}};
}

PlanOutcome outcome_from_json(const nlohmann::json& j) {
  PlanOutcome o;
  o.plan = plan_from_json(j.at("plan"));
  o.fits = j.at("fits"), o.error = j.at("error");
  o.iteration_seconds = j.at("iteration_seconds"), o.mfu = j.at("mfu"), o.memory_bytes = j.at("memory_bytes");
  o.tokens_per_s = j.at("tokens_per_s");
  return o;
}

}  // namespace npusim::system
