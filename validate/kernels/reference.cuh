// The reference side of the checks (host-callable declarations; the kernels are in reference.cu):
// random inputs, poisoned outputs, a plain GEMM and a direct convolution on the GPU with fp32
// accumulation, and the comparison of an output with the reference (validate/harness/
// error_bound.h defines the statistics and the bounds).
//
// The reference kernels are deliberately simple (no tensor cores, no cp.async, no split-K: one
// fp32 fused multiply-add after another, in k order) so that they share no code path with the
// kernels they check; the harness's self-test checks them in turn against float64 on the CPU.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "validate/harness/error_bound.h"
#include "validate/kernels/kernels.h"

namespace npusim::validate::kernels {

// n elements of type t, uniform in [lo, hi] (rounded to t), from a counter-based hash of
// (seed, index): the same seed gives the same data on any launch configuration
cudaError_t fill_random(DType t, void* p, std::size_t n, std::uint64_t seed, float lo, float hi, cudaStream_t s);

// n elements of type t set to NaN (every bit one), so that an element a kernel does not write
// fails the comparison
cudaError_t poison(DType t, void* p, std::size_t n, cudaStream_t s);

// ref[b][i][j] = sum_k A[b][i][k] B[b][k][j] in fp32, dense [batch][m][n]
cudaError_t reference_gemm(DType in, const GemmArgs& a, float* ref, cudaStream_t s);

// ref[n][p][q][k] (dense NHWC) = the convolution of x with f (layouts of ConvArgs) in fp32
cudaError_t reference_conv(DType in, const ConvArgs& a, float* ref, cudaStream_t s);

// Compares y (type `out`; `batch` matrices of rows x cols, leading dimension ld, `stride`
// elements apart) with the dense fp32 reference; `scratch` is device memory for one ErrorStats.
// Synchronises the stream and returns the statistics in *result.
cudaError_t compare(DType out, const void* y, long long rows, long long cols, long long ld, long long batch,
                    long long stride, const float* ref, harness::ErrorStats* scratch, harness::ErrorStats* result,
                    cudaStream_t s);

}  // namespace npusim::validate::kernels
