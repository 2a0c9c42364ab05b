// The serving report: latency CDFs, TTFT and TPOT over time, KV-cache occupancy and queue length
// over time, and a comparison of runs at the same rate (schedulers, routers, chip designs). Plain
// data in (report/ does not know serving/: the command line fills this from a serving run), one
// self-contained HTML page with SVG charts out.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace npusim::report {

struct ServingRun {
  std::string label;  // what differs: "scheduler=chunked", "arch=h200", ...
  // one entry per completed request; NaN where a request has no TPOT (one output token)
  std::vector<double> arrival_s, ttft_s, tpot_s, e2e_s;
  // time-weighted means over bins of bin_s seconds from t = 0
  double bin_s = 0;
  std::vector<double> kv_utilisation, waiting, running;
  // figures for the comparison, in the order they are shown: (name, value, unit)
  struct Figure {
    std::string name;
    double value = 0;
    std::string unit;
  };
  std::vector<Figure> figures;
};

struct ServingReport {
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;  // what was run
  std::vector<ServingRun> runs;                            // one, or several compared at the same rate
};

std::string render_serving_html(const ServingReport& r);

}  // namespace npusim::report
