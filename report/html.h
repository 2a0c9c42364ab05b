// Self-contained HTML reports with inline SVG charts (no network, no external files): Pareto
// scatter per workload, per-layer cycle and stall breakdown, roofline, per-axis sensitivity and,
// for `npusim compare`, per-layer speed-up. A small inline script adds tooltips and sortable
// tables and marks the page as rendered (body data-rendered="ok", data-charts=N) for tests.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compiler/results.h"

namespace npusim::report {

struct Point {
  std::string id;     // config hash, or architecture name (compare)
  std::string label;  // legend text
  std::string group;  // workload (and engine)
  std::map<std::string, double> metrics;
  nlohmann::json values = nlohmann::json::object();  // axis values
  // Roofs for the roofline chart, and the clock for per-layer times.
  double clock_hz = 0, peak_ops_per_s = 0, dram_bytes_per_s = 0;
  std::vector<compiler::LayerResult> layers;  // only for points shown in detail
};

struct Failure {
  std::string id, group, error;
};

struct SensitivitySeries {
  std::string axis;
  std::string group;
  std::vector<std::pair<std::string, double>> points;  // (value text, best metric)
  bool numeric = false;
};

struct ReportData {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // summary lines
  std::string x_metric = "area_mm2", y_metric = "latency_s";
  std::vector<std::string> axes;                // axis keys, for tables
  std::vector<std::string> table_metrics;       // extra metric columns in the tables
  std::vector<Point> points;                    // every done point (metrics only)
  std::vector<Point> detailed;                  // points shown per layer (with layers)
  std::vector<Failure> failures;
  std::size_t failures_total = 0;
  std::string sensitivity_metric;
  std::vector<SensitivitySeries> sensitivity;
  bool speedup = false;  // compare: per-layer speed-up of each architecture vs the first, per group
};

std::string render_html(const ReportData& d);

// Engineering notation: 1.23k, 45.6M, 7.8m, 910µ.
std::string si(double v);
std::string html_escape(const std::string& s);

}  // namespace npusim::report
