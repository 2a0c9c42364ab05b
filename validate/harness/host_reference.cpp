#include "validate/harness/host_reference.h"

namespace npusim::validate::harness {

std::vector<double> gemm_fp64(const std::vector<double>& a, const std::vector<double>& b, std::int64_t m,
                              std::int64_t n, std::int64_t k, std::int64_t batch) {
  std::vector<double> c(static_cast<std::size_t>(batch * m * n));
  for (std::int64_t z = 0; z < batch; ++z)
    for (std::int64_t i = 0; i < m; ++i) {
      const double* arow = a.data() + z * m * k + i * k;
      double* crow = c.data() + z * m * n + i * n;
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const double av = arow[kk];
        const double* brow = b.data() + z * k * n + kk * n;
        for (std::int64_t j = 0; j < n; ++j) crow[j] += av * brow[j];
      }
    }
  return c;
}

std::vector<double> conv_fp64(const std::vector<double>& x, const std::vector<double>& f, const ConvShape& s) {
  const int N = static_cast<int>(s.n), H = static_cast<int>(s.h), W = static_cast<int>(s.w), C = static_cast<int>(s.c),
            K = static_cast<int>(s.k), R = static_cast<int>(s.r), S = static_cast<int>(s.s);
  const int stride = static_cast<int>(s.stride), pad = static_cast<int>(s.pad), dil = static_cast<int>(s.dilation);
  const int P = static_cast<int>(s.p()), Q = static_cast<int>(s.q());
  std::vector<double> y(static_cast<std::size_t>(s.gemm_m() * s.gemm_n()));
  for (int nb = 0; nb < N; ++nb)
    for (int op = 0; op < P; ++op)
      for (int oq = 0; oq < Q; ++oq)
        for (int kf = 0; kf < K; ++kf) {
          double sum = 0;
          for (int r = 0; r < R; ++r)
            for (int sx = 0; sx < S; ++sx) {
              const int ih = op * stride - pad + r * dil, iw = oq * stride - pad + sx * dil;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              for (int ci = 0; ci < C; ++ci)
                sum += x[static_cast<std::size_t>(((nb * H + ih) * W + iw) * C + ci)] *
                       f[static_cast<std::size_t>(((r * S + sx) * C + ci) * K + kf)];
            }
          y[static_cast<std::size_t>(((nb * P + op) * Q + oq) * K + kf)] = sum;
        }
  return y;
}

}  // namespace npusim::validate::harness
