// Host API of the project's GPU kernels (host C++ may include this; the kernels are in the .cu
// files of npusim_gpu_kernels). Every call runs exactly the given compiler::Plan: the configuration,
// split-K and the grid it implies; a plan the kernels cannot run is refused, not adapted.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "compiler/gpu_tiling.h"
#include "validate/harness/dtype.h"

namespace npusim::validate::kernels {

using harness::DType;

// C (m x n) = A (m x k) B (k x n), all row-major, `batch` products stride_* elements apart
struct GemmArgs {
  int m = 0, n = 0, k = 0, batch = 1;
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
  long long lda = 0, ldb = 0, ldc = 0;
  long long stride_a = 0, stride_b = 0, stride_c = 0;
};

// y (N x P x Q x K) = conv(x (N x H x W x C), f (R x S x C x K)), groups = 1
struct ConvArgs {
  int n = 0, h = 0, w = 0, c = 0, k = 0, r = 1, s = 1;
  int stride = 1, pad = 0, dilation = 1;
  const void* x = nullptr;
  const void* f = nullptr;
  void* y = nullptr;
  int p() const { return (h + 2 * pad - dilation * (r - 1) - 1) / stride + 1; }
  int q() const { return (w + 2 * pad - dilation * (s - 1) - 1) / stride + 1; }
};

// fp32 workspace the plan needs (the split-K partials), bytes; 0 without split-K
std::size_t workspace_bytes(const compiler::Plan& plan, long long m, long long n);

// Type pairs: in bf16 or fp16; out the same type or fp32 (GEMM), the same type (conv).
// Returns cudaErrorInvalidValue (and `why`, when given) for a plan whose configuration is not
// instantiated or differs from kGemmConfigs, a plan for another shape (ctas, batch), a missing
// or too small workspace, an unsupported type pair, or sizes past the kernels' 32-bit indexing.
cudaError_t gemm(DType in, DType out, const compiler::Plan& plan, const GemmArgs& args, void* workspace,
                 std::size_t workspace_size, cudaStream_t stream, std::string* why = nullptr);
cudaError_t conv2d(DType in, DType out, const compiler::Plan& plan, const ConvArgs& args, void* workspace,
                   std::size_t workspace_size, cudaStream_t stream, std::string* why = nullptr);

// Once per process, before the first launch: raises the dynamic shared-memory limit of every
// instantiation (the pipelines use up to 72 KiB).
cudaError_t prepare_kernels();

// What the hardware gives one instantiation: the occupancy API's CTAs per SM at the pipeline's
// shared memory, and the compiled registers per thread, local (spill) memory, threads.
struct KernelResources {
  int ctas_per_sm = 0, regs = 0, threads = 0;
  std::size_t local_bytes = 0, dynamic_smem = 0;
};
cudaError_t kernel_resources(DType in, DType out, int config_id, bool conv, KernelResources* r);

}  // namespace npusim::validate::kernels
