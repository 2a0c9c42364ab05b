#include "workloads/graph.h"

#include <fmt/format.h>

#include <algorithm>
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
  }
  return "?";
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
  for (const auto& o : ops_)
    if (o.name == op.name) throw Error(fmt::format("op name '{}' is used twice in model '{}'", op.name, name_));
  TensorId out = add_tensor(op.name, std::move(out_shape), out_dtype, TensorKind::Activation);
  tensors_[static_cast<std::size_t>(out)].producer = static_cast<std::int32_t>(ops_.size());
  op.output = out;
  ops_.push_back(std::move(op));
  return out;
}

TensorId Graph::input(std::string name, Shape shape, std::optional<DType> dtype) {
  return add_tensor(std::move(name), std::move(shape), dtype.value_or(dtype_), TensorKind::Input);
}

TensorId Graph::weight(std::string name, Shape shape) {
  return add_tensor(std::move(name), std::move(shape), dtype_, TensorKind::Weight);
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
  need_positive(name, "stride", s.stride);
  if (s.stride_w != 0) need_positive(name, "column stride", s.stride_w);
  need_positive(name, "dilation", s.dilation);
  need_positive(name, "groups", s.groups);
  Conv2dAttrs a;
  a.kh = s.kh, a.kw = s.kw, a.dil_h = a.dil_w = s.dilation, a.groups = s.groups;
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
                            "{}x{} kernel with dilation {})",
                            name, a.pad_top, a.pad_bottom, a.pad_left, a.pad_right, eff_h - 1, eff_w - 1, a.kh, a.kw,
                            s.dilation));
  if (C % a.groups != 0 || s.out_channels % a.groups != 0)
    throw Error(fmt::format("{}: groups {} must divide input channels {} and output channels {}", name, a.groups, C,
                            s.out_channels));
  const std::int64_t OH = (H + a.pad_top + a.pad_bottom - eff_h) / a.stride_h + 1;
  const std::int64_t OW = (W + a.pad_left + a.pad_right - eff_w) / a.stride_w + 1;
  if (H + a.pad_top + a.pad_bottom < eff_h || W + a.pad_left + a.pad_right < eff_w || OH <= 0 || OW <= 0)
    throw Error(fmt::format("{}: kernel {}x{} (dilation {}) does not fit input {}x{} with padding", name, a.kh, a.kw,
                            s.dilation, H, W));
  const std::int64_t cpg = C / a.groups;
  std::vector<TensorId> ins{xid, weight(name + ".weight", {s.out_channels, cpg, a.kh, a.kw})};
  if (a.bias) ins.push_back(weight(name + ".bias", {s.out_channels}));
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

TensorId Graph::matmul_with(const std::string& name, TensorId xid, TensorId wid, bool transpose_w) {
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
  op.macs = checked_product({rows, K, N}, name + " MACs");
  return add_op(std::move(op), std::move(out), dtype_);
}

TensorId Graph::batched_matmul(const std::string& name, TensorId aid, TensorId bid, bool transpose_b) {
  const Tensor& a = checked(aid, name);
  const Tensor& b = checked(bid, name);
  if (a.shape.size() < 2 || a.shape.size() != b.shape.size())
    throw Error(fmt::format("{}: batched matmul needs operands of equal rank >= 2, got {} and {}", name,
                            shape_str(a.shape), shape_str(b.shape)));
  const std::size_t r = a.shape.size();
  for (std::size_t i = 0; i + 2 < r; ++i)
    if (a.shape[i] != b.shape[i])
      throw Error(fmt::format("{}: batch dimensions differ: {} and {}", name, shape_str(a.shape), shape_str(b.shape)));
  const std::int64_t M = a.shape[r - 2], K = a.shape[r - 1];
  const std::int64_t Kb = transpose_b ? b.shape[r - 1] : b.shape[r - 2];
  const std::int64_t N = transpose_b ? b.shape[r - 2] : b.shape[r - 1];
  if (K != Kb)
    throw Error(fmt::format("{}: inner dimensions differ: {} . {}{}", name, shape_str(a.shape), shape_str(b.shape),
                            transpose_b ? "^T" : ""));
  Shape out = a.shape;
  out[r - 1] = N;
  const std::int64_t batch = a.elements() / (M * K);
  Op op{name, OpKind::BatchedMatMul, {aid, bid}, kNoTensor, BatchedMatMulAttrs{transpose_b}, 0};
  op.macs = checked_product({batch, M, N, K}, name + " MACs");
  return add_op(std::move(op), std::move(out), dtype_);
}

TensorId Graph::eltwise(const std::string& name, EltFn fn, TensorId aid, TensorId bid) {
  const Tensor& a = checked(aid, name);
  std::vector<TensorId> ins{aid};
  if (is_binary(fn)) {
    if (bid == kNoTensor) throw Error(fmt::format("{}: {} needs two inputs", name, name_of(fn)));
    const Tensor& b = checked(bid, name);
    // b must equal a's shape, or match a trailing suffix of it (broadcast), or be a per-channel
    // [N, C, 1, 1] scale of an NCHW tensor.
    bool ok = b.shape == a.shape;
    if (!ok && b.shape.size() <= a.shape.size())
      ok = std::equal(b.shape.rbegin(), b.shape.rend(), a.shape.rbegin());
    if (!ok && b.shape.size() == 4 && a.shape.size() == 4)
      ok = b.shape[0] == a.shape[0] && b.shape[1] == a.shape[1] && b.shape[2] == 1 && b.shape[3] == 1;
    if (!ok)
      throw Error(fmt::format("{}: shapes {} and {} do not broadcast", name, shape_str(a.shape), shape_str(b.shape)));
    ins.push_back(bid);
  } else if (bid != kNoTensor) {
    throw Error(fmt::format("{}: {} takes one input", name, name_of(fn)));
  }
  Shape out = a.shape;
  return add_op(Op{name, OpKind::Elementwise, std::move(ins), kNoTensor, EltwiseAttrs{fn}, 0}, std::move(out), a.dtype);
}

TensorId Graph::pool(const std::string& name, PoolFn fn, TensorId xid, std::int64_t k, std::int64_t stride,
                     std::int64_t pad) {
  const Tensor& x = checked(xid, name);
  if (x.shape.size() != 4) throw Error(fmt::format("{}: pool input must be [N, C, H, W], got {}", name, shape_str(x.shape)));
  need_positive(name, "kernel", k);
  need_positive(name, "stride", stride);
  if (pad < 0 || pad >= k)
    throw Error(fmt::format("{}: padding {} larger than the kernel allows (at most {} for a {}x{} window)", name, pad,
                            k - 1, k, k));
  const std::int64_t H = x.shape[2], W = x.shape[3];
  if (H + 2 * pad < k || W + 2 * pad < k)
    throw Error(fmt::format("{}: window {}x{} does not fit input {}x{}", name, k, k, H, W));
  const std::int64_t OH = (H + 2 * pad - k) / stride + 1, OW = (W + 2 * pad - k) / stride + 1;
  PoolAttrs a{fn, k, k, stride, stride, pad, pad};
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

}  // namespace npusim::workloads
