// The GPU kernel model: the time of one GEMM or implicit-GEMM convolution kernel running a given
// plan (compiler/gpu_tiling.h) on a GPU described in npusim's schema (configs/arch/h100_sxm.yaml:
// the SMs as cores, their tensor cores as the PE array, shared memory as the scratchpad, and the
// `gpu` block for what an NPU lacks). Pure C++, no SystemC. docs/VALIDATION.md derives it.
//
// The kernel is launched (gpu.launch_overhead_us), then its CTAs run in waves: the hardware hands
// CTAs to SMs in block-index order, ctas_per_sm at a time per SM, so wave w holds CTAs
// [w * slots, (w + 1) * slots) with slots = SMs x ctas_per_sm, spread round-robin over the SMs.
// A wave lasts the longest of
//   - its busiest SM's MACs (whole tiles, padding included) at that SM's tensor rate (the PE
//     array's MACs per cycle at the clock, times gpu.mma_sync_fraction for the project's
//     mma.sync kernels);
//   - the bytes its CTAs read through the L2 (each CTA reads its A and B panels) at
//     gpu.l2_bytes_per_cycle;
//   - the bytes that miss the L2 and the results it writes, at the DRAM bandwidth. The L2 holds
//     panels (a CTA's A rows or B columns over its k range): least recently used panels are
//     evicted when gpu.l2_kib is full, so a panel that CTAs of this wave or of recent waves
//     brought in hits;
// plus the DRAM latency for its first operands. Split-K adds a second kernel that reads the fp32
// partials and writes the result.
#pragma once

#include <cstdint>
#include <string>

#include "arch/arch_config.h"
#include "compiler/gpu_tiling.h"

namespace npusim::compiler {

// The GPU's figures the model uses, from a validated ArchConfig with a gpu block.
struct GpuParams {
  std::int32_t sms = 0;
  double clock_hz = 0;
  std::array<double, kNumDTypes> macs_per_cycle_per_sm{};  // tensor cores, dense
  double mma_sync_fraction = 1;
  double dram_bytes_per_s = 0, dram_latency_s = 0;
  double l2_bytes = 0, l2_bytes_per_s = 0;
  double launch_s = 0;
  compiler::GpuLimits limits;  // for compiler::choose_plan

  // Throws Error when `a` has no gpu block.
  static GpuParams from(const arch::ArchConfig& a);
};

// Which tensor-core instruction path the kernel takes.
enum class MathPath : std::uint8_t {
  MmaSync,   // the project's kernels (validate/kernels): mma.sync, gpu.mma_sync_fraction of the peak
  FullRate,  // library kernels (cuBLAS, cuBLASLt): the tensor cores' full dense rate
};

struct GemmProblem {
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  DType dtype = DType::Bf16;
  std::int32_t out_bytes = 2;
};

// NHWC input, R x S x C x K filters, groups 1; the implicit GEMM is M = N P Q, N = K, K = R S C.
struct ConvProblem {
  std::int64_t n = 1, h = 0, w = 0, c = 0, k = 0, r = 1, s = 1, stride = 1, pad = 0, dilation = 1;
  DType dtype = DType::Bf16;
  std::int32_t out_bytes = 2;
  std::int64_t p() const;
  std::int64_t q() const;
  GemmProblem gemm() const;
  std::int64_t input_bytes() const;
};

struct KernelPrediction {
  double seconds = 0;  // everything: launch(es), waves, split-K reduction
  double launch_s = 0, waves_s = 0, reduce_s = 0;
  std::int64_t waves = 0;
  double dram_bytes = 0, l2_bytes = 0;  // over the whole kernel
  double tensor_s = 0, l2_s = 0, dram_s = 0, latency_s = 0;  // what the waves add up to, by term
  std::string bound;  // "tensor", "l2" or "dram": the term that bounds most of the waves' time
};

// The plan the project's kernel runs for `p` on this GPU.
compiler::Plan gpu_plan(const GpuParams& g, const GemmProblem& p);

KernelPrediction predict_gemm(const GpuParams& g, const GemmProblem& p, const compiler::Plan& plan, MathPath path);
KernelPrediction predict_conv(const GpuParams& g, const ConvProblem& p, const compiler::Plan& plan, MathPath path);
// An im2col kernel materialising the (N P Q) x (R S C) matrix, then a library GEMM on it (the
// conv peer of the harness); a 1 x 1 stride-1 convolution skips the im2col.
KernelPrediction predict_im2col_gemm(const GpuParams& g, const ConvProblem& p, const compiler::Plan& plan);

// The roofline: the larger of the FLOPs at the tensor cores' full dense rate and the compulsory
// bytes (operands read once, result written once) at the DRAM bandwidth. No launch, no waves.
double roofline_seconds(const GpuParams& g, double flops, double bytes, DType dtype);
double roofline_gemm(const GpuParams& g, const GemmProblem& p);
double roofline_conv(const GpuParams& g, const ConvProblem& p);

}  // namespace npusim::compiler
