// A lowered layer's time on a GPU (an architecture with a gpu block), as a framework would run it
// back to back (compiler/gpu_model.h): matmuls and batched matmuls as library GEMMs
// (predict_library_gemm), convolutions as implicit-GEMM kernels, softmax and norms (and their
// backward) as row-wise memory-bound kernels, every other vector, gather or data-movement layer
// as an elementwise streaming kernel over its bytes (predict_memory_op); each with its launch.
// Used where a GPU is one chip of many (system/).
#pragma once

#include <string>

#include "compiler/gpu_model.h"
#include "compiler/layer.h"

namespace npusim::compiler {

struct GpuLayerTime {
  double seconds = 0;
  double dram_bytes = 0;
  std::string bound;
};

GpuLayerTime gpu_layer_time(const GpuParams& g, const Layer& L, DType dtype);

}  // namespace npusim::compiler
