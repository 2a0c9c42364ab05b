// Checking a kernel's output against the reference (validate/kernels/reference.cu computes the
// reference in fp32 from the same bf16/fp16 inputs; the statistics below are reduced on the GPU
// by the same definitions as error_stats() here).
//
// Definitions, for outputs y and reference r over all `count` elements:
//   rms        = sqrt(sum r_i^2 / count)
//   max_rel    = max_i |y_i - r_i| / max(|r_i|, rms)      (relative error, the denominator floored
//                                                          at the RMS so that outputs near zero
//                                                          do not make it meaningless)
//   norm_rel   = ||y - r||_2 / ||r||_2
//   nonfinite  = the number of NaN or infinite y_i (the output is filled with NaN before the run,
//                so an element the kernel did not write is counted here)
//
// Bounds (per output type; u = 2^-p is the unit roundoff of round-to-nearest: bf16 2^-8,
// fp16 2^-11, fp32 2^-24; k is the reduction length):
//   acc(k)     = 16 sqrt(k) 2^-24   fp32 accumulation in a different order than the reference's
//                                   (and the tensor cores' own adder): a random walk of k roundings
//                                   of partial sums of the size of the result, with margin 16
//   max_rel   <= 2 u_out + acc(k)   one rounding of the output to its type, with margin 2
//   norm_rel  <= u_out + acc(k)
//   nonfinite == 0, and no reference element is non-finite
// e.g. bf16 out, k = 4096: max_rel <= 7.9e-3, norm_rel <= 4.0e-3; fp16: 1.0e-3 / 5.3e-4;
// fp32: 6.1e-5 / 6.1e-5. A kernel that drops one k-tile of a 4096-long sum, or swaps two
// rows, is off by far more than that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "validate/harness/dtype.h"

namespace npusim::validate::harness {

// The reductions, as the GPU fills them (plain data: validate/kernels/reference.cu writes it).
struct ErrorStats {
  double sum_sq_err = 0;   // sum (y - r)^2 over finite y
  double sum_sq_ref = 0;   // sum r^2
  float max_abs_err = 0;   // max |y - r| over finite y
  float max_rel_err = 0;   // max |y - r| / max(|r|, rms) over finite y
  unsigned long long nonfinite = 0;      // non-finite y
  unsigned long long ref_nonfinite = 0;  // non-finite r
  unsigned long long count = 0;
};

struct ErrorBound {
  double max_rel = 0;
  double norm_rel = 0;
};

ErrorBound error_bound(DType out, std::int64_t k);

struct CheckResult {
  bool ok = false;
  double max_rel_err = 0, norm_rel_err = 0;
  ErrorBound bound;
  std::string why;  // empty when ok
};

CheckResult check_errors(const ErrorStats& s, DType out, std::int64_t k);

// The same reductions on the host (for the tests, and the harness's self-test of the GPU checker).
ErrorStats error_stats(const std::vector<double>& y, const std::vector<double>& r);

}  // namespace npusim::validate::harness
