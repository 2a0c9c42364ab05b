// The launch parameters of the project's GEMM kernel (gemm.cuh) and of its implicit-GEMM
// convolution (conv2d.cuh). Plain data, includable from host C++.
#pragma once

namespace npusim::validate::kernels {

struct GemmParams {
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
  float* partial = nullptr;  // split_k > 1: [batch][split_k][m][n] fp32
  int m = 0, n = 0, k = 0;
  long long lda = 0, ldb = 0, ldc = 0;
  long long stride_a = 0, stride_b = 0, stride_c = 0;  // elements between the batch's matrices
  int batch = 1, split_k = 1, k_per_split = 0;
  int tiles_m = 0, tiles_n = 0;
  int vec_a = 0, vec_b = 0, vec_c = 0;  // 16-byte (A, B) and pair (C) accesses allowed
};

// convolution geometry for the implicit-GEMM A loader (conv2d.cuh); unused by the plain GEMM
struct ConvGeometry {
  int n = 0, h = 0, w = 0, c = 0;  // input NHWC
  int k = 0, r = 0, s = 0;         // filters R x S x C x K ("HWIO")
  int p = 0, q = 0;                // output height, width
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1;
};

}  // namespace npusim::validate::kernels
