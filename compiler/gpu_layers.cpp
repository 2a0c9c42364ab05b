#include "compiler/gpu_layers.h"

#include <algorithm>
#include <cmath>

namespace npusim::compiler {

GpuLayerTime gpu_layer_time(const GpuParams& g, const Layer& L, DType dtype) {
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
    // Matmuls, batched matmuls and grouped convolutions: one (batched) library GEMM.
    GemmProblem p;
    p.m = L.M, p.n = L.N, p.k = L.K, p.batch = L.G;
    p.dtype = dtype;
    p.out_bytes = static_cast<std::int32_t>(bytes_of(dtype));
    const LibraryGemmPrediction k = predict_library_gemm(g, p, Timer::Events);
    return {k.seconds, k.dram_bytes, k.bound};
  }
  MemoryOp op;
  op.dtype = dtype;
  op.rows = std::max<std::int64_t>(1, L.rows);
  op.cols = std::max<std::int64_t>(1, L.row_elems);
  using workloads::OpKind;
  switch (L.op) {
    case OpKind::Softmax:
    case OpKind::SoftmaxGrad: op.kind = MemoryOpKind::Softmax; break;
    case OpKind::Norm:
    case OpKind::NormGrad: op.kind = L.side_once_bytes > op.cols * bytes_of(dtype) ? MemoryOpKind::LayerNorm
                                                                                      : MemoryOpKind::RmsNorm;
      break;
    default: op.kind = MemoryOpKind::Elementwise; break;
  }
  // As many input streams as the layer reads bytes per byte it writes.
  const double out = std::max<double>(1, double(op.rows) * double(op.cols) * double(bytes_of(dtype)));
  op.inputs = std::max(1, static_cast<int>(std::lround(double(L.in_bytes + L.side_bytes) / out)));
  const MemoryOpPrediction m = predict_memory_op(g, op, Timer::Events);
  return {m.seconds, m.bytes, m.bound};
}

}  // namespace npusim::compiler
