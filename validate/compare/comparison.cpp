#include "validate/compare/comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/error.h"
#include "validate/harness/csv.h"

namespace npusim::validate::compare {

namespace fs = std::filesystem;
using compiler::MathPath;

double Measurement::flops() const {
  return 2.0 * double(gemm.m) * double(gemm.n) * double(gemm.k) * double(gemm.batch);
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("cannot read '{}'", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A CSV row by column name.
class RowView {
 public:
  RowView(const harness::CsvTable& t, std::size_t row, std::string where)
      : t_(t), row_(row), where_(std::move(where)) {}
  bool has(const char* col) const {
    return std::find(t_.header.begin(), t_.header.end(), col) != t_.header.end();
  }
  std::string str(const char* col) const {
    if (!has(col)) return "";
    return t_.rows[row_][t_.column(col)];
  }
  std::optional<double> num(const char* col) const {
    const std::string s = str(col);
    if (s.empty()) return std::nullopt;
    try {
      std::size_t used = 0;
      const double v = std::stod(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
      return v;
    } catch (const std::exception&) {
      throw Error(fmt::format("{}: column {}: not a number: '{}'", where_, col, s));
    }
  }
  std::int64_t integer(const char* col) const {
    const auto v = num(col);
    if (!v) throw Error(fmt::format("{}: column {} is empty", where_, col));
    return static_cast<std::int64_t>(std::llround(*v));
  }
  const std::string& where() const { return where_; }

 private:
  const harness::CsvTable& t_;
  std::size_t row_;
  std::string where_;
};

DType dtype_of(const std::string& s, const std::string& where) {
  const auto d = parse_dtype(s);
  if (!d) throw Error(fmt::format("{}: unknown datatype '{}'", where, s));
  return *d;
}

// The plan a row of the project's kernels records.
std::optional<compiler::Plan> recorded_plan(const RowView& r, const compiler::GemmProblem& g) {
  const std::string id = r.str("config_id");
  if (id.empty()) return std::nullopt;
  const std::int64_t cid = r.integer("config_id");
  const auto it = std::find_if(compiler::kGemmConfigs.begin(), compiler::kGemmConfigs.end(),
                               [&](const compiler::TileConfig& c) { return c.id == cid; });
  if (it == compiler::kGemmConfigs.end()) throw Error(fmt::format("{}: config_id {} is not in compiler::kGemmConfigs", r.where(), cid));
  if (r.integer("bm") != it->bm || r.integer("bn") != it->bn || r.integer("bk") != it->bk ||
      r.integer("stages") != it->stages)
    throw Error(fmt::format("{}: the tile {}x{}x{} ({} stages) differs from configuration {} of this npusim "
                            "(compiler/gpu_tiling.h): measured with another version",
                            r.where(), r.str("bm"), r.str("bn"), r.str("bk"), r.str("stages"), cid));
  compiler::GpuLimits unused;
  compiler::Plan p = compiler::make_plan(g.m, g.n, g.k, *it, static_cast<int>(r.integer("split_k")),
                               static_cast<int>(bytes_of(g.dtype)), unused, g.batch);
  // the residency the GPU ran it with: the occupancy API's, else the plan's
  const auto occ = r.num("occupancy_ctas_per_sm");
  p.ctas_per_sm = static_cast<int>(occ ? *occ : double(r.integer("ctas_per_sm")));
  p.waves = r.integer("waves");
  return p;
}

enum class FileKind { Gemm, Conv, Micro, Env };

FileKind kind_of(const harness::CsvTable& t, const std::string& path) {
  auto has = [&](const char* c) { return std::find(t.header.begin(), t.header.end(), c) != t.header.end(); };
  if (has("gemm_m")) return FileKind::Conv;
  if (has("metric") && has("value")) return FileKind::Micro;
  if (t.header.size() == 2 && t.header[0] == "key" && t.header[1] == "value") return FileKind::Env;
  if (has("m") && has("n") && has("k") && has("median_us")) return FileKind::Gemm;
  throw Error(fmt::format("{}: not a measurement file of validate/harness (validate/data/README.md)", path));
}

void load_file(const std::string& path, MeasurementSet& out) {
  harness::CsvTable t;
  try {
    t = harness::parse_csv(slurp(path));
  } catch (const std::runtime_error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
  const FileKind kind = kind_of(t, path);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const RowView r(t, i, fmt::format("{}:{}", path, i + 2));
    if (kind == FileKind::Env) {
      out.env[r.str("key")] = r.str("value");
      continue;
    }
    if (kind == FileKind::Micro) {
      const auto v = r.num("value");
      if (!v) continue;
      out.micro.push_back({r.str("name"), r.str("dtype"), r.str("metric"), r.str("unit"), *v, r.num("sm_clock_mhz").value_or(0)});
      continue;
    }
    Measurement m;
    m.source = r.where();
    m.family = r.str("family");
    m.name = r.str("name");
    m.category = r.str("category");
    m.dtype = r.str("dtype");
    m.out_dtype = r.str("out_dtype");
    const auto median = r.num("median_us");
    if (r.str("verified") != "1" || !median || !(*median > 0)) {
      out.skipped.push_back(fmt::format("{} ({} {}): {}", m.source, m.family, m.name,
                                        r.str("verified") != "1" ? "not verified" : "no time"));
      continue;
    }
    const DType in = dtype_of(m.dtype, m.source);
    const std::int32_t out_bytes = static_cast<std::int32_t>(bytes_of(dtype_of(m.out_dtype.empty() ? m.dtype : m.out_dtype, m.source)));
    if (kind == FileKind::Conv) {
      m.conv = true;
      m.cv = {r.integer("n"),      r.integer("h"),   r.integer("w"),        r.integer("c"),
              r.integer("k"),      r.integer("r"),   r.integer("s"),        r.integer("stride"),
              r.integer("pad"),    r.integer("dilation"), in, out_bytes};
      m.gemm = m.cv.gemm();
      if (m.gemm.m != r.integer("gemm_m") || m.gemm.n != r.integer("gemm_n") || m.gemm.k != r.integer("gemm_k"))
        throw Error(fmt::format("{}: gemm_m/n/k do not match the convolution's", m.source));
    } else {
      m.gemm = {r.integer("m"), r.integer("n"), r.integer("k"), r.has("batch") ? r.integer("batch") : 1, in, out_bytes};
    }
    m.plan = recorded_plan(r, m.gemm);
    m.median_us = *median;
    m.p25_us = r.num("p25_us").value_or(0);
    m.p75_us = r.num("p75_us").value_or(0);
    m.sm_clock_mhz = r.num("sm_clock_mhz").value_or(0);
    out.rows.push_back(std::move(m));
  }
}

}  // namespace

MeasurementSet load_measurements(const std::vector<std::string>& paths) {
  MeasurementSet out;
  for (const std::string& p : paths) {
    if (fs::is_directory(p)) {
      bool any = false;
      for (const char* f : {"env.csv", "gemm.csv", "cublas.csv", "conv.csv", "micro.csv"}) {
        const fs::path file = fs::path(p) / f;
        if (fs::exists(file)) load_file(file.string(), out), any = true;
      }
      if (!any) throw Error(fmt::format("{}: no measurement files (gemm.csv, cublas.csv, conv.csv) in it", p));
    } else {
      load_file(p, out);
    }
  }
  return out;
}

std::string arch_for(const MeasurementSet& m) {
  auto it = m.env.find("gpu_name");
  if (it == m.env.end()) return "";
  std::string n = it->second;
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (n.find("h200") != std::string::npos) return "h200";
  if (n.find("h100") != std::string::npos) return "h100_sxm";
  return "";
}

Calibration calibrate(const MeasurementSet& m, const arch::ArchConfig& gpu) {
  Calibration c;
  auto find = [&](const char* name, const char* metric) -> const MicroResult* {
    for (const auto& r : m.micro)
      if (r.name == name && r.metric == metric) return &r;
    return nullptr;
  };
  double clock_mhz = gpu.clock_mhz;
  if (const MicroResult* r = find("mma_sync_peak", "tflops")) {
    const auto d = parse_dtype(r->dtype);
    if (r->sm_clock_mhz > 0) {
      clock_mhz = r->sm_clock_mhz;
      c.overrides.push_back(fmt::format("clock_mhz={:.0f}", clock_mhz));
      c.notes.push_back(fmt::format("clock_mhz = {:.0f}: the SM clock sampled under the mma_sync_peak load", clock_mhz));
    }
    if (d && gpu.datatypes.supports(*d)) {
      const double peak = 2.0 * double(gpu.core.pe_array.rows) * gpu.core.pe_array.cols * gpu.datatypes.macs(*d) *
                          gpu.cores * clock_mhz * 1e6 / 1e12;
      const double frac = std::clamp(r->value / peak, 1e-3, 1.0);
      c.overrides.push_back(fmt::format("gpu.mma_sync_fraction={:.4f}", frac));
      c.notes.push_back(fmt::format("gpu.mma_sync_fraction = {:.4f}: mma_sync_peak {:.1f} TFLOP/s {} over the tensor "
                                    "peak {:.1f} at {:.0f} MHz",
                                    frac, r->value, r->dtype, peak, clock_mhz));
    }
  }
  if (const MicroResult* r = find("hbm_copy_kernel", "gbps")) {
    c.overrides.push_back(fmt::format("dram.bandwidth_gb_per_s={:.1f}", r->value));
    c.notes.push_back(fmt::format("dram.bandwidth_gb_per_s = {:.1f}: hbm_copy_kernel, bytes read plus written", r->value));
  }
  if (const MicroResult* r = find("l2_read_half", "gbps")) {
    const double per_cycle = r->value * 1e9 / (clock_mhz * 1e6);
    c.overrides.push_back(fmt::format("gpu.l2_bytes_per_cycle={:.1f}", per_cycle));
    c.notes.push_back(fmt::format("gpu.l2_bytes_per_cycle = {:.1f}: l2_read_half {:.1f} GB/s at {:.0f} MHz", per_cycle,
                                  r->value, clock_mhz));
  }
  if (const MicroResult* r = find("launch_back_to_back", "us_per_launch")) {
    c.overrides.push_back(fmt::format("gpu.launch_overhead_us={:.3f}", r->value));
    c.notes.push_back(fmt::format("gpu.launch_overhead_us = {:.3f}: launch_back_to_back", r->value));
  }
  return c;
}

Comparison compare(const MeasurementSet& ms, const compiler::GpuParams& g, double min_us) {
  Comparison c;
  for (const Measurement& m : ms.rows) {
    if (m.median_us < min_us) {
      ++c.below_min;
      continue;
    }
    Entry e;
    e.m = &m;
    const bool ours = m.family.rfind("npusim_", 0) == 0;
    const compiler::Plan chosen = compiler::gpu_plan(g, m.gemm);
    e.plan = ours && m.plan ? *m.plan : chosen;
    if (ours && m.plan)
      e.plan_matches = m.plan->cfg.id == chosen.cfg.id && m.plan->split_k == chosen.split_k;
    if (m.family == "npusim_gemm" || m.family == "npusim_bmm") {
      e.model = compiler::predict_gemm(g, m.gemm, e.plan, MathPath::MmaSync);
    } else if (m.family == "cublas" || m.family == "cublaslt") {
      e.model = compiler::predict_gemm(g, m.gemm, e.plan, MathPath::FullRate);
    } else if (m.family == "npusim_conv") {
      e.model = compiler::predict_conv(g, m.cv, e.plan, MathPath::MmaSync);
    } else if (m.family == "cublas_im2col") {
      e.model = compiler::predict_im2col_gemm(g, m.cv, e.plan);
    } else {
      throw Error(fmt::format("{}: unknown kernel family '{}'", m.source, m.family));
    }
    e.roofline_s = m.conv ? compiler::roofline_conv(g, m.cv) : compiler::roofline_gemm(g, m.gemm);
    c.entries.push_back(std::move(e));
  }
  if (c.entries.empty())
    throw Error(fmt::format("no measured kernel to compare ({} below {} us, {} skipped)", c.below_min, min_us,
                            ms.skipped.size()));
  std::vector<std::string> families;
  for (const Entry& e : c.entries)
    if (std::find(families.begin(), families.end(), e.m->family) == families.end()) families.push_back(e.m->family);
  families.push_back("all");
  for (const std::string& f : families) {
    std::vector<double> pred, roof, meas, flops;
    for (const Entry& e : c.entries) {
      if (f != "all" && e.m->family != f) continue;
      pred.push_back(e.model.seconds);
      roof.push_back(e.roofline_s);
      meas.push_back(e.m->median_us * 1e-6);
      flops.push_back(e.m->flops());
    }
    c.families.push_back({f, error_stats(pred, meas, flops), error_stats(roof, meas, flops)});
  }
  return c;
}

std::string report_text(const Comparison& c, const std::string& arch_name, double min_us) {
  std::string s = fmt::format("{} measured kernels{} against the GPU kernel model of {} (and a roofline)\n\n",
                              c.entries.size(), min_us > 0 ? fmt::format(" of at least {} us", min_us) : "", arch_name);
  s += fmt::format("{:<15} {:>5} | {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} | {:>7} {:>7} {:>7} {:>6} {:>6}\n", "family", "n",
                   "MAPE%", "median", "P90", "max", "bias", "rho", "r", "MAPE%", "P90", "bias", "rho", "r");
  s += fmt::format("{:<21} | {:^56} | {:^38}\n", "", "model", "roofline");
  auto corr = [](const ErrorStats& e, double v) { return e.n >= 3 ? fmt::format("{:.3f}", v) : std::string("-"); };
  for (const FamilyStats& f : c.families) {
    const ErrorStats &m = f.model, &r = f.roofline;
    s += fmt::format("{:<15} {:>5} | {:>7.2f} {:>7.2f} {:>7.2f} {:>7.2f} {:>+7.2f} {:>6} {:>6} | {:>7.2f} {:>7.2f} "
                     "{:>+7.2f} {:>6} {:>6}\n",
                     f.family, m.n, m.mape, m.median_ape, m.p90_ape, m.max_ape, m.bias, corr(m, m.spearman_tflops),
                     corr(m, m.pearson_log_latency), r.mape, r.p90_ape, r.bias, corr(r, r.spearman_tflops),
                     corr(r, r.pearson_log_latency));
  }
  s += "\nAPE: |predicted - measured| / measured time; bias: mean signed error (> 0: predicted slower); rho: Spearman's "
       "rank correlation of achieved TFLOP/s; r: Pearson's correlation of log time (- below 3 kernels).\n";
  std::size_t mismatched = 0;
  for (const Entry& e : c.entries) mismatched += !e.plan_matches;
  if (mismatched)
    s += fmt::format("{} rows ran a plan this npusim's chooser would not pick for them (their own plan was predicted).\n",
                     mismatched);
  return s;
}

std::string scatter_svg(const Comparison& c, const std::string& title) {
  const double W = 640, H = 560, L = 70, R = 160, T = 40, B = 60;
  double lo = 1e300, hi = 0;
  for (const Entry& e : c.entries)
    for (double v : {e.m->median_us, e.model.seconds * 1e6, e.roofline_s * 1e6})
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  const double l0 = std::floor(std::log10(lo)), l1 = std::ceil(std::log10(hi)) + (std::log10(hi) == std::ceil(std::log10(hi)) ? 0 : 0);
  const double span = std::max(1.0, l1 - l0);
  auto X = [&](double us) { return L + (std::log10(us) - l0) / span * (W - L - R); };
  auto Y = [&](double us) { return H - B - (std::log10(us) - l0) / span * (H - T - B); };
  const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
  std::vector<std::string> fams;
  for (const Entry& e : c.entries)
    if (std::find(fams.begin(), fams.end(), e.m->family) == fams.end()) fams.push_back(e.m->family);
  auto colour = [&](const std::string& f) {
    return palette[static_cast<std::size_t>(std::find(fams.begin(), fams.end(), f) - fams.begin()) % 8];
  };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"14\">{}</text>\n",
      W, H, L, title);
  for (double d = l0; d <= l0 + span + 1e-9; d += 1) {  // decades
    const double us = std::pow(10.0, d);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#ddd\"/><line x1=\"{}\" y1=\"{:.1f}\" "
                     "x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n",
                     X(us), T, X(us), H - B, L, Y(us), W - R, Y(us));
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text><text x=\"{}\" y=\"{:.1f}\" "
                     "text-anchor=\"end\">{:g}</text>\n",
                     X(us), H - B + 16, us, L - 6, Y(us) + 4, us);
  }
  const double a = std::pow(10.0, l0), b = std::pow(10.0, l0 + span);
  s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"black\"/>\n", X(a), Y(a), X(b), Y(b));
  for (double f : {1.1, 1 / 1.1})
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
                     X(a), Y(a * f), X(b / f), Y(b));
  for (const Entry& e : c.entries) {
    const double x = X(e.m->median_us);
    s += fmt::format("<circle class=\"model\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{} {}: measured {:.2f} us, "
                     "predicted {:.2f} us</title></circle>\n",
                     x, Y(e.model.seconds * 1e6), colour(e.m->family), e.m->family, e.m->name, e.m->median_us,
                     e.model.seconds * 1e6);
    s += fmt::format("<circle class=\"roofline\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"none\" stroke=\"{}\" "
                     "stroke-opacity=\"0.5\"/>\n",
                     x, Y(e.roofline_s * 1e6), colour(e.m->family));
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">measured time (us)</text>\n", (L + W - R) / 2, H - 20);
  s += fmt::format("<text x=\"18\" y=\"{:.1f}\" transform=\"rotate(-90 18 {:.1f})\" text-anchor=\"middle\">predicted time "
                   "(us)</text>\n",
                   (T + H - B) / 2, (T + H - B) / 2);
  double ly = T + 10;
  for (const std::string& f : fams) {
    s += fmt::format("<circle cx=\"{}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/><text x=\"{}\" y=\"{:.1f}\">{}</text>\n", W - R + 20, ly,
                     colour(f), W - R + 30, ly + 4, f);
    ly += 18;
  }
  s += fmt::format("<circle cx=\"{}\" cy=\"{:.1f}\" r=\"4\" fill=\"none\" stroke=\"#555\"/><text x=\"{}\" y=\"{:.1f}\">roofline</text>\n",
                   W - R + 20, ly, W - R + 30, ly + 4);
  s += fmt::format("<text x=\"{}\" y=\"{:.1f}\">dashed: +-10%</text>\n", W - R + 14, ly + 22);
  s += "</svg>\n";
  return s;
}

std::string residuals_csv(const Comparison& c) {
  std::string s = harness::csv_line({"source", "family", "name", "category", "dtype", "m", "n", "k", "batch", "config_id",
                                      "split_k", "ctas", "ctas_per_sm", "waves", "plan_matches", "measured_us", "p25_us",
                                      "p75_us", "predicted_us", "error_pct", "roofline_us", "roofline_error_pct", "bound",
                                      "dram_bytes", "l2_bytes", "measured_tflops", "predicted_tflops"}) +
                  "\n";
  for (const Entry& e : c.entries) {
    const Measurement& m = *e.m;
    const double p = e.model.seconds * 1e6, r = e.roofline_s * 1e6;
    s += harness::csv_line({m.source, m.family, m.name, m.category, m.dtype, std::to_string(m.gemm.m),
                             std::to_string(m.gemm.n), std::to_string(m.gemm.k), std::to_string(m.gemm.batch),
                             std::to_string(e.plan.cfg.id), std::to_string(e.plan.split_k), std::to_string(e.plan.ctas),
                             std::to_string(e.plan.ctas_per_sm), std::to_string(e.plan.waves), e.plan_matches ? "1" : "0",
                             harness::fmt_double(m.median_us), harness::fmt_double(m.p25_us),
                             harness::fmt_double(m.p75_us), harness::fmt_double(p),
                             harness::fmt_double(100 * (p - m.median_us) / m.median_us), harness::fmt_double(r),
                             harness::fmt_double(100 * (r - m.median_us) / m.median_us), e.model.bound,
                             harness::fmt_double(e.model.dram_bytes), harness::fmt_double(e.model.l2_bytes),
                             harness::fmt_double(m.flops() / (m.median_us * 1e-6) / 1e12),
                             harness::fmt_double(m.flops() / (p * 1e-6) / 1e12)}) +
         "\n";
  }
  return s;
}

}  // namespace npusim::validate::compare
