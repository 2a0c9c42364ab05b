// The GPU kernel model (compiler/gpu_model.h) on the H100 description: each mechanism it claims
// (waves, the L2 that hits, split-K, launch overhead, the mma.sync rate) moves the prediction the
// way it must, and the compulsory traffic comes out exact where everything fits in L2.
#include <gtest/gtest.h>

#include "base/error.h"
#include "arch/loader.h"
#include "compiler/gpu_model.h"
#include "configs/embedded.h"

using namespace npusim;
using namespace npusim::compiler;

namespace {

GpuParams preset(const char* name, std::vector<Override> sets = {}) {
  const EmbeddedText* p = find_arch_preset(name);
  EXPECT_NE(p, nullptr);
  return GpuParams::from(*arch::load_arch(p->text, p->file, sets));
}
GpuParams h100(std::vector<Override> sets = {}) { return preset("h100_sxm", std::move(sets)); }

Override set(const std::string& path, const std::string& value) { return Override{path, value}; }

TEST(GpuModel, OnlyGpuDescriptions) {
  const EmbeddedText* p = find_arch_preset("edge-npu");
  EXPECT_THROW(GpuParams::from(*arch::load_arch(p->text, p->file)), Error);
  const GpuParams g = h100();
  EXPECT_EQ(g.sms, 132);
  EXPECT_DOUBLE_EQ(g.macs_per_cycle_per_sm[index_of(DType::Bf16)], 2048);
  EXPECT_DOUBLE_EQ(g.macs_per_cycle_per_sm[index_of(DType::Fp8)], 4096);
  EXPECT_DOUBLE_EQ(g.macs_per_cycle_per_sm[index_of(DType::Tf32)], 1024);
  EXPECT_DOUBLE_EQ(g.l2_bytes, 50.0 * 1024 * 1024);
}

TEST(GpuModel, NeverFasterThanTheTensorCoresOrTheLaunch) {
  const GpuParams g = h100();
  for (std::int64_t s : {256, 1000, 4096}) {
    const GemmProblem p{s, s, s, 1, DType::Bf16, 2};
    const KernelPrediction k = predict_gemm(g, p, gpu_plan(g, p), MathPath::FullRate);
    const double peak = 2048.0 * 132 * g.clock_hz;
    EXPECT_GE(k.seconds, double(s) * s * s / peak + g.launch_s);
    EXPECT_EQ(k.waves, gpu_plan(g, p).waves);
  }
}

TEST(GpuModel, OperandsThatFitInL2ComeFromDramOnce) {
  const GpuParams g = h100();
  const GemmProblem p{2048, 2048, 2048, 1, DType::Bf16, 2};  // A + B = 16 MiB < 50 MiB
  const compiler::Plan plan = gpu_plan(g, p);
  ASSERT_EQ(plan.split_k, 1);
  const KernelPrediction k = predict_gemm(g, p, plan, MathPath::FullRate);
  EXPECT_DOUBLE_EQ(k.dram_bytes, 3.0 * 2048 * 2048 * 2);  // A, B read once, C written once
  // every CTA still reads its panels through the L2
  EXPECT_DOUBLE_EQ(k.l2_bytes, double(plan.ctas) * (plan.cfg.bm + plan.cfg.bn) * 2048 * 2);
  // a 1 MiB L2 holds far less than a wave's panels: more misses, more DRAM traffic
  const GpuParams small = h100({set("gpu.l2_kib", "1024")});
  EXPECT_GT(predict_gemm(small, p, plan, MathPath::FullRate).dram_bytes, 1.5 * k.dram_bytes);
}

TEST(GpuModel, WavesLaunchesSplitKAndTheMmaRate) {
  const GpuParams g = h100();
  const GemmProblem p{4096, 4096, 4096, 1, DType::Bf16, 2};
  const compiler::Plan plan = gpu_plan(g, p);
  const double base = predict_gemm(g, p, plan, MathPath::MmaSync).seconds;
  // launch overhead: paid once per kernel (split-K 1: one kernel)
  const GpuParams slow_launch = h100({set("gpu.launch_overhead_us", "12.5")});
  EXPECT_NEAR(predict_gemm(slow_launch, p, plan, MathPath::MmaSync).seconds - base, 10e-6, 1e-12);
  // a slower mma.sync path never speeds a kernel up, and slows a tensor-bound one
  const GpuParams half = h100({set("gpu.mma_sync_fraction", "0.25")});
  EXPECT_GT(predict_gemm(half, p, plan, MathPath::MmaSync).seconds, base);
  EXPECT_DOUBLE_EQ(predict_gemm(half, p, plan, MathPath::FullRate).seconds,
                   predict_gemm(g, p, plan, MathPath::FullRate).seconds);
  // twice the rows in full waves: twice the waves
  const GemmProblem p2{8192, 4096, 4096, 1, DType::Bf16, 2};
  const compiler::Plan plan2 = compiler::make_plan(p2.m, p2.n, p2.k, plan.cfg, 1, 2, g.limits);
  EXPECT_EQ(predict_gemm(g, p2, plan2, MathPath::MmaSync).waves, compiler::div_up(2 * plan.ctas, 132 * plan.ctas_per_sm));
  // split-K: a second kernel that sums fp32 partials
  const GemmProblem skinny{128, 128, 65536, 1, DType::Bf16, 2};
  const compiler::Plan sp = gpu_plan(g, skinny);
  ASSERT_GT(sp.split_k, 1);
  const KernelPrediction ks = predict_gemm(g, skinny, sp, MathPath::MmaSync);
  EXPECT_GT(ks.reduce_s, g.launch_s);
  EXPECT_DOUBLE_EQ(ks.seconds, ks.launch_s + ks.waves_s + ks.reduce_s);
}

TEST(GpuModel, PlansThatDoNotCoverTheProblemAreRefused) {
  const GpuParams g = h100();
  const GemmProblem p{4096, 4096, 4096, 1, DType::Bf16, 2};
  compiler::Plan plan = gpu_plan(g, p);
  plan.ctas_m -= 1;
  EXPECT_THROW(predict_gemm(g, p, plan, MathPath::MmaSync), Error);
}

TEST(GpuModel, ConvolutionsAndTheRoofline) {
  const GpuParams g = h100();
  const ConvProblem c{1, 56, 56, 64, 64, 3, 3, 1, 1, 1, DType::Bf16, 2};
  EXPECT_EQ(c.p(), 56);
  EXPECT_EQ(c.gemm().k, 576);
  const KernelPrediction k = predict_conv(g, c, gpu_plan(g, c.gemm()), MathPath::MmaSync);
  EXPECT_GT(k.seconds, roofline_conv(g, c));
  // the input is read from DRAM about once (halo rows of neighbouring tiles twice), not 9 times
  EXPECT_LT(k.dram_bytes, 2.0 * double(c.input_bytes()) + 64.0 * 576 * 2 + 3136.0 * 64 * 2);
  // im2col + GEMM costs at least the GEMM
  EXPECT_GT(predict_im2col_gemm(g, c, gpu_plan(g, c.gemm())).seconds,
            predict_gemm(g, c.gemm(), gpu_plan(g, c.gemm()), MathPath::FullRate).seconds);
  // the roofline: the larger of the two bounds
  EXPECT_DOUBLE_EQ(roofline_seconds(g, 2e12, 0, DType::Bf16), 2e12 / (2.0 * 2048 * 132 * g.clock_hz));
  EXPECT_DOUBLE_EQ(roofline_seconds(g, 0, 3.35e9, DType::Bf16), 1e-3);
}

// ---- library kernels --------------------------------------------------------------------------

// The busiest SM's main loops cannot beat the tensor cores at the instruction kind's share.
double mma_floor(const GpuParams& g, const GemmProblem& p, double fraction) {
  return 2.0 * double(p.m) * p.n * p.k * p.batch /
         (2.0 * g.macs_per_cycle_per_sm[index_of(p.dtype)] * g.sms * g.clock_hz * fraction);
}

TEST(GpuLibraryModel, InstructionKindsFollowTheGenerationAndDatatype) {
  for (const LibraryKernel& k : library_kernels(h100(), DType::Bf16)) EXPECT_EQ(k.kind, MmaKind::Wgmma);
  for (const LibraryKernel& k : library_kernels(preset("a100_sxm"), DType::Bf16)) {
    EXPECT_EQ(k.kind, MmaKind::MmaSync);
    EXPECT_FALSE(k.persistent);
    EXPECT_NE(k.schedule, TileSchedule::StreamK);
  }
  for (const LibraryKernel& k : library_kernels(h100(), DType::Fp32)) EXPECT_EQ(k.kind, MmaKind::Simt);
  EXPECT_THROW(library_kernels(preset("a100_sxm"), DType::Fp8), Error);  // no fp8 tensor cores on Ampere
  // every kernel's pipeline fits a CTA's shared memory
  const GpuParams a = preset("a100_sxm");
  for (const LibraryKernel& k : library_kernels(a, DType::Bf16))
    EXPECT_LE(std::int64_t{k.stages} * (k.bm + k.bn) * k.bk * 2, a.limits.smem_per_block);
}

TEST(GpuLibraryModel, LargeGemmsRunAtTheFittedShareOfThePeak) {
  const GpuParams g = h100();
  const GemmProblem p{8192, 8192, 8192, 1, DType::Bf16, 2};
  const LibraryGemmPrediction r = predict_library_gemm(g, p);
  const double floor = mma_floor(g, p, g.wgmma_fraction);
  EXPECT_GE(r.seconds, floor);
  EXPECT_LT(r.seconds, 1.08 * floor);  // prologue, epilogues, the tail: a few percent
  EXPECT_EQ(r.bound, "tensor");
  // on Ampere the mma.sync share sets it
  const GpuParams a = preset("a100_sxm");
  const LibraryGemmPrediction ra = predict_library_gemm(a, p);
  EXPECT_GE(ra.seconds, mma_floor(a, p, a.mma_sync_fraction));
  EXPECT_LT(ra.seconds, 1.10 * mma_floor(a, p, a.mma_sync_fraction));
  // FP32 without tensor cores: the FP32 lanes at the SIMT share
  const GemmProblem f{4096, 4096, 4096, 1, DType::Fp32, 4};
  const double simt = 2.0 * 4096.0 * 4096 * 4096 / (2.0 * g.fp32_lanes_per_sm * g.sms * g.clock_hz * g.simt_fraction);
  EXPECT_GE(predict_library_gemm(g, f).seconds, simt);
  EXPECT_LT(predict_library_gemm(g, f).seconds, 1.15 * simt);
}

TEST(GpuLibraryModel, WaveQuantisationAndStreamK) {
  const GpuParams g = h100();
  LibraryKernel dp;
  for (const LibraryKernel& k : library_kernels(g, DType::Bf16))
    if (k.bm == 128 && k.bn == 256 && k.cluster_m == 1 && k.cluster_n == 1 && k.schedule == TileSchedule::DataParallel)
      dp = k;
  ASSERT_EQ(dp.bm, 128);
  // 132 tiles fill one wave; 133 need a second one on some SM: about twice the main loops
  const GemmProblem full{128 * 132, 256, 8192, 1, DType::Bf16, 2}, tail{128 * 133, 256, 8192, 1, DType::Bf16, 2};
  const LibraryGemmPrediction a = time_library_kernel(g, full, dp), b = time_library_kernel(g, tail, dp);
  EXPECT_EQ(a.tiles, 132);
  EXPECT_NEAR(b.main_s / a.main_s, 2.0, 1e-9);
  // stream-K spreads the tail's k iterations over every SM: far less than a second wave
  LibraryKernel sk = dp;
  sk.schedule = TileSchedule::StreamK;
  const LibraryGemmPrediction c = time_library_kernel(g, tail, sk);
  EXPECT_LT(c.seconds, 0.7 * b.seconds);
  EXPECT_GT(c.seconds, a.seconds);
  // and the library takes the better of them
  EXPECT_LE(predict_library_gemm(g, tail).seconds, 1.03 * c.seconds);
}

TEST(GpuLibraryModel, SkinnyGemmsAreBoundByStreamingTheWeights) {
  // decode: m = 8 tokens against a 8192 x 8192 bf16 weight: the weight streams from DRAM once
  const GpuParams g = h100();
  const GemmProblem p{8, 8192, 8192, 1, DType::Bf16, 2};
  const LibraryGemmPrediction r = predict_library_gemm(g, p);
  const double weights = 8192.0 * 8192 * 2 / (g.dram_bytes_per_s * g.dram_fraction);
  EXPECT_GE(r.seconds, weights);
  EXPECT_LT(r.seconds, 1.4 * weights + g.kernel_fixed_s);
  // split-K or stream-K spreads the stream over the SMs
  EXPECT_TRUE(r.kernel.schedule != TileSchedule::DataParallel || r.tiles >= 64) << r.kernel.name();
  // the same on the H200 is faster by about the bandwidth ratio
  const GpuParams h200 = preset("h200");
  const double ratio = predict_library_gemm(g, p).seconds / predict_library_gemm(h200, p).seconds;
  EXPECT_GT(ratio, 1.2);
  EXPECT_LT(ratio, 4800.0 / 3350.0 + 0.05);
  // a compute-bound GEMM is the same on both (same SMs, clock and fitted shares)
  const GemmProblem big{8192, 8192, 8192, 1, DType::Bf16, 2};
  EXPECT_NEAR(predict_library_gemm(h200, big).seconds / predict_library_gemm(g, big).seconds, 1.0, 0.01);
}

TEST(GpuLibraryModel, SmallTilesPayInL2AndSharedMemoryTraffic) {
  const GpuParams g = h100();
  const GemmProblem p{8192, 8192, 8192, 1, DType::Bf16, 2};
  double t64 = 0, t128 = 0;
  for (const LibraryKernel& k : library_kernels(g, DType::Bf16)) {
    if (k.schedule != TileSchedule::DataParallel || k.cluster_m * k.cluster_n != 1) continue;
    if (k.bm == 64 && k.bn == 64) t64 = time_library_kernel(g, p, k).main_s;
    if (k.bm == 128 && k.bn == 256) t128 = time_library_kernel(g, p, k).main_s;
  }
  ASSERT_GT(t64, 0);
  EXPECT_GT(t64, 1.2 * t128);
  // a cluster's multicast relieves the L2: never slower
  for (const LibraryKernel& k : library_kernels(g, DType::Bf16))
    if (k.cluster_m == 2 && k.schedule == TileSchedule::DataParallel) {
      LibraryKernel one = k;
      one.cluster_m = 1;
      EXPECT_LE(time_library_kernel(g, p, k).seconds, time_library_kernel(g, p, one).seconds);
    }
}

TEST(GpuLibraryModel, TimersAndFixedCosts) {
  const GpuParams g = h100();
  const GemmProblem p{1024, 1024, 1024, 1, DType::Bf16, 2};
  const LibraryGemmPrediction k = predict_library_gemm(g, p, Timer::Kernel), e = predict_library_gemm(g, p, Timer::Events);
  EXPECT_NEAR(e.seconds - k.seconds, g.launch_s, 1e-12);
  const GpuParams slow = h100({set("gpu.kernel_fixed_us", "13.84")});
  EXPECT_NEAR(predict_library_gemm(slow, p).seconds - k.seconds, 10e-6, 1e-9);
  EXPECT_THROW(predict_library_gemm(g, {0, 1, 1, 1, DType::Bf16, 2}), Error);
}

// ---- memory-bound kernels and attention ------------------------------------------------------

TEST(GpuMemoryOps, LargeStreamsRunAtTheSustainedBandwidth) {
  const GpuParams g = h100();
  const MemoryOp add{MemoryOpKind::Elementwise, 16384, 8192, 2, DType::Bf16};
  EXPECT_DOUBLE_EQ(add.bytes(), 3.0 * 16384 * 8192 * 2);
  const MemoryOpPrediction r = predict_memory_op(g, add);
  EXPECT_NEAR(r.seconds, add.bytes() / (g.dram_bytes_per_s * g.dram_fraction) + g.dram_latency_s + g.kernel_fixed_s,
              1e-12);
  EXPECT_EQ(r.bound, "dram");
  // a row-wise kernel over few rows keeps few bytes in flight: slower per byte
  const MemoryOp few{MemoryOpKind::RmsNorm, 8, 1 << 20, 1, DType::Bf16}, many{MemoryOpKind::RmsNorm, 8192, 1024, 1, DType::Bf16};
  EXPECT_NEAR(few.bytes(), many.bytes(), 1e7);
  EXPECT_GT(predict_memory_op(g, few).seconds, 2 * predict_memory_op(g, many).seconds);
  EXPECT_EQ(predict_memory_op(g, few).bound, "latency");
  // softmax: the exponentials stay below the stream on an H100
  EXPECT_EQ(predict_memory_op(g, {MemoryOpKind::Softmax, 65536, 4096, 1, DType::Bf16}).bound, "dram");
  EXPECT_EQ(parse_memory_op("layernorm"), MemoryOpKind::LayerNorm);
  EXPECT_FALSE(parse_memory_op("gelu").has_value());
}

TEST(GpuAttention, PrefillDecodeCausalAndGqa) {
  const GpuParams g = h100();
  AttentionProblem p{1, 16, 16, 16384, 16384, 128, false, DType::Bf16, {}};
  const AttentionPrediction full = predict_attention(g, p);
  EXPECT_GE(full.seconds, p.flops() / (2.0 * 2048 * 132 * g.clock_hz * g.wgmma_fraction));
  p.causal = true;
  const AttentionProblem noncausal{1, 16, 16, 16384, 16384, 128, false, DType::Bf16, {}};
  EXPECT_NEAR(p.flops() / noncausal.flops(), 0.5, 1e-3);
  const double causal = predict_attention(g, p).seconds;
  EXPECT_NEAR(causal / full.seconds, 0.5, 0.05);
  // decode: one query per sequence; the KV cache streams once at the sustained bandwidth
  const AttentionProblem d{32, 32, 8, 1, 8192, 128, false, DType::Bf16, {}};  // GQA: 8 key/value heads
  const AttentionPrediction dr = predict_attention(g, d);
  const double kv = 32.0 * 8 * 8192 * 128 * 2 * 2;
  EXPECT_NEAR(dr.dram_bytes, kv + 2.0 * 32 * 32 * 128 * 2, 1.0);
  EXPECT_GE(dr.seconds, kv / (g.dram_bytes_per_s * g.dram_fraction));
  EXPECT_LT(dr.seconds, 1.5 * kv / (g.dram_bytes_per_s * g.dram_fraction) + 3 * g.kernel_fixed_s);
  // without GQA the cache is four times larger, and so is the time, about
  const AttentionProblem mha{32, 32, 32, 1, 8192, 128, false, DType::Bf16, {}};
  EXPECT_NEAR(predict_attention(g, mha).seconds / dr.seconds, 4.0, 0.6);
  // an FP8 cache (16-bit math): the keys and values stream at one byte each, in about half the time
  AttentionProblem d8 = d;
  d8.kv_dtype = DType::Fp8;
  const AttentionPrediction dr8 = predict_attention(g, d8);
  EXPECT_NEAR(dr8.dram_bytes, kv / 2 + 2.0 * 32 * 32 * 128 * 2, 1.0);
  EXPECT_NEAR(dr8.seconds / dr.seconds, 0.5, 0.1);
  // one long sequence: the keys split over the SMs (flash-decoding)
  EXPECT_GT(predict_attention(g, {1, 32, 8, 1, 131072, 128, false, DType::Bf16, {}}).kv_splits, 1);
  // Ampere (FlashAttention-2) does not hide the softmax behind the matmuls
  const GpuParams a = preset("a100_sxm");
  const AttentionPrediction pa = predict_attention(a, {1, 16, 16, 16384, 16384, 128, false, DType::Bf16, {}});
  EXPECT_GT(pa.sm_s, (pa.mma_s + pa.exp_s) / 108 * 0.99);
  EXPECT_THROW(predict_attention(g, {1, 16, 5, 128, 128, 128, false, DType::Bf16, {}}), Error);  // 16 % 5
}

}  // namespace
