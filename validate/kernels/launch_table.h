// The functions each instantiating .cu file exports (one KernelSet per type pair and A loader);
// kernels.cpp picks one by type. Host C++.
#pragma once

#include <cuda_runtime.h>

#include "validate/kernels/kernel_params.h"
#include "validate/kernels/kernels.h"

namespace npusim::validate::kernels::detail {

struct KernelSet {
  cudaError_t (*launch)(int config_id, const GemmParams&, const ConvGeometry&, cudaStream_t);
  cudaError_t (*prepare)();
  cudaError_t (*resources)(int config_id, KernelResources*);
};

// one per inst_<name>.cu
KernelSet gemm_bf16_bf16();
KernelSet gemm_bf16_fp32();
KernelSet gemm_fp16_fp16();
KernelSet gemm_fp16_fp32();
KernelSet conv_bf16_bf16();
KernelSet conv_fp16_fp16();

}  // namespace npusim::validate::kernels::detail
