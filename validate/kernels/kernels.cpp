// Host side of the project's kernels: checks a plan against the instantiated configurations and
// the problem, builds the launch parameters, and picks the instantiation by type.
#include "validate/kernels/kernels.h"

#include <cstdint>
#include <limits>
#include <optional>

#include "validate/kernels/launch_table.h"
#include "validate/kernels/tile_rules.h"

namespace npusim::validate::kernels {

namespace {

cudaError_t refuse(std::string* why, const std::string& msg) {
  if (why) *why = msg;
  return cudaErrorInvalidValue;
}

bool aligned(const void* p, std::size_t bytes) { return reinterpret_cast<std::uintptr_t>(p) % bytes == 0; }

std::optional<detail::KernelSet> pick(DType in, DType out, bool conv) {
  if (conv) {
    if (in == DType::bf16 && out == DType::bf16) return detail::conv_bf16_bf16();
    if (in == DType::fp16 && out == DType::fp16) return detail::conv_fp16_fp16();
    return std::nullopt;
  }
  if (in == DType::bf16 && out == DType::bf16) return detail::gemm_bf16_bf16();
  if (in == DType::bf16 && out == DType::fp32) return detail::gemm_bf16_fp32();
  if (in == DType::fp16 && out == DType::fp16) return detail::gemm_fp16_fp16();
  if (in == DType::fp16 && out == DType::fp32) return detail::gemm_fp16_fp32();
  return std::nullopt;
}

bool same_config(const compiler::TileConfig& a, const compiler::TileConfig& b) {
  return a.bm == b.bm && a.bn == b.bn && a.bk == b.bk && a.stages == b.stages && a.warps_m == b.warps_m &&
         a.warps_n == b.warps_n && a.id == b.id && a.regs == b.regs;
}

// the plan is one of the kernel's and covers an m x n x k x batch problem exactly
cudaError_t check_plan(const compiler::Plan& plan, long long m, long long n, long long k, long long batch, std::string* why) {
  const int id = plan.cfg.id;
  if (id < 0 || id >= static_cast<int>(compiler::kGemmConfigs.size()) || !is_instantiated(id))
    return refuse(why, "configuration " + std::to_string(id) + " is not instantiated");
  if (!same_config(plan.cfg, compiler::kGemmConfigs[static_cast<std::size_t>(id)]))
    return refuse(why, "the plan's configuration differs from kGemmConfigs[" + std::to_string(id) + "]");
  if (m < 1 || n < 1 || k < 1 || batch < 1) return refuse(why, "empty problem");
  const long long int_max = std::numeric_limits<int>::max();
  if (m > int_max || n > int_max || k > int_max || batch > 65535)
    return refuse(why, "problem past the kernel's 32-bit indexing (or batch > 65535)");
  if (plan.batch != batch) return refuse(why, "the plan is for another batch");
  if (plan.split_k < 1 || plan.split_k > 65535) return refuse(why, "split_k out of range");
  if (plan.ctas_m != compiler::div_up(m, plan.cfg.bm) || plan.ctas_n != compiler::div_up(n, plan.cfg.bn) ||
      plan.ctas != plan.ctas_m * plan.ctas_n * plan.split_k * batch)
    return refuse(why, "the plan's grid is for another shape");
  if (plan.k_per_split < 1 || plan.k_per_split % plan.cfg.bk != 0 || plan.k_per_split * plan.split_k < k ||
      plan.k_per_split > int_max)
    return refuse(why, "the plan's k_per_split does not cover k in BK steps");
  if (plan.ctas_m * plan.ctas_n > int_max) return refuse(why, "too many tiles");
  return cudaSuccess;
}

GemmParams base_params(const compiler::Plan& plan, long long m, long long n, long long k, long long batch) {
  GemmParams p;
  p.m = static_cast<int>(m);
  p.n = static_cast<int>(n);
  p.k = static_cast<int>(k);
  p.batch = static_cast<int>(batch);
  p.split_k = plan.split_k;
  p.k_per_split = static_cast<int>(plan.k_per_split);
  p.tiles_m = static_cast<int>(plan.ctas_m);
  p.tiles_n = static_cast<int>(plan.ctas_n);
  return p;
}

}  // namespace

std::size_t workspace_bytes(const compiler::Plan& plan, long long m, long long n) {
  if (plan.split_k <= 1) return 0;
  return static_cast<std::size_t>(plan.batch) * static_cast<std::size_t>(plan.split_k) * static_cast<std::size_t>(m) *
         static_cast<std::size_t>(n) * sizeof(float);
}

cudaError_t gemm(DType in, DType out, const compiler::Plan& plan, const GemmArgs& a, void* workspace,
                 std::size_t workspace_size, cudaStream_t stream, std::string* why) {
  const auto set = pick(in, out, false);
  if (!set) return refuse(why, "unsupported type pair for the GEMM");
  if (const cudaError_t e = check_plan(plan, a.m, a.n, a.k, a.batch, why); e != cudaSuccess) return e;
  if (!a.a || !a.b || !a.c) return refuse(why, "null operand");
  if (a.lda < a.k || a.ldb < a.n || a.ldc < a.n) return refuse(why, "leading dimension smaller than the matrix");
  const std::size_t ws = workspace_bytes(plan, a.m, a.n);
  if (ws > 0 && (workspace == nullptr || workspace_size < ws)) return refuse(why, "split-K workspace too small");

  GemmParams p = base_params(plan, a.m, a.n, a.k, a.batch);
  p.a = a.a;
  p.b = a.b;
  p.c = a.c;
  p.partial = static_cast<float*>(workspace);
  p.lda = a.lda;
  p.ldb = a.ldb;
  p.ldc = a.ldc;
  p.stride_a = a.stride_a;
  p.stride_b = a.stride_b;
  p.stride_c = a.stride_c;
  p.vec_a = a.k % 8 == 0 && a.lda % 8 == 0 && a.stride_a % 8 == 0 && aligned(a.a, 16);
  p.vec_b = a.n % 8 == 0 && a.ldb % 8 == 0 && a.stride_b % 8 == 0 && aligned(a.b, 16);
  p.vec_c = a.ldc % 2 == 0 && a.stride_c % 2 == 0 && aligned(a.c, 2 * static_cast<std::size_t>(harness::bytes(out)));
  return set->launch(plan.cfg.id, p, ConvGeometry{}, stream);
}

cudaError_t conv2d(DType in, DType out, const compiler::Plan& plan, const ConvArgs& a, void* workspace,
                   std::size_t workspace_size, cudaStream_t stream, std::string* why) {
  const auto set = pick(in, out, true);
  if (!set) return refuse(why, "unsupported type pair for the convolution");
  if (a.n < 1 || a.h < 1 || a.w < 1 || a.c < 1 || a.k < 1 || a.r < 1 || a.s < 1 || a.stride < 1 || a.pad < 0 ||
      a.dilation < 1)
    return refuse(why, "bad convolution geometry");
  if (a.p() < 1 || a.q() < 1) return refuse(why, "the filter does not fit the padded input");
  const long long int_max = std::numeric_limits<int>::max();
  if (static_cast<long long>(a.n) * a.h * a.w * a.c > int_max)
    return refuse(why, "input past the kernel's 32-bit indexing");
  const long long m = static_cast<long long>(a.n) * a.p() * a.q(), n = a.k,
                  k = static_cast<long long>(a.r) * a.s * a.c;
  if (const cudaError_t e = check_plan(plan, m, n, k, 1, why); e != cudaSuccess) return e;
  if (!a.x || !a.f || !a.y) return refuse(why, "null operand");
  const std::size_t ws = workspace_bytes(plan, m, n);
  if (ws > 0 && (workspace == nullptr || workspace_size < ws)) return refuse(why, "split-K workspace too small");

  GemmParams p = base_params(plan, m, n, k, 1);
  p.a = a.x;
  p.b = a.f;
  p.c = a.y;
  p.partial = static_cast<float*>(workspace);
  p.ldb = a.k;
  p.ldc = a.k;
  p.vec_a = a.c % 8 == 0 && aligned(a.x, 16);
  p.vec_b = a.k % 8 == 0 && aligned(a.f, 16);
  p.vec_c = a.k % 2 == 0 && aligned(a.y, 2 * static_cast<std::size_t>(harness::bytes(out)));
  ConvGeometry g;
  g.n = a.n;
  g.h = a.h;
  g.w = a.w;
  g.c = a.c;
  g.k = a.k;
  g.r = a.r;
  g.s = a.s;
  g.p = a.p();
  g.q = a.q();
  g.stride_h = g.stride_w = a.stride;
  g.pad_h = g.pad_w = a.pad;
  g.dil_h = g.dil_w = a.dilation;
  return set->launch(plan.cfg.id, p, g, stream);
}

cudaError_t prepare_kernels() {
  for (const auto& set : {detail::gemm_bf16_bf16(), detail::gemm_bf16_fp32(), detail::gemm_fp16_fp16(),
                          detail::gemm_fp16_fp32(), detail::conv_bf16_bf16(), detail::conv_fp16_fp16()})
    if (const cudaError_t e = set.prepare(); e != cudaSuccess) return e;
  return cudaSuccess;
}

cudaError_t kernel_resources(DType in, DType out, int config_id, bool conv, KernelResources* r) {
  const auto set = pick(in, out, conv);
  if (!set || r == nullptr) return cudaErrorInvalidValue;
  return set->resources(config_id, r);
}

}  // namespace npusim::validate::kernels
