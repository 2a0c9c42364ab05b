// The workload graph IR: tensors (shape, dtype, kind) and operators with shape inference.
// Builders validate their inputs and throw npusim::Error naming the op and the bad value, so a
// malformed model never reaches the compiler.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "base/dtype.h"

namespace npusim::workloads {

using Shape = std::vector<std::int64_t>;
using TensorId = std::int32_t;
inline constexpr TensorId kNoTensor = -1;

enum class TensorKind : std::uint8_t {
  Input,       // model input, read from DRAM
  Weight,      // parameter, read from DRAM
  Activation,  // produced by an op
  KvCache,     // persistent state read from DRAM (attention key/value cache)
  State,       // training state read from DRAM: fp32 master weights, optimizer moments, gradient buffers
  Random,      // generated on chip from a seed (dropout masks): stored after the forward pass, but a
               // recomputation regenerates it instead of reading it
};
std::string_view name_of(TensorKind k);

struct Tensor {
  std::string name;
  Shape shape;
  DType dtype = DType::Int8;
  TensorKind kind = TensorKind::Activation;
  std::int32_t producer = -1;  // op index, -1 for inputs/weights/caches
  std::int64_t elements() const;  // checked: throws Error on 64-bit overflow
  std::int64_t bytes() const;
};

enum class OpKind : std::uint8_t {
  Conv2d, MatMul, BatchedMatMul, Elementwise, Pool, Softmax, Norm, Reshape, Transpose, Concat, Embedding,
  Slice,   // a strided window of a tensor (a view: its consumers address it)
  Gather,  // rows of a tensor picked by an index tensor along one axis (data movement)
  Pad,     // a copy into a larger tensor with borders (data movement)
  Resize,  // interpolation to a new size (vector unit)
  Reduce,  // a reduction over some axes (vector unit; training's bias and norm-affine gradients are sums)
  Col2Im,  // the overlap-add of GEMM columns into an image: a transposed convolution's output, a
           // convolution's input gradient (vector unit)
  Opaque,  // an op npusim has no model for: the vector unit streams its bytes (ONNX import)
  // Training (workloads/training.h): the backward of the ops above and the optimizer step.
  EltwiseGrad,    // dX = dY * f'(X) of an activation function
  SoftmaxGrad,    // dX = Y * (dY - sum(dY * Y)) over the last axis
  NormGrad,       // dX of a LayerNorm/RMSNorm from dY, X and gamma (statistics recomputed per row)
  PoolGrad,       // dX of a pooling window from dY (and X for max pooling)
  ScatterAdd,     // rows of x added into rows `ids` of an output (an embedding's gradient, a MoE combine)
  OptimizerStep,  // one update of a parameter tensor from its gradient (SGD, Adam, AdamW)
  // Many chips: a collective over a group of chips holding shards of the model (costs nothing on
  // one chip; system/ times it on the network).
  Comm,
};
inline constexpr std::size_t kNumOpKinds = static_cast<std::size_t>(OpKind::Comm) + 1;
std::string_view name_of(OpKind k);

enum class EltFn : std::uint8_t {
  Add, Mul, Relu, Relu6, Gelu, Silu, Sub, Div, Pow, Sqrt, Sigmoid, HardSigmoid, HardSwish, Clip, Tanh, Exp, Erf,
};
std::string_view name_of(EltFn f);
constexpr bool is_binary(EltFn f) {
  return f == EltFn::Add || f == EltFn::Mul || f == EltFn::Sub || f == EltFn::Div || f == EltFn::Pow;
}

enum class PoolFn : std::uint8_t { Max, Avg };
enum class NormFn : std::uint8_t { LayerNorm, RmsNorm };
enum class ReduceFn : std::uint8_t { Mean, Sum, Max, Min, Prod, SumSquare, L1, L2 };
std::string_view name_of(ReduceFn f);
enum class ResizeMode : std::uint8_t { Nearest, Linear, Cubic };
std::string_view name_of(ResizeMode m);

struct Conv2dAttrs {
  std::int64_t kh = 1, kw = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dil_h = 1, dil_w = 1;
  std::int64_t groups = 1;
  bool bias = false;
};
struct MatMulAttrs {  // x[..., K] . W[K, N] (+ b[N])
  bool bias = false;
};
struct BatchedMatMulAttrs {  // a[..., M, K] . b[..., K, N]; transpose_b: b is [..., N, K]
  bool transpose_b = false;
};
struct EltwiseAttrs {
  EltFn fn = EltFn::Add;
};
struct PoolAttrs {
  PoolFn fn = PoolFn::Max;
  std::int64_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;  // pad_h/pad_w: top and left
  std::int64_t pad_bottom = -1, pad_right = -1;  // -1: as pad_h / pad_w
  std::int64_t dil_h = 1, dil_w = 1;
  bool ceil_mode = false;  // the last window may start inside the padding (output size rounds up)
};
struct SoftmaxAttrs {};  // over the last axis
struct NormAttrs {       // over the last axis
  NormFn fn = NormFn::LayerNorm;
};
struct ReshapeAttrs {};
struct TransposeAttrs {
  std::vector<int> perm;
};
struct ConcatAttrs {
  int axis = 0;
};
struct EmbeddingAttrs {};  // ids[...] -> out[..., D] from table[V, D]
struct SliceAttrs {        // out[i] = x[starts + i * steps] per axis
  Shape starts, steps;
};
struct GatherAttrs {  // out = x[:axis] + indices.shape + x[axis+1:]
  int axis = 0;
};
struct PadAttrs {  // per axis: elements added before, then after
  Shape before, after;
};
struct ResizeAttrs {
  ResizeMode mode = ResizeMode::Nearest;
};
struct ReduceAttrs {
  ReduceFn fn = ReduceFn::Mean;
  std::vector<int> axes;  // sorted, non-negative
  bool keepdims = true;
};
struct Col2ImAttrs {  // columns [N, H, W, F*kh*kw] (ConvTranspose) or [N*OH*OW, C*kh*kw] (a conv input gradient) -> an image
  std::int64_t kh = 1, kw = 1;
};
struct OpaqueAttrs {
  std::string op;  // e.g. "ai.onnx:LSTM"
};

struct EltwiseGradAttrs {  // inputs: dY, X
  EltFn fn = EltFn::Relu;
};
struct SoftmaxGradAttrs {};  // inputs: dY, Y
struct NormGradAttrs {       // inputs: dY, X, gamma
  NormFn fn = NormFn::LayerNorm;
};
struct PoolGradAttrs {  // inputs: dY (and X for max pooling); output shaped like the pool's input
  PoolAttrs pool;
};
struct ScatterAddAttrs {};  // inputs: ids [R], x [R, D]; output [V, D]
// A collective between the chips of a parallel group, as Megatron places them: the tensor-
// parallel pair identity/all-reduce (f and g: each the other's backward), all-gather/reduce-
// scatter along the sequence (sequence parallelism), and all-to-all (expert parallelism).
enum class CommKind : std::uint8_t {
  Identity,       // forward nothing; backward an all-reduce of the gradient
  AllReduce,      // forward a sum over the group; backward nothing
  AllGather,      // concatenate the group's shards along `axis`; backward a reduce-scatter
  ReduceScatter,  // sum, then keep this chip's shard along `axis`; backward an all-gather
  AllToAll,       // exchange rows (expert dispatch and combine); backward the same
};
std::string_view name_of(CommKind k);
enum class CommGroup : std::uint8_t { Tensor, Expert };
std::string_view name_of(CommGroup g);
struct CommAttrs {
  CommKind kind = CommKind::AllReduce;
  CommGroup group = CommGroup::Tensor;
  std::int32_t ranks = 1;
  int axis = 0;
};

enum class OptimizerKind : std::uint8_t { Sgd, Adam, AdamW };
std::string_view name_of(OptimizerKind k);
struct OptimizerAttrs {  // inputs: gradient, then the state tensors the optimizer keeps
  OptimizerKind kind = OptimizerKind::AdamW;
  std::int64_t params = 0;         // elements updated
  std::int64_t written_bytes = 0;  // bytes written per element (state, master weight, working copy)
};

using OpAttrs = std::variant<Conv2dAttrs, MatMulAttrs, BatchedMatMulAttrs, EltwiseAttrs, PoolAttrs, SoftmaxAttrs,
                             NormAttrs, ReshapeAttrs, TransposeAttrs, ConcatAttrs, EmbeddingAttrs, SliceAttrs,
                             GatherAttrs, PadAttrs, ResizeAttrs, ReduceAttrs, Col2ImAttrs, OpaqueAttrs, EltwiseGradAttrs,
                             SoftmaxGradAttrs, NormGradAttrs, PoolGradAttrs, ScatterAddAttrs, OptimizerAttrs, CommAttrs>;

struct Op {
  std::string name;
  OpKind kind = OpKind::Elementwise;
  std::vector<TensorId> inputs;  // data inputs first, then weights (conv/matmul: x, W[, b])
  TensorId output = kNoTensor;
  OpAttrs attrs;
  std::int64_t macs = 0;  // multiply-accumulates (0 for ops without a reduction product)

  template <class A>
  const A& as() const { return std::get<A>(attrs); }
};

class Graph {
 public:
  explicit Graph(std::string name, DType dtype = DType::Int8);

  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<Op>& ops() const { return ops_; }
  const Tensor& tensor(TensorId id) const { return tensors_.at(static_cast<std::size_t>(id)); }
  const Op& op(std::size_t i) const { return ops_.at(i); }
  const std::vector<TensorId>& outputs() const { return outputs_; }
  // Ops that read tensor `id`, in graph order.
  std::vector<std::int32_t> consumers(TensorId id) const;

  std::int64_t total_macs() const;
  std::int64_t total_params() const;  // elements of Weight tensors

  // ---- leaves ----
  TensorId input(std::string name, Shape shape, std::optional<DType> dtype = std::nullopt);
  TensorId weight(std::string name, Shape shape, std::optional<DType> dtype = std::nullopt);
  TensorId kv_cache(std::string name, Shape shape);
  TensorId state(std::string name, Shape shape, DType dtype);  // training state (TensorKind::State)
  TensorId random(std::string name, Shape shape, DType dtype);  // a random mask (TensorKind::Random)

  // ---- operators (each returns its output tensor) ----
  struct ConvSpec {
    std::int64_t out_channels = 0;
    std::int64_t kh = 1, kw = 1;
    std::int64_t stride = 1;
    std::int64_t pad = 0;  // symmetric; use `padding` for asymmetric
    std::int64_t dilation = 1;
    std::int64_t groups = 1;
    bool bias = false;
    std::array<std::int64_t, 4> padding{-1, -1, -1, -1};  // top, bottom, left, right; -1 = use `pad`
    std::int64_t stride_w = 0;  // column stride when it differs from `stride` (0: the same)
    std::int64_t dilation_w = 0;  // column dilation when it differs from `dilation` (0: the same)
  };
  // x: [N, C, H, W] -> [N, F, OH, OW]; creates the weight [F, C/groups, kh, kw] (and bias [F]).
  TensorId conv2d(const std::string& name, TensorId x, const ConvSpec& spec);
  // The same with existing weights: w [F, C/groups, kh, kw] (spec.out_channels, kh, kw are taken
  // from it) and, when spec.bias, b [F].
  TensorId conv2d_with(const std::string& name, TensorId x, TensorId w, TensorId b, ConvSpec spec);
  // x: [..., K] -> [..., N]; creates W [K, N] (and b [N]).
  TensorId matmul(const std::string& name, TensorId x, std::int64_t out_features, bool bias = false);
  // x: [..., K] -> [..., N] with an existing weight [K, N] (tied weights are counted once) and
  // an optional bias b [N].
  TensorId matmul_with(const std::string& name, TensorId x, TensorId w, bool transpose_w = false,
                       TensorId b = kNoTensor);
  // a[..., M, K] . b[..., K, N]; the batch dimensions broadcast (numpy rules).
  TensorId batched_matmul(const std::string& name, TensorId a, TensorId b, bool transpose_b = false);
  // Binary functions broadcast with numpy's rules; the output has the broadcast shape.
  TensorId eltwise(const std::string& name, EltFn fn, TensorId a, TensorId b = kNoTensor);
  TensorId pool(const std::string& name, PoolFn fn, TensorId x, std::int64_t k, std::int64_t stride, std::int64_t pad = 0);
  // A rectangular window with asymmetric padding, dilation and ceil mode (attrs.fn included).
  TensorId pool2d(const std::string& name, TensorId x, const PoolAttrs& attrs);
  TensorId global_avg_pool(const std::string& name, TensorId x);  // [N, C, H, W] -> [N, C, 1, 1]
  TensorId softmax(const std::string& name, TensorId x);
  TensorId norm(const std::string& name, NormFn fn, TensorId x);  // creates gamma (and beta for LayerNorm)
  TensorId reshape(const std::string& name, TensorId x, Shape shape);
  TensorId transpose(const std::string& name, TensorId x, std::vector<int> perm);
  TensorId concat(const std::string& name, const std::vector<TensorId>& xs, int axis);
  TensorId embedding(const std::string& name, TensorId ids, std::int64_t vocab, std::int64_t dim);
  TensorId embedding_with(const std::string& name, TensorId ids, TensorId table);
  // x[starts[a] + i * steps[a]] for i < out[a] on every axis a (steps may be negative).
  TensorId slice(const std::string& name, TensorId x, Shape starts, Shape steps, Shape out);
  TensorId gather(const std::string& name, TensorId x, TensorId indices, int axis);
  TensorId pad(const std::string& name, TensorId x, Shape before, Shape after);
  // Interpolates x to `out` (same rank).
  TensorId resize(const std::string& name, TensorId x, Shape out, ResizeMode mode);
  // Reduces x over `axes` (any order, negative counts from the end; empty: all axes).
  TensorId reduce(const std::string& name, ReduceFn fn, TensorId x, std::vector<int> axes, bool keepdims);
  // The overlap-add of a transposed convolution: cols [N, H, W, F*kh*kw] -> out [N, F, OH, OW].
  TensorId col2im(const std::string& name, TensorId cols, Shape out, std::int64_t kh, std::int64_t kw);
  // An op without a model of its own: reads `inputs`, writes a tensor of shape `out`.
  TensorId opaque(const std::string& name, std::string op, const std::vector<TensorId>& inputs, Shape out,
                  std::optional<DType> dtype = std::nullopt);

  // Notes for the user about how the model was built (e.g. ops an importer could not map).
  void add_warning(std::string w) { warnings_.push_back(std::move(w)); }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // ---- training ops (workloads/training.h builds graphs with them) ----
  TensorId eltwise_grad(const std::string& name, EltFn fn, TensorId dy, TensorId x);
  TensorId softmax_grad(const std::string& name, TensorId dy, TensorId y);
  TensorId norm_grad(const std::string& name, NormFn fn, TensorId dy, TensorId x, TensorId gamma);
  // dY shaped like the pool's output, x its input: -> dX shaped like x.
  TensorId pool_grad(const std::string& name, const PoolAttrs& pool, TensorId dy, TensorId x);
  // x [R, D] added row by row into rows ids [R] of a zeroed [rows, D].
  TensorId scatter_add(const std::string& name, TensorId ids, TensorId x, std::int64_t rows);
  // Sums x over `axis`, which leaves the shape (reduce with ReduceFn::Sum).
  TensorId reduce(const std::string& name, TensorId x, int axis);
  // cols [N*OH*OW, C*kh*kw] (or [G, N*OH*OW, C/G*kh*kw]) -> [N, C, H, W] for the convolution `conv`
  // of an input shaped `image`.
  TensorId col2im(const std::string& name, TensorId cols, const Conv2dAttrs& conv, const Shape& image);
  // x[start, start + length) along `axis` (the general slice above).
  TensorId slice(const std::string& name, TensorId x, int axis, std::int64_t start, std::int64_t length);
  // A collective (see CommKind); all-gather multiplies and reduce-scatter divides `axis` by ranks.
  TensorId comm(const std::string& name, CommKind kind, CommGroup group, std::int32_t ranks, TensorId x, int axis = 0);
  // Appends a copy of op `i` of `from` (a validated graph) reading `inputs` (tensors of this graph
  // shaped as the originals). Used to replay forward ops for activation recomputation.
  TensorId replay(const Graph& from, std::size_t i, const std::string& name, std::vector<TensorId> inputs);
  // Updates a parameter of `params` elements: reads the inputs (gradient, state), writes
  // `written_bytes` per element. Its output stands for what is written.
  TensorId optimizer_step(const std::string& name, OptimizerKind kind, const std::vector<TensorId>& inputs,
                          std::int64_t params, std::int64_t written_bytes);

  void mark_output(TensorId t) { outputs_.push_back(t); }

 private:
  TensorId add_tensor(std::string name, Shape shape, DType dtype, TensorKind kind);
  TensorId add_op(Op op, Shape out_shape, DType out_dtype);
  const Tensor& checked(TensorId id, const std::string& op_name) const;

  std::string name_;
  DType dtype_;
  std::vector<Tensor> tensors_;
  std::vector<Op> ops_;
  std::vector<TensorId> outputs_;
  std::unordered_set<std::string> op_names_;
  std::vector<std::string> warnings_;
};

// The numpy broadcast of two shapes; std::nullopt when they do not broadcast.
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// "[1, 64, 56, 56]"
std::string shape_str(const Shape& s);

}  // namespace npusim::workloads
