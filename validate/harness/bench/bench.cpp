#include "validate/harness/bench/bench.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "validate/harness/stats.h"
#include "validate/kernels/reference.cuh"

namespace npusim::validate::harness {

std::string median_clock(const std::vector<unsigned>& mhz) {
  if (mhz.empty()) return {};
  std::vector<double> v(mhz.begin(), mhz.end());
  return harness::fmt_double(harness::summarize(v).median, 5);
}

void set_timing(harness::Row& row, const harness::Timed& t, const harness::TimingOptions& o, double flops) {
  row.set("runs", harness::fmt_int(o.runs));
  row.set("warmup", harness::fmt_int(o.warmup));
  row.set("median_us", harness::fmt_double(t.stats.median));
  row.set("p25_us", harness::fmt_double(t.stats.p25));
  row.set("p75_us", harness::fmt_double(t.stats.p75));
  row.set("min_us", harness::fmt_double(t.stats.min));
  row.set("max_us", harness::fmt_double(t.stats.max));
  row.set("tflops", harness::fmt_double(flops / (t.stats.median * 1e-6) / 1e12, 5));
  row.set("sm_clock_mhz", median_clock(t.sm_clock_mhz));
  if (!t.sm_clock_mhz.empty())
    row.set("sm_clock_min_mhz", harness::fmt_int(*std::min_element(t.sm_clock_mhz.begin(), t.sm_clock_mhz.end())));
  row.set("clock_samples", harness::fmt_int(static_cast<std::int64_t>(t.sm_clock_mhz.size())));
}

void set_check(harness::Row& row, const harness::CheckResult& r) {
  row.set("verified", r.ok ? "1" : "0");
  row.set("max_rel_err", harness::fmt_double(r.max_rel_err, 4));
  row.set("norm_rel_err", harness::fmt_double(r.norm_rel_err, 4));
  row.set("max_rel_bound", harness::fmt_double(r.bound.max_rel, 4));
}

std::string launch_error(cudaError_t e, const std::string& why) {
  return why.empty() ? std::string(cudaGetErrorString(e)) : why;
}

void verify_and_time(Bench& B, harness::CsvWriter& w, harness::Row& row, const harness::Launch& launch, const OutputView& out,
                     double flops, const std::string& label) {
  try {
    harness::cuda_check(kernels::poison(out.type, B.c.get(), static_cast<std::size_t>(out.batch * out.stride > 0 ? out.batch * out.stride : out.rows * out.ld), B.stream),
                   "poison");
    std::string why;
    if (!launch(&why)) throw std::runtime_error("launch: " + why);
    harness::ErrorStats st;
    harness::cuda_check(kernels::compare(out.type, B.c.get(), out.rows, out.cols, out.ld, out.batch, out.stride, B.ref.as<float>(),
                               B.scratch_stats(), &st, B.stream),
                   "compare");
    const harness::CheckResult r = harness::check_errors(st, out.type, out.k);
    set_check(row, r);
    if (!r.ok) {
      row.set("note", "verification failed: " + r.why);
      ++B.failures;
      std::cerr << "FAILED " << label << ": " << r.why << "\n";
      B.write(w, row);
      return;
    }
    const harness::TimingOptions o = B.timing();
    const harness::Timed t = B.timer->time(launch, o);
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

void set_resources(harness::Row& row, DType in, DType out, const compiler::Plan& plan, bool conv) {
  kernels::KernelResources res;
  if (kernels::kernel_resources(in, out, plan.cfg.id, conv, &res) == cudaSuccess) {
    row.set("occupancy_ctas_per_sm", harness::fmt_int(res.ctas_per_sm));
    row.set("regs_per_thread", harness::fmt_int(res.regs));
    std::string note;
    if (res.ctas_per_sm != plan.ctas_per_sm)
      note = "occupancy API gives " + std::to_string(res.ctas_per_sm) + " CTAs/SM, the plan " +
             std::to_string(plan.ctas_per_sm);
    if (res.local_bytes > 0) note += (note.empty() ? "" : "; ") + std::to_string(res.local_bytes) + " B local memory";
    if (!note.empty()) row.set("note", note);
  }
}

kernels::GemmArgs gemm_args(const Bench& B, const harness::GemmShape& g) {
  kernels::GemmArgs a;
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

kernels::ConvArgs conv_args(const Bench& B, const harness::ConvShape& c) {
  kernels::ConvArgs a;
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

}  // namespace npusim::validate::harness
