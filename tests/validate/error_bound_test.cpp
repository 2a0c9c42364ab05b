#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "validate/harness/dtype.h"
#include "validate/harness/error_bound.h"

namespace {

namespace gb = npusim::validate::harness;
using gb::DType;

// round a double to bf16 / fp16 (round to nearest even) through the decoders under test
double round_to(DType t, double v) {
  if (t == DType::fp32) return static_cast<float>(v);
  // search the neighbouring encodings of the value: exact for the ranges used here
  const float f = static_cast<float>(v);
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  if (t == DType::bf16) {
    const std::uint32_t lsb = (u >> 16) & 1u;
    const std::uint32_t r = (u + 0x7fffu + lsb) >> 16;
    return gb::bf16_bits_to_double(static_cast<std::uint16_t>(r));
  }
  // fp16: the closest of all finite encodings with the value's sign (normal range only)
  double best = 0, best_err = INFINITY;
  for (std::uint32_t b = 0; b < 0x7c00; ++b) {
    const double c = gb::fp16_bits_to_double(static_cast<std::uint16_t>(b)) * (v < 0 ? -1 : 1);
    const double e = std::fabs(c - v);
    if (e < best_err) best = c, best_err = e;
  }
  return best;
}

// a random GEMM row block: reference in double, "kernel" result = reference rounded to `out`
struct Case {
  std::vector<double> ref, out;
};
Case rounded_case(DType out, int k, int n = 2000, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  Case c;
  for (int i = 0; i < n; ++i) {
    double s = 0;
    for (int j = 0; j < k; ++j) {
      const double a = round_to(DType::bf16, u(rng)), b = round_to(DType::bf16, u(rng));
      s += a * b;
    }
    c.ref.push_back(s);
    c.out.push_back(round_to(out, s));
  }
  return c;
}

TEST(Dtype, DecodesKnownEncodings) {
  EXPECT_EQ(gb::bf16_bits_to_double(0x3f80), 1.0);
  EXPECT_EQ(gb::bf16_bits_to_double(0xc000), -2.0);
  EXPECT_EQ(gb::bf16_bits_to_double(0x3f00), 0.5);
  EXPECT_TRUE(std::isnan(gb::bf16_bits_to_double(0xffff)));
  EXPECT_EQ(gb::fp16_bits_to_double(0x3c00), 1.0);
  EXPECT_EQ(gb::fp16_bits_to_double(0xc000), -2.0);
  EXPECT_EQ(gb::fp16_bits_to_double(0x7bff), 65504.0);
  EXPECT_EQ(gb::fp16_bits_to_double(0x0001), std::ldexp(1.0, -24));
  EXPECT_TRUE(std::isinf(gb::fp16_bits_to_double(0x7c00)));
  EXPECT_TRUE(std::isnan(gb::fp16_bits_to_double(0xffff)));  // the harness's poison
  const std::uint16_t arr[2] = {0x3c00, 0x4000};
  EXPECT_EQ(gb::element_to_double(DType::fp16, arr, 1), 2.0);
  EXPECT_EQ(gb::unit_roundoff(DType::bf16), 1.0 / 256);
  EXPECT_EQ(gb::unit_roundoff(DType::fp16), 1.0 / 2048);
}

TEST(ErrorBound, DocumentedValues) {
  const gb::ErrorBound b = gb::error_bound(DType::bf16, 4096);
  EXPECT_NEAR(b.max_rel, 2.0 / 256 + 16 * 64 * std::ldexp(1.0, -24), 1e-12);
  EXPECT_NEAR(b.max_rel, 7.87e-3, 1e-5);
  EXPECT_NEAR(b.norm_rel, 3.97e-3, 1e-5);
  EXPECT_NEAR(gb::error_bound(DType::fp16, 4096).max_rel, 1.04e-3, 1e-5);
  EXPECT_NEAR(gb::error_bound(DType::fp32, 4096).max_rel, 6.1e-5, 1e-6);
  EXPECT_LT(gb::error_bound(DType::fp32, 64).max_rel, gb::error_bound(DType::fp32, 16384).max_rel);
  EXPECT_THROW(gb::error_bound(DType::bf16, 0), std::invalid_argument);
}

TEST(ErrorBound, AnOutputRoundedToItsTypePasses) {
  for (DType t : {DType::bf16, DType::fp16, DType::fp32}) {
    const Case c = rounded_case(t, 256);
    const gb::CheckResult r = gb::check_errors(gb::error_stats(c.out, c.ref), t, 256);
    EXPECT_TRUE(r.ok) << gb::name(t) << ": " << r.why;
    EXPECT_GT(r.max_rel_err, 0.0) << gb::name(t);  // the rounding is seen, not hidden
  }
}

TEST(ErrorBound, BF16OutputsFailTheFP16Bound) {
  const Case c = rounded_case(DType::bf16, 256);
  EXPECT_FALSE(gb::check_errors(gb::error_stats(c.out, c.ref), DType::fp16, 256).ok);
}

TEST(ErrorBound, CatchesOneWrongElement) {
  Case c = rounded_case(DType::bf16, 256);
  c.out[777] = 1.5 * c.ref[777] + 1.0;
  const gb::CheckResult r = gb::check_errors(gb::error_stats(c.out, c.ref), DType::bf16, 256);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("max relative error"), std::string::npos) << r.why;
}

TEST(ErrorBound, CatchesADroppedKTile) {
  // every output misses the last 32 of its 1024 products
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> ref, out;
  for (int i = 0; i < 500; ++i) {
    double full = 0, part = 0;
    for (int j = 0; j < 1024; ++j) {
      const double p = u(rng) * u(rng);
      full += p;
      if (j < 1024 - 32) part += p;
    }
    ref.push_back(full);
    out.push_back(round_to(DType::bf16, part));
  }
  EXPECT_FALSE(gb::check_errors(gb::error_stats(out, ref), DType::bf16, 1024).ok);
}

TEST(ErrorBound, UnwrittenOrNonFiniteOutputsFail) {
  Case c = rounded_case(DType::fp16, 64, 100);
  c.out[5] = std::numeric_limits<double>::quiet_NaN();
  gb::ErrorStats s = gb::error_stats(c.out, c.ref);
  EXPECT_EQ(s.nonfinite, 1u);
  gb::CheckResult r = gb::check_errors(s, DType::fp16, 64);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.why.find("non-finite"), std::string::npos);
  c.out[5] = INFINITY;
  EXPECT_FALSE(gb::check_errors(gb::error_stats(c.out, c.ref), DType::fp16, 64).ok);
  // a reference with a NaN is not a pass either
  Case d = rounded_case(DType::fp16, 64, 100);
  d.ref[0] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(gb::check_errors(gb::error_stats(d.out, d.ref), DType::fp16, 64).ok);
  // nothing compared
  EXPECT_FALSE(gb::check_errors(gb::ErrorStats{}, DType::fp16, 64).ok);
}

TEST(ErrorBound, RelativeErrorIsFlooredAtTheRms) {
  // an output of 0 where the reference is 1e-9 (cancellation) is not an infinite relative error
  std::vector<double> ref{1.0, -1.0, 1e-9, 1.0}, out{1.0, -1.0, 0.0, 1.0};
  const gb::ErrorStats s = gb::error_stats(out, ref);
  EXPECT_NEAR(s.max_rel_err, 1e-9 / std::sqrt(3.0 / 4.0 + 1e-18 / 4), 1e-12);
  EXPECT_TRUE(gb::check_errors(s, DType::bf16, 4).ok);
  EXPECT_NEAR(s.sum_sq_ref, 3.0, 1e-12);
  EXPECT_EQ(s.count, 4u);
}

}  // namespace
