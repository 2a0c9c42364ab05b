#include "validate/harness/error_bound.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "validate/harness/csv.h"

namespace npusim::validate::harness {

ErrorBound error_bound(DType out, std::int64_t k) {
  if (k < 1) throw std::invalid_argument("error bound for a reduction of length < 1");
  const double acc = 16.0 * std::sqrt(static_cast<double>(k)) * unit_roundoff(DType::fp32);
  const double u = unit_roundoff(out);
  return {2.0 * u + acc, u + acc};
}

CheckResult check_errors(const ErrorStats& s, DType out, std::int64_t k) {
  CheckResult r;
  r.bound = error_bound(out, k);
  r.max_rel_err = s.max_rel_err;
  r.norm_rel_err = s.sum_sq_ref > 0 ? std::sqrt(s.sum_sq_err / s.sum_sq_ref) : (s.sum_sq_err > 0 ? INFINITY : 0.0);
  if (s.count == 0) {
    r.why = "no elements compared";
  } else if (s.ref_nonfinite > 0) {
    r.why = fmt_int(static_cast<std::int64_t>(s.ref_nonfinite)) + " non-finite reference elements";
  } else if (s.nonfinite > 0) {
    r.why = fmt_int(static_cast<std::int64_t>(s.nonfinite)) + " of " + fmt_int(static_cast<std::int64_t>(s.count)) +
            " outputs non-finite (unwritten or overflowed)";
  } else if (!(r.max_rel_err <= r.bound.max_rel)) {
    r.why = "max relative error " + fmt_double(r.max_rel_err, 3) + " > bound " + fmt_double(r.bound.max_rel, 3);
  } else if (!(r.norm_rel_err <= r.bound.norm_rel)) {
    r.why = "normwise relative error " + fmt_double(r.norm_rel_err, 3) + " > bound " + fmt_double(r.bound.norm_rel, 3);
  }
  r.ok = r.why.empty();
  return r;
}

ErrorStats error_stats(const std::vector<double>& y, const std::vector<double>& r) {
  if (y.size() != r.size()) throw std::invalid_argument("error_stats: sizes differ");
  ErrorStats s;
  s.count = y.size();
  for (double v : r) {
    if (!std::isfinite(v))
      ++s.ref_nonfinite;
    else
      s.sum_sq_ref += v * v;
  }
  const double rms = s.count ? std::sqrt(s.sum_sq_ref / static_cast<double>(s.count)) : 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      ++s.nonfinite;
      continue;
    }
    const double e = std::fabs(y[i] - r[i]);
    s.sum_sq_err += e * e;
    s.max_abs_err = std::max(s.max_abs_err, static_cast<float>(e));
    const double den = std::max(std::fabs(r[i]), rms);
    const double rel = den > 0 ? e / den : (e > 0 ? INFINITY : 0.0);
    s.max_rel_err = std::max(s.max_rel_err, static_cast<float>(rel));
  }
  return s;
}

}  // namespace npusim::validate::harness
