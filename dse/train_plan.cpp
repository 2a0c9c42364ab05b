#include "dse/train_plan.h"

#include <fmt/format.h>

#include <map>

#include "arch/loader.h"
#include "base/error.h"
#include "driver/driver.h"

namespace npusim::dse {

namespace {

nlohmann::json request_json(const system::SystemRequest& r) {
  return {{"system", r.system}, {"set", r.sets}, {"arch", r.arch}, {"arch_set", r.arch_sets}};
}

system::SystemRequest request_from(const nlohmann::json& j) {
  system::SystemRequest r;
  r.system = j.at("system").get<std::string>();
  r.sets = j.at("set").get<std::vector<std::string>>();
  r.arch = j.at("arch").get<std::string>();
  r.arch_sets = j.at("arch_set").get<std::vector<std::string>>();
  return r;
}

const workloads::LlmSpec& llm(const std::string& model, std::optional<workloads::LlmSpec>& holder) {
  holder = workloads::resolve_llm(model);
  if (!holder)
    throw Error(fmt::format("--model {}: npusim train-plan splits decoder-only LLMs (a zoo LLM or "
                            "gpt:layers=L,hidden=H,heads=A,seq=S)",
                            model));
  return *holder;
}

}  // namespace

Plan make_train_plan(const TrainPlanSpec& s) {
  const system::SystemConfigPtr sys = system::load_system(s.system);
  std::optional<workloads::LlmSpec> holder;
  const workloads::LlmSpec& m = llm(s.model, holder);
  const std::vector<std::vector<system::TrainPlan>> groups = system::enumerate_plans(*sys, m, s.space);
  if (groups.empty())
    throw Error(fmt::format("--chips {}: no split of {} over {} chips is valid (heads {}, layers {}, --global-batch {})",
                            s.space.chips, m.name, s.space.chips, m.heads, m.layers, s.space.global_batch));

  SweepSpec spec;
  spec.name = fmt::format("train-plan {} on {} x {}", m.name, s.space.chips, sys->arch->name);
  set_base_arch(spec, s.system.arch.empty() ? sys->chip : s.system.arch, s.system.arch.empty() ? "chip" : "--arch");
  for (const auto& o : s.system.arch_sets) spec.fixed.push_back(parse_override(o));
  spec.engine = driver::Engine::Analytic;
  spec.source = "npusim train-plan";
  spec.objectives = {};
  const nlohmann::json request = request_json(s.system);
  for (const auto& g : groups) {
    nlohmann::json plans = nlohmann::json::array();
    for (const auto& p : g) plans.push_back(system::to_json(p));
    Workload w;
    w.model = m.name;
    w.seq = s.space.seq;
    w.training = {{"system", request}, {"model", s.model}, {"plans", std::move(plans)}};
    spec.workloads.push_back(std::move(w));
  }
  spec.text = nlohmann::json({{"name", spec.name},
                              {"system", request},
                              {"model", s.model},
                              {"chips", s.space.chips},
                              {"global_batch", s.space.global_batch},
                              {"seq", s.space.seq}})
                  .dump(2);
  return make_plan(std::move(spec), driver::Engine::Analytic);
}

TaskOutcome execute_training_task(const arch::ArchConfigPtr& cfg, const nlohmann::json& training,
                                  WorkerState* worker) {
  system::SystemRequest req;
  std::string model;
  std::vector<system::TrainPlan> plans;
  try {
    req = request_from(training.at("system"));
    model = training.at("model").get<std::string>();
    for (const auto& p : training.at("plans")) plans.push_back(system::plan_from_json(p));
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("a malformed training task: {}", e.what()));
  }
  auto load = [&] {
    auto sys = std::make_shared<system::SystemConfig>(*system::load_system(req));
    if (cfg) sys->arch = cfg;  // the point's chip
    return std::make_shared<system::TrainingModel>(sys, driver::Engine::Analytic);
  };
  std::shared_ptr<system::TrainingModel> own;
  system::TrainingModel* tmp = nullptr;
  if (worker) {
    const std::string key = training.at("system").dump() + '\n' + (cfg ? arch::to_yaml(*cfg) : std::string());
    auto it = worker->training.find(key);
    if (it == worker->training.end()) it = worker->training.emplace(key, load()).first;
    tmp = it->second.get();
  } else {
    own = load();
    tmp = own.get();
  }
  system::TrainingModel& tm = *tmp;
  std::optional<workloads::LlmSpec> holder;
  const workloads::LlmSpec& m = llm(model, holder);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : system::evaluate_plans(tm, m, plans)) out.push_back(system::to_json(o));
  TaskOutcome o;
  o.ok = true;
  o.result = out.dump();
  return o;
}

TrainPlanResult choose_train_plan(const Plan& plan, const ResultsDb& db) {
  std::map<std::string, ResultRow> rows;
  RowFilter f;
  f.with_result = true;
  f.with_config = false;
  for (ResultRow& r : db.rows(f))
    if (r.engine == driver::name_of(plan.spec.engine)) rows.emplace(r.key(), std::move(r));
  TrainPlanResult out;
  out.groups = plan.tasks.size();
  for (const Task& t : plan.tasks) {
    auto it = rows.find(plan.key(t));
    if (it == rows.end()) continue;
    if (it->second.status != "done") {
      out.failed.push_back(fmt::format("{}: {}", it->second.workload, it->second.error));
      continue;
    }
    ++out.groups_ran;
    for (const auto& j : nlohmann::json::parse(it->second.result)) out.outcomes.push_back(system::outcome_from_json(j));
  }
  for (std::size_t i = 0; i < out.outcomes.size(); ++i) {
    const auto& c = out.outcomes[i];
    if (!c.fits) continue;
    if (!out.chosen || c.iteration_seconds < out.outcomes[*out.chosen].iteration_seconds) out.chosen = i;
  }
  return out;
}

}  // namespace npusim::dse
