// The pieces every HTML report draws with (report/html.cpp for sweeps, report/serving_html.cpp
// for serving): scales, an SVG chart with axes and a legend, the palette, the page's style sheet
// and its script (tooltips, sortable tables, and the marks a headless browser test reads: body
// data-rendered="ok", data-charts=N, data-empty-charts, data-chart-kinds).
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace npusim::report::svg {

const char* color(std::size_t i);   // a colour of the palette, cycling
std::string num(double v);          // a coordinate, one decimal
std::string tip(const std::string& s);  // a tooltip (<title>) for a mark

struct Scale {
  double lo = 0, hi = 1, p0 = 0, p1 = 1;
  bool log = false;
  std::vector<double> fixed_ticks;  // when set, the ticks (e.g. the values an axis takes)
  double at(double v) const;
  std::vector<double> ticks() const;
};

// A scale over `vals` mapped to [p0, p1]: logarithmic when allowed, all positive and spanning
// more than `log_ratio`; linear from zero when `from_zero`.
Scale fit(const std::vector<double>& vals, double p0, double p1, bool log_ok, bool from_zero, double log_ratio = 30);

class Chart {
 public:
  Chart(std::string kind, std::string title, double w, double h, double left = 78, double right = 24,
        double top = 46, double bottom = 54);
  double left() const { return l_; }
  double right() const { return w_ - r_; }
  double top() const { return t_; }
  double bottom() const { return h_ - b_; }
  double width() const { return w_; }
  void add(const std::string& s) { body_ += s; }
  void axes(const Scale& x, const Scale& y, const std::string& xlabel, const std::string& ylabel, bool xticks = true);
  void legend(const std::vector<std::pair<std::string, std::string>>& items, double y = 34);
  std::string svg() const;

 private:
  std::string kind_, title_, body_;
  double w_, h_, l_, r_, t_, b_;
};

extern const char* const kCss;
extern const char* const kScript;

}  // namespace npusim::report::svg
