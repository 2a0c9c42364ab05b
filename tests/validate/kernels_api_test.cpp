// The host side of the CUDA kernels' API: a plan the kernels cannot run exactly is refused before
// anything reaches the GPU (so these tests need nvcc to build, but no GPU to run).
#include <gtest/gtest.h>

#include <string>

#include "compiler/gpu_tiling.h"
#include "validate/kernels/kernels.h"

namespace {

namespace gk = npusim::validate::kernels;
namespace compiler = npusim::compiler;
using npusim::validate::harness::DType;

// stand-ins for device pointers: never dereferenced, since every call below is refused first
char dummy[64];

gk::GemmArgs args(int m, int n, int k, int batch = 1) {
  gk::GemmArgs a;
  a.m = m, a.n = n, a.k = k, a.batch = batch;
  a.a = dummy, a.b = dummy, a.c = dummy;
  a.lda = k, a.ldb = n, a.ldc = n;
  a.stride_a = static_cast<long long>(m) * k, a.stride_b = static_cast<long long>(k) * n,
  a.stride_c = static_cast<long long>(m) * n;
  return a;
}

std::string refusal(DType in, DType out, const compiler::Plan& p, const gk::GemmArgs& a, void* ws = nullptr,
                    std::size_t ws_size = 0) {
  std::string why;
  EXPECT_EQ(gk::gemm(in, out, p, a, ws, ws_size, nullptr, &why), cudaErrorInvalidValue);
  EXPECT_FALSE(why.empty());
  return why;
}

TEST(KernelsApi, RefusesConfigurationsItDoesNotHave) {
  compiler::Plan p = compiler::choose_plan(1000, 1000, 1000, 2);
  p.cfg.id = 99;
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, args(1000, 1000, 1000)).find("not instantiated"), std::string::npos);
  p = compiler::choose_plan(1000, 1000, 1000, 2);
  p.cfg.bm *= 2;  // a tile the table does not have under this id
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, args(1000, 1000, 1000)).find("differs"), std::string::npos);
}

TEST(KernelsApi, RefusesAPlanForAnotherProblem) {
  const compiler::Plan p = compiler::choose_plan(1000, 1000, 1000, 2);
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, args(4000, 1000, 1000)).find("another shape"), std::string::npos);
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, args(1000, 1000, 1000, 4)).find("another batch"), std::string::npos);
  // k beyond what the splits cover
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, args(1000, 1000, 1000 + p.k_per_split * p.split_k)).find("k_per_split"),
            std::string::npos);
}

TEST(KernelsApi, RefusesTypePairsItIsNotBuiltFor) {
  const compiler::Plan p = compiler::choose_plan(256, 256, 256, 2);
  EXPECT_NE(refusal(DType::fp32, DType::fp32, p, args(256, 256, 256)).find("type pair"), std::string::npos);
  EXPECT_NE(refusal(DType::bf16, DType::fp16, p, args(256, 256, 256)).find("type pair"), std::string::npos);
  gk::ConvArgs c;
  c.n = 1, c.h = c.w = 8, c.c = 8, c.k = 8, c.r = c.s = 3, c.pad = 1;
  c.x = c.f = c.y = dummy;
  std::string why;
  EXPECT_EQ(gk::conv2d(DType::bf16, DType::fp32, compiler::choose_plan(64, 8, 72, 2), c, nullptr, 0, nullptr, &why),
            cudaErrorInvalidValue);
  EXPECT_NE(why.find("type pair"), std::string::npos);
}

TEST(KernelsApi, SplitKNeedsItsWorkspace) {
  const compiler::Plan p = compiler::choose_plan(64, 64, 8192, 2);  // a small grid with a long k: split-K
  ASSERT_GT(p.split_k, 1);
  EXPECT_EQ(gk::workspace_bytes(p, 64, 64), static_cast<std::size_t>(p.split_k) * 64 * 64 * 4);
  EXPECT_NE(refusal(DType::fp16, DType::fp16, p, args(64, 64, 8192)).find("workspace"), std::string::npos);
  char small[16];
  EXPECT_NE(refusal(DType::fp16, DType::fp16, p, args(64, 64, 8192), small, sizeof small).find("workspace"),
            std::string::npos);
  EXPECT_EQ(gk::workspace_bytes(compiler::choose_plan(4096, 4096, 4096, 2), 4096, 4096), 0u);
}

TEST(KernelsApi, RefusesBadOperands) {
  const compiler::Plan p = compiler::choose_plan(128, 128, 128, 2);
  gk::GemmArgs a = args(128, 128, 128);
  a.lda = 64;
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, a).find("leading dimension"), std::string::npos);
  a = args(128, 128, 128);
  a.b = nullptr;
  EXPECT_NE(refusal(DType::bf16, DType::bf16, p, a).find("null"), std::string::npos);
}

TEST(KernelsApi, RefusesConvolutionsThatDoNotFit) {
  gk::ConvArgs c;
  c.n = 1, c.h = c.w = 2, c.c = 8, c.k = 8, c.r = c.s = 7;  // 7x7 filter on an unpadded 2x2 input
  c.x = c.f = c.y = dummy;
  std::string why;
  EXPECT_EQ(gk::conv2d(DType::bf16, DType::bf16, compiler::choose_plan(1, 8, 392, 2), c, nullptr, 0, nullptr, &why),
            cudaErrorInvalidValue);
  EXPECT_NE(why.find("does not fit"), std::string::npos);
  c.h = c.w = 16;
  c.r = c.s = 3;
  c.pad = 1;
  EXPECT_EQ(c.p(), 16);
  // a plan for the GEMM of another convolution
  EXPECT_EQ(gk::conv2d(DType::bf16, DType::bf16, compiler::choose_plan(1, 8, 72, 2), c, nullptr, 0, nullptr, &why),
            cudaErrorInvalidValue);
  EXPECT_NE(why.find("another shape"), std::string::npos);
}

}  // namespace
