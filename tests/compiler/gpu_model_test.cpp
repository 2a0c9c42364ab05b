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

GpuParams h100(std::vector<Override> sets = {}) {
  const EmbeddedText* p = find_arch_preset("h100_sxm");
  EXPECT_NE(p, nullptr);
  return GpuParams::from(*arch::load_arch(p->text, p->file, sets));
}

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

}  // namespace
