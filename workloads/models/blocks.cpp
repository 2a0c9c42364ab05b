#include "workloads/models/blocks.h"

namespace npusim::workloads::models {

namespace {

// [B, S, H*D] -> [B, H, S, D]
TensorId split_heads(Graph& g, const std::string& p, TensorId x, const AttnShape& a, std::int64_t heads) {
  x = g.reshape(p + ".split", x, {a.batch, a.tokens, heads, a.hd()});
  return g.transpose(p + ".heads", x, {0, 2, 1, 3});
}

// RoPE (HF Llama): out = x * cos + rotate_half(x) * sin. rotate_half (swap the two halves of
// head_dim, negate one) is a fixed permutation folded into the second Mul's operand access.
TensorId apply_rope(Graph& g, const std::string& p, TensorId x, const Rope& r) {
  TensorId c = g.eltwise(p + ".cos", EltFn::Mul, x, r.cos);
  TensorId s = g.eltwise(p + ".sin", EltFn::Mul, x, r.sin);
  return g.eltwise(p, EltFn::Add, c, s);
}

}  // namespace

TensorId dropout(Graph& g, const std::string& name, TensorId x) {
  const Shape shape = g.tensor(x).shape;
  return g.eltwise(name, EltFn::Mul, x, g.random(name + ".mask", shape, DType::Int8));
}

TensorId attention(Graph& g, const std::string& p, TensorId x, const AttnShape& a, const Rope* rope) {
  const std::int64_t hd = a.hd(), kv = a.kv();
  TensorId q = split_heads(g, p + ".q", g.matmul(p + ".q", x, a.heads * hd, a.bias), a, a.heads);
  TensorId k = split_heads(g, p + ".k", g.matmul(p + ".k", x, kv * hd, a.bias), a, kv);
  TensorId v = split_heads(g, p + ".v", g.matmul(p + ".v", x, kv * hd, a.bias), a, kv);
  if (rope) {
    q = apply_rope(g, p + ".q.rope", q, *rope);
    k = apply_rope(g, p + ".k.rope", k, *rope);
  }
  TensorId o = a.core ? attention_core(g, p, q, k, v, a)
                      : g.reshape(p + ".context.merge", g.transpose(p + ".context.tokens", q, {0, 2, 1, 3}),
                                  {a.batch, a.tokens, a.heads * hd});
  return g.matmul(p + ".out", o, a.hidden, a.bias);
}

TensorId attention_core(Graph& g, const std::string& p, TensorId q, TensorId k, TensorId v, const AttnShape& a) {
  const std::int64_t hd = a.hd(), kv = a.kv(), group = a.heads / kv;
  if (a.cached > 0) {
    const Shape cache{a.batch, kv, a.cached, hd};
    k = g.concat(p + ".k.append", {g.kv_cache(p + ".k_cache", cache), k}, 2);
    v = g.concat(p + ".v.append", {g.kv_cache(p + ".v_cache", cache), v}, 2);
  }
  if (group > 1) q = g.reshape(p + ".q.group", q, {a.batch, kv, group * a.tokens, hd});
  TensorId s = g.batched_matmul(p + ".scores", q, k, /*transpose_b=*/true);  // [B, KV, g*S, S_kv]
  s = g.softmax(p + ".softmax", s);
  if (a.dropout) s = dropout(g, p + ".dropout", s);
  TensorId o = g.batched_matmul(p + ".context", s, v);  // [B, KV, g*S, D]
  if (group > 1) o = g.reshape(p + ".context.ungroup", o, {a.batch, a.heads, a.tokens, hd});
  o = g.transpose(p + ".context.tokens", o, {0, 2, 1, 3});
  return g.reshape(p + ".context.merge", o, {a.batch, a.tokens, a.heads * hd});
}

TensorId gelu_mlp(Graph& g, const std::string& p, TensorId x, std::int64_t hidden, std::int64_t ffn, bool bias) {
  x = g.matmul(p + ".fc1", x, ffn, bias);
  x = g.eltwise(p + ".gelu", EltFn::Gelu, x);
  return g.matmul(p + ".fc2", x, hidden, bias);
}

TensorId swiglu_mlp(Graph& g, const std::string& p, TensorId x, std::int64_t hidden, std::int64_t ffn) {
  TensorId gate = g.matmul(p + ".gate", x, ffn);
  TensorId up = g.matmul(p + ".up", x, ffn);
  gate = g.eltwise(p + ".silu", EltFn::Silu, gate);
  TensorId h = g.eltwise(p + ".mul", EltFn::Mul, gate, up);
  return g.matmul(p + ".down", h, hidden);
}

TensorId select_token(Graph& g, const std::string& name, TensorId x, std::int64_t batch, std::int64_t tokens) {
  TensorId onehot = g.input(name + ".onehot", {batch, 1, tokens});
  return g.batched_matmul(name, onehot, x);
}

}  // namespace npusim::workloads::models
