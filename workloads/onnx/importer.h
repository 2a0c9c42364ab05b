// Internals of the ONNX importer (not part of the workloads interface): the values of a model
// during import, the node being imported, the importer's state, and the pieces in
// tensor_data.cpp (initializers, constants), shapes.cpp (ONNX shape rules), fold.cpp (constant
// folding), ops.cpp (ops to the graph IR) and patterns.cpp (multi-node rewrites).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "workloads/graph.h"
#include "workloads/zoo.h"

namespace npusim::workloads::onnx {

namespace proto = ::onnx;

// TensorProto.DataType values the importer distinguishes.
enum : int {
  kUndefinedType = 0, kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13, kComplex64 = 14,
  kComplex128 = 15, kBfloat16 = 16,
};
bool is_integer_type(int t);  // the integer types and bool
std::string type_name(int t);
// A name from the file as it may appear in a message or a graph: control characters escaped,
// at most `limit` characters.
std::string printable(std::string_view name, std::size_t limit = 200);

// Constants with at most this many elements have their elements computed at import time.
inline constexpr std::int64_t kMaxConstElements = std::int64_t{1} << 16;

// An ONNX tensor during import.
struct Value {
  std::string name;
  Shape shape;  // the ONNX shape (rank 0 allowed)
  int elem = kFloat;
  bool is_const = false;   // known at import time: initializer, Constant or folded from them
  bool has_data = false;   // its elements are known
  std::vector<double> data;
  std::string why_no_data;       // for errors when the elements are needed but unknown
  TensorId tensor = kNoTensor;   // the graph tensor (runtime values; constants once a runtime op reads them)
  std::vector<std::int64_t> pending_pads;  // a zero Pad left to the convolution that reads it (ONNX pads layout)
  TensorId unpadded = kNoTensor;           // ... and the tensor before it
  std::int64_t elements() const;
  std::vector<std::int64_t> ints() const;  // data as integers (clamped to the int64 range)
};

// An initializer or a Constant's tensor: shape, type and, when small and numeric, the elements
// (read from raw or typed fields, or from the external data file next to the model).
Value decode_tensor(const proto::TensorProto& t, const std::string& name, const std::string& base_dir);

// ---- ONNX shape rules (shapes.cpp); each throws Error describing the problem ----
int norm_axis(std::int64_t axis, std::size_t rank, std::string_view what);  // negative axes count from the end
std::vector<int> norm_axes(const std::vector<std::int64_t>& axes, std::size_t rank, std::string_view what);
Shape reshape_shape(const Shape& in, const std::vector<std::int64_t>& spec, bool allowzero);
Shape flatten_shape(const Shape& in, std::int64_t axis);
Shape squeeze_shape(const Shape& in, const std::optional<std::vector<std::int64_t>>& axes);
Shape unsqueeze_shape(const Shape& in, const std::vector<std::int64_t>& axes);
Shape transpose_shape(const Shape& in, std::vector<std::int64_t>& perm);  // fills a default perm
Shape concat_shape(const std::vector<const Shape*>& ins, std::int64_t axis);
Shape gather_shape(const Shape& data, const Shape& indices, int axis);
Shape broadcast_or_throw(const Shape& a, const Shape& b);
struct SliceSpec {
  Shape starts, steps, out;  // per axis of the input
};
SliceSpec slice_spec(const Shape& in, const std::vector<std::int64_t>& starts, const std::vector<std::int64_t>& ends,
                     const std::optional<std::vector<std::int64_t>>& axes,
                     const std::optional<std::vector<std::int64_t>>& steps);
std::vector<std::int64_t> split_sizes(std::int64_t dim, std::size_t outputs,
                                      const std::optional<std::vector<std::int64_t>>& split,
                                      std::optional<std::int64_t> num_outputs);
Shape reduce_shape(const Shape& in, const std::vector<int>& axes, bool keepdims);  // axes sorted, empty = all
Shape tensor_shape(const Shape& onnx_shape);  // the graph's shape: rank 0 -> [1]

class Importer;

// The node being imported, with typed access to its attributes and inputs.
struct Node {
  const proto::NodeProto* p = nullptr;
  int index = 0;      // in the model's node list
  std::string op;     // op_type
  std::string domain; // "" for ai.onnx
  int opset = 0;      // of the node's domain
  std::string name;   // its unique op name in the graph
  std::vector<Value*> in;  // nullptr where an optional input is absent

  bool has(std::size_t k) const { return k < in.size() && in[k] != nullptr; }
  Value& input(std::size_t k) const;  // throws when absent
  std::size_t num_outputs() const { return static_cast<std::size_t>(p->output_size()); }
  bool output_used(std::size_t k) const;  // named (an absent optional output has no name)

  const proto::AttributeProto* attr(std::string_view n) const;
  std::int64_t attr_int(std::string_view n, std::int64_t dflt) const;
  double attr_float(std::string_view n, double dflt) const;
  std::string attr_string(std::string_view n, std::string dflt) const;
  std::optional<std::vector<std::int64_t>> attr_ints(std::string_view n) const;
  std::optional<std::vector<double>> attr_floats(std::string_view n) const;
  // A list given as an attribute (older opsets) or as the constant input k (newer ones).
  std::optional<std::vector<std::int64_t>> ints_attr_or_input(std::string_view attr, std::size_t k) const;
};

// ONNX's rules on a node's attributes or constant inputs (both forms), shared by constant folding
// and the import of run-time ops:
SliceSpec slice_of(const Importer& imp, const Node& n);  // Slice
Shape reshaped_shape_of(const Node& n);                   // Reshape, Flatten, Squeeze, Unsqueeze of input 0
std::vector<SliceSpec> split_of(const Node& n);  // Split of input 0: the window of each output

// A pattern of several nodes imported as one op (patterns.cpp).
struct Rewrite {
  enum class Kind : std::uint8_t { Conv, MatMulBias, Gelu, LayerNorm, Silu, HardSwish };
  Kind kind = Kind::Conv;
  std::vector<int> nodes;  // model node indices of the pattern in import order; imported at the last
  int pad = -1, conv = -1, bn = -1, matmul = -1, add = -1;  // Conv / MatMulBias roles
  std::string x;           // the data input of a fused op
  std::string out;         // the output of the last node
  std::string gamma, beta; // LayerNorm scale and shift ("" = none)
  bool failed = false;     // the pattern's conditions did not hold at import: import its nodes one by one
};

class Importer {
 public:
  Importer(const proto::ModelProto& model, std::string source, std::string base_dir, const ModelParams& params);
  Graph run();  // import_nodes(), then the outputs and the warnings
  // Imports every node the outputs depend on (tests read the values with find_value()).
  void import_nodes();

  // ---- used by the op handlers ----
  Graph g;
  const ModelParams params;
  const std::string source;
  const std::string base_dir;

  // The graph tensor of a value; a constant becomes a weight the first time a runtime op reads it.
  TensorId tensor_of(Value& v);
  // A weight named after the constant `v` with another shape (the same elements, laid out for an op).
  TensorId new_weight(const Value& v, Shape shape);
  // The elements of a constant input, or an Error naming it and saying why they are unknown.
  std::vector<std::int64_t> int_data(const Value& v, std::string_view what) const;
  std::vector<double> real_data(const Value& v, std::string_view what) const;
  // Defines output k of `n` (named by the model), rank-0 values included.
  void set_output(const Node& n, std::size_t k, Value v);
  // A runtime output made by a graph op: shape and type from the tensor.
  void set_tensor_output(const Node& n, std::size_t k, TensorId t, std::optional<Shape> onnx_shape = std::nullopt);
  // An op name unique in the graph, derived from the node's.
  std::string unique_name(const std::string& base);
  // The shape the model declares for a tensor (value_info or graph outputs), bound to concrete sizes.
  std::optional<Shape> declared_shape(const std::string& name) const;
  // Records an op imported without a model of its own (for the warning).
  void note_unmapped(const Node& n);
  void note_assumed_shape(const Node& n);
  DType dtype_of(int elem) const;
  Value* find_value(const std::string& name);
  const std::vector<int>& consumers(const std::string& name) const;  // node indices (live nodes)
  bool is_graph_output(const std::string& name) const;
  const proto::NodeProto& node_proto(int index) const { return model_.graph().node(index); }
  int opset_of(const std::string& domain) const;
  // The tensor and elements of a name known before import: an initializer or a Constant node's value.
  const Value* static_const(const std::string& name) const;
  // The node with its inputs' values; `named`: give it its unique op name (only for a node that
  // becomes ops). An unnamed node, only looked at, has no value for inputs not imported yet.
  Node make_node(int index, bool named = true);
  int node_count() const { return model_.graph().node_size(); }
  // The node producing a tensor (-1 for inputs, initializers and unknown names).
  int producer_of(const std::string& name) const;
  // Defines a tensor's value outright (the output of a pattern).
  void define(const std::string& name, Value v);

 private:
  void bind_inputs();
  void order_nodes();
  void import_node(int index);
  void finish();

  const proto::ModelProto& model_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, int> producer_;          // output name -> node index
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_map<std::string, Value> static_consts_;
  std::unordered_map<std::string, const proto::TypeProto*> declared_;
  std::map<std::string, std::int64_t> symbols_;  // dim_param -> size
  std::vector<int> order_;                        // live nodes in import order
  std::vector<int> rewrite_of_;                   // node index -> rewrite index or -1
  std::vector<Rewrite> rewrites_;
  std::vector<bool> live_;
  std::map<std::string, int> unmapped_, assumed_;
  std::unordered_map<std::string, int> name_counts_;
  std::unordered_set<std::string> used_names_;
  std::map<std::string, int> opsets_;
};

// ---- the op tables ----
// Folds a node whose inputs are all constants (or whose result depends only on shapes, as
// Shape and Size). Returns false when the op is not one the folder knows.
bool fold_node(Importer& imp, Node& n);
// Imports a runtime node into the graph. Returns false when the op has no mapping.
bool import_op(Importer& imp, Node& n);
// Imports an op without a mapping as Opaque ops (one per output), with output shapes from the
// model's declarations or, failing those, the shape of the first input.
void import_opaque(Importer& imp, Node& n);
// Ops whose outputs are all constants when their inputs are (no cost at run time).
bool is_foldable(std::string_view op);

// Conv (1-D, 2-D) and MatMul, also used by the patterns: `bn_bias` is a folded BatchNormalization's
// shift; `bias` a folded Add of a constant [N]; `onnx_out` receives the MatMul's ONNX shape.
void import_conv(Importer& imp, Node& n, TensorId bn_bias);
TensorId import_matmul(Importer& imp, Node& n, Value* bias, Shape& onnx_out);

// Finds the multi-node patterns of the model (patterns.cpp); `order` is the import order.
std::vector<Rewrite> find_rewrites(const Importer& imp, const std::vector<int>& order);
// Imports a pattern as one op; false when a condition does not hold (its nodes are then imported
// one by one).
bool import_rewrite(Importer& imp, const Rewrite& r);

}  // namespace npusim::workloads::onnx
