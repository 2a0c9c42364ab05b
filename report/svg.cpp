#include "report/svg.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "report/html.h"

namespace npusim::report::svg {

namespace {
const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
}  // namespace

const char* color(std::size_t i) { return kPalette[i % std::size(kPalette)]; }

std::string num(double v) { return fmt::format("{:.1f}", v); }

std::string tip(const std::string& s) { return fmt::format("<title>{}</title>", html_escape(s)); }

double Scale::at(double v) const {
  const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
  return p0 + t * (p1 - p0);
}

std::vector<double> Scale::ticks() const {
  if (!fixed_ticks.empty()) return fixed_ticks;
  std::vector<double> t;
  if (log) {
    const int a = int(std::ceil(std::log10(lo) - 1e-9)), b = int(std::floor(std::log10(hi) + 1e-9));
    const bool fine = b - a < 2;
    for (int k = a - 1; k <= b; ++k)
      for (double m : fine ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
        const double v = m * std::pow(10.0, k);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t.push_back(v);
      }
    return t;
  }
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return t;
}

Scale fit(const std::vector<double>& vals, double p0, double p1, bool log_ok, bool from_zero, double log_ratio) {
  Scale s;
  s.p0 = p0, s.p1 = p1;
  double lo = INFINITY, hi = -INFINITY;
  bool positive = true;
  for (double v : vals) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v), hi = std::max(hi, v);
    positive = positive && v > 0;
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (log_ok && positive && hi / lo > log_ratio) {
    s.log = true;
    s.lo = lo / 1.25, s.hi = hi * 1.25;
    return s;
  }
  if (from_zero) lo = std::min(lo, 0.0);
  if (hi == lo) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= d, hi += d;
  }
  const double pad = (hi - lo) * 0.05;
  s.lo = from_zero && lo == 0 ? 0 : lo - pad;
  s.hi = hi + pad;
  return s;
}

Chart::Chart(std::string kind, std::string title, double w, double h, double left, double right, double top,
             double bottom)
    : kind_(std::move(kind)), title_(std::move(title)), w_(w), h_(h), l_(left), r_(right), t_(top), b_(bottom) {}

void Chart::axes(const Scale& x, const Scale& y, const std::string& xlabel, const std::string& ylabel, bool xticks) {
  for (double v : y.ticks()) {
    const double py = y.at(v);
    add(fmt::format("<line class='grid' x1='{}' y1='{}' x2='{}' y2='{}'/>", num(left()), num(py), num(right()), num(py)));
    add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='end'>{}</text>", num(left() - 6), num(py + 4), si(v)));
  }
  for (double v : xticks ? x.ticks() : std::vector<double>{}) {
    const double px = x.at(v);
    add(fmt::format("<line class='grid' x1='{}' y1='{}' x2='{}' y2='{}'/>", num(px), num(top()), num(px), num(bottom())));
    add(fmt::format("<text class='tick' x='{}' y='{}' text-anchor='middle'>{}</text>", num(px), num(bottom() + 16), si(v)));
  }
  add(fmt::format("<rect class='frame' x='{}' y='{}' width='{}' height='{}'/>", num(left()), num(top()),
                  num(right() - left()), num(bottom() - top())));
  add(fmt::format("<text class='label' x='{}' y='{}' text-anchor='middle'>{}{}</text>", num((left() + right()) / 2),
                  num(h_ - 12), html_escape(xlabel), x.log ? " (log)" : ""));
  add(fmt::format("<text class='label' transform='translate(16,{}) rotate(-90)' text-anchor='middle'>{}{}</text>",
                  num((top() + bottom()) / 2), html_escape(ylabel), y.log ? " (log)" : ""));
}

void Chart::legend(const std::vector<std::pair<std::string, std::string>>& items, double y) {
  double x = left();
  for (const auto& [c, text] : items) {
    add(fmt::format("<rect x='{}' y='{}' width='10' height='10' fill='{}'/>", num(x), num(y - 9), c));
    add(fmt::format("<text class='legend' x='{}' y='{}'>{}</text>", num(x + 14), num(y), html_escape(text)));
    x += 24 + 6.5 * double(text.size());
  }
}

std::string Chart::svg() const {
  return fmt::format(
      "<svg class='chart' data-kind='{}' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {} {}' width='{}' "
      "height='{}' role='img'><title>{}</title><text class='title' x='{}' y='16'>{}</text>{}</svg>\n",
      kind_, num(w_), num(h_), num(w_), num(h_), html_escape(title_), num(l_), html_escape(title_), body_);
}

const char* const kCss = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dl.facts dt{color:#666}dl.facts dd{margin:0}
svg.chart{display:block;margin:8px 0;max-width:100%;height:auto;background:#fff}
svg .grid{stroke:#eee;stroke-width:1}svg .frame{fill:none;stroke:#999}svg .tick{font-size:11px;fill:#555}
svg .label{font-size:12px;fill:#333}svg .title{font-size:13px;font-weight:600;fill:#222}svg .legend{font-size:11px;fill:#333}
svg .note{font-size:11px;fill:#666}svg .other{fill:#bbb}svg .front-line{fill:none;stroke-width:1.5}
svg .roof{fill:none;stroke:#222;stroke-width:2}svg .series{fill:none;stroke-width:2}svg .axis1{stroke:#333}
svg .mark:hover{stroke:#000;stroke-width:1.5}svg .mark.hl{stroke:#000;stroke-width:3}
table{border-collapse:collapse;margin:8px 0;font-size:12px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5;cursor:pointer;user-select:none}td.id,td.err{text-align:left;font-family:monospace}
tr.hl td{background:#fff3c4}.tip{position:absolute;display:none;background:#222;color:#fff;padding:4px 8px;
border-radius:4px;font-size:12px;white-space:pre;pointer-events:none;z-index:10}
p.none{color:#777}
)css";

const char* const kScript = R"js(
(function () {
  'use strict';
  var tip = document.createElement('div');
  tip.className = 'tip';
  document.body.appendChild(tip);
  document.addEventListener('mousemove', function (e) {
    var t = e.target, title = null;
    while (t && t !== document.body && !title) {
      for (var i = 0; t.children && i < t.children.length; i++)
        if (t.children[i].tagName.toLowerCase() === 'title' && t.classList && t.classList.contains('mark'))
          title = t.children[i].textContent;
      t = t.parentNode;
    }
    if (!title) { tip.style.display = 'none'; return; }
    tip.textContent = title;
    tip.style.display = 'block';
    tip.style.left = (e.pageX + 14) + 'px';
    tip.style.top = (e.pageY + 14) + 'px';
  });
  // a click on a Pareto point highlights its row in the tables, and the other way round
  function highlight(id) {
    document.querySelectorAll('.hl').forEach(function (n) { n.classList.remove('hl'); });
    document.querySelectorAll('[data-id="' + id + '"]').forEach(function (n) { n.classList.add('hl'); });
  }
  document.querySelectorAll('svg.chart .front, table tr[data-id]').forEach(function (n) {
    n.addEventListener('click', function () { highlight(n.getAttribute('data-id')); });
  });
  // sortable tables: click a header
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('th');
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute('data-sort') !== 'asc';
        heads.forEach(function (h) { h.removeAttribute('data-sort'); });
        th.setAttribute('data-sort', asc ? 'asc' : 'desc');
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var u = x.getAttribute('data-v'), v = y.getAttribute('data-v');
          var r = (u !== null && v !== null) ? parseFloat(u) - parseFloat(v) : x.textContent.localeCompare(y.textContent);
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // what a test reads with --dump-dom: charts laid out, each with marks
  var charts = document.querySelectorAll('svg.chart'), empty = 0, kinds = {};
  charts.forEach(function (c) {
    var box = c.getBoundingClientRect();
    var marks = c.querySelectorAll('.mark').length;
    if (!(box.width > 0 && box.height > 0 && marks > 0)) empty++;
    var k = c.getAttribute('data-kind');
    kinds[k] = (kinds[k] || 0) + 1;
  });
  document.body.setAttribute('data-charts', String(charts.length));
  document.body.setAttribute('data-empty-charts', String(empty));
  document.body.setAttribute('data-chart-kinds', Object.keys(kinds).sort().map(function (k) { return k + ':' + kinds[k]; }).join(','));
  document.body.setAttribute('data-rendered', 'ok');
})();
)js";

}  // namespace npusim::report::svg
