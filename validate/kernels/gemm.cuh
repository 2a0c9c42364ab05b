// The project's tensor-core GEMM: C = A x B, bf16 or fp16 operands, fp32 accumulation, C in the
// operand type or in fp32.
//
//   A: m x k, row-major (lda); B: k x n, row-major (ldb); C: m x n, row-major (ldc); `batch`
//   independent products one launch apart by stride_a/b/c elements (batched matmul).
//
// The CTA tile (BM x BN x BK), the cp.async pipeline depth and the warp grid are template
// parameters (a Tile), instantiated only with the configurations of compiler/gpu_tiling.h, so the
// kernel runs exactly the Plan that compiler::choose_plan returns and that npusim predicts:
//   grid = (ctas_m x ctas_n, split_k, batch), one CTA per BM x BN output tile and K split;
//   __launch_bounds__(threads, regs_per_sm / (threads x regs)) holds the register budget, so the
//   CTAs per SM are the plan's (the harness checks this against the occupancy API);
//   split_k > 1: each split writes an fp32 partial tile, a second kernel sums the splits in order
//   (deterministic) and converts to the output type.
//
// Main loop (per CTA): a `stages`-deep ring of shared-memory A and B tiles filled by 16-byte
// cp.async (zero-filled past the edges of the matrices: M, N and K need not be multiples of the
// tile); each warp loads its fragments with ldmatrix (.trans for B) from XOR-swizzled tiles (no
// bank conflicts, no padding: the shared memory is exactly TileConfig::smem_bytes) and issues
// mma.sync.m16n8k16. Where a row is not 16-byte aligned (k or n not a multiple of 8, as for
// k = 1021) that operand falls back to predicated element loads, still correct, not overlapped.
//
// The A operand comes from a loader class: DenseA (a matrix) here, the implicit-GEMM im2col
// gather of a convolution in conv2d.cuh; B and the epilogue are shared.
//
// The kernel (gemm_kernel) is its parts, each a force-inlined device function: cta_tile (the
// CTA's output tile and K range), the operand loaders (DenseA / conv2d.cuh's, DenseB), mainloop
// (the cp.async ring and the mma.sync), store_output (C, or the split's fp32 partial tile).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "compiler/gpu_tiling.h"
#include "validate/kernels/convert.cuh"
#include "validate/kernels/kernel_params.h"
#include "validate/kernels/tile_rules.h"

namespace npusim::validate::kernels {

// ---------------------------------------------------------------------------------------------
// Types

template <class T>
struct MmaOperand;  // bf16 or fp16 only
template <>
struct MmaOperand<__nv_bfloat16> {};
template <>
struct MmaOperand<__half> {};

// two adjacent outputs, one aligned store
template <class T>
__device__ __forceinline__ void store_pair(T* p, float v0, float v1);
template <>
__device__ __forceinline__ void store_pair<float>(float* p, float v0, float v1) {
  *reinterpret_cast<float2*>(p) = make_float2(v0, v1);
}
template <>
__device__ __forceinline__ void store_pair<__nv_bfloat16>(__nv_bfloat16* p, float v0, float v1) {
  *reinterpret_cast<__nv_bfloat162*>(p) = __floats2bfloat162_rn(v0, v1);
}
template <>
__device__ __forceinline__ void store_pair<__half>(__half* p, float v0, float v1) {
  *reinterpret_cast<__half2*>(p) = __floats2half2_rn(v0, v1);
}

// ---------------------------------------------------------------------------------------------
// PTX wrappers

namespace ptx {

__device__ __forceinline__ std::uint32_t smem_addr(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

// 16-byte global -> shared copy; src_bytes = 0 fills the 16 bytes with zeros (reads nothing)
__device__ __forceinline__ void cp_async_16(std::uint32_t dst, const void* src, bool valid) {
  const int src_bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

__device__ __forceinline__ void ldmatrix_x4(std::uint32_t (&r)[4], std::uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldmatrix_x4_trans(std::uint32_t (&r)[4], std::uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

template <class T>
__device__ __forceinline__ void mma_16816(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1);
template <>
__device__ __forceinline__ void mma_16816<__nv_bfloat16>(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0,
                                                         std::uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
template <>
__device__ __forceinline__ void mma_16816<__half>(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0,
                                                  std::uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

}  // namespace ptx

// ---------------------------------------------------------------------------------------------
// The tile: a configuration of gpu_tiling.h as compile-time constants, with the kernel's rules

template <int BM_, int BN_, int BK_, int STAGES_, int WARPS_M_, int WARPS_N_, int REGS_>
struct Tile {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, STAGES = STAGES_, WARPS_M = WARPS_M_, WARPS_N = WARPS_N_;
  static constexpr int THREADS = 32 * WARPS_M * WARPS_N;
  static constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;  // warp tile
  static constexpr int MT = WM / kMmaM, NT = WN / kMmaN;      // mma tiles per warp
  static constexpr int A_W = BK / kChunkElems, B_W = BN / kChunkElems;  // 16-byte chunks per smem row
  static constexpr int A_PER_THREAD = BM * BK / kChunkElems / THREADS;
  static constexpr int B_PER_THREAD = BK * BN / kChunkElems / THREADS;
  static constexpr int MIN_CTAS = kRegsPerSm / (THREADS * REGS_) > 0 ? kRegsPerSm / (THREADS * REGS_) : 1;
  static constexpr int SMEM_ELEMS = STAGES * (BM * BK + BK * BN);

  static_assert(STAGES >= 2, "the cp.async pipeline needs at least two stages");
  static_assert(BM % (WARPS_M * kMmaM) == 0, "BM must split into warp tiles of whole m16 mma tiles");
  static_assert(BN % (WARPS_N * 2 * kMmaN) == 0, "BN must split into warp tiles of pairs of n8 mma tiles");
  static_assert(BK % kMmaK == 0, "BK must be a multiple of the mma's k16");
  static_assert(A_W == 2 || A_W == 4 || A_W % 8 == 0, "BK/8 must be 2, 4 or a multiple of 8 (swizzle)");
  static_assert(B_W == 2 || B_W == 4 || B_W % 8 == 0, "BN/8 must be 2, 4 or a multiple of 8 (swizzle)");
  static_assert((BM * BK / kChunkElems) % THREADS == 0, "A tile chunks must spread evenly over the threads");
  static_assert((BK * BN / kChunkElems) % THREADS == 0, "B tile chunks must spread evenly over the threads");
  static_assert(THREADS <= 1024, "at most 32 warps per CTA");
  static_assert(REGS_ >= 32 && REGS_ <= kMaxRegsAllocated && REGS_ % 8 == 0, "register budget out of range");
};

template <int Id>
struct TileOf {
  static constexpr compiler::TileConfig c = compiler::kGemmConfigs[Id];
  static_assert(c.id == Id, "kGemmConfigs[i].id must be i");
  static_assert(tile_config_ok(c), "a configuration of gpu_tiling.h breaks the kernel's rules (tile_rules.h)");
  using type = Tile<c.bm, c.bn, c.bk, c.stages, c.warps_m, c.warps_n, c.regs>;
};

// Offset (elements) of chunk `chunk` (8 elements) of row `row` in a swizzled tile with W chunks
// per row: for 8 consecutive rows read at one logical chunk (one ldmatrix phase), the physical
// chunks land in 8 different groups of 4 banks.
template <int W>
__device__ __forceinline__ int swizzled(int row, int chunk) {
  int phys;
  if constexpr (W % 8 == 0) {
    phys = (chunk & ~7) | ((chunk ^ row) & 7);
  } else if constexpr (W == 4) {
    phys = chunk ^ ((row >> 1) & 3);
  } else {
    phys = chunk ^ ((row >> 2) & 1);
  }
  return row * W * kChunkElems + phys * kChunkElems;
}

// ---------------------------------------------------------------------------------------------
// Operand loaders: global -> one shared-memory stage

template <class Tl, class T>
struct DenseA {
  const T* base;                     // any valid address (cp.async of 0 bytes still takes one)
  const T* rows[Tl::A_PER_THREAD];   // this thread's chunk rows (null past m)
  int row[Tl::A_PER_THREAD], chunk[Tl::A_PER_THREAD];
  bool vec;

  __device__ DenseA(const GemmParams& p, const ConvGeometry&, int m0, int bz, int tid)
      : base(static_cast<const T*>(p.a)), vec(p.vec_a != 0) {
    const T* a = base + bz * p.stride_a;
#pragma unroll
    for (int i = 0; i < Tl::A_PER_THREAD; ++i) {
      const int id = tid + i * Tl::THREADS;
      row[i] = id / Tl::A_W;
      chunk[i] = id % Tl::A_W;
      const int gm = m0 + row[i];
      rows[i] = gm < p.m ? a + gm * p.lda : nullptr;
    }
  }

  __device__ __forceinline__ void load(T* s, int k0, int k_end, const GemmParams&, const ConvGeometry&) const {
#pragma unroll
    for (int i = 0; i < Tl::A_PER_THREAD; ++i) {
      T* dst = s + swizzled<Tl::A_W>(row[i], chunk[i]);
      const int gk = k0 + chunk[i] * kChunkElems;
      if (vec) {
        const bool ok = rows[i] != nullptr && gk < k_end;
        ptx::cp_async_16(ptx::smem_addr(dst), ok ? rows[i] + gk : base, ok);
      } else {
        alignas(16) T v[kChunkElems];
#pragma unroll
        for (int e = 0; e < kChunkElems; ++e)
          v[e] = (rows[i] != nullptr && gk + e < k_end) ? rows[i][gk + e] : from_float<T>(0.f);
        *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(v);
      }
    }
  }
};

template <class Tl, class T>
struct DenseB {
  const T* b;  // this CTA's column block, row k = 0
  long long ldb;
  int n_left;  // columns from n0 to n
  int row[Tl::B_PER_THREAD], chunk[Tl::B_PER_THREAD];
  bool vec;

  __device__ DenseB(const GemmParams& p, int n0, int bz, int tid)
      : b(static_cast<const T*>(p.b) + bz * p.stride_b + n0), ldb(p.ldb), n_left(p.n - n0), vec(p.vec_b != 0) {
#pragma unroll
    for (int i = 0; i < Tl::B_PER_THREAD; ++i) {
      const int id = tid + i * Tl::THREADS;
      row[i] = id / Tl::B_W;
      chunk[i] = id % Tl::B_W;
    }
  }

  __device__ __forceinline__ void load(T* s, int k0, int k_end) const {
#pragma unroll
    for (int i = 0; i < Tl::B_PER_THREAD; ++i) {
      T* dst = s + swizzled<Tl::B_W>(row[i], chunk[i]);
      const int gk = k0 + row[i];
      const int cn = chunk[i] * kChunkElems;
      const T* src = b + gk * ldb + cn;
      if (vec) {
        const bool ok = gk < k_end && cn < n_left;
        ptx::cp_async_16(ptx::smem_addr(dst), ok ? src : b, ok);
      } else {
        alignas(16) T v[kChunkElems];
#pragma unroll
        for (int e = 0; e < kChunkElems; ++e) v[e] = (gk < k_end && cn + e < n_left) ? src[e] : from_float<T>(0.f);
        *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(v);
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// The kernel

// CTA index -> output tile, in groups of kGroupM tile rows so that the CTAs resident at one time
// share A and B panels in L2 (grouped rasterization)
inline constexpr int kGroupM = compiler::kRasterGroupM;


// The output tile and K range of this CTA: blockIdx.x walks the output tiles in groups of kGroupM
// tile rows (grouped rasterization), blockIdx.y is the K split, blockIdx.z the batch.
struct CtaTile {
  int m0, n0;            // first output row and column
  int split, bz;         // K split and batch index
  int k_begin, k_end;    // this split's K range
  int k_tiles;           // BK tiles in it
};

template <class Tl>
__device__ __forceinline__ CtaTile cta_tile(const GemmParams& p) {
  CtaTile t;
  const int pid = static_cast<int>(blockIdx.x);
  const int in_group = kGroupM * p.tiles_n;
  const int first_m = (pid / in_group) * kGroupM;
  const int group_m = min(p.tiles_m - first_m, kGroupM);
  const int tile_m = first_m + (pid % in_group) % group_m;
  const int tile_n = (pid % in_group) / group_m;
  t.m0 = tile_m * Tl::BM, t.n0 = tile_n * Tl::BN;
  t.split = static_cast<int>(blockIdx.y), t.bz = static_cast<int>(blockIdx.z);
  t.k_begin = t.split * p.k_per_split;
  t.k_end = min(p.k, t.k_begin + p.k_per_split);
  t.k_tiles = t.k_end > t.k_begin ? (t.k_end - t.k_begin + Tl::BK - 1) / Tl::BK : 0;
  return t;
}

// The main loop: the cp.async ring of STAGES shared-memory A and B tiles (the first STAGES - 1
// filled up front), and per BK tile, each warp's ldmatrix fragments and mma.sync into `acc` (the
// warp tile's MT x NT accumulators of 4 floats).
template <class Tl, class T, class ALoader, class BLoader>
__device__ __forceinline__ void mainloop(const GemmParams& p, const ConvGeometry& g, const CtaTile& t,
                                         const ALoader& a_load, const BLoader& b_load, T* const sA, T* const sB,
                                         int lane, int warp_m, int warp_n, float (&acc)[Tl::MT][Tl::NT][4]) {
  // prologue: fill stages 0 .. STAGES-2
#pragma unroll
  for (int s = 0; s < Tl::STAGES - 1; ++s) {
    if (s < t.k_tiles) {
      a_load.load(sA + s * Tl::BM * Tl::BK, t.k_begin + s * Tl::BK, t.k_end, p, g);
      b_load.load(sB + s * Tl::BK * Tl::BN, t.k_begin + s * Tl::BK, t.k_end);
    }
    ptx::cp_async_commit();
  }

  // per-lane parts of the ldmatrix addresses
  const int a_row = warp_m * Tl::WM + (lane & 15);  // + mt * 16
  const int a_chunk = lane >> 4;                    // + kk * 2
  const int b_row = lane & 15;                      // + kk * 16
  const int b_chunk = (warp_n * Tl::WN) / kChunkElems + (lane >> 4);  // + pair * 2

  int read_stage = 0, write_stage = Tl::STAGES - 1;
  for (int kt = 0; kt < t.k_tiles; ++kt) {
    ptx::cp_async_wait<Tl::STAGES - 2>();
    __syncthreads();  // tile kt is in shared memory; everyone is done with the stage written next

    const int next = kt + Tl::STAGES - 1;
    if (next < t.k_tiles) {
      a_load.load(sA + write_stage * Tl::BM * Tl::BK, t.k_begin + next * Tl::BK, t.k_end, p, g);
      b_load.load(sB + write_stage * Tl::BK * Tl::BN, t.k_begin + next * Tl::BK, t.k_end);
    }
    ptx::cp_async_commit();

    const T* const a_s = sA + read_stage * Tl::BM * Tl::BK;
    const T* const b_s = sB + read_stage * Tl::BK * Tl::BN;
#pragma unroll
    for (int kk = 0; kk < Tl::BK / kMmaK; ++kk) {
      // the B fragments of the warp tile, then A one m16 tile at a time
      std::uint32_t bf[Tl::NT][2];
#pragma unroll
      for (int pr = 0; pr < Tl::NT / 2; ++pr) {
        std::uint32_t r[4];
        ptx::ldmatrix_x4_trans(r, ptx::smem_addr(b_s + swizzled<Tl::B_W>(kk * kMmaK + b_row, b_chunk + pr * 2)));
        bf[2 * pr][0] = r[0];
        bf[2 * pr][1] = r[1];
        bf[2 * pr + 1][0] = r[2];
        bf[2 * pr + 1][1] = r[3];
      }
#pragma unroll
      for (int mt = 0; mt < Tl::MT; ++mt) {
        std::uint32_t af[4];
        ptx::ldmatrix_x4(af, ptx::smem_addr(a_s + swizzled<Tl::A_W>(a_row + mt * kMmaM, kk * 2 + a_chunk)));
#pragma unroll
        for (int nt = 0; nt < Tl::NT; ++nt) ptx::mma_16816<T>(acc[mt][nt], af, bf[nt][0], bf[nt][1]);
      }
    }
    read_stage = read_stage == Tl::STAGES - 1 ? 0 : read_stage + 1;
    write_stage = write_stage == Tl::STAGES - 1 ? 0 : write_stage + 1;
  }
  ptx::cp_async_wait<0>();
}

// The epilogue's walk over the warp tile's outputs: the accumulator of mma tile (mt, nt) holds
// rows g, g+8 and columns 2t, 2t+1 of its 16 x 8 block (g = lane / 4, t = lane % 4). For every
// row below p.m, `row_ptr(row)` gives the row's output, then `store(out_row, col, v0, v1)` takes
// each pair of adjacent outputs (columns col and col + 1, either of which may lie past p.n).
template <class Tl, class RowPtr, class Store>
__device__ __forceinline__ void for_each_output_pair(const GemmParams& p, int row_base, int col_base,
                                                     const float (&acc)[Tl::MT][Tl::NT][4], RowPtr row_ptr,
                                                     Store store) {
#pragma unroll
  for (int mt = 0; mt < Tl::MT; ++mt)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = row_base + mt * kMmaM + h * 8;
      if (row >= p.m) continue;
      auto* const out_row = row_ptr(row);
#pragma unroll
      for (int nt = 0; nt < Tl::NT; ++nt) {
        const int col = col_base + nt * kMmaN;
        store(out_row, col, acc[mt][nt][2 * h], acc[mt][nt][2 * h + 1]);
      }
    }
}

// The output tile to C in its type (split_k == 1), or to this split's fp32 partial tile.
template <class Tl, class OutT>
__device__ __forceinline__ void store_output(const GemmParams& p, const CtaTile& t, int lane, int warp_m, int warp_n,
                                             const float (&acc)[Tl::MT][Tl::NT][4]) {
  const int row_base = t.m0 + warp_m * Tl::WM + (lane >> 2);
  const int col_base = t.n0 + warp_n * Tl::WN + (lane & 3) * 2;
  if (p.split_k == 1) {
    OutT* const c = static_cast<OutT*>(p.c) + t.bz * p.stride_c;
    for_each_output_pair<Tl>(
        p, row_base, col_base, acc, [&](int row) { return c + row * p.ldc; },
        [&](OutT* const crow, int col, float v0, float v1) {
          if (p.vec_c && col + 1 < p.n) {
            store_pair<OutT>(crow + col, v0, v1);
          } else {
            if (col < p.n) crow[col] = from_float<OutT>(v0);
            if (col + 1 < p.n) crow[col + 1] = from_float<OutT>(v1);
          }
        });
  } else {
    float* const part = p.partial + (static_cast<long long>(t.bz) * p.split_k + t.split) * p.m * p.n;
    for_each_output_pair<Tl>(
        p, row_base, col_base, acc, [&](int row) { return part + static_cast<long long>(row) * p.n; },
        [&](float* const prow, int col, float v0, float v1) {
          if ((p.n & 1) == 0 && col + 1 < p.n) {
            store_pair<float>(prow + col, v0, v1);
          } else {
            if (col < p.n) prow[col] = v0;
            if (col + 1 < p.n) prow[col + 1] = v1;
          }
        });
  }
}

// One CTA: its tile and K range, the operand loaders, the main loop, the epilogue.
template <class Tl, class T, class OutT, template <class, class> class ALoad>
__global__ void __launch_bounds__(Tl::THREADS, Tl::MIN_CTAS) gemm_kernel(const GemmParams p, const ConvGeometry g) {
  extern __shared__ __align__(128) unsigned char smem_raw[];
  T* const sA = reinterpret_cast<T*>(smem_raw);
  T* const sB = sA + Tl::STAGES * Tl::BM * Tl::BK;

  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid & 31, warp = tid >> 5;
  const int warp_m = warp / Tl::WARPS_N, warp_n = warp % Tl::WARPS_N;
  const CtaTile t = cta_tile<Tl>(p);

  const ALoad<Tl, T> a_load(p, g, t.m0, t.bz, tid);
  const DenseB<Tl, T> b_load(p, t.n0, t.bz, tid);

  float acc[Tl::MT][Tl::NT][4];
#pragma unroll
  for (int i = 0; i < Tl::MT; ++i)
#pragma unroll
    for (int j = 0; j < Tl::NT; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.f;

  mainloop<Tl, T>(p, g, t, a_load, b_load, sA, sB, lane, warp_m, warp_n, acc);
  store_output<Tl, OutT>(p, t, lane, warp_m, warp_n, acc);
}

// Sums the split-K partials in split order (deterministic) and converts to the output type.
template <class OutT>
__global__ void split_k_reduce(const GemmParams p) {
  const long long mn = static_cast<long long>(p.m) * p.n;
  const long long total = mn * p.batch;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long bz = i / mn, e = i % mn;
    const float* src = p.partial + bz * p.split_k * mn + e;
    float s = 0.f;
    for (int j = 0; j < p.split_k; ++j) s += src[j * mn];
    const long long row = e / p.n, col = e % p.n;
    static_cast<OutT*>(p.c)[bz * p.stride_c + row * p.ldc + col] = from_float<OutT>(s);
  }
}

// ---------------------------------------------------------------------------------------------
// Host side: one configuration

template <int Id, class T, class OutT, template <class, class> class ALoad>
struct TiledGemm {
  using Tl = typename TileOf<Id>::type;
  static constexpr int kSmemBytes = Tl::SMEM_ELEMS * static_cast<int>(sizeof(T));

  static constexpr auto kernel() { return &gemm_kernel<Tl, T, OutT, ALoad>; }

  // once per process before the first launch: the dynamic shared memory above 48 KiB, and the
  // whole unified L1/shared array as shared memory (the operands bypass L1: cp.async.cg), so
  // that the CTAs per SM are those the plan counts with smem_per_sm
  static cudaError_t prepare() {
    const cudaError_t e = cudaFuncSetAttribute(kernel(), cudaFuncAttributeMaxDynamicSharedMemorySize, kSmemBytes);
    if (e != cudaSuccess) return e;
    return cudaFuncSetAttribute(kernel(), cudaFuncAttributePreferredSharedMemoryCarveout, cudaSharedmemCarveoutMaxShared);
  }

  static cudaError_t launch(const GemmParams& p, const ConvGeometry& g, cudaStream_t stream) {
    const dim3 grid(static_cast<unsigned>(p.tiles_m * p.tiles_n), static_cast<unsigned>(p.split_k),
                    static_cast<unsigned>(p.batch));
    gemm_kernel<Tl, T, OutT, ALoad><<<grid, Tl::THREADS, kSmemBytes, stream>>>(p, g);
    cudaError_t e = cudaGetLastError();
    if (e != cudaSuccess || p.split_k == 1) return e;
    const long long total = static_cast<long long>(p.m) * p.n * p.batch;
    const int blocks = static_cast<int>(total / 256 + 1 < 8192 ? total / 256 + 1 : 8192);
    split_k_reduce<OutT><<<blocks, 256, 0, stream>>>(p);
    return cudaGetLastError();
  }

  // what the hardware gives this instantiation: CTAs per SM at the pipeline's shared memory
  static cudaError_t occupancy(int* ctas_per_sm, cudaFuncAttributes* attr) {
    cudaError_t e = cudaFuncGetAttributes(attr, kernel());
    if (e != cudaSuccess) return e;
    return cudaOccupancyMaxActiveBlocksPerMultiprocessor(ctas_per_sm, kernel(), Tl::THREADS, kSmemBytes);
  }
};

}  // namespace npusim::validate::kernels
