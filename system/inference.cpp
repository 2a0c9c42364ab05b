#include "system/inference.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::system {

using workloads::LlmPass;

std::int64_t BatchComposition::tokens() const {
  std::int64_t t = static_cast<std::int64_t>(decodes.size());
  for (const PrefillChunk& p : prefills) t += p.tokens;
  return t;
}

namespace {

std::int64_t bucket(std::int64_t x, std::int64_t q) { return q <= 1 ? x : ceil_div(x, q) * q; }

CollectiveKind collective_of(workloads::CommKind k) {
  switch (k) {
    case workloads::CommKind::AllReduce: return CollectiveKind::AllReduce;
    case workloads::CommKind::AllGather: return CollectiveKind::AllGather;
    case workloads::CommKind::ReduceScatter: return CollectiveKind::ReduceScatter;
    case workloads::CommKind::AllToAll: return CollectiveKind::AllToAll;
    case workloads::CommKind::Identity: break;
  }
  return CollectiveKind::AllReduce;
}

}  // namespace

InferenceGroup::InferenceGroup(SystemConfigPtr system, workloads::LlmSpec model, InferencePlan plan, InferenceOptions opt)
    : system_(std::move(system)),
      model_(std::move(model)),
      plan_(plan),
      opt_(opt),
      layout_{plan.tp, 1, plan.pp, plan.placement, plan.first_chip},
      net_(*system_),
      comm_(net_),
      chip_(system_->arch, plan.engine) {
  if (plan_.pp < 1) throw Error(fmt::format("--pp {}: must be >= 1", plan_.pp));
  if (model_.layers % plan_.pp != 0)
    throw Error(fmt::format("--pp {}: must divide the {} layers of {}", plan_.pp, model_.layers, model_.name));
  shard_.tp = plan_.tp;
  workloads::check_shard(model_, LlmPass{1, 1, 0, false, true}, shard_);
  if (plan_.first_chip < 0 || plan_.first_chip + chips() > system_->chips())
    throw Error(fmt::format("--tp {} --pp {}: the replica needs chips [{}, {}), system '{}' has {}", plan_.tp, plan_.pp,
                            plan_.first_chip, plan_.first_chip + chips(), system_->name, system_->chips()));
  if (opt_.token_bucket < 1 || opt_.context_bucket < 1 || opt_.max_tokens < 1)
    throw Error("inference options: buckets and max_tokens must be >= 1");
}

std::int64_t InferenceGroup::layers_of(std::int32_t) const { return model_.layers / plan_.pp; }

double InferenceGroup::comm(const std::vector<CommOp>& ops, std::int32_t stage) {
  double t = 0;
  for (const CommOp& op : ops) {
    if (op.group != workloads::CommGroup::Tensor) continue;  // no expert parallelism in a replica here
    t += comm_.time(collective_of(op.kind), plan_.algorithm, layout_.tensor_groups(stage), op.bytes).seconds;
  }
  return t;
}

InferenceGroup::StageCost InferenceGroup::stage(std::int32_t p, const BatchComposition& b, std::int64_t T) {
  StageCost c;
  const DType dt = chip_.dtype();
  const double L = double(layers_of(p));
  const workloads::LlmShard shard = shard_;
  const workloads::LlmSpec& m = model_;
  // Projections, MLP and norms on all T tokens.
  const GraphWork& dense = chip_.forward(fmt::format("dense|{}", T), [&] {
    LlmPass pass{1, T, 0, false, false};
    return workloads::llm_blocks_graph(m, pass, shard, dt);
  });
  const PhaseWork& d = dense.of(workloads::Phase::Forward);
  c.compute += L * d.seconds;
  c.energy += L * d.energy_j;
  c.tp_comm += L * comm(d.comms, p);
  // The attention core: each prefill chunk, then every decoding request together.
  auto attend = [&](std::int64_t batch, std::int64_t q, std::int64_t cached) {
    const GraphWork& a = chip_.forward(fmt::format("attn|{}|{}|{}", batch, q, cached), [&] {
      return workloads::llm_attention_graph(m, LlmPass{batch, q, cached, false, true}, shard, dt);
    });
    c.attention += L * a.of(workloads::Phase::Forward).seconds;
    c.energy += L * a.of(workloads::Phase::Forward).energy_j;
  };
  for (const PrefillChunk& pc : b.prefills)
    if (pc.tokens > 0) attend(1, bucket(pc.tokens, opt_.token_bucket), pc.cached > 0 ? bucket(pc.cached, opt_.context_bucket) : 0);
  if (!b.decodes.empty()) {
    const double mean = std::accumulate(b.decodes.begin(), b.decodes.end(), 0.0) / double(b.decodes.size());
    attend(static_cast<std::int64_t>(b.decodes.size()), 1,
           bucket(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(mean))), opt_.context_bucket));
  }
  if (p == 0) {
    const GraphWork& e = chip_.forward(fmt::format("embed|{}", T), [&] {
      return workloads::llm_embed_graph(m, LlmPass{1, T, 0, false, true}, shard, dt);
    });
    c.compute += e.of(workloads::Phase::Forward).seconds;
    c.energy += e.of(workloads::Phase::Forward).energy_j;
    c.tp_comm += comm(e.of(workloads::Phase::Forward).comms, p);
  }
  if (p == plan_.pp - 1) {
    const std::int64_t requests = static_cast<std::int64_t>(b.prefills.size() + b.decodes.size());
    const GraphWork& h = chip_.forward(fmt::format("head|{}", requests), [&] {
      return workloads::llm_head_graph(m, LlmPass{requests, 1, 0, false, true}, shard, dt);
    });
    c.compute += h.of(workloads::Phase::Forward).seconds;
    c.energy += h.of(workloads::Phase::Forward).energy_j;
    c.tp_comm += comm(h.of(workloads::Phase::Forward).comms, p);
  }
  return c;
}

IterationTime InferenceGroup::iteration(const BatchComposition& b) {
  IterationTime it;
  it.tokens = b.tokens();
  if (it.tokens == 0) return it;
  for (const PrefillChunk& p : b.prefills)
    if (p.tokens < 0 || p.cached < 0) throw Error(fmt::format("prefill chunk of {} tokens after {}: negative", p.tokens, p.cached));
  for (std::int64_t c : b.decodes)
    if (c < 0) throw Error(fmt::format("decode context {}: negative", c));
  const std::int64_t T = bucket(it.tokens, opt_.token_bucket);
  double busy = 0;
  for (std::int32_t p = 0; p < plan_.pp; ++p) {
    const StageCost c = stage(p, b, T);
    const double st = c.compute + c.attention + c.tp_comm + c.ep_comm;
    it.compute_seconds += c.compute;
    it.attention_seconds += c.attention;
    it.tp_comm_seconds += c.tp_comm;
    it.ep_comm_seconds += c.ep_comm;
    it.energy_j += c.energy * plan_.tp;
    it.seconds += st;
    busy += (c.compute + c.attention) * plan_.tp;
    double send = 0;
    if (p + 1 < plan_.pp) {
      const double bytes = double(T) * double(model_.hidden) * double(bytes_of(chip_.dtype()));
      send = comm_.time(CollectiveKind::SendRecv, Algorithm::Direct, layout_.stage_pairs(p, p + 1), bytes).seconds;
      it.pp_comm_seconds += send;
      it.seconds += send;
    }
    it.stage_seconds = std::max(it.stage_seconds, st + send);
  }
  // Chips idle while the batch is on other stages (or communicating) still leak.
  it.energy_j += chip_.static_watts() * std::max(0.0, it.seconds * chips() - busy);
  return it;
}

IterationTime InferenceGroup::decode(std::int64_t batch, std::int64_t context) {
  BatchComposition b;
  b.decodes.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, batch)), context);
  return iteration(b);
}

KvCacheInfo InferenceGroup::kv_cache() const {
  KvCacheInfo k;
  const double bytes = double(bytes_of(chip_.dtype()));
  const std::int64_t kv_local = std::max<std::int64_t>(1, model_.kv() / plan_.tp);
  k.bytes_per_token = 2.0 * double(model_.layers / plan_.pp) * double(kv_local) * double(model_.head_dim()) * bytes;
  const LlmPass one{1, 1, 0, false, true};
  const double block = double(workloads::llm_blocks_graph(model_, one, shard_, chip_.dtype()).total_params()) * bytes;
  const double embed = double(workloads::llm_embed_graph(model_, one, shard_, chip_.dtype()).total_params()) * bytes;
  const double head = double(workloads::llm_head_graph(model_, one, shard_, chip_.dtype()).total_params()) * bytes;
  const double layers = double(model_.layers / plan_.pp);
  k.weight_bytes = layers * block + (plan_.pp == 1 ? embed + head : std::max(embed, head));
  // The largest activation of a max_tokens batch, in and out.
  double largest = 0;
  const workloads::Graph g =
      workloads::llm_blocks_graph(model_, LlmPass{1, opt_.max_tokens, 0, false, false}, shard_, chip_.dtype());
  for (const auto& t : g.tensors())
    if (t.kind == workloads::TensorKind::Activation) largest = std::max(largest, double(t.bytes()));
  k.workspace_bytes = 2 * largest;
  k.capacity_bytes = system_->arch->dram.capacity_gib * 1024.0 * 1024.0 * 1024.0;
  k.free_bytes = std::max(0.0, k.capacity_bytes - k.weight_bytes - k.workspace_bytes);
  k.max_tokens = static_cast<std::int64_t>(k.free_bytes / k.bytes_per_token);
  return k;
}

double InferenceGroup::kv_transfer_seconds(std::int64_t tokens, const InferenceGroup& to) {
  if (tokens <= 0) return 0;
  std::vector<std::vector<ChipId>> pairs;
  for (std::int32_t p = 0; p < plan_.pp; ++p)
    for (std::int32_t t = 0; t < plan_.tp; ++t)
      pairs.push_back({layout_.chip(t, 0, p), to.layout_.chip(t % to.plan_.tp, 0, p % to.plan_.pp)});
  const double bytes = double(tokens) * kv_cache().bytes_per_token;
  return comm_.time(CollectiveKind::SendRecv, Algorithm::Direct, pairs, bytes).seconds;
}

}  // namespace npusim::system
