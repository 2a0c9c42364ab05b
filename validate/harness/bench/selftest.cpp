// The self-test part: the GPU reference against float64 on the CPU, the GPU checker against the
// host's, every instantiated configuration with and without split-K, and planted faults that the
// checker must catch; for GEMMs and convolutions. One row per check in selftest.csv.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "validate/harness/bench/parts.h"
#include "validate/harness/host_reference.h"
#include "validate/harness/stats.h"
#include "validate/kernels/reference.cuh"
#include "validate/kernels/tile_rules.h"

namespace npusim::validate::harness {

namespace {

struct HostCopy {
  std::vector<unsigned char> bytes;
  DType type;
  double at(std::size_t i) const { return harness::element_to_double(type, bytes.data(), i); }
  std::vector<double> all() const {
    std::vector<double> v(bytes.size() / static_cast<std::size_t>(harness::bytes(type)));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = at(i);
    return v;
  }
};

HostCopy to_host(const void* p, DType t, std::size_t n) {
  HostCopy h{std::vector<unsigned char>(n * static_cast<std::size_t>(harness::bytes(t))), t};
  harness::cuda_check(cudaMemcpy(h.bytes.data(), p, h.bytes.size(), cudaMemcpyDeviceToHost), "copy to host");
  return h;
}

struct GemmCase {
  std::int64_t m, n, k, batch;
};
const std::vector<GemmCase> kGemmCases{{1, 1, 1, 1},      {7, 13, 5, 1},     {64, 64, 64, 1},     {129, 257, 1021, 1},
                                       {256, 384, 512, 1}, {100, 72, 64, 3}, {33, 1000, 2048, 1}, {300, 136, 1000, 2}};

struct ConvCase {
  int n, h, w, c, k, r, s, stride, pad, dil;
};
const std::vector<ConvCase> kConvCases{{2, 15, 17, 3, 16, 7, 7, 2, 3, 1},
                                       {1, 14, 14, 64, 72, 3, 3, 1, 1, 1},
                                       {2, 9, 9, 32, 40, 1, 1, 2, 0, 1},
                                       {1, 12, 12, 16, 24, 3, 3, 1, 2, 2},
                                       {3, 8, 8, 24, 64, 1, 1, 1, 0, 1}};

class SelfTest {
 public:
  explicit SelfTest(Bench& B) : B_(B), w_(B.out_dir + "/selftest.csv", harness::selftest_columns()) {}

  void run() {
    std::size_t amax = 0, bmax = 0, cmax = 0;
    for (const GemmCase& c : kGemmCases) {
      amax = std::max<std::size_t>(amax, static_cast<std::size_t>(c.batch * c.m * c.k * 2));
      bmax = std::max<std::size_t>(bmax, static_cast<std::size_t>(c.batch * c.k * c.n * 2));
      cmax = std::max<std::size_t>(cmax, static_cast<std::size_t>(c.batch * c.m * c.n * 4));
    }
    B_.a.resize(amax);
    B_.b.resize(bmax);
    B_.c.resize(cmax);
    B_.ref.resize(cmax);
    B_.ws.resize(cmax * 8);
    for (DType in : B_.opt.dtypes)
      for (const GemmCase& cs : kGemmCases) gemm_case(in, cs);
    for (DType in : B_.opt.dtypes)
      for (const ConvCase& cc : kConvCases) conv_case(in, cc);
    std::printf("  %d checks, %d failed\n", checks_, failed_);
  }

 private:
  void record(const std::string& check, DType in, DType out, std::int64_t m, std::int64_t n, std::int64_t k,
              std::int64_t batch, int cfg, int split, bool expect_pass, const harness::CheckResult& r,
              const std::string& note) {
    const bool good = r.ok == expect_pass;
    ++checks_;
    if (!good) {
      ++failed_;
      ++B_.failures;
      std::cerr << "SELFTEST FAILED " << check << " " << harness::name(in) << "->" << harness::name(out) << " " << m << "x" << n
                << "x" << k << "x" << batch << " cfg " << cfg << " split " << split << ": " << (r.why.empty() ? note : r.why)
                << "\n";
    }
    harness::Row row(harness::selftest_columns());
    row.set("check", check).set("dtype", std::string(harness::name(in))).set("out_dtype", std::string(harness::name(out)));
    row.set("m", harness::fmt_int(m)).set("n", harness::fmt_int(n)).set("k", harness::fmt_int(k)).set("batch", harness::fmt_int(batch));
    row.set("config_id", cfg >= 0 ? harness::fmt_int(cfg) : "").set("split_k", split > 0 ? harness::fmt_int(split) : "");
    row.set("expect", expect_pass ? "pass" : "fail").set("ok", good ? "1" : "0");
    row.set("max_rel_err", harness::fmt_double(r.max_rel_err, 4)).set("norm_rel_err", harness::fmt_double(r.norm_rel_err, 4));
    row.set("max_rel_bound", harness::fmt_double(r.bound.max_rel, 4));
    row.set("note", r.why.empty() ? note : r.why + (note.empty() ? "" : "; " + note));
    B_.write(w_, row);
  }

  // One GEMM: the reference against float64, every configuration with split-K 1 and 3 (each
  // against the reference, against float64, and the GPU checker against the host's), then the
  // planted faults.
  void gemm_case(DType in, const GemmCase& cs) {
    harness::GemmShape g{"selftest", harness::Category::odd, cs.m, cs.n, cs.k, cs.batch};
    const kernels::GemmArgs args = gemm_args(B_, g);
    const std::size_t na = static_cast<std::size_t>(cs.batch * cs.m * cs.k), nb = static_cast<std::size_t>(cs.batch * cs.k * cs.n),
                      nc = static_cast<std::size_t>(cs.batch * cs.m * cs.n);
    harness::cuda_check(kernels::fill_random(in, B_.a.get(), na, 100 + static_cast<std::uint64_t>(cs.k), -1.f, 1.f, B_.stream), "fill");
    harness::cuda_check(kernels::fill_random(in, B_.b.get(), nb, 200 + static_cast<std::uint64_t>(cs.n), -1.f, 1.f, B_.stream), "fill");
    harness::cuda_check(kernels::reference_gemm(in, args, B_.ref.as<float>(), B_.stream), "reference");
    harness::cuda_check(cudaStreamSynchronize(B_.stream), "reference");
    const std::vector<double> ha = to_host(B_.a.get(), in, na).all(), hb = to_host(B_.b.get(), in, nb).all();
    const std::vector<double> gpu_ref = to_host(B_.ref.get(), DType::fp32, nc).all();
    const std::vector<double> cpu = harness::gemm_fp64(ha, hb, cs.m, cs.n, cs.k, cs.batch);  // float64 on the CPU
    record("reference_vs_cpu_fp64", in, DType::fp32, cs.m, cs.n, cs.k, cs.batch, -1, 0, true,
           harness::check_errors(harness::error_stats(gpu_ref, cpu), DType::fp32, cs.k), "");

    for (DType out : {in, DType::fp32})
      for (int id : kernels::kInstantiatedConfigIds)
        for (int split : {1, 3}) {
          const compiler::Plan plan = compiler::make_plan(cs.m, cs.n, cs.k, compiler::kGemmConfigs[static_cast<std::size_t>(id)], split,
                                                harness::bytes(in), B_.limits, cs.batch);
          harness::cuda_check(kernels::poison(out, B_.c.get(), nc, B_.stream), "poison");
          std::string why;
          const cudaError_t e = kernels::gemm(in, out, plan, args, B_.ws.get(), B_.ws.bytes(), B_.stream, &why);
          harness::CheckResult r;
          if (e != cudaSuccess) {
            r.why = "launch: " + launch_error(e, why);
            record("kernel", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, r, "");
            B_.assert_device_usable("self-test kernel");
            continue;
          }
          harness::ErrorStats st;
          harness::cuda_check(kernels::compare(out, B_.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B_.ref.as<float>(),
                                     B_.scratch_stats(), &st, B_.stream),
                         "compare");
          record("kernel", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, harness::check_errors(st, out, cs.k), "");
          // the same output against float64 on the CPU, and the GPU checker against the host's
          const std::vector<double> y = to_host(B_.c.get(), out, nc).all();
          record("kernel_vs_cpu_fp64", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true,
                 harness::check_errors(harness::error_stats(y, cpu), out, cs.k), "");
          const harness::ErrorStats host = harness::error_stats(y, gpu_ref);
          harness::CheckResult agree;
          agree.ok = host.nonfinite == st.nonfinite && host.count == st.count &&
                     std::abs(host.max_rel_err - st.max_rel_err) <= 1e-6 + 1e-3 * host.max_rel_err &&
                     std::abs(host.sum_sq_err - st.sum_sq_err) <= 1e-9 + 1e-3 * host.sum_sq_err;
          agree.max_rel_err = st.max_rel_err;
          if (!agree.ok)
            agree.why = "GPU checker max_rel " + harness::fmt_double(st.max_rel_err) + " vs host " +
                        harness::fmt_double(host.max_rel_err);
          record("checker_gpu_vs_host", in, out, cs.m, cs.n, cs.k, cs.batch, id, split, true, agree, "");
        }
    if (cs.m * cs.n >= 64 && cs.k >= 256) planted_faults(in, cs, g, args, gpu_ref);
  }

  // Faults the checker must catch, on the case's reference (in B.ref).
  void planted_faults(DType in, const GemmCase& cs, const harness::GemmShape& g, const kernels::GemmArgs& args,
                      const std::vector<double>& gpu_ref) {
    const std::size_t nc = static_cast<std::size_t>(cs.batch * cs.m * cs.n);
    const compiler::Plan plan = harness::plan_for(g, in, B_.limits);
    harness::ErrorStats st;
    // 1: an output nobody wrote
    harness::cuda_check(kernels::poison(in, B_.c.get(), nc, B_.stream), "poison");
    harness::cuda_check(kernels::compare(in, B_.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B_.ref.as<float>(), B_.scratch_stats(), &st, B_.stream), "compare");
    record("planted_unwritten_output", in, in, cs.m, cs.n, cs.k, cs.batch, plan.cfg.id, plan.split_k, false,
           harness::check_errors(st, in, cs.k), "");
    // 2: one wrong element (the right run, then one element replaced by 1.5 x its value + 1)
    std::string why;
    harness::cuda_check(kernels::gemm(in, in, plan, args, B_.ws.get(), B_.ws.bytes(), B_.stream, &why), "gemm " + why);
    harness::cuda_check(cudaStreamSynchronize(B_.stream), "gemm");
    {
      // (fill_random over one element with lo = hi writes exactly that value)
      const std::size_t idx = nc / 2;
      const float bad = static_cast<float>(1.5 * gpu_ref[idx] + 1.0);
      harness::cuda_check(kernels::fill_random(in, static_cast<unsigned char*>(B_.c.get()) + idx * static_cast<std::size_t>(harness::bytes(in)),
                                     1, 1, bad, bad, B_.stream),
                     "plant");
    }
    harness::cuda_check(kernels::compare(in, B_.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B_.ref.as<float>(), B_.scratch_stats(), &st, B_.stream), "compare");
    record("planted_wrong_element", in, in, cs.m, cs.n, cs.k, cs.batch, plan.cfg.id, plan.split_k, false,
           harness::check_errors(st, in, cs.k), "");
    // 3: the last k-tile dropped (the same kernel run with k - BK)
    kernels::GemmArgs short_k = args;
    short_k.k = static_cast<int>(cs.k - plan.cfg.bk);
    const compiler::Plan plan_short = compiler::choose_plan(cs.m, cs.n, short_k.k, harness::bytes(in), B_.limits, cs.batch);
    harness::cuda_check(kernels::poison(in, B_.c.get(), nc, B_.stream), "poison");
    harness::cuda_check(kernels::gemm(in, in, plan_short, short_k, B_.ws.get(), B_.ws.bytes(), B_.stream, &why), "gemm " + why);
    harness::cuda_check(kernels::compare(in, B_.c.get(), cs.m, cs.n, cs.n, cs.batch, cs.m * cs.n, B_.ref.as<float>(), B_.scratch_stats(), &st, B_.stream), "compare");
    record("planted_short_k", in, in, cs.m, cs.n, cs.k, cs.batch, plan_short.cfg.id, plan_short.split_k, false,
           harness::check_errors(st, in, cs.k), "k - BK");
  }

  // One convolution: the reference against float64, every configuration with split-K 1 and 2,
  // the cuBLAS peer.
  void conv_case(DType in, const ConvCase& cc) {
    harness::ConvShape shape;
    shape.n = cc.n, shape.h = cc.h, shape.w = cc.w, shape.c = cc.c, shape.k = cc.k, shape.r = cc.r, shape.s = cc.s;
    shape.stride = cc.stride, shape.pad = cc.pad, shape.dilation = cc.dil;
    const std::size_t nx = static_cast<std::size_t>(cc.n) * cc.h * cc.w * cc.c,
                      nf = static_cast<std::size_t>(cc.r) * cc.s * cc.c * cc.k,
                      ny = static_cast<std::size_t>(shape.gemm_m() * shape.gemm_n());
    B_.a.resize(nx * 2);
    B_.b.resize(nf * 2);
    B_.c.resize(ny * 4);
    B_.ref.resize(ny * 4);
    B_.col.resize(static_cast<std::size_t>(shape.gemm_m() * shape.gemm_k()) * 2);
    const kernels::ConvArgs args = conv_args(B_, shape);
    harness::cuda_check(kernels::fill_random(in, B_.a.get(), nx, 300 + static_cast<std::uint64_t>(cc.c), -1.f, 1.f, B_.stream), "fill");
    harness::cuda_check(kernels::fill_random(in, B_.b.get(), nf, 400 + static_cast<std::uint64_t>(cc.k), -1.f, 1.f, B_.stream), "fill");
    harness::cuda_check(kernels::reference_conv(in, args, B_.ref.as<float>(), B_.stream), "reference conv");
    harness::cuda_check(cudaStreamSynchronize(B_.stream), "reference conv");
    const std::vector<double> hx = to_host(B_.a.get(), in, nx).all(), hf = to_host(B_.b.get(), in, nf).all();
    const std::vector<double> gpu_ref = to_host(B_.ref.get(), DType::fp32, ny).all();
    const std::vector<double> cpu = harness::conv_fp64(hx, hf, shape);
    const std::int64_t kdim = shape.gemm_k();
    record("conv_reference_vs_cpu_fp64", in, DType::fp32, shape.gemm_m(), shape.gemm_n(), kdim, 1, -1, 0, true,
           harness::check_errors(harness::error_stats(gpu_ref, cpu), DType::fp32, kdim), "");
    B_.ws.resize(static_cast<std::size_t>(ny) * 4 * 4);
    for (int id : kernels::kInstantiatedConfigIds)
      for (int split : {1, 2}) {
        const compiler::Plan plan = compiler::make_plan(shape.gemm_m(), shape.gemm_n(), kdim,
                                              compiler::kGemmConfigs[static_cast<std::size_t>(id)], split, harness::bytes(in), B_.limits);
        harness::cuda_check(kernels::poison(in, B_.c.get(), ny, B_.stream), "poison");
        std::string why;
        const cudaError_t e = kernels::conv2d(in, in, plan, args, B_.ws.get(), B_.ws.bytes(), B_.stream, &why);
        harness::CheckResult r;
        if (e != cudaSuccess) {
          r.why = "launch: " + launch_error(e, why);
          record("conv_kernel", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, id, split, true, r, "");
          B_.assert_device_usable("self-test conv");
          continue;
        }
        harness::ErrorStats st;
        harness::cuda_check(kernels::compare(in, B_.c.get(), shape.gemm_m(), shape.gemm_n(), shape.gemm_n(), 1, 0, B_.ref.as<float>(),
                                   B_.scratch_stats(), &st, B_.stream),
                       "compare");
        record("conv_kernel", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, id, split, true,
               harness::check_errors(st, in, kdim), "");
      }
    if (B_.cublas) {
      harness::cuda_check(kernels::poison(in, B_.c.get(), ny, B_.stream), "poison");
      std::string why;
      harness::CheckResult r;
      if (!B_.cublas->conv2d(in, args, B_.col.get(), &why)) {
        r.why = why;
      } else {
        harness::ErrorStats st;
        harness::cuda_check(kernels::compare(in, B_.c.get(), shape.gemm_m(), shape.gemm_n(), shape.gemm_n(), 1, 0, B_.ref.as<float>(),
                                   B_.scratch_stats(), &st, B_.stream),
                       "compare");
        r = harness::check_errors(st, in, kdim);
      }
      record("conv_cublas_im2col", in, in, shape.gemm_m(), shape.gemm_n(), kdim, 1, -1, 0, true, r, "");
    }
  }

  Bench& B_;
  harness::CsvWriter w_;
  int checks_ = 0, failed_ = 0;
};

}  // namespace

void run_selftest(Bench& B) {
  std::printf("self-test\n");
  SelfTest(B).run();
}

}  // namespace npusim::validate::harness
