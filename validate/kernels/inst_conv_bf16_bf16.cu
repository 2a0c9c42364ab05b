// The convolution kernel for bf16->bf16, every configuration of kInstantiatedConfigIds (one file per
// type pair, so that a parallel build compiles them side by side).
#include "validate/kernels/dispatch.cuh"

namespace npusim::validate::kernels::detail {
KernelSet conv_bf16_bf16() { return Instantiations<__nv_bfloat16, __nv_bfloat16, ConvA>::table(); }
}  // namespace npusim::validate::kernels::detail
