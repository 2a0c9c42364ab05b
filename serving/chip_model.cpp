#include "serving/chip_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "base/error.h"
#include "compiler/gpu_layers.h"
#include "compiler/gpu_model.h"
#include "compiler/layer.h"
#include "driver/driver.h"
#include "system/collectives.h"
#include "system/network.h"
#include "workloads/graph.h"

namespace npusim::serving {

// ---- models ----

namespace {
// Shapes from the models' published configurations (Hugging Face config.json of each
// meta-llama checkpoint; Touvron et al. 2023, "Llama 2", Table 1 and section 2.2 for GQA on 70B;
// Meta's Llama 3 model card).
const std::array<LlmShape, 5> kShapes = {{
    {"llama2-7b", "meta-llama/Llama-2-7b-hf config.json", 32, 4096, 32, 32, 11008, 32000},
    {"llama2-13b", "meta-llama/Llama-2-13b-hf config.json", 40, 5120, 40, 40, 13824, 32000},
    {"llama2-70b", "meta-llama/Llama-2-70b-hf config.json (GQA, 8 KV heads)", 80, 8192, 64, 8, 28672, 32000},
    {"llama3-8b", "meta-llama/Meta-Llama-3-8B config.json", 32, 4096, 32, 8, 14336, 128256},
    {"llama3-70b", "meta-llama/Meta-Llama-3-70B config.json", 80, 8192, 64, 8, 28672, 128256},
}};
}  // namespace

std::string llm_shape_names() {
  std::string s;
  for (const LlmShape& m : kShapes) s += (s.empty() ? "" : ", ") + m.name;
  return s;
}

const LlmShape& find_llm_shape(std::string_view name) {
  for (const LlmShape& m : kShapes)
    if (m.name == name) return m;
  throw Error(fmt::format("--model {}: serving knows the decoder-only LLMs {}", name, llm_shape_names()));
}

// ---- the grid ----

namespace {

constexpr std::int64_t kExactBelow = 32;  // arguments up to this are always timed exactly
constexpr double kStepsPerOctave = 8;     // grid points 2^(1/8) apart above it

std::int64_t grid_point(std::int64_t k) {
  return std::llround(double(kExactBelow) * std::exp2(double(k) / kStepsPerOctave));
}

// The grid points around x: (lo, hi, weight of hi); lo == hi when x is a grid point.
struct Snap {
  std::int64_t lo, hi;
  double w;
};
Snap snap(std::int64_t x, ShapeGrid g) {
  if (g == ShapeGrid::Exact || x <= kExactBelow) return {x, x, 0};
  auto k = static_cast<std::int64_t>(std::floor(kStepsPerOctave * std::log2(double(x) / double(kExactBelow))));
  while (grid_point(k) > x) --k;
  while (grid_point(k + 1) <= x) ++k;
  const std::int64_t lo = grid_point(k), hi = grid_point(k + 1);
  if (lo == x) return {x, x, 0};
  return {lo, hi, double(x - lo) / double(hi - lo)};
}

using Piece = ChipIterationModel::Piece;

Piece lerp(const Piece& a, const Piece& b, double w) {
  return {a.seconds + (b.seconds - a.seconds) * w, a.energy_j + (b.energy_j - a.energy_j) * w,
          a.macs + (b.macs - a.macs) * w};
}

std::uint64_t key2(std::int64_t a, std::int64_t b) { return (std::uint64_t(a) << 32) ^ std::uint64_t(b); }

}  // namespace

// A piece of one argument, timed exactly at the 2^(1/8) grid points and checked between them:
// an interval is used for interpolation only once its midpoint, timed exactly, lies within
// kTolerance of the straight line between its ends; otherwise the half holding the argument is
// checked in turn, down to neighbouring integers. A step (a tile boundary, one more wave of
// thread blocks) is so found and kept. The answer for an argument does not depend on what was
// asked before.
constexpr double kTolerance = 0.01;

struct Curve {
  std::unordered_map<std::uint64_t, Piece> at;  // exact times
  std::unordered_map<std::uint64_t, bool> straight;  // interval (lo, hi) -> its midpoint check passed
};

struct ChipIterationModel::Impl {
  bool gpu = false;
  compiler::GpuParams gp;
  Curve dense, head;
  std::unordered_map<std::uint64_t, Piece> prefill, decode;
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, double> prefill_batch;  // GPU: (parts, tokens, cached) -> s
  std::unique_ptr<system::Network> net;  // with a system: its network and collectives
  std::unique_ptr<system::CommModel> comm;
};

// ---- construction ----

ChipIterationModel::~ChipIterationModel() = default;

ChipIterationModel::ChipIterationModel(ChipModelOptions o) : o_(std::move(o)), impl_(std::make_unique<Impl>()) {
  const arch::ArchConfig& a = *o_.arch;
  const LlmShape& m = o_.model;
  if (o_.tp < 1 || o_.pp < 1) throw Error(fmt::format("--tp {} --pp {}: must be >= 1", o_.tp, o_.pp));
  if (m.heads % o_.tp != 0)
    throw Error(fmt::format("--tp {}: must divide the {} attention heads of {}", o_.tp, m.heads, m.name));
  if (m.ffn % o_.tp != 0) throw Error(fmt::format("--tp {}: must divide the FFN width {} of {}", o_.tp, m.ffn, m.name));
  if (o_.pp > m.layers) throw Error(fmt::format("--pp {}: more stages than the {} layers of {}", o_.pp, m.layers, m.name));
  if (!(o_.memory_utilisation > 0 && o_.memory_utilisation <= 1))
    throw Error(fmt::format("--memory-utilisation {}: must be in (0, 1]", o_.memory_utilisation));
  dtype_ = o_.dtype.value_or(a.datatypes.default_dtype);
  act_ = o_.activation_dtype.value_or(dtype_);
  kv_ = o_.kv_dtype.value_or(dtype_);
  if (!a.gpu.enabled && (act_ != dtype_ || kv_ != dtype_))
    throw Error(fmt::format("{}: an NPU runs the model in one datatype (weights {}, activations {}, KV cache {})",
                            a.name, name_of(dtype_), name_of(act_), name_of(kv_)));
  heads_ = m.heads / o_.tp;
  kv_heads_ = std::max<std::int64_t>(1, m.kv_heads / o_.tp);  // replicated when fewer than tp
  ffn_ = m.ffn / o_.tp;
  stage_layers_ = (m.layers + o_.pp - 1) / o_.pp;
  impl_->gpu = a.gpu.enabled;
  if (o_.system) {
    if (o_.tp * o_.pp > o_.system->chips())
      throw Error(fmt::format("--tp {} --pp {}: a replica of {} chips does not fit the {} chips of system '{}'", o_.tp,
                              o_.pp, o_.tp * o_.pp, o_.system->chips(), o_.system->name));
    impl_->net = std::make_unique<system::Network>(*o_.system);
    impl_->comm = std::make_unique<system::CommModel>(*impl_->net);
  }
  if (impl_->gpu) impl_->gp = compiler::GpuParams::from(a);

  const double e = bytes_of(dtype_), e_act = bytes_of(act_);
  ReplicaInfo& in = info_;
  in.chip = a.name;
  in.model = m.name;
  in.tp = o_.tp;
  in.pp = o_.pp;
  in.memory_bytes_per_chip = a.dram.capacity_gib * double(1ULL << 30);
  in.usable_fraction = o_.memory_utilisation;
  // Weights: the layers of the largest stage, and the embedding or the LM head (vocabulary-
  // parallel shards over the TP group) with the final norm.
  const double layer_params = double(m.hidden) * double(heads_ + 2 * kv_heads_) * double(m.head_dim()) +
                              double(heads_) * double(m.head_dim()) * double(m.hidden) +
                              3.0 * double(m.hidden) * double(ffn_) + 2.0 * double(m.hidden);
  const double vocab_params = double(m.vocab) / double(o_.tp) * double(m.hidden);
  const double ends = o_.pp == 1 ? 2 * vocab_params + double(m.hidden) : vocab_params + double(m.hidden);
  in.weight_bytes_per_chip = (double(stage_layers_) * layer_params + ends) * e;
  // Activations: the peak of one layer at the token budget: its input and residual, Q/K/V, and
  // the MLP's two inner tensors (vLLM sizes the KV cache after a profiling pass at the budget).
  const std::int64_t tmax = std::max<std::int64_t>(1, o_.max_batched_tokens);
  in.activation_bytes_per_chip =
      double(tmax) * e_act * (2.0 * double(m.hidden) + double(heads_ + 2 * kv_heads_) * double(m.head_dim()) + 2.0 * double(ffn_));
  in.kv_bytes_per_token_per_chip = 2.0 * double(stage_layers_) * double(kv_heads_) * double(m.head_dim()) * bytes_of(kv_);
  const double free_bytes = in.memory_bytes_per_chip * in.usable_fraction - in.weight_bytes_per_chip - in.activation_bytes_per_chip;
  if (free_bytes < in.kv_bytes_per_token_per_chip)
    throw Error(fmt::format("{} on {} x {} (tp {} pp {}): {:.1f} GiB of weights and {:.1f} GiB of activations per chip "
                            "leave no room for the KV cache in {:.0f}% of {:.1f} GiB: more chips per replica (--tp, "
                            "--pp), or a chip with more memory",
                            m.name, in.chips(), a.name, o_.tp, o_.pp, in.weight_bytes_per_chip / double(1ULL << 30),
                            in.activation_bytes_per_chip / double(1ULL << 30), 100 * in.usable_fraction,
                            in.memory_bytes_per_chip / double(1ULL << 30)));
  in.kv_tokens = static_cast<std::int64_t>(free_bytes / in.kv_bytes_per_token_per_chip);
  in.peak_macs_per_s_per_chip = double(a.peak_macs_per_cycle(dtype_)) * a.clock_mhz * 1e6;
  in.energy_modelled = !impl_->gpu;
  in.idle_watts_per_chip = impl_->gpu ? 0 : a.energy.leakage_mw_per_mm2 * a.area_mm2() * 1e-3;
  in.timing = impl_->gpu ? "GPU kernel model (compiler/gpu_model.h): library GEMMs, FlashAttention-style attention, memory-bound kernels"
                         : "analytic engine (driver/: mapping search and cost model) per piece";
  if (o_.tp * o_.pp > 1)
    in.timing += o_.system ? fmt::format(", parallel traffic on system {}'s network (system/ collectives)", o_.system->name)
                           : ", parallel traffic over the intra-node link";
  in.timing += o_.grid == ShapeGrid::Exact ? ", every shape exact" : ", shapes on a 2^(1/8) grid above 32, interpolated";
}

// ---- timing a graph on the chip ----

namespace {

Piece time_on_npu(workloads::Graph g, const arch::ArchConfigPtr& arch, std::int64_t tokens) {
  driver::LoadedModel m{std::move(g), tokens};
  const compiler::CompiledModel cm = driver::compile(std::move(m), arch, compiler::CompileOptions{}, 1);
  const compiler::RunResult r = driver::run(cm, driver::run_options(driver::Engine::Analytic));
  const compiler::ModelTotals t = r.totals();
  return {t.seconds, t.energy.total() * 1e-12, double(t.macs)};
}

// Each lowered layer as its own kernel, as a framework runs them back to back
// (compiler/gpu_layers.h, the same timing system/ gives a GPU chip): matmuls as library GEMMs,
// norms and softmax as row-wise memory-bound kernels, the rest as streaming kernels; each with
// its launch.
// GEMMs run in `gemm` (the weights' datatype, their inputs quantised to it), the other layers in
// the graph's (the activations').
Piece time_on_gpu(const workloads::Graph& g, const compiler::GpuParams& gp, DType gemm) {
  const compiler::LayerGraph lg = compiler::lower(g);
  Piece p;
  for (const compiler::Layer& l : lg.layers) {
    p.seconds += compiler::gpu_layer_time(gp, l, l.cls == compiler::LayerClass::Gemm ? gemm : g.dtype()).seconds;
    p.macs += double(l.macs);
  }
  return p;
}

// FlashAttention-style fused attention (compiler::predict_attention): prefill parts causal over
// their cached and new keys, decodes one query row per sequence over its cache (flash-decoding).
compiler::AttentionProblem attention_problem(std::int64_t batch, std::int64_t heads, std::int64_t kv_heads,
                                             std::int64_t s, std::int64_t c, std::int64_t hd, DType t, DType kv) {
  compiler::AttentionProblem a;
  a.batch = batch, a.heads = heads, a.kv_heads = kv_heads, a.seq_q = s, a.seq_kv = c + s, a.head_dim = hd;
  a.causal = s > 1;
  a.dtype = t;
  a.kv_dtype = kv;
  return a;
}

// The MACs of attention over `c` cached and `s` new keys (causal among the new ones).
double attention_macs(std::int64_t heads, std::int64_t hd, std::int64_t s, std::int64_t c) {
  return 2.0 * double(heads) * double(hd) * (double(s) * double(c) + double(s) * double(s + 1) / 2);
}

}  // namespace

Piece ChipIterationModel::exact_dense(std::int64_t t) {
  ++timed_;
  const LlmShape& m = o_.model;
  const std::int64_t hd = m.head_dim();
  workloads::Graph g("dense", act_);
  using workloads::EltFn;
  using workloads::NormFn;
  const workloads::TensorId x = g.input("x", {1, t, m.hidden});
  workloads::TensorId h = g.norm("attn_norm", NormFn::RmsNorm, x);
  g.mark_output(g.matmul("q", h, heads_ * hd));
  g.mark_output(g.matmul("k", h, kv_heads_ * hd));
  g.mark_output(g.matmul("v", h, kv_heads_ * hd));
  const workloads::TensorId ctx = g.input("attention_out", {1, t, heads_ * hd});
  workloads::TensorId y = g.eltwise("attn_residual", EltFn::Add, x, g.matmul("o", ctx, m.hidden));
  h = g.norm("ffn_norm", NormFn::RmsNorm, y);
  workloads::TensorId gate = g.eltwise("silu", EltFn::Silu, g.matmul("gate", h, ffn_));
  h = g.eltwise("gate_up", EltFn::Mul, gate, g.matmul("up", h, ffn_));
  y = g.eltwise("ffn_residual", EltFn::Add, y, g.matmul("down", h, m.hidden));
  g.mark_output(y);
  return impl_->gpu ? time_on_gpu(g, impl_->gp, dtype_) : time_on_npu(std::move(g), o_.arch, t);
}

// Grouped-query attention with the g query heads of a key/value head stacked along the rows:
// Q [B, KV, g S, D] . K [B, KV, C + S, D]^T, softmax, . V.
namespace {
workloads::Graph attention_graph(std::int64_t batch, std::int64_t kv, std::int64_t group, std::int64_t s,
                                 std::int64_t c, std::int64_t hd, DType dtype) {
  workloads::Graph g("attention", dtype);
  const workloads::TensorId q = g.input("q", {batch, kv, group * s, hd});
  auto keys = [&](const char* name) {
    const workloads::TensorId fresh = g.input(std::string(name) + ".new", {batch, kv, s, hd});
    if (c == 0) return fresh;
    return g.concat(std::string(name) + ".append", {g.kv_cache(std::string(name) + ".cache", {batch, kv, c, hd}), fresh}, 2);
  };
  const workloads::TensorId k = keys("k"), v = keys("v");
  workloads::TensorId p = g.softmax("softmax", g.batched_matmul("scores", q, k, /*transpose_b=*/true));
  g.mark_output(g.batched_matmul("context", p, v));
  return g;
}
}  // namespace

Piece ChipIterationModel::exact_prefill(std::int64_t s, std::int64_t c) {
  const std::int64_t hd = o_.model.head_dim();
  if (impl_->gpu)
    return {compiler::predict_attention(impl_->gp, attention_problem(1, heads_, kv_heads_, s, c, hd, act_, kv_),
                                        compiler::Timer::Events)
                .seconds,
            0, attention_macs(heads_, hd, s, c)};
  ++timed_;
  return time_on_npu(attention_graph(1, kv_heads_, heads_ / kv_heads_, s, c, hd, dtype_), o_.arch, s);
}

Piece ChipIterationModel::exact_decode(std::int64_t b, std::int64_t c) {
  const std::int64_t hd = o_.model.head_dim();
  if (impl_->gpu)
    return {compiler::predict_attention(impl_->gp, attention_problem(b, heads_, kv_heads_, 1, c, hd, act_, kv_),
                                        compiler::Timer::Events)
                .seconds,
            0, double(b) * attention_macs(heads_, hd, 1, c)};
  ++timed_;
  return time_on_npu(attention_graph(b, kv_heads_, heads_ / kv_heads_, 1, c, hd, dtype_), o_.arch, b);
}

Piece ChipIterationModel::exact_head(std::int64_t n) {
  ++timed_;
  workloads::Graph g("head", act_);
  const workloads::TensorId x = g.input("x", {1, n, o_.model.hidden});
  g.mark_output(g.matmul("lm_head", g.norm("final_norm", workloads::NormFn::RmsNorm, x), o_.model.vocab / o_.tp));
  return impl_->gpu ? time_on_gpu(g, impl_->gp, dtype_) : time_on_npu(std::move(g), o_.arch, n);
}

// ---- memoised pieces ----

namespace {
template <class F>
Piece memo(std::unordered_map<std::uint64_t, Piece>& m, std::uint64_t key, F&& f) {
  auto it = m.find(key);
  if (it != m.end()) return it->second;
  const Piece p = f();
  m.emplace(key, p);
  return p;
}
}  // namespace

namespace {
template <class F>
Piece on_curve(Curve& c, std::int64_t x, ShapeGrid grid, F&& exact) {
  auto at = [&](std::int64_t v) { return memo(c.at, std::uint64_t(v), [&] { return exact(v); }); };
  Snap s = snap(x, grid);
  if (s.lo == s.hi) return at(x);
  std::int64_t lo = s.lo, hi = s.hi;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    auto [it, fresh] = c.straight.try_emplace(key2(lo, hi), false);
    if (fresh) {
      const Piece m = at(mid), line = lerp(at(lo), at(hi), double(mid - lo) / double(hi - lo));
      it->second = std::abs(m.seconds - line.seconds) <= kTolerance * m.seconds;
    }
    if (it->second) break;
    (x < mid ? hi : lo) = mid;
    if (x == lo || x == hi) return at(x);
  }
  // Between the ends of a checked interval (or of two neighbours): the half holding x.
  const std::int64_t mid = lo + (hi - lo) / 2;
  if (hi - lo > 1) (x < mid ? hi : lo) = mid;
  if (x == lo || x == hi) return at(x);
  return lerp(at(lo), at(hi), double(x - lo) / double(hi - lo));
}
}  // namespace

Piece ChipIterationModel::dense(std::int64_t t) {
  return on_curve(impl_->dense, t, o_.grid, [&](std::int64_t x) { return exact_dense(x); });
}

Piece ChipIterationModel::head(std::int64_t n) {
  return on_curve(impl_->head, n, o_.grid, [&](std::int64_t x) { return exact_head(x); });
}

Piece ChipIterationModel::prefill_attention(std::int64_t tokens, std::int64_t cached) {
  if (impl_->gpu) return memo(impl_->prefill, key2(tokens, cached), [&] { return exact_prefill(tokens, cached); });
  const Snap a = snap(tokens, o_.grid), b = snap(cached, o_.grid);
  auto at = [&](std::int64_t x, std::int64_t y) {
    return memo(impl_->prefill, key2(x, y), [&] { return exact_prefill(x, y); });
  };
  const Piece lo = a.lo == a.hi ? at(a.lo, b.lo) : lerp(at(a.lo, b.lo), at(a.hi, b.lo), a.w);
  if (b.lo == b.hi) return lo;
  const Piece hi = a.lo == a.hi ? at(a.lo, b.hi) : lerp(at(a.lo, b.hi), at(a.hi, b.hi), a.w);
  return lerp(lo, hi, b.w);
}

Piece ChipIterationModel::decode_attention(std::int64_t sequences, std::int64_t mean_context) {
  if (impl_->gpu)
    return memo(impl_->decode, key2(sequences, mean_context), [&] { return exact_decode(sequences, mean_context); });
  const Snap a = snap(sequences, o_.grid), b = snap(mean_context, o_.grid);
  auto at = [&](std::int64_t x, std::int64_t y) {
    return memo(impl_->decode, key2(x, y), [&] { return exact_decode(x, y); });
  };
  const Piece lo = a.lo == a.hi ? at(a.lo, b.lo) : lerp(at(a.lo, b.lo), at(a.hi, b.lo), a.w);
  if (b.lo == b.hi) return lo;
  const Piece hi = a.lo == a.hi ? at(a.lo, b.hi) : lerp(at(a.lo, b.hi), at(a.hi, b.hi), a.w);
  return lerp(lo, hi, b.w);
}

double ChipIterationModel::allreduce_seconds(std::int64_t tokens) const {
  if (o_.tp == 1) return 0;
  if (impl_->comm) {
    std::vector<system::ChipId> group(static_cast<std::size_t>(o_.tp));
    for (std::int32_t i = 0; i < o_.tp; ++i) group[static_cast<std::size_t>(i)] = i;
    return impl_->comm
        ->time(system::CollectiveKind::AllReduce, system::Algorithm::Auto, {group},
               double(tokens) * double(o_.model.hidden) * bytes_of(act_))
        .seconds;
  }
  // Ring all-reduce: 2 (n - 1) steps, each moving 1/n of the message over a link.
  const double n = o_.tp;
  const double bytes = double(tokens) * double(o_.model.hidden) * bytes_of(act_);
  return 2 * (n - 1) * o_.chip_link.latency_s + 2 * (n - 1) / n * bytes / o_.chip_link.bytes_per_s;
}

// ---- an iteration ----

StepCost ChipIterationModel::step(const BatchComposition& b) {
  const std::int64_t t = b.tokens();
  const LlmShape& m = o_.model;
  Piece layer = dense(t);
  auto add = [&](const Piece& p) {
    layer.seconds += p.seconds;
    layer.energy_j += p.energy_j;
    layer.macs += p.macs;
  };
  if (impl_->gpu && b.prefill.size() > 1) {
    // One fused (variable-length) kernel for all prompt parts: one launch, and each group of
    // parts of the same shape as a batch of its sequences.
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> shapes;
    for (const PrefillPart& p : b.prefill) ++shapes[{p.tokens, p.cached}];
    Piece attn{impl_->gp.launch_s, 0, 0};
    for (const auto& [shape, n] : shapes) {
      const auto [s, c] = shape;
      auto [it, fresh] = impl_->prefill_batch.try_emplace({n, s, c}, 0.0);
      if (fresh)
        it->second = compiler::predict_attention(
                         impl_->gp, attention_problem(n, heads_, kv_heads_, s, c, m.head_dim(), act_, kv_),
                         compiler::Timer::Kernel)
                         .seconds;
      attn.seconds += it->second;
      attn.macs += double(n) * attention_macs(heads_, m.head_dim(), s, c);
    }
    add(attn);
  } else {
    for (const PrefillPart& p : b.prefill) add(prefill_attention(p.tokens, p.cached));
  }
  if (!b.decode.empty()) {
    // All decodes in one kernel: the mean context reads the exact contexts' keys and values.
    std::int64_t sum = 0;
    for (std::int64_t c : b.decode) sum += c;
    const auto n = std::int64_t(b.decode.size());
    add(decode_attention(n, (sum + n - 1) / n));
  }
  layer.seconds += 2 * allreduce_seconds(t);
  const Piece h = b.emitting() > 0 ? head(b.emitting()) : Piece{};
  StepCost s;
  const double layers = double(m.layers), chips = double(o_.tp);
  s.seconds = layers * layer.seconds + h.seconds;
  s.seconds += stage_send_seconds(t);
  s.energy_j = chips * (layers * layer.energy_j + h.energy_j);
  s.macs = chips * (layers * layer.macs + h.macs);
  return s;
}

double ChipIterationModel::stage_send_seconds(std::int64_t tokens) const {
  if (o_.pp == 1) return 0;
  const double bytes = double(tokens) * double(o_.model.hidden) * bytes_of(act_);
  if (!impl_->comm) return double(o_.pp - 1) * (o_.chip_link.latency_s + bytes / o_.chip_link.bytes_per_s);
  // the first chip of each stage sends the batch's activations to the first chip of the next
  double s = 0;
  for (std::int32_t p = 0; p + 1 < o_.pp; ++p)
    s += impl_->comm->time(system::CollectiveKind::SendRecv, system::Algorithm::Direct, {{p * o_.tp, (p + 1) * o_.tp}}, bytes)
             .seconds;
  return s;
}

double ChipIterationModel::kv_transfer_seconds(std::int64_t tokens) const {
  // Every chip sends its shard of the sequence's cache over its own link, all at once.
  return o_.replica_link.latency_s + double(tokens) * info_.kv_bytes_per_token_per_chip / o_.replica_link.bytes_per_s;
}

double ChipIterationModel::swap_seconds(std::int64_t tokens) const {
  return double(tokens) * info_.kv_bytes_per_token_per_chip / o_.host_bytes_per_s;
}

}  // namespace npusim::serving
