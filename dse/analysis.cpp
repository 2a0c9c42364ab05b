#include "dse/analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "base/pareto.h"
#include "base/scalar_text.h"

namespace npusim::dse {

std::string RowGroup::title() const { return engines_mixed ? fmt::format("{} ({})", workload, engine) : workload; }

std::vector<RowGroup> group_rows(const std::vector<ResultRow>& rows) {
  std::vector<RowGroup> groups;
  std::map<std::pair<std::string, std::string>, std::size_t> at;
  std::set<std::string> engines;
  for (const auto& r : rows) {
    if (r.status != "done") continue;
    engines.insert(r.engine);
    auto k = std::make_pair(r.workload, r.engine);
    auto it = at.find(k);
    if (it == at.end()) {
      it = at.emplace(k, groups.size()).first;
      groups.push_back(RowGroup{r.workload, r.engine, {}, false});
    }
    groups[it->second].rows.push_back(&r);
  }
  for (auto& g : groups) g.engines_mixed = engines.size() > 1;
  return groups;
}

std::vector<const ResultRow*> pareto_rows(const RowGroup& g, const compiler::Metric& x, const compiler::Metric& y) {
  std::vector<std::vector<double>> v;
  for (const ResultRow* r : g.rows) v.push_back({r->metric(x.name).value_or(NAN), r->metric(y.name).value_or(NAN)});
  std::vector<const ResultRow*> out;
  for (std::size_t i : pareto_front(v, {x.minimize, y.minimize})) out.push_back(g.rows[i]);
  std::stable_sort(out.begin(), out.end(), [&](const ResultRow* a, const ResultRow* b) {
    return *a->metric(x.name) < *b->metric(x.name);
  });
  return out;
}

double Sensitivity::spread() const {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& p : points) lo = std::min(lo, p.best), hi = std::max(hi, p.best);
  if (points.empty() || !(lo > 0)) return 1;
  return hi / lo;
}

std::vector<Sensitivity> sensitivity(const std::vector<RowGroup>& groups, const std::vector<std::string>& axes,
                                     const compiler::Metric& metric) {
  std::vector<Sensitivity> out;
  for (const auto& axis : axes) {
    for (const auto& g : groups) {
      Sensitivity s;
      s.axis = axis;
      s.group = g.title();
      std::map<std::string, std::size_t> at;  // value text -> index in s.points
      for (const ResultRow* r : g.rows) {
        auto m = r->metric(metric.name);
        if (!m || !std::isfinite(*m) || !r->point.contains(axis)) continue;
        const nlohmann::json& v = r->point[axis];
        const std::string key = text::value_text(v);
        auto it = at.find(key);
        if (it == at.end()) {
          at.emplace(key, s.points.size());
          s.points.push_back(SensitivityPoint{v, *m, r->config_hash});
          continue;
        }
        SensitivityPoint& p = s.points[it->second];
        if (metric.minimize ? *m < p.best : *m > p.best) p.best = *m, p.hash = r->config_hash;
      }
      if (s.points.empty()) continue;
      const bool numeric = std::all_of(s.points.begin(), s.points.end(), [](const auto& p) { return p.value.is_number(); });
      if (numeric)
        std::sort(s.points.begin(), s.points.end(),
                  [](const auto& a, const auto& b) { return a.value.template get<double>() < b.value.template get<double>(); });
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<std::string> axes_of(const std::vector<ResultRow>& rows, const std::vector<std::string>& preferred) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::set<std::string> present;
  for (const auto& r : rows)
    for (auto it = r.point.begin(); it != r.point.end(); ++it) present.insert(it.key());
  for (const auto& a : preferred)
    if (present.count(a) && seen.insert(a).second) out.push_back(a);
  for (const auto& r : rows)
    for (auto it = r.point.begin(); it != r.point.end(); ++it)
      if (seen.insert(it.key()).second) out.push_back(it.key());
  return out;
}

}  // namespace npusim::dse
