#include "compiler/gpu_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <list>
#include <unordered_map>
#include <vector>

#include "base/error.h"

namespace npusim::compiler {

GpuParams GpuParams::from(const arch::ArchConfig& a) {
  if (!a.gpu.enabled)
    throw Error(fmt::format("architecture '{}' is not a GPU description (it has no gpu block; see "
                            "configs/arch/h100_sxm.yaml)",
                            a.name));
  GpuParams g;
  g.sms = a.cores;
  g.clock_hz = a.clock_mhz * 1e6;
  const auto& pe = a.core.pe_array;
  for (DType t : kOperandDTypes)
    g.macs_per_cycle_per_sm[index_of(t)] = double(pe.rows) * double(pe.cols) * double(a.datatypes.macs(t));
  g.mma_sync_fraction = a.gpu.mma_sync_fraction;
  g.dram_bytes_per_s = a.dram.bandwidth_gb_per_s * 1e9;
  g.dram_latency_s = a.dram.latency_ns * 1e-9;
  g.l2_bytes = double(a.gpu.l2_bytes);
  g.l2_bytes_per_s = a.gpu.l2_bytes_per_cycle * g.clock_hz;
  g.launch_s = a.gpu.launch_overhead_us * 1e-6;
  g.limits.sms = a.cores;
  g.limits.smem_per_sm = a.core.scratchpad.total_bytes;
  g.limits.smem_per_block = a.gpu.smem_per_cta_bytes;
  g.limits.max_threads_per_sm = a.gpu.max_threads_per_sm;
  g.limits.max_ctas_per_sm = a.gpu.max_ctas_per_sm;
  g.limits.regs_per_sm = a.gpu.regs_per_sm;
  g.generation = a.gpu.generation;
  g.wgmma_fraction = a.gpu.wgmma_fraction;
  g.simt_fraction = a.gpu.simt_fraction;
  g.dram_fraction = a.gpu.dram_fraction;
  g.kernel_fixed_s = a.gpu.kernel_fixed_us * 1e-6;
  g.fp32_lanes_per_sm = a.core.vector_unit.lanes;
  g.sfu_per_cycle_per_sm = a.core.vector_unit.lanes *
                           a.core.vector_unit.ops_per_lane_per_cycle[static_cast<std::size_t>(arch::VecClass::Transcendental)];
  g.smem_bytes_per_cycle_per_sm = double(a.core.scratchpad.banks) * a.core.scratchpad.bank_bytes_per_cycle;
  g.l2_latency_s = a.interconnect.hop_latency_cycles / g.clock_hz;
  return g;
}

std::int64_t ConvProblem::p() const { return (h + 2 * pad - dilation * (r - 1) - 1) / stride + 1; }
std::int64_t ConvProblem::q() const { return (w + 2 * pad - dilation * (s - 1) - 1) / stride + 1; }
GemmProblem ConvProblem::gemm() const { return {n * p() * q(), k, r * s * c, 1, dtype, out_bytes}; }
std::int64_t ConvProblem::input_bytes() const { return n * h * w * c * std::int64_t{bytes_of(dtype)}; }

compiler::Plan gpu_plan(const GpuParams& g, const GemmProblem& p) {
  return compiler::choose_plan(p.m, p.n, p.k, static_cast<int>(bytes_of(p.dtype)), g.limits, p.batch);
}

namespace {

// The L2 at the granularity of operand panels, least recently used first out.
class PanelCache {
 public:
  explicit PanelCache(double capacity) : capacity_(capacity) {}
  // Touches a panel; returns true on a hit. A miss brings it in, evicting the oldest.
  bool touch(std::uint64_t key, double bytes) {
    auto it = where_.find(key);
    if (it != where_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return true;
    }
    order_.push_front({key, bytes});
    where_[key] = order_.begin();
    held_ += bytes;
    while (held_ > capacity_ && order_.size() > 1) {
      held_ -= order_.back().second;
      where_.erase(order_.back().first);
      order_.pop_back();
    }
    return false;
  }

 private:
  double capacity_, held_ = 0;
  std::list<std::pair<std::uint64_t, double>> order_;
  std::unordered_map<std::uint64_t, std::list<std::pair<std::uint64_t, double>>::iterator> where_;
};

// A piece of operand data the L2 holds or not: its key and its bytes.
struct Piece {
  std::uint64_t key = 0;
  double bytes = 0;
};

// What one CTA does: its MACs, the bytes of its two panels, the bytes it writes, and which
// pieces of data they are (a GEMM panel is one piece; a convolution's A panel is the input rows
// its output pixels read, one piece per row, so that neighbouring tiles share their halo rows).
struct Cta {
  double macs = 0, a_bytes = 0, b_bytes = 0, out_bytes = 0;
  std::vector<Piece> pieces;
};

// The kernel's rasterization (validate/kernels/gemm.cuh): CTA index -> (tile_m, tile_n).
std::pair<std::int64_t, std::int64_t> raster(std::int64_t pid, std::int64_t tiles_m, std::int64_t tiles_n) {
  const std::int64_t in_group = compiler::kRasterGroupM * tiles_n;
  const std::int64_t first_m = (pid / in_group) * compiler::kRasterGroupM;
  const std::int64_t group_m = std::min<std::int64_t>(tiles_m - first_m, compiler::kRasterGroupM);
  return {first_m + (pid % in_group) % group_m, (pid % in_group) / group_m};
}

// The input rows a convolution's output pixels [pix0, pix0 + pixels) read, over a share of the
// reduction: one piece per (image, input row), keyed under `base`.
void conv_a_pieces(const ConvProblem& c, std::int64_t pix0, std::int64_t pixels, double k_share, std::uint64_t base,
                   std::vector<Piece>& out) {
  const std::int64_t P = c.p(), Q = c.q(), e = bytes_of(c.dtype);
  const double row_bytes = double(c.w) * double(c.c) * double(e) * k_share;
  std::int64_t pix = pix0;
  const std::int64_t end = pix0 + pixels;
  while (pix < end) {
    const std::int64_t img = pix / (P * Q);
    const std::int64_t img_end = std::min(end, (img + 1) * P * Q);
    const std::int64_t p_first = (pix % (P * Q)) / Q, p_last = ((img_end - 1) % (P * Q)) / Q;
    const std::int64_t h_lo = std::max<std::int64_t>(0, p_first * c.stride - c.pad);
    const std::int64_t h_hi = std::min<std::int64_t>(c.h - 1, p_last * c.stride - c.pad + (c.r - 1) * c.dilation);
    for (std::int64_t h = h_lo; h <= h_hi; ++h)
      out.push_back({(base + std::uint64_t(img * c.h + h)) * 4 + 2, row_bytes});
    pix = img_end;
  }
}

struct Sizes {
  std::int64_t m, n, k, batch;
  std::int32_t elem, out;
  const ConvProblem* conv;  // A gathered from a convolution's input, or null
};

KernelPrediction run_waves(const GpuParams& g, const Sizes& z, const compiler::Plan& plan, MathPath path, DType dtype) {
  const auto& c = plan.cfg;
  if (plan.ctas <= 0 || plan.ctas_per_sm <= 0) throw Error("GPU model: the plan has no CTA that fits an SM");
  const std::int64_t tiles_m = plan.ctas_m, tiles_n = plan.ctas_n, splits = plan.split_k;
  const std::int64_t kps = plan.k_per_split;
  const double rate = g.macs_per_cycle_per_sm[index_of(dtype)] * g.clock_hz *
                      (path == MathPath::MmaSync ? g.mma_sync_fraction : 1.0);
  if (rate <= 0) throw Error(fmt::format("GPU model: the tensor cores do not support {}", name_of(dtype)));
  const std::int64_t slots = std::int64_t{g.sms} * plan.ctas_per_sm;

  auto cta = [&](std::int64_t index) {
    const std::int64_t per_batch = tiles_m * tiles_n * splits;
    const std::int64_t bz = index / per_batch, rest = index % per_batch;
    const std::int64_t split = rest / (tiles_m * tiles_n), pid = rest % (tiles_m * tiles_n);
    const auto [tm, tn] = raster(pid, tiles_m, tiles_n);
    const std::int64_t rows = std::min<std::int64_t>(c.bm, z.m - tm * c.bm);
    const std::int64_t cols = std::min<std::int64_t>(c.bn, z.n - tn * c.bn);
    const std::int64_t k_len = std::clamp<std::int64_t>(z.k - split * kps, 0, kps);
    const std::int64_t k_iters = (k_len + c.bk - 1) / c.bk;
    Cta t;
    t.macs = double(c.bm) * double(c.bn) * double(k_iters * c.bk);
    t.a_bytes = double(rows) * double(k_len) * z.elem;
    t.b_bytes = double(cols) * double(k_len) * z.elem;
    t.out_bytes = double(rows) * double(cols) * (splits > 1 ? 4.0 : double(z.out));
    // keys: (batch, split) x (A tile rows | B tile columns | input rows), tagged by kind
    const std::uint64_t span = std::uint64_t(tiles_m + tiles_n) + (z.conv ? std::uint64_t(z.conv->n * z.conv->h) : 0);
    const std::uint64_t base = std::uint64_t(bz * splits + split) * span;
    if (z.conv)
      conv_a_pieces(*z.conv, tm * c.bm, rows, z.k > 0 ? double(k_len) / double(z.k) : 0.0, base, t.pieces);
    else
      t.pieces.push_back({(base + std::uint64_t(tm)) * 4, t.a_bytes});
    t.pieces.push_back({(base + std::uint64_t(tn)) * 4 + 1, t.b_bytes});
    return t;
  };

  KernelPrediction out;
  PanelCache cache(g.l2_bytes);
  std::vector<double> sm_macs(static_cast<std::size_t>(g.sms));
  double t_tensor = 0, t_l2 = 0, t_dram = 0;
  for (std::int64_t first = 0; first < plan.ctas; first += slots) {
    const std::int64_t count = std::min(slots, plan.ctas - first);
    std::fill(sm_macs.begin(), sm_macs.end(), 0.0);
    double l2_bytes = 0, dram_bytes = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      const Cta t = cta(first + i);
      sm_macs[static_cast<std::size_t>(i % g.sms)] += t.macs;
      l2_bytes += t.a_bytes + t.b_bytes;
      for (const Piece& piece : t.pieces)
        if (!cache.touch(piece.key, piece.bytes)) dram_bytes += piece.bytes;
      dram_bytes += t.out_bytes;
    }
    const double tensor = *std::max_element(sm_macs.begin(), sm_macs.end()) / rate;
    const double l2 = l2_bytes / g.l2_bytes_per_s, dram = dram_bytes / g.dram_bytes_per_s;
    const double wave = std::max({tensor, l2, dram});
    (wave == tensor ? t_tensor : wave == l2 ? t_l2 : t_dram) += wave;
    out.waves_s += wave + g.dram_latency_s;
    out.latency_s += g.dram_latency_s;
    out.l2_bytes += l2_bytes;
    out.dram_bytes += dram_bytes;
    ++out.waves;
  }
  out.tensor_s = t_tensor, out.l2_s = t_l2, out.dram_s = t_dram;
  out.bound = t_tensor >= t_l2 && t_tensor >= t_dram ? "tensor" : (t_l2 >= t_dram ? "l2" : "dram");
  out.launch_s = g.launch_s;
  if (splits > 1) {  // the second kernel: read the fp32 partials, write the result
    const double bytes = double(z.m) * double(z.n) * double(z.batch) * (4.0 * double(splits) + double(z.out));
    out.reduce_s = g.launch_s + g.dram_latency_s + bytes / g.dram_bytes_per_s;
    out.dram_bytes += bytes;
  }
  out.seconds = out.launch_s + out.waves_s + out.reduce_s;
  return out;
}

void check_plan(const compiler::Plan& plan, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch) {
  const auto& c = plan.cfg;
  if (c.bm <= 0 || c.bn <= 0 || c.bk <= 0 || plan.split_k <= 0)
    throw Error("GPU model: the plan has no tile configuration");
  if (plan.ctas_m != compiler::div_up(m, c.bm) || plan.ctas_n != compiler::div_up(n, c.bn) ||
      plan.ctas != plan.ctas_m * plan.ctas_n * plan.split_k * batch || plan.k_per_split * plan.split_k < k)
    throw Error(fmt::format("GPU model: the plan (tile {}x{}x{}, split-K {}, {} CTAs) does not cover the problem "
                            "{}x{}x{} x {}",
                            c.bm, c.bn, c.bk, plan.split_k, plan.ctas, m, n, k, batch));
}

}  // namespace

KernelPrediction predict_gemm(const GpuParams& g, const GemmProblem& p, const compiler::Plan& plan, MathPath path) {
  check_plan(plan, p.m, p.n, p.k, p.batch);
  return run_waves(g, {p.m, p.n, p.k, p.batch, static_cast<std::int32_t>(bytes_of(p.dtype)), p.out_bytes, nullptr},
                   plan, path, p.dtype);
}

KernelPrediction predict_conv(const GpuParams& g, const ConvProblem& p, const compiler::Plan& plan, MathPath path) {
  const GemmProblem q = p.gemm();
  check_plan(plan, q.m, q.n, q.k, 1);
  return run_waves(g, {q.m, q.n, q.k, 1, static_cast<std::int32_t>(bytes_of(p.dtype)), p.out_bytes, &p}, plan, path,
                   p.dtype);
}

KernelPrediction predict_im2col_gemm(const GpuParams& g, const ConvProblem& p, const compiler::Plan& plan) {
  const GemmProblem q = p.gemm();
  KernelPrediction r = predict_gemm(g, q, plan, MathPath::FullRate);
  const bool direct = p.r == 1 && p.s == 1 && p.stride == 1 && p.pad == 0;
  if (!direct) {  // the im2col kernel: read the input (hits after the first touch), write the matrix
    const double bytes = double(p.input_bytes()) + double(q.m) * double(q.k) * double(bytes_of(p.dtype));
    const double t = g.launch_s + g.dram_latency_s + bytes / g.dram_bytes_per_s;
    r.seconds += t;
    r.launch_s += g.launch_s;
    r.dram_bytes += bytes;
  }
  return r;
}

double roofline_seconds(const GpuParams& g, double flops, double bytes, DType dtype) {
  // the tensor cores' dense peak; FP32 without tensor cores: the FP32 lanes' FMA peak
  const double macs = g.macs_per_cycle_per_sm[index_of(dtype)] > 0 ? g.macs_per_cycle_per_sm[index_of(dtype)]
                      : dtype == DType::Fp32                        ? g.fp32_lanes_per_sm
                                                                    : 0.0;
  if (!(macs > 0)) throw Error(fmt::format("GPU model: no {} peak on this GPU", name_of(dtype)));
  const double peak = 2.0 * macs * double(g.sms) * g.clock_hz;
  return std::max(flops / peak, bytes / g.dram_bytes_per_s);
}

double roofline_gemm(const GpuParams& g, const GemmProblem& p) {
  const double e = bytes_of(p.dtype);
  const double bytes = double(p.batch) * ((double(p.m) * p.k + double(p.k) * p.n) * e + double(p.m) * p.n * p.out_bytes);
  return roofline_seconds(g, 2.0 * double(p.m) * p.n * p.k * p.batch, bytes, p.dtype);
}

double roofline_conv(const GpuParams& g, const ConvProblem& p) {
  const GemmProblem q = p.gemm();
  const double e = bytes_of(p.dtype);
  const double bytes = double(p.input_bytes()) + double(p.r * p.s * p.c * p.k) * e + double(q.m) * q.n * p.out_bytes;
  return roofline_seconds(g, 2.0 * double(q.m) * q.n * q.k, bytes, p.dtype);
}

}  // namespace npusim::compiler
