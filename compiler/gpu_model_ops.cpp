// Memory-bound kernels and FlashAttention-style attention on a GPU (compiler/gpu_model.h).
// docs/VALIDATION.md ("Memory-bound kernels", "Attention") derives every term.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "base/error.h"
#include "compiler/gpu_model.h"

namespace npusim::compiler {

std::string_view name_of(MemoryOpKind k) {
  switch (k) {
    case MemoryOpKind::Elementwise: return "elementwise";
    case MemoryOpKind::RmsNorm: return "rmsnorm";
    case MemoryOpKind::LayerNorm: return "layernorm";
    case MemoryOpKind::Softmax: return "softmax";
  }
  return "?";
}

std::optional<MemoryOpKind> parse_memory_op(std::string_view s) {
  for (MemoryOpKind k : {MemoryOpKind::Elementwise, MemoryOpKind::RmsNorm, MemoryOpKind::LayerNorm, MemoryOpKind::Softmax})
    if (name_of(k) == s) return k;
  return std::nullopt;
}

double MemoryOp::bytes() const {
  const double e = bytes_of(dtype), elems = double(rows) * double(cols);
  switch (kind) {
    case MemoryOpKind::Elementwise: return (inputs + 1) * elems * e;
    case MemoryOpKind::RmsNorm: return 2 * elems * e + double(cols) * e;       // x in, y out, the weight
    case MemoryOpKind::LayerNorm: return 2 * elems * e + 2 * double(cols) * e;  // and the bias
    case MemoryOpKind::Softmax: return 2 * elems * e;
  }
  return 0;
}

namespace {

// Per element of a row-wise or elementwise kernel: FP32 lane operations, special-function
// results, and how many times the input passes through the L2 (row-wise kernels re-read a row
// from the caches after reducing it).
struct OpCost {
  double lane_ops, sfu_ops, l2_passes;
};

OpCost op_cost(const MemoryOp& op) {
  switch (op.kind) {
    case MemoryOpKind::Elementwise: return {double(op.inputs), 0, 1};
    case MemoryOpKind::RmsNorm: return {4, 0, 2};    // square-add, scale, weight; rsqrt per row
    case MemoryOpKind::LayerNorm: return {6, 0, 2};  // mean and variance (Welford), normalise, scale, shift
    case MemoryOpKind::Softmax: return {5, 1, 3};    // max, subtract, exp, sum, scale
  }
  return {1, 0, 1};
}

// Bytes a streaming kernel keeps in flight per SM: every resident thread has one 16-byte vector
// load outstanding per input.
double inflight_per_sm(const GpuParams& g) { return double(g.limits.max_threads_per_sm) * 16.0; }

}  // namespace

MemoryOpPrediction predict_memory_op(const GpuParams& g, const MemoryOp& op, Timer timer) {
  if (op.rows <= 0 || op.cols <= 0 || op.inputs <= 0)
    throw Error(fmt::format("GPU model: empty {} ({} x {}, {} inputs)", name_of(op.kind), op.rows, op.cols, op.inputs));
  MemoryOpPrediction r;
  r.bytes = op.bytes();
  const double e = bytes_of(op.dtype), elems = double(op.rows) * double(op.cols);
  const double dram_rate = g.dram_bytes_per_s * g.dram_fraction;
  // concurrency: an elementwise kernel spreads over every SM; a row-wise kernel gives each row
  // a warp or a CTA, one thread per 64 bytes of the row (32 to 1024 threads), so few rows keep
  // few bytes in flight
  double inflight = double(g.sms) * inflight_per_sm(g) * op.inputs;
  if (op.kind != MemoryOpKind::Elementwise) {
    const double row_bytes = double(op.cols) * e;
    const double threads = std::clamp(row_bytes / 64.0, 32.0, 1024.0);
    const double rows_resident = double(g.sms) * std::max(1.0, std::floor(double(g.limits.max_threads_per_sm) / threads));
    inflight = std::min(inflight, std::min(double(op.rows), rows_resident) * std::min(row_bytes, threads * 16.0));
  }
  const double latency_rate = inflight / g.dram_latency_s;
  r.dram_s = r.bytes / std::min(dram_rate, latency_rate);
  const OpCost c = op_cost(op);
  const double lanes = double(g.sms) * g.fp32_lanes_per_sm * g.clock_hz;
  const double sfu = double(g.sms) * g.sfu_per_cycle_per_sm * g.clock_hz;
  const double l2 = c.l2_passes * elems * e * op.inputs / g.l2_bytes_per_s;
  r.compute_s = std::max({c.lane_ops * elems / lanes, sfu > 0 ? c.sfu_ops * elems / sfu : 0.0, l2});
  r.latency_s = g.dram_latency_s;
  r.bound = latency_rate < dram_rate ? "latency" : "dram";
  if (r.compute_s > r.dram_s) r.bound = "compute";
  r.launch_s = timer == Timer::Events ? g.launch_s : 0.0;
  r.seconds = r.launch_s + g.kernel_fixed_s + r.latency_s + std::max(r.dram_s, r.compute_s);
  return r;
}

// ---- attention ---------------------------------------------------------------------------------

double AttentionProblem::flops() const {
  // QK^T and PV: 2 x 2 x s_q x s_kv x d per head; causal keeps the keys at or before each query
  double pairs = double(seq_q) * double(seq_kv);
  if (causal) {
    const double offset = double(std::max<std::int64_t>(0, seq_kv - seq_q));  // queries are the last seq_q positions
    pairs = double(seq_q) * offset + double(seq_q) * double(seq_q + 1) / 2.0;
  }
  return 4.0 * double(batch) * double(heads) * pairs * double(head_dim);
}

namespace {

// The busiest SM when `units` (their times) go to `sms` SMs, longest first, each to the SM that
// frees first (a persistent scheduler's longest-processing-time order).
double busiest_sm(std::vector<double> units, int sms) {
  std::sort(units.begin(), units.end(), std::greater<>());
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (int i = 0; i < sms; ++i) free_at.push(0.0);
  double busiest = 0;
  for (double u : units) {
    const double t = free_at.top() + u;
    free_at.pop();
    free_at.push(t);
    busiest = std::max(busiest, t);
  }
  return busiest;
}

}  // namespace

AttentionPrediction predict_attention(const GpuParams& g, const AttentionProblem& p, Timer timer) {
  if (p.batch <= 0 || p.heads <= 0 || p.kv_heads <= 0 || p.seq_q <= 0 || p.seq_kv <= 0 || p.head_dim <= 0 ||
      p.heads % p.kv_heads != 0)
    throw Error(fmt::format("GPU model: bad attention problem (batch {}, heads {}, kv heads {}, s_q {}, s_kv {}, d {})",
                            p.batch, p.heads, p.kv_heads, p.seq_q, p.seq_kv, p.head_dim));
  if (!(g.macs_per_cycle_per_sm[index_of(p.dtype)] > 0))
    throw Error(fmt::format("GPU model: the tensor cores do not support {}", name_of(p.dtype)));
  AttentionPrediction r;
  const bool hopper = g.generation == arch::GpuGeneration::Hopper;
  const double e = bytes_of(p.dtype), e_kv = bytes_of(p.kv_dtype.value_or(p.dtype)), d = double(p.head_dim);
  const double rate = g.macs_per_cycle_per_sm[index_of(p.dtype)] * g.clock_hz *
                      (hopper ? g.wgmma_fraction : g.mma_sync_fraction);  // MACs per second per SM
  const double sfu = g.sfu_per_cycle_per_sm * g.clock_hz, lanes = g.fp32_lanes_per_sm * g.clock_hz;
  const double l2_rate = g.l2_bytes_per_s / double(g.sms);
  const double dram_rate = g.dram_bytes_per_s * g.dram_fraction;
  const std::int64_t group = p.heads / p.kv_heads;  // query heads per key/value head
  r.dram_bytes = double(p.batch) * d * (2.0 * e * double(p.heads) * p.seq_q + 2.0 * e_kv * double(p.kv_heads) * p.seq_kv);
  r.dram_s = g.dram_latency_s + r.dram_bytes / dram_rate;

  // a block of Bc keys against `rows` query rows: the two matmuls on the tensor cores, the
  // exponentials on the special-function units, the rest of the online softmax (max, rescale,
  // sum) on the FP32 lanes. Hopper kernels (FlashAttention-3) overlap the softmax of one
  // warpgroup with the matmuls of the other; Ampere kernels (FlashAttention-2) do not.
  auto block_time = [&](double rows, double bc, double* mma, double* exps) {
    const double t_mma = 2.0 * rows * bc * d / rate;
    const double t_exp = rows * bc / sfu + 4.0 * rows * bc / lanes;
    if (mma) *mma += t_mma;
    if (exps) *exps += t_exp;
    return hopper ? std::max(t_mma, t_exp) : t_mma + t_exp;
  };

  const std::int64_t q_rows = group * p.seq_q;  // query rows that share one key/value head
  std::vector<double> units;
  if (p.seq_q > 1 && q_rows > 64) {
    // prefill: a CTA per (sequence, query head, block of Br query rows) walks the key blocks
    const std::int64_t br = 128, bc = p.head_dim <= 128 ? 128 : 64;
    const std::int64_t q_blocks = div_up(p.seq_q, br);
    const std::int64_t offset = std::max<std::int64_t>(0, p.seq_kv - p.seq_q);
    const double t_pro = g.dram_latency_s + double(br) * d * e / l2_rate;
    const double t_epi = double(br) * d * e / l2_rate;
    for (std::int64_t qb = 0; qb < q_blocks; ++qb) {
      const std::int64_t rows = std::min(br, p.seq_q - qb * br);
      const std::int64_t keys = p.causal ? std::min(p.seq_kv, offset + (qb + 1) * br) : p.seq_kv;
      double t = t_pro + t_epi;
      double mma = 0, exps = 0;
      for (std::int64_t k0 = 0; k0 < keys; k0 += bc) t += block_time(double(br), double(std::min(bc, keys - k0)), &mma, &exps);
      (void)rows;
      for (std::int64_t i = 0; i < p.batch * p.heads; ++i) units.push_back(t);
      r.mma_s += mma * double(p.batch * p.heads);
      r.exp_s += exps * double(p.batch * p.heads);
    }
    r.ctas = static_cast<std::int64_t>(units.size());
  } else {
    // decode (flash-decoding): a CTA per (sequence, key/value head, split of the keys) streams its
    // keys and values once for all the query rows of the group; a second pass combines the splits
    const std::int64_t bc = 128;
    const std::int64_t heads = p.batch * p.kv_heads;
    r.kv_splits = std::clamp<std::int64_t>(div_up(g.sms, heads), 1, std::max<std::int64_t>(1, p.seq_kv / 256));
    const std::int64_t keys = div_up(p.seq_kv, r.kv_splits);
    const double kv_bytes = 2.0 * double(keys) * d * e_kv;
    // the bytes one CTA keeps in flight: a few key/value tiles
    const double inflight = std::min(double(g.limits.smem_per_block), 4.0 * 2.0 * bc * d * e_kv);
    const double active = double(std::min<std::int64_t>(heads * r.kv_splits, g.sms));
    const double per_sm_rate = std::min(dram_rate / active, inflight / g.dram_latency_s);
    const double rows = double(std::max<std::int64_t>(q_rows, 16));  // the MMA's smallest tile
    double t = g.dram_latency_s + kv_bytes / per_sm_rate;
    double mma = 0, exps = 0, math = 0;
    for (std::int64_t k0 = 0; k0 < keys; k0 += bc) math += block_time(rows, double(std::min(bc, keys - k0)), &mma, &exps);
    t = std::max(t, math);
    for (std::int64_t i = 0; i < heads * r.kv_splits; ++i) units.push_back(t);
    r.mma_s = mma * double(heads * r.kv_splits);
    r.exp_s = exps * double(heads * r.kv_splits);
    r.ctas = heads * r.kv_splits;
  }
  r.sm_s = busiest_sm(units, g.sms);
  double combine = 0;
  if (r.kv_splits > 1)  // partial outputs and their log-sum-exps through the L2
    combine = g.launch_s + 2.0 * double(p.batch) * double(p.heads) * p.seq_q * double(r.kv_splits) * d * 4.0 / g.l2_bytes_per_s;
  r.launch_s = timer == Timer::Events ? g.launch_s : 0.0;
  r.bound = r.sm_s >= r.dram_s ? (r.mma_s >= r.exp_s ? "tensor" : "exp") : "dram";
  if (p.seq_q == 1 || q_rows <= 64) r.bound = r.sm_s >= r.dram_s ? "latency" : "dram";
  r.seconds = r.launch_s + g.kernel_fixed_s + std::max(r.sm_s, r.dram_s) + combine;
  return r;
}

}  // namespace npusim::compiler
