#include "workloads/models/llm.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <vector>

#include "base/error.h"
#include "workloads/models/blocks.h"
#include "workloads/models/models.h"

namespace npusim::workloads {

using models::AttnShape;
using models::Rope;

namespace {

std::vector<LlmSpec> make_specs() {
  std::vector<LlmSpec> v;
  auto add = [&v](LlmSpec s) { v.push_back(std::move(s)); };
  // GPT-3-style: learned positions, GeLU, LayerNorm, biases, tied embeddings, trained with dropout.
  auto gpt = [&add](std::string name, std::string source, std::int64_t layers, std::int64_t hidden, std::int64_t heads,
                    std::int64_t vocab, std::int64_t seq, double published) {
    LlmSpec s;
    s.name = std::move(name);
    s.source = std::move(source);
    s.layers = layers, s.hidden = hidden, s.heads = heads, s.ffn = 4 * hidden, s.vocab = vocab, s.seq = seq;
    s.dropout = true;
    s.published_params = published;
    add(s);
  };
  gpt("gpt3-175b",
      "Brown et al. 2020 (GPT-3), Table 2.1: 96 layers, d_model 12288, 96 heads, context 2048, 175.0 B parameters; "
      "GPT-2 BPE vocabulary 50257; learned positions, tied embeddings",
      96, 12288, 96, 50257, 2048, 175.0e9);
  auto llama = [&add](std::string name, std::string source, std::int64_t layers, std::int64_t hidden,
                      std::int64_t heads, std::int64_t kv, std::int64_t ffn, std::int64_t vocab, std::int64_t seq,
                      double published) {
    LlmSpec s;
    s.name = std::move(name);
    s.source = std::move(source);
    s.layers = layers, s.hidden = hidden, s.heads = heads, s.kv_heads = kv, s.ffn = ffn, s.vocab = vocab, s.seq = seq;
    s.positions = PositionKind::Rope, s.gated = true, s.norm = NormFn::RmsNorm, s.bias = false, s.tied = false;
    s.published_params = published;
    add(s);
  };
  const std::string l2 = "Touvron et al. 2023 (Llama 2), Table 1 and the released configuration: ";
  llama("llama2-7b", l2 + "32 layers, 4096 hidden, 32 heads, FFN 11008, vocabulary 32000, context 4096; 6.74 B",
        32, 4096, 32, 0, 11008, 32000, 4096, 6.74e9);
  llama("llama2-13b", l2 + "40 layers, 5120 hidden, 40 heads, FFN 13824, vocabulary 32000, context 4096; 13.0 B",
        40, 5120, 40, 0, 13824, 32000, 4096, 13.0e9);
  llama("llama2-70b",
        l2 + "80 layers, 8192 hidden, 64 heads, 8 key/value heads (GQA), FFN 28672, vocabulary 32000, context 4096; "
             "69.0 B",
        80, 8192, 64, 8, 28672, 32000, 4096, 69.0e9);
  const std::string l3 = "Llama Team 2024 (The Llama 3 Herd of Models), Table 3; vocabulary 128256: ";
  llama("llama3-8b", l3 + "32 layers, 4096 hidden, 32 heads, 8 key/value heads, FFN 14336; 8.03 B", 32, 4096, 32, 8,
        14336, 128256, 8192, 8.03e9);
  llama("llama3-70b", l3 + "80 layers, 8192 hidden, 64 heads, 8 key/value heads, FFN 28672; 70.6 B", 80, 8192, 64, 8,
        28672, 128256, 8192, 70.6e9);
  llama("llama3-405b", l3 + "126 layers, 16384 hidden, 128 heads, 8 key/value heads, FFN 53248; 405 B", 126, 16384,
        128, 8, 53248, 128256, 8192, 405.0e9);
  gpt("mtnlg-530b",
      "Smith et al. 2022 (Megatron-Turing NLG 530B), Section 3: 105 layers, hidden 20480, 128 heads, sequence 2048, "
      "GPT-2 tokenizer (vocabulary 50257); 530 B parameters",
      105, 20480, 128, 50257, 2048, 530.0e9);
  {
    LlmSpec s;
    s.name = "bloom-176b";
    s.source = "BigScience 2022 (BLOOM), Table 1: 70 layers, hidden 14336, 112 heads, vocabulary 250680 padded to "
               "250880, sequence 2048, ALiBi, LayerNorm after the embedding; 176 B (176,247,271,424)";
    s.layers = 70, s.hidden = 14336, s.heads = 112, s.ffn = 4 * 14336, s.vocab = 250880, s.seq = 2048;
    s.positions = PositionKind::Alibi, s.embed_norm = true;
    s.published_params = 176.247271424e9;
    add(s);
  }
  {
    LlmSpec s;
    s.name = "mixtral-8x7b";
    s.source = "Jiang et al. 2024 (Mixtral of Experts), Table 1: 32 layers, dim 4096, 32 heads, 8 key/value heads, "
               "FFN 14336, 8 experts, top-2, vocabulary 32000; 46.7 B parameters (12.9 B active)";
    s.layers = 32, s.hidden = 4096, s.heads = 32, s.kv_heads = 8, s.ffn = 14336, s.vocab = 32000, s.seq = 4096;
    s.positions = PositionKind::Rope, s.gated = true, s.norm = NormFn::RmsNorm, s.bias = false, s.tied = false;
    s.experts = 8, s.top_k = 2;
    s.published_params = 46.7e9;
    add(s);
  }
  return v;
}

struct Ctx {
  Graph& g;
  const LlmSpec& m;
  const LlmPass& pass;
  const LlmShard& s;
  std::int64_t tokens_local() const { return s.sequence_parallel ? pass.tokens / s.tp : pass.tokens; }
};

// The tensor-parallel collective around a parallel region: in (identity or all-gather) and out
// (all-reduce or reduce-scatter), along the sequence axis 1 of [B, S, H].
TensorId comm_in(const Ctx& c, const std::string& name, TensorId x) {
  if (c.s.tp == 1) return x;
  return c.g.comm(name, c.s.sequence_parallel ? CommKind::AllGather : CommKind::Identity, CommGroup::Tensor, c.s.tp, x, 1);
}
TensorId comm_out(const Ctx& c, const std::string& name, TensorId x) {
  if (c.s.tp == 1) return x;
  return c.g.comm(name, c.s.sequence_parallel ? CommKind::ReduceScatter : CommKind::AllReduce, CommGroup::Tensor, c.s.tp,
                  x, 1);
}

TensorId ffn_of(const Ctx& c, const std::string& p, TensorId x, std::int64_t ffn_local) {
  return c.m.gated ? models::swiglu_mlp(c.g, p, x, c.m.hidden, ffn_local)
                   : models::gelu_mlp(c.g, p, x, c.m.hidden, ffn_local, c.m.bias);
}

// Experts: x [B, S, H] (every token this chip routes) -> [B, S, H].
TensorId experts(const Ctx& c, const std::string& p, TensorId x) {
  Graph& g = c.g;
  const Shape shape = g.tensor(x).shape;
  const std::int64_t T = shape[0] * shape[1], H = c.m.hidden, k = c.m.top_k;
  TensorId x2 = g.reshape(p + ".tokens", x, {T, H});
  // The router's probabilities choose the experts; their weighting of the expert outputs is not
  // modelled, so the router gets no gradient (its backward is T x H x E MACs, under 0.1%).
  g.softmax(p + ".router.softmax", g.matmul(p + ".router", x2, c.m.experts));
  TensorId disp = g.embedding_with(p + ".dispatch", g.input(p + ".dispatch.ids", {T * k}, DType::Int32), x2);
  if (c.s.ep > 1) disp = g.comm(p + ".dispatch.a2a", CommKind::AllToAll, CommGroup::Expert, c.s.ep, disp, 0);
  // Balanced routing: this chip's experts share the T * k rows it receives.
  const std::int64_t local = c.m.experts / c.s.ep;
  std::vector<TensorId> outs;
  for (std::int64_t j = 0; j < local; ++j) {
    const std::int64_t rows = T * k / local + (j < T * k % local ? 1 : 0);
    const std::string e = fmt::format("{}.expert{}", p, j);
    TensorId xe = g.embedding_with(e + ".gather", g.input(e + ".ids", {rows}, DType::Int32), disp);
    outs.push_back(ffn_of(c, e, xe, c.m.ffn / c.s.tp));
  }
  TensorId y = outs.size() == 1 ? outs.front() : g.concat(p + ".experts", outs, 0);
  if (c.s.ep > 1) y = g.comm(p + ".combine.a2a", CommKind::AllToAll, CommGroup::Expert, c.s.ep, y, 0);
  y = g.scatter_add(p + ".combine", g.input(p + ".combine.ids", {T * k}, DType::Int32), y, T);
  return g.reshape(p + ".untokens", y, shape);
}

TensorId block(const Ctx& c, const std::string& p, TensorId x, const Rope* rope) {
  Graph& g = c.g;
  const LlmSpec& m = c.m;
  AttnShape a;
  a.batch = c.pass.batch;
  a.tokens = c.pass.tokens;
  a.cached = c.pass.cached;
  a.hidden = m.hidden;
  a.heads = m.heads / c.s.tp;
  a.kv_heads = std::max<std::int64_t>(1, m.kv() / c.s.tp);
  a.head_dim = m.head_dim();
  a.bias = m.bias;
  a.dropout = m.dropout && c.pass.all_logits;  // training only
  a.core = c.pass.attention_core;
  const bool drop = m.dropout && c.pass.all_logits;

  TensorId h = g.norm(p + ".ln1", m.norm, x);
  h = comm_in(c, p + ".attn.in", h);
  h = models::attention(g, p + ".attn", h, a, rope);
  h = comm_out(c, p + ".attn.out.comm", h);
  if (drop) h = models::dropout(g, p + ".attn.out.dropout", h);
  x = g.eltwise(p + ".attn.residual", EltFn::Add, x, h);
  h = g.norm(p + ".ln2", m.norm, x);
  h = comm_in(c, p + ".mlp.in", h);
  h = m.moe() ? experts(c, p + ".moe", h) : ffn_of(c, p + ".mlp", h, m.ffn / c.s.tp);
  h = comm_out(c, p + ".mlp.out.comm", h);
  if (drop) h = models::dropout(g, p + ".mlp.out.dropout", h);
  return g.eltwise(p + ".mlp.residual", EltFn::Add, x, h);
}

std::optional<Rope> rope_tables(Graph& g, const LlmSpec& m, const LlmPass& pass) {
  if (m.positions != PositionKind::Rope) return std::nullopt;
  return Rope{g.input("rope.cos", {pass.tokens, m.head_dim()}), g.input("rope.sin", {pass.tokens, m.head_dim()})};
}

// Token ids -> hidden states [B, S_local, H]; `table` receives the (vocabulary-parallel) table.
TensorId embed(const Ctx& c, TensorId& table) {
  Graph& g = c.g;
  const LlmSpec& m = c.m;
  table = g.weight("embed.tokens.table", {vocab_shard(m, c.s.tp), m.hidden});
  TensorId ids = g.input("input_ids", {c.pass.batch, c.pass.tokens}, DType::Int32);
  TensorId x = g.embedding_with("embed.tokens", ids, table);
  x = comm_out(c, "embed.comm", x);
  const std::int64_t s = c.tokens_local();
  if (m.positions == PositionKind::Learned) {
    // Positions index the table once per sequence ([S] ids -> [S, H], broadcast over the batch).
    TensorId pos = g.input("position_ids", {s}, DType::Int32);
    x = g.eltwise("embed.add_positions", EltFn::Add, x, g.embedding("embed.positions", pos, m.seq, m.hidden));
  }
  if (m.embed_norm) x = g.norm("embed.ln", NormFn::LayerNorm, x);
  if (m.dropout && c.pass.all_logits) x = models::dropout(g, "embed.dropout", x);
  return x;
}

// Hidden states -> final norm -> logits (and the loss's softmax) on this chip's vocabulary shard.
TensorId head(const Ctx& c, TensorId x, TensorId table) {
  Graph& g = c.g;
  const LlmSpec& m = c.m;
  x = g.norm("final.ln", m.norm, x);
  x = comm_in(c, "head.in", x);
  if (!c.pass.all_logits && c.pass.tokens > 1) x = models::select_token(g, "last_token", x, c.pass.batch, c.pass.tokens);
  const std::int64_t v = vocab_shard(m, c.s.tp);
  TensorId logits = table != kNoTensor ? g.matmul_with("lm_head", x, table, /*transpose_w=*/true)
                                       : g.matmul("lm_head", x, v);
  if (c.pass.all_logits) logits = g.softmax("loss.softmax", logits);  // cross-entropy's exponentials and sums
  return logits;
}

void check_pass(const LlmSpec& m, const LlmPass& pass) {
  if (pass.batch <= 0) throw Error(fmt::format("model {}: batch must be >= 1, got {}", m.name, pass.batch));
  if (pass.tokens <= 0) throw Error(fmt::format("model {}: tokens must be >= 1, got {}", m.name, pass.tokens));
  if (pass.cached < 0) throw Error(fmt::format("model {}: cached tokens must be >= 0, got {}", m.name, pass.cached));
}

}  // namespace

std::span<const LlmSpec> llm_specs() {
  static const std::vector<LlmSpec> specs = make_specs();
  return specs;
}

const LlmSpec* find_llm(std::string_view name) {
  for (const LlmSpec& s : llm_specs())
    if (s.name == name) return &s;
  return nullptr;
}

LlmSpec parse_gpt_spec(std::string_view spec) {
  if (!spec.starts_with("gpt:")) throw Error(fmt::format("--model {}: not a gpt: spec", spec));
  std::map<std::string, std::int64_t> v;
  std::string_view body = spec.substr(4);
  const char* known[] = {"layers", "hidden", "heads", "seq", "ffn", "vocab"};
  while (!body.empty()) {
    const std::size_t comma = body.find(',');
    const std::string_view field = body.substr(0, comma);
    body = comma == std::string_view::npos ? std::string_view{} : body.substr(comma + 1);
    const std::size_t eq = field.find('=');
    const std::string key(field.substr(0, eq));
    if (eq == std::string_view::npos || std::find(std::begin(known), std::end(known), key) == std::end(known))
      throw Error(fmt::format("--model {}: '{}' is not one of layers=, hidden=, heads=, seq=, ffn=, vocab=", spec, field));
    const std::string_view val = field.substr(eq + 1);
    std::int64_t x = 0;
    const auto [end, ec] = std::from_chars(val.data(), val.data() + val.size(), x);
    if (val.empty() || ec != std::errc{} || end != val.data() + val.size() || x <= 0)
      throw Error(fmt::format("--model {}: {} must be a positive integer, got '{}'", spec, key, val));
    if (v.count(key)) throw Error(fmt::format("--model {}: {} given twice", spec, key));
    v[key] = x;
  }
  for (const char* k : {"layers", "hidden", "heads", "seq"})
    if (!v.count(k)) throw Error(fmt::format("--model {}: {}= is required (gpt:layers=L,hidden=H,heads=A,seq=S[,ffn=F][,vocab=V])", spec, k));
  LlmSpec s;
  s.name = std::string(spec);
  s.source = "Megatron-LM's GPT (ffn 4 x hidden, vocabulary 51200, learned positions, GeLU, LayerNorm, biases, tied "
             "embeddings, dropout)";
  s.layers = v["layers"], s.hidden = v["hidden"], s.heads = v["heads"], s.seq = v["seq"];
  s.ffn = v.count("ffn") ? v["ffn"] : 4 * s.hidden;
  s.vocab = v.count("vocab") ? v["vocab"] : 51200;
  s.dropout = true;
  if (s.hidden % s.heads != 0)
    throw Error(fmt::format("--model {}: heads={} must divide hidden={}", spec, s.heads, s.hidden));
  return s;
}

std::optional<LlmSpec> resolve_llm(std::string_view spec) {
  if (const LlmSpec* s = find_llm(spec)) return *s;
  if (spec.starts_with("gpt:")) return parse_gpt_spec(spec);
  return std::nullopt;
}

std::int64_t vocab_shard(const LlmSpec& m, std::int32_t tp) { return (m.vocab + tp - 1) / tp; }

void check_shard(const LlmSpec& m, const LlmPass& pass, const LlmShard& s) {
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw Error(what);
  };
  need(s.tp >= 1, fmt::format("--tp {}: must be >= 1", s.tp));
  need(s.ep >= 1, fmt::format("--ep {}: must be >= 1", s.ep));
  need(m.heads % s.tp == 0, fmt::format("--tp {}: must divide the {} attention heads of {}", s.tp, m.heads, m.name));
  need(m.kv() % s.tp == 0 || s.tp % m.kv() == 0,
       fmt::format("--tp {}: must divide, or be a multiple of, the {} key/value heads of {}", s.tp, m.kv(), m.name));
  need(m.ffn % s.tp == 0, fmt::format("--tp {}: must divide the FFN width {} of {}", s.tp, m.ffn, m.name));
  need(!s.sequence_parallel || pass.tokens % s.tp == 0,
       fmt::format("--tp {}: must divide the sequence length {} under sequence parallelism", s.tp, pass.tokens));
  need(!m.moe() ? s.ep == 1 : m.experts % s.ep == 0,
       m.moe() ? fmt::format("--ep {}: must divide the {} experts of {}", s.ep, m.experts, m.name)
               : fmt::format("--ep {}: {} has no experts (expert parallelism needs a mixture-of-experts model)", s.ep,
                             m.name));
}

TensorId decoder_block(Graph& g, const std::string& prefix, TensorId x, const LlmSpec& m, const LlmPass& pass,
                       const LlmShard& s) {
  check_pass(m, pass);
  check_shard(m, pass, s);
  std::optional<Rope> r = rope_tables(g, m, pass);
  return block(Ctx{g, m, pass, s}, prefix, x, r ? &*r : nullptr);
}

Graph llm_blocks_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype, std::int64_t layers) {
  check_pass(m, pass);
  check_shard(m, pass, s);
  Graph g(fmt::format("{}-block{}", m.name, layers > 1 ? fmt::format("x{}", layers) : ""), dtype);
  Ctx c{g, m, pass, s};
  TensorId x = g.input("hidden_states", {pass.batch, c.tokens_local(), m.hidden});
  std::optional<Rope> r = rope_tables(g, m, pass);
  for (std::int64_t i = 0; i < layers; ++i) x = block(c, fmt::format("layer{}", i), x, r ? &*r : nullptr);
  g.mark_output(x);
  return g;
}

Graph llm_embed_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype) {
  check_pass(m, pass);
  check_shard(m, pass, s);
  Graph g(m.name + "-embed", dtype);
  TensorId table = kNoTensor;
  g.mark_output(embed(Ctx{g, m, pass, s}, table));
  return g;
}

Graph llm_head_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype) {
  check_pass(m, pass);
  check_shard(m, pass, s);
  Graph g(m.name + "-head", dtype);
  Ctx c{g, m, pass, s};
  TensorId x = g.input("hidden_states", {pass.batch, c.tokens_local(), m.hidden});
  // A tied head on the last pipeline stage keeps its own copy of the embedding table.
  TensorId table = m.tied ? g.weight("lm_head.table", {vocab_shard(m, s.tp), m.hidden}) : kNoTensor;
  g.mark_output(head(c, x, table));
  return g;
}

Graph llm_attention_graph(const LlmSpec& m, const LlmPass& pass, const LlmShard& s, DType dtype) {
  check_pass(m, pass);
  check_shard(m, pass, s);
  Graph g(m.name + "-attention", dtype);
  AttnShape a;
  a.batch = pass.batch, a.tokens = pass.tokens, a.cached = pass.cached, a.hidden = m.hidden;
  a.heads = m.heads / s.tp;
  a.kv_heads = std::max<std::int64_t>(1, m.kv() / s.tp);
  a.head_dim = m.head_dim();
  TensorId q = g.input("q", {pass.batch, a.heads, pass.tokens, a.head_dim});
  TensorId k = g.input("k", {pass.batch, a.kv_heads, pass.tokens, a.head_dim});
  TensorId v = g.input("v", {pass.batch, a.kv_heads, pass.tokens, a.head_dim});
  g.mark_output(models::attention_core(g, "attn", q, k, v, a));
  return g;
}

Graph llm_graph(const LlmSpec& m, const ModelParams& params) {
  const std::int64_t seq = models::check_params(m.name, params, m.seq);
  LlmPass pass;
  pass.batch = params.batch;
  pass.tokens = seq;
  check_pass(m, pass);
  // One sequence: its positions must be in the table (a batch of many sequences, as system/
  // builds for serving, looks up each token's own position).
  if (m.positions == PositionKind::Learned && seq > m.seq)
    throw Error(fmt::format("model {}: seq must be <= {} (the position table), got {}", m.name, m.seq, seq));
  const LlmShard s;
  Graph g(m.name, params.dtype);
  Ctx c{g, m, pass, s};
  TensorId table = kNoTensor;
  TensorId x = embed(c, table);
  std::optional<Rope> r = rope_tables(g, m, pass);
  for (std::int64_t i = 0; i < m.layers; ++i) x = block(c, fmt::format("layer{}", i), x, r ? &*r : nullptr);
  g.mark_output(head(c, x, m.tied ? table : kNoTensor));
  return g;
}

}  // namespace npusim::workloads
