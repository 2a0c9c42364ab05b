#include "report/breakdown_html.h"

#include <fmt/format.h>

#include <algorithm>

#include "report/format.h"
#include "report/html.h"

namespace npusim::report {

namespace {

std::string colour(const std::string& kind) {
  if (kind == "compute") return "#4e79a7";
  if (kind == "communication") return "#f28e2b";
  if (kind == "idle") return "#bab0ac";
  if (kind == "optimizer") return "#59a14f";
  return "#76b7b2";
}

// Horizontal bars, one per row, scaled to the largest of `scale` and the rows.
std::string bars(const std::string& title, const std::vector<BreakdownRow>& rows, double scale,
                 std::string (*text)(double)) {
  const int W = 720, row_h = 22, left = 190, top = 28;
  double mx = scale;
  for (const auto& r : rows) mx = std::max(mx, r.value);
  if (mx <= 0) mx = 1;
  std::string body;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double w = (W - left - 110) * r.value / mx;
    const int y = top + static_cast<int>(i) * row_h;
    body += fmt::format(
        "<text class='label' x='{}' y='{}' text-anchor='end'>{}</text><rect class='mark' x='{}' y='{}' width='{:.1f}' "
        "height='{}' fill='{}'><title>{}: {}</title></rect><text class='tick' x='{:.1f}' y='{}'>{}</text>\n",
        left - 6, y + 15, html_escape(r.label), left, y + 3, w, row_h - 6, colour(r.kind), html_escape(r.label),
        text(r.value), left + w + 4, y + 15, text(r.value));
  }
  if (scale > 0) {
    const double x = left + (W - left - 110) * scale / mx;
    body += fmt::format("<line class='roof' x1='{:.1f}' x2='{:.1f}' y1='{}' y2='{}'/>", x, x, top - 4,
                        top + static_cast<int>(rows.size()) * row_h);
  }
  const int H = top + static_cast<int>(rows.size()) * row_h + 10;
  return fmt::format(
      "<svg class='chart' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {0} {1}' width='{0}' height='{1}' "
      "role='img'><title>{2}</title><text class='title' x='8' y='16'>{2}</text>{3}</svg>\n",
      W, H, html_escape(title), body);
}

std::string secs(double s) { return human_seconds(s); }
std::string bytes(double b) { return human_bytes(b); }

}  // namespace

std::string breakdown_html(const BreakdownReport& r) {
  std::string facts;
  for (const auto& [k, v] : r.facts) facts += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(k), html_escape(v));
  int charts = 1;
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{0}</title><style>"
      "body{{font-family:sans-serif;margin:24px;color:#222}}table{{border-collapse:collapse}}th,td{{padding:2px 10px;"
      "text-align:left;border-bottom:1px solid #eee}}svg .label{{font-size:12px;fill:#333}}svg .tick{{font-size:11px;"
      "fill:#555}}svg .title{{font-size:13px;font-weight:600}}svg .roof{{stroke:#c00;stroke-width:2}}</style></head>"
      "<body>\n<h1>{0}</h1>\n<table>{1}</table>\n",
      html_escape(r.title), facts);
  out += bars("Iteration time (the stage that ends last)", r.time, 0, secs);
  if (!r.hidden.empty()) {
    out += bars("Communication hidden behind compute", r.hidden, 0, secs);
    ++charts;
  }
  out += bars("Memory per chip (the line: capacity)", r.memory, r.memory_capacity, bytes);
  ++charts;
  out += fmt::format("<script>document.body.dataset.rendered='ok';document.body.dataset.charts='{}';</script>\n"
                     "</body></html>\n",
                     charts);
  return out;
}

}  // namespace npusim::report
