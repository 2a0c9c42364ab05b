// Constant folding: nodes whose inputs are all known at import time (the shape arithmetic
// exporters emit, constants, ops on weights) produce constants. The elements are computed for
// small tensors (kMaxConstElements); larger results keep their shape only.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "base/checked.h"
#include "base/error.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx {

namespace {

using Fn1 = std::function<double(double)>;
using Fn2 = std::function<double(double, double)>;

std::int64_t count(const Shape& s) {
  std::int64_t n = 1;
  for (std::int64_t d : s) n = checked_mul(n, d, fmt::format("constant {}", shape_str(s)));
  return n;
}

bool small(const Shape& s) { return count(s) <= kMaxConstElements; }

Value shape_only(Shape s, int elem, std::string why) {
  Value v;
  v.shape = std::move(s);
  v.elem = elem;
  v.is_const = true;
  v.why_no_data = std::move(why);
  return v;
}

Value with_data(Shape s, int elem, std::vector<double> d) {
  Value v;
  v.shape = std::move(s);
  v.elem = elem;
  v.is_const = true;
  v.has_data = true;
  v.data = std::move(d);
  if (is_integer_type(elem))
    for (double& x : v.data) x = elem == kBool ? (x != 0 ? 1 : 0) : std::trunc(x);
  return v;
}

// The result: with elements when every input has them and the result is small.
Value result(Shape s, int elem, const std::vector<const Value*>& ins, const std::function<std::vector<double>()>& f) {
  for (const Value* v : ins)
    if (!v->has_data) return shape_only(std::move(s), elem, v->why_no_data.empty() ? "an input is not known" : v->why_no_data);
  if (!small(s)) return shape_only(std::move(s), elem, fmt::format("it has {} elements (not computed)", count(s)));
  return with_data(std::move(s), elem, f());
}

std::vector<std::int64_t> strides_of(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// The elements of `out` taken from x: output element (c_0, c_1, ...) reads x at the flat index
// sum over d of offset(d, c_d).
template <class F>
std::vector<double> walk(const Value& x, const Shape& out, F offset) {
  const std::int64_t n = count(out);
  std::vector<double> r(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t rem = i, idx = 0;
    for (std::size_t d = out.size(); d-- > 0;) {
      idx += offset(d, rem % out[d]);
      rem /= out[d];
    }
    r[static_cast<std::size_t>(i)] = x.data[static_cast<std::size_t>(idx)];
  }
  return r;
}

// x broadcast (numpy's rules) to `out`.
std::vector<double> broadcast_data(const Value& a, const Shape& out) {
  const auto st = strides_of(a.shape);
  const std::size_t off = out.size() - a.shape.size();
  return walk(a, out, [&](std::size_t d, std::int64_t c) {
    return d >= off && a.shape[d - off] != 1 ? c * st[d - off] : std::int64_t{0};
  });
}

// out[i] = in[starts + i * steps] on every axis.
std::vector<double> strided(const Value& in, const Shape& starts, const Shape& steps, const Shape& out) {
  const auto st = strides_of(in.shape);
  return walk(in, out, [&](std::size_t d, std::int64_t c) { return (starts[d] + c * steps[d]) * st[d]; });
}

int result_type(const Value& a, const Value& b) { return a.elem == kBool ? b.elem : a.elem; }

const std::map<std::string_view, Fn1>& unary_fns() {
  static const std::map<std::string_view, Fn1> m = {
      {"Identity", [](double x) { return x; }},
      {"Neg", [](double x) { return -x; }},
      {"Abs", [](double x) { return std::fabs(x); }},
      {"Sqrt", [](double x) { return std::sqrt(x); }},
      {"Reciprocal", [](double x) { return 1.0 / x; }},
      {"Floor", [](double x) { return std::floor(x); }},
      {"Ceil", [](double x) { return std::ceil(x); }},
      {"Round", [](double x) { return std::nearbyint(x); }},
      {"Exp", [](double x) { return std::exp(x); }},
      {"Log", [](double x) { return std::log(x); }},
      {"Sign", [](double x) { return double((x > 0) - (x < 0)); }},
      {"Relu", [](double x) { return std::max(x, 0.0); }},
      {"Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); }},
      {"Tanh", [](double x) { return std::tanh(x); }},
      {"Erf", [](double x) { return std::erf(x); }},
      {"Sin", [](double x) { return std::sin(x); }},
      {"Cos", [](double x) { return std::cos(x); }},
  };
  return m;
}

const std::map<std::string_view, Fn2>& binary_fns() {
  auto safe_div = [](double a, double b) { return b == 0 ? (a == 0 ? 0.0 : std::copysign(HUGE_VAL, a)) : a / b; };
  static const std::map<std::string_view, Fn2> m = {
      {"Add", [](double a, double b) { return a + b; }},
      {"Sub", [](double a, double b) { return a - b; }},
      {"Mul", [](double a, double b) { return a * b; }},
      {"Div", safe_div},
      {"Pow", [](double a, double b) { return std::pow(a, b); }},
      {"Max", [](double a, double b) { return std::max(a, b); }},
      {"Min", [](double a, double b) { return std::min(a, b); }},
      {"Sum", [](double a, double b) { return a + b; }},
      {"Equal", [](double a, double b) { return double(a == b); }},
      {"Less", [](double a, double b) { return double(a < b); }},
      {"LessOrEqual", [](double a, double b) { return double(a <= b); }},
      {"Greater", [](double a, double b) { return double(a > b); }},
      {"GreaterOrEqual", [](double a, double b) { return double(a >= b); }},
      {"And", [](double a, double b) { return double(a != 0 && b != 0); }},
      {"Or", [](double a, double b) { return double(a != 0 || b != 0); }},
      {"Xor", [](double a, double b) { return double((a != 0) != (b != 0)); }},
  };
  return m;
}

bool is_comparison(std::string_view op) {
  return op == "Equal" || op == "Less" || op == "LessOrEqual" || op == "Greater" || op == "GreaterOrEqual" ||
         op == "And" || op == "Or" || op == "Xor" || op == "Not";
}

// Same-shape ops folded by shape only (their elements are not needed for shapes).
bool same_shape_op(std::string_view op) {
  static const std::set<std::string_view> s = {
      "Softmax", "LogSoftmax", "Hardmax", "LeakyRelu", "Elu", "Selu", "Celu", "PRelu", "HardSigmoid", "HardSwish",
      "Softplus", "Softsign", "ThresholdedRelu", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
      "Atanh", "IsNaN", "IsInf", "Mish", "Gelu", "Trilu", "CumSum", "Shrink", "BatchNormalization",
      "LayerNormalization", "InstanceNormalization", "LpNormalization", "MeanVarianceNormalization", "Clip"};
  return s.count(op) > 0;
}

void fold_constant(Importer& imp, Node& n) {
  const auto* a = n.p->attribute_size() == 1 ? &n.p->attribute(0) : nullptr;
  if (!a) throw Error("a Constant needs exactly one attribute (value, value_float, value_ints, ...)");
  const std::string& k = a->name();
  if (k == "value") {
    if (!a->has_t()) throw Error("attribute 'value' must be a tensor");
    imp.set_output(n, 0, decode_tensor(a->t(), n.p->output_size() ? n.p->output(0) : "", imp.base_dir));
  } else if (k == "value_float") {
    imp.set_output(n, 0, with_data({}, kFloat, {a->f()}));
  } else if (k == "value_int") {
    imp.set_output(n, 0, with_data({}, kInt64, {static_cast<double>(a->i())}));
  } else if (k == "value_floats") {
    imp.set_output(n, 0, with_data({a->floats_size()}, kFloat, {a->floats().begin(), a->floats().end()}));
  } else if (k == "value_ints") {
    std::vector<double> d;
    for (auto x : a->ints()) d.push_back(static_cast<double>(x));
    imp.set_output(n, 0, with_data({a->ints_size()}, kInt64, std::move(d)));
  } else if (k == "sparse_value") {
    Shape s(a->sparse_tensor().dims().begin(), a->sparse_tensor().dims().end());
    for (auto d : s)
      if (d < 0) throw Error("sparse_value has a negative dimension");
    imp.set_output(n, 0, shape_only(s, a->sparse_tensor().values().data_type(), "it is a sparse tensor"));
  } else if (k == "value_string" || k == "value_strings") {
    imp.set_output(n, 0, shape_only(k == "value_string" ? Shape{} : Shape{a->strings_size()}, kString, "strings"));
  } else {
    throw Error(fmt::format("unknown attribute '{}'", k));
  }
}

}  // namespace

bool is_foldable(std::string_view op) {
  static const std::set<std::string_view> s = {
      "Constant", "Identity", "Cast", "CastLike", "Shape", "Size", "Gather", "Squeeze", "Unsqueeze", "Concat",
      "ConstantOfShape", "Range", "Expand", "Reshape", "Flatten", "Transpose", "Slice", "Split", "Tile", "Where",
      "Not", "ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin", "ReduceMean", "DequantizeLinear",
      "QuantizeLinear", "NonZero", "Mean", "Dropout", "RandomNormal", "RandomUniform"};
  return s.count(op) || unary_fns().count(op) || binary_fns().count(op) || same_shape_op(op);
}

bool fold_node(Importer& imp, Node& n) {
  const std::string_view op = n.op;
  if (!is_foldable(op)) return false;
  auto out = [&](std::size_t k, Value v) { imp.set_output(n, k, std::move(v)); };
  auto in = [&](std::size_t k) -> const Value& { return n.input(k); };

  if (op == "Constant") {
    fold_constant(imp, n);
  } else if (op == "Shape") {
    const Shape& s = in(0).shape;
    const auto r = static_cast<std::int64_t>(s.size());
    std::int64_t start = n.attr_int("start", 0), end = n.attr_int("end", r);
    start = std::clamp(start < 0 ? start + r : start, std::int64_t{0}, r);
    end = std::clamp(end < 0 ? end + r : end, std::int64_t{0}, r);
    std::vector<double> d;
    for (std::int64_t i = start; i < end; ++i) d.push_back(static_cast<double>(s[static_cast<std::size_t>(i)]));
    out(0, with_data({static_cast<std::int64_t>(d.size())}, kInt64, d));
  } else if (op == "Size") {
    out(0, with_data({}, kInt64, {static_cast<double>(in(0).elements())}));
  } else if (op == "Cast" || op == "CastLike") {
    const int to = op == "Cast" ? static_cast<int>(n.attr_int("to", kFloat)) : in(1).elem;
    const Value& x = in(0);
    out(0, result(x.shape, to, {&x}, [&] { return x.data; }));
  } else if (op == "Dropout") {
    const Value& x = in(0);
    out(0, x);
    out(1, shape_only(x.shape, kBool, "a dropout mask"));
  } else if (op == "RandomNormal" || op == "RandomUniform") {
    const auto s = n.attr_ints("shape");
    if (!s) throw Error("attribute 'shape' is missing");
    for (std::int64_t d : *s)
      if (d < 0) throw Error("attribute 'shape' has a negative dimension");
    out(0, shape_only(*s, static_cast<int>(n.attr_int("dtype", kFloat)), "random numbers"));
  } else if (op == "DequantizeLinear") {
    const Value& x = in(0);
    out(0, shape_only(x.shape, kFloat, "dequantized weights are not computed"));
  } else if (op == "QuantizeLinear") {
    const Value& x = in(0);
    out(0, shape_only(x.shape, n.has(2) ? in(2).elem : kUint8, "quantized weights are not computed"));
  } else if (op == "Gather") {
    const Value& x = in(0);
    const Value& idx = in(1);
    const int axis = norm_axis(n.attr_int("axis", 0), x.shape.size(), "axis");
    const Shape s = gather_shape(x.shape, idx.shape, axis);
    out(0, result(s, x.elem, {&x, &idx}, [&] {
          const std::int64_t dim = x.shape[static_cast<std::size_t>(axis)];
          std::int64_t outer = 1, inner = 1;
          for (int i = 0; i < axis; ++i) outer *= x.shape[static_cast<std::size_t>(i)];
          for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < x.shape.size(); ++i) inner *= x.shape[i];
          std::vector<double> r;
          const auto ids = idx.ints();
          for (std::int64_t o = 0; o < outer; ++o)
            for (std::int64_t id : ids) {
              if (id < -dim || id >= dim)
                throw Error(fmt::format("index {} is out of range for axis {} of size {}", id, axis, dim));
              const std::int64_t j = id < 0 ? id + dim : id;
              for (std::int64_t c = 0; c < inner; ++c)
                r.push_back(x.data[static_cast<std::size_t>((o * dim + j) * inner + c)]);
            }
          return r;
        }));
  } else if (op == "Squeeze" || op == "Unsqueeze" || op == "Reshape" || op == "Flatten") {
    const Value& x = in(0);
    const Shape s = reshaped_shape_of(n);
    Value v = x;
    v.shape = s;
    v.tensor = kNoTensor;
    out(0, std::move(v));
  } else if (op == "Concat") {
    std::vector<const Shape*> shapes;
    std::vector<const Value*> ins;
    for (std::size_t k = 0; k < n.in.size(); ++k)
      if (n.has(k)) {
        shapes.push_back(&in(k).shape);
        ins.push_back(&in(k));
      }
    const Shape s = concat_shape(shapes, n.attr_int("axis", 0));
    const int axis = norm_axis(n.attr_int("axis", 0), s.size(), "axis");
    out(0, result(s, ins.front()->elem, ins, [&] {
          std::int64_t outer = 1;
          for (int i = 0; i < axis; ++i) outer *= s[static_cast<std::size_t>(i)];
          std::vector<double> r;
          for (std::int64_t o = 0; o < outer; ++o)
            for (const Value* v : ins) {
              const std::int64_t chunk = outer == 0 ? 0 : v->elements() / outer;
              r.insert(r.end(), v->data.begin() + o * chunk, v->data.begin() + (o + 1) * chunk);
            }
          return r;
        }));
  } else if (op == "ConstantOfShape") {
    const Shape s = imp.int_data(in(0), "shape");
    for (std::int64_t d : s)
      if (d < 0) throw Error(fmt::format("shape {} has a negative dimension", shape_str(s)));
    double fill = 0;
    int elem = kFloat;
    if (const auto* a = n.attr("value")) {
      if (!a->has_t()) throw Error("attribute 'value' must be a tensor");
      const Value t = decode_tensor(a->t(), "value", "");
      if (t.elements() != 1 || !t.has_data) throw Error("attribute 'value' must hold one element");
      fill = t.data[0];
      elem = t.elem;
    }
    if (!small(s)) out(0, shape_only(s, elem, fmt::format("it has {} elements (not computed)", count(s))));
    else out(0, with_data(s, elem, std::vector<double>(static_cast<std::size_t>(count(s)), fill)));
  } else if (op == "Range") {
    const auto start = imp.real_data(in(0), "start"), limit = imp.real_data(in(1), "limit"),
               delta = imp.real_data(in(2), "delta");
    if (start.size() != 1 || limit.size() != 1 || delta.size() != 1) throw Error("start, limit and delta must be scalars");
    if (delta[0] == 0) throw Error("delta must not be 0");
    const double steps = std::ceil((limit[0] - start[0]) / delta[0]);
    if (!(steps < 9e15)) throw Error(fmt::format("a range of {} elements", steps));
    const auto len = static_cast<std::int64_t>(std::max(steps, 0.0));
    if (len > kMaxConstElements) {
      out(0, shape_only({len}, in(0).elem, fmt::format("it has {} elements (not computed)", len)));
    } else {
      std::vector<double> d;
      for (std::int64_t i = 0; i < len; ++i) d.push_back(start[0] + static_cast<double>(i) * delta[0]);
      out(0, with_data({len}, in(0).elem, d));
    }
  } else if (op == "Expand") {
    const Value& x = in(0);
    const Shape target = imp.int_data(in(1), "shape");
    const Shape s = broadcast_or_throw(x.shape, target);
    out(0, result(s, x.elem, {&x}, [&] { return broadcast_data(x, s); }));
  } else if (op == "Tile") {
    const Value& x = in(0);
    const auto reps = imp.int_data(in(1), "repeats");
    if (reps.size() != x.shape.size()) throw Error(fmt::format("{} repeats for rank {}", reps.size(), x.shape.size()));
    Shape s = x.shape;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (reps[i] < 0) throw Error("a repeat count is negative");
      s[i] = checked_mul(s[i], reps[i], "tile");
    }
    out(0, result(s, x.elem, {&x}, [&] {
          const auto st = strides_of(x.shape);
          return walk(x, s, [&](std::size_t d, std::int64_t c) { return c % x.shape[d] * st[d]; });
        }));
  } else if (op == "Transpose") {
    const Value& x = in(0);
    std::vector<std::int64_t> perm = n.attr_ints("perm").value_or(std::vector<std::int64_t>{});
    const Shape s = transpose_shape(x.shape, perm);
    out(0, result(s, x.elem, {&x}, [&] {
          const auto st = strides_of(x.shape);
          return walk(x, s, [&](std::size_t d, std::int64_t c) { return c * st[static_cast<std::size_t>(perm[d])]; });
        }));
  } else if (op == "Slice") {
    const Value& x = in(0);
    const SliceSpec sp = slice_of(imp, n);
    out(0, result(sp.out, x.elem, {&x}, [&] { return strided(x, sp.starts, sp.steps, sp.out); }));
  } else if (op == "Split") {
    const Value& x = in(0);
    const auto parts = split_of(n);
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const SliceSpec& p = parts[k];
      out(k, result(p.out, x.elem, {&x}, [&] { return strided(x, p.starts, p.steps, p.out); }));
    }
  } else if (op == "Where") {
    const Value &c = in(0), &x = in(1), &y = in(2);
    const Shape s = broadcast_or_throw(broadcast_or_throw(c.shape, x.shape), y.shape);
    out(0, result(s, x.elem, {&c, &x, &y}, [&] {
          const auto cc = broadcast_data(c, s), xx = broadcast_data(x, s), yy = broadcast_data(y, s);
          std::vector<double> r(cc.size());
          for (std::size_t i = 0; i < r.size(); ++i) r[i] = cc[i] != 0 ? xx[i] : yy[i];
          return r;
        }));
  } else if (op == "Not") {
    const Value& x = in(0);
    out(0, result(x.shape, kBool, {&x}, [&] {
          std::vector<double> r;
          for (double v : x.data) r.push_back(v == 0 ? 1 : 0);
          return r;
        }));
  } else if (op.starts_with("Reduce")) {
    const Value& x = in(0);
    const bool keep = n.attr_int("keepdims", 1) != 0;
    const auto axes_in = n.ints_attr_or_input("axes", 1);
    std::vector<int> axes = axes_in ? norm_axes(*axes_in, x.shape.size(), "axis") : std::vector<int>{};
    if (axes.empty() && axes_in && n.attr_int("noop_with_empty_axes", 0) != 0) {
      out(0, x);
      return true;
    }
    const Shape s = reduce_shape(x.shape, axes, keep);
    out(0, result(s, x.elem, {&x}, [&] {
          const std::int64_t total = count(s);
          std::vector<double> acc(static_cast<std::size_t>(total),
                                  op == "ReduceProd" ? 1.0
                                  : op == "ReduceMax" ? -HUGE_VAL
                                  : op == "ReduceMin" ? HUGE_VAL
                                                      : 0.0);
          const Shape kept = reduce_shape(x.shape, axes, true);
          const auto kst = strides_of(kept);
          for (std::int64_t i = 0; i < x.elements(); ++i) {
            std::int64_t rem = i, o = 0;
            for (std::size_t d = x.shape.size(); d-- > 0;) {
              const std::int64_t c = rem % x.shape[d];
              rem /= x.shape[d];
              if (kept[d] != 1) o += c * kst[d];
            }
            double& a = acc[static_cast<std::size_t>(o)];
            const double v = x.data[static_cast<std::size_t>(i)];
            if (op == "ReduceProd") a *= v;
            else if (op == "ReduceMax") a = std::max(a, v);
            else if (op == "ReduceMin") a = std::min(a, v);
            else a += v;
          }
          if (op == "ReduceMean" && total > 0)
            for (double& a : acc) a /= static_cast<double>(x.elements() / total);
          return acc;
        }));
  } else if (op == "NonZero") {
    const Value& x = in(0);
    if (!x.has_data)
      throw Error(fmt::format("the output's shape depends on the elements of '{}', which are not known at import "
                              "time ({})",
                              x.name, x.why_no_data));
    std::vector<std::int64_t> hits;
    for (std::int64_t i = 0; i < x.elements(); ++i)
      if (x.data[static_cast<std::size_t>(i)] != 0) hits.push_back(i);
    const auto r = static_cast<std::int64_t>(x.shape.size());
    const auto nh = static_cast<std::int64_t>(hits.size());
    std::vector<double> d(static_cast<std::size_t>(r * nh));
    const auto st = strides_of(x.shape);
    for (std::int64_t h = 0; h < nh; ++h)
      for (std::int64_t a = 0; a < r; ++a)
        d[static_cast<std::size_t>(a * nh + h)] =
            static_cast<double>(hits[static_cast<std::size_t>(h)] / st[static_cast<std::size_t>(a)] %
                                x.shape[static_cast<std::size_t>(a)]);
    out(0, with_data({r, nh}, kInt64, d));
  } else if (auto u = unary_fns().find(op); u != unary_fns().end()) {
    const Value& x = in(0);
    const int elem = x.elem;
    out(0, result(x.shape, elem, {&x}, [&] {
          std::vector<double> r;
          for (double v : x.data) r.push_back(u->second(v));
          return r;
        }));
  } else if (auto b = binary_fns().find(op); b != binary_fns().end() || op == "Mean") {
    std::vector<const Value*> ins;
    for (std::size_t k = 0; k < n.in.size(); ++k)
      if (n.has(k)) ins.push_back(&in(k));
    if (ins.empty()) throw Error("needs at least one input");
    Shape s = ins.front()->shape;
    for (const Value* v : ins) s = broadcast_or_throw(s, v->shape);
    const int elem = is_comparison(op) ? kBool : (ins.size() > 1 ? result_type(*ins[0], *ins[1]) : ins[0]->elem);
    const bool int_div = op == "Div" && is_integer_type(elem);
    out(0, result(s, elem, ins, [&] {
          std::vector<double> acc = broadcast_data(*ins.front(), s);
          const Fn2 f = op == "Mean" ? binary_fns().at("Add") : b->second;
          for (std::size_t k = 1; k < ins.size(); ++k) {
            const auto other = broadcast_data(*ins[k], s);
            for (std::size_t i = 0; i < acc.size(); ++i) {
              acc[i] = f(acc[i], other[i]);
              if (int_div) acc[i] = std::trunc(acc[i]);
            }
          }
          if (op == "Mean")
            for (double& a : acc) a /= static_cast<double>(ins.size());
          return acc;
        }));
  } else if (same_shape_op(op)) {
    const Value& x = in(0);
    out(0, shape_only(x.shape, x.elem, "computed from weights (not read)"));
    for (std::size_t k = 1; k < n.num_outputs(); ++k) out(k, shape_only({}, x.elem, "not computed"));
  } else {
    return false;
  }
  return true;
}

}  // namespace npusim::workloads::onnx
