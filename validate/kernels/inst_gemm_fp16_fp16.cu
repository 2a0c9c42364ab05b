// The GEMM kernel for fp16->fp16, every configuration of kInstantiatedConfigIds (one file per
// type pair, so that a parallel build compiles them side by side).
#include "validate/kernels/dispatch.cuh"

namespace npusim::validate::kernels::detail {
KernelSet gemm_fp16_fp16() { return Instantiations<__half, __half, DenseA>::table(); }
}  // namespace npusim::validate::kernels::detail
