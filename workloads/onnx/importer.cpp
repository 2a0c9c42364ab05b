// The ONNX importer's driver: parsing, input bindings, node order, the import of each node and
// the warning about what could not be mapped.
#include "workloads/onnx/importer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <queue>
#include <set>

#include "base/checked.h"
#include "base/error.h"
#include "base/files.h"
#include "workloads/onnx/import.h"

namespace npusim::workloads::onnx {

namespace {

std::string node_label(const proto::NodeProto& p, int index) {
  if (!p.name().empty()) return fmt::format("node '{}' ({})", p.name(), p.op_type());
  if (p.output_size() > 0 && !p.output(0).empty())
    return fmt::format("node #{} with output '{}' ({})", index, p.output(0), p.op_type());
  return fmt::format("node #{} ({})", index, p.op_type());
}

// Builder messages start with the op's name ("conv1: padding ..."); the node label says it already.
std::string strip_op_name(const std::string& msg, const std::string& name) {
  if (!name.empty() && msg.starts_with(name)) {
    const std::size_t colon = msg.find(": ");
    if (colon != std::string::npos && colon >= name.size()) return msg.substr(colon + 2);
  }
  return msg;
}

bool batch_like(const std::string& param) {
  std::string p;
  for (char c : param) p += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return p.find("batch") != std::string::npos || p == "n" || p == "b" || p == "bs";
}

}  // namespace

// ---------------------------------------------------------------- Node

Value& Node::input(std::size_t k) const {
  if (!has(k)) throw Error(fmt::format("input {} is missing", k));
  return *in[k];
}

bool Node::output_used(std::size_t k) const {
  return k < num_outputs() && !p->output(static_cast<int>(k)).empty();
}

const proto::AttributeProto* Node::attr(std::string_view n) const {
  for (const auto& a : p->attribute())
    if (a.name() == n) return &a;
  return nullptr;
}

std::int64_t Node::attr_int(std::string_view n, std::int64_t dflt) const {
  const auto* a = attr(n);
  if (!a) return dflt;
  if (!a->has_i()) throw Error(fmt::format("attribute '{}' must be an integer", n));
  return a->i();
}

double Node::attr_float(std::string_view n, double dflt) const {
  const auto* a = attr(n);
  if (!a) return dflt;
  if (!a->has_f()) throw Error(fmt::format("attribute '{}' must be a float", n));
  return a->f();
}

std::string Node::attr_string(std::string_view n, std::string dflt) const {
  const auto* a = attr(n);
  if (!a) return dflt;
  if (!a->has_s()) throw Error(fmt::format("attribute '{}' must be a string", n));
  return a->s();
}

std::optional<std::vector<std::int64_t>> Node::attr_ints(std::string_view n) const {
  const auto* a = attr(n);
  if (!a) return std::nullopt;
  if (a->ints_size() == 0 && a->type() != proto::AttributeProto::INTS)
    throw Error(fmt::format("attribute '{}' must be a list of integers", n));
  return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<std::vector<double>> Node::attr_floats(std::string_view n) const {
  const auto* a = attr(n);
  if (!a) return std::nullopt;
  if (a->floats_size() == 0 && a->type() != proto::AttributeProto::FLOATS)
    throw Error(fmt::format("attribute '{}' must be a list of floats", n));
  return std::vector<double>(a->floats().begin(), a->floats().end());
}

std::optional<std::vector<std::int64_t>> Node::ints_attr_or_input(std::string_view a, std::size_t k) const {
  if (has(k)) {
    const Value& v = *in[k];
    if (!v.is_const || !v.has_data)
      throw Error(fmt::format("input '{}' ({}) must be known at import time, {}", v.name, a,
                              v.is_const ? v.why_no_data : "but it is computed at run time"));
    return v.ints();
  }
  return attr_ints(a);
}

SliceSpec slice_of(const Importer& imp, const Node& n) {
  const Value& x = n.input(0);
  if (x.shape.empty()) throw Error("cannot slice a scalar");
  std::vector<std::int64_t> starts, ends;
  std::optional<std::vector<std::int64_t>> axes, steps;
  if (n.opset < 10 && !n.has(1)) {  // attributes before opset 10
    starts = n.attr_ints("starts").value_or(std::vector<std::int64_t>{});
    ends = n.attr_ints("ends").value_or(std::vector<std::int64_t>{});
    axes = n.attr_ints("axes");
  } else {
    starts = imp.int_data(n.input(1), "starts");
    ends = imp.int_data(n.input(2), "ends");
    if (n.has(3)) axes = imp.int_data(n.input(3), "axes");
    if (n.has(4)) steps = imp.int_data(n.input(4), "steps");
  }
  return slice_spec(x.shape, starts, ends, axes, steps);
}

Shape reshaped_shape_of(const Node& n) {
  const Shape& in = n.input(0).shape;
  if (n.op == "Flatten") return flatten_shape(in, n.attr_int("axis", 1));
  if (n.op == "Squeeze") return squeeze_shape(in, n.ints_attr_or_input("axes", 1));
  if (n.op == "Unsqueeze") {
    const auto axes = n.ints_attr_or_input("axes", 1);
    if (!axes) throw Error("the axes are missing");
    return unsqueeze_shape(in, *axes);
  }
  const auto spec = n.ints_attr_or_input("shape", 1);  // Reshape
  if (!spec) throw Error("the target shape is missing");
  return reshape_shape(in, *spec, n.attr_int("allowzero", 0) != 0);
}

std::vector<SliceSpec> split_of(const Node& n) {
  const Value& x = n.input(0);
  if (x.shape.empty()) throw Error("cannot split a scalar");
  const auto axis = static_cast<std::size_t>(norm_axis(n.attr_int("axis", 0), x.shape.size(), "axis"));
  const auto* na = n.attr("num_outputs");
  const auto sizes = split_sizes(x.shape[axis], n.num_outputs(), n.ints_attr_or_input("split", 1),
                                 na ? std::optional<std::int64_t>(n.attr_int("num_outputs", 0)) : std::nullopt);
  std::vector<SliceSpec> parts;
  std::int64_t at = 0;
  for (std::int64_t size : sizes) {
    SliceSpec p{Shape(x.shape.size(), 0), Shape(x.shape.size(), 1), x.shape};
    p.starts[axis] = at;
    p.out[axis] = size;
    at += size;
    parts.push_back(std::move(p));
  }
  return parts;
}

// ---------------------------------------------------------------- Importer

Importer::Importer(const proto::ModelProto& model, std::string src, std::string dir, const ModelParams& p)
    : g(std::filesystem::path(src).stem().string().empty() ? "onnx" : std::filesystem::path(src).stem().string(),
        p.dtype),
      params(p),
      source(std::move(src)),
      base_dir(std::move(dir)),
      model_(model) {}

int Importer::opset_of(const std::string& domain) const {
  const auto it = opsets_.find(domain == "ai.onnx" ? "" : domain);
  return it == opsets_.end() ? 0 : it->second;
}

Value* Importer::find_value(const std::string& name) {
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const Value* Importer::static_const(const std::string& name) const {
  const auto it = static_consts_.find(name);
  return it == static_consts_.end() ? nullptr : &it->second;
}

int Importer::producer_of(const std::string& name) const {
  const auto it = producer_.find(name);
  return it == producer_.end() ? -1 : it->second;
}

void Importer::define(const std::string& name, Value v) {
  v.name = name;
  values_[name] = std::move(v);
}

const std::vector<int>& Importer::consumers(const std::string& name) const {
  static const std::vector<int> kNone;
  const auto it = consumers_.find(name);
  return it == consumers_.end() ? kNone : it->second;
}

bool Importer::is_graph_output(const std::string& name) const {
  for (const auto& o : model_.graph().output())
    if (o.name() == name) return true;
  return false;
}

DType Importer::dtype_of(int elem) const {
  switch (elem) {
    case kBool: case kUint8: case kInt8: return DType::Int8;
    case kUint16: case kInt16: return DType::Int16;
    case kInt32: case kInt64: case kUint32: case kUint64: return DType::Int32;
    default: return params.dtype;
  }
}

std::string Importer::unique_name(const std::string& base_in) {
  const std::string base = base_in.empty() ? "op" : printable(base_in);
  if (used_names_.insert(base).second) return base;
  for (int& k = name_counts_[base];;) {
    std::string name = fmt::format("{}_{}", base, ++k);
    if (used_names_.insert(name).second) return name;
  }
}

TensorId Importer::tensor_of(Value& v) {
  if (v.tensor != kNoTensor) return v.tensor;
  if (!v.is_const) throw Error(fmt::format("internal: tensor '{}' has no graph tensor", v.name));
  if (v.elements() == 0) throw Error(fmt::format("constant '{}' {} has no elements", v.name, shape_str(v.shape)));
  v.tensor = g.weight(v.name.empty() ? "const" : printable(v.name), tensor_shape(v.shape), dtype_of(v.elem));
  return v.tensor;
}

TensorId Importer::new_weight(const Value& v, Shape shape) {
  return g.weight(v.name.empty() ? "const" : printable(v.name), std::move(shape), dtype_of(v.elem));
}

std::vector<std::int64_t> Importer::int_data(const Value& v, std::string_view what) const {
  if (!v.is_const) throw Error(fmt::format("{} '{}' must be known at import time, but it is computed at run time", what, v.name));
  if (!v.has_data) throw Error(fmt::format("{} '{}' must be known at import time, but {}", what, v.name, v.why_no_data));
  return v.ints();
}

std::vector<double> Importer::real_data(const Value& v, std::string_view what) const {
  if (!v.is_const) throw Error(fmt::format("{} '{}' must be known at import time, but it is computed at run time", what, v.name));
  if (!v.has_data) throw Error(fmt::format("{} '{}' must be known at import time, but {}", what, v.name, v.why_no_data));
  return v.data;
}

void Importer::set_output(const Node& n, std::size_t k, Value v) {
  if (!n.output_used(k)) return;
  v.name = n.p->output(static_cast<int>(k));
  for (std::int64_t d : v.shape)
    if (d < 0) throw Error(fmt::format("output '{}' would have the negative dimension {}", v.name, d));
  (void)v.elements();  // rejects sizes that overflow
  values_[v.name] = std::move(v);
}

void Importer::set_tensor_output(const Node& n, std::size_t k, TensorId t, std::optional<Shape> onnx_shape) {
  Value v;
  const Tensor& tt = g.tensor(t);
  v.shape = onnx_shape.value_or(tt.shape);
  v.elem = n.has(0) ? n.input(0).elem : kFloat;
  if (!is_integer_type(v.elem)) v.elem = kFloat;
  v.tensor = t;
  set_output(n, k, std::move(v));
}

std::optional<Shape> Importer::declared_shape(const std::string& name) const {
  const auto it = declared_.find(name);
  if (it == declared_.end() || !it->second->has_tensor_type() || !it->second->tensor_type().has_shape())
    return std::nullopt;
  Shape s;
  for (const auto& d : it->second->tensor_type().shape().dim()) {
    if (d.has_dim_value() && d.dim_value() >= 0) {
      s.push_back(d.dim_value());
    } else if (d.has_dim_param() && symbols_.count(d.dim_param())) {
      s.push_back(symbols_.at(d.dim_param()));
    } else {
      return std::nullopt;
    }
  }
  return s;
}

void Importer::note_unmapped(const Node& n) { ++unmapped_[printable(n.domain.empty() ? n.op : n.domain + ":" + n.op)]; }
void Importer::note_assumed_shape(const Node& n) {
  ++assumed_[printable(n.domain.empty() ? n.op : n.domain + ":" + n.op)];
}

Node Importer::make_node(int index, bool named) {
  Node n;
  n.p = &model_.graph().node(index);
  n.index = index;
  n.op = n.p->op_type();
  n.domain = n.p->domain() == "ai.onnx" ? "" : n.p->domain();
  n.opset = opset_of(n.domain);
  if (named) n.name = unique_name(n.p->name().empty() ? (n.p->output_size() > 0 ? n.p->output(0) : n.op) : n.p->name());
  for (const auto& i : n.p->input()) {
    if (i.empty()) {
      n.in.push_back(nullptr);
      continue;
    }
    Value* v = find_value(i);
    if (!v && named) throw Error(fmt::format("input '{}' has no value (it is produced by a node that was not imported)", i));
    n.in.push_back(v);
  }
  return n;
}

void Importer::order_nodes() {
  const auto& graph = model_.graph();
  std::set<std::string> known;
  for (const auto& t : graph.initializer()) known.insert(t.name());
  for (const auto& t : graph.sparse_initializer()) known.insert(t.values().name());
  for (const auto& i : graph.input()) known.insert(i.name());
  const int N = graph.node_size();
  for (int i = 0; i < N; ++i) {
    const auto& p = graph.node(i);
    for (const auto& o : p.output()) {
      if (o.empty()) continue;
      if (known.count(o))
        throw Error(fmt::format("{}: {}: output '{}' is also an input or initializer of the model", source,
                                node_label(p, i), o));
      if (const auto it = producer_.find(o); it != producer_.end())
        throw Error(fmt::format("{}: {}: output '{}' is also produced by {}", source, node_label(p, i), o,
                                node_label(graph.node(it->second), it->second)));
      producer_[o] = i;
    }
  }
  std::vector<std::vector<int>> users(static_cast<std::size_t>(N));
  std::vector<int> indegree(static_cast<std::size_t>(N), 0);
  for (int i = 0; i < N; ++i) {
    const auto& p = graph.node(i);
    std::set<int> deps;
    for (const auto& in : p.input()) {
      if (in.empty()) continue;
      if (const auto it = producer_.find(in); it != producer_.end()) {
        deps.insert(it->second);
      } else if (!known.count(in)) {
        throw Error(fmt::format("{}: {}: input '{}' is produced by no node and is not an input or initializer of the "
                                "model",
                                source, node_label(p, i), in));
      }
    }
    for (int d : deps) users[static_cast<std::size_t>(d)].push_back(i);
    indegree[static_cast<std::size_t>(i)] = static_cast<int>(deps.size());
  }
  // Kahn's algorithm, keeping the model's order where it is already topological.
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (int i = 0; i < N; ++i)
    if (indegree[static_cast<std::size_t>(i)] == 0) ready.push(i);
  std::vector<int> topo;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    topo.push_back(i);
    for (int u : users[static_cast<std::size_t>(i)])
      if (--indegree[static_cast<std::size_t>(u)] == 0) ready.push(u);
  }
  if (static_cast<int>(topo.size()) != N) {
    for (int i = 0; i < N; ++i) {
      if (indegree[static_cast<std::size_t>(i)] == 0) continue;
      const auto& p = graph.node(i);
      std::string via;
      for (const auto& in : p.input())
        if (const auto it = producer_.find(in); it != producer_.end() && indegree[static_cast<std::size_t>(it->second)] > 0) {
          via = in;
          break;
        }
      throw Error(fmt::format("{}: {}: the graph has a cycle through this node (its input '{}' depends on its own "
                              "output)",
                              source, node_label(p, i), via));
    }
  }
  // Live nodes: those the graph outputs depend on.
  live_.assign(static_cast<std::size_t>(N), false);
  std::vector<int> stack;
  for (const auto& o : graph.output()) {
    if (const auto it = producer_.find(o.name()); it != producer_.end()) stack.push_back(it->second);
    else if (!known.count(o.name()))
      throw Error(fmt::format("{}: graph output '{}' is produced by no node", source, o.name()));
  }
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    if (live_[static_cast<std::size_t>(i)]) continue;
    live_[static_cast<std::size_t>(i)] = true;
    for (const auto& in : graph.node(i).input())
      if (const auto it = producer_.find(in); it != producer_.end()) stack.push_back(it->second);
  }
  for (int i : topo) {
    if (!live_[static_cast<std::size_t>(i)]) continue;
    order_.push_back(i);
    for (const auto& in : graph.node(i).input())
      if (!in.empty()) {
        auto& c = consumers_[in];
        if (c.empty() || c.back() != i) c.push_back(i);
      }
  }
}

void Importer::bind_inputs() {
  const auto& graph = model_.graph();
  std::set<std::string> inits;
  for (const auto& t : graph.initializer()) inits.insert(t.name());
  for (const auto& t : graph.sparse_initializer()) inits.insert(t.values().name());
  std::set<std::string> names;
  for (const auto& i : graph.input())
    if (!inits.count(i.name())) names.insert(i.name());
  for (const auto& b : params.inputs) {
    if (inits.count(b.name))
      throw Error(fmt::format("--input {}: '{}' is a weight (an initializer) of {}, not an input", b.name, b.name,
                              source));
    if (!names.count(b.name)) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw Error(fmt::format("--input {}: {} has no input '{}' (its inputs: {})", b.name, source, b.name,
                              list.empty() ? "none" : list));
    }
  }
  auto first_user = [&](const std::string& name) {
    const auto& c = consumers(name);
    return c.empty() ? std::string() : fmt::format(" (read by {})", node_label(graph.node(c.front()), c.front()));
  };
  auto given = [&](const std::string& name) -> const InputShape* {
    for (const auto& b : params.inputs)
      if (b.name == name) return &b;
    return nullptr;
  };
  // First the inputs given by --input: they bind the symbolic dimensions they fill.
  std::map<std::string, Shape> shapes;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& in : graph.input()) {
      const std::string& name = in.name();
      if (inits.count(name) || shapes.count(name)) continue;
      const InputShape* b = given(name);
      if ((pass == 0) != (b != nullptr)) continue;
      if (!in.type().has_tensor_type())
        throw Error(fmt::format("{}: input '{}' is not a tensor (sequences, maps and optionals are not supported){}",
                                source, name, first_user(name)));
      const auto& tt = in.type().tensor_type();
      const bool has_shape = tt.has_shape();
      const int rank = tt.shape().dim_size();
      Shape s;
      if (b) {
        s = b->shape;
        if (has_shape && static_cast<int>(s.size()) != rank)
          throw Error(fmt::format("--input {}: {} dimensions given, the model's input has {}", name, s.size(), rank));
        for (int i = 0; has_shape && i < rank; ++i) {
          const auto& d = tt.shape().dim(i);
          if (d.has_dim_value() && d.dim_value() > 0 && d.dim_value() != s[static_cast<std::size_t>(i)])
            throw Error(fmt::format("--input {}: dimension {} is {} but the model fixes it at {}", name, i,
                                    s[static_cast<std::size_t>(i)], d.dim_value()));
          if (d.has_dim_param() && !d.dim_param().empty()) {
            auto [it, fresh] = symbols_.emplace(d.dim_param(), s[static_cast<std::size_t>(i)]);
            if (!fresh && it->second != s[static_cast<std::size_t>(i)])
              throw Error(fmt::format("--input {}: dimension {} ('{}') is {}, but another input binds '{}' to {}",
                                      name, i, d.dim_param(), s[static_cast<std::size_t>(i)], d.dim_param(),
                                      it->second));
          }
        }
      } else {
        if (!has_shape)
          throw Error(fmt::format("{}: input '{}' has no shape in the model: give it with --input {}=...{}", source,
                                  name, name, first_user(name)));
        for (int i = 0; i < rank; ++i) {
          const auto& d = tt.shape().dim(i);
          const std::string param = d.has_dim_param() ? d.dim_param() : "";
          if (d.has_dim_value() && d.dim_value() > 0) {
            s.push_back(d.dim_value());
          } else if (d.has_dim_value() && d.dim_value() == 0) {
            throw Error(fmt::format("{}: input '{}' has an empty dimension {} (size 0): give a shape with --input "
                                    "{}=...{}",
                                    source, name, i, name, first_user(name)));
          } else if (!param.empty() && symbols_.count(param)) {
            s.push_back(symbols_.at(param));
          } else if (i == 0 && (rank >= 2 || batch_like(param))) {
            s.push_back(params.batch);
            if (!param.empty()) symbols_[param] = params.batch;
          } else {
            throw Error(fmt::format("{}: input '{}' dimension {}{} is dynamic: bind it with --input {}=<dims, e.g. "
                                    "1x3x224x224>{}",
                                    source, name, i, param.empty() ? "" : fmt::format(" ('{}')", param), name,
                                    first_user(name)));
          }
        }
      }
      shapes[name] = s;
      Value v;
      v.name = name;
      v.shape = s;
      v.elem = tt.elem_type();
      if (v.elements() == 0)
        throw Error(fmt::format("{}: input '{}' {} has no elements{}", source, name, shape_str(s), first_user(name)));
      v.tensor = g.input(printable(name), tensor_shape(s), dtype_of(v.elem));
      values_[name] = std::move(v);
    }
  }
  if (params.batch > 1) {
    bool any = false;
    for (const auto& [name, s] : shapes) any = any || (!s.empty() && s.front() == params.batch);
    if (!any) {
      std::string list;
      for (const auto& [name, s] : shapes) list += fmt::format("{}{}: {}", list.empty() ? "" : ", ", name, shape_str(s));
      throw Error(fmt::format("--batch {}: no input of {} has a leading dimension of {} ({}); export the model with a "
                              "dynamic batch dimension or give the shapes with --input",
                              params.batch, source, params.batch, list));
    }
  }
}

void Importer::import_node(int index) {
  const auto& p = model_.graph().node(index);
  const int ri = rewrite_of_[static_cast<std::size_t>(index)];
  try {
    if (ri >= 0 && !rewrites_[static_cast<std::size_t>(ri)].failed) {
      Rewrite& r = rewrites_[static_cast<std::size_t>(ri)];
      if (index != r.nodes.back()) return;  // imported with the pattern's last node
      if (import_rewrite(*this, r)) return;
      // A condition did not hold: the pattern's nodes one by one.
      r.failed = true;
      for (int i : r.nodes) import_node(i);
      return;
    }
    Node n = make_node(index);
    const bool known_domain = n.domain.empty();
    bool all_const = known_domain;
    for (Value* v : n.in)
      if (v && !v->is_const) all_const = false;
    // Shape and Size need only the shape; Constant and generators have no inputs.
    if (known_domain && (all_const || n.op == "Shape" || n.op == "Size") && fold_node(*this, n)) return;
    if (known_domain && import_op(*this, n)) return;
    import_opaque(*this, n);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.starts_with(source + ": ")) throw;
    throw Error(fmt::format("{}: {}: {}", source, node_label(p, index), strip_op_name(what, p.name())));
  }
}

Graph Importer::run() {
  import_nodes();
  finish();
  return std::move(g);
}

void Importer::import_nodes() {
  const auto& graph = model_.graph();
  for (const auto& o : model_.opset_import()) opsets_[o.domain() == "ai.onnx" ? "" : o.domain()] = static_cast<int>(o.version());
  const int opset = opset_of("");
  if (opset < kMinOpset || opset > kMaxOpset)
    throw Error(fmt::format("{}: opset {} of the default domain (ai.onnx) is not supported: npusim imports opsets {} "
                            "to {}{}",
                            source, opset, kMinOpset, kMaxOpset, opset == 0 ? " (the model imports none)" : ""));
  if (params.seq > 0)
    throw Error(fmt::format("--seq applies to the built-in sequence models; bind the sequence length of {} with "
                            "--input NAME=<dims>",
                            source));
  if (graph.node_size() == 0) throw Error(fmt::format("{}: the graph has no nodes", source));
  for (const auto& t : graph.initializer()) {
    try {
      Value v = decode_tensor(t, t.name(), base_dir);
      static_consts_[t.name()] = v;
      values_[t.name()] = std::move(v);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: initializer '{}': {}", source, t.name(), e.what()));
    }
  }
  for (const auto& t : graph.sparse_initializer()) {
    Value v;
    v.name = t.values().name();
    v.is_const = true;
    v.elem = t.values().data_type();
    for (std::int64_t d : t.dims()) {
      if (d < 0) throw Error(fmt::format("{}: sparse initializer '{}' has a negative dimension", source, v.name));
      v.shape.push_back(d);
    }
    v.why_no_data = "it is a sparse tensor (not read)";
    values_[v.name] = std::move(v);
  }
  for (const auto* list : {&graph.value_info(), &graph.output()})
    for (const auto& vi : *list)
      if (vi.type().has_tensor_type() && vi.type().tensor_type().has_shape()) declared_[vi.name()] = &vi.type();
  order_nodes();
  // Constant nodes, for the patterns (their values are imported again in order).
  for (int i : order_) {
    const auto& p = graph.node(i);
    if (p.op_type() != "Constant" || p.output_size() != 1 || !p.domain().empty()) continue;
    for (const auto& a : p.attribute())
      if (a.name() == "value" && a.has_t()) {
        try {
          static_consts_[p.output(0)] = decode_tensor(a.t(), p.output(0), base_dir);
        } catch (const Error& e) {
          throw Error(fmt::format("{}: {}: {}", source, node_label(p, i), e.what()));
        }
      }
  }
  bind_inputs();
  rewrites_ = find_rewrites(*this, order_);
  rewrite_of_.assign(static_cast<std::size_t>(graph.node_size()), -1);
  for (std::size_t r = 0; r < rewrites_.size(); ++r)
    for (int i : rewrites_[r].nodes) rewrite_of_[static_cast<std::size_t>(i)] = static_cast<int>(r);
  for (int i : order_) import_node(i);
}

void Importer::finish() {
  for (const auto& o : model_.graph().output()) {
    Value* v = find_value(o.name());
    if (v && !v->is_const && v->tensor != kNoTensor &&
        std::find(g.outputs().begin(), g.outputs().end(), v->tensor) == g.outputs().end())
      g.mark_output(v->tensor);
  }
  if (g.ops().empty())
    throw Error(fmt::format("{}: the model computes nothing at run time (every output is an input or a constant)",
                            source));
  if (!unmapped_.empty()) {
    int total = 0;
    std::string list;
    for (const auto& [op, n] : unmapped_) {
      total += n;
      list += fmt::format("{}{} x{}", list.empty() ? "" : ", ", op, n);
    }
    g.add_warning(fmt::format("{}: {} op{} without a model in npusim run on the vector unit, costed by their bytes: {}",
                              source, total, total == 1 ? "" : "s", list));
  }
  if (!assumed_.empty()) {
    int total = 0;
    std::string list;
    for (const auto& [op, n] : assumed_) {
      total += n;
      list += fmt::format("{}{} x{}", list.empty() ? "" : ", ", op, n);
    }
    g.add_warning(fmt::format("{}: the model declares no shape for the outputs of {} op{} npusim has no shape rule for; "
                              "each was given its first input's shape: {}",
                              source, total, total == 1 ? "" : "s", list));
  }
}

// ---------------------------------------------------------------- entry points

Graph import_bytes(std::string_view bytes, const std::string& source, const std::string& base_dir,
                   const ModelParams& params) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error(fmt::format("{}: {} bytes is more than a protobuf message may hold (2 GiB); store the weights as "
                            "external data",
                            source, bytes.size()));
  proto::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(fmt::format("{}: not an ONNX model: the protobuf message does not parse (a truncated or corrupt file)",
                            source));
  if (!model.has_graph()) throw Error(fmt::format("{}: not an ONNX model: it has no graph", source));
  Importer imp(model, source, base_dir, params);
  try {
    return imp.run();
  } catch (const Error& e) {
    // Names from the file may hold any byte: the message stays one printable line.
    throw Error(printable(e.what(), 4000));
  }
}

Graph import_file(const std::string& path, const ModelParams& params) {
  const std::string bytes = read_file(path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return import_bytes(bytes, path, dir.empty() ? "." : dir, params);
}

bool looks_like_onnx(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".onnx") return true;
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  return in.get(c) && c == 0x08;  // field 1 (ir_version), varint
}

}  // namespace npusim::workloads::onnx
