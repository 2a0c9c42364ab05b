#include "validate/harness/columns.h"

#include <algorithm>
#include <stdexcept>

#include "validate/harness/csv.h"

namespace npusim::validate::harness {

namespace {
std::vector<std::string> concat(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}
// verification, timing and clock columns shared by gemm.csv and conv.csv
std::vector<std::string> measurement_columns() {
  return {"occupancy_ctas_per_sm", "regs_per_thread", "verified",  "max_rel_err", "norm_rel_err", "max_rel_bound",
          "runs",                  "warmup",          "median_us", "p25_us",      "p75_us",       "min_us",
          "max_us",                "tflops",          "sm_clock_mhz", "sm_clock_min_mhz", "clock_samples", "algo",
          "note"};
}
}  // namespace

std::vector<std::string> plan_columns() {
  return {"config_id", "bm",   "bn",          "bk",    "stages", "warps_m",
          "warps_n",   "split_k", "ctas", "ctas_per_sm", "waves", "k_per_split"};
}

std::vector<std::string> gemm_columns() {
  return concat({{"family", "dtype", "out_dtype", "category", "name", "m", "n", "k", "batch"}, plan_columns(),
                 measurement_columns()});
}

std::vector<std::string> conv_columns() {
  return concat({{"family", "dtype", "out_dtype", "name", "layers", "count", "n", "h", "w", "c", "k", "r", "s",
                  "stride", "pad", "dilation", "p", "q", "gemm_m", "gemm_n", "gemm_k"},
                 plan_columns(), measurement_columns()});
}

std::vector<std::string> micro_columns() {
  return {"name", "dtype", "metric", "value", "unit", "runs", "median_us", "p25_us", "p75_us",
          "bytes", "flops", "sm_clock_mhz", "note"};
}

std::vector<std::string> env_columns() { return {"key", "value"}; }

std::vector<std::string> selftest_columns() {
  return {"check", "dtype", "out_dtype", "m", "n", "k", "batch", "config_id", "split_k", "expect", "ok",
          "max_rel_err", "norm_rel_err", "max_rel_bound", "note"};
}

Row::Row(std::vector<std::string> columns) : columns_(std::move(columns)) {}

Row& Row::set(std::string_view column, std::string value) {
  if (std::find(columns_.begin(), columns_.end(), column) == columns_.end())
    throw std::out_of_range("no column " + std::string(column));
  values_[std::string(column)] = std::move(value);
  return *this;
}

Row& Row::set_plan(const compiler::Plan& p) {
  set("config_id", fmt_int(p.cfg.id));
  set("bm", fmt_int(p.cfg.bm));
  set("bn", fmt_int(p.cfg.bn));
  set("bk", fmt_int(p.cfg.bk));
  set("stages", fmt_int(p.cfg.stages));
  set("warps_m", fmt_int(p.cfg.warps_m));
  set("warps_n", fmt_int(p.cfg.warps_n));
  set("split_k", fmt_int(p.split_k));
  set("ctas", fmt_int(p.ctas));
  set("ctas_per_sm", fmt_int(p.ctas_per_sm));
  set("waves", fmt_int(p.waves));
  set("k_per_split", fmt_int(p.k_per_split));
  return *this;
}

std::vector<std::string> Row::fields() const {
  std::vector<std::string> out;
  out.reserve(columns_.size());
  for (const std::string& c : columns_) {
    auto it = values_.find(c);
    out.push_back(it == values_.end() ? std::string() : it->second);
  }
  return out;
}

}  // namespace npusim::validate::harness
