// npusim-gpu-bench's command line (CLI11) and what it selects: the parts to run, the types, the
// shapes of the suite, the timing method. Host-only C++: tests/validate checks it without a GPU.
#pragma once

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "validate/harness/dtype.h"
#include "validate/harness/suite.h"

namespace npusim::validate::harness {

inline const std::vector<std::string> kParts = {"selftest", "gemm", "cublas", "conv", "micro"};

struct Options {
  std::string out_dir;
  std::set<std::string> parts{kParts.begin(), kParts.end()};
  bool only = false;  // --only was given
  std::vector<DType> dtypes{DType::bf16, DType::fp16};
  int runs = 50, warmup = 10;
  std::size_t flush_mib = 256;
  std::string filter;
  std::set<Category> categories;
  int limit = 0;
  bool fp32_out = true, quick = false, list = false, print_slug = false;
  int device = 0;
  std::string source_rev = "unknown";
  std::string command_line;  // as given, for env.csv
};

// The command line ended the program before any work: --help (exit_code 0, `text` the help, for
// stdout) or a bad argument (exit_code 2, `text` the message and the help, for stderr).
struct UsageExit : std::runtime_error {
  UsageExit(int code, const std::string& text) : std::runtime_error(text), exit_code(code) {}
  int exit_code;
};

// Throws UsageExit.
Options parse_options(int argc, const char* const* argv);

// Fewer runs or warm-ups than the full method, a smaller flush, or --quick: env.csv says so.
bool reduced_method(const Options& o);

// The shapes of the suites the options select (--filter, --category, --quick, --limit).
std::vector<GemmShape> selected_gemms(const Options& o);
std::vector<ConvShape> selected_convs(const Options& o);

}  // namespace npusim::validate::harness
