// The columns of the measurement CSVs (documented in validate/data/README.md), and a row
// assembled by column name so that a value cannot land under the wrong header.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/gpu_tiling.h"

namespace npusim::validate::harness {

// gemm.csv (the project's kernels) and cublas.csv (cuBLAS, cuBLASLt): one row per shape,
// family and type
std::vector<std::string> gemm_columns();
// conv.csv: one row per distinct ResNet-50 convolution shape, batch, family and type
std::vector<std::string> conv_columns();
// micro.csv: one row per microbenchmark
std::vector<std::string> micro_columns();
// env.csv: key, value
std::vector<std::string> env_columns();
// selftest.csv: the harness's checks of its own reference, checker and kernels on small problems
std::vector<std::string> selftest_columns();

// the plan columns shared by gemm.csv and conv.csv
std::vector<std::string> plan_columns();

class Row {
 public:
  explicit Row(std::vector<std::string> columns);
  // throws std::out_of_range for a column the table does not have
  Row& set(std::string_view column, std::string value);
  // the plan columns (config_id .. k_per_split)
  Row& set_plan(const compiler::Plan& p);
  // fields in column order; unset columns are empty
  std::vector<std::string> fields() const;
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  std::vector<std::string> columns_;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace npusim::validate::harness
