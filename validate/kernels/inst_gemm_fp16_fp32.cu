// The GEMM kernel for fp16->fp32, every configuration of kInstantiatedConfigIds (one file per
// type pair, so that a parallel build compiles them side by side).
#include "validate/kernels/dispatch.cuh"

namespace npusim::validate::kernels::detail {
KernelSet gemm_fp16_fp32() { return Instantiations<__half, float, DenseA>::table(); }
}  // namespace npusim::validate::kernels::detail
