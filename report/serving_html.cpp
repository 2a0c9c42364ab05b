#include "report/serving_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "npusim_version.h"
#include "report/html.h"
#include "report/svg.h"

namespace npusim::report {

namespace {

using svg::Chart;
using svg::Scale;
using svg::color;
using svg::fit;
using svg::num;
using svg::tip;

using Series = std::vector<std::pair<double, double>>;  // (x, y) points of one run

std::vector<double> finite_sorted(const std::vector<double>& v) {
  std::vector<double> out;
  for (double x : v)
    if (std::isfinite(x)) out.push_back(x);
  std::sort(out.begin(), out.end());
  return out;
}

// The empirical CDF, at most `n` points (every value when fewer).
Series cdf(const std::vector<double>& values, std::size_t n = 200) {
  const std::vector<double> v = finite_sorted(values);
  Series s;
  if (v.empty()) return s;
  const std::size_t step = std::max<std::size_t>(1, v.size() / n);
  for (std::size_t i = 0; i < v.size(); i += step) s.emplace_back(v[i], double(i + 1) / double(v.size()));
  s.emplace_back(v.back(), 1.0);
  return s;
}

// Mean of `y` over `bins` equal bins of `x` (the requests' arrival times).
Series binned_mean(const std::vector<double>& x, const std::vector<double>& y, std::size_t bins = 80) {
  double hi = 0;
  for (double v : x) hi = std::max(hi, v);
  Series s;
  if (x.empty()) return s;
  const double w = hi > 0 ? hi / double(bins) : 1;
  std::vector<double> sum(bins + 1, 0), count(bins + 1, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(y[i])) continue;
    const auto b = std::min(bins, static_cast<std::size_t>(x[i] / w));
    sum[b] += y[i];
    count[b] += 1;
  }
  for (std::size_t b = 0; b <= bins; ++b)
    if (count[b] > 0) s.emplace_back((double(b) + 0.5) * w, sum[b] / count[b]);
  return s;
}

Series timeline(double bin_s, const std::vector<double>& v) {
  Series s;
  for (std::size_t b = 0; b < v.size(); ++b) s.emplace_back((double(b) + 0.5) * bin_s, v[b]);
  return s;
}

// One line per run, with a mark (tooltip) every few points.
std::string line_chart(const std::string& kind, const std::string& title, const std::vector<std::string>& labels,
                       const std::vector<Series>& series, const std::string& xlabel, const std::string& ylabel,
                       bool xlog_ok, bool y_from_zero, double scale_y = 1, const std::string& y_unit = "") {
  Chart c(kind, title, 720, 360);
  std::vector<double> xs, ys;
  for (const Series& s : series)
    for (const auto& [a, b] : s) xs.push_back(a), ys.push_back(b * scale_y);
  const Scale x = fit(xs, c.left(), c.right(), xlog_ok, false), y = fit(ys, c.bottom(), c.top(), false, y_from_zero);
  c.axes(x, y, xlabel, ylabel);
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    std::string path;
    for (const auto& [a, b] : s) {
      if (x.log && a <= 0) continue;
      path += fmt::format("{}{},{}", path.empty() ? "M" : " L", num(x.at(a)), num(y.at(b * scale_y)));
    }
    if (path.empty()) continue;
    c.add(fmt::format("<path class='series' d='{}' stroke='{}'/>", path, color(i)));
    const std::size_t every = std::max<std::size_t>(1, s.size() / 12);
    for (std::size_t k = 0; k < s.size(); k += every) {
      const auto& [a, b] = s[k];
      if (x.log && a <= 0) continue;
      c.add(fmt::format("<circle class='mark' cx='{}' cy='{}' r='3' fill='{}'>{}</circle>", num(x.at(a)),
                        num(y.at(b * scale_y)), color(i),
                        tip(fmt::format("{}\n{} = {}\n{} = {}{}", labels[i], xlabel, si(a), ylabel, si(b * scale_y), y_unit))));
    }
    legend.emplace_back(color(i), labels[i]);
  }
  if (series.size() > 1) c.legend(legend);
  return c.svg();
}

// Grouped bars: one group per figure, one bar per run.
std::string bar_chart(const std::string& title, const std::vector<std::string>& labels,
                      const std::vector<std::string>& names, const std::vector<std::vector<double>>& values,
                      const std::string& ylabel) {
  Chart c("compare", title, 720, 360);
  std::vector<double> all;
  for (const auto& row : values)
    for (double v : row) all.push_back(v);
  all.push_back(0);
  const Scale y = fit(all, c.bottom(), c.top(), false, true);
  Scale x;
  x.lo = 0, x.hi = double(names.size()), x.p0 = c.left(), x.p1 = c.right();
  c.axes(x, y, "", ylabel, false);
  const double group = (c.right() - c.left()) / double(std::max<std::size_t>(1, names.size()));
  const double bar = group * 0.8 / double(std::max<std::size_t>(1, labels.size()));
  for (std::size_t g = 0; g < names.size(); ++g) {
    const double x0 = c.left() + group * (double(g) + 0.1);
    for (std::size_t r = 0; r < labels.size(); ++r) {
      const double v = values[g][r];
      if (!std::isfinite(v)) continue;
      const double top = y.at(v), base = y.at(0);
      c.add(fmt::format("<rect class='mark' x='{}' y='{}' width='{}' height='{}' fill='{}'>{}</rect>",
                        num(x0 + bar * double(r)), num(std::min(top, base)), num(bar * 0.92), num(std::abs(base - top)),
                        color(r), tip(fmt::format("{}\n{} = {}", labels[r], names[g], si(v)))));
    }
    c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='middle'>{}</text>", num(x0 + group * 0.4),
                      num(c.bottom() + 16), html_escape(names[g])));
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t r = 0; r < labels.size(); ++r) legend.emplace_back(color(r), labels[r]);
  c.legend(legend);
  return c.svg();
}

}  // namespace

std::string render_serving_html(const ServingReport& r) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n";
  h += "<meta name='viewport' content='width=device-width, initial-scale=1'>\n";
  h += fmt::format("<title>{}</title>\n<style>{}</style></head>\n<body>\n", html_escape(r.title), svg::kCss);
  h += fmt::format("<h1>{}</h1>\n<dl class='facts'>\n", html_escape(r.title));
  for (const auto& [k, v] : r.facts) h += fmt::format("<dt>{}</dt><dd>{}</dd>\n", html_escape(k), html_escape(v));
  h += fmt::format("<dt>generated by</dt><dd>npusim {}</dd>\n</dl>\n", kNpusimVersion);

  std::vector<std::string> labels;
  for (const ServingRun& run : r.runs) labels.push_back(run.label);

  if (!r.runs.empty()) {
    h += "<h2>Summary</h2>\n<table class='sortable'><thead><tr><th>run</th>";
    for (const auto& f : r.runs.front().figures)
      h += fmt::format("<th>{}{}</th>", html_escape(f.name), f.unit.empty() ? "" : " [" + html_escape(f.unit) + "]");
    h += "</tr></thead><tbody>\n";
    for (const ServingRun& run : r.runs) {
      h += fmt::format("<tr><td class='id'>{}</td>", html_escape(run.label));
      for (const auto& f : run.figures)
        h += std::isfinite(f.value) ? fmt::format("<td data-v='{}'>{}</td>", f.value, si(f.value)) : "<td>-</td>";
      h += "</tr>\n";
    }
    h += "</tbody></table>\n";
  }

  h += "<h2>Latency distributions</h2>\n";
  struct Metric {
    const char* name;
    std::vector<double> ServingRun::*field;
  };
  for (const Metric m : {Metric{"TTFT", &ServingRun::ttft_s}, Metric{"TPOT", &ServingRun::tpot_s},
                         Metric{"end-to-end latency", &ServingRun::e2e_s}}) {
    std::vector<Series> s;
    for (const ServingRun& run : r.runs) s.push_back(cdf(run.*(m.field)));
    h += line_chart("cdf", fmt::format("{}: cumulative distribution", m.name), labels, s, fmt::format("{} [s]", m.name),
                    "requests [%]", true, true, 100, "%");
  }

  h += "<h2>Over time</h2>\n<p>Means over the requests arriving in each interval.</p>\n";
  for (const Metric m : {Metric{"TTFT", &ServingRun::ttft_s}, Metric{"TPOT", &ServingRun::tpot_s}}) {
    std::vector<Series> s;
    for (const ServingRun& run : r.runs) s.push_back(binned_mean(run.arrival_s, run.*(m.field)));
    h += line_chart("over-time", fmt::format("{} by arrival time", m.name), labels, s, "arrival [s]",
                    fmt::format("mean {} [s]", m.name), false, true);
  }
  {
    std::vector<Series> kv, queue;
    for (const ServingRun& run : r.runs) {
      kv.push_back(timeline(run.bin_s, run.kv_utilisation));
      queue.push_back(timeline(run.bin_s, run.waiting));
    }
    h += line_chart("kv", "KV-cache occupancy (used blocks of the pool)", labels, kv, "time [s]", "occupancy [%]",
                    false, true, 100, "%");
    h += line_chart("queue", "Requests waiting (queued, swapped out, or waiting for KV room)", labels, queue,
                    "time [s]", "requests", false, true);
  }

  if (r.runs.size() > 1 && !r.runs.front().figures.empty()) {
    h += "<h2>Comparison at the same rate</h2>\n";
    // latency figures (seconds) in one chart, rates in another
    std::vector<std::string> lat_names, rate_names;
    std::vector<std::vector<double>> lat, rate;
    for (std::size_t f = 0; f < r.runs.front().figures.size(); ++f) {
      const auto& fig = r.runs.front().figures[f];
      std::vector<double> row;
      for (const ServingRun& run : r.runs) row.push_back(f < run.figures.size() ? run.figures[f].value : NAN);
      if (fig.unit == "s") {
        lat_names.push_back(fig.name);
        lat.push_back(row);
      } else if (fig.unit == "1/s") {
        rate_names.push_back(fig.name);
        rate.push_back(row);
      }
    }
    if (!lat_names.empty()) h += bar_chart("Latency", labels, lat_names, lat, "seconds");
    if (!rate_names.empty()) h += bar_chart("Throughput and goodput", labels, rate_names, rate, "per second");
  }
  h += fmt::format("<script>{}</script>\n</body></html>\n", svg::kScript);
  return h;
}

}  // namespace npusim::report
