// Patterns of several nodes imported as one op, as an inference compiler would run them:
//  - Conv with a zero constant Pad before it and/or an inference BatchNormalization after it
//    (the pad joins the convolution's padding, the normalisation folds into its weights and bias);
//  - MatMul followed by the Add of a constant vector (one GEMM with a bias);
//  - GELU written with Erf: x * 0.5 * (1 + erf(x / sqrt(2))) in the orders exporters emit;
//  - layer normalisation written out: ReduceMean, Sub, Pow (or Mul), ReduceMean, Add, Sqrt,
//    Div (or Reciprocal and Mul), then optionally Mul by a scale and Add of a shift;
//  - x * Sigmoid(x) (SiLU) and x * HardSigmoid(x) (HardSwish).
// The patterns are found before import from the graph's structure and its constants; the shapes
// are checked when the pattern's last node is imported, and a pattern whose conditions do not
// hold is imported node by node.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/error.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx {

namespace {

class Finder {
 public:
  Finder(const Importer& imp, const std::vector<int>& order) : imp_(imp) {
    for (std::size_t i = 0; i < order.size(); ++i) pos_[order[i]] = static_cast<int>(i);
    used_.assign(static_cast<std::size_t>(imp.node_count()), false);
  }

  const proto::NodeProto& node(int i) const { return imp_.node_proto(i); }
  bool is(int i, std::string_view op) const {
    return i >= 0 && node(i).op_type() == op && (node(i).domain().empty() || node(i).domain() == "ai.onnx") &&
           !used_[static_cast<std::size_t>(i)];
  }
  std::string in(int i, int k) const { return k < node(i).input_size() ? node(i).input(k) : std::string(); }
  std::string out(int i) const { return node(i).output_size() ? node(i).output(0) : std::string(); }
  // The only node reading `t`, or -1 (a graph output has readers outside the graph).
  int sole_consumer(const std::string& t) const {
    const auto& c = imp_.consumers(t);
    if (t.empty() || c.size() != 1 || imp_.is_graph_output(t)) return -1;
    int uses = 0;
    for (const auto& i : node(c[0]).input()) uses += i == t;
    return uses == 1 ? c[0] : -1;
  }
  std::optional<double> scalar(const std::string& t) const {
    const Value* v = imp_.static_const(t);
    if (!v || !v->has_data || v->data.size() != 1) return std::nullopt;
    return v->data[0];
  }
  bool near(const std::string& t, double want) const {
    const auto v = scalar(t);
    return v && std::fabs(*v - want) <= 1e-3 * std::fabs(want);
  }
  // The input of binary node i other than `t` ("" when both or neither are t).
  std::string other(int i, const std::string& t) const {
    if (in(i, 0) == t && in(i, 1) != t) return in(i, 1);
    if (in(i, 1) == t && in(i, 0) != t) return in(i, 0);
    return {};
  }
  bool single_output(int i) const {
    for (int k = 1; k < node(i).output_size(); ++k)
      if (!node(i).output(k).empty() && !imp_.consumers(node(i).output(k)).empty()) return false;
    return true;
  }
  std::optional<std::vector<std::int64_t>> static_axes(int i) const {
    for (const auto& a : node(i).attribute())
      if (a.name() == "axes") return std::vector<std::int64_t>(a.ints().begin(), a.ints().end());
    if (node(i).input_size() > 1) {
      const Value* v = imp_.static_const(node(i).input(1));
      if (v && v->has_data) return v->ints();
    }
    return std::nullopt;
  }
  std::int64_t attr_int(int i, std::string_view name, std::int64_t dflt) const {
    for (const auto& a : node(i).attribute())
      if (a.name() == name) return a.i();
    return dflt;
  }

  void add(Rewrite r, std::vector<int> nodes) {
    std::sort(nodes.begin(), nodes.end(), [&](int a, int b) { return pos_.at(a) < pos_.at(b); });
    for (int i : nodes) used_[static_cast<std::size_t>(i)] = true;
    r.nodes = std::move(nodes);
    r.out = out(r.nodes.back());
    found.push_back(std::move(r));
  }

  void conv(int c) {
    Rewrite r;
    r.kind = Rewrite::Kind::Conv;
    r.conv = c;
    std::vector<int> nodes{c};
    const int p = imp_.producer_of(in(c, 0));
    if (is(p, "Pad") && sole_consumer(in(c, 0)) == c && single_output(p)) {
      r.pad = p;
      nodes.push_back(p);
    }
    const int b = sole_consumer(out(c));
    if (is(b, "BatchNormalization") && in(b, 0) == out(c) && single_output(b) && attr_int(b, "training_mode", 0) == 0) {
      r.bn = b;
      nodes.push_back(b);
    }
    if (nodes.size() > 1) add(r, nodes);
  }

  void matmul_bias(int m) {
    const int a = sole_consumer(out(m));
    if (!is(a, "Add")) return;
    const std::string bias = other(a, out(m));
    const Value* v = imp_.static_const(bias);
    if (bias.empty() || !v || v->shape.empty()) return;
    for (std::size_t i = 0; i + 1 < v->shape.size(); ++i)
      if (v->shape[i] != 1) return;
    Rewrite r;
    r.kind = Rewrite::Kind::MatMulBias;
    r.matmul = m;
    r.add = a;
    r.beta = bias;
    add(r, {m, a});
  }

  // Erf at the centre: x / sqrt(2) (or x * 1/sqrt(2)) -> Erf -> + 1 -> the products with x and 0.5.
  void gelu(int e) {
    const int d = imp_.producer_of(in(e, 0));
    if (d < 0 || sole_consumer(out(d)) != e) return;
    std::string x;
    if (is(d, "Div") && near(in(d, 1), std::sqrt(2.0))) x = in(d, 0);
    else if (is(d, "Mul") && near(in(d, 1), 1 / std::sqrt(2.0))) x = in(d, 0);
    else if (is(d, "Mul") && near(in(d, 0), 1 / std::sqrt(2.0))) x = in(d, 1);
    if (x.empty()) return;
    const int a = sole_consumer(out(e));
    if (!is(a, "Add") || !near(other(a, out(e)), 1.0)) return;
    const int m1 = sole_consumer(out(a));
    if (!is(m1, "Mul")) return;
    const std::string o1 = other(m1, out(a));
    std::vector<int> nodes{d, e, a, m1};
    if (o1 == x) {  // x * (1 + erf) then * 0.5
      const int m2 = sole_consumer(out(m1));
      if (!is(m2, "Mul") || !near(other(m2, out(m1)), 0.5)) return;
      nodes.push_back(m2);
    } else if (near(o1, 0.5)) {  // (1 + erf) * 0.5 then * x
      const int m2 = sole_consumer(out(m1));
      if (!is(m2, "Mul") || other(m2, out(m1)) != x) return;
      nodes.push_back(m2);
    } else {  // (x * 0.5) * (1 + erf)
      const int h = imp_.producer_of(o1);
      if (!is(h, "Mul") || sole_consumer(o1) != m1 || other(h, x).empty() || !near(other(h, x), 0.5)) return;
      nodes.push_back(h);
    }
    Rewrite r;
    r.kind = Rewrite::Kind::Gelu;
    r.x = x;
    add(r, nodes);
  }

  // ReduceMean(x) -> Sub(x, mean) -> Pow(d, 2) | Mul(d, d) -> ReduceMean -> Add(eps) -> Sqrt ->
  // Div(d, s) | Mul(d, Reciprocal(s)) [-> Mul(gamma) [-> Add(beta)]]
  void layer_norm(int r1) {
    const std::string x = in(r1, 0);
    if (attr_int(r1, "keepdims", 1) == 0) return;
    const auto ax1 = static_axes(r1);
    if (!ax1 || ax1->size() != 1) return;
    const int s = sole_consumer(out(r1));
    if (!is(s, "Sub") || in(s, 0) != x || in(s, 1) != out(r1)) return;
    const std::string d = out(s);
    const auto& dc = imp_.consumers(d);
    if (dc.size() != 2 || imp_.is_graph_output(d)) return;
    int p = -1, div = -1;
    for (int c : dc) {
      if (is(c, "Pow") && in(c, 0) == d && near(in(c, 1), 2.0)) p = c;
      else if (is(c, "Mul") && in(c, 0) == d && in(c, 1) == d) p = c;
      else div = c;
    }
    if (p < 0 || div < 0) return;
    const int r2 = sole_consumer(out(p));
    if (!is(r2, "ReduceMean") || static_axes(r2) != ax1 || attr_int(r2, "keepdims", 1) == 0) return;
    const int a = sole_consumer(out(r2));
    if (!is(a, "Add") || !scalar(other(a, out(r2)))) return;
    const int q = sole_consumer(out(a));
    if (!is(q, "Sqrt")) return;
    std::vector<int> nodes{r1, s, p, r2, a, q};
    int last = -1;
    if (is(div, "Div") && in(div, 0) == d && in(div, 1) == out(q) && sole_consumer(out(q)) == div) {
      last = div;
      nodes.push_back(div);
    } else {
      const int rc = sole_consumer(out(q));
      if (!is(rc, "Reciprocal") || sole_consumer(out(rc)) != div || !is(div, "Mul") || other(div, out(rc)) != d) return;
      last = div;
      nodes.push_back(rc);
      nodes.push_back(div);
    }
    Rewrite r;
    r.kind = Rewrite::Kind::LayerNorm;
    r.x = x;
    const int g = sole_consumer(out(last));
    if (is(g, "Mul") && imp_.static_const(other(g, out(last)))) {
      r.gamma = other(g, out(last));
      nodes.push_back(g);
      const int b = sole_consumer(out(g));
      if (is(b, "Add") && imp_.static_const(other(b, out(g)))) {
        r.beta = other(b, out(g));
        nodes.push_back(b);
      }
    }
    add(r, nodes);
  }

  // x * f(x) with f = Sigmoid (SiLU) or HardSigmoid with its default alpha 1/6 (HardSwish).
  void gated(int f, Rewrite::Kind kind) {
    const std::string x = in(f, 0);
    const int m = sole_consumer(out(f));
    if (!is(m, "Mul") || other(m, out(f)) != x) return;
    if (kind == Rewrite::Kind::HardSwish) {
      for (const auto& a : node(f).attribute())
        if ((a.name() == "alpha" && std::fabs(a.f() - 1.0 / 6) > 1e-4) || (a.name() == "beta" && std::fabs(a.f() - 0.5) > 1e-4))
          return;
      bool has_alpha = false;
      for (const auto& a : node(f).attribute()) has_alpha = has_alpha || a.name() == "alpha";
      if (!has_alpha) return;  // the default alpha 0.2 is not HardSwish's
    }
    Rewrite r;
    r.kind = kind;
    r.x = x;
    add(r, {f, m});
  }

  std::vector<Rewrite> found;

 private:
  const Importer& imp_;
  std::unordered_map<int, int> pos_;
  std::vector<bool> used_;
};

Value runtime_value(TensorId t, Shape onnx) {
  Value v;
  v.shape = std::move(onnx);
  v.elem = kFloat;
  v.tensor = t;
  return v;
}

std::string op_name(Importer& imp, const proto::NodeProto& last) {
  return imp.unique_name(last.name().empty() ? (last.output_size() ? last.output(0) : last.op_type()) : last.name());
}

}  // namespace

std::vector<Rewrite> find_rewrites(const Importer& imp, const std::vector<int>& order) {
  Finder f(imp, order);
  // Longer patterns first, so that their nodes are not taken by shorter ones.
  for (int i : order)
    if (f.is(i, "ReduceMean")) f.layer_norm(i);
  for (int i : order)
    if (f.is(i, "Erf")) f.gelu(i);
  for (int i : order) {
    if (f.is(i, "Conv")) f.conv(i);
    else if (f.is(i, "MatMul")) f.matmul_bias(i);
    else if (f.is(i, "Sigmoid")) f.gated(i, Rewrite::Kind::Silu);
    else if (f.is(i, "HardSigmoid")) f.gated(i, Rewrite::Kind::HardSwish);
  }
  return std::move(f.found);
}

bool import_rewrite(Importer& imp, const Rewrite& r) {
  const proto::NodeProto& last = imp.node_proto(r.nodes.back());
  switch (r.kind) {
    case Rewrite::Kind::Conv: {
      const Node c0 = imp.make_node(r.conv, false);
      if (!c0.has(1) || c0.input(1).shape.size() < 3 || c0.input(1).shape.size() > 4) return false;
      const std::size_t R = c0.input(1).shape.size();
      const std::int64_t F = c0.input(1).shape[0];
      if (r.bn >= 0) {
        const Node b = imp.make_node(r.bn, false);
        for (std::size_t k = 1; k < 5; ++k)
          if (!b.has(k) || !b.input(k).is_const || b.input(k).elements() != F) return false;
      }
      if (r.pad >= 0) {
        const Node p = imp.make_node(r.pad, false);
        if (p.attr_string("mode", "constant") != "constant") return false;
        if (p.has(2) && (!p.input(2).has_data || p.input(2).data.size() != 1 || p.input(2).data[0] != 0)) return false;
        if (p.opset < 11 && p.attr_float("value", 0) != 0) return false;
        if (p.has(3)) return false;  // axes: imported as a Pad
        std::vector<std::int64_t> pads;
        if (p.opset < 11) pads = p.attr_ints("pads").value_or(std::vector<std::int64_t>{});
        else if (p.has(1) && p.input(1).has_data) pads = p.input(1).ints();
        const Value& x = p.input(0);
        if (pads.size() != 2 * R || x.shape.size() != R || x.is_const) return false;
        if (pads[0] || pads[1] || pads[R] || pads[R + 1]) return false;
        for (std::int64_t v : pads)
          if (v < 0) return false;
        Value padded;
        padded.shape = x.shape;
        for (std::size_t i = 0; i < R; ++i) padded.shape[i] += pads[i] + pads[i + R];
        padded.elem = x.elem;
        padded.pending_pads = pads;
        padded.unpadded = x.tensor;
        imp.define(p.p->output(0), std::move(padded));
      }
      Node c = imp.make_node(r.conv);
      const TensorId bn_bias =
          r.bn >= 0 && !c.has(2) ? imp.g.weight(op_name(imp, imp.node_proto(r.bn)) + ".bias", {F}) : kNoTensor;
      import_conv(imp, c, bn_bias);
      if (r.bn >= 0) imp.define(r.out, *imp.find_value(imp.node_proto(r.conv).output(0)));
      return true;
    }
    case Rewrite::Kind::MatMulBias: {
      const Node m0 = imp.make_node(r.matmul, false);
      Value* bias = imp.find_value(r.beta);
      if (!bias || !bias->is_const || !m0.has(1) || m0.input(1).shape.empty() ||
          bias->elements() != m0.input(1).shape.back() || m0.input(1).shape.size() == 1)
        return false;
      Node m = imp.make_node(r.matmul);
      // The Add's result keeps the MatMul's shape only if the bias does not add axes.
      Shape s;
      if (bias->shape.size() > std::max<std::size_t>(m.input(0).shape.size(), m.input(1).shape.size())) return false;
      const TensorId y = import_matmul(imp, m, bias, s);
      imp.define(r.out, runtime_value(y, s));
      return true;
    }
    case Rewrite::Kind::Gelu:
    case Rewrite::Kind::Silu:
    case Rewrite::Kind::HardSwish: {
      Value* x = imp.find_value(r.x);
      if (!x || x->is_const) return false;
      const EltFn fn = r.kind == Rewrite::Kind::Gelu ? EltFn::Gelu
                       : r.kind == Rewrite::Kind::Silu ? EltFn::Silu
                                                       : EltFn::HardSwish;
      const TensorId y = imp.g.eltwise(op_name(imp, last), fn, imp.tensor_of(*x));
      imp.define(r.out, runtime_value(y, x->shape));
      return true;
    }
    case Rewrite::Kind::LayerNorm: {
      Value* x = imp.find_value(r.x);
      if (!x || x->is_const || x->shape.empty()) return false;
      const auto rank = static_cast<std::int64_t>(x->shape.size());
      const Node r1 = imp.make_node(r.nodes.front(), false);
      const auto axes = r1.ints_attr_or_input("axes", 1);
      if (!axes || axes->size() != 1 || ((*axes)[0] != -1 && (*axes)[0] != rank - 1)) return false;
      const std::int64_t D = x->shape.back();
      for (const std::string* p : {&r.gamma, &r.beta}) {
        if (p->empty()) continue;
        const Value* v = imp.find_value(*p);
        if (!v || v->elements() != D || v->shape.size() > x->shape.size()) return false;
      }
      const TensorId y = imp.g.norm(op_name(imp, last), NormFn::LayerNorm, imp.tensor_of(*x));
      imp.define(r.out, runtime_value(y, x->shape));
      return true;
    }
  }
  return false;
}

}  // namespace npusim::workloads::onnx
