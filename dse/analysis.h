// Analysis of sweep results: Pareto sets (base/pareto.h), grouping by workload, per-axis
// sensitivity. Pure functions over rows read from the results database.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "compiler/stats.h"
#include "dse/results_db.h"

namespace npusim::dse {

// Done rows by (workload, engine), in order of first appearance.
struct RowGroup {
  std::string workload, engine;
  std::vector<const ResultRow*> rows;
  std::string title() const;  // "resnet50/b1" or "resnet50/b1 (analytic)" when engines mix
  bool engines_mixed = false;
};
std::vector<RowGroup> group_rows(const std::vector<ResultRow>& rows);

// The rows of `g` on the Pareto set of (x, y), sorted by x.
std::vector<const ResultRow*> pareto_rows(const RowGroup& g, const compiler::Metric& x, const compiler::Metric& y);

// Per axis and group: for each value the axis takes, the best `metric` over the rows holding that
// value (every other axis at its best), with the row that attains it.
struct SensitivityPoint {
  nlohmann::json value;
  double best = 0;
  std::string hash;
};
struct Sensitivity {
  std::string axis;
  std::string group;  // RowGroup::title()
  std::vector<SensitivityPoint> points;  // sorted by value (numerically when numeric)
  double spread() const;  // worst best / best best (>= 1), how much the axis matters
};
std::vector<Sensitivity> sensitivity(const std::vector<RowGroup>& groups, const std::vector<std::string>& axes,
                                     const compiler::Metric& metric);

// Axis keys present in the rows' points, in first-seen order (or the order `preferred` gives).
std::vector<std::string> axes_of(const std::vector<ResultRow>& rows, const std::vector<std::string>& preferred = {});

}  // namespace npusim::dse
