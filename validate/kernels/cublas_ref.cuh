// cuBLAS and cuBLASLt as the reference peers of the project's GEMM (host-callable declarations;
// implementation in cublas_ref.cu). Both compute the same row-major C = A B as kernels::gemm, by the
// usual transposition: column-major C^T (n x m) = B^T (n x k) A^T (k x m), fp32 compute type.
//   cuBLAS:   cublasGemmEx / cublasGemmStridedBatchedEx, CUBLAS_GEMM_DEFAULT (the library's own
//             choice), a 32 MiB workspace set with cublasSetWorkspace
//   cuBLASLt: cublasLtMatmul with the first algorithm of cublasLtMatmulAlgoGetHeuristic under a
//             32 MiB workspace limit (strided batches through the layouts' batch attributes)
// The convolution peer is explicit: an im2col kernel materialises the (N P Q) x (R S C) matrix
// (skipped for 1 x 1, stride 1, unpadded layers, whose input already is that matrix) and cuBLAS
// multiplies it by the R S C x K filter matrix.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <memory>
#include <string>

#include "validate/kernels/kernels.h"

namespace npusim::validate::kernels {

struct CublasVersions {
  int cublas = 0;         // cublasGetVersion, e.g. 130100
  std::size_t cublaslt = 0;  // cublasLtGetVersion
};

class CublasPeer {
 public:
  // creates the handles and the workspace on the current device, bound to `stream`;
  // throws std::runtime_error on failure
  explicit CublasPeer(cudaStream_t stream);
  ~CublasPeer();
  CublasPeer(const CublasPeer&) = delete;
  CublasPeer& operator=(const CublasPeer&) = delete;

  CublasVersions versions() const;

  // cuBLAS GEMM; false with the status in *why on failure
  bool gemm(DType in, DType out, const GemmArgs& a, std::string* why);

  // cuBLASLt: pick the heuristic's algorithm for this problem (once per shape, before timing),
  // then run it; `algo` describes the choice (algorithm id, tile, stages, split-K as cuBLASLt
  // reports them) for the CSV
  bool lt_select(DType in, DType out, const GemmArgs& a, std::string* algo, std::string* why);
  bool lt_run(const GemmArgs& a, std::string* why);

  // the convolution peer: im2col (when needed) into `col` (at least col_bytes(a) bytes) + cuBLAS
  static std::size_t col_bytes(DType in, const ConvArgs& a);
  bool conv2d(DType in, const ConvArgs& a, void* col, std::string* why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace npusim::validate::kernels
