// The project's implicit-GEMM convolution: the tensor-core GEMM of gemm.cuh with an A loader
// that gathers the im2col matrix on the fly (nothing is materialised).
//
//   input  x: N x H x W x C (NHWC)
//   filter f: R x S x C x K ("HWIO", as TensorFlow stores it), i.e. a (R*S*C) x K row-major matrix
//   output y: N x P x Q x K (NHWC), i.e. an (N*P*Q) x K row-major matrix
//   GEMM: M = N*P*Q, N = K, K = R*S*C; A(m, kg) = x[n][p*stride_h - pad_h + r*dil_h]
//         [q*stride_w - pad_w + s*dil_w][c] with m = (n, p, q), kg = (r, s, c); zero outside.
//
// Any stride, padding and dilation; groups = 1 only (depthwise and grouped convolutions are not
// supported). Where C is a multiple of 8 (every ResNet-50 layer but conv1) each 16-byte chunk of
// an A row is 8 channels of one input pixel and is copied with cp.async; otherwise (C = 3) the
// loader gathers element by element. The plan is compiler::choose_plan(M, N, K) like any GEMM.
#pragma once

#include "validate/kernels/gemm.cuh"

namespace npusim::validate::kernels {

template <class Tl, class T>
struct ConvA {
  static_assert(Tl::THREADS % Tl::A_W == 0, "a thread's A chunks must share one column chunk");
  // per row of this thread: the image's element offset (-1 past M) and the top-left input pixel
  // of its output pixel; the geometry itself stays in the kernel's parameters (constant bank)
  int img[Tl::A_PER_THREAD];
  int hw0[Tl::A_PER_THREAD];  // (ih0 << 16) | (iw0 & 0xffff): both in [-32768, 32767]

  __device__ ConvA(const GemmParams& p, const ConvGeometry& g, int m0, int /*bz*/, int tid) {
    const int pq = g.p * g.q;
#pragma unroll
    for (int i = 0; i < Tl::A_PER_THREAD; ++i) {
      const int m = m0 + row(tid, i);
      if (m < p.m) {
        const int nb = m / pq, rem = m - nb * pq;
        const int op = rem / g.q, oq = rem - op * g.q;
        img[i] = nb * g.h * g.w * g.c;
        hw0[i] = pack(op * g.stride_h - g.pad_h, oq * g.stride_w - g.pad_w);
      } else {
        img[i] = -1;
        hw0[i] = 0;
      }
    }
  }

  __device__ __forceinline__ static int pack(int ih, int iw) {
    return static_cast<int>((static_cast<unsigned>(ih) << 16) | (static_cast<unsigned>(iw) & 0xffffu));
  }
  __device__ __forceinline__ static int ih0(int packed) { return packed >> 16; }  // arithmetic shift
  __device__ __forceinline__ static int iw0(int packed) { return static_cast<int>(static_cast<short>(packed & 0xffff)); }

  // the i-th tile row of thread tid (rows step by THREADS / A_W), and its column chunk (the same
  // for all of its rows)
  __device__ __forceinline__ static int row(int tid, int i) { return tid / Tl::A_W + i * (Tl::THREADS / Tl::A_W); }
  __device__ __forceinline__ static int chunk(int tid) { return tid % Tl::A_W; }

  __device__ __forceinline__ void load(T* smem, int k0, int k_end, const GemmParams& p, const ConvGeometry& g) const {
    const int tid = static_cast<int>(threadIdx.x);
    const T* const x = static_cast<const T*>(p.a);
    const int kg = k0 + chunk(tid) * kChunkElems;
    if (p.vec_a) {
      // c % 8 == 0: the chunk is channels ci .. ci+7 of filter tap (r, s)
      const int rs = kg / g.c, ci = kg - rs * g.c;
      const int r = rs / g.s, sx = rs - r * g.s;
#pragma unroll
      for (int i = 0; i < Tl::A_PER_THREAD; ++i) {
        T* dst = smem + swizzled<Tl::A_W>(row(tid, i), chunk(tid));
        const int ih = ih0(hw0[i]) + r * g.dil_h, iw = iw0(hw0[i]) + sx * g.dil_w;
        const bool ok = img[i] >= 0 && kg < k_end && ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
        const T* src = ok ? x + img[i] + (ih * g.w + iw) * g.c + ci : x;
        ptx::cp_async_16(ptx::smem_addr(dst), src, ok);
      }
    } else {
#pragma unroll
      for (int i = 0; i < Tl::A_PER_THREAD; ++i) {
        T* dst = smem + swizzled<Tl::A_W>(row(tid, i), chunk(tid));
        alignas(16) T v[kChunkElems];
#pragma unroll
        for (int e = 0; e < kChunkElems; ++e) {
          const int k = kg + e;
          const int rs = k / g.c, ci = k - rs * g.c;
          const int r = rs / g.s, sx = rs - r * g.s;
          const int ih = ih0(hw0[i]) + r * g.dil_h, iw = iw0(hw0[i]) + sx * g.dil_w;
          const bool ok = img[i] >= 0 && k < k_end && ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
          v[e] = ok ? x[img[i] + (ih * g.w + iw) * g.c + ci] : from_float<T>(0.f);
        }
        *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(v);
      }
    }
  }
};

// output size of one spatial dimension
__host__ __device__ constexpr int conv_out_size(int in, int filter, int stride, int pad, int dil) {
  return (in + 2 * pad - dil * (filter - 1) - 1) / stride + 1;
}

}  // namespace npusim::validate::kernels
