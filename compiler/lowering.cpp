#include "compiler/layer.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::compiler {

using workloads::OpKind;
using workloads::TensorId;

std::string_view name_of(LayerClass c) {
  switch (c) {
    case LayerClass::Gemm: return "gemm";
    case LayerClass::Vector: return "vector";
    case LayerClass::Gather: return "gather";
    case LayerClass::DataMove: return "datamove";
  }
  return "?";
}

VecOps eltwise_ops(workloads::EltFn fn) {
  // {elementwise, transcendental, reduction} lane operations per element.
  switch (fn) {
    case workloads::EltFn::Add:
    case workloads::EltFn::Mul:
    case workloads::EltFn::Sub:
    case workloads::EltFn::Relu: return {1, 0, 0};
    case workloads::EltFn::Relu6:
    case workloads::EltFn::Clip: return {2, 0, 0};  // max, min
    case workloads::EltFn::Gelu: return {7, 1, 0};  // tanh approximation: 7 mul/add + tanh
    case workloads::EltFn::Silu: return {3, 1, 0};  // x * 1/(1+exp(-x))
    case workloads::EltFn::Div: return {1, 1, 0};   // reciprocal, multiply
    case workloads::EltFn::Pow: return {1, 2, 0};   // exp(b * log(a))
    case workloads::EltFn::Sqrt:
    case workloads::EltFn::Tanh:
    case workloads::EltFn::Exp:
    case workloads::EltFn::Erf: return {0, 1, 0};
    case workloads::EltFn::Sigmoid: return {1, 2, 0};      // 1/(1+exp(-x))
    case workloads::EltFn::HardSigmoid: return {3, 0, 0};  // a*x+b, max, min
    case workloads::EltFn::HardSwish: return {4, 0, 0};    // x * hardsigmoid(x)
  }
  return {0, 0, 0};
}

VecOps eltwise_grad_ops(workloads::EltFn fn) {
  // f'(x) recomputed from x, times dY.
  switch (fn) {
    case workloads::EltFn::Relu: return {2, 0, 0};   // compare, select
    case workloads::EltFn::Relu6: return {3, 0, 0};  // two compares, select
    case workloads::EltFn::Gelu: return {14, 1, 0};  // tanh approximation again, its derivative, the product
    case workloads::EltFn::Silu: return {7, 1, 0};   // sigmoid s, s * (1 + x * (1 - s)), the product
    case workloads::EltFn::Sigmoid: return {4, 2, 0};      // s again, s * (1 - s), the product
    case workloads::EltFn::Tanh: return {3, 1, 0};         // t again, 1 - t * t, the product
    case workloads::EltFn::Sqrt: return {2, 1, 0};         // 0.5 / sqrt(x), the product
    case workloads::EltFn::Exp: return {1, 1, 0};          // exp(x) again, the product
    case workloads::EltFn::Erf: return {3, 1, 0};          // 2/sqrt(pi) * exp(-x * x), the product
    case workloads::EltFn::Clip: return {3, 0, 0};         // two compares, select
    case workloads::EltFn::HardSigmoid: return {4, 0, 0};  // two compares, select, scale
    case workloads::EltFn::HardSwish: return {6, 0, 0};    // compares, the linear piece, selects
    case workloads::EltFn::Add:
    case workloads::EltFn::Mul:
    case workloads::EltFn::Sub:
    case workloads::EltFn::Div:
    case workloads::EltFn::Pow: break;  // binary: differentiated as element-wise products (training.cpp)
  }
  return {0, 0, 0};
}

VecOps optimizer_ops(workloads::OptimizerKind k) {
  // Per parameter, fp32: SGD w -= lr * g (2) and the low-precision copy (1). Adam: m and v
  // updates (7), bias corrections (2), sqrt and eps (1 + 1 transcendental), the step (3), the
  // copy (1); AdamW adds the decoupled weight decay (2). Calculon counts about 11 for Adam.
  switch (k) {
    case workloads::OptimizerKind::Sgd: return {3, 0, 0};
    case workloads::OptimizerKind::Adam: return {14, 1, 0};
    case workloads::OptimizerKind::AdamW: return {16, 1, 0};
  }
  return {0, 0, 0};
}

namespace {

void add_ops(VecOps& acc, const VecOps& more) {
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += more[i];
}

// Bytes of a conv input actually read: input rows and columns touched by some kernel tap.
std::int64_t touched(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride, std::int64_t pad,
                     std::int64_t dil) {
  std::vector<bool> used(static_cast<std::size_t>(in), false);
  for (std::int64_t o = 0; o < out; ++o)
    for (std::int64_t r = 0; r < k; ++r) {
      std::int64_t p = o * stride - pad + r * dil;
      if (p >= 0 && p < in) used[static_cast<std::size_t>(p)] = true;
    }
  return std::count(used.begin(), used.end(), true);
}

bool is_gemm(OpKind k) { return k == OpKind::Conv2d || k == OpKind::MatMul || k == OpKind::BatchedMatMul; }

// Training ops whose inputs stream row by row with the output (see the override below).
bool is_training_stream(OpKind k) {
  return k == OpKind::EltwiseGrad || k == OpKind::SoftmaxGrad || k == OpKind::NormGrad || k == OpKind::PoolGrad ||
         k == OpKind::ScatterAdd || k == OpKind::OptimizerStep;
}

}  // namespace

VecOps Layer::vector_ops() const {
  VecOps v{};
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = checked_add(checked_mul(ops_per_elem[i], out_elems, name), checked_mul(ops_per_row[i], rows, name), name);
  return v;
}

LayerGraph lower(const workloads::Graph& g) {
  LayerGraph lg;
  const auto& tensors = g.tensors();
  lg.producer.assign(tensors.size(), -1);
  lg.is_view.assign(tensors.size(), false);
  // tensor -> layers producing it once views are resolved (a concat has several)
  std::vector<std::vector<std::int32_t>> producers(tensors.size());

  auto consumers_of = [&](TensorId t) { return g.consumers(t); };
  auto deps_of = [&](const std::vector<TensorId>& ins) {
    std::vector<std::int32_t> d;
    for (TensorId t : ins)
      for (std::int32_t p : producers[static_cast<std::size_t>(t)])
        if (std::find(d.begin(), d.end(), p) == d.end()) d.push_back(p);
    std::sort(d.begin(), d.end());
    return d;
  };
  auto set_output = [&](std::int32_t layer, TensorId t) {
    producers[static_cast<std::size_t>(t)] = {layer};
    lg.producer[static_cast<std::size_t>(t)] = layer;
  };

  std::vector<bool> done(g.ops().size(), false);
  for (std::size_t i = 0; i < g.ops().size(); ++i) {
    if (done[i]) continue;
    const workloads::Op& op = g.op(i);
    const workloads::Tensor& out_t = g.tensor(op.output);

    // Views: no data movement, the output aliases its inputs.
    // Collectives move data between chips, not on this one: on one chip they are views.
    bool view = op.kind == OpKind::Reshape || op.kind == OpKind::Concat || op.kind == OpKind::Slice ||
                op.kind == OpKind::Comm;
    if (op.kind == OpKind::Transpose) {
      // A layout transpose next to a GEMM is absorbed by the DMA addressing of that GEMM.
      bool near_gemm = false;
      const workloads::Tensor& in_t = g.tensor(op.inputs[0]);
      if (in_t.producer >= 0 && is_gemm(g.op(static_cast<std::size_t>(in_t.producer)).kind)) near_gemm = true;
      for (std::int32_t c : consumers_of(op.output))
        if (is_gemm(g.op(static_cast<std::size_t>(c)).kind)) near_gemm = true;
      view = near_gemm;
    }
    if (view) {
      std::vector<std::int32_t> src;
      for (TensorId t : op.inputs)
        for (std::int32_t p : producers[static_cast<std::size_t>(t)])
          if (std::find(src.begin(), src.end(), p) == src.end()) src.push_back(p);
      producers[static_cast<std::size_t>(op.output)] = src;
      lg.producer[static_cast<std::size_t>(op.output)] = src.size() == 1 ? src.front() : -1;
      lg.is_view[static_cast<std::size_t>(op.output)] = true;
      done[i] = true;
      continue;
    }

    Layer L;
    L.name = op.name;
    L.op = op.kind;
    L.graph_ops = {static_cast<std::int32_t>(i)};
    L.dtype = g.dtype();
    L.macs = op.macs;
    // Inputs of a different size than the output (padding, resizing, col2im, opaque ops) stream
    // with the output rows rather than being held once per core.
    bool stream_inputs = false;
    switch (op.kind) {
      case OpKind::Conv2d: {
        const auto& a = op.as<workloads::Conv2dAttrs>();
        const workloads::Tensor& x = g.tensor(op.inputs[0]);
        ConvGeometry cg;
        cg.batch = x.shape[0];
        cg.in_h = x.shape[2], cg.in_w = x.shape[3];
        cg.out_h = out_t.shape[2], cg.out_w = out_t.shape[3];
        cg.kh = a.kh, cg.kw = a.kw, cg.stride_h = a.stride_h, cg.stride_w = a.stride_w;
        cg.pad_top = a.pad_top, cg.pad_left = a.pad_left, cg.dil_h = a.dil_h, cg.dil_w = a.dil_w;
        cg.channels = x.shape[1] / a.groups;
        L.cls = LayerClass::Gemm;
        L.conv = cg;
        L.G = a.groups;
        L.M = checked_product({cg.batch, cg.out_h, cg.out_w}, op.name);
        L.N = out_t.shape[1] / a.groups;
        L.K = checked_product({cg.channels, cg.kh, cg.kw}, op.name);
        L.a = op.inputs[0];
        L.b = op.inputs[1];
        const std::int64_t rows = touched(cg.in_h, cg.out_h, cg.kh, cg.stride_h, cg.pad_top, cg.dil_h);
        const std::int64_t cols = touched(cg.in_w, cg.out_w, cg.kw, cg.stride_w, cg.pad_left, cg.dil_w);
        L.a_bytes = checked_product({cg.batch, x.shape[1], rows, cols, bytes_of(x.dtype)}, op.name);
        L.b_bytes = g.tensor(L.b).bytes();
        if (a.bias) L.side_inputs.push_back(op.inputs[2]);
        break;
      }
      case OpKind::MatMul: {
        const workloads::Tensor& x = g.tensor(op.inputs[0]);
        const workloads::Tensor& w = g.tensor(op.inputs[1]);
        L.cls = LayerClass::Gemm;
        L.K = x.shape.back();
        L.N = out_t.shape.back();
        L.M = x.elements() / L.K;
        L.a = op.inputs[0];
        L.b = op.inputs[1];
        L.a_bytes = x.bytes();
        L.b_bytes = w.bytes();
        if (op.as<workloads::MatMulAttrs>().bias) L.side_inputs.push_back(op.inputs[2]);
        break;
      }
      case OpKind::BatchedMatMul: {
        const workloads::Tensor& x = g.tensor(op.inputs[0]);
        const workloads::Tensor& y = g.tensor(op.inputs[1]);
        const std::size_t r = x.shape.size();
        L.cls = LayerClass::Gemm;
        L.M = x.shape[r - 2];
        L.K = x.shape[r - 1];
        L.N = out_t.shape[r - 1];
        L.G = out_t.elements() / (L.M * L.N);  // the broadcast batch
        L.a = op.inputs[0];
        L.b = op.inputs[1];
        L.a_bytes = x.bytes();
        L.b_bytes = y.bytes();
        break;
      }
      case OpKind::Elementwise: {
        const auto fn = op.as<workloads::EltwiseAttrs>().fn;
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        add_ops(L.ops_per_elem, eltwise_ops(fn));
        break;
      }
      case OpKind::Pool: {
        const auto& a = op.as<workloads::PoolAttrs>();
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        // Each output element folds kh*kw inputs; average pooling scales once more.
        add_ops(L.ops_per_elem, {a.fn == workloads::PoolFn::Avg ? 1 : 0, 0, a.kh * a.kw});
        L.rows = out_t.shape[0] * out_t.shape[1];  // one (image, channel) plane per row
        L.row_elems = out_t.shape[2] * out_t.shape[3];
        L.whole_rows = true;  // a window needs its neighbours: planes are not split
        break;
      }
      case OpKind::Softmax: {
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        L.whole_rows = true;
        add_ops(L.ops_per_elem, {2, 1, 2});  // max, sub, exp, sum, scale
        break;
      }
      case OpKind::Norm: {
        const bool ln = op.as<workloads::NormAttrs>().fn == workloads::NormFn::LayerNorm;
        L.cls = LayerClass::Vector;
        L.inputs = {op.inputs[0]};
        for (std::size_t k = 1; k < op.inputs.size(); ++k) L.side_inputs.push_back(op.inputs[k]);
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        // LayerNorm: mean and variance reductions, centre, square, scale, gamma, beta.
        // RMSNorm: sum of squares, square, scale, gamma. One rsqrt per row.
        L.whole_rows = true;
        add_ops(L.ops_per_elem, ln ? VecOps{5, 0, 2} : VecOps{3, 0, 1});
        add_ops(L.ops_per_row, {0, 1, 0});
        break;
      }
      case OpKind::Embedding: {
        L.cls = LayerClass::Gather;
        L.inputs = {op.inputs[0]};
        L.side_inputs = {};
        L.rows = g.tensor(op.inputs[0]).elements();
        L.row_elems = out_t.shape.back();
        break;
      }
      case OpKind::Transpose:
      case OpKind::Pad: {
        L.cls = LayerClass::DataMove;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        stream_inputs = op.kind == OpKind::Pad;  // a padded row reads a shorter one
        break;
      }
      case OpKind::Gather: {  // one row of the data per gathered index
        const auto axis = static_cast<std::size_t>(op.as<workloads::GatherAttrs>().axis);
        const workloads::Tensor& x = g.tensor(op.inputs[0]);
        L.cls = LayerClass::Gather;
        L.inputs = {op.inputs[1], op.inputs[0]};  // the indices, then the data (a dependency when produced)
        L.row_elems = 1;
        for (std::size_t d = axis + 1; d < x.shape.size(); ++d) L.row_elems *= x.shape[d];
        L.rows = out_t.elements() / L.row_elems;
        break;
      }
      case OpKind::Resize: {  // one output plane per row: interpolation reads neighbours
        const auto mode = op.as<workloads::ResizeAttrs>().mode;
        const std::size_t r = out_t.shape.size();
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = r >= 2 ? out_t.shape[r - 2] * out_t.shape[r - 1] : out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        // nearest: an index computation per element; linear: 3 lerps (2 ops each) in 2-D;
        // cubic: 4x4 taps, a multiply-add each.
        add_ops(L.ops_per_elem, mode == workloads::ResizeMode::Nearest  ? VecOps{1, 0, 0}
                                : mode == workloads::ResizeMode::Linear ? VecOps{6, 0, 0}
                                                                        : VecOps{32, 0, 0});
        stream_inputs = true;
        break;
      }
      case OpKind::Reduce: {  // one output element per row, folding R inputs
        const auto fn = op.as<workloads::ReduceAttrs>().fn;
        const std::int64_t R = g.tensor(op.inputs[0]).elements() / out_t.elements();
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = 1;
        L.rows = out_t.elements();
        using workloads::ReduceFn;
        const std::int64_t pre = fn == ReduceFn::SumSquare || fn == ReduceFn::L1 || fn == ReduceFn::L2 ? R : 0;
        add_ops(L.ops_per_elem, {pre + (fn == ReduceFn::Mean ? 1 : 0), fn == ReduceFn::L2 ? 1 : 0, R});
        break;
      }
      case OpKind::Col2Im: {  // every column element is added into one output element
        const workloads::Tensor& cols = g.tensor(op.inputs[0]);
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.rows = out_t.shape[0] * out_t.shape[1];
        L.row_elems = out_t.shape[2] * out_t.shape[3];
        add_ops(L.ops_per_row, {cols.elements() / L.rows, 0, 0});
        stream_inputs = true;
        break;
      }
      case OpKind::Opaque: {  // no model of its own: the vector unit streams its bytes
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        add_ops(L.ops_per_elem, {1, 0, 0});
        stream_inputs = true;
        break;
      }
      case OpKind::EltwiseGrad: {  // dX = dY * f'(X), f' recomputed from X
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        add_ops(L.ops_per_elem, eltwise_grad_ops(op.as<workloads::EltwiseGradAttrs>().fn));
        break;
      }
      case OpKind::SoftmaxGrad: {  // dX = Y * (dY - sum(dY * Y)): mul, sum, sub, mul
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        L.whole_rows = true;
        add_ops(L.ops_per_elem, {3, 0, 1});
        break;
      }
      case OpKind::NormGrad: {
        // The row statistics are recomputed from X (as the forward pass computes them), then
        // dxhat = dY * gamma, the row sums of dxhat (LayerNorm) and dxhat * xhat, and
        // dX = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)). One rsqrt per row.
        const bool ln = op.as<workloads::NormGradAttrs>().fn == workloads::NormFn::LayerNorm;
        L.cls = LayerClass::Vector;
        L.inputs = {op.inputs[0], op.inputs[1]};
        L.side_inputs.push_back(op.inputs[2]);
        L.row_elems = out_t.shape.back();
        L.rows = out_t.elements() / L.row_elems;
        L.whole_rows = true;
        add_ops(L.ops_per_elem, ln ? VecOps{10, 0, 4} : VecOps{7, 0, 2});
        add_ops(L.ops_per_row, {0, 1, 0});
        break;
      }
      case OpKind::PoolGrad: {
        // Each input position gathers the gradients of the windows covering it (average: a
        // scaled sum; max: the window's maximum found again and the gradient routed to it).
        const auto& a = op.as<workloads::PoolGradAttrs>().pool;
        const workloads::Tensor& dy = g.tensor(op.inputs[0]);
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.rows = out_t.shape[0] * out_t.shape[1];
        L.row_elems = out_t.shape[2] * out_t.shape[3];
        L.whole_rows = true;
        const std::int64_t windows = ceil_div(dy.shape[2] * dy.shape[3] * a.kh * a.kw, L.row_elems);
        add_ops(L.ops_per_elem, {1, 0, a.fn == workloads::PoolFn::Max ? 2 * windows : windows});
        break;
      }
      case OpKind::ScatterAdd: {  // per row of x: added into its output row
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.rows = g.tensor(op.inputs[0]).elements();
        L.row_elems = out_t.shape.back();
        add_ops(L.ops_per_elem, {1, 0, 0});
        break;
      }
      case OpKind::OptimizerStep: {  // one row per parameter: read its gradient and state, write
        const auto& a = op.as<workloads::OptimizerAttrs>();
        L.cls = LayerClass::Vector;
        L.inputs = op.inputs;
        L.rows = a.params;
        L.row_elems = out_t.shape.back();
        add_ops(L.ops_per_row, optimizer_ops(a.kind));
        break;
      }
      case OpKind::Reshape:
      case OpKind::Concat:
      case OpKind::Slice:
      case OpKind::Comm: break;  // handled as views above
    }

    // Fuse following elementwise ops into this layer while legal: the tensor being extended has
    // exactly one consumer, an elementwise op, and the result keeps its shape.
    TensorId cur = op.output;
    while (true) {
      const workloads::Tensor& ct = g.tensor(cur);
      auto cons = consumers_of(cur);
      if (cons.size() != 1 || std::find(g.outputs().begin(), g.outputs().end(), cur) != g.outputs().end()) break;
      const workloads::Op& next = g.op(static_cast<std::size_t>(cons[0]));
      if (next.kind != OpKind::Elementwise || done[static_cast<std::size_t>(cons[0])]) break;
      if (g.tensor(next.output).shape != ct.shape) break;
      if (L.cls != LayerClass::Gemm && L.cls != LayerClass::Vector) break;
      // A binary op's other operand must already exist (produced before this layer).
      bool ok = true;
      for (TensorId t : next.inputs)
        if (t != cur && g.tensor(t).producer >= static_cast<std::int32_t>(i)) ok = false;
      if (!ok) break;
      for (TensorId t : next.inputs)
        if (t != cur) L.side_inputs.push_back(t);
      add_ops(L.ops_per_elem, eltwise_ops(next.as<workloads::EltwiseAttrs>().fn));
      L.graph_ops.push_back(cons[0]);
      L.fused.push_back(next.name);
      done[static_cast<std::size_t>(cons[0])] = true;
      cur = next.output;
    }
    L.out = cur;
    L.out_bytes = g.tensor(cur).bytes();
    L.out_elems = g.tensor(cur).elements();
    for (TensorId t : L.side_inputs) {
      const workloads::Tensor& st = g.tensor(t);
      L.side_bytes = checked_add(L.side_bytes, st.bytes(), L.name);
      if (st.elements() == L.out_elems)
        L.side_per_elem_bytes += bytes_of(st.dtype);
      else
        L.side_once_bytes = checked_add(L.side_once_bytes, st.bytes(), L.name);
    }
    for (TensorId t : L.inputs) {
      const workloads::Tensor& it = g.tensor(t);
      L.in_bytes = checked_add(L.in_bytes, it.bytes(), L.name);
      if (stream_inputs && it.elements() >= L.rows)
        L.in_row_bytes += ceil_div(it.bytes(), L.rows);
      else if (it.elements() % L.rows == 0 && it.elements() / L.rows >= L.row_elems)
        L.in_row_bytes += it.bytes() / L.rows;
      else
        L.in_once_bytes = checked_add(L.in_once_bytes, it.bytes(), L.name);
    }
    if (is_training_stream(op.kind)) {
      // Every input is streamed with the rows it belongs to (a pool's or a scatter's input rows
      // are shorter than the output's; an optimizer row is one parameter).
      L.in_row_bytes = 0;
      L.in_once_bytes = 0;
      for (TensorId t : L.inputs) {
        const workloads::Tensor& it = g.tensor(t);
        if (it.bytes() % L.rows == 0)
          L.in_row_bytes += it.bytes() / L.rows;
        else
          L.in_once_bytes = checked_add(L.in_once_bytes, it.bytes(), L.name);
      }
      if (op.kind == OpKind::ScatterAdd) {  // read-modify-write of the output rows the ids hit
        L.in_row_bytes += L.row_elems * bytes_of(out_t.dtype);
        L.in_bytes = checked_mul(L.rows, L.in_row_bytes, L.name);
        L.out_elems = checked_mul(L.rows, L.row_elems, L.name);
        L.out_bytes = checked_mul(L.out_elems, bytes_of(out_t.dtype), L.name);
      }
    }
    if (L.cls == LayerClass::Gather) {  // one id and one table row per output row, not the table
      const bool embedding = op.kind == OpKind::Embedding;
      const workloads::Tensor& ids = g.tensor(op.inputs[embedding ? 0 : 1]);
      const workloads::Tensor& table = g.tensor(op.inputs[embedding ? 1 : 0]);
      L.in_row_bytes = bytes_of(ids.dtype) + L.row_elems * bytes_of(table.dtype);
      L.in_once_bytes = 0;
      L.in_bytes = checked_mul(L.rows, L.in_row_bytes, L.name);
    }
    if (L.cls == LayerClass::Gemm) {
      // The accumulator is converted to the output datatype on the way out: one op per element.
      add_ops(L.ops_per_elem, {1, 0, 0});
      if (!L.side_inputs.empty() && op.inputs.size() > 2 && L.side_inputs.front() == op.inputs[2])
        add_ops(L.ops_per_elem, {1, 0, 0});  // bias add
    }
    std::vector<TensorId> reads = L.inputs;
    if (L.a != workloads::kNoTensor) reads.push_back(L.a);
    if (L.b != workloads::kNoTensor) reads.push_back(L.b);
    reads.insert(reads.end(), L.side_inputs.begin(), L.side_inputs.end());
    L.deps = deps_of(reads);
    const auto idx = static_cast<std::int32_t>(lg.layers.size());
    set_output(idx, op.output);
    set_output(idx, cur);
    lg.layers.push_back(std::move(L));
    done[i] = true;
  }
  return lg;
}

}  // namespace npusim::compiler
