// Layers: what the compiler maps and the simulators execute. Lowering turns graph ops into
// layers: convolutions, matmuls and batched matmuls become (grouped) GEMMs, elementwise ops fuse
// into their producer where legal, reshapes/concats/layout transposes become views (no cost).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "workloads/graph.h"

namespace npusim::compiler {

enum class LayerClass : std::uint8_t {
  Gemm,      // conv2d (implicit GEMM), matmul, batched matmul: the PE array
  Vector,    // softmax, norm, pooling, unfused elementwise: the vector unit
  Gather,    // embedding lookup: DMA only
  DataMove,  // transpose that no GEMM absorbs: DMA through the scratchpad
};
std::string_view name_of(LayerClass c);

using VecOps = std::array<std::int64_t, arch::kNumVecClasses>;  // lane operations per class

// Geometry of an implicit-GEMM convolution, per group.
struct ConvGeometry {
  std::int64_t batch = 1, in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  std::int64_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0, dil_h = 1, dil_w = 1;
  std::int64_t channels = 1;  // input channels per group
};

struct Layer {
  std::string name;
  workloads::OpKind op = workloads::OpKind::MatMul;
  LayerClass cls = LayerClass::Gemm;
  std::vector<std::int32_t> graph_ops;  // the op and every op fused into it, in graph order
  std::vector<std::string> fused;       // names of fused ops
  DType dtype = DType::Int8;            // operand datatype
  std::int64_t macs = 0;

  // ---- GEMM: C[g] (M x N) = A[g] (M x K) . B[g] (K x N), g < G ----
  std::int64_t G = 1, M = 0, N = 0, K = 0;
  std::optional<ConvGeometry> conv;     // set for conv2d: M = batch*out_h*out_w, K = channels*kh*kw
  workloads::TensorId a = workloads::kNoTensor;       // activations
  workloads::TensorId b = workloads::kNoTensor;       // weights, or the 2nd activation of a batched matmul
  std::int64_t a_bytes = 0;             // compulsory: bytes of A actually touched
  std::int64_t b_bytes = 0;

  // ---- all classes ----
  workloads::TensorId out = workloads::kNoTensor;          // final output (after fused ops)
  std::int64_t out_bytes = 0;
  std::vector<workloads::TensorId> side_inputs;     // read with the output (bias, residual operand)
  std::int64_t side_bytes = 0;
  std::int64_t side_per_elem_bytes = 0;      // side inputs shaped like the output, streamed with it
  std::int64_t side_once_bytes = 0;          // smaller ones (bias, gamma), loaded once per core
  // Vector-unit work: per output element (GEMM: conversion, bias, fused ops) and per row.
  VecOps ops_per_elem{};
  VecOps ops_per_row{};
  std::int64_t out_elems = 0;
  std::vector<workloads::TensorId> inputs;          // Vector/Gather/DataMove: tensors read
  std::int64_t in_bytes = 0;                 // Vector/Gather/DataMove: bytes read
  std::int64_t in_row_bytes = 0;             // ... of them streamed per row of output
  std::int64_t in_once_bytes = 0;            // ... of them read once per core (broadcast operands)
  // Vector/Gather/DataMove work comes in rows of output elements; a softmax or norm needs a
  // whole row on chip (whole_rows), other layers may split a row.
  std::int64_t rows = 1, row_elems = 1;
  bool whole_rows = false;

  VecOps vector_ops() const;                 // total lane operations of the layer
  std::vector<std::int32_t> deps;            // layers whose outputs this one reads
};

struct LayerGraph {
  std::vector<Layer> layers;
  // tensor id -> index of the layer that produces it (after resolving views), or -1
  std::vector<std::int32_t> producer;
  // tensor id -> true if the tensor is a view of others (reshape, concat, layout transpose)
  std::vector<bool> is_view;
};

// Lowers a graph; throws Error for ops the PE array cannot run in the given datatype.
LayerGraph lower(const workloads::Graph& g);

// Vector-unit lane operations for one element of an elementwise function.
VecOps eltwise_ops(workloads::EltFn fn);
// ... for one element of the gradient of an activation function (workloads::OpKind::EltwiseGrad).
VecOps eltwise_grad_ops(workloads::EltFn fn);
// ... for one parameter updated by an optimizer (workloads::OpKind::OptimizerStep).
VecOps optimizer_ops(workloads::OptimizerKind k);

}  // namespace npusim::compiler
