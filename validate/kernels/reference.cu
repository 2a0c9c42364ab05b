#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "validate/kernels/convert.cuh"
#include "validate/kernels/reference.cuh"

namespace npusim::validate::kernels {

namespace {

__device__ __forceinline__ std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <class T>
__global__ void fill_random_kernel(T* p, std::size_t n, std::uint64_t seed, float lo, float hi) {
  const std::uint64_t key = splitmix64(seed);
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const float u = static_cast<float>(splitmix64(key ^ i) >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    p[i] = from_float<T>(lo + (hi - lo) * u);
  }
}

int grid_for(std::size_t n, int block) {
  const std::size_t g = (n + block - 1) / block;
  return static_cast<int>(g < 65536 ? (g == 0 ? 1 : g) : 65536);
}

// 64 x 64 output tile per block of 256 threads, 4 x 4 outputs per thread, k in steps of 16
constexpr int kRefTile = 64, kRefK = 16;

template <class T>
__global__ void __launch_bounds__(256) reference_gemm_kernel(const T* A, const T* B, float* C, int m, int n, int k,
                                                             long long lda, long long ldb, long long sa, long long sb) {
  __shared__ float As[kRefK][kRefTile + 1];
  __shared__ float Bs[kRefK][kRefTile];
  const long long bz = blockIdx.z;
  A += bz * sa;
  B += bz * sb;
  C += bz * static_cast<long long>(m) * n;
  const int row0 = blockIdx.y * kRefTile, col0 = blockIdx.x * kRefTile;
  const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < k; k0 += kRefK) {
    for (int i = 0; i < 4; ++i) {
      const int idx = threadIdx.x + i * 256;
      const int r = idx / kRefK, kk = idx % kRefK;
      const int gr = row0 + r, gk = k0 + kk;
      As[kk][r] = (gr < m && gk < k) ? to_float(A[gr * lda + gk]) : 0.f;
      const int kb = idx / kRefTile, c = idx % kRefTile;
      const int gkb = k0 + kb, gc = col0 + c;
      Bs[kb][c] = (gkb < k && gc < n) ? to_float(B[gkb * ldb + gc]) : 0.f;
    }
    __syncthreads();
    for (int kk = 0; kk < kRefK; ++kk) {
      float a[4], b[4];
      for (int i = 0; i < 4; ++i) a[i] = As[kk][ty + 16 * i];
      for (int j = 0; j < 4; ++j) b[j] = Bs[kk][tx + 16 * j];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const int r = row0 + ty + 16 * i, c = col0 + tx + 16 * j;
      if (r < m && c < n) C[static_cast<long long>(r) * n + c] = acc[i][j];
    }
}

// one thread per output element, k (filter) fastest so that a warp reads the filters coalesced
template <class T>
__global__ void reference_conv_kernel(const T* x, const T* f, float* y, ConvArgs a, int p, int q) {
  const long long total = static_cast<long long>(a.n) * p * q * a.k;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const int kf = static_cast<int>(i % a.k);
    long long rest = i / a.k;
    const int oq = static_cast<int>(rest % q);
    rest /= q;
    const int op = static_cast<int>(rest % p);
    const int nb = static_cast<int>(rest / p);
    float acc = 0.f;
    for (int r = 0; r < a.r; ++r) {
      const int ih = op * a.stride - a.pad + r * a.dilation;
      if (ih < 0 || ih >= a.h) continue;
      for (int s = 0; s < a.s; ++s) {
        const int iw = oq * a.stride - a.pad + s * a.dilation;
        if (iw < 0 || iw >= a.w) continue;
        const T* xp = x + ((static_cast<long long>(nb) * a.h + ih) * a.w + iw) * a.c;
        const T* fp = f + (static_cast<long long>(r) * a.s + s) * a.c * a.k + kf;
        for (int c = 0; c < a.c; ++c) acc = fmaf(to_float(xp[c]), to_float(fp[static_cast<long long>(c) * a.k]), acc);
      }
    }
    y[i] = acc;
  }
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ unsigned long long warp_sum(unsigned long long v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  return v;
}
// non-negative floats order like their bit patterns
__device__ __forceinline__ void atomic_max_nonneg(float* addr, float v) {
  atomicMax(reinterpret_cast<int*>(addr), __float_as_int(v));
}

// pass 1: sum of squares of the reference and its non-finite elements
__global__ void ref_norm_kernel(const float* ref, long long total, harness::ErrorStats* st) {
  double sq = 0;
  unsigned long long bad = 0;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const float r = ref[i];
    if (isfinite(r))
      sq += static_cast<double>(r) * r;
    else
      ++bad;
  }
  sq = warp_sum(sq);
  bad = warp_sum(bad);
  if ((threadIdx.x & 31) == 0) {
    atomicAdd(&st->sum_sq_ref, sq);
    if (bad) atomicAdd(&st->ref_nonfinite, bad);
  }
}

// pass 2: the output against the reference (rms from pass 1)
template <class T>
__global__ void compare_kernel(const T* y, long long rows, long long cols, long long ld, long long batch,
                               long long stride, const float* ref, harness::ErrorStats* st) {
  const long long per = rows * cols, total = per * batch;
  const float rms = static_cast<float>(sqrt(st->sum_sq_ref / static_cast<double>(total)));
  double sq = 0;
  float max_abs = 0.f, max_rel = 0.f;
  unsigned long long bad = 0;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long b = i / per, e = i % per, r = e / cols, c = e % cols;
    const float v = to_float(y[b * stride + r * ld + c]);
    if (!isfinite(v)) {
      ++bad;
      continue;
    }
    const float rv = ref[i];
    const float err = fabsf(v - rv);
    sq += static_cast<double>(err) * err;
    max_abs = fmaxf(max_abs, err);
    const float den = fmaxf(fabsf(rv), rms);
    max_rel = fmaxf(max_rel, den > 0.f ? err / den : (err > 0.f ? INFINITY : 0.f));
  }
  sq = warp_sum(sq);
  bad = warp_sum(bad);
  max_abs = warp_max(max_abs);
  max_rel = warp_max(max_rel);
  if ((threadIdx.x & 31) == 0) {
    atomicAdd(&st->sum_sq_err, sq);
    if (bad) atomicAdd(&st->nonfinite, bad);
    atomic_max_nonneg(&st->max_abs_err, max_abs);
    atomic_max_nonneg(&st->max_rel_err, max_rel);
  }
}

template <class F>
cudaError_t by_type(DType t, F&& f) {
  switch (t) {
    case DType::bf16: return f(__nv_bfloat16{});
    case DType::fp16: return f(__half{});
    case DType::fp32: return f(float{});
  }
  return cudaErrorInvalidValue;
}

}  // namespace

cudaError_t fill_random(DType t, void* p, std::size_t n, std::uint64_t seed, float lo, float hi, cudaStream_t s) {
  return by_type(t, [&](auto tag) {
    using T = decltype(tag);
    fill_random_kernel<T><<<grid_for(n, 256), 256, 0, s>>>(static_cast<T*>(p), n, seed, lo, hi);
    return cudaGetLastError();
  });
}

cudaError_t poison(DType t, void* p, std::size_t n, cudaStream_t s) {
  return cudaMemsetAsync(p, 0xff, n * static_cast<std::size_t>(harness::bytes(t)), s);
}

cudaError_t reference_gemm(DType in, const GemmArgs& a, float* ref, cudaStream_t s) {
  if (in == DType::fp32 || a.batch > 65535 || (a.m + kRefTile - 1) / kRefTile > 65535) return cudaErrorInvalidValue;
  return by_type(in, [&](auto tag) {
    using T = decltype(tag);
    const dim3 grid((a.n + kRefTile - 1) / kRefTile, (a.m + kRefTile - 1) / kRefTile, a.batch);
    reference_gemm_kernel<T><<<grid, 256, 0, s>>>(static_cast<const T*>(a.a), static_cast<const T*>(a.b), ref, a.m,
                                                  a.n, a.k, a.lda, a.ldb, a.stride_a, a.stride_b);
    return cudaGetLastError();
  });
}

cudaError_t reference_conv(DType in, const ConvArgs& a, float* ref, cudaStream_t s) {
  if (in == DType::fp32) return cudaErrorInvalidValue;
  return by_type(in, [&](auto tag) {
    using T = decltype(tag);
    const std::size_t total = static_cast<std::size_t>(a.n) * a.p() * a.q() * a.k;
    reference_conv_kernel<T><<<grid_for(total, 256), 256, 0, s>>>(static_cast<const T*>(a.x),
                                                                  static_cast<const T*>(a.f), ref, a, a.p(), a.q());
    return cudaGetLastError();
  });
}

cudaError_t compare(DType out, const void* y, long long rows, long long cols, long long ld, long long batch,
                    long long stride, const float* ref, harness::ErrorStats* scratch, harness::ErrorStats* result,
                    cudaStream_t s) {
  const long long total = rows * cols * batch;
  if (total <= 0) return cudaErrorInvalidValue;
  harness::ErrorStats init;
  init.count = static_cast<unsigned long long>(total);
  cudaError_t e = cudaMemcpyAsync(scratch, &init, sizeof init, cudaMemcpyHostToDevice, s);
  if (e != cudaSuccess) return e;
  const int grid = grid_for(static_cast<std::size_t>(total), 256) < 4096 ? grid_for(static_cast<std::size_t>(total), 256) : 4096;
  ref_norm_kernel<<<grid, 256, 0, s>>>(ref, total, scratch);
  if ((e = cudaGetLastError()) != cudaSuccess) return e;
  e = by_type(out, [&](auto tag) {
    using T = decltype(tag);
    compare_kernel<T><<<grid, 256, 0, s>>>(static_cast<const T*>(y), rows, cols, ld, batch, stride, ref, scratch);
    return cudaGetLastError();
  });
  if (e != cudaSuccess) return e;
  if ((e = cudaMemcpyAsync(result, scratch, sizeof *result, cudaMemcpyDeviceToHost, s)) != cudaSuccess) return e;
  return cudaStreamSynchronize(s);
}

}  // namespace npusim::validate::kernels
