// Full-size decoder-only LLMs: their shapes (LlmSpec, with the published figures they reproduce)
// and the graphs of their pieces on one chip of a tensor-, sequence- and expert-parallel group.
// The zoo builds whole models from these pieces with no parallelism; system/ builds one shard of
// one decoder block, of the embedding and of the LM head, so that every chip's work is the same
// graph the zoo's model is made of.
//
// A block, as Megatron-LM lays it out on a tensor-parallel group of t chips:
//   x [B, S/t or S, H] -> norm -> comm in -> attention (heads/t) -> comm out -> dropout -> + x
//                      -> norm -> comm in -> MLP (ffn/t) or experts -> comm out -> dropout -> + x
// comm in / out: identity / all-reduce (the f and g of Megatron's tensor parallelism), or with
// sequence parallelism all-gather / reduce-scatter along the sequence, so norms, dropouts and
// residuals run on S/t tokens. Key/value heads are split over the group (replicated when there
// are fewer than t). Experts: tokens are gathered per expert (top-k, balanced routing), sent to
// the chip holding their expert with an all-to-all over the expert-parallel group, computed,
// sent back, and added into their token's row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "workloads/graph.h"
#include "workloads/zoo.h"

namespace npusim::workloads {

enum class PositionKind : std::uint8_t {
  Learned,  // a position-embedding table added to the token embeddings (GPT-3, Megatron)
  Rope,     // rotary embeddings applied to Q and K (Llama, Mixtral)
  Alibi,    // a per-head linear bias fused into the softmax (BLOOM)
};

struct LlmSpec {
  std::string name;
  std::string source;  // where the shape and the published parameter count come from
  std::int64_t layers = 0, hidden = 0, heads = 0;
  std::int64_t kv_heads = 0;  // 0 = heads (multi-head attention)
  std::int64_t ffn = 0;       // MLP inner width (per expert for MoE)
  std::int64_t vocab = 0;
  std::int64_t seq = 2048;    // default sequence length (training context)
  PositionKind positions = PositionKind::Learned;
  bool gated = false;         // SwiGLU (three matrices, no biases) instead of a GeLU MLP
  NormFn norm = NormFn::LayerNorm;
  bool bias = true;           // biases on the linear layers
  bool tied = true;           // LM head shares the token-embedding table
  bool embed_norm = false;    // a LayerNorm right after the token embedding (BLOOM)
  bool dropout = false;       // hidden and attention dropout (Megatron's GPT training)
  std::int64_t experts = 0, top_k = 0;  // mixture of experts (0 = dense)
  double published_params = 0;          // the source's figure (tests compare the graph's count)

  std::int64_t head_dim() const { return hidden / heads; }
  std::int64_t kv() const { return kv_heads > 0 ? kv_heads : heads; }
  bool moe() const { return experts > 0; }
};

// The named full-size LLMs (gpt3-175b, llama2-7b, ...).
std::span<const LlmSpec> llm_specs();
const LlmSpec* find_llm(std::string_view name);
// "gpt:layers=L,hidden=H,heads=A,seq=S[,ffn=F][,vocab=V]": a GPT as Megatron-LM builds it (ffn
// 4 x hidden, vocabulary 51200, learned positions, GeLU, LayerNorm, biases, tied embeddings,
// dropout). Throws Error naming the field and the value.
LlmSpec parse_gpt_spec(std::string_view spec);
// A named LLM or a gpt: spec; nullopt when `spec` is neither.
std::optional<LlmSpec> resolve_llm(std::string_view spec);

// How the model is split over chips, from one chip's point of view.
struct LlmShard {
  std::int32_t tp = 1;             // tensor-parallel group
  bool sequence_parallel = false;  // norms, dropouts and residuals on S/tp tokens
  std::int32_t ep = 1;             // expert-parallel group (MoE)
};

// What one pass computes: `tokens` new tokens of each of `batch` sequences, after `cached`
// tokens already in the KV cache (decode), or a whole sequence (training, prefill).
struct LlmPass {
  std::int64_t batch = 1;
  std::int64_t tokens = 2048;
  std::int64_t cached = 0;
  bool all_logits = true;  // logits and loss for every token (training); else the last token's only
  // false: blocks without the attention core (scores, softmax, context), which
  // llm_attention_graph times on its own (per request of a ragged batch).
  bool attention_core = true;
};

// Throws Error naming the key and the value when the shard does not divide the model: tp must
// divide heads and ffn (and with sequence parallelism the tokens), ep the experts.
void check_shard(const LlmSpec& m, const LlmPass& pass, const LlmShard& s);

// Vocabulary rows on each of tp chips: the vocabulary padded up to a multiple of tp (as
// Megatron-LM pads it), then split.
std::int64_t vocab_shard(const LlmSpec& m, std::int32_t tp);

// One decoder block's shard: x [B, S_local, H] -> [B, S_local, H].
TensorId decoder_block(Graph& g, const std::string& prefix, TensorId x, const LlmSpec& m, const LlmPass& pass,
                       const LlmShard& s);

// The graphs system/ times: `layers` consecutive blocks from an input of hidden states; the
// embedding (token ids to hidden states); the head (final norm, LM head, loss on every token or
// the last token's logits).
Graph llm_blocks_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype, std::int64_t layers = 1);
Graph llm_embed_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype);
Graph llm_head_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype);

// The attention core of one block's shard alone: Q of `pass.tokens` new tokens of `pass.batch`
// sequences against their keys and values (the `pass.cached` in the KV cache and the new ones):
// scores, softmax, context.
Graph llm_attention_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype);

// The whole model on one chip (the zoo's graph): a training forward pass over `params.seq`
// tokens (the spec's default when 0) of `params.batch` sequences, logits and loss for every token.
Graph llm_graph(const LlmSpec& m, const ModelParams& params);

}  // namespace npusim::workloads
