// The measurement suite: the GEMM shapes (>= 300: transformer projections, MLPs, attention batched
// matmuls, skinny decode shapes, squares 256..16384, sizes that are not multiples of 128) and the
// convolution layers of ResNet-50, each with the plan the project's kernel runs for it.
// Host-only C++: the tests check the suite without a GPU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/gpu_tiling.h"
#include "validate/harness/dtype.h"

namespace npusim::validate::harness {

enum class Category { projection, mlp, attention, decode, square, odd };
inline constexpr Category kCategories[] = {Category::projection, Category::mlp,    Category::attention,
                                           Category::decode,     Category::square, Category::odd};
std::string_view name(Category c);

// C (m x n) = A (m x k) B (k x n), `batch` of them (a batched matmul when batch > 1)
struct GemmShape {
  std::string name;  // unique, e.g. "llama-7b.mlp_down.t2048", "attn.bert-base.qk.s512.b8"
  Category category = Category::square;
  std::int64_t m = 0, n = 0, k = 0, batch = 1;
  double flops() const { return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(batch); }
};

std::vector<GemmShape> gemm_suite();

// A convolution layer, NHWC input, R x S x C x K filters, groups = 1.
struct ConvShape {
  std::string name;    // the first layer with this shape, e.g. "layer1.0.conv2" (workloads/ names)
  std::string layers;  // every ResNet-50 layer with this shape, ';'-separated
  int count = 1;       // how many
  std::int64_t n = 1, h = 0, w = 0, c = 0, k = 0, r = 1, s = 1, stride = 1, pad = 0, dilation = 1;
  std::int64_t p() const { return (h + 2 * pad - dilation * (r - 1) - 1) / stride + 1; }
  std::int64_t q() const { return (w + 2 * pad - dilation * (s - 1) - 1) / stride + 1; }
  // the implicit GEMM: M = N P Q, N = K, K = R S C
  std::int64_t gemm_m() const { return n * p() * q(); }
  std::int64_t gemm_n() const { return k; }
  std::int64_t gemm_k() const { return r * s * c; }
  double flops() const { return 2.0 * static_cast<double>(gemm_m()) * static_cast<double>(gemm_n()) * static_cast<double>(gemm_k()); }
};

// ResNet-50 v1.5 (torchvision; the layer names of workloads/models/resnet50.cpp), 224 x 224,
// its distinct convolution shapes at one batch size, in network order.
std::vector<ConvShape> resnet50_convs(std::int64_t batch);
// the conv suite: ResNet-50 at batch 1 and 32
std::vector<ConvShape> conv_suite();

// The plan the project's kernel runs: compiler::choose_plan with the batch.
compiler::Plan plan_for(const GemmShape& g, DType in, const compiler::GpuLimits& limits);
compiler::Plan plan_for(const ConvShape& c, DType in, const compiler::GpuLimits& limits);

// "NVIDIA H100 80GB HBM3" -> "nvidia-h100-80gb-hbm3": the folder name under validate/data/
std::string gpu_slug(std::string_view gpu_name);

}  // namespace npusim::validate::harness
