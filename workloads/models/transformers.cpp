// Transformer models: BERT-base, GPT-2 small (prefill and KV-cached decode), one Llama-7B
// decoder layer (prefill and decode) and ViT-B/16.
//
// Modelling conventions shared by all of them:
//  - Q, K and V are three separate projections (GPT-2's fused c_attn has the same parameters:
//    768x2304 + 2304 = 3 x (768x768 + 768)); the graph IR has no slice op to split a fused one.
//  - Heads: reshape [B, S, H*D] -> [B, S, H, D] then transpose -> [B, H, S, D]; scores are
//    Q.K^T as a batched matmul with transpose_b (no separate K transpose), then softmax, then
//    P.V, transpose back and merge the heads.
//  - The 1/sqrt(head_dim) scaling and the attention / causal mask are fused into the softmax
//    (as inference kernels do) and emit no op of their own.
//  - Picking one token out of a sequence (BERT's [CLS] for the pooler, ViT's class token for
//    the head, GPT-2's last token for the LM head) is a gather the IR has no op for; it is
//    modelled as a batched matmul of a one-hot selector input [B, 1, S] with the hidden states
//    [B, S, D] -> [B, 1, D], which costs S*D MACs per sequence (0.1% of the model or less) and
//    keeps the big heads from being applied to every token.
//  - Token ids are Int32 inputs; position ids index the position table once per sequence
//    ([S] ids -> [S, D], broadcast over the batch by the Add).
#include <fmt/format.h>

#include <string>

#include "base/error.h"
#include "workloads/models/blocks.h"
#include "workloads/models/models.h"

namespace npusim::workloads::models {
namespace {

// Pre-LN encoder/decoder block (GPT-2, ViT): x + attn(ln1(x)), then x + mlp(ln2(x)).
TensorId pre_ln_block(Graph& g, const std::string& p, TensorId x, const AttnShape& a, std::int64_t ffn) {
  TensorId h = g.norm(p + ".ln1", NormFn::LayerNorm, x);
  h = attention(g, p + ".attn", h, a, nullptr);
  x = g.eltwise(p + ".attn.residual", EltFn::Add, x, h);
  h = g.norm(p + ".ln2", NormFn::LayerNorm, x);
  h = gelu_mlp(g, p + ".mlp", h, a.hidden, ffn);
  return g.eltwise(p + ".mlp.residual", EltFn::Add, x, h);
}

void check_max_seq(std::string_view model, std::int64_t seq, std::int64_t max_positions) {
  if (seq > max_positions)
    throw Error(fmt::format("model {}: seq must be <= {} (the position table), got {}", model, max_positions, seq));
}

// ---- GPT-2 small ----
constexpr std::int64_t kGpt2Vocab = 50257, kGpt2Positions = 1024, kGpt2Hidden = 768, kGpt2Heads = 12,
                       kGpt2Layers = 12, kGpt2Ffn = 3072;

// tokens: query tokens of this pass; cached: KV-cache length (0 for prefill).
Graph gpt2(const std::string& name, const ModelParams& params, std::int64_t tokens, std::int64_t cached) {
  Graph g(name, params.dtype);
  const std::int64_t b = params.batch;
  TensorId wte = g.weight("wte", {kGpt2Vocab, kGpt2Hidden});
  TensorId ids = g.input("input_ids", {b, tokens}, DType::Int32);
  TensorId pos = g.input("position_ids", {tokens}, DType::Int32);
  TensorId x = g.embedding_with("embed.tokens", ids, wte);
  TensorId p = g.embedding("embed.positions", pos, kGpt2Positions, kGpt2Hidden);
  x = g.eltwise("embed.add", EltFn::Add, x, p);
  AttnShape a{b, tokens, cached, kGpt2Hidden, kGpt2Heads};
  for (std::int64_t i = 0; i < kGpt2Layers; ++i) x = pre_ln_block(g, fmt::format("layer{}", i), x, a, kGpt2Ffn);
  x = g.norm("ln_f", NormFn::LayerNorm, x);
  if (tokens > 1) x = select_token(g, "last_token", x, b, tokens);  // logits of the last token only
  // LM head tied to the token embedding: logits = h . wte^T (the weight is counted once).
  x = g.matmul_with("lm_head", x, wte, /*transpose_w=*/true);
  g.mark_output(x);
  return g;
}

// ---- Llama-7B decoder layer ----
constexpr std::int64_t kLlamaHidden = 4096, kLlamaHeads = 32, kLlamaFfn = 11008;

Graph llama_layer(const std::string& name, const ModelParams& params, std::int64_t tokens, std::int64_t cached) {
  Graph g(name, params.dtype);
  const std::int64_t b = params.batch;
  const std::int64_t head_dim = kLlamaHidden / kLlamaHeads;
  TensorId x = g.input("hidden_states", {b, tokens, kLlamaHidden});
  // cos/sin of the positions of this pass's tokens (precomputed tables, not parameters).
  Rope rope{g.input("rope.cos", {tokens, head_dim}), g.input("rope.sin", {tokens, head_dim})};
  AttnShape a{b, tokens, cached, kLlamaHidden, kLlamaHeads};
  a.bias = false;
  const std::string p = "layer0";
  TensorId h = g.norm(p + ".attn_norm", NormFn::RmsNorm, x);
  h = attention(g, p + ".attn", h, a, &rope);
  x = g.eltwise(p + ".attn.residual", EltFn::Add, x, h);
  h = g.norm(p + ".ffn_norm", NormFn::RmsNorm, x);
  h = swiglu_mlp(g, p + ".mlp", h, kLlamaHidden, kLlamaFfn);
  x = g.eltwise(p + ".mlp.residual", EltFn::Add, x, h);
  g.mark_output(x);
  return g;
}

}  // namespace

Graph bert_base(const ModelParams& params) {
  const std::int64_t s = check_params("bert-base", params, kBertDefaultSeq);
  check_max_seq("bert-base", s, 512);
  constexpr std::int64_t kHidden = 768, kHeads = 12, kLayers = 12, kFfn = 3072;
  Graph g("bert-base", params.dtype);
  const std::int64_t b = params.batch;
  TensorId ids = g.input("input_ids", {b, s}, DType::Int32);
  TensorId types = g.input("token_type_ids", {b, s}, DType::Int32);
  TensorId pos = g.input("position_ids", {s}, DType::Int32);
  TensorId x = g.embedding("embed.tokens", ids, 30522, kHidden);
  TensorId t = g.embedding("embed.token_types", types, 2, kHidden);
  TensorId p = g.embedding("embed.positions", pos, 512, kHidden);
  x = g.eltwise("embed.add_types", EltFn::Add, x, t);
  x = g.eltwise("embed.add_positions", EltFn::Add, x, p);
  x = g.norm("embed.ln", NormFn::LayerNorm, x);
  AttnShape a{b, s, 0, kHidden, kHeads};
  for (std::int64_t i = 0; i < kLayers; ++i) {  // post-LN encoder layers
    const std::string l = fmt::format("layer{}", i);
    TensorId h = attention(g, l + ".attn", x, a, nullptr);
    x = g.eltwise(l + ".attn.residual", EltFn::Add, x, h);
    x = g.norm(l + ".attn.ln", NormFn::LayerNorm, x);
    h = gelu_mlp(g, l + ".mlp", x, kHidden, kFfn);
    x = g.eltwise(l + ".mlp.residual", EltFn::Add, x, h);
    x = g.norm(l + ".mlp.ln", NormFn::LayerNorm, x);
  }
  g.mark_output(x);  // sequence output
  // Pooler: dense 768x768 (+ bias) on the [CLS] token; its tanh is not modelled.
  TensorId cls = select_token(g, "pooler.cls", x, b, s);
  g.mark_output(g.matmul("pooler.dense", cls, kHidden, /*bias=*/true));
  return g;
}

Graph gpt2_prefill(const ModelParams& params) {
  const std::int64_t s = check_params("gpt2-prefill", params, kGpt2DefaultSeq);
  check_max_seq("gpt2-prefill", s, kGpt2Positions);
  return gpt2("gpt2-prefill", params, s, 0);
}

Graph gpt2_decode(const ModelParams& params) {
  // One new token per sequence after `seq` cached tokens. The position table is not checked
  // against seq + 1 here: the default context (1024) is the table's size, as in the zoo's spec.
  const std::int64_t ctx = check_params("gpt2-decode", params, kGpt2DefaultSeq);
  return gpt2("gpt2-decode", params, 1, ctx);
}

Graph llama7b_layer_prefill(const ModelParams& params) {
  const std::int64_t s = check_params("llama7b-layer-prefill", params, kLlamaDefaultSeq);
  return llama_layer("llama7b-layer-prefill", params, s, 0);
}

Graph llama7b_layer_decode(const ModelParams& params) {
  const std::int64_t ctx = check_params("llama7b-layer-decode", params, kLlamaDefaultSeq);
  return llama_layer("llama7b-layer-decode", params, 1, ctx);
}

Graph vit_b16(const ModelParams& params) {
  check_params("vit-b16", params);
  constexpr std::int64_t kHidden = 768, kHeads = 12, kLayers = 12, kFfn = 3072, kPatches = 14 * 14;
  constexpr std::int64_t kTokens = kPatches + 1;
  Graph g("vit-b16", params.dtype);
  const std::int64_t b = params.batch;
  TensorId x = g.input("image", {b, 3, 224, 224});
  Graph::ConvSpec patch;
  patch.out_channels = kHidden;
  patch.kh = patch.kw = 16;
  patch.stride = 16;
  patch.bias = true;
  x = g.conv2d("patch_embed", x, patch);                                // [B, 768, 14, 14]
  x = g.reshape("patch_embed.flatten", x, {b, kHidden, kPatches});      // [B, 768, 196]
  x = g.transpose("patch_embed.tokens", x, {0, 2, 1});                  // [B, 196, 768]
  // The learned class token [1, 768] is broadcast over the batch by an index-0 lookup.
  TensorId cls_table = g.weight("cls_token", {1, kHidden});
  TensorId cls = g.embedding_with("cls_token.expand", g.input("cls_index", {b, 1}, DType::Int32), cls_table);
  x = g.concat("tokens", {cls, x}, 1);  // [B, 197, 768]
  x = g.eltwise("pos_embed.add", EltFn::Add, x, g.weight("pos_embed", {kTokens, kHidden}));
  AttnShape a{b, kTokens, 0, kHidden, kHeads};
  for (std::int64_t i = 0; i < kLayers; ++i) x = pre_ln_block(g, fmt::format("layer{}", i), x, a, kFfn);
  x = g.norm("norm", NormFn::LayerNorm, x);
  x = select_token(g, "cls_select", x, b, kTokens);
  x = g.matmul("head", x, 1000, /*bias=*/true);  // [B, 1, 1000]
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
