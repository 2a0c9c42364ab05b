#include <cstdio>
#include <vector>

#include "base/hash.h"
#include "validate/harness/bench/parts.h"
#include "validate/kernels/reference.cuh"

namespace npusim::validate::harness {

namespace {

harness::Row conv_row(const harness::ConvShape& c, const std::string& family, DType in) {
  harness::Row row(harness::conv_columns());
  row.set("family", family)
      .set("dtype", std::string(harness::name(in)))
      .set("out_dtype", std::string(harness::name(in)))
      .set("name", c.name)
      .set("layers", c.layers)
      .set("count", harness::fmt_int(c.count))
      .set("n", harness::fmt_int(c.n))
      .set("h", harness::fmt_int(c.h))
      .set("w", harness::fmt_int(c.w))
      .set("c", harness::fmt_int(c.c))
      .set("k", harness::fmt_int(c.k))
      .set("r", harness::fmt_int(c.r))
      .set("s", harness::fmt_int(c.s))
      .set("stride", harness::fmt_int(c.stride))
      .set("pad", harness::fmt_int(c.pad))
      .set("dilation", harness::fmt_int(c.dilation))
      .set("p", harness::fmt_int(c.p()))
      .set("q", harness::fmt_int(c.q()))
      .set("gemm_m", harness::fmt_int(c.gemm_m()))
      .set("gemm_n", harness::fmt_int(c.gemm_n()))
      .set("gemm_k", harness::fmt_int(c.gemm_k()));
  return row;
}

}  // namespace

void run_conv_part(Bench& B) {
  const std::vector<harness::ConvShape> shapes = selected_convs(B.opt);
  std::printf("conv suite: %zu shapes x %zu types (npusim implicit GEMM, cuBLAS on im2col)\n", shapes.size(),
              B.opt.dtypes.size());
  std::size_t xmax = 0, fmax = 0, ymax = 0, ws = 0, colmax = 0;
  for (const harness::ConvShape& c : shapes) {
    xmax = std::max<std::size_t>(xmax, static_cast<std::size_t>(c.n * c.h * c.w * c.c * 2));
    fmax = std::max<std::size_t>(fmax, static_cast<std::size_t>(c.r * c.s * c.c * c.k * 2));
    ymax = std::max<std::size_t>(ymax, static_cast<std::size_t>(c.gemm_m() * c.gemm_n() * 4));
    for (DType t : B.opt.dtypes) {
      ws = std::max(ws, kernels::workspace_bytes(harness::plan_for(c, t, B.limits), c.gemm_m(), c.gemm_n()));
      colmax = std::max(colmax, kernels::CublasPeer::col_bytes(t, conv_args(B, c)));
    }
  }
  B.a.resize(xmax);
  B.b.resize(fmax);
  B.c.resize(ymax);
  B.ref.resize(ymax);
  B.ws.resize(std::max<std::size_t>(ws, 16));
  B.col.resize(std::max<std::size_t>(colmax, 16));
  harness::CsvWriter w(B.out_dir + "/conv.csv", harness::conv_columns());

  for (const harness::ConvShape& c : shapes)
    for (DType in : B.opt.dtypes) {
      const kernels::ConvArgs args = conv_args(B, c);
      const std::string tag = c.name + ".n" + std::to_string(c.n);
      try {
        const std::uint64_t seed = npusim::fnv1a64(tag + "/" + std::string(harness::name(in)));
        harness::cuda_check(kernels::fill_random(in, B.a.get(), static_cast<std::size_t>(c.n * c.h * c.w * c.c), seed, -1.f, 1.f, B.stream), "fill x");
        harness::cuda_check(kernels::fill_random(in, B.b.get(), static_cast<std::size_t>(c.r * c.s * c.c * c.k), seed + 1, -1.f, 1.f, B.stream), "fill f");
        harness::cuda_check(kernels::reference_conv(in, args, B.ref.as<float>(), B.stream), "reference conv");
        harness::cuda_check(cudaStreamSynchronize(B.stream), "reference conv");
      } catch (const std::exception& e) {
        std::cerr << "ERROR " << tag << ": " << e.what() << "\n";
        ++B.failures;
        B.assert_device_usable(tag);
        continue;
      }
      const OutputView view{in, c.gemm_m(), c.gemm_n(), c.gemm_n(), 1, 0, c.gemm_k()};
      {
        const compiler::Plan plan = harness::plan_for(c, in, B.limits);
        harness::Row row = conv_row(c, "npusim_conv", in);
        row.set_plan(plan);
        set_resources(row, in, in, plan, true);
        const harness::Launch launch = [&B, in, plan, args](std::string* why) {
          const cudaError_t e = kernels::conv2d(in, in, plan, args, B.ws.get(), B.ws.bytes(), B.stream, why);
          if (e != cudaSuccess && why->empty()) *why = cudaGetErrorString(e);
          return e == cudaSuccess;
        };
        verify_and_time(B, w, row, launch, view, c.flops(), tag + " npusim_conv " + std::string(harness::name(in)));
      }
      if (B.cublas) {
        harness::Row row = conv_row(c, "cublas_im2col", in);
        row.set("algo", kernels::CublasPeer::col_bytes(in, args) ? "im2col + cublasGemmEx" : "cublasGemmEx (1x1: no im2col)");
        const harness::Launch launch = [&B, in, args](std::string* why) { return B.cublas->conv2d(in, args, B.col.get(), why); };
        verify_and_time(B, w, row, launch, view, c.flops(), tag + " cublas_im2col " + std::string(harness::name(in)));
      }
    }
}

}  // namespace npusim::validate::harness
