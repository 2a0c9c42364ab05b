#include "report/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "base/pareto.h"
#include "base/scalar_text.h"
#include "compiler/stats.h"
#include "npusim_version.h"
#include "report/svg.h"

namespace npusim::report {

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string si(double v) {
  if (!std::isfinite(v)) return "-";
  if (v == 0) return "0";
  static const char* kPrefix[] = {"p", "n", "\u00b5", "m", "", "k", "M", "G", "T", "P", "E"};
  int e = int(std::floor(std::log10(std::abs(v)) / 3));
  e = std::clamp(e, -4, 6);
  const double m = v / std::pow(10.0, 3 * e);
  std::string s = fmt::format("{:.3g}", m);
  // 999.7 rounds to "1e+03": move to the next prefix
  if (s.find('e') != std::string::npos && e < 6) {
    ++e;
    s = fmt::format("{:.3g}", v / std::pow(10.0, 3 * e));
  }
  return s + kPrefix[e + 4];
}

namespace {

using svg::Chart;
using svg::Scale;
using svg::color;
using svg::fit;
using svg::num;
using svg::tip;
const char* const kStallColors[] = {"#e15759", "#f28e2b", "#edc948", "#59a14f", "#b07aa1"};
const char* const kComputeColor = "#4e79a7";


std::string point_text(const Point& p, const std::string& x, const std::string& y) {
  std::string s = p.label;
  for (auto it = p.values.begin(); it != p.values.end(); ++it)
    s += fmt::format("\n{} = {}", it.key(), text::value_text(it.value()));
  for (const auto& m : {x, y}) {
    auto v = p.metrics.find(m);
    if (v != p.metrics.end()) s += fmt::format("\n{} = {}", m, si(v->second));
  }
  return s;
}

const compiler::Metric& metric(const std::string& name) { return compiler::metric_or_throw(name, "metric"); }

std::string axis_title(const std::string& name) {
  const compiler::Metric* m = compiler::find_metric(name);
  return m ? fmt::format("{} [{}]", m->name, m->unit) : name;
}

// ---- charts ----

std::string pareto_chart(const std::string& group, const std::vector<const Point*>& pts, const std::string& xm,
                         const std::string& ym, const std::set<const Point*>& front) {
  Chart c("pareto", fmt::format("Pareto set: {} vs {} - {}", ym, xm, group), 720, 420);
  std::vector<double> xs, ys;
  for (const Point* p : pts) {
    xs.push_back(p->metrics.count(xm) ? p->metrics.at(xm) : NAN);
    ys.push_back(p->metrics.count(ym) ? p->metrics.at(ym) : NAN);
  }
  const Scale x = fit(xs, c.left(), c.right(), true, false), y = fit(ys, c.bottom(), c.top(), true, false);
  c.axes(x, y, axis_title(xm), axis_title(ym));
  std::vector<std::pair<double, double>> line;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    if (front.count(pts[i])) {
      line.emplace_back(xs[i], ys[i]);
      continue;
    }
    c.add(fmt::format("<circle class='mark other' cx='{}' cy='{}' r='3'>{}</circle>", num(x.at(xs[i])), num(y.at(ys[i])),
                      tip(point_text(*pts[i], xm, ym))));
  }
  std::sort(line.begin(), line.end());
  std::string path;
  for (const auto& [a, b] : line) path += fmt::format("{}{},{}", path.empty() ? "M" : " L", num(x.at(a)), num(y.at(b)));
  if (!path.empty()) c.add(fmt::format("<path class='front-line' d='{}' stroke='{}'/>", path, color(0)));
  for (std::size_t i = 0; i < pts.size(); ++i)
    if (front.count(pts[i]) && std::isfinite(xs[i]) && std::isfinite(ys[i]))
      c.add(fmt::format("<circle class='mark front' data-id='{}' cx='{}' cy='{}' r='5' fill='{}'>{}</circle>",
                        html_escape(pts[i]->id), num(x.at(xs[i])), num(y.at(ys[i])), color(0),
                        tip(point_text(*pts[i], xm, ym))));
  c.legend({{"#bbbbbb", fmt::format("all points ({})", pts.size())}, {color(0), fmt::format("Pareto set ({})", front.size())}});
  return c.svg();
}

std::string layer_chart(const Point& p) {
  const double row = 14;
  const double h = 60 + row * double(p.layers.size()) + 50;
  Chart c("layers", fmt::format("Per-layer cycles and stalls: {} - {}", p.label, p.group), 900, h, 190, 24, 48, 50);
  std::vector<double> xs{0};
  for (const auto& l : p.layers) xs.push_back(double(l.cycles));
  const Scale x = fit(xs, c.left(), c.right(), false, true);
  for (double v : x.ticks()) {
    const double px = x.at(v);
    c.add(fmt::format("<line class='grid' x1='{}' y1='{}' x2='{}' y2='{}'/>", num(px), num(c.top()), num(px), num(c.bottom())));
    c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='middle'>{}</text>", num(px), num(c.bottom() + 16), si(v)));
  }
  c.add(fmt::format("<text class='label' x='{}' y='{}' text-anchor='middle'>cycles</text>", num((c.left() + c.right()) / 2),
                    num(h - 12)));
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    const compiler::LayerResult& l = p.layers[i];
    const double y = c.top() + row * double(i);
    const std::string name = l.name.size() > 28 ? l.name.substr(0, 27) + "~" : l.name;
    c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='end'>{}</text>", num(c.left() - 6), num(y + row - 4),
                      html_escape(name)));
    double at = 0;
    auto seg = [&](double v, const char* col, const std::string& what) {
      if (v <= 0) return;
      const double pct = l.cycles > 0 ? 100.0 * v / double(l.cycles) : 0;
      c.add(fmt::format("<rect class='mark' x='{}' y='{}' width='{}' height='{}' fill='{}'>{}</rect>", num(x.at(at)),
                        num(y + 1), num(std::max(0.5, x.at(at + v) - x.at(at))), num(row - 2), col,
                        tip(fmt::format("{} ({}): {} {} cycles ({:.1f}% of {})", l.name, workloads::name_of(l.op), what,
                                        si(v), pct, si(double(l.cycles))))));
      at += v;
    };
    seg(double(l.compute_cycles), kComputeColor, "compute");
    for (std::size_t s = 0; s < compiler::kNumStalls; ++s)
      seg(double(l.stalls[s]), kStallColors[s],
          fmt::format("stall on {}", compiler::name_of(static_cast<compiler::Stall>(s))));
    // cycles the breakdown does not attribute (rounding between engines), shown hatched-grey
    if (double(l.cycles) > at + 0.5) seg(double(l.cycles) - at, "#cccccc", "other");
  }
  std::vector<std::pair<std::string, std::string>> legend{{kComputeColor, "compute"}};
  for (std::size_t s = 0; s < compiler::kNumStalls; ++s)
    legend.emplace_back(kStallColors[s], std::string(compiler::name_of(static_cast<compiler::Stall>(s))));
  c.legend(legend);
  return c.svg();
}

std::string roofline_chart(const Point& p) {
  Chart c("roofline", fmt::format("Roofline: {} - {}", p.label, p.group), 720, 420);
  std::vector<double> xs, ys;
  std::vector<const compiler::LayerResult*> shown;
  std::size_t on_chip = 0;
  for (const auto& l : p.layers) {
    if (l.macs <= 0 || l.cycles <= 0) continue;
    if (l.dram_bytes() <= 0) {
      ++on_chip;
      continue;
    }
    shown.push_back(&l);
    xs.push_back(2 * double(l.macs) / double(l.dram_bytes()));
    ys.push_back(2 * double(l.macs) / (double(l.cycles) / p.clock_hz));
  }
  const double ridge = p.dram_bytes_per_s > 0 ? p.peak_ops_per_s / p.dram_bytes_per_s : NAN;
  std::vector<double> xr = xs, yr = ys;
  if (std::isfinite(ridge)) xr.push_back(ridge), xr.push_back(ridge * 4), xr.push_back(ridge / 4);
  yr.push_back(p.peak_ops_per_s);
  Scale x = fit(xr, c.left(), c.right(), true, false, 1), y = fit(yr, c.bottom(), c.top(), true, false, 1);
  x.lo /= 2, x.hi *= 2;
  y.lo /= 2, y.hi *= 1.5;
  c.axes(x, y, "operational intensity [op/B of DRAM traffic]", "attained throughput [op/s]");
  if (p.peak_ops_per_s > 0 && p.dram_bytes_per_s > 0) {
    auto roof = [&](double oi) { return std::min(p.peak_ops_per_s, p.dram_bytes_per_s * oi); };
    std::vector<double> at{x.lo};
    if (ridge > x.lo && ridge < x.hi) at.push_back(ridge);
    at.push_back(x.hi);
    std::string path;
    for (double oi : at) {
      const double v = std::max(roof(oi), y.lo);
      double px = x.at(oi);
      if (roof(oi) < y.lo) px = x.at(y.lo / p.dram_bytes_per_s);  // the bandwidth roof enters from below
      path += fmt::format("{}{},{}", path.empty() ? "M" : " L", num(px), num(y.at(v)));
    }
    c.add(fmt::format("<path class='roof mark' d='{}'>{}</path>", path,
                      tip(fmt::format("compute roof {} op/s; DRAM roof {} B/s; ridge at {} op/B", si(p.peak_ops_per_s),
                                      si(p.dram_bytes_per_s), si(ridge)))));
    c.add(fmt::format("<text class='note' x='{}' y='{}' text-anchor='end'>peak {} op/s</text>", num(c.right() - 4),
                      num(y.at(p.peak_ops_per_s) - 5), si(p.peak_ops_per_s)));
  }
  for (std::size_t i = 0; i < shown.size(); ++i)
    c.add(fmt::format("<circle class='mark layer' cx='{}' cy='{}' r='4' fill='{}'>{}</circle>", num(x.at(xs[i])),
                      num(y.at(ys[i])), color(0),
                      tip(fmt::format("{} ({}): {} op/B, {} op/s ({:.0f}% of the roof)", shown[i]->name, workloads::name_of(shown[i]->op),
                                      si(xs[i]), si(ys[i]),
                                      100.0 * ys[i] / std::min(p.peak_ops_per_s, p.dram_bytes_per_s * xs[i])))));
  std::string note = fmt::format("{} layers", shown.size());
  if (on_chip) note += fmt::format("; {} with no DRAM traffic not shown", on_chip);
  c.legend({{color(0), note}});
  return c.svg();
}

std::string sensitivity_chart(const std::string& axis, const std::vector<const SensitivitySeries*>& series,
                              const std::string& mname) {
  const compiler::Metric& m = metric(mname);
  const bool relative = series.size() > 1;
  Chart c("sensitivity", fmt::format("Sensitivity to {}: best {} at each value", axis, m.name), 720, 380);
  // x positions: numeric values on a (log when spread) scale; text values evenly spaced
  const bool numeric = std::all_of(series.begin(), series.end(), [](const auto* s) { return s->numeric; });
  std::vector<std::string> cats;
  std::vector<double> xs, ys;
  for (const auto* s : series) {
    double best = m.minimize ? INFINITY : -INFINITY;
    for (const auto& [v, b] : s->points) best = m.minimize ? std::min(best, b) : std::max(best, b);
    for (const auto& [v, b] : s->points) {
      if (numeric)
        xs.push_back(std::stod(v));
      else if (std::find(cats.begin(), cats.end(), v) == cats.end())
        cats.push_back(v);
      ys.push_back(relative ? b / best : b);
    }
  }
  Scale x;
  if (numeric) {
    x = fit(xs, c.left(), c.right(), true, false, 7.9);
    std::set<double> distinct(xs.begin(), xs.end());
    if (distinct.size() <= 12) x.fixed_ticks.assign(distinct.begin(), distinct.end());
  } else {
    x.lo = -0.5, x.hi = double(cats.size()) - 0.5, x.p0 = c.left(), x.p1 = c.right();
  }
  const Scale y = fit(ys, c.bottom(), c.top(), true, false);
  if (numeric) {
    c.axes(x, y, axis, relative ? fmt::format("{} / best of its workload", m.name) : axis_title(m.name));
  } else {
    c.axes(x, y, axis, relative ? fmt::format("{} / best of its workload", m.name) : axis_title(m.name), false);
    for (std::size_t i = 0; i < cats.size(); ++i)
      c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='middle'>{}</text>", num(x.at(double(i))),
                        num(c.bottom() + 16), html_escape(cats[i])));
  }
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto* s = series[k];
    double best = m.minimize ? INFINITY : -INFINITY;
    for (const auto& [v, b] : s->points) best = m.minimize ? std::min(best, b) : std::max(best, b);
    std::string path, dots;
    for (const auto& [v, b] : s->points) {
      const double xv = numeric ? std::stod(v) : double(std::find(cats.begin(), cats.end(), v) - cats.begin());
      const double yv = relative ? b / best : b;
      const double px = x.at(xv), py = y.at(yv);
      path += fmt::format("{}{},{}", path.empty() ? "M" : " L", num(px), num(py));
      dots += fmt::format("<circle class='mark' cx='{}' cy='{}' r='4' fill='{}'>{}</circle>", num(px), num(py), color(k),
                          tip(fmt::format("{}: {} = {} -> best {} = {}", s->group, axis, v, m.name, si(b))));
    }
    c.add(fmt::format("<path class='series' d='{}' stroke='{}'/>", path, color(k)));
    c.add(dots);
    legend.emplace_back(color(k), s->group);
  }
  c.legend(legend);
  return c.svg();
}

std::string speedup_chart(const std::string& group, const std::vector<const Point*>& archs) {
  const Point& base = *archs.front();
  const double row = 16;
  std::vector<std::string> names;
  for (const auto& l : base.layers) names.push_back(l.name);
  const double h = 60 + row * double(names.size()) + 50;
  Chart c("speedup", fmt::format("Per-layer speed-up over {} - {}", base.label, group), 900, h, 190, 24, 48, 50);
  auto time_of = [](const Point& p, const std::string& name) {
    for (const auto& l : p.layers)
      if (l.name == name) return double(l.cycles) / p.clock_hz;
    return double(NAN);
  };
  std::vector<double> xs{1};
  for (std::size_t a = 1; a < archs.size(); ++a)
    for (const auto& n : names) xs.push_back(time_of(base, n) / time_of(*archs[a], n));
  Scale x = fit(xs, c.left(), c.right(), true, false, 1);
  if (!x.log) x = Scale{std::min(0.5, x.lo), std::max(2.0, x.hi), c.left(), c.right(), true, {}};
  for (double v : x.ticks()) {
    const double px = x.at(v);
    c.add(fmt::format("<line class='grid' x1='{}' y1='{}' x2='{}' y2='{}'/>", num(px), num(c.top()), num(px), num(c.bottom())));
    c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='middle'>{:g}x</text>", num(px), num(c.bottom() + 16), v));
  }
  c.add(fmt::format("<text class='label' x='{}' y='{}' text-anchor='middle'>speed-up (time on {} / time) (log)</text>",
                    num((c.left() + c.right()) / 2), num(h - 12), html_escape(base.label)));
  const double one = x.at(1);
  const double bar = (row - 2) / double(std::max<std::size_t>(1, archs.size() - 1));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const double y = c.top() + row * double(i);
    c.add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='end'>{}</text>", num(c.left() - 6), num(y + row - 4),
                      html_escape(names[i].size() > 28 ? names[i].substr(0, 27) + "~" : names[i])));
    for (std::size_t a = 1; a < archs.size(); ++a) {
      const double s = time_of(base, names[i]) / time_of(*archs[a], names[i]);
      if (!std::isfinite(s) || s <= 0) continue;
      const double px = x.at(std::clamp(s, x.lo, x.hi));
      c.add(fmt::format("<rect class='mark' x='{}' y='{}' width='{}' height='{}' fill='{}'>{}</rect>", num(std::min(one, px)),
                        num(y + 1 + bar * double(a - 1)), num(std::max(0.5, std::abs(px - one))), num(bar), color(a),
                        tip(fmt::format("{}: {} is {:.2f}x {} {}", names[i], archs[a]->label, s >= 1 ? s : 1 / s,
                                        s >= 1 ? "faster than" : "slower than", base.label))));
    }
  }
  c.add(fmt::format("<line class='axis1' x1='{}' y1='{}' x2='{}' y2='{}'/>", num(one), num(c.top()), num(one), num(c.bottom())));
  std::vector<std::pair<std::string, std::string>> legend;
  for (std::size_t a = 1; a < archs.size(); ++a) legend.emplace_back(color(a), archs[a]->label);
  c.legend(legend);
  return c.svg();
}

// A metric as people read it: fractions as percentages, everything else in engineering notation.
std::string metric_text(const std::string& m, double v) {
  const compiler::Metric* x = compiler::find_metric(m);
  if (x && x->unit == "fraction") return fmt::format("{:.1f}%", 100 * v);
  return si(v);
}

std::string metric_cell(const Point& p, const std::string& m) {
  auto it = p.metrics.find(m);
  if (it == p.metrics.end()) return "<td>-</td>";
  return fmt::format("<td data-v='{:.9g}'>{}</td>", it->second, metric_text(m, it->second));
}

std::string points_table(const std::vector<const Point*>& pts, const ReportData& d, const std::vector<std::string>& ms) {
  std::string t = "<table class='sortable'><thead><tr><th>point</th>";
  for (const auto& a : d.axes) t += fmt::format("<th>{}</th>", html_escape(a));
  for (const auto& m : ms) t += fmt::format("<th>{}</th>", html_escape(axis_title(m)));
  t += "</tr></thead><tbody>\n";
  for (const Point* p : pts) {
    t += fmt::format("<tr data-id='{}'><td class='id'>{}</td>", html_escape(p->id), html_escape(p->label));
    for (const auto& a : d.axes) {
      if (!p->values.contains(a)) {
        t += "<td>-</td>";
        continue;
      }
      const auto& v = p->values[a];
      t += v.is_number() ? fmt::format("<td data-v='{}'>{}</td>", text::value_text(v), html_escape(text::value_text(v)))
                         : fmt::format("<td>{}</td>", html_escape(text::value_text(v)));
    }
    for (const auto& m : ms) t += metric_cell(*p, m);
    t += "</tr>\n";
  }
  return t + "</tbody></table>\n";
}


}  // namespace

std::string render_html(const ReportData& d) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n";
  h += "<meta name='viewport' content='width=device-width, initial-scale=1'>\n";
  h += fmt::format("<title>{}</title>\n<style>{}</style></head>\n<body>\n", html_escape(d.title), svg::kCss);
  h += fmt::format("<h1>{}</h1>\n<dl class='facts'>\n", html_escape(d.title));
  for (const auto& [k, v] : d.facts) h += fmt::format("<dt>{}</dt><dd>{}</dd>\n", html_escape(k), html_escape(v));
  h += fmt::format("<dt>generated by</dt><dd>npusim {}</dd>\n</dl>\n", kNpusimVersion);

  // groups in order of appearance
  std::vector<std::string> groups;
  for (const auto& p : d.points)
    if (std::find(groups.begin(), groups.end(), p.group) == groups.end()) groups.push_back(p.group);
  const compiler::Metric& xm = metric(d.x_metric);
  const compiler::Metric& ym = metric(d.y_metric);
  std::vector<std::string> ms{xm.name, ym.name};
  for (const auto& m : d.table_metrics)
    if (std::find(ms.begin(), ms.end(), m) == ms.end()) ms.push_back(m);

  h += "<h2>Pareto sets</h2>\n";
  if (groups.empty()) h += "<p class='none'>No finished points.</p>\n";
  for (const auto& g : groups) {
    std::vector<const Point*> pts;
    std::vector<std::vector<double>> vals;
    for (const auto& p : d.points)
      if (p.group == g) {
        pts.push_back(&p);
        vals.push_back({p.metrics.count(xm.name) ? p.metrics.at(xm.name) : NAN,
                        p.metrics.count(ym.name) ? p.metrics.at(ym.name) : NAN});
      }
    std::set<const Point*> front;
    std::vector<const Point*> front_sorted;
    for (std::size_t i : pareto_front(vals, {xm.minimize, ym.minimize})) front.insert(pts[i]), front_sorted.push_back(pts[i]);
    std::sort(front_sorted.begin(), front_sorted.end(),
              [&](const Point* a, const Point* b) { return a->metrics.at(xm.name) < b->metrics.at(xm.name); });
    h += fmt::format("<h3>{}</h3>\n", html_escape(g));
    h += pareto_chart(g, pts, xm.name, ym.name, front);
    h += fmt::format("<p>{} of {} points are on the Pareto set of {} and {}.</p>\n", front.size(), pts.size(), xm.name, ym.name);
    h += points_table(front_sorted, d, ms);
  }

  if (d.speedup) {
    h += "<h2>Per-layer speed-up</h2>\n";
    for (const auto& g : groups) {
      std::vector<const Point*> archs;
      for (const auto& p : d.detailed)
        if (p.group == g) archs.push_back(&p);
      if (archs.size() >= 2) h += speedup_chart(g, archs);
    }
  }

  h += "<h2>Per-layer breakdown and roofline</h2>\n";
  if (d.detailed.empty()) h += "<p class='none'>No points chosen for detail.</p>\n";
  for (std::size_t i = 0; i < d.detailed.size(); ++i) {
    const Point& p = d.detailed[i];
    h += fmt::format("<h3 id='pt-{}' data-id='{}'>{} - {}</h3>\n", i, html_escape(p.id), html_escape(p.label), html_escape(p.group));
    std::string values;
    for (auto it = p.values.begin(); it != p.values.end(); ++it)
      values += fmt::format("{}{} = {}", values.empty() ? "" : ", ", it.key(), text::value_text(it.value()));
    if (!values.empty()) h += fmt::format("<p>{}</p>\n", html_escape(values));
    std::string summary;
    for (const auto& m : ms)
      if (p.metrics.count(m))
        summary += fmt::format("{}{} = {}", summary.empty() ? "" : "; ", m, metric_text(m, p.metrics.at(m)));
    h += fmt::format("<p>{}</p>\n", html_escape(summary));
    if (p.layers.empty()) {
      h += "<p class='none'>No per-layer data stored for this point.</p>\n";
      continue;
    }
    h += layer_chart(p);
    h += roofline_chart(p);
  }

  if (!d.sensitivity.empty()) {
    h += fmt::format("<h2>Sensitivity per axis</h2>\n<p>For each value of an axis, the best {} over every point "
                     "holding that value (the other axes at their best).</p>\n",
                     html_escape(d.sensitivity_metric));
    std::vector<std::string> axes;
    for (const auto& s : d.sensitivity)
      if (std::find(axes.begin(), axes.end(), s.axis) == axes.end()) axes.push_back(s.axis);
    for (const auto& a : axes) {
      std::vector<const SensitivitySeries*> series;
      for (const auto& s : d.sensitivity)
        if (s.axis == a) series.push_back(&s);
      h += sensitivity_chart(a, series, d.sensitivity_metric);
    }
  }

  if (d.failures_total > 0) {
    h += fmt::format("<h2>Failed points</h2>\n<p>{} rows failed{}.</p>\n<table><thead><tr><th>point</th><th>workload</th>"
                     "<th>error</th></tr></thead><tbody>\n",
                     d.failures_total, d.failures.size() < d.failures_total ? fmt::format("; the first {} are listed", d.failures.size()) : "");
    for (const auto& f : d.failures)
      h += fmt::format("<tr><td class='id'>{}</td><td class='id'>{}</td><td class='err'>{}</td></tr>\n", html_escape(f.id),
                       html_escape(f.group), html_escape(f.error));
    h += "</tbody></table>\n";
  }
  h += fmt::format("<script>{}</script>\n</body></html>\n", svg::kScript);
  return h;
}

}  // namespace npusim::report
