// Training graphs: a graph-to-graph transform from a forward graph to one training step on one
// chip: the forward pass, the recomputation it asks for, the backward pass (for every op its
// input gradient and, for ops with weights, its weight gradient, with the true shapes and data
// movement), gradient accumulation, and the optimizer step as vector-unit work.
//
//  - Linear layers: dX = dY . W^T and dW = X^T . dY (each the forward's MACs); bias gradients are
//    row sums of dY. Batched matmuls: both operands' gradients. Convolutions: the input gradient
//    is a convolution of dY with the transposed, flipped kernel (stride 1) or a GEMM into
//    per-tap columns scattered back by col2im (stride > 1); the weight gradient is a convolution
//    of the input with dY as the kernel (batch and channels exchanged), the forward's MACs.
//  - Softmax, norms, activations, pooling: their own backward ops (graph.h), reading what they
//    need from the forward pass (softmax its output, a norm its input and gamma, an activation
//    its input). Embeddings scatter-add their gradient into the table; collectives become their
//    conjugates (identity <-> all-reduce, all-gather <-> reduce-scatter, all-to-all).
//  - Mixed precision: a 16-bit graph computes in 16 bits and keeps fp32 master weights and fp32
//    optimizer moments (TensorKind::State), gradients in 16 bits or fp32; an fp32 graph updates
//    its weights in place.
//  - Recomputation: none; selective (the attention scores and softmax, and any dropout on them,
//    rerun before the backward, as Korthikanti et al. 2022 do); full (every forward op rerun
//    before the backward, from the graph's inputs). Sequence-parallel all-gathers are always
//    rerun in the backward pass (their gathered output is not kept), as Megatron-LM does.
//    Selectively recomputed ops are emitted when the backward pass first needs their output; full
//    recomputation reruns every forward op before the backward pass.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "workloads/graph.h"

namespace npusim::workloads {

enum class Phase : std::uint8_t { Forward, Recompute, Backward, Optimizer };
std::string_view name_of(Phase p);

enum class Recompute : std::uint8_t { None, Selective, Full };
std::string_view name_of(Recompute r);  // "none", "selective", "full"
inline constexpr std::array<Recompute, 3> kRecomputes = {Recompute::None, Recompute::Selective, Recompute::Full};
inline constexpr std::array<OptimizerKind, 3> kOptimizers = {OptimizerKind::Sgd, OptimizerKind::Adam,
                                                             OptimizerKind::AdamW};

struct TrainingOptions {
  OptimizerKind optimizer = OptimizerKind::AdamW;
  Recompute recompute = Recompute::None;
  // Micro-batches whose gradients one optimizer step sums (gradient accumulation). Above 1 each
  // weight gradient is added into an accumulation buffer.
  std::int64_t micro_batches = 1;
  // Gradients kept (and accumulated) in fp32, as Megatron-LM's main_grad with bf16; otherwise in
  // the compute datatype (ZeRO's 2 bytes per parameter).
  bool fp32_grads = false;
  // Gradients for the graph's floating-point inputs too (a pipeline stage sends them upstream).
  bool input_grad = false;
  bool optimizer_step = true;  // false: stop at the (accumulated) gradients
};

struct TrainingFigures {
  bool mixed_precision = false;
  std::int64_t params = 0;       // elements of the weights that get a gradient
  std::int64_t saved_bytes = 0;  // forward activations (and inputs, masks) the backward pass reads
  // Bytes per trained parameter: the working weights, the gradients, and the optimizer's state
  // (fp32 master weights and moments): 2 + 2 + 12 = 16 for mixed-precision Adam.
  std::int64_t weight_bytes_per_param = 0, grad_bytes_per_param = 0, optimizer_bytes_per_param = 0;
};

struct TrainingGraph {
  Graph graph;               // forward ops first, then recomputation, backward and optimizer ops
  std::vector<Phase> phase;  // of each op of `graph`
  TrainingFigures figures;
};

// Throws Error for a graph it cannot differentiate (an integer datatype, a training op in the
// forward graph, the backward of a slice).
TrainingGraph make_training_graph(const Graph& forward, const TrainingOptions& o = {});

// Per phase, the work one step repeats: micro_batches x (forward + recompute + backward) +
// optimizer. Seconds of each phase given a time per op (e.g. summed over compiled layers).
struct PhaseSeconds {
  double forward = 0, recompute = 0, backward = 0, optimizer = 0;
  double step(std::int64_t micro_batches) const {
    return double(micro_batches) * (forward + recompute + backward) + optimizer;
  }
};

}  // namespace npusim::workloads
