// Helpers of the ONNX importer's tests: a small builder of ONNX models in memory, reading the
// node test models of Debian's libonnx-testdata, and the fixtures written by onnx_fixtures.py.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "base/files.h"
#include "workloads/onnx/import.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx_test {

namespace proto = ::onnx;

// Where Debian's libonnx-testdata keeps the node test models.
inline const std::string kNodeTests = "/usr/share/libonnx-testdata/data/node/";
// The fixtures written at build time by onnx_fixtures.py.
inline const std::string kFixtures = NPUSIM_ONNX_FIXTURES;

using Dim = std::variant<std::int64_t, std::string>;  // a size or a symbolic dimension

// An ONNX model built node by node.
class ModelBuilder {
 public:
  explicit ModelBuilder(int opset, std::string domain = "") {
    m_.set_ir_version(8);
    auto* o = m_.add_opset_import();
    o->set_domain(std::move(domain));
    o->set_version(opset);
    m_.mutable_graph()->set_name("test");
  }
  proto::ModelProto& model() { return m_; }
  proto::GraphProto& graph() { return *m_.mutable_graph(); }

  ModelBuilder& input(const std::string& name, const std::vector<Dim>& dims, int elem = proto::TensorProto::FLOAT) {
    auto* vi = graph().add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    auto* shape = tt->mutable_shape();
    for (const Dim& d : dims) {
      auto* dim = shape->add_dim();
      if (std::holds_alternative<std::int64_t>(d)) dim->set_dim_value(std::get<std::int64_t>(d));
      else if (!std::get<std::string>(d).empty()) dim->set_dim_param(std::get<std::string>(d));
    }
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    graph().add_output()->set_name(name);
    return *this;
  }
  // A float weight of the given shape: zeros, written only when small.
  ModelBuilder& weight(const std::string& name, const std::vector<std::int64_t>& dims) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(proto::TensorProto::FLOAT);
    std::int64_t n = 1;
    for (auto d : dims) {
      t->add_dims(d);
      n *= d;
    }
    if (n <= 4096) t->mutable_raw_data()->assign(static_cast<std::size_t>(n) * 4, '\0');
    else set_external(*t, "absent.weights", 0, n * 4);
    return *this;
  }
  ModelBuilder& ints(const std::string& name, const std::vector<std::int64_t>& values, bool scalar = false) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(proto::TensorProto::INT64);
    if (!scalar) t->add_dims(static_cast<std::int64_t>(values.size()));
    for (auto v : values) t->add_int64_data(v);
    return *this;
  }
  ModelBuilder& floats(const std::string& name, const std::vector<float>& values, bool scalar = false) {
    auto* t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(proto::TensorProto::FLOAT);
    if (!scalar) t->add_dims(static_cast<std::int64_t>(values.size()));
    for (auto v : values) t->add_float_data(v);
    return *this;
  }
  static void set_external(proto::TensorProto& t, const std::string& file, std::int64_t offset, std::int64_t length) {
    t.set_data_location(proto::TensorProto::EXTERNAL);
    for (auto [k, v] : {std::pair<std::string, std::string>{"location", file}, {"offset", std::to_string(offset)},
                        {"length", std::to_string(length)}}) {
      auto* e = t.add_external_data();
      e->set_key(k);
      e->set_value(v);
    }
  }
  proto::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                         const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? outs.front() : name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  std::string bytes() const { return m_.SerializeAsString(); }
  Graph import(const ModelParams& p = {}, const std::string& dir = "") const {
    return onnx::import_bytes(bytes(), "test.onnx", dir, p);
  }

 private:
  proto::ModelProto m_;
};

inline void attr(proto::NodeProto& n, const std::string& name, std::int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(proto::AttributeProto::INT);
  a->set_i(v);
}
inline void attr(proto::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(proto::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}
inline void attr_f(proto::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(proto::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void attr_s(proto::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(proto::AttributeProto::STRING);
  a->set_s(v);
}

inline proto::TensorProto read_tensor(const std::string& path) {
  proto::TensorProto t;
  const std::string b = read_file(path);
  if (!t.ParseFromString(b)) throw Error("cannot parse " + path);
  return t;
}

inline proto::ModelProto read_model(const std::string& path) {
  proto::ModelProto m;
  const std::string b = read_file(path);
  if (!m.ParseFromString(b)) throw Error("cannot parse " + path);
  return m;
}

// The ops with multiply-accumulates, in graph order: name, output shape, MACs.
struct MacOp {
  std::string name;
  Shape shape;
  std::int64_t macs = 0;
};
inline std::vector<MacOp> mac_ops(const Graph& g) {
  std::vector<MacOp> out;
  for (const auto& op : g.ops())
    if (op.macs > 0) out.push_back({op.name, g.tensor(op.output).shape, op.macs});
  return out;
}

}  // namespace npusim::workloads::onnx_test
