#include "validate/compare/comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "base/error.h"
#include "validate/harness/csv.h"

namespace npusim::validate::compare {

namespace fs = std::filesystem;
using compiler::MathPath;

double Measurement::flops() const {
  if (kind == RowKind::MemoryOp) return 0;
  if (kind == RowKind::Attention) return attn.flops();
  return 2.0 * double(gemm.m) * double(gemm.n) * double(gemm.k) * double(gemm.batch);
}

double Measurement::work() const { return kind == RowKind::MemoryOp ? op.bytes() : flops(); }

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
    if (*v != std::floor(*v)) throw Error(fmt::format("{}: column {}: not an integer: '{}'", where_, col, str(col)));
    return static_cast<std::int64_t>(std::llround(*v));
  }
  std::int64_t positive(const char* col) const {
    const std::int64_t v = integer(col);
    if (v <= 0) throw Error(fmt::format("{}: column {} must be at least 1 (it is {})", where_, col, v));
    return v;
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

enum class FileKind { Gemm, Conv, Micro, Env, Generic };

FileKind kind_of(const harness::CsvTable& t, const std::string& path) {
  auto has = [&](const char* c) { return std::find(t.header.begin(), t.header.end(), c) != t.header.end(); };
  if (has("time_us")) return FileKind::Generic;
  if (has("gemm_m")) return FileKind::Conv;
  if (has("metric") && has("value")) return FileKind::Micro;
  if (t.header.size() == 2 && t.header[0] == "key" && t.header[1] == "value") return FileKind::Env;
  if (has("m") && has("n") && has("k") && has("median_us")) return FileKind::Gemm;
  throw Error(fmt::format("{}: neither a measurement file of validate/harness (validate/data/README.md) nor a generic "
                          "table with a time_us column (validate/data/public/README.md)",
                          path));
}

// The output datatype of a library GEMM when the row does not name one: 16-bit products write
// their operand type, fp8 writes bf16, tf32 and fp32 write fp32.
DType default_out(DType in) {
  if (in == DType::Fp8) return DType::Bf16;
  if (in == DType::Tf32) return DType::Fp32;
  return in;
}

// A row of a generic public table (validate/data/public/README.md).
Measurement generic_row(const RowView& r) {
  Measurement m;
  m.source = r.where();
  m.origin = r.str("source").empty() ? "public" : r.str("source");
  m.name = r.str("name");
  m.dtype = r.str("dtype");
  if (m.dtype.empty()) throw Error(fmt::format("{}: column dtype is empty", r.where()));
  const DType in = dtype_of(m.dtype, m.source);
  const auto t = r.num("time_us");
  if (!t || !(*t > 0)) throw Error(fmt::format("{}: time_us must be a positive number", m.source));
  m.median_us = *t;
  const std::string timer = r.str("timer");
  if (timer.empty() || timer == "kernel")
    m.timer = compiler::Timer::Kernel;
  else if (timer == "events")
    m.timer = compiler::Timer::Events;
  else
    throw Error(fmt::format("{}: timer must be kernel or events (it is '{}')", m.source, timer));
  m.kernel = r.str("kernel");
  const std::string split = r.str("split");
  if (split == "calibration" || split == "test")
    m.calibration = split == "calibration";
  else if (!split.empty())
    throw Error(fmt::format("{}: split must be calibration or test (it is '{}')", m.source, split));
  const std::string op = r.str("op");
  if (op.empty() || op == "gemm") {
    m.kind = RowKind::Gemm;
    m.library = true;
    m.out_dtype = r.str("out_dtype").empty() ? std::string(name_of(default_out(in))) : r.str("out_dtype");
    const DType out = dtype_of(m.out_dtype, m.source);
    m.gemm = {r.positive("m"), r.positive("n"), r.positive("k"), r.has("batch") && !r.str("batch").empty() ? r.positive("batch") : 1,
              in, static_cast<std::int32_t>(bytes_of(out))};
    m.family = r.str("family").empty() ? (m.gemm.batch > 1 ? "bmm" : "gemm") : r.str("family");
  } else if (op == "attention") {
    m.kind = RowKind::Attention;
    m.attn.batch = r.positive("batch");
    m.attn.heads = r.positive("heads");
    m.attn.kv_heads = r.str("kv_heads").empty() ? m.attn.heads : r.positive("kv_heads");
    m.attn.seq_q = r.positive("seq_q");
    m.attn.seq_kv = r.positive("seq_kv");
    m.attn.head_dim = r.positive("head_dim");
    const std::string causal = r.str("causal");
    if (causal != "0" && causal != "1" && !causal.empty())
      throw Error(fmt::format("{}: causal must be 0 or 1 (it is '{}')", m.source, causal));
    m.attn.causal = causal == "1";
    m.attn.dtype = in;
    if (m.attn.heads % m.attn.kv_heads != 0)
      throw Error(fmt::format("{}: heads ({}) must be a multiple of kv_heads ({})", m.source, m.attn.heads, m.attn.kv_heads));
    m.family = r.str("family").empty() ? (m.attn.seq_q == 1 ? "decode" : "prefill") : r.str("family");
  } else {
    const auto kind = compiler::parse_memory_op(op);
    if (!kind)
      throw Error(fmt::format("{}: unknown op '{}' (gemm, attention, elementwise, rmsnorm, layernorm, softmax)", m.source, op));
    m.kind = RowKind::MemoryOp;
    m.op.kind = *kind;
    m.op.rows = r.positive("rows");
    m.op.cols = r.positive("cols");
    m.op.inputs = r.str("inputs").empty() ? 1 : static_cast<int>(r.positive("inputs"));
    m.op.dtype = in;
    m.family = r.str("family").empty() ? op : r.str("family");
  }
  m.category = op.empty() ? "gemm" : op;
  return m;
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
    if (kind == FileKind::Generic) {
      out.rows.push_back(generic_row(r));
      continue;
    }
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
    m.origin = "harness";
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
      m.kind = RowKind::Conv;
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
    m.timer = compiler::Timer::Events;
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
      if (!any) {  // a folder of generic tables: every *.csv, in name order
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(p))
          if (e.is_regular_file() && e.path().extension() == ".csv") files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) load_file(f, out), any = true;
      }
      if (!any) throw Error(fmt::format("{}: no measurement files (gemm.csv, cublas.csv, conv.csv, or *.csv tables) in it", p));
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
  if (n.find("a100") != std::string::npos) return "a100_sxm";
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
    c.overrides.push_back("gpu.dram_fraction=1");
    c.notes.push_back(fmt::format("dram.bandwidth_gb_per_s = {:.1f}: hbm_copy_kernel, bytes read plus written (a "
                                  "measured bandwidth: gpu.dram_fraction = 1)",
                                  r->value));
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

// ---- the split --------------------------------------------------------------------------------

std::optional<Split> parse_split(std::string_view s) {
  for (Split x : {Split::All, Split::Calibration, Split::Test})
    if (name_of(x) == s) return x;
  return std::nullopt;
}

std::string_view name_of(Split s) {
  switch (s) {
    case Split::All: return "all";
    case Split::Calibration: return "calibration";
    case Split::Test: return "test";
  }
  return "?";
}

bool in_calibration_split(const Measurement& m) {
  if (m.calibration) return *m.calibration;
  std::string id = fmt::format("{}|{}|{}|{}", m.origin, m.name, m.dtype, m.family);
  switch (m.kind) {
    case RowKind::Gemm:
    case RowKind::Conv: id += fmt::format("|{}x{}x{}x{}", m.gemm.m, m.gemm.n, m.gemm.k, m.gemm.batch); break;
    case RowKind::MemoryOp: id += fmt::format("|{}x{}x{}", m.op.rows, m.op.cols, m.op.inputs); break;
    case RowKind::Attention:
      id += fmt::format("|{}x{}x{}x{}x{}x{}x{}", m.attn.batch, m.attn.heads, m.attn.kv_heads, m.attn.seq_q, m.attn.seq_kv,
                        m.attn.head_dim, int(m.attn.causal));
      break;
  }
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  h ^= h >> 33;  // FNV's low bits mix poorly: finish with MurmurHash3's avalanche
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h % 4 == 0;
}

std::string size_band(const Measurement& m) {
  if (m.kind == RowKind::MemoryOp) {
    const double mb = m.op.bytes() / 1e6;
    return mb < 64 ? "lt64MB" : mb < 512 ? "64to512MB" : "ge512MB";
  }
  const double gf = m.flops() / 1e9;
  return gf < 1 ? "lt1GFLOP" : gf < 10 ? "1to10GFLOP" : gf < 100 ? "10to100GFLOP" : "ge100GFLOP";
}

// ---- predictions ---------------------------------------------------------------------------------

namespace {

// Whether a library kernel's CTA tile matches the one the source recorded ("bm x bn", optionally
// followed by "_" and a variant).
int tile_matches(const std::string& recorded, const compiler::LibraryKernel& k) {
  if (recorded.empty()) return -1;
  const std::string tile = recorded.substr(0, recorded.find('_'));
  return tile == fmt::format("{}x{}", k.bm, k.bn) ? 1 : 0;
}

double attention_roofline(const compiler::GpuParams& g, const compiler::AttentionProblem& a) {
  const double e = bytes_of(a.dtype);
  const double bytes = double(a.batch) * e * a.head_dim *
                       (2.0 * double(a.heads) * a.seq_q + 2.0 * double(a.kv_heads) * a.seq_kv);
  return compiler::roofline_seconds(g, a.flops(), bytes, a.dtype);
}

Entry predict(const Measurement& m, const compiler::GpuParams& g) {
  Entry e;
  e.m = &m;
  e.band = size_band(m);
  switch (m.kind) {
    case RowKind::MemoryOp: {
      const auto p = compiler::predict_memory_op(g, m.op, m.timer);
      e.predicted_s = p.seconds;
      e.kernel = std::string(compiler::name_of(m.op.kind));
      e.bound = p.bound;
      e.dram_bytes = p.bytes;
      e.roofline_s = m.op.bytes() / g.dram_bytes_per_s;
      return e;
    }
    case RowKind::Attention: {
      const auto p = compiler::predict_attention(g, m.attn, m.timer);
      e.predicted_s = p.seconds;
      e.kernel = fmt::format("flash {} CTAs{}", p.ctas, p.kv_splits > 1 ? fmt::format(", {} kv splits", p.kv_splits) : "");
      e.bound = p.bound;
      e.dram_bytes = p.dram_bytes;
      e.roofline_s = attention_roofline(g, m.attn);
      return e;
    }
    case RowKind::Gemm:
    case RowKind::Conv: break;
  }
  e.roofline_s = m.conv ? compiler::roofline_conv(g, m.cv) : compiler::roofline_gemm(g, m.gemm);
  if (m.library || m.family == "cublas" || m.family == "cublaslt") {
    const auto p = compiler::predict_library_gemm(g, m.gemm, m.timer);
    e.predicted_s = p.seconds;
    e.kernel = p.kernel.name();
    e.bound = p.bound;
    e.dram_bytes = p.dram_bytes;
    e.kernel_matches = tile_matches(m.kernel, p.kernel);
    return e;
  }
  const bool ours = m.family.rfind("npusim_", 0) == 0;
  const compiler::Plan chosen = compiler::gpu_plan(g, m.gemm);
  e.plan = ours && m.plan ? *m.plan : chosen;
  if (ours && m.plan) e.plan_matches = m.plan->cfg.id == chosen.cfg.id && m.plan->split_k == chosen.split_k;
  compiler::KernelPrediction k;
  if (m.family == "npusim_gemm" || m.family == "npusim_bmm")
    k = compiler::predict_gemm(g, m.gemm, e.plan, MathPath::MmaSync);
  else if (m.family == "npusim_conv")
    k = compiler::predict_conv(g, m.cv, e.plan, MathPath::MmaSync);
  else if (m.family == "cublas_im2col")
    k = compiler::predict_im2col_gemm(g, m.cv, e.plan);
  else
    throw Error(fmt::format("{}: unknown kernel family '{}'", m.source, m.family));
  e.predicted_s = k.seconds;
  e.kernel = fmt::format("{}x{}x{} s{} split {}", e.plan.cfg.bm, e.plan.cfg.bn, e.plan.cfg.bk, e.plan.cfg.stages, e.plan.split_k);
  e.bound = k.bound;
  e.dram_bytes = k.dram_bytes;
  e.l2_bytes = k.l2_bytes;
  return e;
}

bool selected(const Measurement& m, const CompareOptions& o, Comparison* c) {
  if (!o.dtypes.empty() && std::find(o.dtypes.begin(), o.dtypes.end(), m.dtype) == o.dtypes.end()) {
    if (c) ++c->other_dtype;
    return false;
  }
  if (o.split != Split::All && in_calibration_split(m) != (o.split == Split::Calibration)) {
    if (c) ++c->other_split;
    return false;
  }
  if (m.median_us < o.min_us) {
    if (c) ++c->below_min;
    return false;
  }
  return true;
}

GroupStats group_stats(const std::vector<Entry>& entries, const std::string& key,
                       const std::function<bool(const Entry&)>& in) {
  std::vector<double> pred, roof, meas, work;
  for (const Entry& e : entries) {
    if (!in(e)) continue;
    pred.push_back(e.predicted_s);
    roof.push_back(e.roofline_s);
    meas.push_back(e.m->median_us * 1e-6);
    work.push_back(e.m->work());
  }
  return {key, error_stats(pred, meas, work), error_stats(roof, meas, work)};
}

std::vector<GroupStats> groups_by(const std::vector<Entry>& entries, const std::function<std::string(const Entry&)>& key) {
  std::vector<std::string> keys;
  for (const Entry& e : entries)
    if (std::find(keys.begin(), keys.end(), key(e)) == keys.end()) keys.push_back(key(e));
  std::vector<GroupStats> out;
  for (const std::string& k : keys) out.push_back(group_stats(entries, k, [&](const Entry& e) { return key(e) == k; }));
  return out;
}

double mape_of(const MeasurementSet& ms, const compiler::GpuParams& g, const CompareOptions& o) {
  double sum = 0;
  std::size_t n = 0;
  for (const Measurement& m : ms.rows) {
    if (!selected(m, o, nullptr)) continue;
    const Entry e = predict(m, g);
    sum += std::abs(e.predicted_s - m.median_us * 1e-6) / (m.median_us * 1e-6);
    ++n;
  }
  if (n == 0) throw Error("fit: no calibration row is left (check --min-us and --dtype)");
  return 100.0 * sum / double(n);
}

}  // namespace

Comparison compare(const MeasurementSet& ms, const compiler::GpuParams& g, const CompareOptions& o) {
  Comparison c;
  for (const Measurement& m : ms.rows) {
    if (!selected(m, o, &c)) continue;
    c.entries.push_back(predict(m, g));
    const Entry& e = c.entries.back();
    if (e.kernel_matches >= 0) ++c.kernels_named, c.kernels_matched += static_cast<std::size_t>(e.kernel_matches);
  }
  if (c.entries.empty())
    throw Error(fmt::format("no measured kernel to compare ({} below {} us, {} in the other split, {} of other datatypes, "
                            "{} skipped)",
                            c.below_min, o.min_us, c.other_split, c.other_dtype, ms.skipped.size()));
  c.overall = group_stats(c.entries, "all", [](const Entry&) { return true; });
  c.families = groups_by(c.entries, [](const Entry& e) { return e.m->family; });
  c.bands = groups_by(c.entries, [](const Entry& e) { return e.band; });
  c.dtypes = groups_by(c.entries, [](const Entry& e) { return e.m->dtype; });
  c.sources = groups_by(c.entries, [](const Entry& e) { return e.m->origin; });
  return c;
}

// ---- reports ---------------------------------------------------------------------------------------

std::string report_text(const Comparison& c, const std::string& arch_name, const CompareOptions& o) {
  std::string s = fmt::format("{} measured kernels{}{}{} against the GPU kernel model of {} (and a roofline)\n\n",
                              c.entries.size(), o.min_us > 0 ? fmt::format(" of at least {} us", o.min_us) : "",
                              o.split != Split::All ? fmt::format(", {} split", name_of(o.split)) : "",
                              o.dtypes.empty() ? "" : fmt::format(", {}", fmt::join(o.dtypes, "/")), arch_name);
  s += fmt::format("{:<22} {:>5} | {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} | {:>7} {:>7} {:>7} {:>6} {:>6}\n", "group",
                   "n", "MAPE%", "median", "P90", "max", "bias", "rho", "r", "MAPE%", "P90", "bias", "rho", "r");
  s += fmt::format("{:<28} | {:^56} | {:^38}\n", "", "model", "roofline");
  auto corr = [](const ErrorStats& e, double v) { return e.n >= 3 ? fmt::format("{:.3f}", v) : std::string("-"); };
  auto line = [&](const std::string& label, const GroupStats& f) {
    const ErrorStats &m = f.model, &r = f.roofline;
    s += fmt::format("{:<22} {:>5} | {:>7.2f} {:>7.2f} {:>7.2f} {:>7.2f} {:>+7.2f} {:>6} {:>6} | {:>7.2f} {:>7.2f} "
                     "{:>+7.2f} {:>6} {:>6}\n",
                     label, m.n, m.mape, m.median_ape, m.p90_ape, m.max_ape, m.bias, corr(m, m.spearman_tflops),
                     corr(m, m.pearson_log_latency), r.mape, r.p90_ape, r.bias, corr(r, r.spearman_tflops),
                     corr(r, r.pearson_log_latency));
  };
  auto section = [&](const char* what, const std::vector<GroupStats>& gs) {
    if (gs.size() < 2) return;
    for (const GroupStats& f : gs) line(fmt::format("{} {}", what, f.key), f);
  };
  for (const GroupStats& f : c.families) line(f.key, f);
  section("band", c.bands);
  section("dtype", c.dtypes);
  section("source", c.sources);
  line("all", c.overall);
  s += "\nAPE: |predicted - measured| / measured time; bias: mean signed error (> 0: predicted slower); rho: Spearman's "
       "rank correlation of achieved TFLOP/s (GB/s for memory-bound operators); r: Pearson's correlation of log time "
       "(- below 3 kernels).\n";
  std::size_t mismatched = 0;
  for (const Entry& e : c.entries) mismatched += !e.plan_matches;
  if (mismatched)
    s += fmt::format("{} rows ran a plan this npusim's chooser would not pick for them (their own plan was predicted).\n",
                     mismatched);
  if (c.kernels_named)
    s += fmt::format("kernel choice: the model picks the CTA tile the library recorded for {} of {} rows ({:.1f}%).\n",
                     c.kernels_matched, c.kernels_named, 100.0 * double(c.kernels_matched) / double(c.kernels_named));
  if (c.below_min || c.other_split || c.other_dtype)
    s += fmt::format("left out: {} rows below {} us, {} in the other split, {} of other datatypes.\n", c.below_min, o.min_us,
                     c.other_split, c.other_dtype);
  return s;
}

namespace {

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{:.6g}", v);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(ch));
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

std::string json_errors(const ErrorStats& e) {
  return fmt::format("\"count\": {}, \"mape_pct\": {}, \"median_ape_pct\": {}, \"p90_ape_pct\": {}, \"max_ape_pct\": {}, "
                     "\"bias_pct\": {}, \"spearman\": {}, \"pearson_log_time\": {}",
                     e.n, json_number(e.mape), json_number(e.median_ape), json_number(e.p90_ape), json_number(e.max_ape),
                     json_number(e.bias), json_number(e.spearman_tflops), json_number(e.pearson_log_latency));
}

std::string json_group(const GroupStats& g) {
  return fmt::format("{{{}, \"roofline\": {{{}}}}}", json_errors(g.model), json_errors(g.roofline));
}

std::string json_groups(const std::vector<GroupStats>& gs) {
  std::string s = "{";
  for (std::size_t i = 0; i < gs.size(); ++i)
    s += fmt::format("{}\n    {}: {}", i ? "," : "", json_string(gs[i].key), json_group(gs[i]));
  return s + "\n  }";
}

}  // namespace

std::string report_json(const Comparison& c, const std::string& arch_name, const CompareOptions& o) {
  std::string dtypes;
  for (std::size_t i = 0; i < o.dtypes.size(); ++i) dtypes += (i ? ", " : "") + json_string(o.dtypes[i]);
  std::string s = "{\n";
  s += fmt::format("  \"arch\": {},\n  \"min_us\": {},\n  \"split\": {},\n  \"dtypes\": [{}],\n", json_string(arch_name),
                   json_number(o.min_us), json_string(std::string(name_of(o.split))), dtypes);
  s += fmt::format("  \"left_out\": {{\"below_min_us\": {}, \"other_split\": {}, \"other_dtype\": {}}},\n", c.below_min,
                   c.other_split, c.other_dtype);
  s += fmt::format("  \"kernel_choice\": {{\"named\": {}, \"matched\": {}}},\n", c.kernels_named, c.kernels_matched);
  s += fmt::format("  \"overall\": {},\n", json_group(c.overall));
  s += fmt::format("  \"families\": {},\n", json_groups(c.families));
  s += fmt::format("  \"bands\": {},\n", json_groups(c.bands));
  s += fmt::format("  \"dtypes\": {},\n", json_groups(c.dtypes));
  s += fmt::format("  \"sources\": {}\n", json_groups(c.sources));
  return s + "}\n";
}

std::string scatter_svg(const Comparison& c, const std::string& title) {
  const double W = 640, H = 560, L = 70, R = 160, T = 40, B = 60;
  double lo = 1e300, hi = 0;
  for (const Entry& e : c.entries)
    for (double v : {e.m->median_us, e.predicted_s * 1e6, e.roofline_s * 1e6})
      if (v > 0 && std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  const double l0 = std::floor(std::log10(lo)), l1 = std::ceil(std::log10(hi));
  const double span = std::max(1.0, l1 - l0);
  auto X = [&](double us) { return L + (std::log10(us) - l0) / span * (W - L - R); };
  auto Y = [&](double us) { return H - B - (std::log10(us) - l0) / span * (H - T - B); };
  const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
  std::vector<std::string> fams;
  for (const Entry& e : c.entries)
    if (std::find(fams.begin(), fams.end(), e.m->family) == fams.end()) fams.push_back(e.m->family);
  auto index = [&](const std::string& f) {
    return static_cast<std::size_t>(std::find(fams.begin(), fams.end(), f) - fams.begin()) % 8;
  };
  auto colour = [&](const std::string& f) { return palette[index(f)]; };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"22\" font-size=\"14\">{}</text>\n",
      W, H, L, title);
  // one class per family colour, so that a plot of thousands of points stays small
  s += "<style>";
  for (std::size_t i = 0; i < 8; ++i)
    s += fmt::format(".model.f{0}{{fill:{1}}} .roofline.f{0}{{fill:none;stroke:{1};stroke-opacity:0.4}} ", i, palette[i]);
  s += "</style>\n";
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
  auto clip = [&](double us) { return std::clamp(us, a, b); };
  const bool titles = c.entries.size() <= 500;  // tooltips name each point of a small plot
  for (const Entry& e : c.entries) {
    const double x = X(e.m->median_us);
    const std::size_t f = index(e.m->family);
    s += fmt::format("<circle class=\"roofline f{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\"/>", f, x,
                     Y(clip(e.roofline_s * 1e6)));
    if (titles)
      s += fmt::format("<circle class=\"model f{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\"><title>{} {}: measured {:.2f} us, "
                       "predicted {:.2f} us</title></circle>\n",
                       f, x, Y(clip(e.predicted_s * 1e6)), e.m->family, e.m->name, e.m->median_us, e.predicted_s * 1e6);
    else
      s += fmt::format("<circle class=\"model f{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\"/>\n", f, x,
                       Y(clip(e.predicted_s * 1e6)));
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
  std::string s = harness::csv_line({"source", "origin", "family", "name", "category", "dtype", "m", "n", "k", "batch",
                                      "kernel", "recorded_kernel", "kernel_matches", "plan_matches", "band",
                                      "calibration_split", "measured_us", "p25_us", "p75_us", "predicted_us", "error_pct",
                                      "roofline_us", "roofline_error_pct", "bound", "dram_bytes", "l2_bytes",
                                      "measured_rate", "predicted_rate"}) +
                  "\n";
  for (const Entry& e : c.entries) {
    const Measurement& m = *e.m;
    const double p = e.predicted_s * 1e6, r = e.roofline_s * 1e6;
    const bool gemm = m.kind == RowKind::Gemm || m.kind == RowKind::Conv;
    // achieved TFLOP/s, or GB/s for memory-bound operators
    const double scale = m.kind == RowKind::MemoryOp ? 1e9 : 1e12;
    s += harness::csv_line({m.source, m.origin, m.family, m.name, m.category, m.dtype,
                             gemm ? std::to_string(m.gemm.m) : "", gemm ? std::to_string(m.gemm.n) : "",
                             gemm ? std::to_string(m.gemm.k) : "", gemm ? std::to_string(m.gemm.batch) : "", e.kernel,
                             m.kernel, e.kernel_matches < 0 ? "" : std::to_string(e.kernel_matches),
                             e.plan_matches ? "1" : "0", e.band, in_calibration_split(m) ? "1" : "0",
                             harness::fmt_double(m.median_us), harness::fmt_double(m.p25_us),
                             harness::fmt_double(m.p75_us), harness::fmt_double(p),
                             harness::fmt_double(100 * (p - m.median_us) / m.median_us), harness::fmt_double(r),
                             harness::fmt_double(100 * (r - m.median_us) / m.median_us), e.bound,
                             harness::fmt_double(e.dram_bytes), harness::fmt_double(e.l2_bytes),
                             harness::fmt_double(m.work() / (m.median_us * 1e-6) / scale),
                             harness::fmt_double(m.work() / (p * 1e-6) / scale)}) +
         "\n";
  }
  return s;
}

// ---- fitting ---------------------------------------------------------------------------------------

namespace {

struct FitKey {
  const char* key;
  double lo, hi;
  double compiler::GpuParams::*field;
  double scale;  // field = value x scale
};

const std::vector<FitKey>& fit_table() {
  static const std::vector<FitKey> t = {
      {"gpu.wgmma_fraction", 0.3, 1.0, &compiler::GpuParams::wgmma_fraction, 1.0},
      {"gpu.mma_sync_fraction", 0.3, 1.0, &compiler::GpuParams::mma_sync_fraction, 1.0},
      {"gpu.simt_fraction", 0.3, 1.0, &compiler::GpuParams::simt_fraction, 1.0},
      {"gpu.dram_fraction", 0.3, 1.0, &compiler::GpuParams::dram_fraction, 1.0},
      {"gpu.kernel_fixed_us", 0.0, 10.0, &compiler::GpuParams::kernel_fixed_s, 1e-6},
  };
  return t;
}

}  // namespace

const std::vector<std::string>& fittable_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (const FitKey& f : fit_table()) k.emplace_back(f.key);
    return k;
  }();
  return keys;
}

std::vector<std::string> FitResult::overrides() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values) out.push_back(fmt::format("{}={:.4g}", k, v));
  return out;
}

FitResult fit(const MeasurementSet& ms, const compiler::GpuParams& start, const std::vector<std::string>& keys,
              CompareOptions o) {
  o.split = Split::Calibration;
  std::vector<const FitKey*> fk;
  for (const std::string& k : keys) {
    const auto it = std::find_if(fit_table().begin(), fit_table().end(), [&](const FitKey& f) { return k == f.key; });
    if (it == fit_table().end())
      throw Error(fmt::format("--fit: '{}' is not a fittable global parameter ({})", k, fmt::join(fittable_keys(), ", ")));
    fk.push_back(&*it);
  }
  if (fk.empty()) throw Error("--fit: no parameter named");
  compiler::GpuParams g = start;
  FitResult r;
  for (const Measurement& m : ms.rows) r.rows += selected(m, o, nullptr) ? 1 : 0;
  r.mape_before = mape_of(ms, g, o);
  auto eval = [&](const FitKey& f, double v) {
    compiler::GpuParams t = g;
    t.*(f.field) = v * f.scale;
    return mape_of(ms, t, o);
  };
  for (int round = 0; round < 3; ++round) {
    for (const FitKey* f : fk) {
      // a coarse grid, then a golden-section search in the best cell's neighbourhood
      constexpr int kGrid = 24;
      double best_v = f->lo, best = INFINITY;
      for (int i = 0; i <= kGrid; ++i) {
        const double v = f->lo + (f->hi - f->lo) * i / kGrid;
        const double y = eval(*f, v);
        if (y < best) best = y, best_v = v;
      }
      const double step = (f->hi - f->lo) / kGrid;
      double a = std::max(f->lo, best_v - step), b = std::min(f->hi, best_v + step);
      const double phi = (std::sqrt(5.0) - 1) / 2;
      double x1 = b - phi * (b - a), x2 = a + phi * (b - a);
      double y1 = eval(*f, x1), y2 = eval(*f, x2);
      for (int it = 0; it < 20; ++it) {
        if (y1 < y2)
          b = x2, x2 = x1, y2 = y1, x1 = b - phi * (b - a), y1 = eval(*f, x1);
        else
          a = x1, x1 = x2, y1 = y2, x2 = a + phi * (b - a), y2 = eval(*f, x2);
      }
      const double v = y1 < y2 ? x1 : x2;
      if (std::min(y1, y2) < best) best_v = v;
      g.*(f->field) = best_v * f->scale;
    }
  }
  for (const FitKey* f : fk) r.values.emplace_back(f->key, g.*(f->field) / f->scale);
  r.mape_after = mape_of(ms, g, o);
  return r;
}

}  // namespace npusim::validate::compare
