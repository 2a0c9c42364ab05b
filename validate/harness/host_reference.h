// The self-test's float64 references on the CPU: a batched GEMM and an NHWC convolution, from
// operands already decoded to double. Host-only C++ (tests/validate checks them without a GPU).
#pragma once

#include <cstdint>
#include <vector>

#include "validate/harness/suite.h"

namespace npusim::validate::harness {

// C_z (m x n) = A_z (m x k) B_z (k x n) for z < batch; a is batch x m x k, b batch x k x n, row-major.
std::vector<double> gemm_fp64(const std::vector<double>& a, const std::vector<double>& b, std::int64_t m,
                              std::int64_t n, std::int64_t k, std::int64_t batch);

// The convolution of `s` (groups = 1): x is N x H x W x C, f is R x S x C x K; the output is
// N x P x Q x K, i.e. the implicit GEMM's gemm_m() x gemm_n().
std::vector<double> conv_fp64(const std::vector<double>& x, const std::vector<double>& f, const ConvShape& s);

}  // namespace npusim::validate::harness
