#include "compiler/gpu_layers.h"

namespace npusim::compiler {

GpuLayerTime gpu_layer_time(const GpuParams& g, const Layer& L, DType dtype) {
  GpuLayerTime t;
  if (L.cls == LayerClass::Gemm) {
    if (L.conv && L.G == 1) {
      const ConvGeometry& c = *L.conv;
      ConvProblem p;
      p.n = c.batch, p.h = c.in_h, p.w = c.in_w, p.c = c.channels, p.k = L.N, p.r = c.kh, p.s = c.kw;
      p.stride = c.stride_h, p.pad = c.pad_top, p.dilation = c.dil_h;
      p.dtype = dtype;
      p.out_bytes = static_cast<std::int32_t>(bytes_of(dtype));
      const KernelPrediction k = predict_conv(g, p, gpu_plan(g, p.gemm()), MathPath::FullRate);
      return {k.seconds, k.dram_bytes, k.bound};
    }
    // Matmuls, batched matmuls and grouped convolutions: one (batched) GEMM of the layer's view.
    GemmProblem p;
    p.m = L.M, p.n = L.N, p.k = L.K, p.batch = L.G;
    p.dtype = dtype;
    p.out_bytes = static_cast<std::int32_t>(bytes_of(dtype));
    const KernelPrediction k = predict_gemm(g, p, gpu_plan(g, p), MathPath::FullRate);
    return {k.seconds, k.dram_bytes, k.bound};
  }
  t.dram_bytes = double(L.in_bytes + L.side_bytes + L.out_bytes);
  t.seconds = g.launch_s + g.dram_latency_s + t.dram_bytes / g.dram_bytes_per_s;
  t.bound = "memory";
  return t;
}

}  // namespace npusim::compiler
