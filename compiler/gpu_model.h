// The GPU kernel model: the time of GEMM, convolution, attention and memory-bound kernels on a GPU
// described in npusim's schema (configs/arch/h100_sxm.yaml, h200.yaml, a100_sxm.yaml: the SMs as
// cores, their tensor cores as the PE array, shared memory as the scratchpad, and the `gpu` block
// for what an NPU lacks). Pure C++, no SystemC. docs/VALIDATION.md derives it and reports its
// errors against public measurements.
//
// The API other modules use (shapes and a datatype in, seconds out):
//   GpuParams::from(arch)                  the GPU's figures, from a validated description
//   predict_library_gemm(g, GemmProblem)  a cuBLAS-class library GEMM (batched or not)
//   predict_attention(g, AttentionProblem) FlashAttention-style attention, prefill or decode
//   predict_memory_op(g, MemoryOp)         elementwise, RMSNorm, LayerNorm, softmax
// Each returns a prediction whose `seconds` is the kernel's time (Timer::Kernel: the device time
// of the kernel; Timer::Events adds the launch, as CUDA events around one launch see it).
//
// Two kinds of GEMM kernels are modelled:
//  - the project's own mma.sync kernels (validate/kernels), running the plan of
//    compiler/gpu_tiling.h: predict_gemm / predict_conv below, described next;
//  - library kernels (predict_library_gemm): the kernel a library picks among its tile shapes,
//    clusters and tile schedules, on Hopper warpgroup MMA (wgmma) fed by TMA, on Ampere mma.sync
//    fed by cp.async, and SIMT FFMA kernels for FP32 without tensor cores.
//
// The project's kernels: the kernel is launched (gpu.launch_overhead_us), then its CTAs run in
// waves: the hardware hands CTAs to SMs in block-index order, ctas_per_sm at a time per SM, so
// wave w holds CTAs [w * slots, (w + 1) * slots) with slots = SMs x ctas_per_sm, spread
// round-robin over the SMs. A wave lasts the longest of
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  arch::GpuGeneration generation = arch::GpuGeneration::Hopper;
  double wgmma_fraction = 0;       // share of the tensor peak wgmma sustains (0: no wgmma)
  double simt_fraction = 0;        // share of the FP32 FMA peak SIMT GEMMs sustain
  double dram_fraction = 0;        // share of the DRAM bandwidth streaming kernels sustain
  double fp32_lanes_per_sm = 0;    // FP32 FMA lanes (core.vector_unit.lanes)
  double sfu_per_cycle_per_sm = 0;  // transcendental results per clock per SM
  double smem_bytes_per_cycle_per_sm = 0;  // shared-memory bandwidth (banks x bank width)
  double l2_latency_s = 0;         // an L2 hit (interconnect.hop_latency_cycles)
  double kernel_fixed_s = 0;       // device time every kernel pays besides its work

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

// ---- library kernels -------------------------------------------------------------------------

// The instruction a kernel's main loop multiplies with.
enum class MmaKind : std::uint8_t {
  Wgmma,    // Hopper warpgroup MMA, operands from shared memory filled by TMA
  MmaSync,  // warp-level mma.sync (Ampere, and sm80 kernels on Hopper), fed by cp.async
  Simt,     // FP32 fused multiply-adds on the CUDA cores (FP32 without tensor cores)
};
std::string_view name_of(MmaKind k);

// How a kernel's work units (tile x k range) reach the SMs.
enum class TileSchedule : std::uint8_t {
  DataParallel,  // one unit per output tile
  SplitK,        // `split` units per tile over k, then a reduction of fp32 partials
  StreamK,       // full waves tile by tile, the last partial wave's k iterations spread over all SMs
};
std::string_view name_of(TileSchedule s);

// How a measured time was taken.
enum class Timer : std::uint8_t {
  Kernel,  // the kernel's device time (CUPTI, Nsight): no launch
  Events,  // CUDA events around one launch: the launch overhead included
};

// One library GEMM kernel: what a cuBLAS/CUTLASS kernel name records.
struct LibraryKernel {
  MmaKind kind = MmaKind::Wgmma;
  int bm = 0, bn = 0, bk = 0;    // CTA tile
  int stages = 0;                // operand pipeline depth
  int warps_m = 1, warps_n = 1;  // mma.sync: warp grid; wgmma: consumer warpgroups along m
  int cluster_m = 1, cluster_n = 1;  // Hopper: CTAs of a cluster share A (along n) or B (along m) by multicast
  int threads = 0;
  int ctas_per_sm = 1;           // resident CTAs per SM (shared memory, registers, threads)
  bool persistent = false;       // one CTA per SM loops over the tiles (Hopper tile scheduler)
  TileSchedule schedule = TileSchedule::DataParallel;
  int split = 1;                 // SplitK: units per tile
  std::string name() const;      // e.g. "wgmma 128x256x64 s4 c2x1 persistent stream-k"
};

struct LibraryGemmPrediction {
  double seconds = 0;       // launch (Timer::Events), the kernel, a split-K reduction
  LibraryKernel kernel;     // the kernel the library runs
  double sm_s = 0;          // the busiest SM: main loops plus exposed prologues and epilogues
  double main_s = 0;        //   of which main loops
  double dram_s = 0;        // the DRAM bound: bytes that miss the L2 and the result, at the sustained bandwidth
  double reduce_s = 0;      // split-K: the partial sums' reduction
  double launch_s = 0;
  double dram_bytes = 0;
  std::int64_t tiles = 0, units = 0;
  double waves = 0;         // units / SMs (persistent) or units / (SMs x CTAs per SM)
  std::string bound;        // what bounds a main-loop iteration or the kernel: tensor, l2, smem, latency, dram
};

// The kernels a library offers for `dtype` on this GPU: wgmma tiles with clusters and
// persistent, split-K and stream-K schedules on Hopper; mma.sync tiles with split-K on Ampere;
// SIMT tiles for fp32 (TF32 off) on both. Throws Error for a datatype the GPU cannot multiply.
std::vector<LibraryKernel> library_kernels(const GpuParams& g, DType dtype);

// The time of one library kernel on problem `p` (docs/VALIDATION.md, "Library GEMM model").
LibraryGemmPrediction time_library_kernel(const GpuParams& g, const GemmProblem& p, const LibraryKernel& k,
                                          Timer timer = Timer::Kernel);

// A library GEMM: the fastest of library_kernels() for the problem (a heuristic or autotuner that
// picks well), C (m x n) = A (m x k) B (k x n), `batch` independent products in one launch.
LibraryGemmPrediction predict_library_gemm(const GpuParams& g, const GemmProblem& p, Timer timer = Timer::Kernel);

// ---- memory-bound kernels and attention ------------------------------------------------------

enum class MemoryOpKind : std::uint8_t {
  Elementwise,  // `inputs` tensors of rows x cols in, one out
  RmsNorm,      // per row: sum of squares, scale (a weight vector)
  LayerNorm,    // per row: mean and variance, scale and shift
  Softmax,      // per row: max, exponentials, sum, scale
};
std::string_view name_of(MemoryOpKind k);
std::optional<MemoryOpKind> parse_memory_op(std::string_view s);

struct MemoryOp {
  MemoryOpKind kind = MemoryOpKind::Elementwise;
  std::int64_t rows = 0, cols = 0;
  int inputs = 1;
  DType dtype = DType::Bf16;
  double bytes() const;  // compulsory DRAM traffic: inputs read once, the output written once
};

struct MemoryOpPrediction {
  double seconds = 0, launch_s = 0, dram_s = 0, compute_s = 0, latency_s = 0;
  double bytes = 0;
  std::string bound;  // "dram", "compute" or "latency"
};

// A streaming kernel: the DRAM traffic at the sustained bandwidth (gpu.dram_fraction), bounded by
// the bytes the resident CTAs keep in flight (a row per CTA for the row-wise kernels), its
// arithmetic on the CUDA cores and special-function units, plus the DRAM latency once.
MemoryOpPrediction predict_memory_op(const GpuParams& g, const MemoryOp& op, Timer timer = Timer::Kernel);

// FlashAttention-style fused attention: softmax(Q K^T / sqrt(d)) V without materialising the
// scores. Prefill: seq_q query rows per sequence; decode: seq_q = 1 (one new token per sequence,
// the KV cache read once). Grouped-query attention: kv_heads < heads.
struct AttentionProblem {
  std::int64_t batch = 1, heads = 1, kv_heads = 1, seq_q = 1, seq_kv = 1, head_dim = 128;
  bool causal = false;
  DType dtype = DType::Bf16;           // Q, the math, the output
  std::optional<DType> kv_dtype;       // how keys and values are stored (an FP8 cache dequantised into
                                       // 16-bit math as it is read); empty = dtype
  double flops() const;  // the two matmuls' 4 b h s_q s_kv d (about halved when causal)
};

struct AttentionPrediction {
  double seconds = 0, launch_s = 0, sm_s = 0, mma_s = 0, exp_s = 0, dram_s = 0;
  double dram_bytes = 0;
  std::int64_t ctas = 0, kv_splits = 1;
  std::string bound;  // "tensor", "exp", "dram" or "latency"
};

AttentionPrediction predict_attention(const GpuParams& g, const AttentionProblem& p, Timer timer = Timer::Kernel);

}  // namespace npusim::compiler
