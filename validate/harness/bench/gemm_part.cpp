#include <cstdio>
#include <memory>
#include <vector>

#include "base/hash.h"
#include "validate/harness/bench/parts.h"
#include "validate/kernels/reference.cuh"

namespace npusim::validate::harness {

namespace {

harness::Row gemm_row(const harness::GemmShape& g, const std::string& family, DType in, DType out) {
  harness::Row row(harness::gemm_columns());
  row.set("family", family)
      .set("dtype", std::string(harness::name(in)))
      .set("out_dtype", std::string(harness::name(out)))
      .set("category", std::string(harness::name(g.category)))
      .set("name", g.name)
      .set("m", harness::fmt_int(g.m))
      .set("n", harness::fmt_int(g.n))
      .set("k", harness::fmt_int(g.k))
      .set("batch", harness::fmt_int(g.batch));
  return row;
}

}  // namespace

void run_gemm_parts(Bench& B) {
  const bool own = B.opt.parts.count("gemm") > 0, peers = B.opt.parts.count("cublas") > 0 && B.cublas;
  if (B.opt.parts.count("cublas") && !B.cublas) {
    std::cerr << "cuBLAS " << B.cublas_status << ": the cublas part is skipped\n";
    ++B.failures;
  }
  if (!own && !peers) return;
  const std::vector<harness::GemmShape> shapes = selected_gemms(B.opt);
  std::printf("GEMM suite: %zu shapes x %zu types (%s%s%s)\n", shapes.size(), B.opt.dtypes.size(),
              own ? "npusim" : "", own && peers ? ", " : "", peers ? "cuBLAS, cuBLASLt" : "");
  // buffers for the largest problem
  std::size_t amax = 0, bmax = 0, cmax = 0, ws = 0;
  for (const harness::GemmShape& g : shapes) {
    amax = std::max<std::size_t>(amax, static_cast<std::size_t>(g.batch * g.m * g.k * 2));
    bmax = std::max<std::size_t>(bmax, static_cast<std::size_t>(g.batch * g.k * g.n * 2));
    cmax = std::max<std::size_t>(cmax, static_cast<std::size_t>(g.batch * g.m * g.n * 4));
    for (DType t : B.opt.dtypes) ws = std::max(ws, kernels::workspace_bytes(harness::plan_for(g, t, B.limits), g.m, g.n));
  }
  B.a.resize(amax);
  B.b.resize(bmax);
  B.c.resize(cmax);
  B.ref.resize(cmax);
  B.ws.resize(std::max<std::size_t>(ws, 16));

  std::unique_ptr<harness::CsvWriter> wg, wc;
  if (own) wg = std::make_unique<harness::CsvWriter>(B.out_dir + "/gemm.csv", harness::gemm_columns());
  if (peers) wc = std::make_unique<harness::CsvWriter>(B.out_dir + "/cublas.csv", harness::gemm_columns());

  for (const harness::GemmShape& g : shapes)
    for (DType in : B.opt.dtypes) {
      const kernels::GemmArgs args = gemm_args(B, g);
      try {
        const std::uint64_t seed = npusim::fnv1a64(g.name + "/" + std::string(harness::name(in)));
        harness::cuda_check(kernels::fill_random(in, B.a.get(), static_cast<std::size_t>(g.batch * g.m * g.k), seed, -1.f, 1.f, B.stream), "fill A");
        harness::cuda_check(kernels::fill_random(in, B.b.get(), static_cast<std::size_t>(g.batch * g.k * g.n), seed + 1, -1.f, 1.f, B.stream), "fill B");
        harness::cuda_check(kernels::reference_gemm(in, args, B.ref.as<float>(), B.stream), "reference GEMM");
        harness::cuda_check(cudaStreamSynchronize(B.stream), "reference GEMM");
      } catch (const std::exception& e) {
        std::cerr << "ERROR " << g.name << ": " << e.what() << "\n";
        ++B.failures;
        B.assert_device_usable(g.name);
        continue;
      }
      const OutputView view{in, g.m, g.n, g.n, g.batch, g.m * g.n, g.k};
      if (own) {
        std::vector<DType> outs{in};
        if (B.opt.fp32_out && (g.category == harness::Category::square || g.category == harness::Category::odd))
          outs.push_back(DType::fp32);
        for (DType out : outs) {
          const compiler::Plan plan = harness::plan_for(g, in, B.limits);
          harness::Row row = gemm_row(g, g.batch > 1 ? "npusim_bmm" : "npusim_gemm", in, out);
          row.set_plan(plan);
          set_resources(row, in, out, plan, false);
          const harness::Launch launch = [&B, in, out, plan, args](std::string* why) {
            const cudaError_t e = kernels::gemm(in, out, plan, args, B.ws.get(), B.ws.bytes(), B.stream, why);
            if (e != cudaSuccess && why->empty()) *why = cudaGetErrorString(e);
            return e == cudaSuccess;
          };
          OutputView v = view;
          v.type = out;
          verify_and_time(B, *wg, row, launch, v, g.flops(),
                          g.name + " npusim " + std::string(harness::name(in)) + "->" + std::string(harness::name(out)));
        }
      }
      if (peers) {
        {
          harness::Row row = gemm_row(g, "cublas", in, in);
          const harness::Launch launch = [&B, in, args](std::string* why) { return B.cublas->gemm(in, in, args, why); };
          verify_and_time(B, *wc, row, launch, view, g.flops(), g.name + " cublas " + std::string(harness::name(in)));
        }
        {
          harness::Row row = gemm_row(g, "cublaslt", in, in);
          std::string algo, why;
          if (!B.cublas->lt_select(in, in, args, &algo, &why)) {
            // not a failure of ours: cuBLASLt may offer no algorithm for a layout (odd leading
            // dimensions); the row says so and has no verification and no times
            row.set("note", "cuBLASLt: " + why);
            B.write(*wc, row);
            std::cerr << "no cuBLASLt row for " << g.name << ": " << why << "\n";
          } else {
            row.set("algo", algo);
            const harness::Launch launch = [&B, args](std::string* w) { return B.cublas->lt_run(args, w); };
            verify_and_time(B, *wc, row, launch, view, g.flops(), g.name + " cublaslt " + std::string(harness::name(in)));
          }
        }
      }
    }
}

}  // namespace npusim::validate::harness
