// Transformer building blocks shared by the zoo's transformers (transformers.cpp) and the
// full-size LLMs (llm.cpp): attention with multi-, grouped- or multi-query heads, RoPE, the GeLU
// and SwiGLU MLPs, and picking one token of a sequence. Private to workloads/.
//
// Conventions (see transformers.cpp for the models' own):
//  - Q, K and V are three separate projections; heads are split by a reshape [B, S, H*D] ->
//    [B, S, H, D] and a transpose to [B, H, S, D]; scores are Q.K^T as a batched matmul with
//    transpose_b, then softmax, then P.V, transposed back and merged.
//  - Grouped-query attention (kv_heads < heads): the g = heads / kv_heads query heads sharing a
//    key/value head are stacked along the rows, Q [B, KV, g*S, D] . K [B, KV, S_kv, D]^T, so each
//    key/value head is read once, as grouped-query kernels do.
//  - The 1/sqrt(head_dim) scaling, the causal or padding mask and ALiBi's position bias are fused
//    into the softmax and emit no op of their own.
//  - Dropout (optional) multiplies by a random mask of one byte per element (TensorKind::Random:
//    stored for the backward pass, regenerated when recomputed); its generation is not modelled.
#pragma once

#include <cstdint>
#include <string>

#include "workloads/graph.h"

namespace npusim::workloads::models {

struct AttnShape {
  std::int64_t batch = 1;
  std::int64_t tokens = 1;   // query tokens in this pass
  std::int64_t cached = 0;   // tokens already in the KV cache (decode); 0 = no cache
  std::int64_t hidden = 768; // model width: the input and the output projection's output
  std::int64_t heads = 12;   // query heads computed here (a tensor-parallel shard holds heads / tp)
  std::int64_t kv_heads = 0; // key/value heads computed here; 0 = heads
  std::int64_t head_dim = 0; // 0 = hidden / heads
  bool bias = true;
  bool dropout = false;      // attention-probability dropout
  bool core = true;          // false: no scores, softmax or context (the projections only; system/
                             // times the core separately per request)
  std::int64_t hd() const { return head_dim > 0 ? head_dim : hidden / heads; }
  std::int64_t kv() const { return kv_heads > 0 ? kv_heads : heads; }
};

struct Rope {  // rotation tables [tokens, head_dim], model inputs
  TensorId cos = kNoTensor, sin = kNoTensor;
};

// A dropout: x * mask, the mask a random Int8 tensor shaped like x.
TensorId dropout(Graph& g, const std::string& name, TensorId x);

// Multi-head self-attention from the (normalised) input x [B, S, hidden] to the output
// projection [B, S, hidden]. With a.cached > 0 the keys and values of the previous tokens come
// from KV-cache inputs [B, KV, cached, D] and the new ones are appended along the sequence axis.
TensorId attention(Graph& g, const std::string& p, TensorId x, const AttnShape& a, const Rope* rope);

// The attention core: q [B, H, S, D], k and v [B, KV, S, D] (the new tokens) -> the context
// [B, S, H*D], with the KV cache (a.cached tokens) appended in front of k and v.
TensorId attention_core(Graph& g, const std::string& p, TensorId q, TensorId k, TensorId v, const AttnShape& a);

// fc1 (+bias) -> GeLU -> fc2 (+bias); `ffn` is the inner width computed here.
TensorId gelu_mlp(Graph& g, const std::string& p, TensorId x, std::int64_t hidden, std::int64_t ffn, bool bias = true);
// SwiGLU: down(silu(gate(x)) * up(x)), no biases.
TensorId swiglu_mlp(Graph& g, const std::string& p, TensorId x, std::int64_t hidden, std::int64_t ffn);

// Gathers one token of every sequence: one-hot selector [B, 1, S] . x [B, S, D] -> [B, 1, D].
TensorId select_token(Graph& g, const std::string& name, TensorId x, std::int64_t batch, std::int64_t tokens);

}  // namespace npusim::workloads::models
