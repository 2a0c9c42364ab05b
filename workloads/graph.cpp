#include "workloads/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::workloads {

std::string_view name_of(TensorKind k) {
  switch (k) {
    case TensorKind::Input: return "input";
    case TensorKind::Weight: return "weight";
    case TensorKind::Activation: return "activation";
    case TensorKind::KvCache: return "kv_cache";
    case TensorKind::State: return "state";
    case TensorKind::Random: return "random";
  }
  return "?";
}

std::string_view name_of(OpKind k) {
  switch (k) {
    case OpKind::Conv2d: return "conv2d";
    case OpKind::MatMul: return "matmul";
    case OpKind::BatchedMatMul: return "batched_matmul";
    case OpKind::Elementwise: return "eltwise";
    case OpKind::Pool: return "pool";
    case OpKind::Softmax: return "softmax";
    case OpKind::Norm: return "norm";
    case OpKind::Reshape: return "reshape";
    case OpKind::Transpose: return "transpose";
    case OpKind::Concat: return "concat";
    case OpKind::Embedding: return "embedding";
    case OpKind::Slice: return "slice";
    case OpKind::Gather: return "gather";
    case OpKind::Pad: return "pad";
    case OpKind::Resize: return "resize";
    case OpKind::Reduce: return "reduce";
    case OpKind::Col2Im: return "col2im";
    case OpKind::Opaque: return "opaque";
    case OpKind::EltwiseGrad: return "eltwise_grad";
    case OpKind::SoftmaxGrad: return "softmax_grad";
    case OpKind::NormGrad: return "norm_grad";
    case OpKind::PoolGrad: return "pool_grad";
    case OpKind::ScatterAdd: return "scatter_add";
    case OpKind::OptimizerStep: return "optimizer_step";
    case OpKind::Comm: return "comm";
  }
  return "?";
}

std::string_view name_of(EltFn f) {
  switch (f) {
    case EltFn::Add: return "add";
    case EltFn::Mul: return "mul";
    case EltFn::Relu: return "relu";
    case EltFn::Relu6: return "relu6";
    case EltFn::Gelu: return "gelu";
    case EltFn::Silu: return "silu";
    case EltFn::Sub: return "sub";
    case EltFn::Div: return "div";
    case EltFn::Pow: return "pow";
    case EltFn::Sqrt: return "sqrt";
    case EltFn::Sigmoid: return "sigmoid";
    case EltFn::HardSigmoid: return "hardsigmoid";
    case EltFn::HardSwish: return "hardswish";
    case EltFn::Clip: return "clip";
    case EltFn::Tanh: return "tanh";
    case EltFn::Exp: return "exp";
    case EltFn::Erf: return "erf";
  }
  return "?";
}

std::string_view name_of(ReduceFn f) {
  switch (f) {
    case ReduceFn::Mean: return "mean";
    case ReduceFn::Sum: return "sum";
    case ReduceFn::Max: return "max";
    case ReduceFn::Min: return "min";
    case ReduceFn::Prod: return "prod";
    case ReduceFn::SumSquare: return "sumsquare";
    case ReduceFn::L1: return "l1";
    case ReduceFn::L2: return "l2";
  }
  return "?";
}

std::string_view name_of(CommKind k) {
  switch (k) {
    case CommKind::Identity: return "identity";
    case CommKind::AllReduce: return "all_reduce";
    case CommKind::AllGather: return "all_gather";
    case CommKind::ReduceScatter: return "reduce_scatter";
    case CommKind::AllToAll: return "all_to_all";
  }
  return "?";
}

std::string_view name_of(ResizeMode m) {
  switch (m) {
    case ResizeMode::Nearest: return "nearest";
    case ResizeMode::Linear: return "linear";
    case ResizeMode::Cubic: return "cubic";
  }
  return "?";
}

std::string_view name_of(CommGroup g) { return g == CommGroup::Tensor ? "tensor" : "expert"; }

std::string_view name_of(OptimizerKind k) {
  switch (k) {
    case OptimizerKind::Sgd: return "sgd";
    case OptimizerKind::Adam: return "adam";
    case OptimizerKind::AdamW: return "adamw";
  }
  return "?";
}

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t x = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::int64_t y = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (x != y && x != 1 && y != 1) return std::nullopt;
    out[i] = x == 1 ? y : x;
  }
  return out;
}

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", s[i]);
  return out + "]";
}

std::int64_t Tensor::elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n = checked_mul(n, d, fmt::format("tensor '{}' {}", name, shape_str(shape)));
  return n;
}

std::int64_t Tensor::bytes() const {
  return checked_mul(elements(), bytes_of(dtype), fmt::format("tensor '{}' {}", name, shape_str(shape)));
}

Graph::Graph(std::string name, DType dtype) : name_(std::move(name)), dtype_(dtype) {}

std::vector<std::int32_t> Graph::consumers(TensorId id) const {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < ops_.size(); ++i)
    if (std::find(ops_[i].inputs.begin(), ops_[i].inputs.end(), id) != ops_[i].inputs.end())
      out.push_back(static_cast<std::int32_t>(i));
  return out;
}

std::int64_t Graph::total_macs() const {
  std::int64_t s = 0;
  for (const auto& op : ops_) s = checked_add(s, op.macs, "total MACs");
  return s;
}

std::int64_t Graph::total_params() const {
  std::int64_t s = 0;
  for (const auto& t : tensors_)
    if (t.kind == TensorKind::Weight) s = checked_add(s, t.elements(), "total parameters");
  return s;
}

namespace {

void check_dims(const std::string& what, const Shape& shape) {
  if (shape.empty()) throw Error(fmt::format("{}: shape must have at least one dimension", what));
  for (std::size_t i = 0; i < shape.size(); ++i)
    if (shape[i] <= 0)
      throw Error(fmt::format("{}: dimension {} of {} must be positive, got {}", what, i, shape_str(shape), shape[i]));
}

void need_positive(const std::string& op, const char* what, std::int64_t v) {
  if (v <= 0) throw Error(fmt::format("{}: {} must be positive, got {}", op, what, v));
}

}  // namespace

TensorId Graph::add_tensor(std::string name, Shape shape, DType dtype, TensorKind kind) {
  check_dims(fmt::format("tensor '{}'", name), shape);
  Tensor t{std::move(name), std::move(shape), dtype, kind, -1};
  (void)t.bytes();  // rejects sizes that overflow 64 bits
  tensors_.push_back(std::move(t));
  return static_cast<TensorId>(tensors_.size() - 1);
}

const Tensor& Graph::checked(TensorId id, const std::string& op_name) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tensors_.size())
    throw Error(fmt::format("{}: input tensor {} does not exist", op_name, id));
  return tensors_[static_cast<std::size_t>(id)];
}

TensorId Graph::add_op(Op op, Shape out_shape, DType out_dtype) {
  if (op_names_.count(op.name)) throw Error(fmt::format("op name '{}' is used twice in model '{}'", op.name, name_));
  TensorId out = add_tensor(op.name, std::move(out_shape), out_dtype, TensorKind::Activation);
  tensors_[static_cast<std::size_t>(out)].producer = static_cast<std::int32_t>(ops_.size());
  op.output = out;
  op_names_.insert(op.name);
  ops_.push_back(std::move(op));
  return out;
}

TensorId Graph::input(std::string name, Shape shape, std::optional<DType> dtype) {
  return add_tensor(std::move(name), std::move(shape), dtype.value_or(dtype_), TensorKind::Input);
}

TensorId Graph::weight(std::string name, Shape shape, std::optional<DType> dtype) {
  return add_tensor(std::move(name), std::move(shape), dtype.value_or(dtype_), TensorKind::Weight);
}

TensorId Graph::state(std::string name, Shape shape, DType dtype) {
  return add_tensor(std::move(name), std::move(shape), dtype, TensorKind::State);
}

TensorId Graph::random(std::string name, Shape shape, DType dtype) {
  return add_tensor(std::move(name), std::move(shape), dtype, TensorKind::Random);
}

TensorId Graph::kv_cache(std::string name, Shape shape) {
  return add_tensor(std::move(name), std::move(shape), dtype_, TensorKind::KvCache);
}

TensorId Graph::conv2d(const std::string& name, TensorId xid, const ConvSpec& s) {
  const Tensor& x = checked(xid, name);
  if (x.shape.size() != 4) throw Error(fmt::format("{}: conv2d input must be [N, C, H, W], got {}", name, shape_str(x.shape)));
  need_positive(name, "out_channels", s.out_channels);
  need_positive(name, "kernel height", s.kh);
  need_positive(name, "kernel width", s.kw);
  need_positive(name, "groups", s.groups);
  if (x.shape[1] % s.groups != 0 || s.out_channels % s.groups != 0)
    throw Error(fmt::format("{}: groups {} must divide input channels {} and output channels {}", name, s.groups,
                            x.shape[1], s.out_channels));
  const TensorId w = weight(name + ".weight", {s.out_channels, x.shape[1] / s.groups, s.kh, s.kw});
  const TensorId b = s.bias ? weight(name + ".bias", {s.out_channels}) : kNoTensor;
  return conv2d_with(name, xid, w, b, s);
}

TensorId Graph::conv2d_with(const std::string& name, TensorId xid, TensorId wid, TensorId bid, ConvSpec s) {
  const Tensor& x = checked(xid, name);
  const Tensor& w = checked(wid, name);
  if (x.shape.size() != 4) throw Error(fmt::format("{}: conv2d input must be [N, C, H, W], got {}", name, shape_str(x.shape)));
  if (w.shape.size() != 4)
    throw Error(fmt::format("{}: conv2d weight must be [F, C/groups, kh, kw], got {}", name, shape_str(w.shape)));
  s.out_channels = w.shape[0], s.kh = w.shape[2], s.kw = w.shape[3];
  need_positive(name, "stride", s.stride);
  if (s.stride_w != 0) need_positive(name, "column stride", s.stride_w);
  need_positive(name, "dilation", s.dilation);
  if (s.dilation_w != 0) need_positive(name, "column dilation", s.dilation_w);
  need_positive(name, "groups", s.groups);
  Conv2dAttrs a;
  a.kh = s.kh, a.kw = s.kw, a.groups = s.groups;
  a.dil_h = s.dilation;
  a.dil_w = s.dilation_w != 0 ? s.dilation_w : s.dilation;
  a.stride_h = s.stride;
  a.stride_w = s.stride_w != 0 ? s.stride_w : s.stride;
  a.bias = s.bias;
  const bool explicit_pad = s.padding[0] >= 0;
  a.pad_top = explicit_pad ? s.padding[0] : s.pad;
  a.pad_bottom = explicit_pad ? s.padding[1] : s.pad;
  a.pad_left = explicit_pad ? s.padding[2] : s.pad;
  a.pad_right = explicit_pad ? s.padding[3] : s.pad;
  const std::int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
  const std::int64_t eff_h = (a.kh - 1) * a.dil_h + 1, eff_w = (a.kw - 1) * a.dil_w + 1;
  for (std::int64_t p : {a.pad_top, a.pad_bottom, a.pad_left, a.pad_right}) {
    if (p < 0) throw Error(fmt::format("{}: padding must be >= 0, got {}", name, p));
  }
  if (a.pad_top >= eff_h || a.pad_bottom >= eff_h || a.pad_left >= eff_w || a.pad_right >= eff_w)
    throw Error(fmt::format("{}: padding {}/{}/{}/{} larger than the kernel allows (at most {} rows and {} columns for a "
                            "{}x{} kernel with dilation {}x{})",
                            name, a.pad_top, a.pad_bottom, a.pad_left, a.pad_right, eff_h - 1, eff_w - 1, a.kh, a.kw,
                            a.dil_h, a.dil_w));
  if (C % a.groups != 0 || s.out_channels % a.groups != 0)
    throw Error(fmt::format("{}: groups {} must divide input channels {} and output channels {}", name, a.groups, C,
                            s.out_channels));
  const std::int64_t cpg = C / a.groups;
  if (w.shape[1] != cpg)
    throw Error(fmt::format("{}: weight {} does not match {} input channels in {} groups (expected {} per group)", name,
                            shape_str(w.shape), C, a.groups, cpg));
  const std::int64_t OH = (H + a.pad_top + a.pad_bottom - eff_h) / a.stride_h + 1;
  const std::int64_t OW = (W + a.pad_left + a.pad_right - eff_w) / a.stride_w + 1;
  if (H + a.pad_top + a.pad_bottom < eff_h || W + a.pad_left + a.pad_right < eff_w || OH <= 0 || OW <= 0)
    throw Error(fmt::format("{}: kernel {}x{} (dilation {}x{}) does not fit input {}x{} with padding", name, a.kh, a.kw,
                            a.dil_h, a.dil_w, H, W));
  std::vector<TensorId> ins{xid, wid};
  if (a.bias) {
    const Tensor& b = checked(bid, name);
    if (b.elements() != s.out_channels)
      throw Error(fmt::format("{}: bias {} does not match {} output channels", name, shape_str(b.shape), s.out_channels));
    ins.push_back(bid);
  }
  Op op{name, OpKind::Conv2d, std::move(ins), kNoTensor, a, 0};
  op.macs = checked_product({N, OH, OW, s.out_channels, cpg, a.kh, a.kw}, name + " MACs");
  return add_op(std::move(op), {N, s.out_channels, OH, OW}, dtype_);
}

TensorId Graph::matmul(const std::string& name, TensorId xid, std::int64_t out_features, bool bias) {
  const Tensor& x = checked(xid, name);
  need_positive(name, "out_features", out_features);
  const std::int64_t K = x.shape.back();
  TensorId w = weight(name + ".weight", {K, out_features});
  TensorId out = matmul_with(name, xid, w);
  if (bias) {
    Op& op = ops_.back();
    op.inputs.push_back(weight(name + ".bias", {out_features}));
    std::get<MatMulAttrs>(op.attrs).bias = true;
  }
  return out;
}

TensorId Graph::matmul_with(const std::string& name, TensorId xid, TensorId wid, bool transpose_w, TensorId bid) {
  const Tensor& x = checked(xid, name);
  const Tensor& w = checked(wid, name);
  if (w.shape.size() != 2) throw Error(fmt::format("{}: weight must be 2-D, got {}", name, shape_str(w.shape)));
  const std::int64_t K = transpose_w ? w.shape[1] : w.shape[0];
  const std::int64_t N = transpose_w ? w.shape[0] : w.shape[1];
  if (x.shape.back() != K)
    throw Error(fmt::format("{}: inner dimensions differ: input {} . weight {}", name, shape_str(x.shape),
                            shape_str(w.shape)));
  Shape out = x.shape;
  out.back() = N;
  const std::int64_t rows = x.elements() / K;
  Op op{name, OpKind::MatMul, {xid, wid}, kNoTensor, MatMulAttrs{}, 0};
  if (bid != kNoTensor) {
    const Tensor& b = checked(bid, name);
    if (b.elements() != N)
      throw Error(fmt::format("{}: bias {} does not match {} output features", name, shape_str(b.shape), N));
    op.inputs.push_back(bid);
    op.attrs = MatMulAttrs{true};
  }
  op.macs = checked_product({rows, K, N}, name + " MACs");
  return add_op(std::move(op), std::move(out), dtype_);
}

TensorId Graph::batched_matmul(const std::string& name, TensorId aid, TensorId bid, bool transpose_b) {
  const Tensor& a = checked(aid, name);
  const Tensor& b = checked(bid, name);
  if (a.shape.size() < 2 || b.shape.size() < 2)
    throw Error(fmt::format("{}: batched matmul needs operands of rank >= 2, got {} and {}", name, shape_str(a.shape),
                            shape_str(b.shape)));
  const std::size_t r = a.shape.size(), rb = b.shape.size();
  const Shape a_batch(a.shape.begin(), a.shape.end() - 2), b_batch(b.shape.begin(), b.shape.end() - 2);
  const std::optional<Shape> batch = broadcast_shapes(a_batch, b_batch);
  if (!batch)
    throw Error(fmt::format("{}: batch dimensions differ: {} and {}", name, shape_str(a.shape), shape_str(b.shape)));
  const std::int64_t M = a.shape[r - 2], K = a.shape[r - 1];
  const std::int64_t Kb = transpose_b ? b.shape[rb - 1] : b.shape[rb - 2];
  const std::int64_t N = transpose_b ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K != Kb)
    throw Error(fmt::format("{}: inner dimensions differ: {} . {}{}", name, shape_str(a.shape), shape_str(b.shape),
                            transpose_b ? "^T" : ""));
  Shape out = *batch;
  out.push_back(M);
  out.push_back(N);
  std::int64_t groups = 1;
  for (std::int64_t d : *batch) groups = checked_mul(groups, d, name + " batch");
  Op op{name, OpKind::BatchedMatMul, {aid, bid}, kNoTensor, BatchedMatMulAttrs{transpose_b}, 0};
  op.macs = checked_product({groups, M, N, K}, name + " MACs");
  return add_op(std::move(op), std::move(out), dtype_);
}

TensorId Graph::eltwise(const std::string& name, EltFn fn, TensorId aid, TensorId bid) {
  const Tensor& a = checked(aid, name);
  std::vector<TensorId> ins{aid};
  Shape out = a.shape;
  if (is_binary(fn)) {
    if (bid == kNoTensor) throw Error(fmt::format("{}: {} needs two inputs", name, name_of(fn)));
    const Tensor& b = checked(bid, name);
    const std::optional<Shape> bc = broadcast_shapes(a.shape, b.shape);
    if (!bc)
      throw Error(fmt::format("{}: shapes {} and {} do not broadcast", name, shape_str(a.shape), shape_str(b.shape)));
    out = *bc;
    ins.push_back(bid);
  } else if (bid != kNoTensor) {
    throw Error(fmt::format("{}: {} takes one input", name, name_of(fn)));
  }
  const DType dt = a.dtype;
  return add_op(Op{name, OpKind::Elementwise, std::move(ins), kNoTensor, EltwiseAttrs{fn}, 0}, std::move(out), dt);
}

TensorId Graph::pool(const std::string& name, PoolFn fn, TensorId xid, std::int64_t k, std::int64_t stride,
                     std::int64_t pad) {
  PoolAttrs a;
  a.fn = fn, a.kh = a.kw = k, a.stride_h = a.stride_w = stride, a.pad_h = a.pad_w = pad;
  return pool2d(name, xid, a);
}

TensorId Graph::pool2d(const std::string& name, TensorId xid, const PoolAttrs& in) {
  const Tensor& x = checked(xid, name);
  if (x.shape.size() != 4) throw Error(fmt::format("{}: pool input must be [N, C, H, W], got {}", name, shape_str(x.shape)));
  PoolAttrs a = in;
  if (a.pad_bottom < 0) a.pad_bottom = a.pad_h;
  if (a.pad_right < 0) a.pad_right = a.pad_w;
  need_positive(name, "kernel height", a.kh);
  need_positive(name, "kernel width", a.kw);
  need_positive(name, "stride", a.stride_h);
  need_positive(name, "column stride", a.stride_w);
  need_positive(name, "dilation", a.dil_h);
  need_positive(name, "column dilation", a.dil_w);
  const std::int64_t eff_h = (a.kh - 1) * a.dil_h + 1, eff_w = (a.kw - 1) * a.dil_w + 1;
  for (int i = 0; i < 4; ++i) {
    const std::int64_t p = std::array{a.pad_h, a.pad_bottom, a.pad_w, a.pad_right}[static_cast<std::size_t>(i)];
    const std::int64_t eff = i < 2 ? eff_h : eff_w;
    if (p < 0 || p >= eff)
      throw Error(fmt::format("{}: padding {} larger than the kernel allows (at most {} for a {}x{} window)", name, p,
                              eff - 1, eff_h, eff_w));
  }
  const std::int64_t H = x.shape[2] + a.pad_h + a.pad_bottom, W = x.shape[3] + a.pad_w + a.pad_right;
  if (H < eff_h || W < eff_w)
    throw Error(fmt::format("{}: window {}x{} does not fit input {}x{}", name, eff_h, eff_w, x.shape[2], x.shape[3]));
  // ceil mode (PyTorch's rule): the output size rounds up, but the last window must start inside
  // the input or its leading padding.
  auto out_size = [&](std::int64_t padded, std::int64_t unpadded, std::int64_t eff, std::int64_t stride,
                      std::int64_t pad_begin) {
    std::int64_t o = a.ceil_mode ? (padded - eff + stride - 1) / stride + 1 : (padded - eff) / stride + 1;
    if (a.ceil_mode && (o - 1) * stride >= unpadded + pad_begin) --o;
    return o;
  };
  const std::int64_t OH = out_size(H, x.shape[2], eff_h, a.stride_h, a.pad_h);
  const std::int64_t OW = out_size(W, x.shape[3], eff_w, a.stride_w, a.pad_w);
  Shape out = {x.shape[0], x.shape[1], OH, OW};
  return add_op(Op{name, OpKind::Pool, {xid}, kNoTensor, a, 0}, std::move(out), x.dtype);
}

TensorId Graph::global_avg_pool(const std::string& name, TensorId xid) {
  const Tensor& x = checked(xid, name);
  if (x.shape.size() != 4) throw Error(fmt::format("{}: pool input must be [N, C, H, W], got {}", name, shape_str(x.shape)));
  PoolAttrs a{PoolFn::Avg, x.shape[2], x.shape[3], 1, 1, 0, 0};
  Shape out = {x.shape[0], x.shape[1], 1, 1};
  return add_op(Op{name, OpKind::Pool, {xid}, kNoTensor, a, 0}, std::move(out), x.dtype);
}

TensorId Graph::softmax(const std::string& name, TensorId xid) {
  const Tensor& x = checked(xid, name);
  Shape out = x.shape;
  return add_op(Op{name, OpKind::Softmax, {xid}, kNoTensor, SoftmaxAttrs{}, 0}, std::move(out), x.dtype);
}

TensorId Graph::norm(const std::string& name, NormFn fn, TensorId xid) {
  const Tensor& x = checked(xid, name);
  const std::int64_t D = x.shape.back();
  Shape out = x.shape;
  DType dt = x.dtype;
  std::vector<TensorId> ins{xid, weight(name + ".gamma", {D})};
  if (fn == NormFn::LayerNorm) ins.push_back(weight(name + ".beta", {D}));
  return add_op(Op{name, OpKind::Norm, std::move(ins), kNoTensor, NormAttrs{fn}, 0}, std::move(out), dt);
}

TensorId Graph::reshape(const std::string& name, TensorId xid, Shape shape) {
  const Tensor& x = checked(xid, name);
  check_dims(name, shape);
  Tensor probe{name, shape, x.dtype, TensorKind::Activation, -1};
  if (probe.elements() != x.elements())
    throw Error(fmt::format("{}: cannot reshape {} ({} elements) to {} ({} elements)", name, shape_str(x.shape),
                            x.elements(), shape_str(shape), probe.elements()));
  DType dt = x.dtype;
  return add_op(Op{name, OpKind::Reshape, {xid}, kNoTensor, ReshapeAttrs{}, 0}, std::move(shape), dt);
}

TensorId Graph::transpose(const std::string& name, TensorId xid, std::vector<int> perm) {
  const Tensor& x = checked(xid, name);
  std::vector<int> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> iota(x.shape.size());
  std::iota(iota.begin(), iota.end(), 0);
  if (sorted != iota)
    throw Error(fmt::format("{}: permutation does not match the rank {} of {}", name, x.shape.size(), shape_str(x.shape)));
  Shape out(x.shape.size());
  for (std::size_t i = 0; i < perm.size(); ++i) out[i] = x.shape[static_cast<std::size_t>(perm[i])];
  DType dt = x.dtype;
  return add_op(Op{name, OpKind::Transpose, {xid}, kNoTensor, TransposeAttrs{std::move(perm)}, 0}, std::move(out), dt);
}

TensorId Graph::concat(const std::string& name, const std::vector<TensorId>& xs, int axis) {
  if (xs.empty()) throw Error(fmt::format("{}: concat needs at least one input", name));
  const Tensor& first = checked(xs.front(), name);
  if (axis < 0 || static_cast<std::size_t>(axis) >= first.shape.size())
    throw Error(fmt::format("{}: axis {} out of range for {}", name, axis, shape_str(first.shape)));
  Shape out = first.shape;
  out[static_cast<std::size_t>(axis)] = 0;
  for (TensorId id : xs) {
    const Tensor& t = checked(id, name);
    if (t.shape.size() != first.shape.size())
      throw Error(fmt::format("{}: ranks differ: {} and {}", name, shape_str(first.shape), shape_str(t.shape)));
    for (std::size_t i = 0; i < t.shape.size(); ++i)
      if (static_cast<int>(i) != axis && t.shape[i] != first.shape[i])
        throw Error(fmt::format("{}: shapes {} and {} differ outside axis {}", name, shape_str(first.shape),
                                shape_str(t.shape), axis));
    out[static_cast<std::size_t>(axis)] += t.shape[static_cast<std::size_t>(axis)];
  }
  DType dt = first.dtype;
  return add_op(Op{name, OpKind::Concat, xs, kNoTensor, ConcatAttrs{axis}, 0}, std::move(out), dt);
}

TensorId Graph::embedding(const std::string& name, TensorId ids, std::int64_t vocab, std::int64_t dim) {
  need_positive(name, "vocabulary size", vocab);
  need_positive(name, "embedding dimension", dim);
  return embedding_with(name, ids, weight(name + ".table", {vocab, dim}));
}

TensorId Graph::embedding_with(const std::string& name, TensorId idsid, TensorId tableid) {
  const Tensor& ids = checked(idsid, name);
  const Tensor& table = checked(tableid, name);
  if (table.shape.size() != 2) throw Error(fmt::format("{}: table must be [V, D], got {}", name, shape_str(table.shape)));
  Shape out = ids.shape;
  out.push_back(table.shape[1]);
  DType dt = table.dtype;
  return add_op(Op{name, OpKind::Embedding, {idsid, tableid}, kNoTensor, EmbeddingAttrs{}, 0}, std::move(out), dt);
}

TensorId Graph::slice(const std::string& name, TensorId xid, Shape starts, Shape steps, Shape out) {
  const Tensor& x = checked(xid, name);
  const std::size_t r = x.shape.size();
  if (starts.size() != r || steps.size() != r || out.size() != r)
    throw Error(fmt::format("{}: slice of {} needs a start, a step and a size per axis", name, shape_str(x.shape)));
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t last = starts[i] + (out[i] - 1) * steps[i];
    if (steps[i] == 0 || out[i] <= 0 || starts[i] < 0 || starts[i] >= x.shape[i] || last < 0 || last >= x.shape[i])
      throw Error(fmt::format("{}: axis {} of {}: start {}, step {}, size {} leave the tensor", name, i,
                              shape_str(x.shape), starts[i], steps[i], out[i]));
  }
  const DType dt = x.dtype;
  return add_op(Op{name, OpKind::Slice, {xid}, kNoTensor, SliceAttrs{std::move(starts), std::move(steps)}, 0},
                std::move(out), dt);
}

TensorId Graph::gather(const std::string& name, TensorId xid, TensorId iid, int axis) {
  const Tensor& x = checked(xid, name);
  const Tensor& ids = checked(iid, name);
  if (axis < 0 || static_cast<std::size_t>(axis) >= x.shape.size())
    throw Error(fmt::format("{}: axis {} out of range for {}", name, axis, shape_str(x.shape)));
  Shape out(x.shape.begin(), x.shape.begin() + axis);
  out.insert(out.end(), ids.shape.begin(), ids.shape.end());
  out.insert(out.end(), x.shape.begin() + axis + 1, x.shape.end());
  const DType dt = x.dtype;
  return add_op(Op{name, OpKind::Gather, {xid, iid}, kNoTensor, GatherAttrs{axis}, 0}, std::move(out), dt);
}

TensorId Graph::pad(const std::string& name, TensorId xid, Shape before, Shape after) {
  const Tensor& x = checked(xid, name);
  if (before.size() != x.shape.size() || after.size() != x.shape.size())
    throw Error(fmt::format("{}: padding of {} needs two amounts per axis", name, shape_str(x.shape)));
  Shape out = x.shape;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (before[i] < 0 || after[i] < 0)
      throw Error(fmt::format("{}: padding must be >= 0, got {} and {} on axis {}", name, before[i], after[i], i));
    out[i] = checked_add(checked_add(out[i], before[i], name), after[i], name);
  }
  const DType dt = x.dtype;
  return add_op(Op{name, OpKind::Pad, {xid}, kNoTensor, PadAttrs{std::move(before), std::move(after)}, 0},
                std::move(out), dt);
}

TensorId Graph::resize(const std::string& name, TensorId xid, Shape out, ResizeMode mode) {
  const Tensor& x = checked(xid, name);
  if (out.size() != x.shape.size())
    throw Error(fmt::format("{}: resize of {} to {} changes the rank", name, shape_str(x.shape), shape_str(out)));
  const DType dt = x.dtype;
  return add_op(Op{name, OpKind::Resize, {xid}, kNoTensor, ResizeAttrs{mode}, 0}, std::move(out), dt);
}

TensorId Graph::reduce(const std::string& name, ReduceFn fn, TensorId xid, std::vector<int> axes, bool keepdims) {
  const Tensor& x = checked(xid, name);
  const int r = static_cast<int>(x.shape.size());
  if (axes.empty())
    for (int i = 0; i < r; ++i) axes.push_back(i);
  for (int& a : axes) {
    if (a < -r || a >= r) throw Error(fmt::format("{}: axis {} out of range for {}", name, a, shape_str(x.shape)));
    if (a < 0) a += r;
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    throw Error(fmt::format("{}: an axis is listed twice", name));
  Shape out;
  for (int i = 0; i < r; ++i) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), i);
    if (!reduced) out.push_back(x.shape[static_cast<std::size_t>(i)]);
    else if (keepdims) out.push_back(1);
  }
  if (out.empty()) out.push_back(1);  // a full reduction to a scalar
  const DType dt = x.dtype;
  return add_op(Op{name, OpKind::Reduce, {xid}, kNoTensor, ReduceAttrs{fn, std::move(axes), keepdims}, 0},
                std::move(out), dt);
}

TensorId Graph::col2im(const std::string& name, TensorId cid, Shape out, std::int64_t kh, std::int64_t kw) {
  const Tensor& c = checked(cid, name);
  need_positive(name, "kernel height", kh);
  need_positive(name, "kernel width", kw);
  if (c.shape.size() != 4 || out.size() != 4 || c.shape[0] != out[0] || c.shape[3] != checked_product({out[1], kh, kw}, name))
    throw Error(fmt::format("{}: columns {} do not fit an output {} of a {}x{} kernel", name, shape_str(c.shape),
                            shape_str(out), kh, kw));
  const DType dt = c.dtype;
  return add_op(Op{name, OpKind::Col2Im, {cid}, kNoTensor, Col2ImAttrs{kh, kw}, 0}, std::move(out), dt);
}

TensorId Graph::opaque(const std::string& name, std::string op, const std::vector<TensorId>& inputs, Shape out,
                       std::optional<DType> dtype) {
  for (TensorId t : inputs) checked(t, name);
  return add_op(Op{name, OpKind::Opaque, inputs, kNoTensor, OpaqueAttrs{std::move(op)}, 0}, std::move(out),
                dtype.value_or(dtype_));
}

// ---- training ops ----

namespace {

void need_same_shape(const std::string& op, const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape)
    throw Error(fmt::format("{}: shapes {} and {} differ", op, shape_str(a.shape), shape_str(b.shape)));
}

}  // namespace

TensorId Graph::eltwise_grad(const std::string& name, EltFn fn, TensorId dyid, TensorId xid) {
  const Tensor& dy = checked(dyid, name);
  const Tensor& x = checked(xid, name);
  need_same_shape(name, dy, x);
  if (is_binary(fn)) throw Error(fmt::format("{}: {} is not an activation function", name, name_of(fn)));
  Shape out = x.shape;
  DType dt = dy.dtype;
  return add_op(Op{name, OpKind::EltwiseGrad, {dyid, xid}, kNoTensor, EltwiseGradAttrs{fn}, 0}, std::move(out), dt);
}

TensorId Graph::softmax_grad(const std::string& name, TensorId dyid, TensorId yid) {
  const Tensor& dy = checked(dyid, name);
  const Tensor& y = checked(yid, name);
  need_same_shape(name, dy, y);
  Shape out = y.shape;
  DType dt = dy.dtype;
  return add_op(Op{name, OpKind::SoftmaxGrad, {dyid, yid}, kNoTensor, SoftmaxGradAttrs{}, 0}, std::move(out), dt);
}

TensorId Graph::norm_grad(const std::string& name, NormFn fn, TensorId dyid, TensorId xid, TensorId gid) {
  const Tensor& dy = checked(dyid, name);
  const Tensor& x = checked(xid, name);
  const Tensor& gamma = checked(gid, name);
  need_same_shape(name, dy, x);
  if (gamma.shape != Shape{x.shape.back()})
    throw Error(fmt::format("{}: gamma {} does not match the last axis of {}", name, shape_str(gamma.shape),
                            shape_str(x.shape)));
  Shape out = x.shape;
  DType dt = dy.dtype;
  return add_op(Op{name, OpKind::NormGrad, {dyid, xid, gid}, kNoTensor, NormGradAttrs{fn}, 0}, std::move(out), dt);
}

TensorId Graph::pool_grad(const std::string& name, const PoolAttrs& pool, TensorId dyid, TensorId xid) {
  const Tensor& dy = checked(dyid, name);
  const Tensor& x = checked(xid, name);
  if (x.shape.size() != 4 || dy.shape.size() != 4 || dy.shape[0] != x.shape[0] || dy.shape[1] != x.shape[1])
    throw Error(fmt::format("{}: pool gradient {} does not match input {}", name, shape_str(dy.shape), shape_str(x.shape)));
  std::vector<TensorId> ins{dyid};
  if (pool.fn == PoolFn::Max) ins.push_back(xid);  // the window's maximum is found again
  Shape out = x.shape;
  DType dt = dy.dtype;
  return add_op(Op{name, OpKind::PoolGrad, std::move(ins), kNoTensor, PoolGradAttrs{pool}, 0}, std::move(out), dt);
}

TensorId Graph::scatter_add(const std::string& name, TensorId idsid, TensorId xid, std::int64_t rows) {
  const Tensor& ids = checked(idsid, name);
  const Tensor& x = checked(xid, name);
  need_positive(name, "output rows", rows);
  if (x.shape.size() != 2 || ids.elements() != x.shape[0])
    throw Error(fmt::format("{}: rows {} do not match ids {}", name, shape_str(x.shape), shape_str(ids.shape)));
  Shape out{rows, x.shape[1]};
  DType dt = x.dtype;
  return add_op(Op{name, OpKind::ScatterAdd, {idsid, xid}, kNoTensor, ScatterAddAttrs{}, 0}, std::move(out), dt);
}

TensorId Graph::comm(const std::string& name, CommKind kind, CommGroup group, std::int32_t ranks, TensorId xid,
                     int axis) {
  const Tensor& x = checked(xid, name);
  need_positive(name, "ranks", ranks);
  if (axis < 0 || static_cast<std::size_t>(axis) >= x.shape.size())
    throw Error(fmt::format("{}: axis {} out of range for {}", name, axis, shape_str(x.shape)));
  Shape out = x.shape;
  auto& d = out[static_cast<std::size_t>(axis)];
  if (kind == CommKind::AllGather) d = checked_mul(d, ranks, name);
  if (kind == CommKind::ReduceScatter) {
    if (d % ranks != 0)
      throw Error(fmt::format("{}: axis {} of {} does not divide over {} ranks", name, axis, shape_str(x.shape), ranks));
    d /= ranks;
  }
  DType dt = x.dtype;
  return add_op(Op{name, OpKind::Comm, {xid}, kNoTensor, CommAttrs{kind, group, ranks, axis}, 0}, std::move(out), dt);
}

TensorId Graph::replay(const Graph& from, std::size_t i, const std::string& name, std::vector<TensorId> inputs) {
  const Op& src = from.op(i);
  if (inputs.size() != src.inputs.size())
    throw Error(fmt::format("{}: replaying '{}' needs {} inputs, got {}", name, src.name, src.inputs.size(), inputs.size()));
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (checked(inputs[k], name).shape != from.tensor(src.inputs[k]).shape)
      throw Error(fmt::format("{}: input {} of the replay of '{}' is {}, the original {}", name, k, src.name,
                              shape_str(tensors_[static_cast<std::size_t>(inputs[k])].shape),
                              shape_str(from.tensor(src.inputs[k]).shape)));
  const Tensor& out = from.tensor(src.output);
  Op op{name, src.kind, std::move(inputs), kNoTensor, src.attrs, src.macs};
  return add_op(std::move(op), out.shape, out.dtype);
}

TensorId Graph::reduce(const std::string& name, TensorId xid, int axis) {
  const Tensor& x = checked(xid, name);
  if (axis < 0 || static_cast<std::size_t>(axis) >= x.shape.size())
    throw Error(fmt::format("{}: axis {} out of range for {}", name, axis, shape_str(x.shape)));
  return reduce(name, ReduceFn::Sum, xid, {axis}, false);
}

TensorId Graph::col2im(const std::string& name, TensorId colsid, const Conv2dAttrs& conv, const Shape& image) {
  const Tensor& cols = checked(colsid, name);
  check_dims(name, image);
  if (image.size() != 4) throw Error(fmt::format("{}: image must be [N, C, H, W], got {}", name, shape_str(image)));
  const std::int64_t oh = (image[2] + conv.pad_top + conv.pad_bottom - ((conv.kh - 1) * conv.dil_h + 1)) / conv.stride_h + 1;
  const std::int64_t ow = (image[3] + conv.pad_left + conv.pad_right - ((conv.kw - 1) * conv.dil_w + 1)) / conv.stride_w + 1;
  const std::int64_t expect = checked_product({image[0], oh, ow, image[1], conv.kh, conv.kw}, name);
  if (cols.elements() != expect)
    throw Error(fmt::format("{}: columns {} do not hold {} x {} x {} taps of image {}", name, shape_str(cols.shape),
                            image[0] * oh * ow, conv.kh * conv.kw, image[1], shape_str(image)));
  DType dt = cols.dtype;
  return add_op(Op{name, OpKind::Col2Im, {colsid}, kNoTensor, Col2ImAttrs{conv.kh, conv.kw}, 0}, image, dt);
}

TensorId Graph::slice(const std::string& name, TensorId xid, int axis, std::int64_t start, std::int64_t length) {
  const Tensor& x = checked(xid, name);
  if (axis < 0 || static_cast<std::size_t>(axis) >= x.shape.size())
    throw Error(fmt::format("{}: axis {} out of range for {}", name, axis, shape_str(x.shape)));
  const std::int64_t dim = x.shape[static_cast<std::size_t>(axis)];
  if (start < 0 || length <= 0 || start + length > dim)
    throw Error(fmt::format("{}: range [{}, {}) outside axis {} of {}", name, start, start + length, axis,
                            shape_str(x.shape)));
  Shape out = x.shape;
  out[static_cast<std::size_t>(axis)] = length;
  Shape starts(x.shape.size(), 0), steps(x.shape.size(), 1);
  starts[static_cast<std::size_t>(axis)] = start;
  return slice(name, xid, std::move(starts), std::move(steps), std::move(out));
}

TensorId Graph::optimizer_step(const std::string& name, OptimizerKind kind, const std::vector<TensorId>& inputs,
                               std::int64_t params, std::int64_t written_bytes) {
  if (inputs.empty()) throw Error(fmt::format("{}: an optimizer step needs the gradient", name));
  for (TensorId t : inputs)
    if (checked(t, name).elements() != params)
      throw Error(fmt::format("{}: input '{}' has {} elements, the parameter {}", name, tensors_[static_cast<std::size_t>(t)].name,
                              tensors_[static_cast<std::size_t>(t)].elements(), params));
  need_positive(name, "bytes written per parameter", written_bytes);
  // The output stands for everything written: written_bytes per parameter, in the graph's datatype.
  const std::int64_t per = (written_bytes + bytes_of(dtype_) - 1) / bytes_of(dtype_);
  return add_op(Op{name, OpKind::OptimizerStep, inputs, kNoTensor, OptimizerAttrs{kind, params, written_bytes}, 0},
                {params, per}, dtype_);
}

}  // namespace npusim::workloads
