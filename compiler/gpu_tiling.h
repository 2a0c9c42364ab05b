// The GPU tiling path: the exact plan a GPU GEMM kernel of this project runs, so that npusim
// predicts the plan the kernel executes. Header-only and free of npusim types, so the CUDA
// kernels and the harness (validate/) include the very same table and chooser.
//
// A plan: the CTA tile BM x BN x BK, the cp.async pipeline depth, the warp layout, split-K, and
// how the CTAs cover the SMs: CTAs per SM (bounded by shared memory, threads and the kernel's
// register budget) and waves = ceil(CTAs / (SMs x CTAs per SM)).
#pragma once

#include <array>
#include <cstdint>

namespace npusim::compiler {

struct TileConfig {
  int bm, bn, bk;          // CTA tile
  int stages;              // cp.async pipeline depth
  int warps_m, warps_n;    // warp grid of a CTA (each warp computes (bm/warps_m) x (bn/warps_n))
  int id;                  // stable index, recorded with every measurement
  int regs;                // registers allocated per thread (a multiple of 8, the allocation unit):
                           // the kernel's __launch_bounds__ asks for regs_per_sm / (threads x regs)
                           // CTAs per SM, which caps what the compiler may use (255 at most)
  constexpr int threads() const { return 32 * warps_m * warps_n; }
  // shared memory of the pipeline: `stages` copies of the A (bm x bk) and B (bk x bn) tiles
  constexpr std::int64_t smem_bytes(int elem_bytes) const {
    return std::int64_t{stages} * (std::int64_t{bm} * bk + std::int64_t{bk} * bn) * elem_bytes;
  }
};

// The configurations the project's GEMM kernel is instantiated with (validate/kernels). Each
// satisfies the kernel's static_asserts: warp tiles are multiples of the 16x8x16 mma.sync shape.
// regs: a 64x64 warp tile holds 128 fp32 accumulators per thread and compiles to 243-255
// registers (256 allocated); the smaller warp tiles fit 128 (nvcc -Xptxas -v on validate/kernels,
// or cmake -DNPUSIM_CUDA_RESOURCE_USAGE=ON, shows each instantiation's count).
inline constexpr std::array<TileConfig, 5> kGemmConfigs = {{
    {128, 128, 32, 4, 2, 2, 0, 256},  // the workhorse: 4 warps, 64x64 per warp
    {128, 256, 32, 3, 2, 4, 1, 256},  // large N: 8 warps
    {256, 128, 32, 3, 4, 2, 2, 256},  // large M: 8 warps
    {64, 128, 32, 4, 2, 2, 3, 128},   // small M
    {64, 64, 64, 4, 2, 2, 4, 128},    // small problems: more CTAs
}};

struct GpuLimits {
  int sms = 132;
  std::int64_t smem_per_sm = 228 * 1024;      // shared memory per SM
  std::int64_t smem_per_block = 227 * 1024;   // per CTA (opt-in maximum)
  int max_threads_per_sm = 2048;
  int max_ctas_per_sm = 32;
  int regs_per_sm = 65536;
  int regs_per_thread = 128;                  // register budget of a configuration with regs == 0
  // The chooser's balance of compute and data movement: tensor-core MACs an SM completes in the
  // time it moves one byte from L2. H100: 2048 dense bf16 MACs per clock per SM against about
  // 32 B per clock per SM of L2 bandwidth (about 7.4 TB/s at 1.755 GHz over 132 SMs).
  int macs_per_l2_byte = 64;
};

struct Plan {
  TileConfig cfg{};
  int split_k = 1;
  std::int64_t batch = 1;                         // independent GEMMs of one launch (batched matmul)
  std::int64_t ctas_m = 0, ctas_n = 0, ctas = 0;  // ctas = ctas_m x ctas_n x split_k x batch
  int ctas_per_sm = 0;
  std::int64_t waves = 0;
  std::int64_t k_per_split = 0;                   // K elements each split reduces
};

constexpr std::int64_t div_up(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The kernel's rasterization: CTA index -> output tile in groups of this many tile rows (the
// CTAs resident together share A and B panels in L2); the GPU model follows the same order.
inline constexpr int kRasterGroupM = 8;

constexpr int ctas_per_sm(const TileConfig& c, int elem_bytes, const GpuLimits& g) {
  const std::int64_t smem = c.smem_bytes(elem_bytes);
  if (smem > g.smem_per_block) return 0;
  const std::int64_t regs = c.regs > 0 ? c.regs : g.regs_per_thread;
  std::int64_t n = g.smem_per_sm / smem;
  n = n < g.max_threads_per_sm / c.threads() ? n : g.max_threads_per_sm / c.threads();
  n = n < g.regs_per_sm / (c.threads() * regs) ? n : g.regs_per_sm / (c.threads() * regs);
  n = n < g.max_ctas_per_sm ? n : g.max_ctas_per_sm;
  return static_cast<int>(n);
}

constexpr Plan make_plan(std::int64_t m, std::int64_t n, std::int64_t k, const TileConfig& c, int split_k, int elem_bytes,
                         const GpuLimits& g, std::int64_t batch = 1) {
  Plan p;
  p.cfg = c;
  p.split_k = split_k;
  p.batch = batch;
  p.ctas_m = div_up(m, c.bm);
  p.ctas_n = div_up(n, c.bn);
  p.ctas = p.ctas_m * p.ctas_n * split_k * batch;
  p.ctas_per_sm = ctas_per_sm(c, elem_bytes, g);
  const std::int64_t slots = std::int64_t{g.sms} * (p.ctas_per_sm > 0 ? p.ctas_per_sm : 1);
  p.waves = div_up(p.ctas, slots);
  p.k_per_split = div_up(div_up(k, split_k), c.bk) * c.bk;
  return p;
}

// The plan the project's GEMM kernel uses for C (m x n) = A (m x k) B (k x n) with `elem_bytes`
// operands: among the configurations, the one whose busiest SM has the least to do, ties to the
// earlier configuration. The busiest SM runs ceil(CTAs / SMs) CTAs one after another or side by
// side (they share its tensor cores either way); each costs the larger of its MACs (the whole
// tile, padding included, over its share of k) and the bytes of its A and B panels times
// macs_per_l2_byte, so bigger tiles win where they reuse more and lose where they pad more.
// split-K (2, 4 or 8) only when the grid would fill less than half of one wave and k is at least
// 16 x split x BK.
// batch: a batched matmul of `batch` independent m x n x k products in one launch (its CTAs count
// towards the waves, so a batch that fills the GPU needs no split-K).
constexpr Plan choose_plan(std::int64_t m, std::int64_t n, std::int64_t k, int elem_bytes, const GpuLimits& g = {},
                           std::int64_t batch = 1) {
  Plan best{};
  double best_cost = -1;
  for (const TileConfig& c : kGemmConfigs) {
    if (ctas_per_sm(c, elem_bytes, g) == 0) continue;
    for (int split : {1, 2, 4, 8}) {
      if (split > 1) {
        const Plan one = make_plan(m, n, k, c, 1, elem_bytes, g, batch);
        if (2 * one.ctas >= std::int64_t{g.sms} * one.ctas_per_sm) break;
        if (k < 16LL * split * c.bk) break;
      }
      const Plan p = make_plan(m, n, k, c, split, elem_bytes, g, batch);
      const double per_sm = double(div_up(p.ctas, g.sms));
      const double macs = double(c.bm) * double(c.bn) * double(p.k_per_split);
      const double bytes = double(c.bm + c.bn) * double(p.k_per_split) * double(elem_bytes);
      const double cost = per_sm * (macs > bytes * g.macs_per_l2_byte ? macs : bytes * g.macs_per_l2_byte);
      if (best_cost < 0 || cost < best_cost) best = p, best_cost = cost;
    }
  }
  return best;
}

}  // namespace npusim::compiler
