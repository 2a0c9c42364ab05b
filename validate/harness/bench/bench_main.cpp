// npusim-gpu-bench: measures the project's GPU kernels, cuBLAS/cuBLASLt and calibration
// microbenchmarks on one GPU, and writes CSVs (validate/data/README.md documents them).
//
//   npusim-gpu-bench --out DIR [--only selftest,gemm,cublas,conv,micro] [--dtypes bf16,fp16]
//                    [--filter TEXT] [--category NAME,...] [--limit N] [--runs N] [--warmup N]
//                    [--flush-mib N] [--no-fp32-out] [--quick] [--device N] [--source-rev REV]
//   npusim-gpu-bench --list     the GEMM and conv suites with their plans, no GPU work
//
// Every kernel is checked before it is timed: inputs uniform in [-1, 1] from a counter-based
// hash (never zeros), the output filled with NaN, one run, the output compared with the GPU
// reference (fp32 accumulation) under the bounds of error_bound.h. A row that fails is written
// with verified = 0 and no times. Exit status: 0 when every check passed, 1 when any failed, 2 on
// bad arguments, 3 when the GPU is unusable (a CUDA error that poisons the context).
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "compiler/gpu_tiling.h"
#include "validate/harness/columns.h"
#include "validate/harness/csv.h"
#include "validate/harness/dtype.h"
#include "validate/harness/bench/env_info.h"
#include "validate/harness/error_bound.h"
#include "validate/harness/stats.h"
#include "validate/harness/suite.h"
#include "validate/harness/bench/timing.h"
#include "validate/kernels/bench_kernels.cuh"
#include "validate/kernels/cublas_ref.cuh"
#include "validate/kernels/kernels.h"
#include "validate/kernels/reference.cuh"
#include "validate/kernels/tile_rules.h"

namespace {

namespace gb = npusim::validate::harness;
namespace gk = npusim::validate::kernels;
namespace compiler = npusim::compiler;
using gb::DType;

// ------------------------------------------------------------------------------------------------
// Options

const std::vector<std::string> kParts = {"selftest", "gemm", "cublas", "conv", "micro"};

struct Options {
  std::string out_dir;
  std::set<std::string> parts{kParts.begin(), kParts.end()};
  bool only = false;
  std::vector<DType> dtypes{DType::bf16, DType::fp16};
  int runs = 50, warmup = 10;
  std::size_t flush_mib = 256;
  std::string filter;
  std::set<gb::Category> categories;
  int limit = 0;
  bool fp32_out = true, quick = false, list = false, print_slug = false;
  int device = 0;
  std::string source_rev = "unknown";
  std::string command_line;
};

const char* kUsage =
    "usage: npusim-gpu-bench --out DIR [options]\n"
    "  --only PARTS        comma-separated subset of selftest,gemm,cublas,conv,micro (default: all)\n"
    "  --dtypes LIST       bf16,fp16 (default: both)\n"
    "  --filter TEXT       only shapes whose name contains TEXT\n"
    "  --category LIST     only these GEMM categories (projection,mlp,attention,decode,square,odd)\n"
    "  --limit N           only the first N GEMM shapes after filtering (and N conv shapes)\n"
    "  --runs N            timed runs per row (default 50; fewer is marked in env.csv)\n"
    "  --warmup N          warm-up runs per row (default 10)\n"
    "  --flush-mib N       L2 flush buffer written before every timed run (default 256)\n"
    "  --no-fp32-out       skip the fp32-output rows of the project's GEMM\n"
    "  --quick             smoke test: 1 in 8 shapes, 5 runs, 2 warm-ups (not for comparisons)\n"
    "  --device N          CUDA device (default 0)\n"
    "  --source-rev REV    the source revision, recorded in env.csv\n"
    "  --list              print the suites and their plans (device limits if a GPU is present)\n"
    "  --print-slug        print the GPU's folder name under validate/data/ and exit\n";

[[noreturn]] void usage_error(const std::string& msg) {
  std::cerr << "npusim-gpu-bench: " << msg << "\n" << kUsage;
  std::exit(2);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int parse_int(const std::string& flag, const std::string& v, int lo) {
  try {
    std::size_t used = 0;
    const int x = std::stoi(v, &used);
    if (used != v.size() || x < lo) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    usage_error(flag + " needs an integer >= " + std::to_string(lo) + ", got '" + v + "'");
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 0; i < argc; ++i) o.command_line += (i ? " " : "") + std::string(argv[i]);
  std::optional<int> runs, warmup;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--out") {
      o.out_dir = value();
    } else if (a == "--only") {
      o.parts.clear();
      o.only = true;
      for (const std::string& p : split_list(value())) {
        if (std::find(kParts.begin(), kParts.end(), p) == kParts.end()) usage_error("unknown part " + p);
        o.parts.insert(p);
      }
      if (o.parts.empty()) usage_error("--only needs at least one part");
    } else if (a == "--dtypes") {
      o.dtypes.clear();
      for (const std::string& t : split_list(value())) {
        const auto d = gb::parse_dtype(t);
        if (!d || *d == DType::fp32) usage_error("--dtypes: bf16 or fp16, got " + t);
        o.dtypes.push_back(*d);
      }
      if (o.dtypes.empty()) usage_error("--dtypes needs at least one type");
    } else if (a == "--filter") {
      o.filter = value();
    } else if (a == "--category") {
      for (const std::string& c : split_list(value())) {
        bool found = false;
        for (gb::Category k : gb::kCategories)
          if (gb::name(k) == c) o.categories.insert(k), found = true;
        if (!found) usage_error("unknown category " + c);
      }
    } else if (a == "--limit") {
      o.limit = parse_int(a, value(), 1);
    } else if (a == "--runs") {
      runs = parse_int(a, value(), 1);
    } else if (a == "--warmup") {
      warmup = parse_int(a, value(), 0);
    } else if (a == "--flush-mib") {
      o.flush_mib = static_cast<std::size_t>(parse_int(a, value(), 0));
    } else if (a == "--no-fp32-out") {
      o.fp32_out = false;
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--device") {
      o.device = parse_int(a, value(), 0);
    } else if (a == "--source-rev") {
      o.source_rev = value();
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--print-slug") {
      o.print_slug = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      usage_error("unknown argument " + a);
    }
  }
  if (o.quick) {
    o.runs = 5;
    o.warmup = 2;
  }
  if (runs) o.runs = *runs;
  if (warmup) o.warmup = *warmup;
  if (!o.list && !o.print_slug && o.out_dir.empty()) usage_error("--out DIR is required");
  return o;
}

bool reduced_method(const Options& o) { return o.runs < 50 || o.warmup < 10 || o.flush_mib < 256 || o.quick; }

std::vector<gb::GemmShape> selected_gemms(const Options& o) {
  std::vector<gb::GemmShape> out;
  int index = 0;
  for (const gb::GemmShape& g : gb::gemm_suite()) {
    if (!o.filter.empty() && g.name.find(o.filter) == std::string::npos) continue;
    if (!o.categories.empty() && !o.categories.count(g.category)) continue;
    if (o.quick && (index++ % 8) != 0) continue;
    out.push_back(g);
    if (o.limit && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

std::vector<gb::ConvShape> selected_convs(const Options& o) {
  std::vector<gb::ConvShape> out;
  int index = 0;
  for (const gb::ConvShape& c : gb::conv_suite()) {
    if (!o.filter.empty() && c.name.find(o.filter) == std::string::npos && c.layers.find(o.filter) == std::string::npos)
      continue;
    if (o.quick && (index++ % 4) != 0) continue;
    out.push_back(c);
    if (o.limit && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Device memory

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes) { resize(bytes); }
  ~DeviceBuffer() { reset(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void resize(std::size_t bytes) {
    if (bytes <= bytes_) return;
    reset();
    gb::cuda_check(cudaMalloc(&p_, bytes), "cudaMalloc(" + std::to_string(bytes >> 20) + " MiB)");
    bytes_ = bytes;
  }
  void reset() {
    if (p_) cudaFree(p_);
    p_ = nullptr;
    bytes_ = 0;
  }
  void* get() const { return p_; }
  std::size_t bytes() const { return bytes_; }
  template <class T>
  T* as() const {
    return static_cast<T*>(p_);
  }

 private:
  void* p_ = nullptr;
  std::size_t bytes_ = 0;
};

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

// ------------------------------------------------------------------------------------------------
// The run

struct Bench {
  Options opt;
  cudaStream_t stream = nullptr;
  cudaDeviceProp prop{};
  compiler::GpuLimits limits;
  std::unique_ptr<gb::Nvml> nvml;
  std::unique_ptr<gb::Timer> timer;
  std::unique_ptr<gk::CublasPeer> cublas;
  DeviceBuffer a, b, c, ref, ws, col, scratch;
  std::string cublas_status = "not created";
  int failures = 0;
  std::map<std::string, int> rows_written;
  std::string out_dir;

  gb::TimingOptions timing(bool flush = true) const { return {opt.warmup, opt.runs, flush && opt.flush_mib > 0}; }

  gb::ErrorStats* scratch_stats() const { return scratch.as<gb::ErrorStats>(); }

  void write(gb::CsvWriter& w, const gb::Row& r) {
    w.row(r.fields());
    ++rows_written[w.path()];
  }

  // a CUDA error that survives a device synchronisation poisons the context: stop
  void assert_device_usable(const std::string& where) {
    const cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
      std::cerr << "npusim-gpu-bench: the GPU context is unusable after " << where << ": " << cudaGetErrorString(e)
                << "\nrerun the remaining parts with --only/--filter\n";
      std::exit(3);
    }
    (void)cudaGetLastError();
  }
};

std::string median_clock(const std::vector<unsigned>& mhz) {
  if (mhz.empty()) return {};
  std::vector<double> v(mhz.begin(), mhz.end());
  return gb::fmt_double(gb::summarize(v).median, 5);
}

void set_timing(gb::Row& row, const gb::Timed& t, const gb::TimingOptions& o, double flops) {
  row.set("runs", gb::fmt_int(o.runs));
  row.set("warmup", gb::fmt_int(o.warmup));
  row.set("median_us", gb::fmt_double(t.stats.median));
  row.set("p25_us", gb::fmt_double(t.stats.p25));
  row.set("p75_us", gb::fmt_double(t.stats.p75));
  row.set("min_us", gb::fmt_double(t.stats.min));
  row.set("max_us", gb::fmt_double(t.stats.max));
  row.set("tflops", gb::fmt_double(flops / (t.stats.median * 1e-6) / 1e12, 5));
  row.set("sm_clock_mhz", median_clock(t.sm_clock_mhz));
  if (!t.sm_clock_mhz.empty())
    row.set("sm_clock_min_mhz", gb::fmt_int(*std::min_element(t.sm_clock_mhz.begin(), t.sm_clock_mhz.end())));
  row.set("clock_samples", gb::fmt_int(static_cast<std::int64_t>(t.sm_clock_mhz.size())));
}

void set_check(gb::Row& row, const gb::CheckResult& r) {
  row.set("verified", r.ok ? "1" : "0");
  row.set("max_rel_err", gb::fmt_double(r.max_rel_err, 4));
  row.set("norm_rel_err", gb::fmt_double(r.norm_rel_err, 4));
  row.set("max_rel_bound", gb::fmt_double(r.bound.max_rel, 4));
}

std::string launch_error(cudaError_t e, const std::string& why) {
  return why.empty() ? std::string(cudaGetErrorString(e)) : why;
}

// One family on one problem: poison, run once, compare, then (if right) time. Writes the row.
// `rows, cols, ld, batch, stride` describe the output for the comparison.
struct OutputView {
  DType type;
  long long rows, cols, ld, batch, stride;
  std::int64_t k;  // reduction length, for the bound
};

void verify_and_time(Bench& B, gb::CsvWriter& w, gb::Row& row, const gb::Launch& launch, const OutputView& out,
                     double flops, const std::string& label) {
  try {
    gb::cuda_check(gk::poison(out.type, B.c.get(), static_cast<std::size_t>(out.batch * out.stride > 0 ? out.batch * out.stride : out.rows * out.ld), B.stream),
                   "poison");
    std::string why;
    if (!launch(&why)) throw std::runtime_error("launch: " + why);
    gb::ErrorStats st;
    gb::cuda_check(gk::compare(out.type, B.c.get(), out.rows, out.cols, out.ld, out.batch, out.stride, B.ref.as<float>(),
                               B.scratch_stats(), &st, B.stream),
                   "compare");
    const gb::CheckResult r = gb::check_errors(st, out.type, out.k);
    set_check(row, r);
    if (!r.ok) {
      row.set("note", "verification failed: " + r.why);
      ++B.failures;
      std::cerr << "FAILED " << label << ": " << r.why << "\n";
      B.write(w, row);
      return;
    }
    const gb::TimingOptions o = B.timing();
    const gb::Timed t = B.timer->time(launch, o);
    set_timing(row, t, o, flops);
    B.write(w, row);
    std::printf("  %-58s %10.1f us  %7.1f TFLOP/s  err %.1e\n", label.c_str(), t.stats.median,
                flops / (t.stats.median * 1e-6) / 1e12, r.max_rel_err);
    std::fflush(stdout);
  } catch (const std::exception& e) {
    row.set("verified", "0");
    row.set("note", std::string("error: ") + e.what());
    ++B.failures;
    std::cerr << "ERROR " << label << ": " << e.what() << "\n";
    B.write(w, row);
    B.assert_device_usable(label);
  }
}

// ------------------------------------------------------------------------------------------------
// GEMM and cuBLAS parts

gk::GemmArgs gemm_args(const Bench& B, const gb::GemmShape& g) {
  gk::GemmArgs a;
  a.m = static_cast<int>(g.m);
  a.n = static_cast<int>(g.n);
  a.k = static_cast<int>(g.k);
  a.batch = static_cast<int>(g.batch);
  a.a = B.a.get();
  a.b = B.b.get();
  a.c = B.c.get();
  a.lda = g.k;
  a.ldb = g.n;
  a.ldc = g.n;
  a.stride_a = g.m * g.k;
  a.stride_b = g.k * g.n;
  a.stride_c = g.m * g.n;
  return a;
}

gb::Row gemm_row(const gb::GemmShape& g, const std::string& family, DType in, DType out) {
  gb::Row row(gb::gemm_columns());
  row.set("family", family)
      .set("dtype", std::string(gb::name(in)))
      .set("out_dtype", std::string(gb::name(out)))
      .set("category", std::string(gb::name(g.category)))
      .set("name", g.name)
      .set("m", gb::fmt_int(g.m))
      .set("n", gb::fmt_int(g.n))
      .set("k", gb::fmt_int(g.k))
      .set("batch", gb::fmt_int(g.batch));
  return row;
}

void set_resources(gb::Row& row, DType in, DType out, const compiler::Plan& plan, bool conv) {
  gk::KernelResources res;
  if (gk::kernel_resources(in, out, plan.cfg.id, conv, &res) == cudaSuccess) {
    row.set("occupancy_ctas_per_sm", gb::fmt_int(res.ctas_per_sm));
    row.set("regs_per_thread", gb::fmt_int(res.regs));
    std::string note;
    if (res.ctas_per_sm != plan.ctas_per_sm)
      note = "occupancy API gives " + std::to_string(res.ctas_per_sm) + " CTAs/SM, the plan " +
             std::to_string(plan.ctas_per_sm);
    if (res.local_bytes > 0) note += (note.empty() ? "" : "; ") + std::to_string(res.local_bytes) + " B local memory";
    if (!note.empty()) row.set("note", note);
  }
}

void run_gemm_parts(Bench& B) {
  const bool own = B.opt.parts.count("gemm") > 0, peers = B.opt.parts.count("cublas") > 0 && B.cublas;
  if (B.opt.parts.count("cublas") && !B.cublas) {
    std::cerr << "cuBLAS " << B.cublas_status << ": the cublas part is skipped\n";
    ++B.failures;
  }
  if (!own && !peers) return;
  const std::vector<gb::GemmShape> shapes = selected_gemms(B.opt);
  std::printf("GEMM suite: %zu shapes x %zu types (%s%s%s)\n", shapes.size(), B.opt.dtypes.size(),
              own ? "npusim" : "", own && peers ? ", " : "", peers ? "cuBLAS, cuBLASLt" : "");
  // buffers for the largest problem
  std::size_t amax = 0, bmax = 0, cmax = 0, ws = 0;
  for (const gb::GemmShape& g : shapes) {
    amax = std::max<std::size_t>(amax, static_cast<std::size_t>(g.batch * g.m * g.k * 2));
    bmax = std::max<std::size_t>(bmax, static_cast<std::size_t>(g.batch * g.k * g.n * 2));
    cmax = std::max<std::size_t>(cmax, static_cast<std::size_t>(g.batch * g.m * g.n * 4));
    for (DType t : B.opt.dtypes) ws = std::max(ws, gk::workspace_bytes(gb::plan_for(g, t, B.limits), g.m, g.n));
  }
  B.a.resize(amax);
  B.b.resize(bmax);
  B.c.resize(cmax);
  B.ref.resize(cmax);
  B.ws.resize(std::max<std::size_t>(ws, 16));

  std::unique_ptr<gb::CsvWriter> wg, wc;
  if (own) wg = std::make_unique<gb::CsvWriter>(B.out_dir + "/gemm.csv", gb::gemm_columns());
  if (peers) wc = std::make_unique<gb::CsvWriter>(B.out_dir + "/cublas.csv", gb::gemm_columns());

  for (const gb::GemmShape& g : shapes)
    for (DType in : B.opt.dtypes) {
      const gk::GemmArgs args = gemm_args(B, g);
      try {
        const std::uint64_t seed = fnv1a(g.name + "/" + std::string(gb::name(in)));
        gb::cuda_check(gk::fill_random(in, B.a.get(), static_cast<std::size_t>(g.batch * g.m * g.k), seed, -1.f, 1.f, B.stream), "fill A");
        gb::cuda_check(gk::fill_random(in, B.b.get(), static_cast<std::size_t>(g.batch * g.k * g.n), seed + 1, -1.f, 1.f, B.stream), "fill B");
        gb::cuda_check(gk::reference_gemm(in, args, B.ref.as<float>(), B.stream), "reference GEMM");
        gb::cuda_check(cudaStreamSynchronize(B.stream), "reference GEMM");
      } catch (const std::exception& e) {
        std::cerr << "ERROR " << g.name << ": " << e.what() << "\n";
        ++B.failures;
        B.assert_device_usable(g.name);
        continue;
      }
      const OutputView view{in, g.m, g.n, g.n, g.batch, g.m * g.n, g.k};
      if (own) {
        std::vector<DType> outs{in};
        if (B.opt.fp32_out && (g.category == gb::Category::square || g.category == gb::Category::odd))
          outs.push_back(DType::fp32);
        for (DType out : outs) {
          const compiler::Plan plan = gb::plan_for(g, in, B.limits);
          gb::Row row = gemm_row(g, g.batch > 1 ? "npusim_bmm" : "npusim_gemm", in, out);
          row.set_plan(plan);
          set_resources(row, in, out, plan, false);
          const gb::Launch launch = [&B, in, out, plan, args](std::string* why) {
            const cudaError_t e = gk::gemm(in, out, plan, args, B.ws.get(), B.ws.bytes(), B.stream, why);
            if (e != cudaSuccess && why->empty()) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          };
          OutputView v = view;
          v.type = out;
          verify_and_time(B, *wg, row, launch, v, g.flops(),
                          g.name + " npusim " + std::string(gb::name(in)) + "->" + std::string(gb::name(out)));
        }
      }
      if (peers) {
        {
          gb::Row row = gemm_row(g, "cublas", in, in);
          const gb::Launch launch = [&B, in, args](std::string* why) { return B.cublas->gemm(in, in, args, why); };
          verify_and_time(B, *wc, row, launch, view, g.flops(), g.name + " cublas " + std::string(gb::name(in)));
        }
        {
          gb::Row row = gemm_row(g, "cublaslt", in, in);
          std::string algo, why;
          if (!B.cublas->lt_select(in, in, args, &algo, &why)) {
            // not a failure of ours: cuBLASLt may offer no algorithm for a layout (odd leading
            // dimensions); the row says so and has no verification and no times
            row.set("note", "cuBLASLt: " + why);
            B.write(*wc, row);
            std::cerr << "no cuBLASLt row for " << g.name << ": " << why << "\n";
          } else {
            row.set("algo", algo);
            const gb::Launch launch = [&B, args](std::string* w) { return B.cublas->lt_run(args, w); };
            verify_and_time(B, *wc, row, launch, view, g.flops(), g.name + " cublaslt " + std::string(gb::name(in)));
          }
        }
      }
    }
}

// ------------------------------------------------------------------------------------------------
// Convolutions

gk::ConvArgs conv_args(const Bench& B, const gb::ConvShape& c) {
  gk::ConvArgs a;
  a.n = static_cast<int>(c.n);
  a.h = static_cast<int>(c.h);
  a.w = static_cast<int>(c.w);
  a.c = static_cast<int>(c.c);
  a.k = static_cast<int>(c.k);
  a.r = static_cast<int>(c.r);
  a.s = static_cast<int>(c.s);
  a.stride = static_cast<int>(c.stride);
  a.pad = static_cast<int>(c.pad);
  a.dilation = static_cast<int>(c.dilation);
  a.x = B.a.get();
  a.f = B.b.get();
  a.y = B.c.get();
  return a;
}

gb::Row conv_row(const gb::ConvShape& c, const std::string& family, DType in) {
  gb::Row row(gb::conv_columns());
  row.set("family", family)
      .set("dtype", std::string(gb::name(in)))
      .set("out_dtype", std::string(gb::name(in)))
      .set("name", c.name)
      .set("layers", c.layers)
      .set("count", gb::fmt_int(c.count))
      .set("n", gb::fmt_int(c.n))
      .set("h", gb::fmt_int(c.h))
      .set("w", gb::fmt_int(c.w))
      .set("c", gb::fmt_int(c.c))
      .set("k", gb::fmt_int(c.k))
      .set("r", gb::fmt_int(c.r))
      .set("s", gb::fmt_int(c.s))
      .set("stride", gb::fmt_int(c.stride))
      .set("pad", gb::fmt_int(c.pad))
      .set("dilation", gb::fmt_int(c.dilation))
      .set("p", gb::fmt_int(c.p()))
      .set("q", gb::fmt_int(c.q()))
      .set("gemm_m", gb::fmt_int(c.gemm_m()))
      .set("gemm_n", gb::fmt_int(c.gemm_n()))
      .set("gemm_k", gb::fmt_int(c.gemm_k()));
  return row;
}

void run_conv_part(Bench& B) {
  const std::vector<gb::ConvShape> shapes = selected_convs(B.opt);
  std::printf("conv suite: %zu shapes x %zu types (npusim implicit GEMM, cuBLAS on im2col)\n", shapes.size(),
              B.opt.dtypes.size());
  std::size_t xmax = 0, fmax = 0, ymax = 0, ws = 0, colmax = 0;
  for (const gb::ConvShape& c : shapes) {
    xmax = std::max<std::size_t>(xmax, static_cast<std::size_t>(c.n * c.h * c.w * c.c * 2));
    fmax = std::max<std::size_t>(fmax, static_cast<std::size_t>(c.r * c.s * c.c * c.k * 2));
    ymax = std::max<std::size_t>(ymax, static_cast<std::size_t>(c.gemm_m() * c.gemm_n() * 4));
    for (DType t : B.opt.dtypes) {
      ws = std::max(ws, gk::workspace_bytes(gb::plan_for(c, t, B.limits), c.gemm_m(), c.gemm_n()));
      colmax = std::max(colmax, gk::CublasPeer::col_bytes(t, conv_args(B, c)));
    }
  }
  B.a.resize(xmax);
  B.b.resize(fmax);
  B.c.resize(ymax);
  B.ref.resize(ymax);
  B.ws.resize(std::max<std::size_t>(ws, 16));
  B.col.resize(std::max<std::size_t>(colmax, 16));
  gb::CsvWriter w(B.out_dir + "/conv.csv", gb::conv_columns());

  for (const gb::ConvShape& c : shapes)
    for (DType in : B.opt.dtypes) {
      const gk::ConvArgs args = conv_args(B, c);
      const std::string tag = c.name + ".n" + std::to_string(c.n);
      try {
        const std::uint64_t seed = fnv1a(tag + "/" + std::string(gb::name(in)));
        gb::cuda_check(gk::fill_random(in, B.a.get(), static_cast<std::size_t>(c.n * c.h * c.w * c.c), seed, -1.f, 1.f, B.stream), "fill x");
        gb::cuda_check(gk::fill_random(in, B.b.get(), static_cast<std::size_t>(c.r * c.s * c.c * c.k), seed + 1, -1.f, 1.f, B.stream), "fill f");
        gb::cuda_check(gk::reference_conv(in, args, B.ref.as<float>(), B.stream), "reference conv");
        gb::cuda_check(cudaStreamSynchronize(B.stream), "reference conv");
      } catch (const std::exception& e) {
        std::cerr << "ERROR " << tag << ": " << e.what() << "\n";
        ++B.failures;
        B.assert_device_usable(tag);
        continue;
      }
      const OutputView view{in, c.gemm_m(), c.gemm_n(), c.gemm_n(), 1, 0, c.gemm_k()};
      {
        const compiler::Plan plan = gb::plan_for(c, in, B.limits);
        gb::Row row = conv_row(c, "npusim_conv", in);
        row.set_plan(plan);
        set_resources(row, in, in, plan, true);
        const gb::Launch launch = [&B, in, plan, args](std::string* why) {
          const cudaError_t e = gk::conv2d(in, in, plan, args, B.ws.get(), B.ws.bytes(), B.stream, why);
          if (e != cudaSuccess && why->empty()) *why = cudaGetErrorString(e);
          return e == cudaSuccess;
        };
        verify_and_time(B, w, row, launch, view, c.flops(), tag + " npusim_conv " + std::string(gb::name(in)));
      }
      if (B.cublas) {
        gb::Row row = conv_row(c, "cublas_im2col", in);
        row.set("algo", gk::CublasPeer::col_bytes(in, args) ? "im2col + cublasGemmEx" : "cublasGemmEx (1x1: no im2col)");
        const gb::Launch launch = [&B, in, args](std::string* why) { return B.cublas->conv2d(in, args, B.col.get(), why); };
        verify_and_time(B, w, row, launch, view, c.flops(), tag + " cublas_im2col " + std::string(gb::name(in)));
      }
    }
}

// ------------------------------------------------------------------------------------------------
// Microbenchmarks

void run_micro_part(Bench& B) {
  std::printf("microbenchmarks\n");
  gb::CsvWriter w(B.out_dir + "/micro.csv", gb::micro_columns());
  auto emit = [&](const std::string& name, const std::string& dtype, const std::string& metric, double value,
                  const std::string& unit, const gb::Timed* t, int runs, double bytes, double flops,
                  const std::string& note) {
    gb::Row row(gb::micro_columns());
    row.set("name", name).set("dtype", dtype).set("metric", metric).set("value", gb::fmt_double(value, 5));
    row.set("unit", unit).set("runs", gb::fmt_int(runs)).set("note", note);
    if (t) {
      row.set("median_us", gb::fmt_double(t->stats.median));
      row.set("p25_us", gb::fmt_double(t->stats.p25));
      row.set("p75_us", gb::fmt_double(t->stats.p75));
      row.set("sm_clock_mhz", median_clock(t->sm_clock_mhz));
    }
    if (bytes > 0) row.set("bytes", gb::fmt_double(bytes, 12));
    if (flops > 0) row.set("flops", gb::fmt_double(flops, 12));
    B.write(w, row);
    std::printf("  %-34s %-5s %12.4g %s\n", name.c_str(), dtype.c_str(), value, unit.c_str());
    std::fflush(stdout);
  };
  auto guarded = [&](const std::string& name, const std::function<void()>& f) {
    try {
      f();
    } catch (const std::exception& e) {
      ++B.failures;
      std::cerr << "ERROR micro " << name << ": " << e.what() << "\n";
      emit(name, "", "error", 0, "", nullptr, 0, 0, 0, e.what());
      B.assert_device_usable(name);
    }
  };
  const gb::TimingOptions no_flush = B.timing(false);

  // launch overhead
  guarded("launch_back_to_back", [&] {
    constexpr int kLaunches = 1000;
    const gb::Timed t = B.timer->time(
        [&](std::string* why) {
          for (int i = 0; i < kLaunches; ++i)
            if (const cudaError_t e = gk::launch_empty(B.stream); e != cudaSuccess) {
              *why = cudaGetErrorString(e);
              return false;
            }
          return true;
        },
        no_flush);
    emit("launch_back_to_back", "", "us_per_launch", t.stats.median / kLaunches, "us", &t, no_flush.runs, 0, 0,
         "1000 empty kernels between two events; median over runs / 1000");
  });
  guarded("launch_sync_roundtrip", [&] {
    std::vector<double> us;
    for (int i = 0; i < 20 + 1000; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      gb::cuda_check(gk::launch_empty(B.stream), "empty kernel");
      gb::cuda_check(cudaStreamSynchronize(B.stream), "sync");
      const auto t1 = std::chrono::steady_clock::now();
      if (i >= 20) us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    const gb::Summary s = gb::summarize(us);
    gb::Timed t;
    t.stats = s;
    emit("launch_sync_roundtrip", "", "us", s.median, "us", &t, 1000, 0, 0,
         "host clock around one empty launch + cudaStreamSynchronize; median of 1000 after 20 warm-ups");
  });

  // tensor-core peak of mma.sync
  for (DType t : B.opt.dtypes)
    guarded("mma_sync_peak", [&] {
      DeviceBuffer sink(static_cast<std::size_t>(B.prop.multiProcessorCount) * 8 * 256 * sizeof(float));
      const int blocks = B.prop.multiProcessorCount * 4, iters = 20000;
      const double flops = gk::mma_peak_flops(blocks, iters);
      const gb::Timed tm = B.timer->time(
          [&](std::string* why) {
            const cudaError_t e = gk::launch_mma_peak(t, sink.as<float>(), blocks, iters, B.stream);
            if (e != cudaSuccess) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          },
          no_flush);
      emit("mma_sync_peak", std::string(gb::name(t)), "tflops", flops / (tm.stats.median * 1e-6) / 1e12, "TFLOP/s", &tm,
           no_flush.runs, 0, flops,
           "mma.sync.m16n8k16 fp32-accumulate from registers, 8 independent chains x 8 warps x 4 CTAs per SM");
    });

  // cuBLAS on 8192^3 (with the L2 flush, as in the suite)
  if (B.cublas)
    for (DType t : B.opt.dtypes)
      guarded("cublas_gemm_8192", [&] {
        const int n = 8192;
        const std::size_t elems = static_cast<std::size_t>(n) * n;
        DeviceBuffer a(elems * 2), b(elems * 2), c(elems * 2);
        gb::cuda_check(gk::fill_random(t, a.get(), elems, 11, -1.f, 1.f, B.stream), "fill");
        gb::cuda_check(gk::fill_random(t, b.get(), elems, 12, -1.f, 1.f, B.stream), "fill");
        gk::GemmArgs g;
        g.m = g.n = g.k = n;
        g.a = a.get();
        g.b = b.get();
        g.c = c.get();
        g.lda = g.ldb = g.ldc = n;
        const gb::TimingOptions o = B.timing();
        const gb::Timed tm = B.timer->time([&](std::string* why) { return B.cublas->gemm(t, t, g, why); }, o);
        const double flops = 2.0 * n * static_cast<double>(n) * n;
        emit("cublas_gemm_8192", std::string(gb::name(t)), "tflops", flops / (tm.stats.median * 1e-6) / 1e12,
             "TFLOP/s", &tm, o.runs, 0, flops, "cublasGemmEx 8192^3, random inputs, L2 flushed before each run");
      });

  // memory bandwidth
  const std::size_t big = std::size_t{1} << 30;  // 1 GiB
  const int blocks = B.prop.multiProcessorCount * 4;
  guarded("hbm", [&] {
    DeviceBuffer src(big), dst(big);
    gb::cuda_check(gk::fill_random(DType::fp32, src.get(), big / 4, 5, -1.f, 1.f, B.stream), "fill");
    gb::cuda_check(cudaMemsetAsync(dst.get(), 0, big, B.stream), "memset");
    auto bw = [&](const std::string& name, const gb::Launch& l, double bytes, const std::string& note) {
      const gb::Timed tm = B.timer->time(l, no_flush);
      emit(name, "", "gbps", bytes / (tm.stats.median * 1e-6) / 1e9, "GB/s", &tm, no_flush.runs, bytes, 0, note);
    };
    auto ok = [](cudaError_t e, std::string* why) {
      if (e != cudaSuccess) *why = cudaGetErrorString(e);
      return e == cudaSuccess;
    };
    bw("hbm_copy_kernel", [&](std::string* why) { return ok(gk::launch_copy(src.get(), dst.get(), big, blocks, B.stream), why); },
       2.0 * big, "1 GiB -> 1 GiB, 16-byte accesses; bytes = read + written");
    bw("hbm_copy_memcpy", [&](std::string* why) { return ok(cudaMemcpyAsync(dst.get(), src.get(), big, cudaMemcpyDeviceToDevice, B.stream), why); },
       2.0 * big, "cudaMemcpyAsync device to device, 1 GiB; bytes = read + written");
    DeviceBuffer sink(static_cast<std::size_t>(blocks) * 512 * sizeof(float));
    bw("hbm_read", [&](std::string* why) { return ok(gk::launch_read(src.get(), big, 1, blocks, sink.as<float>(), B.stream), why); },
       1.0 * big, "1 GiB read once, 16-byte ld.global.cg");
    bw("hbm_write", [&](std::string* why) { return ok(gk::flush_l2(dst.get(), big, 7, B.stream), why); }, 1.0 * big,
       "1 GiB written, 16-byte stores (the L2 flush kernel)");
  });
  for (double fraction : {0.25, 0.5})
    guarded("l2_read", [&] {
      const std::size_t ws = static_cast<std::size_t>(B.prop.l2CacheSize * fraction) / 16 * 16;
      DeviceBuffer src(ws), sink(static_cast<std::size_t>(blocks) * 512 * sizeof(float));
      gb::cuda_check(gk::fill_random(DType::fp32, src.get(), ws / 4, 6, -1.f, 1.f, B.stream), "fill");
      const int repeats = static_cast<int>(std::max<std::size_t>(1, (std::size_t{4} << 30) / ws));
      const gb::Timed tm = B.timer->time(
          [&](std::string* why) {
            const cudaError_t e = gk::launch_read(src.get(), ws, repeats, blocks, sink.as<float>(), B.stream);
            if (e != cudaSuccess) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          },
          no_flush);
      const double bytes = static_cast<double>(ws) * repeats;
      emit(fraction < 0.3 ? "l2_read_quarter" : "l2_read_half", "", "gbps", bytes / (tm.stats.median * 1e-6) / 1e9,
           "GB/s", &tm, no_flush.runs, bytes,
           0, std::to_string(ws) + " B working set (" + gb::fmt_double(fraction, 2) + " of L2) read " +
                  std::to_string(repeats) + " times, ld.global.cg");
    });
  guarded("l2_flush", [&] {
    const gb::Timed tm = B.timer->time(
        [&](std::string*) {
          B.timer->flush();
          return true;
        },
        no_flush);
    const double bytes = static_cast<double>(B.timer->flush_bytes());
    emit("l2_flush", "", "us", tm.stats.median, "us", &tm, no_flush.runs, bytes, 0,
         "the flush enqueued before every timed run (" + std::to_string(B.timer->flush_bytes() >> 20) + " MiB written)");
  });
}

// ------------------------------------------------------------------------------------------------
// Self-test: the reference against float64 on the CPU, the GPU checker against the host's, every
// instantiated configuration with and without split-K, and planted faults that must be caught

struct HostCopy {
  std::vector<unsigned char> bytes;
  DType type;
  double at(std::size_t i) const { return gb::element_to_double(type, bytes.data(), i); }
  std::vector<double> all() const {
    std::vector<double> v(bytes.size() / static_cast<std::size_t>(gb::bytes(type)));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = at(i);
    return v;
  }
};

HostCopy to_host(const void* p, DType t, std::size_t n) {
  HostCopy h{std::vector<unsigned char>(n * static_cast<std::size_t>(gb::bytes(t))), t};
  gb::cuda_check(cudaMemcpy(h.bytes.data(), p, h.bytes.size(), cudaMemcpyDeviceToHost), "copy to host");
  return h;
}

void run_selftest(Bench& B) {
  std::printf("self-test\n");
  gb::CsvWriter w(B.out_dir + "/selftest.csv", gb::selftest_columns());
  int checks = 0, failed = 0;
  auto record = [&](const std::string& check, DType in, DType out, std::int64_t m, std::int64_t n, std::int64_t k,
                    std::int64_t batch, int cfg, int split, bool expect_pass, const gb::CheckResult& r,
                    const std::string& note) {
    const bool good = r.ok == expect_pass;
    ++checks;
    if (!good) {
      ++failed;
      ++B.failures;
      std::cerr << "SELFTEST FAILED " << check << " " << gb::name(in) << "->" << gb::name(out) << " " << m << "x" << n
                << "x" << k << "x" << batch << " cfg " << cfg << " split " << split << ": " << (r.why.empty() ? note : r.why)
                << "\n";
    }
    gb::Row row(gb::selftest_columns());
    row.set("check", check).set("dtype", std::string(gb::name(in))).set("out_dtype", std::string(gb::name(out)));
    row.set("m", gb::fmt_int(m)).set("n", gb::fmt_int(n)).set("k", gb::fmt_int(k)).set("batch", gb::fmt_int(batch));
    row.set("config_id", cfg >= 0 ? gb::fmt_int(cfg) : "").set("split_k", split > 0 ? gb::fmt_int(split) : "");
    row.set("expect", expect_pass ? "pass" : "fail").set("ok", good ? "1" : "0");
    row.set("max_rel_err", gb::fmt_double(r.max_rel_err, 4)).set("norm_rel_err", gb::fmt_double(r.norm_rel_err, 4));
    row.set("max_rel_bound", gb::fmt_double(r.bound.max_rel, 4));
    row.set("note", r.why.empty() ? note : r.why + (note.empty() ? "" : "; " + note));
    B.write(w, row);
  };

  struct Case {
    std::int64_t m, n, k, batch;
  };
  const std::vector<Case> cases{{1, 1, 1, 1},      {7, 13, 5, 1},       {64, 64, 64, 1},  {129, 257, 1021, 1},
                                {256, 384, 512, 1}, {100, 72, 64, 3},   {33, 1000, 2048, 1}, {300, 136, 1000, 2}};
  std::size_t amax = 0, bmax = 0, cmax = 0;
  for (const Case& c : cases) {
    amax = std::max<std::size_t>(amax, static_cast<std::size_t>(c.batch * c.m * c.k * 2));
    bmax = std::max<std::size_t>(bmax, static_cast<std::size_t>(c.batch * c.k * c.n * 2));
    cmax = std::max<std::size_t>(cmax, static_cast<std::size_t>(c.batch * c.m * c.n * 4));
  }
  B.a.resize(amax);
  B.b.resize(bmax);
  B.c.resize(cmax);
  B.ref.resize(cmax);
  B.ws.resize(cmax * 8);

  for (DType in : B.opt.dtypes)
    for (const Case& cs : cases) {
      gb::GemmShape g{"selftest", gb::Category::odd, cs.m, cs.n, cs.k, cs.batch};
      const gk::GemmArgs args = gemm_args(B, g);
      const std::size_t na = static_cast<std::size_t>(cs.batch * cs.m * cs.k), nb = static_cast<std::size_t>(cs.batch * cs.k * cs.n),
                        nc = static_cast<std::size_t>(cs.batch * cs.m * cs.n);
      gb::cuda_check(gk::fill_random(in, B.a.get(), na, 100 + static_cast<std::uint64_t>(cs.k), -1.f, 1.f, B.stream), "fill");
      gb::cuda_check(gk::fill_random(in, B.b.get(), nb, 200 + static_cast<std::uint64_t>(cs.n), -1.f, 1.f, B.stream), "fill");
      gb::cuda_check(gk::reference_gemm(in, args, B.ref.as<float>(), B.stream), "reference");
      gb::cuda_check(cudaStreamSynchronize(B.stream), "reference");
      const std::vector<double> ha = to_host(B.a.get(), in, na).all(), hb = to_host(B.b.get(), in, nb).all();
      const HostCopy href = to_host(B.ref.get(), DType::fp32, nc);
      // float64 on the CPU
      std::vector<double> cpu(nc), gpu_ref(nc);
      for (std::int64_t z = 0; z < cs.batch; ++z)
        for (std::int64_t i = 0; i < cs.m; ++i) {
          const double* arow = ha.data() + z * cs.m * cs.k + i * cs.k;
          double* crow = cpu.data() + z * cs.m * cs.n + i * cs.n;
          for (std::int64_t kk = 0; kk < cs.k; ++kk) {
            const double av = arow[kk];
            const double* brow = hb.data() + z * cs.k * cs.n + kk * cs.n;
            for (std::int64_t j = 0; j < cs.n; ++j) crow[j] += av * brow[j];
          }
        }
      for (std::size_t i = 0; i < nc; ++i) gpu_ref[i] = href.at(i);
      record("reference_vs_cpu_fp64", in, DType::fp32, cs.m, cs.n, cs.k, cs.batch, -1, 0, true,
             gb::check_errors(gb::error_stats(gpu_ref, cpu), DType::fp32, cs.k), "");

      for (DType out : {in, DType::fp32})
        for (int id : gk::kInstantiatedConfigIds)
          for (int split : {1, 3}) {
            const compiler::Plan plan = compiler::make_plan(cs.m, cs.n, cs.k, compiler::kGemmConfigs[static_cast<std::size_t>(id)], split,
                                                  gb::bytes(in), B.limits, cs.batch);
            gb::cuda_check(gk::poison(out, B.c.get(), nc, B.stream), "poison");
            std::string why;
            const cudaError_t e = gk::gemm(in, out, plan, args, B.ws.get(), B.ws.bytes(), B.stream, &why);
            gb::CheckResult r;
            if (e != cudaSuccess) {
              r.why = "launch: " + launch_error(e, why);
              record("kernel", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, r, "");
              B.assert_device_usable("self-test kernel");
              continue;
            }
            gb::ErrorStats st;
            gb::cuda_check(gk::compare(out, B.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B.ref.as<float>(),
                                       B.scratch_stats(), &st, B.stream),
                           "compare");
            record("kernel", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, gb::check_errors(st, out, cs.k), "");
            // the same output against float64 on the CPU, and the GPU checker against the host's
            const HostCopy hc = to_host(B.c.get(), out, nc);
            std::vector<double> y(nc);
            for (std::size_t i = 0; i < nc; ++i) y[i] = hc.at(i);
            record("kernel_vs_cpu_fp64", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true,
                   gb::check_errors(gb::error_stats(y, cpu), out, cs.k), "");
            const gb::ErrorStats host = gb::error_stats(y, gpu_ref);
            gb::CheckResult agree;
            agree.ok = host.nonfinite == st.nonfinite && host.count == st.count &&
                       std::abs(host.max_rel_err - st.max_rel_err) <= 1e-6 + 1e-3 * host.max_rel_err &&
                       std::abs(host.sum_sq_err - st.sum_sq_err) <= 1e-9 + 1e-3 * host.sum_sq_err;
            agree.max_rel_err = st.max_rel_err;
            if (!agree.ok)
              agree.why = "GPU checker max_rel " + gb::fmt_double(st.max_rel_err) + " vs host " +
                          gb::fmt_double(host.max_rel_err);
            record("checker_gpu_vs_host", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, agree, "");
          }

      // planted faults, which the checker must catch
      if (cs.m * cs.n >= 64 && cs.k >= 256) {
        const compiler::Plan plan = gb::plan_for(g, in, B.limits);
        gb::ErrorStats st;
        // 1: an output nobody wrote
        gb::cuda_check(gk::poison(in, B.c.get(), nc, B.stream), "poison");
        gb::cuda_check(gk::compare(in, B.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B.ref.as<float>(), B.scratch_stats(), &st, B.stream), "compare");
        record("planted_unwritten_output", in, in, cs.m, cs.n, cs.k, cs.batch, plan.cfg.id, plan.split_k, false,
               gb::check_errors(st, in, cs.k), "");
        // 2: one wrong element (the right run, then one element replaced by 1.5 x its value + 1)
        std::string why;
        gb::cuda_check(gk::gemm(in, in, plan, args, B.ws.get(), B.ws.bytes(), B.stream, &why), "gemm " + why);
        gb::cuda_check(cudaStreamSynchronize(B.stream), "gemm");
        {
          // (fill_random over one element with lo = hi writes exactly that value)
          const std::size_t idx = nc / 2;
          const float bad = static_cast<float>(1.5 * gpu_ref[idx] + 1.0);
          gb::cuda_check(gk::fill_random(in, static_cast<unsigned char*>(B.c.get()) + idx * static_cast<std::size_t>(gb::bytes(in)),
                                         1, 1, bad, bad, B.stream),
                         "plant");
        }
        gb::cuda_check(gk::compare(in, B.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B.ref.as<float>(), B.scratch_stats(), &st, B.stream), "compare");
        record("planted_wrong_element", in, in, cs.m, cs.n, cs.k, cs.batch, plan.cfg.id, plan.split_k, false,
               gb::check_errors(st, in, cs.k), "");
        // 3: the last k-tile dropped (the same kernel run with k - BK)
        gk::GemmArgs short_k = args;
        short_k.k = static_cast<int>(cs.k - plan.cfg.bk);
        const compiler::Plan plan_short = compiler::choose_plan(cs.m, cs.n, short_k.k, gb::bytes(in), B.limits, cs.batch);
        gb::cuda_check(gk::poison(in, B.c.get(), nc, B.stream), "poison");
        gb::cuda_check(gk::gemm(in, in, plan_short, short_k, B.ws.get(), B.ws.bytes(), B.stream, &why), "gemm " + why);
        gb::cuda_check(gk::compare(in, B.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B.ref.as<float>(), B.scratch_stats(), &st, B.stream), "compare");
        record("planted_short_k", in, in, cs.m, cs.n, cs.k, cs.batch, plan_short.cfg.id, plan_short.split_k, false,
               gb::check_errors(st, in, cs.k), "k - BK");
      }
    }

  // convolutions: the reference against float64, every configuration, the cuBLAS peer
  struct ConvCase {
    int n, h, w, c, k, r, s, stride, pad, dil;
  };
  const std::vector<ConvCase> convs{{2, 15, 17, 3, 16, 7, 7, 2, 3, 1},
                                    {1, 14, 14, 64, 72, 3, 3, 1, 1, 1},
                                    {2, 9, 9, 32, 40, 1, 1, 2, 0, 1},
                                    {1, 12, 12, 16, 24, 3, 3, 1, 2, 2},
                                    {3, 8, 8, 24, 64, 1, 1, 1, 0, 1}};
  for (DType in : B.opt.dtypes)
    for (const ConvCase& cc : convs) {
      gb::ConvShape shape;
      shape.n = cc.n, shape.h = cc.h, shape.w = cc.w, shape.c = cc.c, shape.k = cc.k, shape.r = cc.r, shape.s = cc.s;
      shape.stride = cc.stride, shape.pad = cc.pad, shape.dilation = cc.dil;
      const std::size_t nx = static_cast<std::size_t>(cc.n) * cc.h * cc.w * cc.c,
                        nf = static_cast<std::size_t>(cc.r) * cc.s * cc.c * cc.k,
                        ny = static_cast<std::size_t>(shape.gemm_m() * shape.gemm_n());
      B.a.resize(nx * 2);
      B.b.resize(nf * 2);
      B.c.resize(ny * 4);
      B.ref.resize(ny * 4);
      B.col.resize(static_cast<std::size_t>(shape.gemm_m() * shape.gemm_k()) * 2);
      const gk::ConvArgs args = conv_args(B, shape);
      gb::cuda_check(gk::fill_random(in, B.a.get(), nx, 300 + static_cast<std::uint64_t>(cc.c), -1.f, 1.f, B.stream), "fill");
      gb::cuda_check(gk::fill_random(in, B.b.get(), nf, 400 + static_cast<std::uint64_t>(cc.k), -1.f, 1.f, B.stream), "fill");
      gb::cuda_check(gk::reference_conv(in, args, B.ref.as<float>(), B.stream), "reference conv");
      gb::cuda_check(cudaStreamSynchronize(B.stream), "reference conv");
      const std::vector<double> hx = to_host(B.a.get(), in, nx).all(), hf = to_host(B.b.get(), in, nf).all();
      const HostCopy href = to_host(B.ref.get(), DType::fp32, ny);
      std::vector<double> cpu(ny), gpu_ref(ny);
      const int P = static_cast<int>(shape.p()), Q = static_cast<int>(shape.q());
      for (int nb = 0; nb < cc.n; ++nb)
        for (int op = 0; op < P; ++op)
          for (int oq = 0; oq < Q; ++oq)
            for (int kf = 0; kf < cc.k; ++kf) {
              double s = 0;
              for (int r = 0; r < cc.r; ++r)
                for (int sx = 0; sx < cc.s; ++sx) {
                  const int ih = op * cc.stride - cc.pad + r * cc.dil, iw = oq * cc.stride - cc.pad + sx * cc.dil;
                  if (ih < 0 || ih >= cc.h || iw < 0 || iw >= cc.w) continue;
                  for (int ci = 0; ci < cc.c; ++ci)
                    s += hx[static_cast<std::size_t>(((nb * cc.h + ih) * cc.w + iw) * cc.c + ci)] *
                         hf[static_cast<std::size_t>(((r * cc.s + sx) * cc.c + ci) * cc.k + kf)];
                }
              cpu[static_cast<std::size_t>(((nb * P + op) * Q + oq) * cc.k + kf)] = s;
            }
      for (std::size_t i = 0; i < ny; ++i) gpu_ref[i] = href.at(i);
      const std::int64_t kdim = shape.gemm_k();
      record("conv_reference_vs_cpu_fp64", in, DType::fp32, shape.gemm_m(), shape.gemm_n(), kdim, 1, -1, 0, true,
             gb::check_errors(gb::error_stats(gpu_ref, cpu), DType::fp32, kdim), "");
      B.ws.resize(static_cast<std::size_t>(ny) * 4 * 4);
      for (int id : gk::kInstantiatedConfigIds)
        for (int split : {1, 2}) {
          const compiler::Plan plan = compiler::make_plan(shape.gemm_m(), shape.gemm_n(), kdim,
                                                compiler::kGemmConfigs[static_cast<std::size_t>(id)], split, gb::bytes(in), B.limits);
          gb::cuda_check(gk::poison(in, B.c.get(), ny, B.stream), "poison");
          std::string why;
          const cudaError_t e = gk::conv2d(in, in, plan, args, B.ws.get(), B.ws.bytes(), B.stream, &why);
          gb::CheckResult r;
          if (e != cudaSuccess) {
            r.why = "launch: " + launch_error(e, why);
            record("conv_kernel", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, id, split, true, r, "");
            B.assert_device_usable("self-test conv");
            continue;
          }
          gb::ErrorStats st;
          gb::cuda_check(gk::compare(in, B.c.get(), shape.gemm_m(), shape.gemm_n(), shape.gemm_n(), 1, 0, B.ref.as<float>(),
                                     B.scratch_stats(), &st, B.stream),
                         "compare");
          record("conv_kernel", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, id, split, true,
                 gb::check_errors(st, in, kdim), "");
        }
      if (B.cublas) {
        gb::cuda_check(gk::poison(in, B.c.get(), ny, B.stream), "poison");
        std::string why;
        gb::CheckResult r;
        if (!B.cublas->conv2d(in, args, B.col.get(), &why)) {
          r.why = why;
        } else {
          gb::ErrorStats st;
          gb::cuda_check(gk::compare(in, B.c.get(), shape.gemm_m(), shape.gemm_n(), shape.gemm_n(), 1, 0, B.ref.as<float>(),
                                     B.scratch_stats(), &st, B.stream),
                         "compare");
          r = gb::check_errors(st, in, kdim);
        }
        record("conv_cublas_im2col", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, -1, 0, true, r, "");
      }
    }
  std::printf("  %d checks, %d failed\n", checks, failed);
}

// ------------------------------------------------------------------------------------------------
// Environment

void write_env(Bench& B, const std::string& file, const std::map<std::string, std::string>& extra) {
  gb::CsvWriter w(file, gb::env_columns());
  auto kv = [&](const std::string& k, const std::string& v) { w.row({k, v}); };
  const cudaDeviceProp& p = B.prop;
  kv("source_rev", B.opt.source_rev);
  kv("command_line", B.opt.command_line);
  kv("parts", [&] {
    std::string s;
    for (const std::string& x : kParts)
      if (B.opt.parts.count(x)) s += (s.empty() ? "" : ",") + x;
    return s;
  }());
  std::string dts;
  for (DType t : B.opt.dtypes) dts += (dts.empty() ? "" : ",") + std::string(gb::name(t));
  kv("dtypes", dts);
  kv("method", reduced_method(B.opt) ? "reduced (fewer runs/warm-ups, smaller flush or --quick): not for comparisons"
                                     : "full");
  kv("runs", gb::fmt_int(B.opt.runs));
  kv("warmup", gb::fmt_int(B.opt.warmup));
  kv("l2_flush_bytes", gb::fmt_int(static_cast<std::int64_t>(B.timer->flush_bytes())));
  kv("timer", "cudaEventElapsedTime around each launch; runs enqueued back to back, L2 flush before each");
  kv("gpu_name", p.name);
  kv("gpu_slug", gb::gpu_slug(p.name));
  char bus[32] = {};
  cudaDeviceGetPCIBusId(bus, sizeof bus, B.opt.device);
  kv("pci_bus_id", bus);
  kv("compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor));
  kv("sm_count", gb::fmt_int(p.multiProcessorCount));
  kv("l2_bytes", gb::fmt_int(p.l2CacheSize));
  kv("global_memory_bytes", gb::fmt_int(static_cast<std::int64_t>(p.totalGlobalMem)));
  kv("smem_per_sm_bytes", gb::fmt_int(static_cast<std::int64_t>(p.sharedMemPerMultiprocessor)));
  kv("smem_per_block_optin_bytes", gb::fmt_int(static_cast<std::int64_t>(p.sharedMemPerBlockOptin)));
  kv("regs_per_sm", gb::fmt_int(p.regsPerMultiprocessor));
  kv("max_threads_per_sm", gb::fmt_int(p.maxThreadsPerMultiProcessor));
  kv("max_blocks_per_sm", gb::fmt_int(p.maxBlocksPerMultiProcessor));
  int attr = 0;
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrClockRate, B.opt.device) == cudaSuccess)
    kv("attr_sm_clock_max_khz", gb::fmt_int(attr));
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrMemoryClockRate, B.opt.device) == cudaSuccess)
    kv("attr_memory_clock_khz", gb::fmt_int(attr));
  if (cudaDeviceGetAttribute(&attr, cudaDevAttrGlobalMemoryBusWidth, B.opt.device) == cudaSuccess)
    kv("attr_memory_bus_width_bits", gb::fmt_int(attr));
  // the limits every plan of this run was chosen under (compiler::choose_plan)
  kv("plan_sms", gb::fmt_int(B.limits.sms));
  kv("plan_smem_per_sm", gb::fmt_int(B.limits.smem_per_sm));
  kv("plan_smem_per_block", gb::fmt_int(B.limits.smem_per_block));
  kv("plan_max_threads_per_sm", gb::fmt_int(B.limits.max_threads_per_sm));
  kv("plan_max_ctas_per_sm", gb::fmt_int(B.limits.max_ctas_per_sm));
  kv("plan_regs_per_sm", gb::fmt_int(B.limits.regs_per_sm));
  kv("plan_regs_per_thread_default", gb::fmt_int(B.limits.regs_per_thread));
  kv("plan_macs_per_l2_byte", gb::fmt_int(B.limits.macs_per_l2_byte));
  int v = 0;
  cudaDriverGetVersion(&v);
  kv("cuda_driver_api_version", gb::fmt_int(v));
  cudaRuntimeGetVersion(&v);
  kv("cuda_runtime_version", gb::fmt_int(v));
#ifdef NPUSIM_CUDA_TOOLKIT_VERSION
  kv("cuda_toolkit_version", NPUSIM_CUDA_TOOLKIT_VERSION);
#endif
#ifdef __VERSION__
  kv("host_compiler", __VERSION__);
#endif
  kv("cublas", B.cublas_status);
  if (B.cublas) {
    const gk::CublasVersions cv = B.cublas->versions();
    kv("cublas_version", gb::fmt_int(cv.cublas));
    kv("cublaslt_version", gb::fmt_int(static_cast<std::int64_t>(cv.cublaslt)));
  }
  const gb::Nvml& n = *B.nvml;
  kv("nvml", n.status());
  kv("sm_clock_source", n.ok() ? "nvml: nvmlDeviceGetClockInfo(SM) sampled every ~1 ms during each row's timed runs"
                               : "none under load: NVML unavailable; attr_sm_clock_max_khz is the maximum clock only");
  if (n.ok()) {
    kv("driver_version", n.driver_version());
    kv("nvml_name", n.name());
    if (auto x = n.max_sm_clock_mhz()) kv("nvml_max_sm_clock_mhz", gb::fmt_int(*x));
    if (auto x = n.max_mem_clock_mhz()) kv("nvml_max_mem_clock_mhz", gb::fmt_int(*x));
    if (auto x = n.mem_clock_mhz()) kv("nvml_mem_clock_mhz", gb::fmt_int(*x));
    if (auto x = n.memory_bus_width()) kv("nvml_memory_bus_width_bits", gb::fmt_int(*x));
    if (auto x = n.power_limit_mw()) kv("nvml_power_limit_mw", gb::fmt_int(*x));
    if (auto x = n.temperature_c()) kv("nvml_temperature_c_at_write", gb::fmt_int(*x));
    if (auto x = n.clock_event_reasons()) kv("nvml_clock_event_reasons_at_write", gb::fmt_int(static_cast<std::int64_t>(*x)));
  }
  for (const auto& [k, val] : extra) kv(k, val);
}

compiler::GpuLimits device_limits(const cudaDeviceProp& p) {
  compiler::GpuLimits g;
  g.sms = p.multiProcessorCount;
  g.smem_per_sm = static_cast<std::int64_t>(p.sharedMemPerMultiprocessor);
  g.smem_per_block = static_cast<std::int64_t>(p.sharedMemPerBlockOptin);
  g.max_threads_per_sm = p.maxThreadsPerMultiProcessor;
  g.max_ctas_per_sm = p.maxBlocksPerMultiProcessor;
  g.regs_per_sm = p.regsPerMultiprocessor;
  return g;
}

void list_suites(const Options& o, const compiler::GpuLimits& limits, const std::string& source) {
  std::printf("plans under %s limits: %d SMs, %lld B smem/SM\n", source.c_str(), limits.sms,
              static_cast<long long>(limits.smem_per_sm));
  double flops = 0;
  const auto shapes = selected_gemms(o);
  for (const gb::GemmShape& g : shapes) {
    const compiler::Plan p = gb::plan_for(g, DType::bf16, limits);
    flops += g.flops();
    std::printf("%-11s %-40s %6lld %6lld %6lld x%-4lld cfg %d split %d ctas %lld waves %lld\n",
                std::string(gb::name(g.category)).c_str(), g.name.c_str(), static_cast<long long>(g.m),
                static_cast<long long>(g.n), static_cast<long long>(g.k), static_cast<long long>(g.batch), p.cfg.id,
                p.split_k, static_cast<long long>(p.ctas), static_cast<long long>(p.waves));
  }
  std::printf("%zu GEMM shapes, %.1f TFLOP per type and family\n", shapes.size(), flops / 1e12);
  for (const gb::ConvShape& c : selected_convs(o)) {
    const compiler::Plan p = gb::plan_for(c, DType::bf16, limits);
    std::printf("conv %-22s n%-3lld %3lldx%-3lld c%-4lld k%-4lld %lldx%lld s%lld  gemm %lld x %lld x %lld cfg %d split %d\n",
                c.name.c_str(), static_cast<long long>(c.n), static_cast<long long>(c.h), static_cast<long long>(c.w),
                static_cast<long long>(c.c), static_cast<long long>(c.k), static_cast<long long>(c.r),
                static_cast<long long>(c.s), static_cast<long long>(c.stride), static_cast<long long>(c.gemm_m()),
                static_cast<long long>(c.gemm_n()), static_cast<long long>(c.gemm_k()), p.cfg.id, p.split_k);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Bench B;
  B.opt = parse_args(argc, argv);
  int devices = 0;
  const bool have_gpu = cudaGetDeviceCount(&devices) == cudaSuccess && devices > B.opt.device;
  if (B.opt.list) {
    if (have_gpu && cudaGetDeviceProperties(&B.prop, B.opt.device) == cudaSuccess)
      list_suites(B.opt, device_limits(B.prop), B.prop.name);
    else
      list_suites(B.opt, compiler::GpuLimits{}, "default (H100)");
    return 0;
  }
  if (!have_gpu) {
    std::cerr << "npusim-gpu-bench: no CUDA device " << B.opt.device << " (found " << devices << ")\n";
    return 3;
  }
  if (B.opt.print_slug) {
    if (cudaGetDeviceProperties(&B.prop, B.opt.device) != cudaSuccess) return 3;
    std::cout << gb::gpu_slug(B.prop.name) << "\n";
    return 0;
  }
  try {
    gb::cuda_check(cudaSetDevice(B.opt.device), "cudaSetDevice");
    gb::cuda_check(cudaGetDeviceProperties(&B.prop, B.opt.device), "cudaGetDeviceProperties");
    if (B.prop.major != 9) {
      std::cerr << "npusim-gpu-bench: the kernels are built for sm_90 (Hopper); this is " << B.prop.name << " (sm_"
                << B.prop.major << B.prop.minor << ")\n";
      return 3;
    }
    B.limits = device_limits(B.prop);
    gb::cuda_check(cudaStreamCreateWithFlags(&B.stream, cudaStreamNonBlocking), "cudaStreamCreate");
    char bus[32] = {};
    cudaDeviceGetPCIBusId(bus, sizeof bus, B.opt.device);
    B.nvml = std::make_unique<gb::Nvml>(bus, B.opt.device);
    B.timer = std::make_unique<gb::Timer>(B.stream, B.opt.flush_mib << 20, B.nvml.get());
    try {
      B.cublas = std::make_unique<gk::CublasPeer>(B.stream);
      B.cublas_status = "ok";
    } catch (const std::exception& e) {
      B.cublas_status = std::string("unavailable: ") + e.what();
      std::cerr << "npusim-gpu-bench: cuBLAS " << B.cublas_status << " (no cuBLAS rows)\n";
    }
    B.scratch.resize(sizeof(gb::ErrorStats));
    gb::cuda_check(gk::prepare_kernels(), "prepare_kernels");
    B.out_dir = B.opt.out_dir;
    std::filesystem::create_directories(B.out_dir);
  } catch (const std::exception& e) {
    std::cerr << "npusim-gpu-bench: " << e.what() << "\n";
    return 3;
  }
  std::printf("npusim-gpu-bench on %s (%d SMs), writing %s%s\n", B.prop.name, B.prop.multiProcessorCount,
              B.out_dir.c_str(), reduced_method(B.opt) ? "  [reduced method: not for comparisons]" : "");
  std::string env_file = B.out_dir + "/env.csv";
  if (B.opt.only) {
    std::string parts;
    for (const std::string& x : kParts)
      if (B.opt.parts.count(x)) parts += (parts.empty() ? "" : "-") + x;
    env_file = B.out_dir + "/env-" + parts + ".csv";
  }
  const std::string started = gb::utc_timestamp();
  const std::string smi_start = gb::nvidia_smi_query();
  std::map<std::string, std::string> extra{{"timestamp_start", started}, {"status", "running"}};
  if (!smi_start.empty()) extra["nvidia_smi_start"] = smi_start;
  write_env(B, env_file, extra);

  const auto t0 = std::chrono::steady_clock::now();
  auto part = [&](const std::string& name, void (*fn)(Bench&)) {
    if (!B.opt.parts.count(name)) return;
    const auto p0 = std::chrono::steady_clock::now();
    try {
      fn(B);
    } catch (const std::exception& e) {
      ++B.failures;
      std::cerr << "ERROR in part " << name << ": " << e.what() << "\n";
      B.assert_device_usable(name);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
    extra["seconds_" + name] = gb::fmt_double(s, 4);
    std::printf("part %s: %.1f s\n", name.c_str(), s);
  };
  part("selftest", run_selftest);
  part("gemm", run_gemm_parts);  // with the cuBLAS rows too when both parts are asked for
  if (!B.opt.parts.count("gemm")) part("cublas", run_gemm_parts);
  part("conv", run_conv_part);
  part("micro", run_micro_part);

  extra["timestamp_end"] = gb::utc_timestamp();
  extra["seconds_total"] = gb::fmt_double(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 4);
  extra["failures"] = gb::fmt_int(B.failures);
  extra["status"] = B.failures ? "finished with failures" : "finished";
  if (const std::string smi_end = gb::nvidia_smi_query(); !smi_end.empty()) extra["nvidia_smi_end"] = smi_end;
  for (const auto& [f, n] : B.rows_written)
    extra["rows_" + std::filesystem::path(f).filename().string()] = gb::fmt_int(n);
  write_env(B, env_file, extra);
  std::printf("done: %d failures; files in %s\n", B.failures, B.out_dir.c_str());
  return B.failures ? 1 : 0;
}
