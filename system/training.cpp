#include "system/training.h"

#include "system/pipeline.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::system {

using workloads::CommGroup;
using workloads::LlmPass;
using workloads::LlmShard;
using workloads::Phase;

namespace {

CollectiveKind collective_of(workloads::CommKind k) {
  switch (k) {
    case workloads::CommKind::AllGather: return CollectiveKind::AllGather;
    case workloads::CommKind::ReduceScatter: return CollectiveKind::ReduceScatter;
    case workloads::CommKind::AllToAll: return CollectiveKind::AllToAll;
    default: break;
  }
  return CollectiveKind::AllReduce;
}

std::int32_t chunks_of(const TrainPlan& p) {
  return p.schedule == PipelineSchedule::Interleaved ? p.virtual_stages : 1;
}

}  // namespace

void check_plan(const SystemConfig& sys, const workloads::LlmSpec& m, const TrainPlan& p) {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw Error(msg);
  };
  need(p.tp >= 1, fmt::format("--tp {}: must be >= 1", p.tp));
  need(p.pp >= 1, fmt::format("--pp {}: must be >= 1", p.pp));
  need(p.dp >= 1, fmt::format("--dp {}: must be >= 1", p.dp));
  need(p.micro_batch >= 1, fmt::format("--micro-batch {}: must be >= 1", p.micro_batch));
  need(p.global_batch >= 1, fmt::format("--global-batch {}: must be >= 1", p.global_batch));
  need(p.zero >= 0 && p.zero <= 3, fmt::format("--zero {}: must be 0, 1, 2 or 3", p.zero));
  need(p.chips() <= sys.chips(), fmt::format("--tp {} --pp {} --dp {}: needs {} chips, system '{}' has {} ({} nodes x {})",
                                             p.tp, p.pp, p.dp, p.chips(), sys.name, sys.chips(), sys.nodes,
                                             sys.chips_per_node));
  const std::int32_t v = chunks_of(p);
  need(v >= 1, fmt::format("--virtual-stages {}: must be >= 1", p.virtual_stages));
  need(m.layers % (std::int64_t{p.pp} * v) == 0,
       v == 1 ? fmt::format("--pp {}: must divide the {} layers of {}", p.pp, m.layers, m.name)
              : fmt::format("--pp {} x --virtual-stages {}: must divide the {} layers of {}", p.pp, v, m.layers, m.name));
  need(p.global_batch % (p.micro_batch * p.dp) == 0,
       fmt::format("--global-batch {}: must be a multiple of --micro-batch {} x --dp {} = {}", p.global_batch,
                   p.micro_batch, p.dp, p.micro_batch * p.dp));
  need(p.schedule != PipelineSchedule::Interleaved || p.micro_batches() % p.pp == 0,
       fmt::format("--schedule interleaved: the {} micro-batches per replica must be a multiple of --pp {}",
                   p.micro_batches(), p.pp));
  need(p.ep == 1 || p.dp % p.ep == 0, fmt::format("--ep {}: must divide --dp {}", p.ep, p.dp));
  LlmPass pass;
  pass.batch = p.micro_batch;
  pass.tokens = p.seq > 0 ? p.seq : m.seq;
  need(pass.tokens >= 1, fmt::format("--seq {}: must be >= 1", p.seq));
  workloads::check_shard(m, pass, LlmShard{p.tp, p.sequence_parallel, p.ep});
}

TrainingModel::TrainingModel(SystemConfigPtr sys, driver::Engine engine)
    : sys_(std::move(sys)), net_(*sys_), comm_(net_), chip_(sys_->arch, engine) {}

TrainResult TrainingModel::step(const workloads::LlmSpec& m, const TrainPlan& p, bool fit_check) {
  check_plan(*sys_, m, p);
  TrainResult r;
  const std::int32_t pp = p.pp, v = chunks_of(p);
  const std::int64_t mbs = p.micro_batches();
  const std::int64_t seq = p.seq > 0 ? p.seq : m.seq;
  const std::int64_t layers_per_chunk = m.layers / (std::int64_t{pp} * v);
  const DType dt = chip_.dtype();
  const Layout layout{p.tp, p.dp, pp, p.placement, 0};
  const LlmShard shard{p.tp, p.sequence_parallel, p.ep};
  LlmPass pass;
  pass.batch = p.micro_batch;
  pass.tokens = seq;

  // ---- per-chip compute, each shape once ----
  const std::string shape = fmt::format("{}|b{}|s{}|tp{}|sp{}|ep{}", m.name, p.micro_batch, seq, p.tp,
                                        p.sequence_parallel, p.ep);
  workloads::TrainingOptions bo;
  bo.recompute = p.recompute;
  bo.input_grad = true;
  bo.optimizer_step = false;
  bo.fp32_grads = p.fp32_grads;
  bo.micro_batches = mbs;
  const GraphWork& block = chip_.training(shape + "|block|rc" + std::string(workloads::name_of(p.recompute)),
                                          [&] { return workloads::llm_blocks_graph(m, pass, shard, dt); }, bo);
  workloads::TrainingOptions eo = bo;
  eo.recompute = workloads::Recompute::None;
  eo.input_grad = false;
  const GraphWork& embed = chip_.training(shape + "|embed", [&] { return workloads::llm_embed_graph(m, pass, shard, dt); }, eo);
  eo.input_grad = true;
  const GraphWork& head = chip_.training(shape + "|head", [&] { return workloads::llm_head_graph(m, pass, shard, dt); }, eo);

  // ---- collectives of a phase of a graph on stage s ----
  auto comm_seconds = [&](const PhaseWork& w, std::int32_t s, std::map<std::string, CommTime>& acc) {
    double t = 0;
    for (const CommOp& op : w.comms) {
      const bool tensor = op.group == CommGroup::Tensor;
      const auto groups = tensor ? layout.tensor_groups(s) : layout.expert_groups(s, p.ep);
      const auto res = comm_.time(collective_of(op.kind), p.algorithm, groups, op.bytes);
      t += res.seconds;
      acc[tensor ? "tp" : "ep"].exposed += res.seconds;
      r.algorithms[fmt::format("{} {}", tensor ? "tp" : "ep", name_of(collective_of(op.kind)))] =
          std::string(name_of(res.algorithm));
    }
    return t;
  };

  // ZeRO-3: each layer's parameters gathered before its forward and backward, its gradients
  // scattered after, behind the compute where they are shorter.
  const double layer_param_bytes = double(block.params) * double(bytes_of(dt));
  auto zero3 = [&](std::int32_t s, double compute, bool backward) {
    if (p.zero < 3 || p.dp == 1) return 0.0;
    double t = comm_.time(CollectiveKind::AllGather, p.algorithm, layout.data_groups(s), layer_param_bytes).seconds;
    if (backward)
      t += comm_.time(CollectiveKind::ReduceScatter, p.algorithm, layout.data_groups(s),
                      double(block.params) * double(block.figures.grad_bytes_per_param))
               .seconds;
    return std::max(0.0, t - compute);
  };

  // ---- the duration of every op, per stage and chunk ----
  struct OpCost {
    double fwd = 0, bwd = 0;                   // wall time
    double f_compute = 0, b_compute = 0, r_compute = 0;
    double energy_f = 0, energy_b = 0;
    std::map<std::string, CommTime> comm_f, comm_b;
    double zero3_f = 0, zero3_b = 0;
  };
  const std::int32_t V = pp * v;  // virtual stages
  std::vector<OpCost> cost(static_cast<std::size_t>(V));
  for (std::int32_t j = 0; j < V; ++j) {
    const std::int32_t s = j % pp;
    OpCost& c = cost[static_cast<std::size_t>(j)];
    const double L = double(layers_per_chunk);
    const PhaseWork& F = block.of(Phase::Forward);
    const PhaseWork& R = block.of(Phase::Recompute);
    const PhaseWork& B = block.of(Phase::Backward);
    c.f_compute = L * F.seconds;
    c.r_compute = L * R.seconds;
    c.b_compute = L * B.seconds;
    c.energy_f = L * F.energy_j;
    c.energy_b = L * (R.energy_j + B.energy_j);
    double fc = L * comm_seconds(F, s, c.comm_f);
    double bc = L * (comm_seconds(R, s, c.comm_b) + comm_seconds(B, s, c.comm_b));
    for (auto* mp : {&c.comm_f, &c.comm_b})
      for (auto& [k, t] : *mp) t.exposed *= L;
    c.zero3_f = L * zero3(s, F.seconds, false);
    c.zero3_b = L * zero3(s, R.seconds + B.seconds, true);
    auto extra = [&](const GraphWork& g) {
      c.f_compute += g.of(Phase::Forward).seconds;
      c.b_compute += g.of(Phase::Backward).seconds;
      c.energy_f += g.of(Phase::Forward).energy_j;
      c.energy_b += g.of(Phase::Backward).energy_j;
      fc += comm_seconds(g.of(Phase::Forward), s, c.comm_f);
      bc += comm_seconds(g.of(Phase::Backward), s, c.comm_b);
    };
    if (j == 0) extra(embed);
    if (j == V - 1) extra(head);
    c.fwd = c.f_compute + fc + c.zero3_f;
    c.bwd = c.r_compute + c.b_compute + bc + c.zero3_b;
  }

  // ---- send/recv between consecutive virtual stages ----
  const double act_bytes = double(p.micro_batch) * double(seq) * double(m.hidden) * double(bytes_of(dt)) / p.tp;
  auto p2p = [&](std::int32_t from_stage, std::int32_t to_stage) {
    if (from_stage == to_stage) return 0.0;
    return comm_.time(CollectiveKind::SendRecv, Algorithm::Direct, layout.stage_pairs(from_stage, to_stage), act_bytes)
        .seconds;
  };

  // ---- play the pipeline ----
  PipelineInput pin;
  pin.schedule = p.schedule;
  pin.stages = pp;
  pin.micro_batches = mbs;
  pin.chunks = v;
  pin.send_fwd.assign(static_cast<std::size_t>(V), 0);
  pin.send_bwd.assign(static_cast<std::size_t>(V), 0);
  for (std::int32_t j = 0; j < V; ++j) {
    pin.fwd.push_back(cost[static_cast<std::size_t>(j)].fwd);
    pin.bwd.push_back(cost[static_cast<std::size_t>(j)].bwd);
    if (j > 0) pin.send_fwd[static_cast<std::size_t>(j)] = p2p((j - 1) % pp, j % pp);
    if (j + 1 < V) pin.send_bwd[static_cast<std::size_t>(j)] = p2p((j + 1) % pp, j % pp);
  }
  const std::vector<StagePlay> play = play_pipeline(pin);
  struct StageStats {
    double f = 0, b = 0, rc = 0, energy = 0, zero3 = 0;
    std::map<std::string, CommTime> comm;
    std::vector<std::pair<double, double>> last_b;  // the last micro-batch's backward of each chunk
  };
  std::vector<StageStats> st(static_cast<std::size_t>(pp));
  for (std::int32_t s = 0; s < pp; ++s) {
    StageStats& S = st[static_cast<std::size_t>(s)];
    for (const PipelineOp& op : play[static_cast<std::size_t>(s)].ops) {
      const OpCost& c = cost[static_cast<std::size_t>(op.chunk * pp + s)];
      if (op.fwd) {
        S.f += c.f_compute, S.energy += c.energy_f, S.zero3 += c.zero3_f;
        for (const auto& [name, t] : c.comm_f) S.comm[name].exposed += t.exposed;
      } else {
        S.b += c.b_compute, S.rc += c.r_compute, S.energy += c.energy_b, S.zero3 += c.zero3_b;
        for (const auto& [name, t] : c.comm_b) S.comm[name].exposed += t.exposed;
        if (op.mb == mbs - 1) S.last_b.emplace_back(op.start, op.end);
      }
      if (p.timeline)
        r.timeline.push_back({s, "compute",
                              fmt::format("{} mb{}{}", op.fwd ? "F" : "B", op.mb, v > 1 ? fmt::format(" chunk{}", op.chunk) : ""),
                              op.start, op.end - op.start});
    }
  }

  // ---- after the backward: gradient reduction, the optimizer, the parameter all-gather ----
  const double gb = double(block.figures.grad_bytes_per_param);
  auto stage_params = [&](std::int32_t s) {
    double n = double(layers_per_chunk) * v * double(block.params);
    if (s == 0) n += double(embed.params);
    if (s == pp - 1) n += double(head.params);
    return n;
  };
  double iteration = 0;
  std::vector<double> end_of(static_cast<std::size_t>(pp), 0);
  std::vector<double> dp_total(static_cast<std::size_t>(pp), 0), dp_exposed(static_cast<std::size_t>(pp), 0),
      opt_time(static_cast<std::size_t>(pp), 0), opt_energy(static_cast<std::size_t>(pp), 0),
      ag_time(static_cast<std::size_t>(pp), 0);
  for (std::int32_t s = 0; s < pp; ++s) {
    StageStats& S = st[static_cast<std::size_t>(s)];
    const double compute_end = play[static_cast<std::size_t>(s)].end;
    const double P = stage_params(s);
    double stream = compute_end;
    if (p.dp > 1 && p.zero < 3) {
      const auto groups = layout.data_groups(s);
      const CollectiveKind kind = p.zero == 0 ? CollectiveKind::AllReduce : CollectiveKind::ReduceScatter;
      const std::int64_t nb = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(P / p.bucket_params)));
      const auto bucket = comm_.time(kind, p.algorithm, groups, P / double(nb) * gb);
      r.algorithms[fmt::format("dp {}", name_of(kind))] = std::string(name_of(bucket.algorithm));
      // Buckets ready spread over the last micro-batch's backward ops (in backward order).
      std::sort(S.last_b.begin(), S.last_b.end());
      stream = p.overlap_dp ? S.last_b.front().first : compute_end;
      for (std::int64_t b = 0; b < nb; ++b) {
        double ready = compute_end;
        if (p.overlap_dp && !S.last_b.empty()) {
          const double frac = double(b + 1) / double(nb) * double(S.last_b.size());
          const auto idx = std::min<std::size_t>(S.last_b.size() - 1, static_cast<std::size_t>(std::ceil(frac)) - 1);
          const auto& [b0, b1] = S.last_b[idx];
          const double within = frac - double(idx);
          ready = b0 + (b1 - b0) * std::clamp(within, 0.0, 1.0);
        }
        const double start = std::max(stream, ready);
        if (p.timeline) r.timeline.push_back({s, "dp", fmt::format("{} bucket {}", name_of(kind), b), start, bucket.seconds});
        stream = start + bucket.seconds;
        dp_total[static_cast<std::size_t>(s)] += bucket.seconds;
      }
      stream = std::max(stream, compute_end);
    }
    // Tied embeddings: the first and last stages sum the table's gradients.
    if (m.tied && pp > 1 && (s == 0 || s == pp - 1)) {
      const double bytes = double(workloads::vocab_shard(m, p.tp)) * double(m.hidden) * gb;
      const double t = comm_.time(CollectiveKind::AllReduce, p.algorithm, layout.stage_pairs(0, pp - 1), bytes).seconds;
      if (p.timeline) r.timeline.push_back({s, "dp", "embedding grads all-reduce", stream, t});
      stream += t;
      dp_total[static_cast<std::size_t>(s)] += t;
    }
    dp_exposed[static_cast<std::size_t>(s)] = stream - compute_end;
    // The optimizer on the parameters this chip updates.
    const std::int64_t n = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(P / (p.zero >= 1 ? p.dp : 1))));
    const bool mixed = block.figures.mixed_precision;
    const auto opt = p.optimizer;
    const GraphWork& ow = chip_.forward(fmt::format("optimizer|{}|{}|{}|{}", n, static_cast<int>(opt), mixed, p.fp32_grads), [&] {
      workloads::Graph g("optimizer", dt);
      std::vector<workloads::TensorId> ins{g.input("grad", {n}, p.fp32_grads ? DType::Fp32 : dt)};
      std::int64_t written = 0;
      if (mixed) {
        ins.push_back(g.state("master", {n}, DType::Fp32));
        written += 4 + bytes_of(dt);
      } else {
        written += bytes_of(dt);
      }
      if (opt != workloads::OptimizerKind::Sgd) {
        ins.push_back(g.state("adam_m", {n}, DType::Fp32));
        ins.push_back(g.state("adam_v", {n}, DType::Fp32));
        written += 8;
      }
      g.mark_output(g.optimizer_step("step", opt, ins, n, written));
      return g;
    });
    opt_time[static_cast<std::size_t>(s)] = ow.of(Phase::Forward).seconds;
    opt_energy[static_cast<std::size_t>(s)] = ow.of(Phase::Forward).energy_j;
    if (p.timeline) r.timeline.push_back({s, "compute", "optimizer", stream, opt_time[static_cast<std::size_t>(s)]});
    stream += opt_time[static_cast<std::size_t>(s)];
    if (p.dp > 1 && (p.zero == 1 || p.zero == 2)) {
      const auto res = comm_.time(CollectiveKind::AllGather, p.algorithm, layout.data_groups(s), P * double(bytes_of(dt)));
      ag_time[static_cast<std::size_t>(s)] = res.seconds;
      if (p.timeline) r.timeline.push_back({s, "dp", "parameter all-gather", stream, res.seconds});
      stream += res.seconds;
    }
    end_of[static_cast<std::size_t>(s)] = stream;
    iteration = std::max(iteration, stream);
  }

  // ---- the breakdown of the stage that ends last ----
  std::int32_t crit = 0;
  for (std::int32_t s = 0; s < pp; ++s)
    if (end_of[static_cast<std::size_t>(s)] > end_of[static_cast<std::size_t>(crit)]) crit = s;
  const StageStats& C = st[static_cast<std::size_t>(crit)];
  const StagePlay& CP = play[static_cast<std::size_t>(crit)];
  r.iteration_seconds = iteration;
  r.critical_stage = crit;
  r.forward_seconds = C.f;
  r.backward_seconds = C.b;
  r.recompute_seconds = C.rc;
  r.optimizer_seconds = opt_time[static_cast<std::size_t>(crit)];
  // Waits: before the stage's first op, between ops, and after its last op until the slowest
  // stage ends (all of it bubble: the stage has nothing to do).
  r.bubble_seconds = CP.bubble + (iteration - end_of[static_cast<std::size_t>(crit)]);
  r.comm = C.comm;
  auto hidden = [](double total, double exposed) { return total - exposed > 1e-9 * total ? total - exposed : 0.0; };
  r.comm["pp"] = CommTime{CP.p2p_exposed, hidden(CP.p2p_total, CP.p2p_exposed)};
  const double dpx = dp_exposed[static_cast<std::size_t>(crit)], dpt = dp_total[static_cast<std::size_t>(crit)];
  r.comm["dp"] = CommTime{dpx + ag_time[static_cast<std::size_t>(crit)], hidden(dpt, std::min(dpt, dpx))};
  if (p.zero == 3 && p.dp > 1) r.comm["zero3"] = CommTime{C.zero3, 0};
  for (const char* k : {"tp", "ep"}) r.comm.try_emplace(k);

  // ---- memory per chip (the most loaded stage) ----
  const auto& fig = block.figures;
  for (std::int32_t s = 0; s < pp; ++s) {
    const StagePlay& S = play[static_cast<std::size_t>(s)];
    MemoryPerChip mm;
    mm.stage = s;
    const double P = stage_params(s);
    mm.weights = P * double(fig.weight_bytes_per_param) / (p.zero == 3 ? p.dp : 1);
    mm.gradients = P * double(fig.grad_bytes_per_param) / (p.zero >= 2 ? p.dp : 1);
    mm.optimizer = P * double(fig.optimizer_bytes_per_param) / (p.zero >= 1 ? p.dp : 1);
    mm.in_flight = S.max_in_flight;
    double per_chunk = double(layers_per_chunk) * double(fig.saved_bytes);
    double extra = 0;
    if (s == 0) extra += double(embed.figures.saved_bytes);
    if (s == pp - 1) extra += double(head.figures.saved_bytes);
    mm.activations = S.max_in_flight * per_chunk + std::min<double>(S.max_in_flight, double(mbs)) * extra;
    mm.temporary = 2 * block.largest_tensor_bytes + (s == pp - 1 ? 2 * head.largest_tensor_bytes : 0) +
                   (p.dp > 1 ? 2 * std::min(P, p.bucket_params) * double(fig.grad_bytes_per_param) : 0);
    mm.capacity = sys_->arch->dram.capacity_gib * 1024.0 * 1024.0 * 1024.0;
    if (s == 0 || mm.total() > r.memory.total()) r.memory = mm;
  }
  if (fit_check && r.memory.total() > r.memory.capacity) {
    const double G = 1024.0 * 1024.0 * 1024.0;
    const auto& mm = r.memory;
    throw Error(fmt::format(
        "memory per chip: stage {} needs {:.1f} GiB (weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, activations "
        "{:.1f} for {:.0f} micro-batch chunks in flight, temporary {:.1f}), dram.capacity_gib of '{}' is {}: does not "
        "fit (try --recompute full, a smaller --micro-batch, a larger --tp/--pp or --zero)",
        mm.stage, mm.total() / G, mm.weights / G, mm.gradients / G, mm.optimizer / G, mm.activations / G, mm.in_flight,
        mm.temporary / G, sys_->arch->name, sys_->arch->dram.capacity_gib));
  }

  // ---- figures ----
  // Model FLOPs: 3 x the forward's (2 per MAC) over the whole model and the global batch.
  {
    LlmPass one = pass;
    one.batch = 1;
    const double blk = double(workloads::llm_blocks_graph(m, one, LlmShard{}, dt).total_macs());
    const double emb = double(workloads::llm_embed_graph(m, one, LlmShard{}, dt).total_macs());
    const double hd = double(workloads::llm_head_graph(m, one, LlmShard{}, dt).total_macs());
    const double fwd = (double(m.layers) * blk + emb + hd) * double(p.global_batch);
    r.model_flops = 2.0 * 3.0 * fwd;
    const double rc_frac = block.of(Phase::Forward).flops > 0
                               ? block.of(Phase::Recompute).flops / block.of(Phase::Forward).flops
                               : 0.0;
    r.hardware_flops = 2.0 * (3.0 * fwd + rc_frac * double(m.layers) * blk * double(p.global_batch));
  }
  r.chips = p.chips();
  const double peak = chip_.peak_flops() * r.chips;
  r.mfu = r.model_flops / (iteration * peak);
  r.hfu = r.hardware_flops / (iteration * peak);
  r.tokens_per_s = double(p.global_batch) * double(seq) / iteration;
  r.micro_batches = mbs;
  // Energy: every chip's compute, its optimizer, and leakage while it waits.
  for (std::int32_t s = 0; s < pp; ++s) {
    const StageStats& S = st[static_cast<std::size_t>(s)];
    const double busy = S.f + S.b + S.rc + opt_time[static_cast<std::size_t>(s)];
    const double e = S.energy + opt_energy[static_cast<std::size_t>(s)] + chip_.static_watts() * std::max(0.0, iteration - busy);
    r.energy_j += e * double(p.tp) * double(p.dp);
  }
  r.distinct_shapes = chip_.distinct_graphs();
  return r;
}

std::string timeline_json(const TrainResult& r, const TrainPlan& p) {
  nlohmann::json events = nlohmann::json::array();
  for (std::int32_t s = 0; s < p.pp; ++s) {
    events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", s}, {"args", {{"name", fmt::format("stage {}", s)}}}});
    int tid = 0;
    for (const char* t : {"compute", "dp", "p2p"})
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", s}, {"tid", tid++}, {"args", {{"name", t}}}});
  }
  for (const TimelineEvent& e : r.timeline) {
    const int tid = e.track == "compute" ? 0 : e.track == "dp" ? 1 : 2;
    events.push_back({{"name", e.name}, {"ph", "X"}, {"pid", e.stage}, {"tid", tid}, {"ts", e.start * 1e6},
                      {"dur", e.duration * 1e6}, {"cat", e.track}});
  }
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump(1);
}

}  // namespace npusim::system
