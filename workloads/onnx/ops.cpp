// ONNX ops to the graph IR. Each handler reads the node's attributes in every form the opsets
// 7 to 21 give them (attributes in older opsets, constant inputs in newer ones), checks them and
// builds graph ops; a problem is an Error the importer prefixes with the node and op.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "base/checked.h"
#include "base/error.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx {

namespace {

using Handler = void (*)(Importer&, Node&);

std::string list_str(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", v[i]);
  return s + "]";
}

TensorId T(Importer& imp, Node& n, std::size_t k) { return imp.tensor_of(n.input(k)); }

// A view with another shape: no op when the graph shape does not change. `own`: the name is the
// node's own (already unique); otherwise a unique name is made from it.
TensorId reshaped(Importer& imp, const std::string& name, TensorId t, const Shape& s, bool own = false) {
  if (imp.g.tensor(t).shape == s) return t;
  return imp.g.reshape(own ? name : imp.unique_name(name), t, s);
}

// Output k is input `from`'s tensor under another ONNX shape (and type).
void alias(Importer& imp, Node& n, std::size_t k, const Value& from, Shape shape, int elem) {
  Value v;
  v.shape = std::move(shape);
  v.elem = elem;
  v.tensor = from.tensor;
  imp.set_output(n, k, std::move(v));
}

void out_reshaped(Importer& imp, Node& n, std::size_t k, const Shape& onnx_shape) {
  Value& x = n.input(0);
  const TensorId t = reshaped(imp, n.name, imp.tensor_of(x), tensor_shape(onnx_shape), true);
  imp.set_tensor_output(n, k, t, onnx_shape);
}

// ---------------------------------------------------------------- element-wise

const std::map<std::string_view, EltFn>& unary_map() {
  static const std::map<std::string_view, EltFn> m = {
      {"Relu", EltFn::Relu}, {"Sigmoid", EltFn::Sigmoid}, {"HardSigmoid", EltFn::HardSigmoid},
      {"HardSwish", EltFn::HardSwish}, {"Gelu", EltFn::Gelu}, {"Tanh", EltFn::Tanh}, {"Exp", EltFn::Exp},
      {"Erf", EltFn::Erf}, {"Sqrt", EltFn::Sqrt},
  };
  return m;
}

void unary(Importer& imp, Node& n) {
  const EltFn fn = unary_map().at(n.op);
  imp.set_tensor_output(n, 0, imp.g.eltwise(n.name, fn, T(imp, n, 0)), n.input(0).shape);
}

void binary(Importer& imp, Node& n) {
  static const std::map<std::string_view, EltFn> m = {
      {"Add", EltFn::Add}, {"Sub", EltFn::Sub}, {"Mul", EltFn::Mul}, {"Div", EltFn::Div}, {"Pow", EltFn::Pow}};
  const EltFn fn = m.at(n.op);
  Value &a = n.input(0), &b = n.input(1);
  const Shape s = broadcast_or_throw(a.shape, b.shape);
  // The activation first (it is the operand a producer's layer extends).
  const bool swap = (fn == EltFn::Add || fn == EltFn::Mul) && a.is_const && !b.is_const;
  const TensorId ta = imp.tensor_of(swap ? b : a), tb = imp.tensor_of(swap ? a : b);
  imp.set_tensor_output(n, 0, imp.g.eltwise(n.name, fn, ta, tb), s);
}

void clip(Importer& imp, Node& n) {
  std::optional<double> lo, hi;
  if (n.opset < 11) {
    if (n.attr("min")) lo = n.attr_float("min", 0);
    if (n.attr("max")) hi = n.attr_float("max", 0);
  } else {
    if (n.has(1)) lo = imp.real_data(n.input(1), "min").at(0);
    if (n.has(2)) hi = imp.real_data(n.input(2), "max").at(0);
  }
  EltFn fn = EltFn::Clip;
  if (lo && *lo == 0 && hi && *hi == 6) fn = EltFn::Relu6;
  else if (lo && *lo == 0 && !hi) fn = EltFn::Relu;
  else if (lo && hi && *lo > *hi) throw Error(fmt::format("min {} is larger than max {}", *lo, *hi));
  imp.set_tensor_output(n, 0, imp.g.eltwise(n.name, fn, T(imp, n, 0)), n.input(0).shape);
}

void identity(Importer& imp, Node& n) {
  Value& x = n.input(0);
  imp.tensor_of(x);
  int elem = x.elem;
  if (n.op == "Cast") elem = static_cast<int>(n.attr_int("to", kFloat));
  else if (n.op == "CastLike") elem = n.input(1).elem;
  else if (n.op == "DequantizeLinear") elem = kFloat;
  else if (n.op == "QuantizeLinear") elem = n.has(2) ? n.input(2).elem : kUint8;
  alias(imp, n, 0, x, x.shape, elem);
  if (n.op == "Dropout") alias(imp, n, 1, x, x.shape, kBool);
}

// ---------------------------------------------------------------- shapes and data movement

void reshape_like(Importer& imp, Node& n) { out_reshaped(imp, n, 0, reshaped_shape_of(n)); }

void transpose(Importer& imp, Node& n) {
  Value& x = n.input(0);
  std::vector<std::int64_t> perm = n.attr_ints("perm").value_or(std::vector<std::int64_t>{});
  const Shape s = transpose_shape(x.shape, perm);
  // When the axes longer than 1 keep their order, the data does not move: a reshape.
  bool trivial = true;
  std::int64_t last = -1;
  for (std::int64_t p : perm) {
    if (x.shape[static_cast<std::size_t>(p)] == 1) continue;
    trivial = trivial && p > last;
    last = p;
  }
  if (trivial || x.shape.size() < 2) return out_reshaped(imp, n, 0, s);
  std::vector<int> p(perm.begin(), perm.end());
  imp.set_tensor_output(n, 0, imp.g.transpose(n.name, imp.tensor_of(x), p), s);
}

void concat(Importer& imp, Node& n) {
  std::vector<const Shape*> shapes;
  std::vector<Value*> parts;
  for (std::size_t k = 0; k < n.in.size(); ++k)
    if (n.has(k)) {
      shapes.push_back(&n.input(k).shape);
      if (n.input(k).elements() > 0) parts.push_back(&n.input(k));
    }
  const Shape s = concat_shape(shapes, n.attr_int("axis", 0));
  if (parts.empty()) throw Error("every input is empty");
  if (parts.size() == 1) {
    imp.tensor_of(*parts.front());
    return alias(imp, n, 0, *parts.front(), s, parts.front()->elem);
  }
  std::vector<TensorId> ts;
  for (Value* v : parts) ts.push_back(imp.tensor_of(*v));
  const int axis = norm_axis(n.attr_int("axis", 0), s.size(), "axis");
  imp.set_tensor_output(n, 0, imp.g.concat(n.name, ts, axis), s);
}

// A window of x as output k: no op when it is all of x.
void slice_out(Importer& imp, Node& n, std::size_t k, Value& x, const Shape& starts, const Shape& steps,
               const Shape& out, const std::string& name) {
  if (out == x.shape) {
    bool whole = true;
    for (std::size_t i = 0; i < out.size(); ++i) whole = whole && starts[i] == 0 && steps[i] == 1;
    if (whole) {
      imp.tensor_of(x);
      return alias(imp, n, k, x, out, x.elem);
    }
  }
  for (std::int64_t d : out)
    if (d == 0) {  // an empty result: a constant nothing reads at run time
      Value v;
      v.shape = out;
      v.elem = x.elem;
      v.is_const = true;
      v.has_data = true;
      imp.set_output(n, k, std::move(v));
      return;
    }
  const TensorId t = imp.tensor_of(x);
  if (x.shape.empty()) return alias(imp, n, k, x, out, x.elem);
  imp.set_tensor_output(n, k, imp.g.slice(name, t, starts, steps, out), out);
}

void slice(Importer& imp, Node& n) {
  const SliceSpec sp = slice_of(imp, n);
  Value& x = n.input(0);
  slice_out(imp, n, 0, x, sp.starts, sp.steps, sp.out, n.name);
}

void split(Importer& imp, Node& n) {
  Value& x = n.input(0);
  const auto parts = split_of(n);
  for (std::size_t k = 0; k < parts.size(); ++k)
    if (n.output_used(k))
      slice_out(imp, n, k, x, parts[k].starts, parts[k].steps, parts[k].out,
                imp.unique_name(fmt::format("{}.{}", n.name, k)));
}

void gather(Importer& imp, Node& n) {
  Value& x = n.input(0);
  Value& idx = n.input(1);
  if (x.shape.empty()) throw Error("cannot gather from a scalar");
  const int axis = norm_axis(n.attr_int("axis", 0), x.shape.size(), "axis");
  const Shape s = gather_shape(x.shape, idx.shape, axis);
  const std::int64_t dim = x.shape[static_cast<std::size_t>(axis)];
  if (idx.is_const && idx.has_data) {
    std::vector<std::int64_t> ids = idx.ints();
    for (std::int64_t& i : ids) {
      if (i < -dim || i >= dim) throw Error(fmt::format("index {} is out of range for axis {} of size {}", i, axis, dim));
      if (i < 0) i += dim;
    }
    // Consecutive constant indices pick a window: a slice (and a reshape to the gathered rank).
    bool run = !ids.empty() && idx.shape.size() <= 1;
    for (std::size_t i = 1; run && i < ids.size(); ++i) run = ids[i] == ids[i - 1] + 1;
    if (run) {
      Shape starts(x.shape.size(), 0), steps(x.shape.size(), 1), w = x.shape;
      starts[static_cast<std::size_t>(axis)] = ids.front();
      w[static_cast<std::size_t>(axis)] = static_cast<std::int64_t>(ids.size());
      const TensorId t = imp.tensor_of(x);
      TensorId out = t;
      if (w != x.shape) out = imp.g.slice(n.name, t, starts, steps, w);
      imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".view", out, tensor_shape(s)), s);
      return;
    }
  }
  const TensorId ti = imp.tensor_of(idx);
  if (x.is_const && x.shape.size() == 2 && axis == 0) {  // a lookup table: an embedding
    const TensorId t = imp.g.embedding_with(n.name, ti, imp.tensor_of(x));
    imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".view", t, tensor_shape(s)), s);
    return;
  }
  const TensorId t = imp.g.gather(n.name, imp.tensor_of(x), ti, axis);
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".view", t, tensor_shape(s)), s);
}

// A copy into a broadcast or tiled shape: the vector unit streams its bytes.
void replicate(Importer& imp, Node& n) {
  Value& x = n.input(0);
  Shape s;
  if (n.op == "Expand") {
    s = broadcast_or_throw(x.shape, imp.int_data(n.input(1), "shape"));
  } else {
    const auto reps = imp.int_data(n.input(1), "repeats");
    if (reps.size() != x.shape.size()) throw Error(fmt::format("{} repeats for rank {}", reps.size(), x.shape.size()));
    s = x.shape;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (reps[i] < 1) throw Error(fmt::format("repeats {} must be >= 1", list_str(reps)));
      s[i] = checked_mul(s[i], reps[i], "tile");
    }
  }
  if (tensor_shape(s) == imp.g.tensor(imp.tensor_of(x)).shape) return alias(imp, n, 0, x, s, x.elem);
  imp.set_tensor_output(n, 0, imp.g.opaque(n.name, n.op, {imp.tensor_of(x)}, tensor_shape(s)), s);
}

// ---------------------------------------------------------------- padding

struct Pads {
  std::vector<std::int64_t> begin, end;  // per axis
};

Pads pads_of(Importer& imp, Node& n, std::size_t rank) {
  std::vector<std::int64_t> pads;
  if (n.opset < 11) {
    pads = n.attr_ints("pads").value_or(n.attr_ints("paddings").value_or(std::vector<std::int64_t>{}));
  } else {
    pads = imp.int_data(n.input(1), "pads");
  }
  std::vector<int> axes;
  if (n.has(3)) {
    axes = norm_axes(imp.int_data(n.input(3), "axes"), rank, "axis");
  } else {
    axes.resize(rank);
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (pads.size() != 2 * axes.size())
    throw Error(fmt::format("pads {} must hold two amounts for each of {} axes", list_str(pads), axes.size()));
  Pads p{std::vector<std::int64_t>(rank, 0), std::vector<std::int64_t>(rank, 0)};
  for (std::size_t i = 0; i < axes.size(); ++i) {
    p.begin[static_cast<std::size_t>(axes[i])] = pads[i];
    p.end[static_cast<std::size_t>(axes[i])] = pads[i + axes.size()];
  }
  return p;
}

void pad(Importer& imp, Node& n) {
  Value& x = n.input(0);
  const Pads p = pads_of(imp, n, x.shape.size());
  const std::string mode = n.attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
    throw Error(fmt::format("unknown mode '{}'", mode));
  Shape out = x.shape;
  Shape starts(x.shape.size(), 0), steps(x.shape.size(), 1), crop = x.shape;
  Shape before(x.shape.size()), after(x.shape.size());
  bool cropped = false, padded = false;
  for (std::size_t i = 0; i < x.shape.size(); ++i) {
    out[i] = x.shape[i] + p.begin[i] + p.end[i];
    if (out[i] <= 0) throw Error(fmt::format("pads {} / {} leave axis {} of {} empty", p.begin[i], p.end[i], i, shape_str(x.shape)));
    // negative pads crop
    starts[i] = std::max<std::int64_t>(0, -p.begin[i]);
    crop[i] = x.shape[i] - starts[i] - std::max<std::int64_t>(0, -p.end[i]);
    if (crop[i] <= 0) throw Error(fmt::format("pads {} / {} crop all of axis {}", p.begin[i], p.end[i], i));
    before[i] = std::max<std::int64_t>(0, p.begin[i]);
    after[i] = std::max<std::int64_t>(0, p.end[i]);
    cropped = cropped || crop[i] != x.shape[i];
    padded = padded || before[i] > 0 || after[i] > 0;
  }
  TensorId t = imp.tensor_of(x);
  if (cropped) t = imp.g.slice(imp.unique_name(n.name + ".crop"), t, starts, steps, crop);
  if (padded) t = imp.g.pad(n.name, t, before, after);
  if (x.shape.empty()) return alias(imp, n, 0, x, out, x.elem);
  imp.set_tensor_output(n, 0, t, out);
}

// ---------------------------------------------------------------- convolution and pooling

struct Window {
  std::vector<std::int64_t> kernel, strides, dilations, begin, end;  // per spatial axis
};

// Kernel geometry of a Conv / pool node over `spatial` input sizes, auto_pad resolved.
Window window_of(const Node& n, const Shape& spatial, const std::vector<std::int64_t>& kernel) {
  const std::size_t r = spatial.size();
  Window w;
  w.kernel = kernel;
  w.strides = n.attr_ints("strides").value_or(std::vector<std::int64_t>(r, 1));
  w.dilations = n.attr_ints("dilations").value_or(std::vector<std::int64_t>(r, 1));
  const auto pads = n.attr_ints("pads").value_or(std::vector<std::int64_t>(2 * r, 0));
  if (w.kernel.size() != r || w.strides.size() != r || w.dilations.size() != r || pads.size() != 2 * r)
    throw Error(fmt::format("kernel_shape {}, strides {}, dilations {} and pads {} do not fit {} spatial axes",
                            list_str(w.kernel), list_str(w.strides), list_str(w.dilations), list_str(pads), r));
  for (std::size_t i = 0; i < r; ++i) {
    if (w.kernel[i] <= 0) throw Error(fmt::format("kernel_shape {} must be positive", list_str(w.kernel)));
    if (w.strides[i] <= 0) throw Error(fmt::format("strides {} must be positive", list_str(w.strides)));
    if (w.dilations[i] <= 0) throw Error(fmt::format("dilations {} must be positive", list_str(w.dilations)));
    if (pads[i] < 0 || pads[i + r] < 0) throw Error(fmt::format("pads {} must be >= 0", list_str(pads)));
  }
  w.begin.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(r));
  w.end.assign(pads.begin() + static_cast<std::ptrdiff_t>(r), pads.end());
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (std::size_t i = 0; i < r; ++i) {
      const std::int64_t eff = (w.kernel[i] - 1) * w.dilations[i] + 1;
      const std::int64_t out = (spatial[i] + w.strides[i] - 1) / w.strides[i];
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * w.strides[i] + eff - spatial[i]);
      w.begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.end[i] = total - w.begin[i];
    }
  } else if (auto_pad == "VALID") {
    std::fill(w.begin.begin(), w.begin.end(), 0);
    std::fill(w.end.begin(), w.end.end(), 0);
  } else if (auto_pad != "NOTSET") {
    throw Error(fmt::format("unknown auto_pad '{}'", auto_pad));
  }
  return w;
}

// [N, C, L] -> [N, C, 1, L] (a view), so that 1-D windows run as 2-D ones.
Shape as_2d(const Shape& s) {
  if (s.size() == 4) return s;
  return {s[0], s[1], 1, s[2]};
}

}  // namespace

// Conv with numpy-style 1-D and 2-D geometry; `bn_bias`: a folded BatchNormalization's shift [F]
// (the conv's bias when it has none). A zero Pad left pending on the input adds to the padding.
void import_conv(Importer& imp, Node& n, TensorId bn_bias) {
  Value& x = n.input(0);
  Value& w = n.input(1);
  if (w.shape.size() != x.shape.size())
    throw Error(fmt::format("weight {} and input {} differ in rank", shape_str(w.shape), shape_str(x.shape)));
  const std::size_t R = x.shape.size(), r = R - 2;
  const std::vector<std::int64_t> kshape(w.shape.begin() + 2, w.shape.end());
  if (const auto ks = n.attr_ints("kernel_shape"); ks && *ks != kshape)
    throw Error(fmt::format("kernel_shape {} differs from the weight's {}", list_str(*ks), shape_str(w.shape)));
  Window win = window_of(n, Shape(x.shape.begin() + 2, x.shape.end()), kshape);
  TensorId xt;
  if (!x.pending_pads.empty()) {  // a zero Pad folded into this convolution
    xt = x.unpadded;
    for (std::size_t i = 0; i < r; ++i) {
      win.begin[i] += x.pending_pads[2 + i];
      win.end[i] += x.pending_pads[R + 2 + i];
    }
  } else {
    xt = imp.tensor_of(x);
  }
  xt = reshaped(imp, n.name + ".in2d", xt, as_2d(imp.g.tensor(xt).shape));
  const std::int64_t groups = n.attr_int("group", 1);
  if (groups <= 0) throw Error(fmt::format("group {} must be positive", groups));
  Graph::ConvSpec spec;
  spec.groups = groups;
  spec.stride = r == 2 ? win.strides[0] : 1;
  spec.stride_w = win.strides[r - 1];
  spec.dilation = r == 2 ? win.dilations[0] : 1;
  spec.dilation_w = win.dilations[r - 1];
  spec.padding = {r == 2 ? win.begin[0] : 0, r == 2 ? win.end[0] : 0, win.begin[r - 1], win.end[r - 1]};
  // Padding beyond what the kernel reaches runs as an explicit Pad.
  const std::int64_t eff_h = r == 2 ? (kshape[0] - 1) * win.dilations[0] + 1 : 1;
  const std::int64_t eff_w = (kshape[r - 1] - 1) * win.dilations[r - 1] + 1;
  if (spec.padding[0] >= eff_h || spec.padding[1] >= eff_h || spec.padding[2] >= eff_w || spec.padding[3] >= eff_w) {
    xt = imp.g.pad(imp.unique_name(n.name + ".pad"), xt, {0, 0, spec.padding[0], spec.padding[2]},
                   {0, 0, spec.padding[1], spec.padding[3]});
    spec.padding = {0, 0, 0, 0};
  }
  // The weight as [F, C/g, kh, kw].
  const Shape w4 = r == 2 ? w.shape : Shape{w.shape[0], w.shape[1], 1, w.shape[2]};
  const TensorId wt = w.is_const && w.tensor == kNoTensor && r == 1
                          ? imp.new_weight(w, w4)
                          : reshaped(imp, n.name + ".w2d", imp.tensor_of(w), w4);
  TensorId bt = n.has(2) ? imp.tensor_of(n.input(2)) : bn_bias;
  spec.bias = bt != kNoTensor;
  TensorId y = imp.g.conv2d_with(n.name, xt, wt, bt, spec);
  const Shape y4 = imp.g.tensor(y).shape;
  const Shape out = r == 2 ? y4 : Shape{y4[0], y4[1], y4[3]};
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".out", y, out), out);
}

namespace {

void conv(Importer& imp, Node& n) { import_conv(imp, n, kNoTensor); }

void conv_transpose(Importer& imp, Node& n) {
  Value& x = n.input(0);
  Value& w = n.input(1);  // [C, F/g, k...]
  const std::size_t r = x.shape.size() - 2;
  if (w.shape.size() != x.shape.size())
    throw Error(fmt::format("weight {} and input {} differ in rank", shape_str(w.shape), shape_str(x.shape)));
  const std::int64_t groups = n.attr_int("group", 1);
  if (groups <= 0 || x.shape[1] % groups != 0 || w.shape[0] != x.shape[1])
    throw Error(fmt::format("weight {} does not fit input {} in {} groups", shape_str(w.shape), shape_str(x.shape), groups));
  const std::vector<std::int64_t> kshape(w.shape.begin() + 2, w.shape.end());
  if (const auto ks = n.attr_ints("kernel_shape"); ks && *ks != kshape)
    throw Error(fmt::format("kernel_shape {} differs from the weight's {}", list_str(*ks), shape_str(w.shape)));
  const Shape spatial(x.shape.begin() + 2, x.shape.end());
  const auto strides = n.attr_ints("strides").value_or(std::vector<std::int64_t>(r, 1));
  const auto dil = n.attr_ints("dilations").value_or(std::vector<std::int64_t>(r, 1));
  const auto opad = n.attr_ints("output_padding").value_or(std::vector<std::int64_t>(r, 0));
  auto pads = n.attr_ints("pads").value_or(std::vector<std::int64_t>(2 * r, 0));
  if (strides.size() != r || dil.size() != r || opad.size() != r || pads.size() != 2 * r)
    throw Error("strides, dilations, output_padding and pads must cover every spatial axis");
  const std::int64_t F = w.shape[1] * groups;
  Shape out{x.shape[0], F};
  const auto oshape = n.attr_ints("output_shape");
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  for (std::size_t i = 0; i < r; ++i) {
    if (strides[i] <= 0 || dil[i] <= 0 || opad[i] < 0 || pads[i] < 0 || pads[i + r] < 0)
      throw Error("strides and dilations must be positive, output_padding and pads >= 0");
    const std::int64_t eff = (kshape[i] - 1) * dil[i] + 1;
    const std::int64_t full = strides[i] * (spatial[i] - 1) + opad[i] + eff;
    std::int64_t o;
    if (oshape) {
      if (oshape->size() != r && oshape->size() != r + 2) throw Error("output_shape must give every spatial axis");
      o = (*oshape)[oshape->size() - r + i];
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      o = spatial[i] * strides[i];
    } else {
      o = full - pads[i] - pads[i + r];
    }
    // output_shape may ask for up to stride - 1 more (an implied output_padding)
    const std::int64_t most = oshape ? full + strides[i] - 1 : full;
    if (o <= 0 || o > most) throw Error(fmt::format("output size {} on axis {} is impossible (at most {})", o, i, most));
    out.push_back(o);
  }
  const Shape xs = as_2d(x.shape);
  const Shape o4 = as_2d(out);
  const std::int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const std::int64_t kh = r == 2 ? kshape[0] : 1, kw = kshape[r - 1];
  const std::int64_t taps = checked_mul(F, kh * kw, "columns");
  TensorId xt = reshaped(imp, n.name + ".in2d", imp.tensor_of(x), xs);
  TensorId cols;
  if (groups == 1) {
    // GEMM: [N, H, W, C] . [C, F*kh*kw] -> columns [N, H, W, F*kh*kw]
    const TensorId xt2 = imp.g.transpose(imp.unique_name(n.name + ".nhwc"), xt, {0, 2, 3, 1});
    const TensorId wt = w.is_const && w.tensor == kNoTensor ? imp.new_weight(w, {C, taps})
                                                            : reshaped(imp, n.name + ".w", imp.tensor_of(w), {C, taps});
    cols = imp.g.matmul_with(imp.unique_name(n.name + ".gemm"), xt2, wt);
  } else {
    // Grouped: [N, g, H*W, C/g] . [1, g, C/g, F/g*kh*kw] -> [N, g, H*W, F/g*kh*kw]
    const TensorId xg = reshaped(imp, n.name + ".groups", xt, {N, groups, C / groups, H * W});
    const TensorId xg2 = imp.g.transpose(imp.unique_name(n.name + ".rows"), xg, {0, 1, 3, 2});
    const Shape wg{1, groups, C / groups, taps / groups};
    const TensorId wt = w.is_const && w.tensor == kNoTensor ? imp.new_weight(w, wg)
                                                            : reshaped(imp, n.name + ".w", imp.tensor_of(w), wg);
    TensorId c = imp.g.batched_matmul(imp.unique_name(n.name + ".gemm"), xg2, wt);
    c = imp.g.transpose(imp.unique_name(n.name + ".cols"), c, {0, 2, 1, 3});
    cols = reshaped(imp, n.name + ".merge", c, {N, H, W, taps});
  }
  cols = reshaped(imp, n.name + ".cols4d", cols, {N, H, W, taps});
  TensorId y = imp.g.col2im(n.name, cols, o4, kh, kw);
  if (n.has(2)) {
    Value& b = n.input(2);
    const TensorId bt = b.is_const && b.tensor == kNoTensor ? imp.new_weight(b, {F, 1, 1})
                                                            : reshaped(imp, n.name + ".b", imp.tensor_of(b), {F, 1, 1});
    y = imp.g.eltwise(imp.unique_name(n.name + ".bias"), EltFn::Add, y, bt);
  }
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".out", y, out), out);
}

void pool(Importer& imp, Node& n) {
  Value& x = n.input(0);
  const std::size_t r = x.shape.size() - 2;
  const bool global = n.op.starts_with("Global");
  const PoolFn fn = n.op.find("Max") != std::string::npos ? PoolFn::Max : PoolFn::Avg;
  const Shape spatial(x.shape.begin() + 2, x.shape.end());
  TensorId xt = reshaped(imp, n.name + ".in2d", imp.tensor_of(x), as_2d(x.shape));
  PoolAttrs a;
  a.fn = fn;
  if (global) {
    a.kh = as_2d(x.shape)[2], a.kw = as_2d(x.shape)[3];
  } else {
    const auto k = n.attr_ints("kernel_shape");
    if (!k) throw Error("attribute 'kernel_shape' is missing");
    const Window win = window_of(n, spatial, *k);
    a.kh = r == 2 ? win.kernel[0] : 1, a.kw = win.kernel[r - 1];
    a.stride_h = r == 2 ? win.strides[0] : 1, a.stride_w = win.strides[r - 1];
    a.dil_h = r == 2 ? win.dilations[0] : 1, a.dil_w = win.dilations[r - 1];
    a.pad_h = r == 2 ? win.begin[0] : 0, a.pad_bottom = r == 2 ? win.end[0] : 0;
    a.pad_w = win.begin[r - 1], a.pad_right = win.end[r - 1];
    a.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  }
  const TensorId y = imp.g.pool2d(n.name, xt, a);
  const Shape& y4 = imp.g.tensor(y).shape;
  const Shape out = r == 2 ? y4 : Shape{y4[0], y4[1], y4[3]};
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".out", y, out), out);
  if (n.output_used(1)) {  // MaxPool's indices
    imp.set_tensor_output(n, 1, imp.g.opaque(imp.unique_name(n.name + ".indices"), "MaxPool indices", {y}, out, DType::Int32),
                          out);
  }
}

// ---------------------------------------------------------------- GEMMs

void gemm(Importer& imp, Node& n) {
  Value& a = n.input(0);
  Value& b = n.input(1);
  if (a.shape.size() != 2 || b.shape.size() != 2)
    throw Error(fmt::format("A {} and B {} must be matrices", shape_str(a.shape), shape_str(b.shape)));
  const bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
  const std::int64_t M = ta ? a.shape[1] : a.shape[0], K = ta ? a.shape[0] : a.shape[1];
  const std::int64_t Kb = tb ? b.shape[1] : b.shape[0], N = tb ? b.shape[0] : b.shape[1];
  if (K != Kb) throw Error(fmt::format("inner dimensions differ: A {} . B {}", shape_str(a.shape), shape_str(b.shape)));
  TensorId at = imp.tensor_of(a);
  if (ta) at = imp.g.transpose(imp.unique_name(n.name + ".a"), at, {1, 0});
  const bool bias = n.has(2) && n.attr_float("beta", 1.0) != 0;
  const Shape out{M, N};
  if (bias) broadcast_or_throw(out, n.input(2).shape);  // C must broadcast to [M, N]
  const bool vector_bias = bias && n.input(2).elements() == N && n.input(2).is_const;
  TensorId y;
  if (b.is_const) {
    y = imp.g.matmul_with(n.name, at, imp.tensor_of(b), tb, vector_bias ? imp.tensor_of(n.input(2)) : kNoTensor);
  } else {
    TensorId bt = imp.tensor_of(b);
    y = imp.g.batched_matmul(n.name, at, bt, tb);
  }
  if (bias && !vector_bias)
    y = imp.g.eltwise(imp.unique_name(n.name + ".c"), EltFn::Add, y, imp.tensor_of(n.input(2)));
  imp.set_tensor_output(n, 0, y, out);
}

}  // namespace

TensorId import_matmul(Importer& imp, Node& n, Value* bias, Shape& onnx_out) {
  Value& a = n.input(0);
  Value& b = n.input(1);
  if (a.shape.empty() || b.shape.empty()) throw Error("MatMul of a scalar");
  Shape as = a.shape, bs = b.shape;
  const bool a1 = as.size() == 1, b1 = bs.size() == 1;
  if (a1) as.insert(as.begin(), 1);
  if (b1) bs.push_back(1);
  const std::int64_t K = as.back(), Kb = bs[bs.size() - 2], N = bs.back();
  if (K != Kb) throw Error(fmt::format("inner dimensions differ: {} . {}", shape_str(a.shape), shape_str(b.shape)));
  const Shape batch = broadcast_or_throw(Shape(as.begin(), as.end() - 2), Shape(bs.begin(), bs.end() - 2));
  onnx_out = batch;
  if (!a1) onnx_out.push_back(as[as.size() - 2]);
  if (!b1) onnx_out.push_back(N);
  const TensorId at = reshaped(imp, n.name + ".a", imp.tensor_of(a), as);
  TensorId y;
  // A constant [K, N] right operand is a weight: a plain GEMM over all rows of a.
  if (b.is_const && bs.size() == 2 && batch == Shape(as.begin(), as.end() - 2)) {
    const TensorId bt = b1 && b.tensor == kNoTensor ? imp.new_weight(b, bs)
                                                    : reshaped(imp, n.name + ".b", imp.tensor_of(b), bs);
    y = imp.g.matmul_with(n.name, at, bt, false, bias ? imp.tensor_of(*bias) : kNoTensor);
  } else {
    const TensorId bt = reshaped(imp, n.name + ".b", imp.tensor_of(b), bs);
    y = imp.g.batched_matmul(n.name, at, bt);
    if (bias) y = imp.g.eltwise(imp.unique_name(n.name + ".bias"), EltFn::Add, y, imp.tensor_of(*bias));
  }
  return reshaped(imp, n.name + ".out", y, tensor_shape(onnx_out));
}

namespace {

void matmul(Importer& imp, Node& n) {
  Shape s;
  const TensorId y = import_matmul(imp, n, nullptr, s);
  imp.set_tensor_output(n, 0, y, s);
}

// ---------------------------------------------------------------- normalisation and reductions

// Runs `f` on x viewed as [outer, inner] with inner = the product of the axes from `axis` on.
template <class F>
void over_trailing(Importer& imp, Node& n, int axis, F f) {
  Value& x = n.input(0);
  const Shape& s = x.shape;
  std::int64_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < s.size(); ++i) (static_cast<int>(i) < axis ? outer : inner) *= s[i];
  const bool direct = axis == static_cast<int>(s.size()) - 1;
  const TensorId xt = direct ? imp.tensor_of(x) : reshaped(imp, n.name + ".rows", imp.tensor_of(x), {outer, inner});
  const TensorId y = f(xt);
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".out", y, tensor_shape(s)), s);
}

void softmax(Importer& imp, Node& n) {
  Value& x = n.input(0);
  if (x.shape.empty()) throw Error("softmax of a scalar");
  const int r = static_cast<int>(x.shape.size());
  const int axis = norm_axis(n.attr_int("axis", n.opset < 13 ? 1 : -1), x.shape.size(), "axis");
  if (n.opset < 13 || axis == r - 1)  // before opset 13: over the flattened trailing axes
    return over_trailing(imp, n, axis, [&](TensorId t) { return imp.g.softmax(n.name, t); });
  // One axis that is not the last: move it last and back.
  std::vector<int> perm(static_cast<std::size_t>(r));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<std::size_t>(axis)], perm.back());
  TensorId t = imp.g.transpose(imp.unique_name(n.name + ".last"), imp.tensor_of(x), perm);
  t = imp.g.softmax(n.name, t);
  t = imp.g.transpose(imp.unique_name(n.name + ".back"), t, perm);
  imp.set_tensor_output(n, 0, t, x.shape);
}

void layer_norm(Importer& imp, Node& n) {
  Value& x = n.input(0);
  if (x.shape.empty()) throw Error("normalisation of a scalar");
  const int axis = n.op == "InstanceNormalization" ? 2 : norm_axis(n.attr_int("axis", -1), x.shape.size(), "axis");
  if (n.op == "InstanceNormalization" && x.shape.size() < 3) throw Error("the input must be [N, C, ...]");
  over_trailing(imp, n, axis, [&](TensorId t) { return imp.g.norm(n.name, NormFn::LayerNorm, t); });
  // LayerNormalization's optional outputs, the mean and the inverse deviation, are reductions
  // over the normalised axes (kept when a consumer reads them, e.g. in training graphs).
  std::vector<int> axes;
  for (int a = axis; a < static_cast<int>(x.shape.size()); ++a) axes.push_back(a);
  for (std::size_t k = 1; k < 3 && n.op == "LayerNormalization"; ++k) {
    if (!n.output_used(k)) continue;
    const Shape s = reduce_shape(x.shape, axes, true);
    const TensorId t = imp.g.reduce(imp.unique_name(fmt::format("{}.{}", n.name, k == 1 ? "mean" : "inv_std")),
                                    k == 1 ? ReduceFn::Mean : ReduceFn::L2, imp.tensor_of(x), axes, true);
    imp.set_tensor_output(n, k, t, s);
  }
}

void batch_norm(Importer& imp, Node& n) {
  Value& x = n.input(0);
  if (x.shape.size() < 2) throw Error(fmt::format("input {} must be [N, C, ...]", shape_str(x.shape)));
  const std::int64_t C = x.shape[1];
  for (std::size_t k = 1; k < 5; ++k)
    if (n.input(k).elements() != C)
      throw Error(fmt::format("input {} ('{}') {} must hold one value per channel ({})", k, n.input(k).name,
                              shape_str(n.input(k).shape), C));
  // Inference: y = x * scale + shift with per-channel scale and shift.
  Shape per_channel(x.shape.size() - 1, 1);
  per_channel[0] = C;
  const TensorId scale = imp.g.weight(n.name + ".scale", per_channel);
  const TensorId shift = imp.g.weight(n.name + ".shift", per_channel);
  TensorId y = imp.g.eltwise(imp.unique_name(n.name + ".mul"), EltFn::Mul, imp.tensor_of(x), scale);
  y = imp.g.eltwise(n.name, EltFn::Add, y, shift);
  imp.set_tensor_output(n, 0, y, x.shape);
}

void reduce(Importer& imp, Node& n) {
  static const std::map<std::string_view, ReduceFn> m = {
      {"ReduceMean", ReduceFn::Mean}, {"ReduceSum", ReduceFn::Sum}, {"ReduceMax", ReduceFn::Max},
      {"ReduceMin", ReduceFn::Min}, {"ReduceProd", ReduceFn::Prod}, {"ReduceSumSquare", ReduceFn::SumSquare},
      {"ReduceL1", ReduceFn::L1}, {"ReduceL2", ReduceFn::L2}, {"ArgMax", ReduceFn::Max}, {"ArgMin", ReduceFn::Min}};
  Value& x = n.input(0);
  const bool keep = n.attr_int("keepdims", 1) != 0;
  std::optional<std::vector<std::int64_t>> axes;
  if (n.op.starts_with("Arg")) axes = std::vector<std::int64_t>{n.attr_int("axis", 0)};
  else axes = n.ints_attr_or_input("axes", 1);
  const std::vector<int> ax = axes ? norm_axes(*axes, x.shape.size(), "axis") : std::vector<int>{};
  if (ax.empty() && axes && n.attr_int("noop_with_empty_axes", 0) != 0) {
    imp.tensor_of(x);
    return alias(imp, n, 0, x, x.shape, x.elem);
  }
  const Shape s = reduce_shape(x.shape, ax, keep);
  if (x.shape.empty()) {
    imp.tensor_of(x);
    return alias(imp, n, 0, x, s, x.elem);
  }
  const TensorId y = imp.g.reduce(n.name, m.at(n.op), imp.tensor_of(x), ax, keep);
  imp.set_tensor_output(n, 0, reshaped(imp, n.name + ".out", y, tensor_shape(s)), s);
}

// ---------------------------------------------------------------- resizing

void resize(Importer& imp, Node& n) {
  Value& x = n.input(0);
  const std::size_t r = x.shape.size();
  std::string mode = n.attr_string("mode", "nearest");
  ResizeMode rm;
  if (mode == "nearest") rm = ResizeMode::Nearest;
  else if (mode == "linear" || mode == "bilinear" || mode == "trilinear") rm = ResizeMode::Linear;
  else if (mode == "cubic") rm = ResizeMode::Cubic;
  else throw Error(fmt::format("unknown mode '{}'", mode));
  std::vector<double> scales;
  std::vector<std::int64_t> sizes;
  if (n.op == "Upsample") {
    if (n.opset < 9) scales = n.attr_floats("scales").value_or(std::vector<double>{});
    else scales = imp.real_data(n.input(1), "scales");
  } else if (n.opset < 11) {
    scales = imp.real_data(n.input(1), "scales");
  } else {
    if (n.has(3) && n.input(3).elements() > 0) sizes = imp.int_data(n.input(3), "sizes");
    else if (n.has(2)) scales = imp.real_data(n.input(2), "scales");
  }
  std::vector<int> axes(r);
  std::iota(axes.begin(), axes.end(), 0);
  if (const auto a = n.attr_ints("axes")) axes = std::vector<int>(norm_axes(*a, r, "axis"));
  Shape out = x.shape;
  if (!sizes.empty()) {
    if (sizes.size() != axes.size()) throw Error(fmt::format("sizes {} do not give {} axes", list_str(sizes), axes.size()));
    const std::string policy = n.attr_string("keep_aspect_ratio_policy", "stretch");
    if (policy == "stretch") {
      for (std::size_t i = 0; i < axes.size(); ++i) out[static_cast<std::size_t>(axes[i])] = sizes[i];
    } else if (policy == "not_larger" || policy == "not_smaller") {
      double s = policy == "not_larger" ? HUGE_VAL : 0;
      for (std::size_t i = 0; i < axes.size(); ++i) {
        const double q = static_cast<double>(sizes[i]) / static_cast<double>(x.shape[static_cast<std::size_t>(axes[i])]);
        s = policy == "not_larger" ? std::min(s, q) : std::max(s, q);
      }
      for (int a : axes) out[static_cast<std::size_t>(a)] = static_cast<std::int64_t>(std::llround(static_cast<double>(x.shape[static_cast<std::size_t>(a)]) * s));
    } else {
      throw Error(fmt::format("unknown keep_aspect_ratio_policy '{}'", policy));
    }
  } else {
    if (scales.size() != axes.size())
      throw Error(fmt::format("{} scales for {} axes (give scales or sizes)", scales.size(), axes.size()));
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const double v = static_cast<double>(x.shape[static_cast<std::size_t>(axes[i])]) * scales[i];
      if (!(scales[i] > 0) || !(v < 9e15)) throw Error(fmt::format("scale {} is impossible", scales[i]));
      out[static_cast<std::size_t>(axes[i])] = static_cast<std::int64_t>(std::floor(v));
    }
  }
  for (std::int64_t d : out)
    if (d <= 0) throw Error(fmt::format("the output {} would be empty", shape_str(out)));
  if (out == x.shape) {
    imp.tensor_of(x);
    return alias(imp, n, 0, x, out, x.elem);
  }
  imp.set_tensor_output(n, 0, imp.g.resize(n.name, imp.tensor_of(x), tensor_shape(out), rm), out);
}

const std::map<std::string_view, Handler>& handlers() {
  static const std::map<std::string_view, Handler> m = {
      {"Conv", conv}, {"ConvTranspose", conv_transpose}, {"Gemm", gemm}, {"MatMul", matmul},
      {"Add", binary}, {"Sub", binary}, {"Mul", binary}, {"Div", binary}, {"Pow", binary},
      {"Relu", unary}, {"Sigmoid", unary}, {"HardSigmoid", unary}, {"HardSwish", unary}, {"Gelu", unary},
      {"Tanh", unary}, {"Exp", unary}, {"Erf", unary}, {"Sqrt", unary}, {"Clip", clip},
      {"Softmax", softmax}, {"LogSoftmax", softmax}, {"LayerNormalization", layer_norm},
      {"InstanceNormalization", layer_norm}, {"BatchNormalization", batch_norm},
      {"MaxPool", pool}, {"AveragePool", pool}, {"GlobalAveragePool", pool}, {"GlobalMaxPool", pool},
      {"Reshape", reshape_like}, {"Flatten", reshape_like}, {"Squeeze", reshape_like}, {"Unsqueeze", reshape_like},
      {"Transpose", transpose}, {"Concat", concat}, {"Split", split}, {"Slice", slice}, {"Gather", gather},
      {"Expand", replicate}, {"Tile", replicate}, {"Pad", pad}, {"Resize", resize}, {"Upsample", resize},
      {"ReduceMean", reduce}, {"ReduceSum", reduce}, {"ReduceMax", reduce}, {"ReduceMin", reduce},
      {"ReduceProd", reduce}, {"ReduceSumSquare", reduce}, {"ReduceL1", reduce}, {"ReduceL2", reduce},
      {"ArgMax", reduce}, {"ArgMin", reduce},
      {"Identity", identity}, {"Dropout", identity}, {"Cast", identity}, {"CastLike", identity},
      {"QuantizeLinear", identity}, {"DequantizeLinear", identity},
  };
  return m;
}

// Output shape rules for ops without a mapping: element-wise ops keep or broadcast shapes.
std::optional<Shape> opaque_shape(const Node& n, std::size_t k) {
  static const std::set<std::string_view> broadcasting = {
      "Where", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Max", "Min",
      "Sum", "Mean", "Mod", "BitShift", "PRelu", "BitwiseAnd", "BitwiseOr", "BitwiseXor"};
  static const std::set<std::string_view> same = {
      "LeakyRelu", "Elu", "Selu", "Celu", "Softplus", "Softsign", "ThresholdedRelu", "Neg", "Abs", "Reciprocal",
      "Log", "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh",
      "Acosh", "Atanh", "Not", "IsNaN", "IsInf", "Mish", "Shrink", "Hardmax", "LpNormalization",
      "MeanVarianceNormalization", "CumSum", "Trilu", "LRN", "BitwiseNot", "Einsum"};
  if (k != 0 || !n.has(0)) return std::nullopt;
  if (same.count(n.op) && n.op != "Einsum") return n.input(0).shape;
  if (broadcasting.count(n.op)) {
    Shape s = n.input(0).shape;
    for (std::size_t i = 1; i < n.in.size(); ++i)
      if (n.has(i)) s = broadcast_or_throw(s, n.input(i).shape);
    return s;
  }
  return std::nullopt;
}

}  // namespace

bool import_op(Importer& imp, Node& n) {
  const auto it = handlers().find(n.op);
  if (it == handlers().end()) return false;
  const bool windowed = n.op == "Conv" || n.op == "ConvTranspose" || n.op.ends_with("Pool");
  if (windowed && n.has(0)) {
    const std::size_t rank = n.input(0).shape.size();
    if (rank > 4) return false;  // volumetric convolutions and pools have no model: Opaque
    if (rank < 3) throw Error(fmt::format("input {} must be [N, C, spatial...]", shape_str(n.input(0).shape)));
  }
  it->second(imp, n);
  return true;
}

void import_opaque(Importer& imp, Node& n) {
  imp.note_unmapped(n);
  std::vector<TensorId> ins;
  for (std::size_t k = 0; k < n.in.size(); ++k)
    if (n.has(k) && n.input(k).elements() > 0) ins.push_back(imp.tensor_of(n.input(k)));
  const std::string label = printable(n.domain.empty() ? n.op : n.domain + ":" + n.op);
  TensorId first = kNoTensor;
  for (std::size_t k = 0; k < n.num_outputs(); ++k) {
    if (!n.output_used(k)) continue;
    const std::string& out = n.p->output(static_cast<int>(k));
    if (imp.consumers(out).empty() && !imp.is_graph_output(out)) continue;  // nothing reads it
    std::optional<Shape> s = imp.declared_shape(out);
    if (!s) s = opaque_shape(n, k);
    if (!s) {
      if (!n.has(0)) throw Error(fmt::format("the shape of output '{}' is unknown: npusim has no shape rule for this "
                                             "op and the model declares none",
                                             out));
      s = n.input(0).shape;
      imp.note_assumed_shape(n);
    }
    for (std::int64_t d : *s)
      if (d <= 0) throw Error(fmt::format("output '{}' {} has no elements", out, shape_str(*s)));
    const std::string name = k == 0 ? n.name : imp.unique_name(fmt::format("{}.out{}", n.name, k));
    const TensorId t = imp.g.opaque(name, label, first == kNoTensor ? ins : std::vector<TensorId>{first},
                                    tensor_shape(*s));
    if (first == kNoTensor) first = t;
    imp.set_tensor_output(n, k, t, *s);
  }
}

}  // namespace npusim::workloads::onnx
