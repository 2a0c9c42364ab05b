#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <stdexcept>

#include "validate/kernels/cublas_ref.cuh"

namespace npusim::validate::kernels {

namespace {

constexpr std::size_t kWorkspaceBytes = 32u << 20;

cudaDataType_t cuda_type(DType t) {
  switch (t) {
    case DType::bf16: return CUDA_R_16BF;
    case DType::fp16: return CUDA_R_16F;
    case DType::fp32: return CUDA_R_32F;
  }
  return CUDA_R_32F;
}

bool ok(cublasStatus_t s, const char* what, std::string* why) {
  if (s == CUBLAS_STATUS_SUCCESS) return true;
  if (why) *why = std::string(what) + ": " + cublasGetStatusName(s);
  return false;
}

// im2col: col[m][(r*S + s)*C + c] = x[n][p*stride - pad + r*dil][q*stride - pad + s*dil][c] or 0
template <class T>
__global__ void im2col_kernel(const T* x, T* col, ConvArgs a, int p, int q) {
  const long long kdim = static_cast<long long>(a.r) * a.s * a.c;
  const long long total = static_cast<long long>(a.n) * p * q * kdim;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long m = i / kdim;
    const int kg = static_cast<int>(i % kdim);
    const int c = kg % a.c, rs = kg / a.c, s = rs % a.s, r = rs / a.s;
    const int oq = static_cast<int>(m % q), op = static_cast<int>((m / q) % p), nb = static_cast<int>(m / (static_cast<long long>(p) * q));
    const int ih = op * a.stride - a.pad + r * a.dilation, iw = oq * a.stride - a.pad + s * a.dilation;
    T v = static_cast<T>(0.f);
    if (ih >= 0 && ih < a.h && iw >= 0 && iw < a.w) v = x[((static_cast<long long>(nb) * a.h + ih) * a.w + iw) * a.c + c];
    col[i] = v;
  }
}

bool direct_im2col(const ConvArgs& a) { return a.r == 1 && a.s == 1 && a.stride == 1 && a.pad == 0; }

}  // namespace

struct CublasPeer::Impl {
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  cublasLtHandle_t lt = nullptr;
  void* workspace = nullptr;
  // the cuBLASLt problem selected last
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool selected = false;

  void release_lt() {
    if (desc) cublasLtMatmulDescDestroy(desc);
    if (la) cublasLtMatrixLayoutDestroy(la);
    if (lb) cublasLtMatrixLayoutDestroy(lb);
    if (lc) cublasLtMatrixLayoutDestroy(lc);
    desc = nullptr;
    la = lb = lc = nullptr;
    selected = false;
  }
};

CublasPeer::CublasPeer(cudaStream_t stream) : impl_(std::make_unique<Impl>()) {
  impl_->stream = stream;
  if (cublasCreate(&impl_->handle) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate failed");
  if (cublasLtCreate(&impl_->lt) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasLtCreate failed");
  if (cudaMalloc(&impl_->workspace, kWorkspaceBytes) != cudaSuccess)
    throw std::runtime_error("cannot allocate the cuBLAS workspace");
  if (cublasSetStream(impl_->handle, stream) != CUBLAS_STATUS_SUCCESS ||
      cublasSetWorkspace(impl_->handle, impl_->workspace, kWorkspaceBytes) != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error("cublasSetStream/cublasSetWorkspace failed");
}

CublasPeer::~CublasPeer() {
  impl_->release_lt();
  if (impl_->lt) cublasLtDestroy(impl_->lt);
  if (impl_->handle) cublasDestroy(impl_->handle);
  if (impl_->workspace) cudaFree(impl_->workspace);
}

CublasVersions CublasPeer::versions() const {
  CublasVersions v;
  cublasGetVersion(impl_->handle, &v.cublas);
  v.cublaslt = cublasLtGetVersion();
  return v;
}

bool CublasPeer::gemm(DType in, DType out, const GemmArgs& a, std::string* why) {
  const float alpha = 1.f, beta = 0.f;
  if (a.batch == 1)
    return ok(cublasGemmEx(impl_->handle, CUBLAS_OP_N, CUBLAS_OP_N, a.n, a.m, a.k, &alpha, a.b, cuda_type(in),
                           static_cast<int>(a.ldb), a.a, cuda_type(in), static_cast<int>(a.lda), &beta, a.c,
                           cuda_type(out), static_cast<int>(a.ldc), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
              "cublasGemmEx", why);
  return ok(cublasGemmStridedBatchedEx(impl_->handle, CUBLAS_OP_N, CUBLAS_OP_N, a.n, a.m, a.k, &alpha, a.b,
                                       cuda_type(in), static_cast<int>(a.ldb), a.stride_b, a.a, cuda_type(in),
                                       static_cast<int>(a.lda), a.stride_a, &beta, a.c, cuda_type(out),
                                       static_cast<int>(a.ldc), a.stride_c, a.batch, CUBLAS_COMPUTE_32F,
                                       CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx", why);
}

bool CublasPeer::lt_select(DType in, DType out, const GemmArgs& a, std::string* algo_desc, std::string* why) {
  Impl& d = *impl_;
  d.release_lt();
  if (!ok(cublasLtMatmulDescCreate(&d.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate", why))
    return false;
  // column-major view: "A" = B^T (n x k, ld ldb), "B" = A^T (k x m, ld lda), C^T (n x m, ld ldc)
  if (!ok(cublasLtMatrixLayoutCreate(&d.la, cuda_type(in), a.n, a.k, a.ldb), "layout A", why) ||
      !ok(cublasLtMatrixLayoutCreate(&d.lb, cuda_type(in), a.k, a.m, a.lda), "layout B", why) ||
      !ok(cublasLtMatrixLayoutCreate(&d.lc, cuda_type(out), a.n, a.m, a.ldc), "layout C", why))
    return false;
  if (a.batch > 1) {
    const int count = a.batch;
    const long long sa = a.stride_b, sb = a.stride_a, sc = a.stride_c;
    for (auto [layout, stride] : {std::pair{d.la, sa}, std::pair{d.lb, sb}, std::pair{d.lc, sc}}) {
      if (!ok(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count),
              "batch count", why) ||
          !ok(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                               sizeof stride),
              "batch stride", why))
        return false;
    }
  }
  cublasLtMatmulPreference_t pref = nullptr;
  if (!ok(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate", why)) return false;
  const std::size_t ws = kWorkspaceBytes;
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  const cublasStatus_t st =
      cublasLtMatmulAlgoGetHeuristic(d.lt, d.desc, d.la, d.lb, d.lc, d.lc, pref, 1, &result, &returned);
  cublasLtMatmulPreferenceDestroy(pref);
  if (!ok(st, "cublasLtMatmulAlgoGetHeuristic", why)) return false;
  if (returned < 1) {
    if (why) *why = "cuBLASLt heuristic returned no algorithm";
    return false;
  }
  d.algo = result.algo;
  d.selected = true;
  if (algo_desc) {
    int id = -1, tile = -1, stages = -1, splitk = -1;
    std::size_t n = 0;
    cublasLtMatmulAlgoConfigGetAttribute(&d.algo, CUBLASLT_ALGO_CONFIG_ID, &id, sizeof id, &n);
    cublasLtMatmulAlgoConfigGetAttribute(&d.algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile, &n);
    cublasLtMatmulAlgoConfigGetAttribute(&d.algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages, sizeof stages, &n);
    cublasLtMatmulAlgoConfigGetAttribute(&d.algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk, sizeof splitk, &n);
    *algo_desc = "algo=" + std::to_string(id) + " tile_id=" + std::to_string(tile) + " stages_id=" +
                 std::to_string(stages) + " splitk=" + std::to_string(splitk) +
                 " workspace=" + std::to_string(result.workspaceSize);
  }
  return true;
}

bool CublasPeer::lt_run(const GemmArgs& a, std::string* why) {
  Impl& d = *impl_;
  if (!d.selected) {
    if (why) *why = "lt_run without lt_select";
    return false;
  }
  const float alpha = 1.f, beta = 0.f;
  return ok(cublasLtMatmul(d.lt, d.desc, &alpha, a.b, d.la, a.a, d.lb, &beta, a.c, d.lc, a.c, d.lc, &d.algo,
                           d.workspace, kWorkspaceBytes, d.stream),
            "cublasLtMatmul", why);
}

std::size_t CublasPeer::col_bytes(DType in, const ConvArgs& a) {
  if (direct_im2col(a)) return 0;
  return static_cast<std::size_t>(a.n) * a.p() * a.q() * a.r * a.s * a.c * static_cast<std::size_t>(harness::bytes(in));
}

bool CublasPeer::conv2d(DType in, const ConvArgs& a, void* col, std::string* why) {
  const void* amat = a.x;
  if (!direct_im2col(a)) {
    if (col == nullptr) {
      if (why) *why = "no im2col buffer";
      return false;
    }
    const long long total = static_cast<long long>(a.n) * a.p() * a.q() * a.r * a.s * a.c;
    const int grid = static_cast<int>(total / 256 + 1 < 65536 ? total / 256 + 1 : 65536);
    if (in == DType::bf16)
      im2col_kernel<__nv_bfloat16><<<grid, 256, 0, impl_->stream>>>(static_cast<const __nv_bfloat16*>(a.x),
                                                                     static_cast<__nv_bfloat16*>(col), a, a.p(), a.q());
    else if (in == DType::fp16)
      im2col_kernel<__half><<<grid, 256, 0, impl_->stream>>>(static_cast<const __half*>(a.x), static_cast<__half*>(col),
                                                             a, a.p(), a.q());
    else {
      if (why) *why = "im2col: bf16 or fp16 only";
      return false;
    }
    if (const cudaError_t e = cudaGetLastError(); e != cudaSuccess) {
      if (why) *why = std::string("im2col: ") + cudaGetErrorString(e);
      return false;
    }
    amat = col;
  }
  GemmArgs g;
  g.m = a.n * a.p() * a.q();
  g.n = a.k;
  g.k = a.r * a.s * a.c;
  g.a = amat;
  g.b = a.f;
  g.c = a.y;
  g.lda = g.k;
  g.ldb = g.n;
  g.ldc = g.n;
  return gemm(in, in, g, why);
}

}  // namespace npusim::validate::kernels
