// The GEMM kernel for bf16->fp32, every configuration of kInstantiatedConfigIds (one file per
// type pair, so that a parallel build compiles them side by side).
#include "validate/kernels/dispatch.cuh"

namespace npusim::validate::kernels::detail {
KernelSet gemm_bf16_fp32() { return Instantiations<__nv_bfloat16, float, DenseA>::table(); }
}  // namespace npusim::validate::kernels::detail
