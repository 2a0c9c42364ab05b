// Library GEMM kernels on Hopper and Ampere (compiler/gpu_model.h): the kernels a cuBLAS-class
// library offers, the time of each on a problem, and the library's pick. docs/VALIDATION.md
// ("Library GEMM model") derives every term.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "base/error.h"
#include "compiler/gpu_model.h"

namespace npusim::compiler {

std::string_view name_of(MmaKind k) {
  switch (k) {
    case MmaKind::Wgmma: return "wgmma";
    case MmaKind::MmaSync: return "mma.sync";
    case MmaKind::Simt: return "simt";
  }
  return "?";
}

std::string_view name_of(TileSchedule s) {
  switch (s) {
    case TileSchedule::DataParallel: return "data-parallel";
    case TileSchedule::SplitK: return "split-k";
    case TileSchedule::StreamK: return "stream-k";
  }
  return "?";
}

std::string LibraryKernel::name() const {
  std::string s = fmt::format("{} {}x{}x{} s{}", name_of(kind), bm, bn, bk, stages);
  if (cluster_m * cluster_n > 1) s += fmt::format(" c{}x{}", cluster_m, cluster_n);
  if (persistent) s += " persistent";
  if (schedule == TileSchedule::SplitK) s += fmt::format(" split-k {}", split);
  if (schedule == TileSchedule::StreamK) s += " stream-k";
  return s;
}

namespace {

// Shared memory an epilogue stages the output through (TMA store, or the registers' shuffle).
constexpr std::int64_t kEpilogueSmemBytes = 32 * 1024;
// The swizzle of the tile order: groups of this many tile rows, so the CTAs resident together
// share A and B panels in L2 (CUTLASS and cuBLAS rasterise the same way).
constexpr std::int64_t kRasterGroup = 8;
// Split-K factors a library tries.
constexpr int kSplits[] = {2, 3, 4, 6, 8, 12, 16};

struct Tile {
  int bm, bn;
};

int elem_bytes(DType t) { return static_cast<int>(bytes_of(t)); }

// The reduction depth of a k step: 128 bytes of a row of A (one TMA box / cp.async line).
int k_step(MmaKind kind, DType t) { return kind == MmaKind::Simt ? 8 : 128 / elem_bytes(t); }

int resident_ctas(const GpuParams& g, std::int64_t smem, int threads, int regs_per_thread) {
  if (smem > g.limits.smem_per_block || threads > g.limits.max_threads_per_sm) return 0;
  std::int64_t n = g.limits.smem_per_sm / std::max<std::int64_t>(smem, 1);
  n = std::min<std::int64_t>(n, g.limits.max_threads_per_sm / threads);
  n = std::min<std::int64_t>(n, g.limits.regs_per_sm / (std::int64_t{threads} * regs_per_thread));
  return static_cast<int>(std::min<std::int64_t>(n, g.limits.max_ctas_per_sm));
}

// The deepest pipeline (at most `cap` stages) whose operand tiles and epilogue fit one CTA's
// shared memory, or 0 when not even two stages fit.
int fit_stages(const GpuParams& g, std::int64_t stage_bytes, int cap) {
  const std::int64_t room = g.limits.smem_per_block - kEpilogueSmemBytes;
  const int s = static_cast<int>(std::min<std::int64_t>(cap, room / stage_bytes));
  return s >= 2 ? s : 0;
}

void add_schedules(std::vector<LibraryKernel>& out, LibraryKernel k, bool stream_k) {
  k.schedule = TileSchedule::DataParallel;
  out.push_back(k);
  for (int s : kSplits) {
    k.schedule = TileSchedule::SplitK;
    k.split = s;
    out.push_back(k);
  }
  k.split = 1;
  if (stream_k) {
    k.schedule = TileSchedule::StreamK;
    out.push_back(k);
  }
}

}  // namespace

std::vector<LibraryKernel> library_kernels(const GpuParams& g, DType dtype) {
  std::vector<LibraryKernel> out;
  const int e = elem_bytes(dtype);
  if (dtype == DType::Fp32) {
    // SIMT sgemm (the names cuBLAS records on Ampere and Hopper: ampere_sgemm_128x64,
    // sm80_xmma_gemm_f32f32_..._tilesize128x128x8, cutlass_80_simt_sgemm_256x128_8x4): 8 x 8
    // outputs per thread (8 x 16 for the largest tiles), k steps of 8, cp.async pipelines.
    if (!(g.fp32_lanes_per_sm > 0)) throw Error("GPU model: the description has no FP32 lanes");
    for (const Tile t : {Tile{32, 32}, {64, 32}, {32, 64}, {64, 64}, {128, 32}, {32, 128}, {128, 64}, {64, 128},
                         {256, 64}, {64, 256}, {128, 128}, {256, 128}, {128, 256}}) {
      LibraryKernel k;
      k.kind = MmaKind::Simt;
      k.bm = t.bm, k.bn = t.bn, k.bk = 8;
      // each thread computes warps_m x warps_n outputs (here: its micro-tile), 8 x 8 where the
      // tile allows, 4 along a 32-wide side, 8 x 16 for the largest tiles
      k.warps_m = t.bm >= 64 ? 8 : 4;
      k.warps_n = t.bn >= 64 ? (t.bm * t.bn >= 32768 ? 16 : 8) : 4;
      k.threads = t.bm * t.bn / (k.warps_m * k.warps_n);
      const int regs = k.warps_m * k.warps_n + 2 * (k.warps_m + k.warps_n) + 40;  // accumulators, fragments, addressing
      k.stages = fit_stages(g, std::int64_t{t.bm + t.bn} * k.bk * 4, 4);
      if (k.stages == 0) continue;
      k.ctas_per_sm = resident_ctas(g, std::int64_t{k.stages} * (t.bm + t.bn) * k.bk * 4, k.threads,
                                    std::min(255, (regs + 7) / 8 * 8));
      if (k.ctas_per_sm == 0) continue;
      add_schedules(out, k, false);
    }
    return out;
  }
  if (!(g.macs_per_cycle_per_sm[index_of(dtype)] > 0))
    throw Error(fmt::format("GPU model: the tensor cores do not support {}", name_of(dtype)));
  if (g.generation == arch::GpuGeneration::Hopper) {
    // CUTLASS 3 / cuBLAS sm90 kernels: a producer warp issues TMA loads into a shared-memory
    // ring, consumer warpgroups (64 rows each) issue wgmma; one persistent CTA per SM walks the
    // tiles; clusters of two CTAs multicast the operand tile they share.
    for (const Tile t : {Tile{64, 64}, {64, 128}, {64, 256}, {128, 64}, {128, 128}, {128, 256}, {256, 128}}) {
      for (const auto& [cm, cn] : {std::pair{1, 1}, {2, 1}, {1, 2}}) {
        LibraryKernel k;
        k.kind = MmaKind::Wgmma;
        k.bm = t.bm, k.bn = t.bn, k.bk = k_step(k.kind, dtype);
        k.warps_m = std::max(1, t.bm / 64);  // consumer warpgroups
        k.threads = 128 * (k.warps_m + 1);
        k.cluster_m = cm, k.cluster_n = cn;
        k.stages = fit_stages(g, std::int64_t{t.bm + t.bn} * k.bk * e, 8);
        if (k.stages == 0) continue;
        k.ctas_per_sm = 1;
        k.persistent = true;
        add_schedules(out, k, true);
      }
    }
    return out;
  }
  // Ampere: cuBLAS / CUTLASS 2 kernels, mma.sync m16n8k16 from ldmatrix fragments, cp.async
  // multistage pipelines (ampere_bf16_s16816gemm_bf16_128x256_ldg8_f2f_stages_64x3 and kin).
  struct AmpereTile {
    int bm, bn, warps_m, warps_n, regs;
  };
  for (const AmpereTile t : {AmpereTile{256, 128, 4, 2, 232}, {128, 256, 2, 4, 232}, {128, 128, 2, 2, 232},
                             {256, 64, 4, 1, 232}, {64, 256, 1, 4, 232}, {128, 64, 2, 2, 128}, {64, 128, 2, 2, 128},
                             {64, 64, 2, 2, 128}}) {
    LibraryKernel k;
    k.kind = MmaKind::MmaSync;
    k.bm = t.bm, k.bn = t.bn, k.bk = k_step(k.kind, dtype) / 2;  // 64-byte k steps, more stages
    k.warps_m = t.warps_m, k.warps_n = t.warps_n;
    k.threads = 32 * t.warps_m * t.warps_n;
    k.stages = fit_stages(g, std::int64_t{t.bm + t.bn} * k.bk * e, 6);
    if (k.stages == 0) continue;
    k.ctas_per_sm = resident_ctas(g, std::int64_t{k.stages} * (t.bm + t.bn) * k.bk * e, k.threads, t.regs);
    if (k.ctas_per_sm == 0) continue;
    add_schedules(out, k, false);
  }
  return out;
}

namespace {

// DRAM bytes the operands cost a kernel, from the rasterised tile order: a problem whose A and B
// fit in the L2 reads them once; otherwise the tiles resident together (a group of kRasterGroup
// tile rows by as many tile columns as fit) read their panels once per wave, and a group's A rows
// stay in L2 while the group walks its columns when they fit beside B's columns of a wave.
double operand_dram_bytes(const GpuParams& g, const GemmProblem& p, const LibraryKernel& k, std::int64_t concurrent) {
  const double e = bytes_of(p.dtype);
  const double a = double(p.m) * double(p.k) * e, b = double(p.k) * double(p.n) * e;
  const std::int64_t tm = div_up(p.m, k.bm), tn = div_up(p.n, k.bn);
  const double compulsory = double(p.batch) * (a + b);
  const double l2 = g.l2_bytes;
  if (a + b <= 0.5 * l2) return compulsory;
  // the tiles of one wave: rows x cols of tiles
  const std::int64_t rows = std::min<std::int64_t>(tm, kRasterGroup);
  const std::int64_t cols = std::clamp<std::int64_t>(concurrent / std::max<std::int64_t>(rows, 1), 1, tn);
  const double a_rows = double(rows) * k.bm * double(p.k) * e;  // one group's A rows
  const double b_cols = double(cols) * k.bn * double(p.k) * e;  // one wave's B columns
  const double groups = double(div_up(tm, rows));
  // B is read once per group unless it stays in L2 across groups; A once if the group's rows
  // stay while its columns go by, else once per wave of the group
  const double b_reads = b + a_rows <= 0.5 * l2 ? b : b * groups;
  const double a_reads = a_rows + b_cols <= 0.5 * l2 ? a : a * double(div_up(tn, cols));
  const double no_reuse = double(tm) * double(tn) * (k.bm + k.bn) * double(p.k) * e;
  return std::clamp(double(p.batch) * (a_reads + b_reads), compulsory, double(p.batch) * no_reuse);
}

}  // namespace

LibraryGemmPrediction time_library_kernel(const GpuParams& g, const GemmProblem& p, const LibraryKernel& k, Timer timer) {
  if (p.m <= 0 || p.n <= 0 || p.k <= 0 || p.batch <= 0)
    throw Error(fmt::format("GPU model: empty GEMM {}x{}x{} x {}", p.m, p.n, p.k, p.batch));
  LibraryGemmPrediction r;
  r.kernel = k;
  const double e = bytes_of(p.dtype), out_e = p.out_bytes;
  const double sms = g.sms;

  // ---- one main-loop iteration (one k step of one CTA's tile) on its SM
  double rate = 0;  // MACs per second per SM
  switch (k.kind) {
    case MmaKind::Wgmma: rate = g.macs_per_cycle_per_sm[index_of(p.dtype)] * g.clock_hz * g.wgmma_fraction; break;
    case MmaKind::MmaSync: rate = g.macs_per_cycle_per_sm[index_of(p.dtype)] * g.clock_hz * g.mma_sync_fraction; break;
    case MmaKind::Simt: rate = g.fp32_lanes_per_sm * g.clock_hz * g.simt_fraction; break;
  }
  if (!(rate > 0)) throw Error(fmt::format("GPU model: no {} rate for {} on this GPU", name_of(k.kind), name_of(p.dtype)));
  const double stage_bytes = double(k.bm + k.bn) * k.bk * e;
  const double t_mma = double(k.bm) * k.bn * k.bk / rate;
  // through the L2: the CTA's share of the operand tiles (a cluster multicasts the shared one)
  const double l2_rate = g.l2_bytes_per_s / sms;
  const double t_l2 = (double(k.bm) * k.bk * e / k.cluster_n + double(k.bn) * k.bk * e / k.cluster_m) / l2_rate;
  // shared memory to the math: each consumer warpgroup (wgmma) reads its A rows and all of B;
  // each warp (mma.sync) its A rows and B columns; SIMT kernels keep it below the FMA rate
  double smem_read = 0;
  if (k.kind == MmaKind::Wgmma) smem_read = (double(k.bm) + double(k.warps_m) * k.bn) * k.bk * e;
  if (k.kind == MmaKind::MmaSync) smem_read = (double(k.warps_n) * k.bm + double(k.warps_m) * k.bn) * k.bk * e;
  // SIMT: every thread reads its micro-tile's column of A and row of B per k step
  if (k.kind == MmaKind::Simt) smem_read = double(k.threads) * (k.warps_m + k.warps_n) * k.bk * 4.0;
  const double smem_rate = g.smem_bytes_per_cycle_per_sm * g.clock_hz;
  const double t_smem = smem_rate > 0 ? smem_read / smem_rate : 0;

  // ---- the work units and the SM that gets the most
  const std::int64_t tm = div_up(p.m, k.bm), tn = div_up(p.n, k.bn);
  r.tiles = tm * tn * p.batch;
  const std::int64_t k_iters = div_up(p.k, k.bk);
  const std::int64_t slots = std::int64_t{g.sms} * k.ctas_per_sm;
  std::int64_t units = r.tiles, iters_per_unit = k_iters;
  if (k.schedule == TileSchedule::SplitK) {
    if (k.split > k_iters) return r.seconds = INFINITY, r;  // nothing to split
    units = r.tiles * k.split;
    iters_per_unit = div_up(k_iters, k.split);
  }
  r.units = units;
  r.waves = double(units) / double(k.persistent ? g.sms : slots);

  // DRAM traffic: operands by the raster, the result, fp32 partials for split-K and stream-K
  const std::int64_t concurrent = std::min(units, slots);
  const double out_bytes = double(p.m) * double(p.n) * double(p.batch) * out_e;
  const double operands = operand_dram_bytes(g, p, k, concurrent);
  r.dram_bytes = operands + out_bytes;
  const double dram_rate = g.dram_bytes_per_s * g.dram_fraction;

  // latency: a k step's loads take the DRAM latency when they miss the L2, an L2 hit's otherwise;
  // the pipeline keeps stages - 1 steps in flight per resident CTA (Little's law)
  const double l2_traffic = double(r.tiles) * (k.bm + k.bn) * double(p.k) * e;
  const double miss = std::clamp(operands / std::max(l2_traffic, 1.0), 0.0, 1.0);
  const double latency = miss * g.dram_latency_s + (1 - miss) * g.l2_latency_s;
  const int resident = static_cast<int>(std::min<std::int64_t>(k.ctas_per_sm, div_up(units, g.sms)));
  const double t_latency = latency / (double(k.stages - 1) * std::max(resident, 1));

  const double t_iter = std::max({t_mma, t_l2, t_smem, t_latency});
  r.bound = t_iter == t_mma ? "tensor" : t_iter == t_l2 ? "l2" : t_iter == t_smem ? "smem" : "latency";
  if (k.kind == MmaKind::Simt && r.bound == "tensor") r.bound = "fma";

  // per unit: the prologue (the first stage arrives) and the epilogue (the tile leaves through
  // the L2: the output, or fp32 partials for split-K)
  const double t_pro = g.dram_latency_s + stage_bytes / l2_rate;
  const double unit_out_e = k.schedule == TileSchedule::SplitK ? 4.0 : out_e;
  const double t_epi = double(k.bm) * k.bn * unit_out_e / l2_rate;
  const double t_main = double(iters_per_unit) * t_iter;
  // exposed per unit: a persistent CTA's producer loads the next tile during the epilogue, so
  // only the epilogue shows; resident CTAs of a non-persistent kernel hide each other's
  // prologues and epilogues behind their main loops
  double exposed = 0;
  if (k.persistent)
    exposed = t_epi;
  else
    exposed = std::max(0.0, t_pro + t_epi - double(resident - 1) * t_main);

  // the busiest SM
  double sm = 0;
  if (k.schedule == TileSchedule::StreamK) {
    // CUTLASS's data-parallel + stream-K hybrid: whole waves of tiles, then the remaining tiles'
    // k iterations (with one extra wave's worth, so no SM idles) shared evenly over all SMs; a
    // shared tile's partial sums pass through the L2 once each way
    const std::int64_t full = units / g.sms;
    if (units % g.sms == 0) return r.seconds = INFINITY, r;  // no tail: plain data-parallel
    const std::int64_t dp_waves = std::max<std::int64_t>(full - 1, 0);
    const std::int64_t sk_tiles = units - dp_waves * g.sms;
    const double sk_iters = std::ceil(double(sk_tiles) * double(k_iters) / sms);
    const double fixup = 2.0 * double(k.bm) * k.bn * 4.0 / l2_rate;
    r.main_s = double(dp_waves) * t_main + sk_iters * t_iter;
    sm = r.main_s + double(dp_waves) * exposed + t_pro + t_epi + fixup;
  } else {
    const std::int64_t per_sm = div_up(units, g.sms);
    r.main_s = double(per_sm) * t_main;
    sm = r.main_s + double(per_sm) * exposed + (k.persistent ? t_pro : 0.0);
  }
  r.sm_s = sm;
  r.dram_s = g.dram_latency_s + r.dram_bytes / dram_rate;

  // split-K's reduction: a second kernel reads the fp32 partials (from the L2 when they fit)
  // and writes the result
  if (k.schedule == TileSchedule::SplitK) {
    const double partials = double(p.m) * double(p.n) * double(p.batch) * 4.0 * k.split;
    const double from = partials <= 0.5 * g.l2_bytes ? g.l2_bytes_per_s : dram_rate;
    r.reduce_s = g.launch_s + partials / from + out_bytes / dram_rate;
    // the partials written in the main kernel leave through the L2 like an output
  }
  r.launch_s = timer == Timer::Events ? g.launch_s : 0.0;
  const double body = std::max(r.sm_s, r.dram_s);
  if (r.dram_s > r.sm_s) r.bound = "dram";
  r.seconds = r.launch_s + g.kernel_fixed_s + body + r.reduce_s;
  return r;
}

LibraryGemmPrediction predict_library_gemm(const GpuParams& g, const GemmProblem& p, Timer timer) {
  // A library's heuristic ranks its kernels by their efficiency and takes the largest tile that
  // is about as fast as the fastest: among the kernels within kChoiceTolerance of the fastest,
  // the largest CTA tile, then the fewest splits, then the plainest schedule.
  constexpr double kChoiceTolerance = 0.03;
  std::vector<LibraryGemmPrediction> all;
  double fastest = INFINITY;
  for (const LibraryKernel& k : library_kernels(g, p.dtype)) {
    all.push_back(time_library_kernel(g, p, k, timer));
    fastest = std::min(fastest, all.back().seconds);
  }
  if (!std::isfinite(fastest))
    throw Error(fmt::format("GPU model: no library kernel runs {}x{}x{} {}", p.m, p.n, p.k, name_of(p.dtype)));
  const LibraryGemmPrediction* pick = nullptr;
  auto rank = [](const LibraryGemmPrediction& r) {
    return std::tuple{-std::int64_t{r.kernel.bm} * r.kernel.bn, r.kernel.split, static_cast<int>(r.kernel.schedule),
                      r.seconds};
  };
  for (const LibraryGemmPrediction& r : all)
    if (r.seconds <= fastest * (1 + kChoiceTolerance) && (!pick || rank(r) < rank(*pick))) pick = &r;
  return *pick;
}

}  // namespace npusim::compiler
