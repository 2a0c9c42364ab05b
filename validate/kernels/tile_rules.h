// The rules a tile configuration of compiler/gpu_tiling.h must satisfy for the project's
// tensor-core GEMM (gemm.cuh), and the configurations the kernels are instantiated with.
// Host-only C++ (no CUDA): gemm.cuh static_asserts these rules on every instantiation, and the
// tests (tests/validate) check them, and that every plan choose_plan returns for the shape
// suite names an instantiated configuration, on machines without nvcc.
#pragma once

#include <array>
#include <cstdint>

#include "compiler/gpu_tiling.h"

namespace npusim::validate::kernels {

// The mma.sync instruction the kernel issues: m16n8k16 (bf16 or fp16 in, fp32 accumulate).
inline constexpr int kMmaM = 16, kMmaN = 8, kMmaK = 16;
// One cp.async copies 16 bytes: 8 two-byte elements.
inline constexpr int kChunkElems = 8;
inline constexpr int kRegsPerSm = 65536;  // sm_90
inline constexpr int kMaxRegsPerThread = 255;  // usable; allocated in units of 8 (256 per warp)
inline constexpr int kMaxRegsAllocated = 256;

// The minimum CTAs per SM the kernel asks of the compiler (__launch_bounds__), from the
// configuration's register budget: regs_per_sm / (threads x regs).
constexpr int min_ctas_for_regs(const compiler::TileConfig& c) {
  const int n = kRegsPerSm / (c.threads() * c.regs);
  return n < 1 ? 1 : n;
}

// Every rule the kernel static_asserts, as one predicate (elem_bytes: 2 for bf16/fp16).
constexpr bool tile_config_ok(const compiler::TileConfig& c) {
  if (c.bm <= 0 || c.bn <= 0 || c.bk <= 0 || c.warps_m <= 0 || c.warps_n <= 0) return false;
  if (c.stages < 2) return false;                                   // a pipeline needs 2 stages
  if (c.bm % (c.warps_m * kMmaM) != 0) return false;                // warp tile rows: whole m16 tiles
  if (c.bn % (c.warps_n * 2 * kMmaN) != 0) return false;            // warp tile cols: pairs of n8 tiles (ldmatrix.x4)
  if (c.bk % kMmaK != 0) return false;                              // whole k16 steps
  const int w_a = c.bk / kChunkElems, w_b = c.bn / kChunkElems;     // 16-byte chunks per smem row
  if (!(w_a == 2 || w_a == 4 || w_a % 8 == 0)) return false;        // the XOR swizzle's row widths
  if (!(w_b == 2 || w_b == 4 || w_b % 8 == 0)) return false;
  if ((c.bm * c.bk / kChunkElems) % c.threads() != 0) return false;  // A chunks spread evenly over threads
  if ((c.bk * c.bn / kChunkElems) % c.threads() != 0) return false;  // B chunks likewise
  if (c.regs < 32 || c.regs > kMaxRegsAllocated || c.regs % 8 != 0) return false;
  if (c.threads() > 1024) return false;
  return true;
}

// The configurations (ids into kGemmConfigs) the GEMM and the implicit-GEMM convolution are
// instantiated with, for bf16 and fp16: all of them. The .cu files instantiate exactly this list.
inline constexpr std::array<int, 5> kInstantiatedConfigIds = {0, 1, 2, 3, 4};

constexpr bool is_instantiated(int id) {
  for (int i : kInstantiatedConfigIds)
    if (i == id) return true;
  return false;
}

}  // namespace npusim::validate::kernels
