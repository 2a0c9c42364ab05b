// A lowered layer's time on a GPU (an architecture with a gpu block), as a library would run it:
// GEMMs and convolutions as one kernel each on the GPU kernel model (compiler/gpu_model.h, the
// library path: full tensor-core rate), batched matmuls as one batched GEMM; vector, gather and
// data-movement layers as one memory-bound kernel (a launch, the DRAM latency, and every byte
// read and written at the DRAM bandwidth). Used where a GPU is one chip of many (system/).
#pragma once

#include "compiler/gpu_model.h"
#include "compiler/layer.h"

namespace npusim::compiler {

struct GpuLayerTime {
  double seconds = 0;
  double dram_bytes = 0;
  std::string bound;  // "tensor", "l2", "dram", or "memory" for a memory-bound kernel
};

GpuLayerTime gpu_layer_time(const GpuParams& g, const Layer& L, DType dtype);

}  // namespace npusim::compiler
