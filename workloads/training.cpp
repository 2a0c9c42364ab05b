#include "workloads/training.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::workloads {

std::string_view name_of(Phase p) {
  switch (p) {
    case Phase::Forward: return "forward";
    case Phase::Recompute: return "recompute";
    case Phase::Backward: return "backward";
    case Phase::Optimizer: return "optimizer";
  }
  return "?";
}

std::string_view name_of(Recompute r) {
  switch (r) {
    case Recompute::None: return "none";
    case Recompute::Selective: return "selective";
    case Recompute::Full: return "full";
  }
  return "?";
}

namespace {


// Ops that only relabel their input's storage (the storage of their output is their input's).
bool aliases(const Op& op) {
  if (op.kind == OpKind::Reshape || op.kind == OpKind::Transpose || op.kind == OpKind::Slice ||
      op.kind == OpKind::Concat)
    return true;
  return op.kind == OpKind::Comm && op.as<CommAttrs>().kind == CommKind::Identity;
}

class Builder {
 public:
  Builder(const Graph& fwd, const TrainingOptions& o) : f_(fwd), o_(o), g_(fwd) {
    if (!is_float(fwd.dtype()))
      throw Error(fmt::format("model '{}': training needs a floating-point datatype (bf16, fp16 or fp32), the graph "
                              "computes in {}",
                              fwd.name(), name_of(fwd.dtype())));
    if (o.micro_batches < 1)
      throw Error(fmt::format("micro-batches must be >= 1, got {}", o.micro_batches));
    nf_ = fwd.ops().size();
    phase_.assign(nf_, Phase::Forward);
    value_.resize(fwd.tensors().size());
    for (std::size_t t = 0; t < value_.size(); ++t) value_[t] = static_cast<TensorId>(t);
    replayed_.assign(nf_, false);
    choose_recompute();
  }

  TrainingGraph build() {
    const bool mixed = bytes_of(f_.dtype()) < 4;
    requires_grad();
    set_phase(Phase::Backward);
    for (TensorId out : f_.outputs()) {
      const Tensor& t = f_.tensor(out);
      if (!needs_[static_cast<std::size_t>(out)]) continue;
      accumulate(out, g_.input("grad." + t.name, t.shape, t.dtype));
    }
    // Full recomputation reruns the whole forward pass before the backward (as activation
    // checkpointing does), not only what the backward reads.
    if (o_.recompute == Recompute::Full)
      for (std::size_t i = 0; i < nf_; ++i) (void)value(f_.op(i).output);
    for (std::size_t i = nf_; i-- > 0;) backward(i);

    // Weight gradients: accumulated in fp32, then the optimizer.
    std::int64_t params = 0;
    std::vector<TensorId> outs;
    for (std::size_t t = 0; t < f_.tensors().size(); ++t) {
      const Tensor& w = f_.tensor(static_cast<TensorId>(t));
      if (w.kind != TensorKind::Weight || grad_[t] == kNoTensor) continue;
      params = checked_add(params, w.elements(), "trained parameters");
      TensorId gw = grad_[t];
      set_phase(Phase::Backward);
      if (o_.fp32_grads || o_.micro_batches > 1)
        gw = g_.eltwise(w.name + ".grad.accumulate", EltFn::Add,
                        g_.state(w.name + ".grad.buffer", w.shape, o_.fp32_grads ? DType::Fp32 : w.dtype), gw);
      if (!o_.optimizer_step) {
        outs.push_back(gw);
        continue;
      }
      set_phase(Phase::Optimizer);
      std::vector<TensorId> ins{gw};
      std::int64_t written = 0;
      if (mixed) {
        ins.push_back(g_.state(w.name + ".master", w.shape, DType::Fp32));
        written += 4 + bytes_of(w.dtype);  // the master weight and the working copy
      } else {
        written += bytes_of(w.dtype);
      }
      if (o_.optimizer != OptimizerKind::Sgd) {
        ins.push_back(g_.state(w.name + ".adam_m", w.shape, DType::Fp32));
        ins.push_back(g_.state(w.name + ".adam_v", w.shape, DType::Fp32));
        written += 8;
      }
      outs.push_back(g_.optimizer_step(w.name + ".step", o_.optimizer, ins, w.elements(), written));
    }
    set_phase(Phase::Optimizer);
    for (TensorId t : outs) g_.mark_output(t);

    TrainingGraph tg{std::move(g_), std::move(phase_), {}};
    TrainingFigures& f = tg.figures;
    f.mixed_precision = mixed;
    f.params = params;
    f.saved_bytes = saved_bytes(tg);
    const std::int64_t wb = bytes_of(f_.dtype());
    f.weight_bytes_per_param = wb;
    f.grad_bytes_per_param = o_.fp32_grads ? 4 : wb;
    f.optimizer_bytes_per_param = (mixed ? 4 : 0) + (o_.optimizer != OptimizerKind::Sgd ? 8 : 0);
    return tg;
  }

 private:
  void set_phase(Phase p) {
    while (phase_.size() < g_.ops().size()) phase_.push_back(cur_);
    cur_ = p;
  }

  std::string uniq(const std::string& base) {
    const int n = names_[base]++;
    return n == 0 ? base : fmt::format("{}.{}", base, n);
  }

  // Which forward ops the backward pass reruns instead of reading their output.
  void choose_recompute() {
    recompute_.assign(nf_, false);
    for (std::size_t i = 0; i < nf_; ++i) {
      const Op& op = f_.op(i);
      if (o_.recompute == Recompute::Full) recompute_[i] = true;
      // Sequence-parallel all-gathers are always gathered again.
      if (op.kind == OpKind::Comm && op.as<CommAttrs>().kind == CommKind::AllGather) recompute_[i] = true;
      if (o_.recompute == Recompute::Selective && op.kind == OpKind::Softmax) {
        const Tensor& in = f_.tensor(op.inputs[0]);
        if (in.producer < 0 || f_.op(static_cast<std::size_t>(in.producer)).kind != OpKind::BatchedMatMul) continue;
        recompute_[i] = true;  // the attention core: scores, softmax and what follows up to P.V
        recompute_[static_cast<std::size_t>(in.producer)] = true;
        TensorId cur = op.output;
        while (true) {
          const auto cons = f_.consumers(cur);
          if (cons.size() != 1) break;
          const Op& next = f_.op(static_cast<std::size_t>(cons[0]));
          if (next.kind != OpKind::Elementwise) break;
          recompute_[static_cast<std::size_t>(cons[0])] = true;
          cur = next.output;
        }
      }
    }
  }

  // The tensor the backward pass reads for forward tensor t: t, or its recomputation.
  TensorId value(TensorId t) {
    const Tensor& ft = f_.tensor(t);
    if (ft.producer < 0) return t;
    const auto i = static_cast<std::size_t>(ft.producer);
    if (!recompute_[i]) return t;
    if (!replayed_[i]) {
      std::vector<TensorId> ins;
      for (TensorId in : f_.op(i).inputs) ins.push_back(value(in));
      const Phase back = cur_;
      set_phase(Phase::Recompute);
      value_[static_cast<std::size_t>(t)] = g_.replay(f_, i, uniq(f_.op(i).name + ".recompute"), std::move(ins));
      set_phase(back);
      replayed_[i] = true;
    }
    return value_[static_cast<std::size_t>(t)];
  }

  void requires_grad() {
    needs_.assign(f_.tensors().size(), false);
    for (std::size_t t = 0; t < f_.tensors().size(); ++t) {
      const Tensor& x = f_.tensor(static_cast<TensorId>(t));
      if (x.kind == TensorKind::Weight) needs_[t] = true;
      if (x.kind == TensorKind::Input && o_.input_grad && is_float(x.dtype)) needs_[t] = true;
    }
    for (std::size_t i = 0; i < nf_; ++i) {
      const Op& op = f_.op(i);
      bool any = false;
      for (TensorId in : op.inputs) any = any || needs_[static_cast<std::size_t>(in)];
      needs_[static_cast<std::size_t>(op.output)] = any;
    }
    grad_.assign(f_.tensors().size(), kNoTensor);
  }

  bool needs(TensorId t) const { return needs_[static_cast<std::size_t>(t)]; }

  void accumulate(TensorId t, TensorId d) {
    const Tensor& ft = f_.tensor(t);
    if (g_.tensor(d).shape != ft.shape)
      throw Error(fmt::format("internal: gradient of '{}' is {}, the tensor {}", ft.name, shape_str(g_.tensor(d).shape),
                              shape_str(ft.shape)));
    TensorId& cur = grad_[static_cast<std::size_t>(t)];
    cur = cur == kNoTensor ? d : g_.eltwise(uniq(ft.name + ".grad.sum"), EltFn::Add, cur, d);
  }

  // Sums dy down to `shape` (a broadcast operand): over leading axes, or the spatial axes of a
  // per-channel [N, C, 1, 1] operand.
  TensorId reduce_to(const std::string& name, TensorId dy, const Shape& shape) {
    const Shape& s = g_.tensor(dy).shape;
    if (s == shape) return dy;
    if (shape.size() <= s.size() && std::equal(shape.rbegin(), shape.rend(), s.rbegin())) {
      std::int64_t lead = 1;
      for (std::size_t i = 0; i + shape.size() < s.size(); ++i) lead *= s[i];
      Shape two{lead};
      std::int64_t rest = 1;
      for (std::int64_t d : shape) rest *= d;
      two.push_back(rest);
      TensorId r = g_.reduce(uniq(name + ".sum"), g_.reshape(uniq(name + ".rows"), dy, two), 0);
      return g_.tensor(r).shape == shape ? r : g_.reshape(uniq(name + ".shape"), r, shape);
    }
    if (s.size() == 4 && shape.size() == 4 && shape[2] == 1 && shape[3] == 1) {
      TensorId r = g_.reshape(uniq(name + ".planes"), dy, {s[0], s[1], s[2] * s[3]});
      r = g_.reduce(uniq(name + ".sum"), r, 2);
      return g_.reshape(uniq(name + ".shape"), r, shape);
    }
    // Any other numpy broadcast: sum over the leading axes and every axis the operand holds once.
    if (shape.size() <= s.size()) {
      const std::size_t off = s.size() - shape.size();
      std::vector<int> axes;
      bool ok = true;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (i < off) {
          axes.push_back(static_cast<int>(i));
        } else if (shape[i - off] != s[i]) {
          if (shape[i - off] != 1) ok = false;
          axes.push_back(static_cast<int>(i));
        }
      }
      if (ok) {
        TensorId r = g_.reduce(uniq(name + ".sum"), ReduceFn::Sum, dy, std::move(axes), true);
        return g_.tensor(r).shape == shape ? r : g_.reshape(uniq(name + ".shape"), r, shape);
      }
    }
    throw Error(fmt::format("internal: cannot reduce a gradient {} to {}", shape_str(s), shape_str(shape)));
  }

  TensorId as_rows(const std::string& name, TensorId t) {
    const Shape& s = g_.tensor(t).shape;
    if (s.size() == 2) return t;
    return g_.reshape(uniq(name), t, {g_.tensor(t).elements() / s.back(), s.back()});
  }

  void backward(std::size_t i) {
    const Op& op = f_.op(i);
    const TensorId dy = grad_[static_cast<std::size_t>(op.output)];
    if (dy == kNoTensor) return;
    const std::string& n = op.name;
    auto in = [&](std::size_t k) { return op.inputs[k]; };
    switch (op.kind) {
      case OpKind::MatMul: backward_matmul(op, dy); break;
      case OpKind::BatchedMatMul: {
        const bool tb = op.as<BatchedMatMulAttrs>().transpose_b;
        const std::size_t r = f_.tensor(in(0)).shape.size();
        std::vector<int> swap(r);
        for (std::size_t k = 0; k < r; ++k) swap[k] = static_cast<int>(k);
        std::swap(swap[r - 1], swap[r - 2]);
        if (needs(in(0))) accumulate(in(0), g_.batched_matmul(uniq(n + ".dgrad_a"), dy, value(in(1)), !tb));
        if (needs(in(1))) {
          const TensorId d = tb ? g_.batched_matmul(uniq(n + ".dgrad_b"), g_.transpose(uniq(n + ".dy_t"), dy, swap), value(in(0)))
                                : g_.batched_matmul(uniq(n + ".dgrad_b"), g_.transpose(uniq(n + ".a_t"), value(in(0)), swap), dy);
          accumulate(in(1), d);
        }
        break;
      }
      case OpKind::Conv2d: backward_conv(op, dy); break;
      case OpKind::Elementwise: {
        const EltFn fn = op.as<EltwiseAttrs>().fn;
        if (!is_binary(fn)) {
          if (needs(in(0))) accumulate(in(0), g_.eltwise_grad(uniq(n + ".grad"), fn, dy, value(in(0))));
          break;
        }
        // Either operand may be broadcast (numpy rules): its gradient is summed back to its shape.
        const Shape& ashape = f_.tensor(in(0)).shape;
        const Shape& bshape = f_.tensor(in(1)).shape;
        if (fn == EltFn::Add || fn == EltFn::Sub) {  // Sub: the negation of dB is not counted
          if (needs(in(0))) accumulate(in(0), reduce_to(n + ".grad_a", dy, ashape));
          if (needs(in(1))) accumulate(in(1), reduce_to(n + ".grad_b", dy, bshape));
        } else {
          if (needs(in(0)))
            accumulate(in(0), reduce_to(n + ".grad_a", g_.eltwise(uniq(n + ".grad_a"), EltFn::Mul, dy, value(in(1))),
                                        ashape));
          if (needs(in(1)))
            accumulate(in(1), reduce_to(n + ".grad_b", g_.eltwise(uniq(n + ".grad_b"), EltFn::Mul, dy, value(in(0))),
                                        bshape));
        }
        break;
      }
      case OpKind::Pool:
        if (needs(in(0))) accumulate(in(0), g_.pool_grad(uniq(n + ".grad"), op.as<PoolAttrs>(), dy, value(in(0))));
        break;
      case OpKind::Softmax:
        if (needs(in(0))) accumulate(in(0), g_.softmax_grad(uniq(n + ".grad"), dy, value(op.output)));
        break;
      case OpKind::Norm: {
        const NormFn fn = op.as<NormAttrs>().fn;
        const Shape gshape = f_.tensor(in(1)).shape;
        if (needs(in(0))) accumulate(in(0), g_.norm_grad(uniq(n + ".grad"), fn, dy, value(in(0)), in(1)));
        if (needs(in(1))) {
          const TensorId prod = g_.eltwise(uniq(n + ".gamma.grad_rows"), EltFn::Mul, dy, value(in(0)));
          accumulate(in(1), reduce_to(n + ".gamma.grad", prod, gshape));
        }
        if (op.inputs.size() > 2 && needs(in(2))) accumulate(in(2), reduce_to(n + ".beta.grad", dy, gshape));
        break;
      }
      case OpKind::Reshape:
        if (needs(in(0))) accumulate(in(0), g_.reshape(uniq(n + ".grad"), dy, f_.tensor(in(0)).shape));
        break;
      case OpKind::Transpose: {
        const auto& perm = op.as<TransposeAttrs>().perm;
        std::vector<int> inv(perm.size());
        for (std::size_t k = 0; k < perm.size(); ++k) inv[static_cast<std::size_t>(perm[k])] = static_cast<int>(k);
        if (needs(in(0))) accumulate(in(0), g_.transpose(uniq(n + ".grad"), dy, inv));
        break;
      }
      case OpKind::Concat: {
        const int axis = op.as<ConcatAttrs>().axis;
        std::int64_t off = 0;
        for (std::size_t k = 0; k < op.inputs.size(); ++k) {
          const std::int64_t len = f_.tensor(in(k)).shape[static_cast<std::size_t>(axis)];
          if (needs(in(k))) accumulate(in(k), g_.slice(uniq(n + ".grad"), dy, axis, off, len));
          off += len;
        }
        break;
      }
      case OpKind::Embedding: {
        const Tensor& table = f_.tensor(in(1));
        if (!needs(in(1))) break;
        const std::int64_t rows = f_.tensor(in(0)).elements();
        TensorId ids = f_.tensor(in(0)).shape.size() == 1 ? in(0) : g_.reshape(uniq(n + ".ids"), in(0), {rows});
        TensorId d = g_.reshape(uniq(n + ".grad_rows"), dy, {rows, table.shape[1]});
        accumulate(in(1), g_.scatter_add(uniq(n + ".grad"), ids, d, table.shape[0]));
        break;
      }
      case OpKind::ScatterAdd:
        if (needs(in(1))) accumulate(in(1), g_.embedding_with(uniq(n + ".grad"), in(0), dy));
        break;
      case OpKind::Comm: {
        const auto& a = op.as<CommAttrs>();
        if (!needs(in(0))) break;
        switch (a.kind) {
          case CommKind::AllReduce: accumulate(in(0), dy); break;  // g: nothing backward
          case CommKind::Identity:
            accumulate(in(0), g_.comm(uniq(n + ".grad"), CommKind::AllReduce, a.group, a.ranks, dy, a.axis));
            break;
          case CommKind::AllGather:
            accumulate(in(0), g_.comm(uniq(n + ".grad"), CommKind::ReduceScatter, a.group, a.ranks, dy, a.axis));
            break;
          case CommKind::ReduceScatter:
            accumulate(in(0), g_.comm(uniq(n + ".grad"), CommKind::AllGather, a.group, a.ranks, dy, a.axis));
            break;
          case CommKind::AllToAll:
            accumulate(in(0), g_.comm(uniq(n + ".grad"), CommKind::AllToAll, a.group, a.ranks, dy, a.axis));
            break;
        }
        break;
      }
      case OpKind::Pad: {  // the gradient of the input is the window of dy the input was copied to
        if (!needs(in(0))) break;
        const auto& a = op.as<PadAttrs>();
        accumulate(in(0), g_.slice(uniq(n + ".grad"), dy, a.before, Shape(a.before.size(), 1), f_.tensor(in(0)).shape));
        break;
      }
      case OpKind::Slice: {  // dy is padded back to the input's shape (zeros outside the window)
        if (!needs(in(0))) break;
        const auto& a = op.as<SliceAttrs>();
        const Shape& xs = f_.tensor(in(0)).shape;
        const Shape& ys = f_.tensor(op.output).shape;
        const bool unit = std::all_of(a.steps.begin(), a.steps.end(), [](std::int64_t v) { return v == 1; });
        if (!unit) {
          accumulate(in(0), g_.opaque(uniq(n + ".grad"), "slice_grad", {dy}, xs));
          break;
        }
        Shape after(xs.size());
        for (std::size_t k = 0; k < xs.size(); ++k) after[k] = xs[k] - a.starts[k] - ys[k];
        accumulate(in(0), g_.pad(uniq(n + ".grad"), dy, a.starts, std::move(after)));
        break;
      }
      // Imported ops without a backward of their own (ONNX): the gradient of each input that
      // needs one is an opaque op reading dy (and that input), streamed by the vector unit.
      case OpKind::Gather:
      case OpKind::Resize:
      case OpKind::Reduce:
      case OpKind::Col2Im:
      case OpKind::Opaque:
        for (std::size_t k = 0; k < op.inputs.size(); ++k)
          if (needs(in(k)))
            accumulate(in(k), g_.opaque(uniq(fmt::format("{}.grad{}", n, k)), fmt::format("{}_grad", name_of(op.kind)),
                                        {dy, value(in(k))}, f_.tensor(in(k)).shape, f_.tensor(in(k)).dtype));
        break;
      case OpKind::EltwiseGrad:
      case OpKind::SoftmaxGrad:
      case OpKind::NormGrad:
      case OpKind::PoolGrad:
      case OpKind::OptimizerStep:
        throw Error(fmt::format("op '{}': a {} op in a forward graph cannot be differentiated", n, name_of(op.kind)));
    }
  }

  void backward_matmul(const Op& op, TensorId dy) {
    const std::string& n = op.name;
    const Tensor& x = f_.tensor(op.inputs[0]);
    const Tensor& w = f_.tensor(op.inputs[1]);
    const bool transposed = w.shape[0] != x.shape.back();  // W is [N, K] (a tied LM head)
    if (needs(op.inputs[0]))
      accumulate(op.inputs[0], g_.matmul_with(uniq(n + ".dgrad"), dy, op.inputs[1], !transposed));
    const bool bias = op.as<MatMulAttrs>().bias;
    if (!needs(op.inputs[1]) && !(bias && needs(op.inputs[2]))) return;
    const TensorId dy2 = as_rows(n + ".dy_rows", dy);
    if (needs(op.inputs[1])) {
      const TensorId x2 = as_rows(n + ".x_rows", value(op.inputs[0]));
      const TensorId d = transposed
                             ? g_.batched_matmul(uniq(n + ".wgrad"), g_.transpose(uniq(n + ".dy_t"), dy2, {1, 0}), x2)
                             : g_.batched_matmul(uniq(n + ".wgrad"), g_.transpose(uniq(n + ".x_t"), x2, {1, 0}), dy2);
      accumulate(op.inputs[1], d);
    }
    if (bias && needs(op.inputs[2])) accumulate(op.inputs[2], g_.reduce(uniq(n + ".bgrad"), dy2, 0));
  }

  void backward_conv(const Op& op, TensorId dy) {
    const std::string& n = op.name;
    const auto& a = op.as<Conv2dAttrs>();
    const Tensor& x = f_.tensor(op.inputs[0]);
    const Tensor& w = f_.tensor(op.inputs[1]);
    const Shape& ys = f_.tensor(op.output).shape;
    const std::int64_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3];
    const std::int64_t F = ys[1], OH = ys[2], OW = ys[3], G = a.groups;
    const std::int64_t eff_h = (a.kh - 1) * a.dil_h + 1, eff_w = (a.kw - 1) * a.dil_w + 1;
    if (needs(op.inputs[0])) {
      TensorId dx = kNoTensor;
      if (a.stride_h == 1 && a.stride_w == 1) {
        // dX = conv(dY, W flipped, channels exchanged), padded so that the output is H x W.
        TensorId wt = op.inputs[1];
        if (G == 1)
          wt = g_.transpose(uniq(n + ".w_t"), wt, {1, 0, 2, 3});
        else if (C / G != 1 || F / G != 1)
          wt = g_.reshape(uniq(n + ".w_t"),
                          g_.transpose(uniq(n + ".w_gt"), g_.reshape(uniq(n + ".w_g"), wt, {G, F / G, C / G, a.kh * a.kw}),
                                       {0, 2, 1, 3}),
                          {C, F / G, a.kh, a.kw});
        Graph::ConvSpec s;
        s.out_channels = C, s.kh = a.kh, s.kw = a.kw, s.stride = 1, s.groups = G;
        s.dilation = a.dil_h, s.dilation_w = a.dil_w;
        s.padding = {eff_h - 1 - a.pad_top, eff_h - 1 - a.pad_bottom, eff_w - 1 - a.pad_left, eff_w - 1 - a.pad_right};
        dx = g_.conv2d_with(uniq(n + ".dgrad"), dy, wt, kNoTensor, s);
      } else {
        // Per-tap columns dY . W, then each pixel sums the taps that read it.
        TensorId cols = kNoTensor;
        if (G == 1) {
          TensorId d = g_.transpose(uniq(n + ".dy_t"), g_.reshape(uniq(n + ".dy_rows"), dy, {N, F, OH * OW}), {0, 2, 1});
          cols = g_.matmul_with(uniq(n + ".dgrad"), d, g_.reshape(uniq(n + ".w_rows"), op.inputs[1], {F, C * a.kh * a.kw}));
        } else {
          TensorId d = g_.reshape(uniq(n + ".dy_g"), dy, {N, G, F / G, OH * OW});
          d = g_.transpose(uniq(n + ".dy_t"), d, {1, 0, 3, 2});
          d = g_.reshape(uniq(n + ".dy_rows"), d, {G, N * OH * OW, F / G});
          TensorId wr = g_.reshape(uniq(n + ".w_rows"), op.inputs[1], {G, F / G, C / G * a.kh * a.kw});
          cols = g_.batched_matmul(uniq(n + ".dgrad"), d, wr);
        }
        dx = g_.col2im(uniq(n + ".col2im"), cols, a, x.shape);
      }
      if (g_.tensor(dx).shape != x.shape)
        throw Error(fmt::format("internal: input gradient of '{}' is {}, the input {}", n, shape_str(g_.tensor(dx).shape),
                                shape_str(x.shape)));
      accumulate(op.inputs[0], dx);
    }
    if (needs(op.inputs[1])) {
      // dW = conv(X with batch and channels exchanged, dY as the kernel): the forward's stride
      // becomes the dilation and its dilation the stride.
      TensorId xin = value(op.inputs[0]);
      if (G == 1)
        xin = g_.transpose(uniq(n + ".x_t"), xin, {1, 0, 2, 3});  // [C, N, H, W]
      else
        xin = g_.reshape(uniq(n + ".x_cn"),
                         g_.transpose(uniq(n + ".x_t"), g_.reshape(uniq(n + ".x_g"), xin, {N, G, C / G, H * W}),
                                      {2, 1, 0, 3}),
                         {C / G, G * N, H, W});
      TensorId kern = g_.transpose(uniq(n + ".dy_k"), dy, {1, 0, 2, 3});  // [F, N, OH, OW]
      Graph::ConvSpec s;
      s.out_channels = F, s.kh = OH, s.kw = OW, s.groups = G;
      s.stride = a.dil_h, s.stride_w = a.dil_w, s.dilation = a.stride_h, s.dilation_w = a.stride_w;
      // Rows below (OH - 1) * stride + (kh - 1) * dil + 1 - pad_top are never read: the padding
      // that makes the output exactly kh x kw, or those rows cut off.
      const std::int64_t pb = (OH - 1) * a.stride_h + eff_h - H - a.pad_top;
      const std::int64_t pr = (OW - 1) * a.stride_w + eff_w - W - a.pad_left;
      if (pb < 0) xin = g_.slice(uniq(n + ".x_rows"), xin, 2, 0, H + pb);
      if (pr < 0) xin = g_.slice(uniq(n + ".x_cols"), xin, 3, 0, W + pr);
      s.padding = {a.pad_top, std::max<std::int64_t>(pb, 0), a.pad_left, std::max<std::int64_t>(pr, 0)};
      TensorId dw = g_.conv2d_with(uniq(n + ".wgrad"), xin, kern, kNoTensor, s);  // [C/G, F, kh, kw]
      accumulate(op.inputs[1], g_.transpose(uniq(n + ".wgrad_t"), dw, {1, 0, 2, 3}));
    }
    if (a.bias && needs(op.inputs[2])) {
      TensorId r = g_.reduce(uniq(n + ".bgrad_planes"), g_.reshape(uniq(n + ".dy_planes"), dy, {N, F, OH * OW}), 2);
      accumulate(op.inputs[2], g_.reduce(uniq(n + ".bgrad"), r, 0));
    }
    (void)w;
  }

  // Bytes of forward storage that recomputation or backward ops read: activations and inputs
  // (views resolved to the tensors they alias); random masks only where the backward reads them
  // (a recomputation regenerates them).
  std::int64_t saved_bytes(const TrainingGraph& tg) const {
    const Graph& g = tg.graph;
    std::set<TensorId> saved;
    std::function<void(TensorId, bool)> mark = [&](TensorId t, bool by_recompute) {
      if (static_cast<std::size_t>(t) >= f_.tensors().size()) return;  // created after the forward pass
      const Tensor& x = f_.tensor(t);
      if (x.kind == TensorKind::Weight || x.kind == TensorKind::State || x.kind == TensorKind::KvCache) return;
      if (x.kind == TensorKind::Random && (by_recompute || regenerated(t))) return;
      if (x.producer >= 0 && aliases(f_.op(static_cast<std::size_t>(x.producer)))) {
        for (TensorId in : f_.op(static_cast<std::size_t>(x.producer)).inputs) mark(in, by_recompute);
        return;
      }
      saved.insert(t);
    };
    for (std::size_t i = nf_; i < g.ops().size(); ++i)
      for (TensorId t : g.op(i).inputs) mark(t, tg.phase[i] == Phase::Recompute);
    std::int64_t b = 0;
    for (TensorId t : saved) b = checked_add(b, f_.tensor(t).bytes(), "saved activations");
    return b;
  }

  // A random mask one of whose readers is recomputed is generated again from its seed; the
  // backward pass reads the regenerated mask.
  bool regenerated(TensorId t) const {
    for (std::int32_t c : f_.consumers(t))
      if (recompute_[static_cast<std::size_t>(c)]) return true;
    return false;
  }

  const Graph& f_;
  const TrainingOptions& o_;
  Graph g_;
  std::size_t nf_ = 0;
  std::vector<Phase> phase_;
  Phase cur_ = Phase::Backward;
  std::vector<TensorId> value_;
  std::vector<bool> recompute_, replayed_, needs_;
  std::vector<TensorId> grad_;
  std::map<std::string, int> names_;
};

}  // namespace

TrainingGraph make_training_graph(const Graph& forward, const TrainingOptions& o) {
  return Builder(forward, o).build();
}

}  // namespace npusim::workloads
