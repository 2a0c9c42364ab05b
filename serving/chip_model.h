// The iteration model backed by the chip model: a replica of tp x pp chips of one architecture
// running a decoder-only LLM, each iteration timed from the chip model for its exact batch.
//
// An iteration is cut into pieces whose shapes the batch fixes, each timed on one chip of the
// tensor-parallel group:
//   dense(T)       the layer's norms, Q/K/V/O projections and MLP over the T tokens of the batch
//   prefill(s, c)  one prompt part's attention: s query tokens over c cached + s new keys
//   decode(B, c)   the attention of B decoding sequences over their contexts (c: their mean, so the
//                  keys and values read and the MACs are those of the exact contexts)
//   head(n)        the final norm and the LM head over the n sequences that emit a token
// iteration = layers x (dense + sum of prefill + decode + 2 all-reduces of the tensor-parallel
// group) + embedding + head + (pp - 1) stage-to-stage sends. Pipeline stages run one after the
// other for one batch (no micro-batches in flight across iterations).
//
// How a piece is timed:
//  - an NPU (no `gpu` block): its graph is compiled and run on the analytic engine through
//    driver/ (mapping search, cost model);
//  - a GPU (a `gpu` block: h100_sxm, h200, a100_sxm): each lowered layer as a kernel of the GPU
//    kernel model (compiler/gpu_layers.h, as system/ times a GPU chip): matmuls as library GEMMs,
//    norms and elementwise layers as memory-bound kernels; the attention of the prompt parts as
//    one FlashAttention-style kernel and that of the decodes as one flash-decoding kernel
//    (compiler::predict_attention).
// Each piece is memoised by its shape. With ShapeGrid::Exact every distinct shape is timed;
// with ShapeGrid::Interpolated a piece's arguments above 32 are timed at grid points 2^(1/8)
// apart (9%) and interpolated linearly between them (docs/SERVING.md gives the error this
// makes, measured against exact shapes).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arch/arch_config.h"
#include "base/dtype.h"
#include "serving/iteration.h"
#include "system/system_config.h"

namespace npusim::serving {

// A decoder-only LLM's shape (Llama family: RMSNorm, SwiGLU, rotary positions, no biases, untied
// LM head; grouped-query attention when kv_heads < heads).
struct LlmShape {
  std::string name, source;
  std::int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0, ffn = 0, vocab = 0;
  std::int64_t head_dim() const { return hidden / heads; }
};
// llama2-7b, llama2-13b, llama2-70b, llama3-8b, llama3-70b; throws Error listing them.
const LlmShape& find_llm_shape(std::string_view name);
std::string llm_shape_names();

// A link between chips: per chip, per direction.
struct Link {
  double bytes_per_s = 0;
  double latency_s = 0;
};

enum class ShapeGrid : std::uint8_t { Exact, Interpolated };

struct ChipModelOptions {
  arch::ArchConfigPtr arch;
  LlmShape model;
  std::int32_t tp = 1, pp = 1;
  // Datatypes (empty = the arch's default). `dtype`: the weights and the GEMMs' inputs;
  // `activation_dtype`: the activations between the GEMMs (norms, residuals, attention math,
  // all-reduces); `kv_dtype`: the KV cache. Empty activation and KV datatypes are `dtype`'s. An
  // NPU runs its graphs in one datatype: the three must then agree.
  std::optional<DType> dtype, activation_dtype, kv_dtype;
  // The system the replica's chips sit in (configs/systems/): when given, the tensor-parallel
  // all-reduces and the pipeline's stage-to-stage sends are timed on its network by system/'s
  // collective model (the replica on chips 0 .. tp x pp - 1, the fastest algorithm on the idle
  // network), and chip_link is not used.
  system::SystemConfigPtr system;
  Link chip_link;                    // between the chips of a replica (tensor- and pipeline-parallel traffic)
  Link replica_link;                 // between replicas (disaggregated KV-cache transfers)
  double host_bytes_per_s = 0;       // chip to host memory (swapping), per chip
  double memory_utilisation = 0.9;   // of each chip's memory, what the server may use (vLLM's default)
  std::int64_t max_batched_tokens = 2048;  // the largest iteration, for the activations' peak
  ShapeGrid grid = ShapeGrid::Interpolated;
};

class ChipIterationModel : public IterationModel {
 public:
  // Throws Error when the split does not divide the model (tp must divide the heads and the FFN
  // width; pp at most the layers) or when the weights and activations leave no room for the KV cache.
  explicit ChipIterationModel(ChipModelOptions o);
  ~ChipIterationModel() override;

  const ReplicaInfo& info() const override { return info_; }
  StepCost step(const BatchComposition& batch) override;
  double kv_transfer_seconds(std::int64_t tokens) const override;
  double swap_seconds(std::int64_t tokens) const override;

  // The pieces (per chip, one layer), for tests and the docs.
  struct Piece {
    double seconds = 0, energy_j = 0, macs = 0;
  };
  Piece dense(std::int64_t tokens);
  Piece prefill_attention(std::int64_t tokens, std::int64_t cached);
  Piece decode_attention(std::int64_t sequences, std::int64_t mean_context);
  Piece head(std::int64_t rows);
  double allreduce_seconds(std::int64_t tokens) const;  // one all-reduce of the TP group
  double stage_send_seconds(std::int64_t tokens) const;  // the batch through the pp - 1 stage boundaries
  std::int64_t pieces_timed() const { return timed_; }  // distinct shapes run on the chip model

 private:
  struct Impl;
  Piece exact_dense(std::int64_t t);
  Piece exact_prefill(std::int64_t s, std::int64_t c);
  Piece exact_decode(std::int64_t b, std::int64_t c);
  Piece exact_head(std::int64_t n);

  ChipModelOptions o_;
  ReplicaInfo info_;
  std::unique_ptr<Impl> impl_;
  std::int64_t stage_layers_ = 0, heads_ = 0, kv_heads_ = 0, ffn_ = 0;
  DType dtype_ = DType::Bf16, act_ = DType::Bf16, kv_ = DType::Bf16;
  std::int64_t timed_ = 0;
};

}  // namespace npusim::serving
